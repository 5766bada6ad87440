"""Report and dashboard reads on a read replica, when one is configured (DATABASE_REPLICA_URL).

Only the code that asks for it reads from the replica: ``with replica_reads():`` around a report's or a
dashboard's reads. Everything else reads the primary, so a page never misses the row its own request (or
the previous one) just wrote; a streaming replica is a fraction of a second behind, which a yearly report
or a dashboard does not notice. Writes always go to the primary, and so does every read inside a
transaction that has written (Django pins a model's reads in ``atomic`` blocks only by ``using``; we never
open the block on the replica, and ``db_for_write`` is always "default").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
_reading_replica: ContextVar[bool] = ContextVar("reading_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


# After the replica failed to answer, reads stay on the primary this long before it is tried again: a replica
# that drops packets would otherwise cost every report its connection timeout.
REPLICA_RETRY_SECONDS = 30.0
_replica_down_until = 0.0


def replica_available() -> bool:
    """The replica is configured and answers (its connection opened or kept); False for a while after not."""
    global _replica_down_until
    if not replica_configured() or time.monotonic() < _replica_down_until:
        return False
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError:
        _replica_down_until = time.monotonic() + REPLICA_RETRY_SECONDS
        logger.warning("The replica does not answer: reads stay on the primary for %s s", REPLICA_RETRY_SECONDS,
                       exc_info=True)
        return False
    return True


@contextmanager
def replica_reads() -> Iterator[str]:
    """Inside: model reads go to the replica if there is one and it answers (else the primary: a report is
    better slow than missing). Yields the alias the reads go to."""
    if not replica_available():
        yield "default"
        return
    token = _reading_replica.set(True)
    try:
        yield REPLICA
    finally:
        _reading_replica.reset(token)


def read_alias() -> str:
    """The alias a read goes to now (for raw SQL run beside the ORM's reads)."""
    return REPLICA if _reading_replica.get() and replica_configured() else "default"


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if not _reading_replica.get() or not replica_configured():
            return None
        # A read inside a transaction on the primary that has already written must see its own writes.
        if connections["default"].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model: type, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # The replica holds the same rows: an object read there may point at one read on the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == "default"
