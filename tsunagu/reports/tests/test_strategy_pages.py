"""The strategy check sheet's pages and API as staff use them: who reads and
who edits, the page's cells, the grids, the narratives' version lock, the
Excel download and its audit event, and a query count that does not grow
with the sheet's rows."""

from __future__ import annotations

import datetime
import json
import re
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditEvent
from tsunagu.core import tenancy
from tsunagu.core.wareki import fiscal_year_label, fiscal_year_of
from tsunagu.reports import services_strategy, strategy
from tsunagu.reports.forms_strategy import digest
from tsunagu.reports.models import (
    Indicator,
    IndicatorValue,
    Metric,
    NarrativeSection,
    ProgrammeBudget,
    SheetNarrative,
    Unit,
)
from tsunagu.reports.tests.test_strategy import Built, activities, build_sheet
from tsunagu.tests.factories import Ward

pytestmark = pytest.mark.django_db

RESULTS, SOCIETY = NarrativeSection.RESULTS, NarrativeSection.SOCIETY


def as_staff(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def current_year() -> int:
    return fiscal_year_of(timezone.localdate())


@pytest.fixture
def built(ward: Ward) -> Built:
    """A sheet whose plan period runs from three years ago to next year."""
    now = current_year()
    return build_sheet(ward, first_year=now - 3, last_year=now + 2)


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Reading -------------------------------------------------------------------------


def test_the_page_shows_the_checked_year_s_sheet(ward: Ward, built: Built) -> None:
    now = current_year()
    activities(ward, [datetime.date(now - 1, 4, 1)] * 6 + [datetime.date(now, 4, 1)] * 2)
    with tenancy.tenant_context(ward.municipality):
        services_strategy.strategy_narratives_save(
            actor=ward.member(Role.COORDINATOR),
            sheet=built.sheet,
            fiscal_year=now,
            changes={RESULTS: ("居場所の立ち上げを三か所で支援した。", 0)},
        )
    # A counselor reads it (every staff member but a guest).
    response = as_staff(ward.member(Role.COUNSELOR)).get(reverse("reports:strategy"))
    assert response.status_code == 200
    page = text_of(response)
    assert f"{fiscal_year_label(now)}進行管理" in page
    assert "包括的な支援体制の強化" in page and "分野を越えて支え合う体制ができている。" in page
    assert "小地域福祉活動の推進" in page and "福祉政策課" in page
    for fy in built.sheet.fiscal_years():
        assert f'<abbr title="{fiscal_year_label(fy)}">{strategy.year_heading(fy)}</abbr>' in page
    # Counted: last year 6, this year 2 so far, marked as counted from the records.
    row = page[page.index("個人支援の新規件数") :]
    row = row[: row.index("</tr>")]
    assert re.search(r">6<br><small class=\"muted\">記録から集計</small>", row)
    assert re.search(r">2<br><small class=\"muted\">記録から集計（\d+月\d+日まで）</small>", row)
    # A year ahead shows its target, marked.
    assert "目標</small> 1,001" in row
    # The 事業費 shown is last year's (none typed: ―).
    assert f"事業費（{fiscal_year_label(now - 1)}）" in page
    assert "居場所の立ち上げを三か所で支援した。" in page
    # No edit links for a counselor.
    assert reverse("reports:strategy_manage", args=[built.sheet.pk]) not in page
    assert AuditEvent.objects.filter(
        action="view", object_type="reports.strategysheet", object_id=str(built.sheet.pk)
    ).exists()


def test_budgets_read_actual_above_and_initial_below(ward: Ward, built: Built) -> None:
    now = current_year()
    with tenancy.tenant_context(ward.municipality):
        ProgrammeBudget.objects.create(
            programme=built.other, fiscal_year=now - 1, actual=20097, initial=17387
        )
    page = text_of(as_staff(ward.member(Role.MANAGER)).get(reverse("reports:strategy")))
    assert "20,097千円" in page and "(17,387千円)" in page


def test_a_guest_may_not_read_the_sheet(ward: Ward, built: Built) -> None:
    guest = as_staff(ward.member(Role.GUEST))
    assert guest.get(reverse("reports:strategy")).status_code == 403
    assert guest.get(reverse("reports:strategy_excel")).status_code == 403
    assert guest.get(f"/api/v1/strategy-sheets/{built.sheet.pk}").status_code == 403


def test_another_year_and_an_unknown_one(ward: Ward, built: Built) -> None:
    now = current_year()
    client = as_staff(ward.member(Role.MANAGER))
    earlier = text_of(client.get(reverse("reports:strategy"), {"year": now - 2}))
    assert f"{fiscal_year_label(now - 2)}進行管理" in earlier
    unknown = text_of(client.get(reverse("reports:strategy"), {"year": 1999, "sheet": "x"}))
    assert f"{fiscal_year_label(now)}進行管理" in unknown


def test_no_sheet_yet(ward: Ward) -> None:
    page = text_of(as_staff(ward.member(Role.COORDINATOR)).get(reverse("reports:strategy")))
    assert "戦略点検シートはまだありません" in page
    assert reverse("reports:strategy_sheet_create") in page
    counselor = text_of(as_staff(ward.member(Role.COUNSELOR)).get(reverse("reports:strategy")))
    assert reverse("reports:strategy_sheet_create") not in counselor


def test_the_page_s_queries_do_not_grow_with_typed_rows(
    ward: Ward, built: Built, django_assert_max_num_queries: Any
) -> None:
    client = as_staff(ward.member(Role.MANAGER))
    client.get(reverse("reports:strategy"))  # session and first-visit work
    # Session, menu and audit event, the sheet's five reads and one per counted year.
    with django_assert_max_num_queries(28) as few:
        assert client.get(reverse("reports:strategy")).status_code == 200
    actor = ward.member(Role.COORDINATOR)
    with tenancy.tenant_context(ward.municipality):
        for n in range(4):
            programme = services_strategy.strategy_programme_create(
                actor=actor, sheet=built.sheet, name=f"事業{n}", department="福祉政策課"
            )
            for m in range(3):
                indicator = services_strategy.strategy_indicator_create(
                    actor=actor, programme=programme, name=f"指標{n}-{m}", unit=Unit.TIMES
                )
                services_strategy.strategy_values_set(
                    actor=actor,
                    sheet=built.sheet,
                    entries=[
                        services_strategy.ValueEntry(indicator, fy, m, m + 1)
                        for fy in built.sheet.fiscal_years()
                    ],
                )
    with django_assert_max_num_queries(len(few)):
        page = client.get(reverse("reports:strategy"))
    assert "指標3-2" in page.content.decode()


# --- Excel ---------------------------------------------------------------------------


def test_the_excel_download_is_audited_as_an_export(ward: Ward, built: Built) -> None:
    now = current_year()
    activities(ward, [datetime.date(now - 1, 4, 1)] * 3)
    response = as_staff(ward.member(Role.COUNSELOR)).get(
        reverse("reports:strategy_excel"), {"sheet": built.sheet.pk, "year": now}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(BytesIO(response.content)).active
    assert ws["A1"].value == f"{fiscal_year_label(now)}進行管理　戦略点検シート"
    rows = {row[0].value: row for row in ws.iter_rows() if row[0].value}
    # Last year's column: the fourth year of the plan (C is the first).
    assert rows["個人支援の新規件数"][2 + 2].value == 3
    event = AuditEvent.objects.get(action="export", object_type="reports.strategysheet")
    assert event.object_id == str(built.sheet.pk) and event.detail["fiscal_year"] == now


# --- Editing -------------------------------------------------------------------------


def _narrative_post(narratives: list[strategy.Narrative], **texts: str) -> dict[str, str | int]:
    data: dict[str, str | int] = {}
    for narrative in narratives:
        data[narrative.section] = texts.get(narrative.section, narrative.text)
        data[f"{narrative.section}-version"] = narrative.version
        data[f"{narrative.section}-digest"] = digest(narrative.text)
    return data


def _narratives(ward: Ward, built: Built, year: int) -> list[strategy.Narrative]:
    with tenancy.tenant_context(ward.municipality):
        return strategy.narratives_of(built.sheet, year)


def test_a_manager_writes_narratives_and_a_counselor_may_not(ward: Ward, built: Built) -> None:
    now = current_year()
    url = reverse("reports:strategy_narratives", args=[built.sheet.pk]) + f"?year={now}"
    counselor = as_staff(ward.member(Role.COUNSELOR))
    assert counselor.get(url).status_code == 403
    shown = _narratives(ward, built, now)
    assert counselor.post(url, _narrative_post(shown, results="x")).status_code == 403
    manager = as_staff(ward.member(Role.MANAGER))
    assert "1 どのような事業で何をしたか（実績）" in manager.get(url).content.decode()
    response = manager.post(
        url, _narrative_post(shown, results="研修を二回開いた。\r\n連絡会も続けた。")
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        saved = SheetNarrative.objects.get(fiscal_year=now, section=RESULTS)
        assert (saved.text, saved.version) == ("研修を二回開いた。\n連絡会も続けた。", 1)
        # Untouched sections are not written.
        assert SheetNarrative.objects.filter(fiscal_year=now).count() == 1
        assert AuditEvent.objects.filter(
            action="create", object_type="reports.sheetnarrative", object_id=str(saved.pk)
        ).exists()


def test_a_stale_narrative_is_refused_and_the_input_kept(ward: Ward, built: Built) -> None:
    now = current_year()
    url = reverse("reports:strategy_narratives", args=[built.sheet.pk]) + f"?year={now}"
    shown = _narratives(ward, built, now)  # the manager's page, before anyone saved
    with tenancy.tenant_context(ward.municipality):
        services_strategy.strategy_narratives_save(
            actor=ward.member(Role.COORDINATOR),
            sheet=built.sheet,
            fiscal_year=now,
            changes={
                RESULTS: ("事務局が書いた実績。", 0),
                SOCIETY: ("事務局が書いた社会の動き。", 0),
            },
        )
    manager = as_staff(ward.member(Role.MANAGER))
    # The manager changed 実績 only: their page's 社会の動き is left as it was.
    response = manager.post(url, _narrative_post(shown, results="管理職が書いた実績。"))
    assert response.status_code == 409
    page = response.content.decode()
    assert "他の職員が保存しました" in page
    assert "管理職が書いた実績。" in page  # kept in the text box
    assert "事務局が書いた実績。" in page  # what the other saved, shown beside it
    with tenancy.tenant_context(ward.municipality):
        assert SheetNarrative.objects.get(section=RESULTS).text == "事務局が書いた実績。"
    # Saving again from that page means "mine, having seen theirs".
    again = {
        name: value
        for name, value in re.findall(r'name="([a-z]+(?:-version|-digest)?)" value="([^"]*)"', page)
    }
    again[RESULTS] = "管理職が書いた実績。"
    again[SOCIETY] = ""
    again["society-digest"] = digest("")  # as their page first showed it
    again["society-version"] = "0"
    assert again["results-version"] == "1"
    assert manager.post(url, again).status_code == 302
    with tenancy.tenant_context(ward.municipality):
        assert SheetNarrative.objects.get(section=RESULTS).text == "管理職が書いた実績。"
        # The 社会の動き the manager never touched keeps the coordinator's text.
        assert SheetNarrative.objects.get(section=SOCIETY).text == "事務局が書いた社会の動き。"


def test_the_values_grid_types_actuals_and_targets(ward: Ward, built: Built) -> None:
    now = current_year()
    url = reverse("reports:strategy_values", args=[built.sheet.pk])
    coordinator = as_staff(ward.member(Role.COORDINATOR))
    page = coordinator.get(url).content.decode()
    # A counted indicator has targets to type, no actuals.
    assert f'name="actual-{built.entered.pk}-{now}"' in page
    assert f'name="actual-{built.computed.pk}-{now}"' not in page
    assert f'name="target-{built.computed.pk}-{now}"' in page
    assert "実績は記録から集計" in page
    data = {
        field: value
        for field, value in re.findall(
            r'name="((?:actual|target)-\d+-\d+)"(?: [^>]*?value="(\d*)")?', page
        )
    }
    data[f"actual-{built.entered.pk}-{now}"] = "-3"
    data[f"target-{built.computed.pk}-{now + 1}"] = "1,500"
    refused = coordinator.post(url, data)
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "この値は 0 以上でなければなりません。" in text
    assert 'value="-3"' in text and 'value="1,500"' in text  # what was typed is kept
    data[f"actual-{built.entered.pk}-{now}"] = "１５"  # full-width, as a Japanese IME types it
    data[f"actual-{built.computed.pk}-{now}"] = "999"  # not a field: ignored
    assert coordinator.post(url, data).status_code == 302
    with tenancy.tenant_context(ward.municipality):
        assert IndicatorValue.objects.get(indicator=built.entered, fiscal_year=now).actual == 15
        counted = IndicatorValue.objects.get(indicator=built.computed, fiscal_year=now + 1)
        assert (counted.actual, counted.target) == (None, 1500)


def test_the_budget_grid(ward: Ward, built: Built) -> None:
    now = current_year()
    url = reverse("reports:strategy_budgets", args=[built.sheet.pk])
    manager = as_staff(ward.member(Role.MANAGER))
    assert manager.get(url).status_code == 200
    response = manager.post(
        url,
        {
            f"actual-{built.other.pk}-{now - 1}": "1195",
            f"initial-{built.other.pk}-{now - 1}": "3025",
        },
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        budget = ProgrammeBudget.objects.get(programme=built.other, fiscal_year=now - 1)
        assert (budget.actual, budget.initial) == (1195, 3025)
    assert as_staff(ward.member(Role.COUNSELOR)).get(url).status_code == 403


def test_setting_up_a_sheet_programme_and_counted_indicator(ward: Ward) -> None:
    sysadmin = as_staff(ward.member(Role.SYSADMIN))
    response = sysadmin.post(
        reverse("reports:strategy_sheet_create"),
        {"title": "地域共生", "first_year": 2027, "last_year": 2022},
    )
    assert "最後の年度は、最初の年度以降にしてください。" in response.content.decode()
    assert 'value="地域共生"' in response.content.decode()
    response = sysadmin.post(
        reverse("reports:strategy_sheet_create"),
        {"title": "地域共生", "first_year": 2022, "last_year": 2027},
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        sheet = strategy.sheet_or_none(None)
    assert sheet is not None
    response = sysadmin.post(
        reverse("reports:strategy_programme_create", args=[sheet.pk]),
        {"name": "小地域福祉活動の推進", "department": "福祉政策課", "role": ""},
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        programme = sheet.programmes.get()
    url = reverse("reports:strategy_indicator_create", args=[programme.pk])
    form = sysadmin.get(url).content.decode()
    assert "新規相談・新規相談（個人）" in form
    wrong = sysadmin.post(
        url,
        {
            "name": "連絡会",
            "unit": "回",
            "metric": Metric.MEETINGS_HELD,
            "option": "new_consultation:new_individual",
        },
    )
    assert "会議の種類を選んでください。" in wrong.content.decode()
    response = sysadmin.post(
        url,
        {
            "name": "個人支援の新規件数",
            "unit": "件",
            "metric": Metric.ACTIVITIES,
            "option": "new_consultation:new_individual",
            "district": ward.districts[1].pk,
        },
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        indicator = Indicator.objects.get(programme=programme)
    assert (indicator.metric, indicator.option, indicator.district_id) == (
        Metric.ACTIVITIES,
        "new_consultation:new_individual",
        ward.districts[1].pk,
    )
    assert AuditEvent.objects.filter(
        action="create", object_type="reports.indicator", object_id=str(indicator.pk)
    ).exists()


def test_the_manage_page_moves_and_archives(ward: Ward, built: Built) -> None:
    coordinator = as_staff(ward.member(Role.COORDINATOR))
    page = coordinator.get(reverse("reports:strategy_manage", args=[built.sheet.pk]))
    assert page.status_code == 200
    response = coordinator.post(
        reverse("reports:strategy_programme_move", args=[built.other.pk]), {"direction": "up"}
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        assert [p.pk for p in strategy.programmes_of(built.sheet)] == [
            built.other.pk,
            built.programme.pk,
        ]
    coordinator.post(
        reverse("reports:strategy_indicator_archive", args=[built.entered.pk]),
        {"reason": "計画の見直し"},
    )
    with tenancy.tenant_context(ward.municipality):
        built.entered.refresh_from_db()
    assert built.entered.archive_reason == "計画の見直し"
    counselor = as_staff(ward.member(Role.COUNSELOR))
    assert (
        counselor.get(reverse("reports:strategy_manage", args=[built.sheet.pk])).status_code == 403
    )
    assert (
        counselor.post(
            reverse("reports:strategy_programme_move", args=[built.other.pk]), {"direction": "up"}
        ).status_code
        == 403
    )


def test_another_ward_s_sheet_is_not_found(ward: Ward, other_ward: Ward, built: Built) -> None:
    ids = {
        "sheet": built.sheet.pk,
        "programme": built.programme.pk,
        "indicator": built.entered.pk,
    }
    routes = {
        "strategy_manage": "sheet",
        "strategy_sheet_update": "sheet",
        "strategy_values": "sheet",
        "strategy_budgets": "sheet",
        "strategy_narratives": "sheet",
        "strategy_programme_create": "sheet",
        "strategy_programme_update": "programme",
        "strategy_programme_move": "programme",
        "strategy_programme_archive": "programme",
        "strategy_indicator_create": "programme",
        "strategy_indicator_update": "indicator",
        "strategy_indicator_move": "indicator",
        "strategy_indicator_archive": "indicator",
    }
    stranger = as_staff(other_ward.member(Role.COORDINATOR))
    payload = {"name": "乗っ取り", "title": "乗っ取り", "reason": "x", "direction": "up",
               "department": "x", "unit": "回", "metric": "entered"}  # fmt: skip
    for name, kind in routes.items():
        url = reverse(f"reports:{name}", args=[ids[kind]])
        assert stranger.get(url).status_code in (404, 405), url
        assert stranger.post(url, payload).status_code == 404, url
    sheet_url = f"/api/v1/strategy-sheets/{built.sheet.pk}"
    assert stranger.get(sheet_url).status_code == 404
    narrative = put_json(
        stranger,
        f"{sheet_url}/narratives/{built.sheet.first_year}/results",
        {"text": "x", "version": 0},
    )
    assert narrative.status_code == 404
    page = stranger.get(reverse("reports:strategy"), {"sheet": built.sheet.pk}).content.decode()
    assert "包括的な支援体制の強化" not in page
    with tenancy.tenant_context(ward.municipality):
        assert [p.name for p in strategy.programmes_of(built.sheet)] == [
            "小地域福祉活動の推進",
            "ひきこもり総合対策",
        ]
        assert Indicator.objects.filter(archived_at=None).count() == 2
        assert not SheetNarrative.objects.exists()


# --- API -----------------------------------------------------------------------------


def put_json(client: Client, url: str, payload: dict[str, Any]) -> Any:
    return client.put(url, json.dumps(payload), content_type="application/json")


def test_the_api_answers_the_assembled_sheet(ward: Ward, built: Built) -> None:
    now = current_year()
    activities(ward, [datetime.date(now - 2, 5, 1)] * 4)
    client = as_staff(ward.member(Role.COUNSELOR))
    listed = client.get("/api/v1/strategy-sheets").json()
    assert [s["id"] for s in listed] == [built.sheet.pk]
    answer = client.get(f"/api/v1/strategy-sheets/{built.sheet.pk}?fiscal_year={now - 1}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["management_label"] == f"{fiscal_year_label(now - 1)}進行管理"
    assert [y["heading"] for y in body["years"]] == [
        strategy.year_heading(fy) for fy in built.sheet.fiscal_years()
    ]
    indicators = {i["name"]: i for p in body["programmes"] for i in p["indicators"]}
    counted = {c["fiscal_year"]: c for c in indicators["個人支援の新規件数"]["cells"]}
    assert counted[now - 2]["value"] == 4 and counted[now - 2]["source"] == "records"
    assert counted[now]["source"] == "target" and counted[now]["value"] == 1000
    typed = {c["fiscal_year"]: c for c in indicators["コーディネーターの配置"]["cells"]}
    assert (typed[now - 3]["value"], typed[now - 3]["source"]) == (10, "entered")
    assert [n["section"] for n in body["narratives"]] == list(NarrativeSection.values)
    assert (
        client.get(f"/api/v1/strategy-sheets/{built.sheet.pk}?fiscal_year=1990").status_code == 422
    )
    assert AuditEvent.objects.filter(action="list", object_type="reports.strategysheet").exists()


def test_the_api_writes_a_narrative_with_its_version(ward: Ward, built: Built) -> None:
    now = current_year()
    url = f"/api/v1/strategy-sheets/{built.sheet.pk}/narratives/{now}/findings"
    manager = as_staff(ward.member(Role.MANAGER))
    first = put_json(manager, url, {"text": "連携が進んだ。", "version": 0})
    assert first.status_code == 200 and first.json()["version"] == 1
    stale = put_json(manager, url, {"text": "古い画面からの保存", "version": 0})
    assert stale.status_code == 409 and "他の職員が保存しました" in stale.json()["detail"]
    second = put_json(manager, url, {"text": "連携がさらに進んだ。", "version": 1})
    assert second.json() == {
        "section": "findings",
        "label": "3 成果や課題は何か（点検・分析）",
        "text": "連携がさらに進んだ。",
        "version": 2,
    }
    assert (
        put_json(manager, url.replace("findings", "other"), {"text": "x", "version": 0}).status_code
        == 422
    )
    counselor = as_staff(ward.member(Role.COUNSELOR))
    assert put_json(counselor, url, {"text": "x", "version": 2}).status_code == 403
    with tenancy.tenant_context(ward.municipality):
        assert SheetNarrative.objects.get(section="findings").text == "連携がさらに進んだ。"
