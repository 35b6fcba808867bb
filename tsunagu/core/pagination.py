"""The API's pages, with bounds that the database can take: the one home of
paging for every list (limit/offset and page-numbered alike).

django-ninja's own leaves the offset (and, unless configured, the limit)
unbounded: ``?offset=10**27`` reached the database as a number it cannot
hold and answered a server error. Here both are checked like any other
input (422 with a Japanese message), and a page holds at most MAX_LIMIT
objects, however many a client asks for.

The staff screens' long lists are paged by number too (:func:`screen_page`,
50 rows a page, with the template ``pager.html`` for their links).

Page-numbered lists (the HSDS export: ``page`` from 1, at most MAX_LIMIT
objects a page) take :data:`PageNumber`: ``page=9223372036854775807``
multiplied into an offset the database could not hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination

MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000
#: The highest page number: with at most MAX_LIMIT objects a page, the offset stays within MAX_OFFSET.
MAX_PAGE = MAX_OFFSET // MAX_LIMIT

#: A page number (1 to MAX_PAGE), refused with 422 outside.
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]


class LimitOffsetPagination(NinjaLimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, max_limit: int = MAX_LIMIT, **kwargs: Any) -> None:
        super().__init__(max_limit=max_limit, **kwargs)


#: Rows per page of the staff screens' paged lists.
PAGE_SIZE = 50


@dataclass(frozen=True)
class ScreenPage:
    """One page of a staff screen's list, with what its page links need: the
    numbers to offer (elided around the current one) and the list's other
    parameters (its filters), kept on every link."""

    page: Page[Any]
    numbers: list[int | str]
    query: str

    @property
    def rows(self) -> list[Any]:
        return list(self.page.object_list)


def screen_page(request: HttpRequest, rows: Any, per_page: int = PAGE_SIZE) -> ScreenPage:
    """The page of ``rows`` that ``?page=`` asks for (the first for a number
    that is not one, the last past the end): one statement to count the rows
    and one for the page's."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    numbers = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    kept = request.GET.copy()
    kept.pop("page", None)
    return ScreenPage(page=page, numbers=numbers, query=kept.urlencode())
