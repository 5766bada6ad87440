"""gunicorn's settings for every app server of the project (gunicorn reads ./gunicorn.conf.py when started
from the checkout: ``gunicorn training_site.wsgi``). Command-line options override what is here; each
value below comes from an environment variable first (docs/deploy.md lists them).

Timeouts, from the inside out (issue 13): the database gives up a lock wait after DB_LOCK_TIMEOUT_MS (3 s)
and a statement after DB_STATEMENT_TIMEOUT_MS (30 s); a PDF gives up after PDF_RENDER_TIMEOUT_SECONDS (45 s);
gunicorn kills a worker silent for GUNICORN_TIMEOUT (60 s). Each must stay above the one inside it, or the
outer one fires first and the user gets a dropped connection instead of our "try again" page: this file
refuses to start when the gunicorn timeout is not above the PDF limit with a margin.

Garbage collection: a worker holds a few hundred thousand long-lived objects once Django, Wagtail and the
project are imported (modules, URL patterns, models, compiled templates). Python's cyclic collector walks all
of them at every full collection, and an admin list page allocates enough to trigger collections: measured
on the officials' list at city scale (tests/bench/city), 15–20 ms of a ~90 ms page went to the collector.
``gc.freeze()`` once the app is loaded moves what exists then out of the collector's sight (it is never
freed anyway), and a larger first-generation threshold collects less often; reference counting still frees
everything that is not in a cycle at once, so memory does not grow.
"""

import gc
import os

# Objects allocated (net) before a first-generation collection; Python's default is 700.
GC_THRESHOLD = (50_000, 20, 100)

# Seconds the gunicorn timeout must exceed the PDF limit by: the request's work before and after the render
# (queries, the response) and one long step past the renderer's deadline (staff/pdf/render.py says why).
TIMEOUT_MARGIN_SECONDS = 10
# Each worker keeps a database connection (CONN_MAX_AGE): two app servers at this many workers each stay far
# below PostgreSQL's default max_connections (100), beside the db_workers and the scheduler.
MAX_DEFAULT_WORKERS = 12


def _env_int(name: str, default: int) -> int:
    """An integer from the environment; a value that is not one stops gunicorn with the variable's name."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f"{name}={value!r} is not a whole number") from None


def _cores() -> int:
    """The CPUs this process may run on (a container's or taskset's share, where the OS tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_workers(cores: int) -> int:
    """gunicorn's rule of thumb, 2 × cores + 1 (a sync worker waits on the database half the time), capped."""
    return min(2 * cores + 1, MAX_DEFAULT_WORKERS)


def check_timeout(timeout: int, pdf_render_seconds: int) -> None:
    """Refuse a gunicorn timeout that would kill a worker before a PDF render gives up by itself."""
    if timeout < pdf_render_seconds + TIMEOUT_MARGIN_SECONDS:
        raise RuntimeError(
            f"GUNICORN_TIMEOUT={timeout} s must be at least PDF_RENDER_TIMEOUT_SECONDS={pdf_render_seconds} s "
            f"+ {TIMEOUT_MARGIN_SECONDS} s: otherwise gunicorn kills the worker before the renderer gives up, "
            "and the user gets a dropped connection instead of an answer"
        )


def _bind() -> list[str]:
    """GUNICORN_BIND (one address, or several separated by commas); else PORT on every interface, as
    platforms that set PORT expect; else the loopback, for a proxy on the same host."""
    if os.environ.get("GUNICORN_BIND", "").strip():
        return [address.strip() for address in os.environ["GUNICORN_BIND"].split(",") if address.strip()]
    if os.environ.get("PORT", "").strip():
        return [f"0.0.0.0:{_env_int('PORT', 8000)}"]
    return ["127.0.0.1:8000"]


bind = _bind()
workers = _env_int("WEB_CONCURRENCY", default_workers(_cores()))

timeout = _env_int("GUNICORN_TIMEOUT", 60)
# The same variable and default as training_site/settings/base.py (the settings are not loaded in gunicorn's
# master); post_worker_init checks again against the settings the app actually loaded.
check_timeout(timeout, _env_int("PDF_RENDER_TIMEOUT_SECONDS", 45))
# On a restart (a deploy, a HUP) a request in progress may finish: as long as it may take at all.
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", timeout)
# Idle seconds a kept-alive connection from the proxy stays open (threaded or async workers; a sync worker
# answers one request per connection). Above HAProxy's "timeout http-keep-alive" (10 s in docs/deploy.md's
# defaults), so the proxy closes an idle connection before gunicorn does and never sends into a closing one.
keepalive = _env_int("GUNICORN_KEEPALIVE", 15)

# A worker may be replaced after this many requests (jittered, so the workers do not restart together), to
# bound what a long-lived process accumulates. Off by default: nothing here has been seen to grow, and a
# restart costs the worker's import (~1 s of CPU) and its warm caches in the middle of the load.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", max(max_requests // 10, 0))

# The request line, header count and header size are read before Django sees anything, so gunicorn bounds
# them. 8190 (gunicorn's maximum) for the line: an admin list with many filters puts them all in the query.
limit_request_line = _env_int("GUNICORN_LIMIT_REQUEST_LINE", 8190)
limit_request_fields = _env_int("GUNICORN_LIMIT_REQUEST_FIELDS", 100)
limit_request_field_size = _env_int("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", 8190)

# Which peers may say, in X-Forwarded-Proto/-For, that the request came over HTTPS or from whom: the load
# balancers' addresses, comma-separated ("*" only when nothing else can reach the port).
forwarded_allow_ips = (os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "").strip()
                       or os.environ.get("FORWARDED_ALLOW_IPS", "").strip() or "127.0.0.1,::1")

# The access log on stdout, for the supervisor's journal or the container's log: the proxy's client address,
# the time taken and the request id the app answered with (training_site/ops/logs.py), which is also on every
# application log line of the request.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
access_log_format = (
    '%(h)s "%({x-forwarded-for}i)s" %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s" '
    'request_id=%({x-request-id}o)s'
)

# Workers' heartbeat files on a memory file system where there is one: a slow disk (or a container's overlay)
# makes gunicorn think a busy worker is dead.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"


def post_worker_init(worker) -> None:
    """After the worker has imported the app: check the timeout against its settings, freeze what is
    loaded, collect less often."""
    if worker is not None:
        from django.conf import settings

        check_timeout(worker.cfg.timeout, int(settings.PDF_RENDER_TIMEOUT_SECONDS))
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
