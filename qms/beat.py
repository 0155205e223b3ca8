"""One beat only: Celery beat's scheduler, sending nothing unless it holds a lock in Redis.

Two beats would send every scheduled task twice. The scheduler (``CELERY_BEAT_SCHEDULER``) takes a
Redis key with ``SET NX EX`` before each tick and renews it while it runs; a second beat started by
mistake finds the key held, logs "another beat holds the lock" and waits, and takes over only when the
first one is gone (its lock expires ``QMS_BEAT_LOCK_SECONDS`` after its last renewal). Without Redis
(the filesystem broker of ``make run``, where rundev starts the one beat) there is nothing to lock.
"""

import contextlib
import logging
import os
import socket
import uuid

import redis
from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)

LOCK_KEY = "qms:beat-lock"

# Renew only if the lock is still ours (compare and expire in one step).
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('expire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class LockedScheduler(PersistentScheduler):
    """A ``PersistentScheduler`` that ticks only while it holds the beat lock."""

    def __init__(self, *args, **kwargs):
        self.lock_seconds = max(int(getattr(settings, "QMS_BEAT_LOCK_SECONDS", 60)), 2)
        self.lock_owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        self.holding = None  # unknown until the first tick
        broker_url = self._broker_url(kwargs.get("app") or args[0])
        self.redis = None
        if broker_url:
            self.redis = redis.Redis.from_url(broker_url, socket_connect_timeout=2, socket_timeout=5)
        super().__init__(*args, **kwargs)

    @staticmethod
    def _broker_url(app) -> str | None:
        url = app.conf.broker_url or ""
        return url if url.startswith(("redis://", "rediss://", "unix://")) else None

    def _hold_lock(self) -> bool:
        """Take the lock, or renew it if it is ours; False if another beat holds it or Redis is away."""
        try:
            if self.redis.set(LOCK_KEY, self.lock_owner, nx=True, ex=self.lock_seconds):
                return True
            return bool(self.redis.eval(_RENEW, 1, LOCK_KEY, self.lock_owner, self.lock_seconds))
        except redis.RedisError as exc:
            logger.warning("beat lock: Redis unavailable (%s); sending nothing until it is back", type(exc).__name__)
            return False

    def tick(self, *args, **kwargs):
        if self.redis is None:
            return super().tick(*args, **kwargs)
        holding = self._hold_lock()
        if holding != self.holding:
            if holding:
                logger.info("beat lock taken (%s): this beat sends the scheduled tasks", self.lock_owner)
            else:
                logger.warning("another beat holds the lock (or Redis is away): this beat sends nothing and waits")
            self.holding = holding
        # Wake up well within the lock's lifetime, to renew it (or to try again).
        renew_in = self.lock_seconds / 3
        if not holding:
            return renew_in
        return min(super().tick(*args, **kwargs), renew_in)

    def close(self):
        super().close()
        if self.redis is not None and self.holding:
            with contextlib.suppress(redis.RedisError):  # it expires by itself
                self.redis.eval(_RELEASE, 1, LOCK_KEY, self.lock_owner)
