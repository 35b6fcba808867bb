"""The organization a staff member acts for: one rule, one refusal.

A staff member may belong to several organizations (a CSW of the 社協 who
also works at 生活福祉課). Every record they make, and every audit event, is
made for one of them: the *acting organization*.

- On pages it is the one chosen in the header (kept in the session).
- API clients name it in the ``X-Tsunagu-Organization`` header.
- Without a choice, it is their first organization in the directory's order.

Where an action needs a particular kind of membership (casework, the
coordinating section), only those organizations count: a page's choice
outside them falls back to the first that fits, and nothing fitting is
refused. An API header naming an organization that does not fit is refused,
never silently replaced: the client asked to act for it.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

#: The API header naming the organization a client acts for (its id).
HEADER = "X-Tsunagu-Organization"
_META_KEY = "HTTP_X_TSUNAGU_ORGANIZATION"
#: Where the page header's choice is kept.
SESSION_KEY = "acting_organization_id"


class NotActingFor(PermissionDenied):
    """The staff member may not act for the organization asked for (403)."""

    message = "指定された所属機関として操作する権限がありません。"


def named_organization_id(request: HttpRequest) -> int | None:
    """The organization the request asks to act for: the API header, else the
    session's choice; None when neither names one. A header that is not an id
    is refused."""
    header = request.META.get(_META_KEY)
    if header is not None:
        if not header.isascii() or not header.isdigit():
            raise NotActingFor(NotActingFor.message)
        return int(header)
    session = getattr(request, "session", None)
    chosen = session.get(SESSION_KEY) if session is not None else None
    return chosen if isinstance(chosen, int) else None


def acting_organization_id(
    request: HttpRequest,
    among: frozenset[int] | None = None,
    *,
    resource: str = "",
    audited: bool = True,
) -> int | None:
    """The organization ``request``'s staff member acts for, among ``among``
    (default: all their organizations).

    None for an anonymous request, or when ``among`` is empty and no
    ``resource`` is named; with a ``resource`` (the record kind about to be
    made), having no fitting organization is refused (403, audited unless
    ``audited`` is false: the middleware's early look, which the API repeats)."""
    user: Any = request.user
    if not user.is_authenticated:
        return None
    member_of = user.organization_ids()
    candidates = member_of if among is None else frozenset(among) & member_of
    try:
        named = named_organization_id(request)
    except NotActingFor:
        _refuse(request, resource, audited)
    if request.META.get(_META_KEY) is not None and named not in candidates:
        _refuse(request, resource, audited)
    if named in candidates:
        return named
    first = next((pk for pk in user.organizations_in_order() if pk in candidates), None)
    if first is None and resource:
        _refuse(request, resource, audited)
    return first


def acting_organization(request: HttpRequest, among: frozenset[int], *, resource: str) -> Any:
    """The acting organization itself (an ``Organization``), refused when none fits."""
    from tsunagu.directory.models import Organization

    chosen = acting_organization_id(request, among, resource=resource)
    assert chosen is not None  # refused above otherwise
    return Organization.objects.get(pk=chosen)


def _refuse(request: HttpRequest, resource: str, audited: bool = True) -> NoReturn:
    """Refuse (403), audited: as a refusal to make ``resource`` when one is being
    made, else as a refusal to act for the organization the request named."""
    from tsunagu import policy

    if not audited:
        pass  # the middleware's early look: the API's own look refuses and audits
    elif resource:
        policy.audit_denial(request.user, policy.Action.CREATE, resource)
    else:
        named = request.META.get(_META_KEY, "")
        policy.audit_denial(request.user, policy.Action.CHANGE, "organization", named[:40])
    raise NotActingFor(NotActingFor.message)


def acting_organization_name(request: HttpRequest) -> str:
    """The name of the organization the staff member acts for now (empty for
    an anonymous request), from the memberships every request reads."""
    pk = acting_organization_id(request, audited=False)
    user: Any = request.user
    if pk is None:
        return ""
    return next(
        (
            held.organization_name
            for held in user.memberships_in_order()
            if held.organization_id == pk
        ),
        "",
    )


def require_casework(actor: Any, organization: Any) -> None:
    """A service's check that a record is written as an organization the
    actor does casework for (the organization a form or the API named)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from tsunagu.policy import casework_organization_ids

    if organization.pk not in casework_organization_ids(actor):
        raise ValidationError(_("所属する機関の記録として登録してください。"))
