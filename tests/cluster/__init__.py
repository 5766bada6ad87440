"""``make cluster``: a rehearsal of the city deployment on one machine (issue 13, item 8).

HAProxy in front of two gunicorn app servers, two ``db_worker`` processes, the scheduler on both hosts,
Redis, and a PostgreSQL primary with a streaming replica in a second cluster. Run as
``python -m tests.cluster``; run.py says what each step does and what makes the run fail.
"""
