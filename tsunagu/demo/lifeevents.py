"""The demo ward's 家族の出来事: the model household's history (the son left
his job to care for his mother, the grandson left high school) and a few
events in the households the outreach workers visit, each recorded through
the service by a staff member of an organization that works with the
household. All synthetic."""

from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from tsunagu.cases.models import Case
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.demo.cases import MODEL_CASE_TITLE
from tsunagu.lifeevents.models import LifeEvent
from tsunagu.lifeevents.services import life_event_record
from tsunagu.outreach.models import OutreachContact
from tsunagu.people.models import Household, HouseholdMembership


@dataclass(frozen=True)
class DemoLifeEvents:
    households: int
    events: int
    seconds: float


def _years_ago(today: date, years: int, month: int = 1) -> date:
    return date(today.year - years, month, 1)


def _model_household(today: date) -> int:
    """The model household: its coordinator records what the family told."""
    case = Case.objects.filter(title=MODEL_CASE_TITLE).select_related("organization").first()
    if case is None or case.created_by is None:
        return 0
    members = list(
        HouseholdMembership.objects.filter(household=case.household, ended_on=None)
        .select_related("person")
        .order_by("started_on", "pk")
    )
    if not members:
        return 0
    oldest = min(members, key=lambda m: m.person.birth_date or today).person
    youngest = max(members, key=lambda m: m.person.birth_date or date.min).person
    middle = next(
        (m.person for m in members if m.person not in (oldest, youngest)), members[0].person
    )
    made = 0
    for person, kind, day, precision, text, source, note in (
        (oldest, "care_level", _years_ago(today, 3, 10), "month",
         "要介護1の認定。本人はサービスの利用を拒んでいる。", "record", "介護保険の記録"),
        (middle, "retirement", _years_ago(today, 2), "year",
         "母の介護のため、勤めていた会社を退職した（介護離職）。", "person", ""),
        (youngest, "dropout", _years_ago(today, 1, 7), "month",
         "高校2年の夏に中退。以後、進路は決まっていない。", "family", "父から"),
    ):  # fmt: skip
        life_event_record(
            actor=case.created_by,
            organization=case.organization,
            household=case.household,
            person=person,
            kind=kind,
            occurred_on=day,
            precision=precision,
            description=text,
            source=source,
            source_note=note,
        )
        made += 1
    return made


#: Events of the outreach households, in turn (kind, years ago, precision, text, source, note).
OUTREACH_EVENTS = [
    ("job_loss", 6, "year", "勤めていた工場が閉鎖になり失業。以後は働いていない。", "family", "母から"),
    ("bereavement", 4, "month", "父が亡くなり、母と二人の暮らしになった。", "neighbour", "民生委員から"),
    ("admission", 2, "month", "持病が悪化して約1か月入院した。", "agency", "病院の医療ソーシャルワーカーから"),
    ("move", 8, "year", "区外から現住所に転居した。", "record", "住民記録"),
]  # fmt: skip


def load_demo_life_events(
    municipality: Municipality, *, today: date | None = None
) -> DemoLifeEvents | None:
    """Write the demo's life events (once: ``None`` when the ward already has
    some, or has no outreach yet)."""
    started = clock.monotonic()
    with tenancy.tenant_context(municipality):
        if LifeEvent.objects.exists() or not Household.objects.exists():
            return None
        today = today or timezone.localdate()
        made = _model_household(today)
        firsts = (
            OutreachContact.objects.filter(created_by__isnull=False)
            .select_related("organization", "created_by", "household", "person")
            .order_by("household_id", "occurred_at", "pk")
        )
        seen: set[int] = set()
        for contact in firsts:
            if contact.household_id in seen or len(seen) >= 6:
                continue
            seen.add(contact.household_id)
            for offset in range(2):
                kind, years, precision, text, source, note = OUTREACH_EVENTS[
                    (len(seen) + offset) % len(OUTREACH_EVENTS)
                ]
                life_event_record(
                    actor=contact.created_by,
                    organization=contact.organization,
                    household=contact.household,
                    person=contact.person if kind != "move" else None,
                    kind=kind,
                    occurred_on=_years_ago(today, years, 4 + offset * 3),
                    precision=precision,
                    description=text,
                    source=source,
                    source_note=note,
                )
                made += 1
        return DemoLifeEvents(
            households=LifeEvent.objects.values("household").distinct().count(),
            events=made,
            seconds=round(clock.monotonic() - started, 1),
        )
