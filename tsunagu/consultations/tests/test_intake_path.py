"""The shorter path from 相談受付 to a つなぐシート, on the server: the main
topic from the ticked ones, one button to record and refer, 圏域 from the
address, the shared information pre-ticked, the destinations grouped.
(The walk itself, counted in Chromium: tests/browser/test_intake_path.py.)"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.consultations.models import CaseFeature, Consultation
from tsunagu.core import tenancy
from tsunagu.people.models import Person
from tsunagu.tests.factories import Ward
from tsunagu.tests.resident_factories import staff_at

pytestmark = pytest.mark.django_db


def intake_data(ward: Ward, **extra: Any) -> dict[str, Any]:
    received = timezone.localtime() - timedelta(hours=1)
    data: dict[str, Any] = {
        "organization": ward.center.pk,
        "received_on": received.date().isoformat(),
        "received_time": received.strftime("%H:%M"),
        "channel": "phone",
        "consulter": "self",
        "subject_mode": "new",
        "person-family_name": "架空",
        "person-given_name": "太郎",
        "person-sex": "male",
        "person-birth_date": "昭和50年4月1日",
        "person-address": "テスト区北町3-4-5",
        "topics": ["income"],
        "summary": "失業して家賃が払えない。",
        "urgency": "normal",
        "consent_to_share": "obtained",
        "then": "refer",
    }
    data.update(extra)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def clerk(client: Any, ward: Ward) -> Any:
    client.force_login(staff_at(ward, ward.center, Role.COUNSELOR, "intake-clerk"))
    return client


def consultation(ward: Ward) -> Consultation:
    with tenancy.tenant_context(ward.municipality):
        return Consultation.objects.get()


def test_one_ticked_topic_is_the_main_one_and_the_button_refers(clerk, ward) -> None:
    response = clerk.post(reverse("consultations:intake"), intake_data(ward))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].startswith(reverse("referrals:create"))
    recorded = consultation(ward)
    assert (recorded.main_topic, recorded.outcome) == ("income", "refer")


def test_the_main_topic_is_one_of_the_ticked_ones(clerk, ward) -> None:
    data = intake_data(ward, topics=["income", "housing"], main_topic="care")
    page = clerk.post(reverse("consultations:intake"), data).content.decode()
    assert "主な相談内容は、チェックした相談内容の中から選んでください。" in page
    data = intake_data(ward, topics=["income", "housing"])
    page = clerk.post(reverse("consultations:intake"), data).content.decode()
    assert "主な相談内容を選んでください" in page
    with tenancy.tenant_context(ward.municipality):
        assert not Consultation.objects.exists()


def test_without_the_button_the_outcome_is_asked_for(clerk, ward) -> None:
    page = clerk.post(reverse("consultations:intake"), intake_data(ward, then=None))
    assert "対応結果を選んでください。" in page.content.decode()
    done = clerk.post(
        reverse("consultations:intake"), intake_data(ward, then=None, outcome="continue_here")
    )
    assert done.status_code == 302
    assert consultation(ward).outcome == "continue_here"


def test_escalate_chosen_stays_escalate_with_the_refer_button(clerk, ward) -> None:
    response = clerk.post(reverse("consultations:intake"), intake_data(ward, outcome="escalate"))
    assert "escalate=1" in response["Location"]
    assert consultation(ward).outcome == "escalate"


def test_the_district_comes_from_the_address(clerk, ward) -> None:
    north, south = ward.districts
    with tenancy.tenant_context(ward.municipality):
        north.address_prefixes = "北町"
        north.save()
    clerk.post(reverse("consultations:intake"), intake_data(ward))
    with tenancy.tenant_context(ward.municipality):
        person = Person.objects.get()
        assert person.district == north
        # The household takes the head's.
        household = consultation(ward).household
        assert household is not None and household.district == north
    # A district chosen by the clerk is kept.
    clerk.post(
        reverse("consultations:intake"),
        intake_data(ward, **{"person-given_name": "次郎", "person-district": south.pk}),
    )
    with tenancy.tenant_context(ward.municipality):
        assert Person.objects.get(given_name="次郎").district == south


def test_rarely_used_fields_are_folded_but_open_on_an_error(clerk, ward) -> None:
    page = clerk.get(reverse("consultations:intake")).content.decode()
    details = re.search(r"<details class=\"card form-details\"[^>]*>(.*?)</details>", page, re.S)
    assert details is not None and " open" not in details.group(0)[:40]
    for name in ("organization", "received_on", "life_issues", "case_features", "person-phone"):
        assert f'name="{name}"' in details.group(1)
    assert 'name="topics"' not in details.group(1)
    page = clerk.post(
        reverse("consultations:intake"), intake_data(ward, received_on="明日の明日")
    ).content.decode()
    assert '<details class="card form-details" open>' in page


def referral_page(clerk, ward, **extra: Any) -> str:
    response = clerk.post(reverse("consultations:intake"), intake_data(ward, **extra))
    return clerk.get(response["Location"]).content.decode()


def checked_items(page: str) -> set[str]:
    return set(re.findall(r'name="shared_items" value="(\w+)"[^>]*checked', page))


def test_shared_information_is_pre_ticked_from_the_consent_and_the_record(clerk, ward) -> None:
    page = referral_page(clerk, ward, topics=["income", "health"], main_topic="income")
    assert checked_items(page) == {"identity", "consultation", "health"}
    # Sharing basis and deadline have their defaults: folded away.
    assert re.search(r'<details class="form-details">', page)


def test_household_features_add_the_household(clerk, ward) -> None:
    with tenancy.tenant_context(ward.municipality):
        feature = CaseFeature.objects.create(name="8050")
    page = referral_page(clerk, ward, case_features=[feature.pk])
    assert checked_items(page) == {"identity", "consultation", "household"}


def test_nothing_is_pre_ticked_without_consent(clerk, ward) -> None:
    page = referral_page(clerk, ward, consent_to_share="not_obtained")
    assert checked_items(page) == set()
    # The clerk must name the basis: the section is open.
    assert '<details class="form-details" open>' in page


def test_destinations_are_grouped_city_contracted_external(clerk, ward) -> None:
    page = referral_page(clerk, ward)
    select = re.search(r'<select name="to_organization".*?</select>', page, re.S)
    assert select is not None
    assert 'class="js-filterable' in select.group(0)
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select.group(0), re.S)
    names = {label: re.findall(r">([^<]+)</option>", body) for label, body in groups}
    assert list(names) == ["庁内（直営）", "外部（警察・学校・町会など）"]
    assert names["庁内（直営）"] == ["福祉政策課", "地域包括支援センター南", "総務課"]
    assert names["外部（警察・学校・町会など）"] == ["テスト警察署"]
    # The sender (地域包括支援センター北, 委託) is not a destination.
    assert "地域包括支援センター北</option>" not in select.group(0)


def broken_references(page: str) -> list[str]:
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    described = re.findall(r'aria-describedby="([^"]*)"', page)
    labelled = re.findall(r'<label for="([^"]+)"', page)
    return [ref for refs in described for ref in refs.split() if ref not in ids] + [
        ref for ref in labelled if ref not in ids
    ]


def test_every_help_and_label_points_at_something(clerk, ward) -> None:
    intake = clerk.get(reverse("consultations:intake")).content.decode()
    assert broken_references(intake) == []
    assert broken_references(referral_page(clerk, ward)) == []
