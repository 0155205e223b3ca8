"""The shared cache, tolerant of Redis being away.

The cache holds what may be lost: API rate-limit counters and short-lived page data (records, sessions and
login lock-outs live in the database). So when Redis does not answer, a cache call answers as a miss and
the request goes on, instead of every page and API call failing until Redis is back: rate limits are then
not counted (logged as a warning), and the health endpoint reports the cache as failing (it stores and
reads back a value). Short socket timeouts keep a request from waiting on a Redis that is gone.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _tolerant(fallback):
    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as error:
                logger.warning("cache unavailable (%s): %s answered as a miss", type(error).__name__, method.__name__)
                return fallback(*args, **kwargs)

        return wrapper

    return decorator


def _missing_key(key, *args, **kwargs):
    # What incr says of a key that is not there (the rate limits then count from one).
    raise ValueError(f"Key '{key}' not found")


class TolerantRedisCache(RedisCache):
    """Django's Redis cache, answering a miss instead of raising while Redis is away."""

    def __init__(self, server, params):
        params = {**params, "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, **params.get("OPTIONS", {})}}
        super().__init__(server, params)

    get = _tolerant(lambda key, default=None, **kwargs: default)(RedisCache.get)
    get_many = _tolerant(lambda keys, **kwargs: {})(RedisCache.get_many)
    has_key = _tolerant(lambda key, **kwargs: False)(RedisCache.has_key)
    set = _tolerant(lambda *args, **kwargs: None)(RedisCache.set)
    set_many = _tolerant(lambda data, *args, **kwargs: list(data))(RedisCache.set_many)
    add = _tolerant(lambda *args, **kwargs: False)(RedisCache.add)
    touch = _tolerant(lambda *args, **kwargs: False)(RedisCache.touch)
    delete = _tolerant(lambda *args, **kwargs: False)(RedisCache.delete)
    delete_many = _tolerant(lambda *args, **kwargs: None)(RedisCache.delete_many)
    incr = _tolerant(_missing_key)(RedisCache.incr)
