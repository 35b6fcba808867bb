"""Every form sent back with errors opens with a summary of what to correct:
found in the URL configuration, each page form is sent empty, and the page
that comes back names each field in its own words and links to it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django import forms
from django.test import Client

from tsunagu.accounts.models import Staff
from tsunagu.core.forms import WarekiDateField
from tsunagu.core.forms_base import StyledForm
from tsunagu.tests.routes import walk
from tsunagu.tests.test_form_fuzzing import SKIPPED, concrete, form_fields, records, staff

__all__ = ["records", "staff"]  # fixtures, used by name

_ACTION = re.compile(r"<form\b[^>]*method=\"post\"[^>]*action=\"([^\"]+)\"", re.I)
GENERIC = (
    "この項目は必須です",
    "正しく入力してください",
    "正しく選択してください",
    "文字以下でなければ",
)


class _Page(HTMLParser):
    """The ids, the attributes of each element by id, the title and the summary's links."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, str]] = {}
        self.title = ""
        self.links: list[tuple[str, str]] = []
        self._in_title = False
        self._in_summary = 0
        self._link: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {k: v or "" for k, v in attrs}
        if "id" in named:
            self.by_id[named["id"]] = {"tag": tag, **named}
        if tag == "title":
            self._in_title = True
        if "data-error-summary" in named:
            self._in_summary = 1
        elif self._in_summary and tag == "div":
            self._in_summary += 1
        if self._in_summary and tag == "a":
            self._link, self._text = named["href"], ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag == "a" and self._link is not None:
            self.links.append((self._link, self._text))
            self._link = None
        if self._in_summary and tag == "div":
            self._in_summary -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._link is not None:
            self._text += data


def _parsed(html: str) -> _Page:
    parsed = _Page()
    parsed.feed(html)
    return parsed


@pytest.mark.django_db
def test_every_page_form_sent_empty_opens_with_a_summary_linking_to_its_fields(
    staff: Staff, records: dict[str, int]
) -> None:
    client = Client()
    client.force_login(staff)
    summarised: list[str] = []
    tried: set[str] = set()
    for route in walk():
        if route.is_api or route.pattern.startswith(SKIPPED) or not route.pattern:
            continue
        path = concrete(route.pattern, records)
        if path is None:
            continue
        shown = client.get(path)
        if shown.status_code != 200 or "html" not in shown.get("Content-Type", ""):
            continue
        if not form_fields(shown.content.decode()):
            continue
        for action in sorted(set(_ACTION.findall(shown.content.decode())) | {path}):
            # (Never the sign-out form in the header, nor the organization switch.)
            if (
                action.startswith("/")
                and not action.startswith(("/logout", "/account/"))
                and action not in tried
            ):
                tried.add(action)
                summarised += _summary_checked(client, action)
    # The forms of several apps were reached (person, intake, plans, meetings, …).
    assert len(summarised) >= 8, summarised


def _summary_checked(client: Client, path: str) -> list[str]:
    """Sends the form at ``path`` empty; checks the summary if it comes back."""
    response = client.post(path, {})
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []  # sent, refused or redirected: nothing to correct
    html = response.content.decode()
    if 'aria-invalid="true"' not in html or "<title>" not in html:
        return []  # (a part for htmx: its page has the summary)
    page = _parsed(html)
    assert page.title.startswith("エラー："), (path, page.title)
    assert re.search(r"入力内容を確認してください（\d+件）", html), path
    assert page.links, path
    for href, message in page.links:
        target = href.removeprefix("#")
        assert target in page.by_id, (path, href)
        assert not any(g in message for g in GENERIC), (path, message)
    # Each invalid input names its message.
    for element_id, attrs in page.by_id.items():
        if attrs.get("aria-invalid") == "true":
            # (A radio button or a checkbox of a group: the group's messages.)
            errors_id = re.sub(r"_\d+$", "", element_id) + "_errors"
            described = attrs.get("aria-describedby", "").split()
            assert errors_id in described, (path, element_id)
            assert errors_id in page.by_id, (path, element_id)
    return [path]


@pytest.mark.django_db
def test_the_intake_form_sent_empty_names_its_fields(staff: Staff, client: Client) -> None:
    client.force_login(staff)
    response = client.post("/consultations/new/", {})
    assert response.status_code == 200
    page = _parsed(response.content.decode())
    messages = dict(page.links)
    assert messages, "no summary"
    assert messages["#id_summary"] == "相談の概要を入力してください。"
    assert messages["#id_channel"] == "相談経路を選んでください。"


class _Sample(StyledForm):
    received_on = WarekiDateField(label="受付日")
    name = forms.CharField(label="氏名", max_length=5)
    kind = forms.ChoiceField(label="種別", choices=[("a", "A")])
    count = forms.IntegerField(label="人数", min_value=0, max_value=9)
    note = forms.CharField(label="メモ", widget=forms.Textarea, max_length=3, required=False)
    agreed = forms.BooleanField(label="同意")
    own = forms.CharField(label="独自", error_messages={"required": "独自の言葉です。"})


def test_each_kind_of_error_names_its_field() -> None:
    empty = _Sample({}).errors
    assert empty["received_on"] == ["受付日を入力してください。"]
    assert empty["kind"] == ["種別を選んでください。"]
    assert empty["agreed"] == ["同意にチェックを入れてください。"]
    assert empty["own"] == ["独自の言葉です。"]  # a form's own words are kept

    wrong = _Sample(
        {
            "received_on": "令和7年2月30日",
            "name": "山" * 8,
            "kind": "b",
            "count": "99",
            "note": "abcdef",
        }
    ).errors
    # The reader's own reason, after the field's name.
    assert wrong["received_on"] == ["受付日：令和7年2月30日は存在しません"]
    assert wrong["name"] == ["氏名は5文字以内で入力してください（いまは8文字です）。"]
    assert wrong["kind"] == ["種別は一覧にある選択肢から選んでください。"]
    assert wrong["count"] == ["人数は9以下で入力してください。"]
    assert wrong["note"] == ["メモは3文字以内で入力してください（いまは6文字です）。"]
    assert _Sample({"count": "-1"}).errors["count"] == ["人数は0以上で入力してください。"]
    assert _Sample({"count": "x"}).errors["count"] == ["人数は数字で入力してください。"]
