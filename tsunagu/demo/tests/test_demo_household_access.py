"""Search's pre-filter (``people.access``) on the demo ward, where every basis
of the policy occurs: it must let through every person the policy lets a
staff member see (else search would hide them), it must be written by the
records themselves (else a new record's household would not be found), and
it must leave out most persons (else it would filter nothing)."""

from __future__ import annotations

from tsunagu.accounts.models import Staff
from tsunagu.people import access
from tsunagu.people.models import HouseholdAccess, Person
from tsunagu.policy import RULES, Action, casework_organization_ids


def _caseworkers() -> list[Staff]:
    staff = [s for s in Staff.objects.filter(is_active=True) if casework_organization_ids(s)]
    assert len(staff) >= 10  # counselors of every window, the section, the CSW
    return staff


def test_every_person_the_policy_shows_passes_the_pre_filter(demo) -> None:
    everyone = Person.objects.count()
    for staff in _caseworkers():
        visible = set(RULES["person"].visible(staff, Action.LIST).values_list("pk", flat=True))
        passed = set(
            Person.objects.filter(
                access.search_condition(staff, casework_organization_ids(staff))
            ).values_list("pk", flat=True)
        )
        assert visible <= passed, (staff.username, sorted(visible - passed)[:10])
        # A filter, not a pass-through: no window of the ward has a way to
        # most of its residents.
        assert len(passed) < everyone, staff.username


def test_the_records_wrote_every_row_they_call_for(demo) -> None:
    """The demo was loaded through the services (each save writes its rows);
    working the rows out again from all records adds none."""
    before = HouseholdAccess.objects.count()
    assert before > 0
    assert access.rebuild(demo.pk) == before
