"""The permission matrix: each resource × role × action, and the neighbours
that must be refused (another organization, another municipality, an
inactive account, a stranger)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditEvent
from tsunagu.core import tenancy
from tsunagu.tests.factories import StaffFactory, Ward, add_member

A = policy.Action
B = policy.Basis
C, OM, CO, MG, SA, AU = (
    Role.COUNSELOR,
    Role.ORG_MANAGER,
    Role.COORDINATOR,
    Role.MANAGER,
    Role.SYSADMIN,
    Role.AUDITOR,
)
ALL = (C, OM, CO, MG, SA, AU)

# The expected answer, written out: (resource, action) -> {role: basis}; a
# role missing from the mapping is refused.
EXPECTED: dict[tuple[str, policy.Action], dict[Role, policy.Basis]] = {
    **{
        (resource, action): dict.fromkeys(ALL, B.MUNICIPALITY_STAFF)
        for resource in ("organization", "district", "business")
        for action in (A.LIST, A.VIEW, A.EXPORT, A.PRINT)
    },
    **{
        (resource, action): {SA: B.SYSTEM_ADMINISTRATOR}
        for resource in ("organization", "district", "business")
        for action in (A.CREATE, A.CHANGE, A.ARCHIVE)
    },
    ("staff", A.LIST): {SA: B.SYSTEM_ADMINISTRATOR, OM: B.ORGANIZATION_MANAGER},
    ("staff", A.VIEW): {SA: B.SYSTEM_ADMINISTRATOR, OM: B.ORGANIZATION_MANAGER},
    ("staff", A.CREATE): {SA: B.SYSTEM_ADMINISTRATOR},
    ("staff", A.CHANGE): {SA: B.SYSTEM_ADMINISTRATOR},
    ("staff", A.ARCHIVE): {SA: B.SYSTEM_ADMINISTRATOR},
    ("staff", A.EXPORT): {SA: B.SYSTEM_ADMINISTRATOR},
    ("staff", A.PRINT): {SA: B.SYSTEM_ADMINISTRATOR},
    ("security_settings", A.VIEW): {SA: B.SYSTEM_ADMINISTRATOR},
    ("security_settings", A.LIST): {SA: B.SYSTEM_ADMINISTRATOR},
    ("security_settings", A.CHANGE): {SA: B.SYSTEM_ADMINISTRATOR},
    ("security_settings", A.CREATE): {},
    ("audit_event", A.LIST): {AU: B.AUDITOR},
    ("audit_event", A.VIEW): {AU: B.AUDITOR},
    ("audit_event", A.EXPORT): {AU: B.AUDITOR},
    ("audit_event", A.CHANGE): {},
    ("audit_event", A.ARCHIVE): {},
    ("audit_event", A.CREATE): {},
    ("own_account", A.VIEW): dict.fromkeys(ALL, B.SELF),
    ("own_account", A.CHANGE): dict.fromkeys(ALL, B.SELF),
    ("aggregate", A.VIEW): dict.fromkeys(ALL, B.MUNICIPALITY_STAFF),
    ("aggregate", A.CHANGE): {},
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("resource", "action"), list(EXPECTED), ids=[f"{r}-{a.value}" for r, a in EXPECTED]
)
def test_permission_matrix(ward: Ward, resource: str, action: policy.Action) -> None:
    for role in ALL:
        decision = policy.decide(ward.member(role), action, resource)
        expected = EXPECTED[(resource, action)].get(role)
        assert decision.allowed == (expected is not None), (role, resource, action)
        assert decision.basis == expected, (role, resource, action)


@pytest.mark.django_db
def test_strangers_and_inactive_staff_are_refused_everything(ward: Ward) -> None:
    inactive = ward.member(SA)
    Staff.all_tenants.filter(pk=inactive.pk).update(is_active=False)
    inactive.refresh_from_db()
    for resource, action in EXPECTED:
        assert not policy.decide(AnonymousUser(), action, resource)
        assert not policy.decide(inactive, action, resource)
        assert not policy.visible(
            AnonymousUser(), resource if resource not in ("own_account", "aggregate") else "staff"
        ).exists()


@pytest.mark.django_db
def test_an_unknown_resource_is_an_error_not_an_answer(ward: Ward) -> None:
    with pytest.raises(LookupError):
        policy.decide(ward.member(SA), A.VIEW, "person_typo")
    with pytest.raises(LookupError):
        policy.route("person_typo", A.VIEW)


@pytest.mark.django_db
def test_objects_of_another_municipality_are_refused(ward: Ward, other_ward: Ward) -> None:
    admin = ward.member(SA)
    assert policy.decide(admin, A.CHANGE, "organization", ward.center)
    assert not policy.decide(admin, A.VIEW, "organization", other_ward.center)
    assert not policy.decide(admin, A.VIEW, "staff", other_ward.member(C))


@pytest.mark.django_db
def test_an_organization_manager_sees_the_staff_of_their_organization_only(ward: Ward) -> None:
    manager = ward.member(OM)  # at ward.center
    colleague = ward.member(C)  # also at ward.center
    with tenancy.tenant_context(ward.municipality):
        elsewhere = StaffFactory(municipality=ward.municipality, username="south-counselor")
        add_member(elsewhere, ward.other_center, C)
        visible = set(policy.visible(manager, "staff", A.LIST))
    assert colleague in visible and manager in visible
    assert elsewhere not in visible
    assert policy.decide(manager, A.VIEW, "staff", colleague).basis == B.ORGANIZATION_MANAGER
    assert not policy.decide(manager, A.VIEW, "staff", elsewhere)
    assert not policy.decide(manager, A.CHANGE, "staff", colleague)


@pytest.mark.django_db
def test_an_ended_membership_no_longer_grants_its_role(ward: Ward) -> None:
    admin = ward.member(SA)
    with tenancy.tenant_context(ward.municipality):
        admin.memberships.update(active=False)
    fresh = Staff.all_tenants.get(pk=admin.pk)
    assert not policy.decide(fresh, A.CREATE, "organization")


@pytest.mark.django_db
def test_get_or_404_treats_missing_and_forbidden_alike_and_audits_both(ward: Ward) -> None:
    counselor = ward.member(C)
    with tenancy.tenant_context(ward.municipality):
        target = ward.member(SA)
        for pk in (target.pk, 999_999):
            with pytest.raises(Http404):
                policy.get_or_404(counselor, "staff", A.VIEW, pk=pk)
    denials = AuditEvent.objects.filter(
        actor=counselor, action="deny", object_type="accounts.staff"
    )
    assert sorted(denials.values_list("object_id", flat=True)) == sorted([str(target.pk), "999999"])


@pytest.mark.django_db
def test_get_or_404_audits_a_view_of_personal_data_with_its_basis(ward: Ward) -> None:
    admin = ward.member(SA)
    with tenancy.tenant_context(ward.municipality):
        staff, decision = policy.get_or_404(admin, "staff", A.VIEW, pk=ward.member(C).pk)
    assert decision.basis == B.SYSTEM_ADMINISTRATOR
    event = AuditEvent.objects.get(actor=admin, action="view")
    assert (event.object_type, event.object_id, event.basis) == (
        "accounts.staff",
        str(staff.pk),
        B.SYSTEM_ADMINISTRATOR,
    )


@pytest.mark.django_db
def test_the_policy_declares_every_legal_basis_for_personal_data() -> None:
    """access.md's six routes to a resident's data are named in the one module."""
    assert {
        B.OWN_ORGANIZATION,
        B.REFERRAL,
        B.CONSENT,
        B.SUPPORT_MEETING,
        B.COORDINATOR,
        B.EMERGENCY,
    } <= set(B)
