"""The API's limit/offset pages, with bounds that the database can take.

django-ninja's own leaves the offset (and, unless configured, the limit)
unbounded: ``?offset=10**27`` reached the database as a number it cannot
hold and answered a server error. Here both are checked like any other
input (422 with a Japanese message), and a page holds at most MAX_LIMIT
objects, however many a client asks for.
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination

MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000


class LimitOffsetPagination(NinjaLimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, max_limit: int = MAX_LIMIT, **kwargs: Any) -> None:
        super().__init__(max_limit=max_limit, **kwargs)
