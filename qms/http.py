"""Who is at the other end of a request: the one rule for the client's address.

The login lockout (axes, through ``AXES_CLIENT_IP_CALLABLE``), the API rate limits (qms/api/throttling.py)
and the security log all ask :func:`client_ip`, so that they agree.

``TRUSTED_PROXY_COUNT`` says how many reverse proxies stand in front. Each appends the address it saw
to ``X-Forwarded-For``, and the last one is the socket's peer: with N proxies the client is the N-th entry
from the right; whatever lies further left was written by the client and proves nothing. With none,
``X-Forwarded-For`` is the client's own invention and is ignored.

django-ipware is not used for this: its proxy count counts proxies listed inside ``X-Forwarded-For``,
answers nothing when the chain is shorter than expected, and otherwise prefers a public address, so a
forged left-most entry can win. This rule is the one DRF's ``NUM_PROXIES`` and nginx's
``real_ip_recursive`` follow.
"""

import ipaddress

from django.conf import settings


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address as the trusted proxies saw it, or the socket's with none (or on a bad header)."""
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR", "") or "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    entries = [entry for entry in forwarded.split(",") if entry.strip()]
    if not entries:
        return remote
    # A chain shorter than the proxies in front: the left-most entry is the farthest any proxy saw.
    return _address(entries[-min(proxies, len(entries))]) or remote
