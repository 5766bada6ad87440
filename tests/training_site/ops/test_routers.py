"""Report and dashboard reads go to the replica when one is configured, and nothing else does.

CI has no replica (the cluster rehearsal has one: tests/cluster); here the router's decisions are checked
with the replica declared configured, and the report view is shown asking for the replica's alias.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from staff.models import Official
from training_site.ops import routers
from training_site.ops.routers import ReplicaRouter, read_alias, replica_reads

router = ReplicaRouter()


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(routers, "replica_configured", lambda: True)
    monkeypatch.setattr(routers, "replica_available", lambda: True)


def test_without_a_replica_every_read_stays_on_the_primary():
    with replica_reads() as alias:
        assert alias == "default"
        assert router.db_for_read(Official) is None
        assert read_alias() == "default"


def test_with_a_replica_only_reads_inside_replica_reads_go_there(with_replica):
    assert router.db_for_read(Official) is None
    with replica_reads() as alias:
        assert alias == "replica"
        assert router.db_for_read(Official) == "replica"
        assert read_alias() == "replica"
    assert router.db_for_read(Official) is None


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_on_the_primary_see_its_writes(with_replica):
    with replica_reads(), transaction.atomic():
        assert router.db_for_read(Official) is None


def test_writes_and_migrations_always_go_to_the_primary(with_replica):
    with replica_reads():
        assert router.db_for_write(Official) == "default"
    assert router.allow_migrate("default", "staff") is True
    assert router.allow_migrate("replica", "staff") is False


def test_the_reform_report_asks_for_the_replica(client, city_hr, with_replica, monkeypatch):
    from staff.admin import reporting

    asked: list[str] = []
    real = reporting.build_reform_report

    def spy(**kwargs):
        asked.append(kwargs["using"])
        return real(**{**kwargs, "using": "default"})  # the test database has no second copy

    monkeypatch.setattr(reporting, "build_reform_report", spy)
    client.force_login(city_hr)
    for fmt in ("html", "xlsx"):
        response = client.get(reverse("staff_reform_report"), {"year": 2026, "mode": "as_it_was", "format": fmt})
        assert response.status_code == 200
    assert asked == ["replica", "replica"]


def test_a_replica_that_does_not_answer_sends_the_reads_back_to_the_primary_for_a_while(monkeypatch):
    from django.db import OperationalError

    attempts: list[bool] = []

    class Unreachable:
        def ensure_connection(self):
            attempts.append(True)
            raise OperationalError("connection to server at 10.0.0.31 timed out")

    monkeypatch.setattr(routers, "replica_configured", lambda: True)
    monkeypatch.setattr(routers, "connections", {routers.REPLICA: Unreachable()})
    monkeypatch.setattr(routers, "_replica_down_until", 0.0)
    for _ in range(3):
        with replica_reads() as alias:
            assert alias == "default"
            assert router.db_for_read(Official) is None
    assert attempts == [True], "tried once, then left alone for REPLICA_RETRY_SECONDS"


def test_the_replication_dashboard_reads_inside_replica_reads(client, organizer, monkeypatch):
    from staff.admin import replication

    inside: list[bool] = []
    real = replication.replication_dashboard

    def spy():
        inside.append(routers._reading_replica.get())
        routers._reading_replica.set(False)  # the test database has no second copy: read it here
        return real()

    monkeypatch.setattr(replication, "replication_dashboard", spy)
    monkeypatch.setattr(routers, "replica_available", lambda: True)
    client.force_login(organizer)
    assert client.get(reverse("staff_replication")).status_code == 200
    assert inside == [True]
