"""The city-scale benchmark (issue 12): a synthetic city on PostgreSQL and each path measured beside its floor.

``data`` builds the city (``make bench-data``); ``run`` measures (``make bench``). See docs/benchmarks.md.
"""
