"""The main menu of a casework staff member is folded: the day-to-day casework
in view, the less-used destinations behind 「その他のメニュー」 (issue 19: a
keyboard user passed 17 menu links on every page before reaching the form)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.frontdoor import services
from tsunagu.frontdoor.models import Thread
from tsunagu.tests.factories import Ward
from tsunagu.web.context_processors import MENU_UNFOLDED_LIMIT
from tsunagu.workqueue import selectors

DAILY = [
    "ホーム",
    "相談受付",
    "検索",
    "つなぐシート",
    "多機関協働",
    "会議",
    "タスク",
    "アウトリーチ",
    "参加支援",
]
COUNSELOR_MORE = [
    "オンライン相談",
    "活動記録",
    "出張相談会",
    "予約",
    "社会資源",
    "地域づくり",
    "報告・評価",
    "支援関係機関",
    "重層の事業",
    "日常生活圏域",
    "アカウント",
]


def labels(entries: list[dict[str, object]]) -> list[str]:
    return [str(entry["label"]) for entry in entries]


def nav(html: str) -> str:
    return html[html.index('<nav class="site-nav"') : html.index("</nav>")]


@pytest.mark.django_db
def test_a_counselor_sees_the_daily_casework_and_the_rest_behind_one_button(
    client: Client, ward: Ward
) -> None:
    client.force_login(ward.member(Role.COUNSELOR))
    response = client.get("/")
    menu = response.context["menu"]
    assert labels(menu.shown) == DAILY
    assert labels(menu.more) == COUNSELOR_MORE
    # The home page's tiles still offer every destination, in the menu's order.
    assert (
        [str(entry["label"]) for entry in menu]
        == [
            *DAILY[:3],
            "オンライン相談",  # folded while no thread waits for the window
            *DAILY[3:],
            *COUNSELOR_MORE[1:],
        ]
    )
    html = nav(response.content.decode())
    folded = html[html.index('<details class="nav-more">') :]
    assert "<summary>その他のメニュー</summary>" in folded
    assert f'href="{reverse("reports:index")}"' in folded
    assert f'href="{reverse("referrals:inbox")}"' not in folded


@pytest.mark.django_db
def test_the_page_of_a_folded_entry_keeps_it_in_view_and_marked(client: Client, ward: Ward) -> None:
    client.force_login(ward.member(Role.COUNSELOR))
    response = client.get(reverse("reports:index"))
    menu = response.context["menu"]
    assert "報告・評価" in labels(menu.shown)
    assert "報告・評価" not in labels(menu.more)
    html = nav(response.content.decode())
    shown = html[: html.index('<details class="nav-more">')]
    assert re.search(rf'href="{reverse("reports:index")}" aria-current="page">報告・評価<', shown)


@pytest.mark.django_db
def test_an_entry_with_work_waiting_is_never_folded(
    client: Client, ward: Ward, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors.Counts, "for_menu", lambda self: {"resources:list": 3})
    client.force_login(ward.member(Role.COUNSELOR))
    menu = client.get("/").context["menu"]
    resources = next(entry for entry in menu.shown if entry["label"] == "社会資源")
    assert resources["count"] == 3
    assert "社会資源" not in labels(menu.more)


@pytest.mark.django_db
def test_a_window_with_a_thread_waiting_sees_the_online_inbox_in_the_menu(
    client: Client, ward: Ward
) -> None:
    with tenancy.tenant_context(ward.municipality):
        thread = services.open_thread(channel="web", language="vi")
        Thread.objects.filter(pk=thread.pk).update(organization=ward.center)
        services.receive(thread, "Tôi cần giúp đỡ.")
    client.force_login(ward.member(Role.COUNSELOR))
    menu = client.get("/").context["menu"]
    inbox = next(entry for entry in menu.shown if entry["label"] == "オンライン相談")
    assert inbox["count"] == 1
    assert "オンライン相談" not in labels(menu.more)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.MANAGER, Role.SYSADMIN, Role.AUDITOR, Role.GUEST])
def test_a_short_menu_is_shown_whole(client: Client, ward: Ward, role: Role) -> None:
    client.force_login(ward.member(role))
    response = client.get("/")
    menu = response.context["menu"]
    assert 0 < len(menu.shown) <= MENU_UNFOLDED_LIMIT
    assert menu.more == []
    assert "その他のメニュー" not in response.content.decode()
