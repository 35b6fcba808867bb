"""The API's pages of personal records: each object carries the basis the
viewer sees it under. (Bounds of every page: tsunagu.core.pagination.)"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from tsunagu import policy
from tsunagu.core.http import StaffRequest
from tsunagu.core.pagination import LimitOffsetPagination


class BasisPagination(LimitOffsetPagination):
    """Limit/offset pages whose objects each carry ``basis``: the basis the
    viewer sees them under (:func:`policy.bases`, one pass for the page).

    ``annotate`` decorates the page's objects further (one pass as well)."""

    def __init__(
        self,
        *,
        resource: str,
        annotate: Callable[[StaffRequest, list[Any]], None] | None = None,
        **kwargs: Any,
    ) -> None:
        self.resource = resource
        self.annotate = annotate
        super().__init__(**kwargs)

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(page["items"])
        with_basis = policy.bases(request.user, self.resource, items)
        # The visible queryset and the bases agree; should they ever not, a
        # record without a basis is left out rather than shown without one.
        items = [item for item in items if item.pk in with_basis]
        for item in items:
            item.basis = with_basis[item.pk]
        if self.annotate is not None:
            self.annotate(request, items)  # type: ignore[arg-type]
        page["items"] = items
        return page
