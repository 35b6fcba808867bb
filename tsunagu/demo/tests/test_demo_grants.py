"""The grants on the demo ward, where every basis of the policy occurs: the
services wrote, record by record, exactly the rows that working every way
out again from the records gives (``manage.py check_grants``)."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from tsunagu.grants import services
from tsunagu.grants.models import Grant
from tsunagu.policy import Basis


def test_the_services_wrote_exactly_the_ways_the_records_give(demo) -> None:
    difference = services.check(demo.pk)
    assert not difference, difference.lines()
    bases = set(Grant.objects.values_list("basis", flat=True).distinct())
    # Every basis occurs, so the comparison covers every rule.
    assert bases >= {
        Basis.OWN_ORGANIZATION,
        Basis.REFERRAL,
        Basis.COORDINATOR,
        Basis.CONSENT,
        Basis.SUPPORT_MEETING,
    }, bases


def test_the_command_finds_a_row_the_records_do_not_give(demo) -> None:
    output = StringIO()
    call_command("check_grants", stdout=output)
    assert "一致しています" in output.getvalue()
    row = Grant.objects.filter(basis=Basis.CONSENT).first()
    assert row is not None
    Grant.objects.filter(pk=row.pk).delete()
    errors = StringIO()
    try:
        call_command("check_grants", stdout=StringIO(), stderr=errors)
    except Exception as error:  # CommandError
        assert "一致しません" in str(error)
    else:
        raise AssertionError("check_grants passed with a row missing")
    assert "missing" in errors.getvalue()
    call_command("check_grants", "--fix", stdout=StringIO())
    assert not services.check(demo.pk)


def test_an_organization_s_own_records_are_part_of_what_it_sees(demo) -> None:
    """``policy.own`` (the home page's counts) is a part of ``policy.visible``
    for every rule that names its records' own organization, for every
    caseworker of the ward."""
    from tsunagu import policy
    from tsunagu.accounts.models import Staff

    rules = [rule for rule in policy.RULES.values() if rule.own_field]
    assert {rule.resource for rule in rules} >= {"action_item", "outreach_contact", "participation"}
    caseworkers = [
        s for s in Staff.objects.filter(is_active=True) if policy.casework_organization_ids(s)
    ]
    assert caseworkers
    for staff in caseworkers:
        for rule in rules:
            own = set(policy.own(staff, rule.resource).values_list("pk", flat=True))
            visible = set(
                policy.visible(staff, rule.resource, policy.Action.LIST).values_list(
                    "pk", flat=True
                )
            )
            assert own <= visible, (staff.username, rule.resource, sorted(own - visible)[:5])
