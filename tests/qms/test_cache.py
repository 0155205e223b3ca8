"""The shared cache while Redis is away: requests go on (rate limits uncounted), the health check says so."""

import socket

import pytest
from django.core.cache import caches
from django.test import override_settings


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_away():
    location = f"redis://127.0.0.1:{closed_port()}/0"
    # override_settings makes Django build the cache handlers again (its setting_changed receiver).
    with override_settings(CACHES={"default": {"BACKEND": "qms.cache.TolerantRedisCache", "LOCATION": location}}):
        yield caches["default"]


def test_a_cache_without_redis_answers_misses_instead_of_raising(redis_away):
    redis_away.set("key", "value")
    assert redis_away.get("key", "missing") == "missing"
    assert redis_away.add("key", "value") is False
    assert redis_away.get_many(["key"]) == {}


def test_the_api_answers_while_redis_is_away(redis_away, api, cast):
    response = api(cast.qo_a).get("/api/v1/actions/")
    assert response.status_code == 200


def test_the_health_check_names_the_cache_while_redis_is_away(redis_away, client, db):
    response = client.get("/healthz")
    assert response.status_code == 503 and "cache" in response.json()["failing"]
