"""The installation's anonymised totals: summed across municipalities (read
with the ``all_tenants`` managers on purpose), with small totals, totals
from too few municipalities and whatever could be recovered by subtraction
suppressed, and nothing at all when fewer than three municipalities answer."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction, AuditEvent
from tsunagu.core import tenancy
from tsunagu.reports.survey import (
    ITEMS,
    Suppression,
    Total,
    distribution_of,
    installation_municipalities,
    installation_totals,
    totals_of,
)
from tsunagu.reports.tests.test_survey import (
    MONITORING,
    NEW,
    at,
    contacts,
    day,
    household,
    last_full_year,
    new_case,
    sitting,
)
from tsunagu.tests.factories import MunicipalityFactory, Ward, ward_with_staff

pytestmark = pytest.mark.django_db


def figures(**values: list[int]) -> list[dict[str, int]]:
    """One dict per municipality from per-item lists (other items 0)."""
    count = max(len(v) for v in values.values())
    return [
        {item.key: values.get(item.key, [0] * count)[i] for item in ITEMS} for i in range(count)
    ]


def by_key(totals: list[Total]) -> dict[str, Total]:
    return {t.key: t for t in totals}


# --- The rules, on figures given directly ------------------------------------------------


def test_a_total_from_three_municipalities_is_shown_with_their_number() -> None:
    total = by_key(totals_of(figures(support_meetings_held=[1, 1, 1, 0])))["support_meetings_held"]
    assert (total.value, total.municipalities, total.suppressed) == (3, 3, False)
    assert total.display == "3回" and total.municipalities_display == "3自治体"


def test_a_zero_total_is_shown() -> None:
    total = by_key(totals_of(figures(plan_meetings_held=[0, 0, 0])))["plan_meetings_held"]
    assert (total.value, total.municipalities, total.suppressed) == (0, 0, False)


def test_a_small_total_shows_under_three() -> None:
    total = by_key(totals_of(figures(plan_meetings_held=[1, 1, 0])))["plan_meetings_held"]
    assert total.suppression == Suppression.SMALL
    assert (total.value, total.municipalities) == (None, None)
    assert total.display == "3未満"


def test_all_but_one_answering_zero_is_suppressed_whatever_the_size() -> None:
    total = by_key(totals_of(figures(outreach_contacts=[40, 0, 0, 0])))["outreach_contacts"]
    assert total.suppression == Suppression.FEW and total.value is None
    assert total.display == "秘匿"


def test_two_contributors_are_suppressed_each_could_subtract_its_own() -> None:
    total = by_key(totals_of(figures(outreach_contacts=[12, 30, 0])))["outreach_contacts"]
    assert total.suppression == Suppression.FEW and total.value is None


def test_parts_that_add_up_are_suppressed_together() -> None:
    totals = by_key(
        totals_of(
            figures(
                plans_made=[4, 3, 2],
                first_plans=[3, 3, 2],
                replans=[1, 0, 0],
                support_meetings_held=[2, 2, 2],
            )
        )
    )
    assert totals["replans"].suppression == Suppression.SMALL
    # Shown, first plans and all plans would give the 再プラン by subtraction.
    assert totals["plans_made"].suppression == Suppression.GROUP
    assert totals["first_plans"].suppression == Suppression.GROUP
    assert totals["plans_made"].value is None
    # Another group is not touched.
    assert totals["support_meetings_held"].value == 6


def test_a_category_with_one_or_two_municipalities_hides_its_question() -> None:
    order = ["毎月", "隔月程度", "随時", "開催なし"]
    shown = distribution_of("f", "頻度", ["毎月"] * 3 + ["随時"] * 3, order, 3)
    assert [c.municipalities for c in shown.categories] == [3, 0, 3, 0]
    assert not shown.suppressed
    hidden = distribution_of("f", "頻度", ["毎月"] * 3 + ["随時"], order, 3)
    # 随時 1 is hidden, and so is 毎月 (4 answering − 0 − 0 − ? would give it).
    assert [c.municipalities for c in hidden.categories] == [None, 0, None, 0]
    assert hidden.suppressed and hidden.categories[0].display == "秘匿"


# --- Across the installation's municipalities, from records ----------------------------


@pytest.fixture
def installation(ward: Ward, other_ward: Ward) -> tuple[Ward, Ward, Ward, int]:
    """Three municipalities with records in the last full year, one without,
    and a demo municipality that is not counted with real ones."""
    third = ward_with_staff(MunicipalityFactory(code="132012", name="みなみ市"), prefix="third-")
    MunicipalityFactory(code="131999", name="記録のない市")
    MunicipalityFactory(code="139999", name="デモ区", is_demo=True)
    fy = last_full_year()
    # A: two 支援会議 (May, June) on one case, new then monitoring; four
    # outreach contacts to one household in June.
    a, office_a = ward.member(Role.COORDINATOR), ward.coordinating
    case_a = new_case(a, office_a, "青木", day(fy, 4, 1))
    sitting(a, office_a, day(fy, 5, 10), [(case_a, "support_meeting", NEW)])
    sitting(a, office_a, day(fy, 6, 10), [(case_a, "support_meeting", MONITORING)])
    contacts(a, office_a, household(a, office_a, "小林"), [at(day(fy, 6, d)) for d in range(1, 5)])
    # B: one 支援会議 on one new case.
    b, office_b = other_ward.member(Role.COORDINATOR), other_ward.coordinating
    case_b = new_case(b, office_b, "井上", day(fy, 4, 1))
    sitting(b, office_b, day(fy, 7, 1), [(case_b, "support_meeting", NEW)])
    # C: one 支援会議 with no case this year, one the year before.
    c, office_c = third.member(Role.COORDINATOR), third.coordinating
    sitting(c, office_c, day(fy, 8, 1))
    sitting(c, office_c, day(fy - 1, 8, 1))
    return ward, other_ward, third, fy


def test_totals_add_up_every_municipality_and_suppress_what_would_identify_one(
    installation: tuple[Ward, Ward, Ward, int],
) -> None:
    ward, _other, _third, fy = installation
    with tenancy.tenant_context(ward.municipality):
        totals = installation_totals(fy, today=day(fy + 1, 6, 15))
    assert totals.municipalities == 4  # the demo one is not among them
    assert totals.answering == 3 and not totals.suppressed
    found = by_key(totals.totals)
    # Read across tenants: 2 (A) + 1 (B) + 1 (C).
    assert (
        found["support_meetings_held"].value,
        found["support_meetings_held"].municipalities,
    ) == (4, 3)
    assert found["plan_meetings_held"].value == 0
    # Cases: 1 + 1 from two municipalities → under three; the group goes with it.
    assert found["support_meeting_cases"].display == "3未満"
    assert found["support_meeting_items"].suppression == Suppression.FEW  # 2 + 1 from two
    assert found["support_meeting_monitoring"].value is None
    # Outreach in A alone: its four contacts would be A's own figure.
    assert found["outreach_contacts"].suppression == Suppression.FEW
    assert found["outreach_households"].display == "3未満"
    distributions = {d.key: d for d in totals.distributions}
    frequency = {
        c.label: c.municipalities for c in distributions["support_meeting_frequency"].categories
    }
    assert frequency == {"毎月": 0, "隔月程度": 0, "随時": 3, "開催なし": 0}
    # One counts outreach, two do not: both too few.
    assert distributions["outreach_counted"].suppressed
    assert distributions["outreach_maximum"].suppressed


def test_fewer_than_three_answering_withholds_the_table(
    installation: tuple[Ward, Ward, Ward, int],
) -> None:
    ward, _other, _third, fy = installation
    with tenancy.tenant_context(ward.municipality):
        totals = installation_totals(fy - 1, today=day(fy + 1, 6, 15))
    # The year before, only C held a sitting.
    assert totals.answering == 1 and totals.suppressed
    assert totals.totals == [] and totals.distributions == []


def test_an_installation_of_two_municipalities_never_shows_totals(
    ward: Ward, other_ward: Ward
) -> None:
    with tenancy.tenant_context(ward.municipality):
        totals = installation_totals(last_full_year())
        assert installation_municipalities().count() == 2
    assert totals.suppressed and totals.answering is None and totals.totals == []


def test_demo_and_real_municipalities_are_never_summed_together(ward: Ward) -> None:
    demo = MunicipalityFactory(code="139998", name="デモ市", is_demo=True)
    with tenancy.tenant_context(demo):
        assert list(installation_municipalities()) == [demo]
    with tenancy.tenant_context(ward.municipality):
        assert demo not in installation_municipalities()
    assert not installation_municipalities().exists()  # no municipality: nothing


def test_the_api_gives_the_totals_and_is_audited(
    installation: tuple[Ward, Ward, Ward, int], django_assert_max_num_queries
) -> None:
    ward, *_rest, fy = installation
    client = Client()
    client.force_login(ward.member(Role.MANAGER))
    # Eight reads per municipality (four here), whatever their records, and
    # the request's own (session, staff, audit).
    with django_assert_max_num_queries(4 * 8 + 10):
        response = client.get(f"/api/v1/survey/installation?fiscal_year={fy}")
    assert response.status_code == 200
    body = response.json()
    assert (body["municipalities"], body["answering"], body["suppressed"]) == (4, 3, False)
    found = {t["key"]: t for t in body["totals"]}
    assert found["support_meetings_held"]["value"] == 4
    assert found["outreach_contacts"] == {
        "key": "outreach_contacts",
        "label": "アウトリーチの件数",
        "value": None,
        "municipalities": None,
        "suppressed": True,
        "suppression": "few",
        "display": "秘匿",
    }
    event = AuditEvent.objects.filter(action=AuditAction.LIST, object_type="reports.survey").last()
    assert event is not None and event.detail["installation"] is True


def test_the_page_shows_the_totals_without_naming_any_municipality(
    installation: tuple[Ward, Ward, Ward, int],
) -> None:
    ward, other, third, _fy = installation
    client = Client()
    client.force_login(ward.member(Role.MANAGER))
    page = client.get(reverse("reports:survey")).content.decode()
    section = page[page.index("この設置の自治体合計（匿名化）") :]
    assert "このシステムを使う4自治体" in section and "記録のある自治体: 3" in section
    assert re.search(r"支援会議の開催回数</th><td[^>]*>4回</td><td[^>]*>3自治体", section)
    assert re.search(r"アウトリーチの件数</th><td[^>]*>秘匿</td>", section)
    assert re.search(r"アウトリーチの対象世帯数</th><td[^>]*>3未満</td>", section)
    for municipality in (other.municipality, third.municipality):
        assert municipality.name not in page
