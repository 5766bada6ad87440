"""Running the platform as a city service on several hosts (issue 13).

One module per concern: ``workers`` (leases and requeue of background tasks), ``scheduler`` (periodic jobs,
each run claimed once across hosts), ``backup`` (database and files, with a manifest), ``health``
(/healthz, /readyz), ``logs`` (JSON lines with a request id), ``routers`` (report reads on a replica),
``busy`` (lock and statement timeouts answered as "busy, try again"), ``uploads`` (big bodies refused
before a worker reads them).
"""
