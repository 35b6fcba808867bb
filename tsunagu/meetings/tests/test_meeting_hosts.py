"""Who may host which meeting: the §106-6 支援会議 is the municipality's own body;
a 重層的支援会議 may be hosted by a designated 多機関協働事業者, contractor or not."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.meetings.models import Kind, Meeting
from tsunagu.meetings.services import meeting_create
from tsunagu.tests.factories import Ward
from tsunagu.tests.resident_factories import staff_at

pytestmark = pytest.mark.django_db
_hosts = itertools.count()


def _open(ward: Ward, organization: Organization, kinds: list[str]) -> Meeting:
    host = staff_at(ward, organization, Role.COUNSELOR, f"host-{next(_hosts)}")
    with tenancy.tenant_context(ward.municipality):
        return meeting_create(
            actor=host,
            organization=organization,
            meeting=Meeting(title="ケース検討", held_on=timezone.localdate()),
            kinds=kinds,
        )


def _organization(ward: Ward, **fields: object) -> Organization:
    with tenancy.tenant_context(ward.municipality):
        return Organization.objects.create(kind=Organization.Kind.CONTRACTOR, **fields)


def test_the_coordinating_section_hosts_both_statutory_meetings(ward: Ward) -> None:
    meeting = _open(ward, ward.coordinating, [Kind.SUPPORT_MEETING, Kind.PLAN_MEETING])
    assert meeting.organization == ward.coordinating


def test_a_designated_contractor_hosts_a_plan_meeting_but_not_a_support_meeting(
    ward: Ward,
) -> None:
    contractor = _organization(
        ward,
        name="社会福祉協議会 多機関協働",
        management=Organization.Management.CONTRACTED,
        operator="社会福祉法人テスト区社会福祉協議会",
        designated_multi_agency=True,
    )
    assert _open(ward, contractor, [Kind.PLAN_MEETING]).organization == contractor
    with pytest.raises(ValidationError, match="市区町村が設ける会議体"):
        _open(ward, contractor, [Kind.SUPPORT_MEETING])


def test_a_contracted_coordinating_section_does_not_host_a_support_meeting(ward: Ward) -> None:
    contracted = _organization(
        ward,
        name="委託の事務局",
        management=Organization.Management.CONTRACTED,
        operator="社会福祉法人テスト会",
        is_coordinating=True,
    )
    with pytest.raises(ValidationError, match="直営"):
        _open(ward, contracted, [Kind.SUPPORT_MEETING])
    assert _open(ward, contracted, [Kind.PLAN_MEETING]).organization == contracted


def test_an_undesignated_organization_hosts_neither(ward: Ward) -> None:
    for kinds in ([Kind.SUPPORT_MEETING], [Kind.PLAN_MEETING]):
        with pytest.raises(ValidationError):
            _open(ward, ward.center, kinds)
    assert _open(ward, ward.center, [Kind.STAKEHOLDER]).organization == ward.center


def test_a_sitting_that_ends_before_it_starts_is_refused_by_the_service(ward: Ward) -> None:
    """The rule lives in the service, so the API refuses what the form does."""
    import datetime

    host = staff_at(ward, ward.coordinating, Role.COORDINATOR, "host-times")
    with tenancy.tenant_context(ward.municipality), pytest.raises(ValidationError) as refused:
        meeting_create(
            actor=host,
            organization=ward.coordinating,
            meeting=Meeting(
                title="ケース検討",
                held_on=timezone.localdate(),
                starts_at=datetime.time(15, 0),
                ends_at=datetime.time(14, 0),
            ),
            kinds=[Kind.SUPPORT_MEETING],
        )
    assert refused.value.message_dict == {"ends_at": ["終了時刻は開始時刻より後にしてください。"]}
