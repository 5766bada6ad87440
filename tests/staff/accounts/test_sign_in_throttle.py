"""Sign-in posts are throttled per address and minute in the shared cache, before any password is checked."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from staff.auth.throttle import sign_in_attempt_allowed


@pytest.fixture(autouse=True)
def throttle_on(settings):
    settings.LOGIN_THROTTLE_PER_MINUTE = 3
    cache.clear()
    yield
    cache.clear()


def test_the_fourth_attempt_in_a_minute_is_refused_and_the_next_minute_starts_again():
    minute = 1_800_000_000.0
    assert [sign_in_attempt_allowed("10.0.0.1", now=minute + s) for s in (1, 2, 3, 4)] == [True, True, True, False]
    assert sign_in_attempt_allowed("10.0.0.2", now=minute + 5), "another address has its own count"
    assert sign_in_attempt_allowed("10.0.0.1", now=minute + 61), "a new minute"


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["login", "wagtailadmin_login"])
def test_a_flood_of_sign_in_posts_gets_a_vietnamese_429_without_checking_passwords(client, url_name, official):
    url = reverse(url_name)
    answers = [client.post(url, {"username": "CB-A-1", "password": "wrong"}) for _ in range(4)]
    assert [answer.status_code for answer in answers[:3]] == [200, 200, 200]
    refused = answers[3]
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Quá nhiều lần đăng nhập" in refused.content.decode()
    assert client.get(url).status_code == 200, "reading the form is not throttled"


@pytest.mark.django_db
def test_the_throttle_counts_the_client_behind_the_load_balancer_not_the_balancer(client, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    url = reverse("login")
    for _ in range(3):
        client.post(url, {"username": "x", "password": "y"}, HTTP_X_FORWARDED_FOR="203.0.113.7")
    # What the client writes itself (left of the balancer's entry) changes nothing.
    forged = "198.51.100.1, 203.0.113.7"
    assert client.post(url, {"username": "x", "password": "y"}, HTTP_X_FORWARDED_FOR=forged).status_code == 429
    assert client.post(url, {"username": "x", "password": "y"}, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200


def test_the_client_address_is_the_balancers_entry_of_x_forwarded_for(settings, rf):
    from staff.auth.lockout import client_address

    request = rf.post("/", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    settings.AXES_IPWARE_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.2"
    settings.AXES_IPWARE_PROXY_COUNT = 1
    assert client_address(request) == "203.0.113.7"
    settings.AXES_IPWARE_PROXY_COUNT = 2
    assert client_address(request) == "198.51.100.1"


def test_with_the_cache_out_of_reach_sign_in_goes_on_under_the_lockout_alone(monkeypatch):
    from staff.auth import throttle

    class Down:
        def add(self, *args, **kwargs):
            raise ConnectionError("Redis at 10.0.0.20:6379 refused the connection")

    monkeypatch.setattr(throttle, "cache", Down())
    assert all(sign_in_attempt_allowed("10.0.0.1") for _ in range(10))


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(settings, rf):
    import ipaddress

    from staff.auth.lockout import client_address

    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_NETWORKS = [ipaddress.ip_network("10.0.0.0/24")]
    via_balancer = rf.post("/", HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="10.0.0.2")
    straight_in = rf.post("/", HTTP_X_FORWARDED_FOR="203.0.113.99", REMOTE_ADDR="198.51.100.5")
    assert client_address(via_balancer) == "203.0.113.7"
    assert client_address(straight_in) == "198.51.100.5", "a client reaching the app server directly"
