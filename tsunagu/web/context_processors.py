"""The navigation a staff member sees: built from the policy, so a menu item
appears exactly when its page would let them in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from tsunagu import policy
from tsunagu.accounts.acting import acting_organization_id, acting_organization_name
from tsunagu.accounts.middleware import idle_limit_seconds

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class MenuItem:
    label: StrOrPromise
    url_name: str
    resource: str
    action: policy.Action
    #: Day-to-day casework: always in view when the menu is folded.
    daily: bool = False

    @property
    def url(self) -> str:
        return reverse(self.url_name)


MENU = [
    MenuItem(_("ホーム"), "home", "own_account", policy.Action.VIEW, daily=True),
    MenuItem(
        _("相談受付"), "consultations:intake", "consultation", policy.Action.CREATE, daily=True
    ),
    MenuItem(_("検索"), "people:search", "person", policy.Action.LIST, daily=True),
    # In view when it counts open threads for the acting window (a counted entry is never folded).
    MenuItem(_("オンライン相談"), "frontdoor:list", "thread", policy.Action.LIST),
    MenuItem(_("つなぐシート"), "referrals:inbox", "referral", policy.Action.LIST, daily=True),
    MenuItem(_("多機関協働"), "cases:list", "case", policy.Action.LIST, daily=True),
    MenuItem(_("会議"), "meetings:list", "meeting", policy.Action.LIST, daily=True),
    MenuItem(_("タスク"), "meetings:tasks", "action_item", policy.Action.LIST, daily=True),
    MenuItem(
        _("アウトリーチ"), "outreach:worklist", "outreach_contact", policy.Action.LIST, daily=True
    ),
    MenuItem(
        _("参加支援"), "participation:worklist", "participation", policy.Action.LIST, daily=True
    ),
    MenuItem(_("活動記録"), "activities:list", "activity_record", policy.Action.LIST),
    MenuItem(_("出張相談会"), "appointments:event_list", "consultation_event", policy.Action.LIST),
    MenuItem(_("予約"), "appointments:week", "appointment", policy.Action.LIST),
    MenuItem(_("社会資源"), "resources:list", "resource", policy.Action.LIST),
    MenuItem(_("地域づくり"), "community:index", "community_place", policy.Action.LIST),
    MenuItem(_("報告・評価"), "reports:index", "aggregate", policy.Action.VIEW),
    MenuItem(_("支援関係機関"), "directory:organization_list", "organization", policy.Action.LIST),
    MenuItem(_("重層の事業"), "directory:business_list", "business", policy.Action.LIST),
    MenuItem(_("日常生活圏域"), "directory:district_list", "district", policy.Action.LIST),
    MenuItem(_("世帯の特徴"), "directory:case_feature_list", "case_feature", policy.Action.CREATE),
    MenuItem(_("職員"), "accounts:staff_list", "staff", policy.Action.LIST),
    MenuItem(_("セキュリティ設定"), "accounts:security", "security_settings", policy.Action.CHANGE),
    MenuItem(_("監査証跡"), "audit:event_list", "audit_event", policy.Action.LIST),
    MenuItem(_("緊急時の閲覧"), "people:emergency_list", "emergency_access", policy.Action.LIST),
    MenuItem(_("記録の統合"), "people:merge_list", "person_merge", policy.Action.LIST),
    MenuItem(_("異体字"), "people:name_variants", "name_variant", policy.Action.CREATE),
    MenuItem(_("アカウント"), "accounts:profile", "own_account", policy.Action.CHANGE),
]


#: A menu of this many entries or fewer shows them all; a longer one (casework
#: staff: 17 to 19) shows the daily ones and folds the rest behind
#: 「その他のメニュー」, so that a keyboard user does not pass 17 links on every page.
MENU_UNFOLDED_LIMIT = 12


@dataclass
class Menu:
    """The menu's entries in order, each marked ``folded`` when it sits behind
    「その他のメニュー」."""

    entries: list[dict[str, Any]]

    @property
    def shown(self) -> list[dict[str, Any]]:
        return [entry for entry in self.entries if not entry["folded"]]

    @property
    def more(self) -> list[dict[str, Any]]:
        return [entry for entry in self.entries if entry["folded"]]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.entries)

    def __bool__(self) -> bool:
        return bool(self.entries)


def _menu(request: HttpRequest) -> Menu:
    """The menu entries the staff member may open, each with the number of
    things waiting there (the work queue's counts: one statement a page, none
    for staff without casework). Neither an entry with a count nor the entry of
    the page itself is folded away (the page's stays in view at its place)."""
    from tsunagu.workqueue.selectors import request_counts

    current = request.resolver_match.view_name if request.resolver_match else ""
    items = [item for item in MENU if policy.decide(request.user, item.action, item.resource)]
    waiting = request_counts(request).for_menu()
    fold = len(items) > MENU_UNFOLDED_LIMIT
    return Menu(
        [
            {
                "label": item.label,
                "key": item.url_name.replace(":", "-").replace("_", "-"),
                "url": item.url,
                "current": item.url_name == current,
                "count": waiting.get(item.url_name, 0),
                "folded": fold
                and not (item.daily or waiting.get(item.url_name) or item.url_name == current),
            }
            for item in items
        ]
    )


@dataclass(frozen=True)
class HeaderOrganization:
    """An organization the header offers to act for: its id and name, read with
    the memberships every request loads (no statement of its own)."""

    pk: int
    name: str


def _organizations(request: HttpRequest) -> list[HeaderOrganization]:
    memberships = request.user.memberships_in_order()  # type: ignore[union-attr]
    named = {held.organization_id: held.organization_name for held in memberships}
    return [HeaderOrganization(pk, name) for pk, name in named.items()]


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_authenticated:
        return {"demo_notice": settings.DEMO_NOTICE}
    return {
        "demo_notice": request.user.municipality.is_demo,  # type: ignore[union-attr]
        "menu": SimpleLazyObject(lambda: _menu(request)),
        "my_organizations": SimpleLazyObject(lambda: _organizations(request)),
        "acting_organization_id": SimpleLazyObject(lambda: acting_organization_id(request)),
        # The page script warns 5 minutes before the idle sign-out.
        "idle_seconds": idle_limit_seconds(request.user),  # type: ignore[arg-type]
        # Shown beside a form's save button: 「○○として保存します」.
        "acting_organization_name": SimpleLazyObject(lambda: acting_organization_name(request)),
    }
