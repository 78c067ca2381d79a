"""Spam and flood control for the anonymous feedback form, without storing who anyone is.

- A signed token records when the form was served: a submission faster than a person could
  write (MIN_SECONDS) or older than a day is refused.
- Each client is counted under an HMAC of its address with a secret that exists only in the
  cache and changes every day; the address itself is never stored or logged, and yesterday's
  counts cannot be linked to today's.
- A global ceiling per minute caps the whole form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

SALT = "komar.participation.voices"
MAX_AGE = 24 * 3600
SECRET_TTL = 25 * 3600  # a day's secret outlives its day only by an hour, then it is gone
PREFIX = "participation:voices"


def min_seconds() -> float:
    return float(getattr(settings, "KOMAR_VOICES_MIN_SECONDS", 3))


def per_client_per_hour() -> int:
    return int(getattr(settings, "KOMAR_VOICES_PER_CLIENT_HOUR", 8))


def global_per_minute() -> int:
    return int(getattr(settings, "KOMAR_VOICES_GLOBAL_PER_MINUTE", 30))


def make_token(served_at: float | None = None) -> str:
    return signing.dumps({"t": served_at if served_at is not None else time.time()}, salt=SALT)


def token_problem(token: str) -> str | None:
    """None if the token is good; otherwise "invalid", "expired" or "too_fast"."""
    try:
        served = signing.loads(token, salt=SALT, max_age=MAX_AGE)["t"]
    except signing.SignatureExpired:
        return "expired"
    except (signing.BadSignature, KeyError, TypeError):
        return "invalid"
    age = time.time() - float(served)
    if age > MAX_AGE:
        return "expired"
    if age < min_seconds():
        return "too_fast"
    return None


def _daily_secret() -> bytes:
    key = f"{PREFIX}:secret:{timezone.localdate().isoformat()}"
    cache.add(key, secrets.token_hex(32), timeout=SECRET_TTL)
    value = cache.get(key)
    if value is None:  # evicted between add and get: a fresh one serves as well
        value = secrets.token_hex(32)
        cache.set(key, value, timeout=SECRET_TTL)
    return str(value).encode()


def client_key(ip: str | None) -> str:
    return hmac.new(_daily_secret(), (ip or "unknown").encode(), hashlib.sha256).hexdigest()


def _hit(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def allow(ip: str | None, now: Any = None) -> bool:
    """Count one submission; False if this client or the whole form is over its limit."""
    now = now or time.time()
    minute, hour = int(now // 60), int(now // 3600)
    over_global = _hit(f"{PREFIX}:global:{minute}", 120) > global_per_minute()
    over_client = _hit(f"{PREFIX}:client:{client_key(ip)}:{hour}", 3600) > per_client_per_hour()
    return not (over_global or over_client)
