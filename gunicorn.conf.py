"""gunicorn's settings for every app server of the project (gunicorn reads ./gunicorn.conf.py when started
from the checkout: ``gunicorn training_site.wsgi``). Command-line options override what is here.

Garbage collection: a worker holds a few hundred thousand long-lived objects once Django, Wagtail and the
project are imported (modules, URL patterns, models, compiled templates). Python's cyclic collector walks all
of them at every full collection, and an admin list page allocates enough to trigger collections: measured
on the officials' list at city scale (tests/bench/city), 15–20 ms of a ~90 ms page went to the collector.
``gc.freeze()`` once the app is loaded moves what exists then out of the collector's sight (it is never
freed anyway), and a larger first-generation threshold collects less often; reference counting still frees
everything that is not in a cycle at once, so memory does not grow.
"""

import gc

# Objects allocated (net) before a first-generation collection; Python's default is 700.
GC_THRESHOLD = (50_000, 20, 100)


def post_worker_init(worker) -> None:
    """After the worker has imported the app: freeze what is loaded, collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
