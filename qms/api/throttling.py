"""API rate limits counted in fixed windows.

DRF's own throttles keep every request's timestamp of the last window in the cache and rewrite the
whole list on each request: at 3,000 requests a minute that is a 3,000-entry list read and written per
call. A counter per window (``cache.add`` + ``cache.incr``, atomic in Redis) costs the same at any rate;
the price is that a burst across a window boundary may reach twice the rate, which is fine for a limit
meant to stop runaway clients.
"""

from rest_framework import throttling

from qms.http import client_ip


class FixedWindowMixin:
    def get_ident(self, request):
        # The same address as the login lockout and the security log (X-Forwarded-For only from
        # TRUSTED_PROXY_COUNT proxies).
        return client_ip(request) or ""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        key = f"{self.key}:{window}"
        self.cache.add(key, 0, self.duration)
        try:
            count = self.cache.incr(key)
        except ValueError:  # expired between add and incr
            self.cache.set(key, 1, self.duration)
            count = 1
        self.wait_seconds = (window + 1) * self.duration - now
        return count <= self.num_requests

    def wait(self):
        return self.wait_seconds


class AnonRateThrottle(FixedWindowMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(FixedWindowMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(FixedWindowMixin, throttling.ScopedRateThrottle):
    def allow_request(self, request, view):
        # The view names the scope, and so the rate (as DRF's own does before counting).
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
