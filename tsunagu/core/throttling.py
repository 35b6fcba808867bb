"""The API's request rate limit: so many requests per staff member in a period.

One bucket per staff member, whether they come with a session or with any of
their API tokens, so that issuing more tokens does not raise the limit. The
rate is ``settings.TSUNAGU_API_RATE`` (``600/min`` unless the environment
variable of that name says otherwise), read at each request so that a test can
lower it. Counts live in Django's cache, which is per process unless a shared
cache is configured: with several worker processes each counts on its own.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle


class StaffRateThrottle(SimpleRateThrottle):
    scope = "staff"

    def __init__(self) -> None:
        super().__init__(rate=settings.TSUNAGU_API_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.TSUNAGU_API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # authentication refused it already
        return self.cache_format % {"scope": self.scope, "ident": user.pk}
