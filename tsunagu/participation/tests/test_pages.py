"""参加支援 as a CSW walks it: a profile in the person's words, suggestions
with reasons, a proposal, a trial, participation and settling, follow-ups and
support for the host; and the counts for the report."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.participation.models import Participation, ParticipationEvent, Stage
from tsunagu.participation.selectors import participation_counts
from tsunagu.participation.services import participation_propose, participation_transition
from tsunagu.resources.models import Ease, Frequency
from tsunagu.tests import resident_factories as rf
from tsunagu.tests.resource_factories import resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(ward):
    csw = ward.member(Role.COUNSELOR)
    person = rf.person(csw, ward.center, family_name="石井", given_name="翔")
    household = rf.household(csw, ward.center, head=person, district=ward.districts[0])
    cafe = resource(
        ward.municipality, "コーヒーを淹れる会", district=ward.districts[0], byday="2TU",
        freq=Frequency.MONTHLY, opens_at=datetime.time(14), interests=["コーヒー"],
        ease=[Ease.LITTLE_TALK, Ease.SMALL_GROUP], provider="NPO法人まちの縁側",
    )  # fmt: skip
    return csw, person, household, cafe


def test_profile_suggestion_proposal_trial_and_settlement(client, ward, setting):
    csw, person, household, cafe = setting
    client.force_login(csw)
    assert client.get(reverse("participation:suggestions", args=[person.pk])).status_code == 302
    response = client.post(
        reverse("participation:profile", args=[person.pk]),
        {
            "interests": "コーヒー、静かな場所",
            "strengths": "パソコン",
            "wishes": "人とあまり話さなくていいなら、手伝ってみたい",
            "days": ["TU"],
            "times": ["afternoon"],
            "group_size": "small",
            "travel": "district",
            "version": "",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("participation:suggestions", args=[person.pk])).content.decode()
    assert "コーヒーを淹れる会" in page and "関心「コーヒー」が活動内容に合う" in page
    response = client.post(
        reverse("participation:propose", args=[person.pk]),
        {
            "prefix": f"r{cafe.pk}",
            f"r{cafe.pk}-resource": cafe.pk,
            f"r{cafe.pk}-reason": "関心「コーヒー」が活動内容に合う、会話少なめ",
            f"r{cafe.pk}-arrangement": "月1回 1時間から、CSWが同行",
        },
    )
    assert response.status_code == 302
    with tenancy.tenant_context(ward.municipality):
        path = Participation.objects.get()
    assert path.stage == Stage.PROPOSED and not path.plan_based
    today = timezone.localdate()
    for to_stage, version in ((Stage.TRIAL, 1), (Stage.PARTICIPATING, 2), (Stage.SETTLED, 3)):
        response = client.post(
            reverse("participation:transition", args=[path.pk]),
            {
                "transition-to_stage": to_stage,
                "transition-happened_on": today.isoformat(),
                "transition-version": version,
            },
        )
        assert response.status_code == 302, response.content.decode()
    response = client.post(
        reverse("participation:note", args=[path.pk]),
        {
            "note-kind": "host_support",
            "note-happened_on": today.isoformat(),
            "note-note": "店主に本人の様子を伝え、作業量を一緒に決めた",
            "note-version": 4,
        },
    )
    assert response.status_code == 302
    detail = client.get(reverse("participation:detail", args=[path.pk])).content.decode()
    assert "定着" in detail and "受け入れ先支援" in detail and "作業量を一緒に決めた" in detail
    # The household page shows the place on its ecomap and the path on its timeline.
    household_page = client.get(reverse("people:household_detail", args=[household.pk]))
    text = household_page.content.decode()
    assert "コーヒーを淹れる会" in text and "参加先" in text


def test_stale_page_and_missing_reason_are_refused_in_japanese(client, ward, setting):
    csw, person, _household, cafe = setting
    with tenancy.tenant_context(ward.municipality):
        path = participation_propose(
            actor=csw, organization=ward.center, person=person, resource=cafe, reason="関心"
        )
    client.force_login(csw)
    stale = client.post(
        reverse("participation:transition", args=[path.pk]),
        {
            "transition-to_stage": Stage.TRIAL,
            "transition-happened_on": timezone.localdate().isoformat(),
            "transition-version": 7,
        },
    )
    assert stale.status_code == 422 and "他の職員が更新しました" in stale.content.decode()
    no_reason = client.post(
        reverse("participation:transition", args=[path.pk]),
        {
            "transition-to_stage": Stage.ENDED,
            "transition-happened_on": timezone.localdate().isoformat(),
            "transition-version": 1,
        },
    )
    assert no_reason.status_code == 422 and "理由を入力してください" in no_reason.content.decode()
    with tenancy.tenant_context(ward.municipality):
        assert ParticipationEvent.objects.filter(participation=path).count() == 1


def test_counts_split_plan_based_and_before_plan_and_count_hosts(ward, setting):
    csw, person, _household, cafe = setting
    other = rf.person(csw, ward.center, family_name="森", given_name="優")
    rf.household(csw, ward.center, head=other)
    farm = resource(ward.municipality, "ふれあい農園", district=ward.districts[1])
    with tenancy.tenant_context(ward.municipality):
        first = participation_propose(
            actor=csw, organization=ward.center, person=person, resource=cafe, reason="関心"
        )
        participation_transition(actor=csw, participation=first, to_stage=Stage.TRIAL)
        participation_propose(
            actor=csw, organization=ward.center, person=other, resource=farm, reason="体を動かす"
        )
        today = timezone.localdate()
        result = participation_counts(Participation.objects.all(), today, today)
    assert result.plan_based == 0 and result.before_plan == 2 and result.persons == 2
    # Only the café received someone; a proposal alone does not make a host.
    assert result.host_organizations == 1


def test_an_unrelated_organization_sees_none_of_it(client, ward, setting):
    csw, person, _household, cafe = setting
    with tenancy.tenant_context(ward.municipality):
        path = participation_propose(
            actor=csw, organization=ward.center, person=person, resource=cafe, reason="関心"
        )
    stranger = rf.staff_at(ward, ward.department, Role.COUNSELOR, "stranger")
    client.force_login(stranger)
    assert client.get(reverse("participation:detail", args=[path.pk])).status_code == 404
    assert client.get(reverse("participation:person", args=[person.pk])).status_code == 404
    assert client.get(reverse("participation:suggestions", args=[person.pk])).status_code == 404
    assert "石井" not in client.get(reverse("participation:worklist")).content.decode()


def test_the_two_forms_of_a_path_page_keep_their_fields_apart(client, ward, setting):
    """Each label points at its own form's input (both forms have a date and a note)."""
    csw, person, _household, cafe = setting
    with tenancy.tenant_context(ward.municipality):
        path = participation_propose(
            actor=csw, organization=ward.center, person=person, resource=cafe, reason="関心"
        )
    client.force_login(csw)
    page = client.get(reverse("participation:detail", args=[path.pk])).content.decode()
    for name in ("happened_on", "note", "next_follow_up_on", "version"):
        assert f'id="id_transition-{name}"' in page and f'id="id_note-{name}"' in page
        assert f'id="id_{name}"' not in page
