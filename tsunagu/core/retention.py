"""保存期間: the personal data of records whose retention period has passed
since their closure is anonymised, audited, after a dry run.

The period is the municipality's ``Municipality.retention_years`` (5 years
unless the system administrator sets 1–30 on セキュリティ設定). A record
closed on day *d* is kept for the whole period and anonymised from the day
after *d* + *N* years: :func:`cutoff` gives the first closure day that is
still kept (*N* years before today; on 29 February, the 28th), and a record
expires when its closure day is before it.

What "closure" means for each family of records (domain.md):

- **世帯 (household)** — the unit of support. It is closed when none of its
  多機関協働ケース is open (every one is 終結 or 完了, or in 経過観察 with a
  watch period that has ended), no つなぐシート about it is still open
  (下書き・送付・受理・対応中・保留) and no 参加支援 path of it is still open.
  Its closure day is then the day of its latest activity of any kind: a
  member joining or leaving, a case opened or ended (see below), a
  consultation received, an outreach contact, a referral drafted, sent,
  closed or answered, a participation proposed, changed or ended, an activity
  record, a meeting or monitoring that discussed one of its cases. A
  household with no activity at all counts from its registration. So a
  household one window still calls on is kept, whatever happened years ago.
  Only these dates of the work count, not when a row was typed in or last
  saved: records brought over from an older system keep their real age.
  All of its records are anonymised together, and the members whose every
  record is anonymised with it (or was before).
- **多機関協働ケース (case)** of a household that stays — 終結 is the end of
  team support, and 経過観察 the watch after it, during which the team may
  resume (経過観察 → 支援会議で検討). So a case ends on the later of its
  終結日, the day it reached 完了 and the end of its watch period; a case
  still in 経過観察 ends when the watch period ends (never, while none is
  set). Outreach contacts, participation paths, meetings and monitorings of
  the case after that day count as well, and an open participation path of
  the case keeps it. The case file is anonymised: the case, its history,
  team roles, consents, plans with their goals, items and monitorings, its
  agenda items with briefs and decisions, its tasks, and the outreach
  contacts and participation paths recorded for it.
- **相談受付 (consultation)** of a household that stays, or of no household —
  one contact: it is closed when received, and a referral made from it moves
  its closure to that referral's last change. It is kept while its household
  has an open case, while a referral made from it is open, and while a case
  it led to is kept. Referrals of no household made from it follow it.

Outreach contacts, referrals, participation paths and activity records are
otherwise anonymised only with their household or case: they are the
household's ongoing story, kept as long as the household is.

A person (本人) is anonymised when every record that names them — the
person links each app declares (``tsunagu.links``): household memberships,
consultations, referrals, outreach contacts, participation paths, consents
and plans — is anonymised in the same run or was before; a
person who moved to a household that is still supported keeps their name.
Records merged into an anonymised person follow it.

Anonymising replaces names, readings, addresses, phone numbers and every
free text (summaries, notes, plan text, briefs, decisions, and the minutes
of a case meeting every case of which is anonymised) with :data:`MARKER` (an empty text stays
empty), sets the birth date to none (nothing counts by it) and empties the
search keys and the name index (``PersonNameGram``), so that no name or word
search finds the person again; a consultation's search text and its index
(``ConsultationGram``) are emptied likewise. Dates, states, categories, organizations and
links stay, and nothing is archived: the business report, the indicator
sheet and the process measures count the same before and after. Each
anonymised household, person, case, consultation, referral, outreach
contact, participation path, activity record and assessment gets an
:class:`~tsunagu.core.models.AnonymisedRecord` row; the audit trail (which is
append-only) is not rewritten.

:func:`plan` is the dry run: it changes nothing and reports what would be
anonymised (counts per kind of record, their ids, the oldest closure day).
:func:`apply` anonymises a plan, one transaction per household (a
consultation of no household is a transaction of its own), checking each
household again inside its transaction and anonymising only what was
planned and still qualifies; it writes an audit event for each household
and one summary event. Running it again finds nothing: a no-op.

Scheduling: the task :func:`tsunagu.core.tasks.anonymise_expired_records`
runs the two; ``python manage.py anonymise_expired`` prints the dry run, and
with ``--apply`` enqueues the task. A daily cron job or systemd timer on the
application server calls ``python manage.py anonymise_expired --apply``
(for example at 02:30, after the backup) — see that command's help.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Max, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu.activities.models import ActivityRecord
from tsunagu.assessments.models import Assessment
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.cases.models import OPEN_STAGES, Case, CaseEvent, CaseTeamMember, Consent, Stage
from tsunagu.consultations.models import Consultation, ConsultationGram
from tsunagu.core import tenancy
from tsunagu.core.links import Kind, Link
from tsunagu.core.models import AnonymisedRecord, Municipality
from tsunagu.core.wareki import format_wareki
from tsunagu.frontdoor import retention as frontdoor_retention
from tsunagu.lifeevents.models import LifeEvent
from tsunagu.links import registry
from tsunagu.meetings.models import CASE_KINDS, ActionItem, AgendaItem, Meeting, MeetingPart
from tsunagu.outreach.models import OutreachContact
from tsunagu.participation.models import OPEN as PARTICIPATION_OPEN
from tsunagu.participation.models import Participation, ParticipationEvent, ParticipationProfile
from tsunagu.people.models import (
    EmergencyAccess,
    Household,
    HouseholdMembership,
    Person,
    PersonMerge,
    PersonNameGram,
)
from tsunagu.plans.models import (
    GoalProgress,
    Monitoring,
    PlanGoal,
    PlanMember,
    SupportItem,
    SupportPlan,
)
from tsunagu.progress.models import ProgressNote
from tsunagu.referrals.models import OPEN as REFERRAL_OPEN
from tsunagu.referrals.models import Referral, ReferralEvent

#: What an anonymised name or text reads.
MARKER = "（匿名化済み）"
#: Who the audit trail names for the scheduled task.
ACTOR_LABEL = "保存期間による自動匿名化"

HOUSEHOLD = "people.household"
PERSON = "people.person"
CASE = "cases.case"
CONSULTATION = "consultations.consultation"
REFERRAL = "referrals.referral"
OUTREACH = "outreach.outreachcontact"
PROGRESS = "progress.progressnote"
PARTICIPATION = "participation.participation"
ACTIVITY = "activities.activityrecord"
ASSESSMENT = "assessments.assessment"
#: オンライン相談: closed or converted threads, by their own closing day (tsunagu/frontdoor/retention.py).
THREAD = "frontdoor.thread"

#: The kinds of record the report counts, in its order, with their names.
KINDS: dict[str, Any] = {
    HOUSEHOLD: gettext_lazy("世帯"),
    PERSON: gettext_lazy("本人"),
    CASE: gettext_lazy("多機関協働ケース"),
    CONSULTATION: gettext_lazy("相談受付"),
    REFERRAL: gettext_lazy("つなぐシート"),
    OUTREACH: gettext_lazy("アウトリーチ記録"),
    PROGRESS: gettext_lazy("支援経過記録"),
    PARTICIPATION: gettext_lazy("参加支援"),
    ACTIVITY: gettext_lazy("活動記録"),
    ASSESSMENT: gettext_lazy("アセスメント"),
    THREAD: gettext_lazy("オンライン相談"),
}

#: Id lists longer than this are cut short in the printed report (the JSON has them all).
SHOWN_IDS = 50
_CHUNK = 500

Records = dict[str, dict[int, datetime.date]]


def cutoff(today: datetime.date, years: int) -> datetime.date:
    """The earliest closure day still kept on ``today``: ``years`` years before it."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=today.year - years, day=28)


def _day(value: datetime.date | datetime.datetime | None) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


def _note(found: dict[int, datetime.date], key: int | None, *values: Any) -> None:
    """Keep the latest of ``values`` (dates or moments) as ``found[key]``."""
    if key is None:
        return
    for value in values:
        day = _day(value)
        if day is not None and (key not in found or day > found[key]):
            found[key] = day


def _latest(
    queryset: models.QuerySet[Any], key: str, *fields: str, into: dict[int, datetime.date]
) -> None:
    """The latest of ``fields`` per ``key``, one grouped query, merged into ``into``."""
    names = {f"latest_{index}": Max(name) for index, name in enumerate(fields)}
    for row in queryset.order_by().values(key).annotate(**names).values_list(key, *names):
        _note(into, row[0], *row[1:])


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


# ---------------------------------------------------------------------------
# The report


@dataclass
class Unit:
    """What one transaction anonymises: a whole household, the expired cases
    and consultations of a household that stays, or one consultation of no
    household."""

    household_id: int | None
    whole: bool
    records: Records = field(default_factory=lambda: defaultdict(dict))
    #: Persons named by these records whom nothing else keeps (checked again on applying).
    persons: dict[int, datetime.date] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int]:
        if self.household_id is not None:
            return (HOUSEHOLD, self.household_id)
        return (CONSULTATION, next(iter(self.records[CONSULTATION])))

    @property
    def closed_on(self) -> datetime.date:
        """The latest closure day among its records: the period ran from it."""
        return max(day for records in self.records.values() for day in records.values())

    def ids(self, kind: str) -> set[int]:
        return set(self.records.get(kind, {}))


@dataclass
class Plan:
    """The dry run: what would be anonymised for one municipality on ``today``."""

    municipality_id: int
    municipality_code: str
    municipality_name: str
    today: datetime.date
    retention_years: int
    units: list[Unit]
    #: オンライン相談 threads (id → closing day), anonymised apart from the units.
    threads: dict[int, datetime.date] = field(default_factory=dict)

    @property
    def cutoff(self) -> datetime.date:
        return cutoff(self.today, self.retention_years)

    def records(self) -> Records:
        found: Records = defaultdict(dict)
        for unit in self.units:
            for kind, records in unit.records.items():
                found[kind].update(records)
            for person, day in unit.persons.items():
                found[PERSON][person] = max(day, found[PERSON].get(person, day))
        found[THREAD].update(self.threads)
        return found

    def ids(self) -> dict[str, list[int]]:
        records = self.records()
        return {kind: sorted(records.get(kind, {})) for kind in KINDS}

    def counts(self) -> dict[str, int]:
        return {kind: len(ids) for kind, ids in self.ids().items()}

    @property
    def oldest_closed_on(self) -> datetime.date | None:
        days = [day for records in self.records().values() for day in records.values()]
        return min(days) if days else None

    @property
    def is_empty(self) -> bool:
        return not self.units and not self.threads

    def as_dict(self) -> dict[str, Any]:
        oldest = self.oldest_closed_on
        return {
            "municipality": self.municipality_code,
            "today": self.today.isoformat(),
            "retention_years": self.retention_years,
            "kept_from": self.cutoff.isoformat(),
            "counts": self.counts(),
            "ids": self.ids(),
            "oldest_closed_on": oldest.isoformat() if oldest else None,
        }

    def lines(self) -> list[str]:
        """The dry run in Japanese, as the command prints it."""
        oldest = self.oldest_closed_on
        lines = [
            _("%(name)s（%(code)s）保存期間を過ぎた記録の匿名化【試行・変更なし】")
            % {"name": self.municipality_name, "code": self.municipality_code},
            _(
                "基準日: %(today)s　保存期間: 終結後%(years)d年（%(cutoff)sより前に終結した記録が対象）"
            )
            % {
                "today": format_wareki(self.today),
                "years": self.retention_years,
                "cutoff": format_wareki(self.cutoff),
            },
        ]
        ids = self.ids()
        for kind, label in KINDS.items():
            shown = ", ".join(str(pk) for pk in ids[kind][:SHOWN_IDS])
            more = len(ids[kind]) - SHOWN_IDS
            if more > 0:
                shown += _(" ほか%(n)d件") % {"n": more}
            line = _("%(label)s: %(n)d件") % {"label": label, "n": len(ids[kind])}
            lines.append(f"  {line}" + (f"（ID: {shown}）" if shown else ""))
        lines.append(
            _("最も古い終結日: %(day)s") % {"day": format_wareki(oldest)}
            if oldest
            else _("保存期間を過ぎた記録はありません。")
        )
        return lines


@dataclass
class Result:
    """What :func:`apply` anonymised."""

    municipality_code: str
    today: datetime.date
    counts: dict[str, int]
    units_applied: int
    units_skipped: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "municipality": self.municipality_code,
            "today": self.today.isoformat(),
            "counts": self.counts,
            "units_applied": self.units_applied,
            "units_skipped": self.units_skipped,
        }

    def lines(self) -> list[str]:
        lines = [
            _(
                "%(code)s: 匿名化しました（世帯ごとの処理 %(applied)d件、対象外になったもの %(skipped)d件）"
            )
            % {
                "code": self.municipality_code,
                "applied": self.units_applied,
                "skipped": self.units_skipped,
            }
        ]
        for kind, label in KINDS.items():
            lines.append("  " + _("%(label)s: %(n)d件") % {"label": label, "n": self.counts[kind]})
        return lines


# ---------------------------------------------------------------------------
# Deciding what has expired


def _case_end(
    stage: str,
    closed_on: datetime.date | None,
    follow_up_until: datetime.date | None,
    stage_changed_at: datetime.datetime,
) -> datetime.date | None:
    """The day a case's team support ended, or None while it has not."""
    if stage in OPEN_STAGES:
        return None
    if stage == Stage.FOLLOW_UP:
        return follow_up_until
    days = [d for d in (closed_on, follow_up_until, _day(stage_changed_at)) if d is not None]
    return max(days)


def _logged(kind: str, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` were anonymised before."""
    found: set[int] = set()
    for chunk in _chunks(ids):
        found.update(
            AnonymisedRecord.objects.filter(record_type=kind, record_id__in=chunk).values_list(
                "record_id", flat=True
            )
        )
    return found


def _person_links() -> list[tuple[Any, str, str, str]]:
    """Where a person is named: (manager, person field, record lookup, record
    kind), from the person links the apps declare (``tsunagu.links``) whose
    record keeps the person named while it is kept."""
    found: list[tuple[Any, str, str, str]] = []
    for link in registry.person_links:
        if link.retained_with is None:
            continue  # anonymised with the person (a participation profile)
        kind, path = link.retained_with
        table, _field = link.rows()
        found.append((table._default_manager, link.column(), path, kind))
    return found


def _persons_named(records: Records) -> list[tuple[int, str, int]]:
    """(person, kind, record) for every person one of ``records`` names."""
    found: list[tuple[int, str, int]] = []
    for manager, person_field, record_field, kind in _person_links():
        for chunk in _chunks(records.get(kind, {})):
            found += [
                (person_id, kind, record_id)
                for person_id, record_id in manager.filter(
                    **{f"{record_field}__in": chunk, f"{person_field}__isnull": False}
                ).values_list(person_field, record_field)
            ]
    return found


def _persons_free(candidates: Iterable[int], records: Records) -> set[int]:
    """Those of ``candidates`` (not anonymised yet) whom no record outside
    ``records`` and the ones anonymised before names."""
    candidates = set(candidates) - _logged(PERSON, candidates)
    outside: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for manager, person_field, record_field, kind in _person_links():
        for chunk in _chunks(candidates):
            for person_id, record_id in manager.filter(
                **{f"{person_field}__in": chunk}
            ).values_list(person_field, record_field):
                if record_id not in records.get(kind, {}):
                    outside[kind][record_id].add(person_id)
    kept: set[int] = set()
    for kind, persons_by_record in outside.items():
        anonymised = _logged(kind, persons_by_record)
        for record_id, persons in persons_by_record.items():
            if record_id not in anonymised:
                kept |= persons
    return candidates - kept


def _activity_links() -> list[Link]:
    """The links whose records count toward a household's latest activity:
    those tied to it directly, and those tied through a case whose model has
    no direct link with its activity (a meeting's agenda item, a plan's
    monitorings)."""
    direct = [link for link in registry.of_kind(Kind.HOUSEHOLD) if link.activity]
    models_direct = {link.model for link in direct}
    through_case = [
        link
        for link in registry.of_kind(Kind.CASE)
        if link.activity and link.model not in models_direct
    ]
    return direct + through_case


#: Records anonymised only with their household or case (or consultation).
_FOLLOWERS = (REFERRAL, OUTREACH, PROGRESS, PARTICIPATION, ACTIVITY, ASSESSMENT)


def _follower_links() -> list[tuple[str, Any, str, str]]:
    """(kind, manager, household field, case field or "") of each follower,
    from the links its app declares (``tsunagu.links``)."""
    found = []
    for kind in _FOLLOWERS:
        model = apps.get_model(kind)
        links = registry.of_model(model)
        [household] = [link.field for link in links if link.kind == Kind.HOUSEHOLD]
        cases = [link.field for link in links if link.kind == Kind.CASE]
        found.append((kind, model._default_manager, household, cases[0] if cases else ""))
    return found


class _Planner:
    """Works out the expired records of the current municipality on ``today``,
    for all of its households, or only for ``households`` and the
    consultations of no household in ``loose`` (to check one unit again)."""

    def __init__(
        self,
        municipality: Municipality,
        today: datetime.date,
        households: set[int] | None = None,
        loose: set[int] | None = None,
        with_persons: bool = True,
    ) -> None:
        self.municipality = municipality
        self.with_persons = with_persons
        self.today = today
        self.cutoff = cutoff(today, municipality.retention_years)
        self.households = households
        self.loose = loose

    def _in_households(self, path: str) -> Q:
        return Q() if self.households is None else Q(**{f"{path}__in": self.households})

    def build(self) -> Plan:
        cases = self._cases()
        expired_households, household_days = self._households(cases)
        units: dict[tuple[str, int], Unit] = {}

        def unit_of(household_id: int | None, consultation_id: int | None = None) -> Unit:
            if household_id is None:
                key: tuple[str, int] = (CONSULTATION, consultation_id or 0)
            else:
                key = (HOUSEHOLD, household_id)
            if key not in units:
                units[key] = Unit(household_id, whole=household_id in expired_households)
            return units[key]

        # Whole households: every record of theirs, closed on the household's day.
        for household_id in expired_households:
            unit_of(household_id).records[HOUSEHOLD][household_id] = household_days[household_id]
        case_unit: dict[int, Unit] = {}
        for case_id, (household_id, _end) in cases.items():
            if household_id in expired_households:
                unit = unit_of(household_id)
                unit.records[CASE][case_id] = household_days[household_id]
                case_unit[case_id] = unit
        # Cases of households that stay.
        logged_cases = _logged(CASE, cases)
        for case_id, (household_id, end) in cases.items():
            if (
                case_id not in case_unit
                and case_id not in logged_cases
                and end is not None
                and end < self.cutoff
            ):
                unit = unit_of(household_id)
                unit.records[CASE][case_id] = end
                case_unit[case_id] = unit
        self._consultations(cases, expired_households, household_days, case_unit, unit_of)
        self._followers(expired_households, household_days, case_unit, units)
        plan = Plan(
            municipality_id=self.municipality.pk,
            municipality_code=self.municipality.code,
            municipality_name=self.municipality.name,
            today=self.today,
            retention_years=self.municipality.retention_years,
            units=[units[key] for key in sorted(units, key=lambda k: (k[0] != HOUSEHOLD, k[1]))],
        )
        if self.with_persons:
            self._persons(plan)
        return plan

    def _cases(self) -> dict[int, tuple[int, datetime.date | None]]:
        """Every case (of the households looked at) → (household, the day it
        ended counting its later outreach, participation, meetings and
        monitorings; None while it is open or kept by an open path)."""
        rows = list(
            Case.objects.filter(self._in_households("household_id")).values_list(
                "id", "household_id", "stage", "closed_on", "follow_up_until", "stage_changed_at"
            )
        )
        ids = [row[0] for row in rows]
        later: dict[int, datetime.date] = {}
        held_open: set[int] = set()
        for chunk in _chunks(ids):
            # The activity of the records the apps declare tied to a case.
            for link in registry.of_kind(Kind.CASE):
                if link.activity:
                    _latest(
                        link.model_class._default_manager.filter(**{f"{link.field}__in": chunk}),
                        link.field,
                        *link.activity,
                        into=later,
                    )
            held_open.update(
                Participation.objects.filter(
                    case_id__in=chunk, stage__in=PARTICIPATION_OPEN
                ).values_list("case_id", flat=True)
            )
        cases: dict[int, tuple[int, datetime.date | None]] = {}
        for case_id, household_id, stage, closed_on, follow_up_until, changed_at in rows:
            end = _case_end(stage, closed_on, follow_up_until, changed_at)
            # A watch period still running: the team may yet resume.
            if end is not None and end <= self.today and case_id not in held_open:
                end = max(end, later.get(case_id, end))
            else:
                end = None
            cases[case_id] = (household_id, end)
        return cases

    def _households(
        self, cases: dict[int, tuple[int, datetime.date | None]]
    ) -> tuple[set[int], dict[int, datetime.date]]:
        """The households that expired, and each household's day of latest activity."""
        days: dict[int, datetime.date] = {}
        in_households = self._in_households("household_id")
        for link in _activity_links():
            path = link.household_path
            _latest(
                link.model_class._default_manager.filter(self._in_households(path)),
                path,
                *link.activity,
                into=days,
            )
        # A referral of no household made from one of its consultations.
        _latest(
            Referral.objects.filter(
                self._in_households("consultation__household_id"), household=None
            ),
            "consultation__household_id",
            *next(link.activity for link in registry.of_model(Referral) if link.activity),
            into=days,
        )
        kept: set[int] = set()
        for household_id, end in cases.values():
            if end is None:
                kept.add(household_id)
            else:
                _note(days, household_id, end)
        kept.update(
            Referral.objects.filter(in_households, status__in=REFERRAL_OPEN).values_list(
                "household_id", flat=True
            )
        )
        kept.update(
            Referral.objects.filter(
                self._in_households("consultation__household_id"),
                household=None,
                status__in=REFERRAL_OPEN,
            ).values_list("consultation__household_id", flat=True)
        )
        kept.update(
            Participation.objects.filter(in_households, stage__in=PARTICIPATION_OPEN).values_list(
                "household_id", flat=True
            )
        )
        kept.update(
            Participation.objects.filter(
                self._in_households("case__household_id"), stage__in=PARTICIPATION_OPEN
            ).values_list("case__household_id", flat=True)
        )
        households = list(
            Household.objects.filter(self._in_households("id")).values_list("id", "created_at")
        )
        for household_id, created_at in households:
            if household_id not in days:
                days[household_id] = timezone.localdate(created_at)
        candidates = {
            household_id
            for household_id, _created in households
            if household_id not in kept and days[household_id] < self.cutoff
        }
        return candidates - _logged(HOUSEHOLD, candidates), days

    def _consultations(
        self,
        cases: dict[int, tuple[int, datetime.date | None]],
        expired_households: set[int],
        household_days: dict[int, datetime.date],
        case_unit: dict[int, Unit],
        unit_of: Any,
    ) -> None:
        if self.households is None:
            scope = Q()
        else:
            scope = Q(household_id__in=self.households) | Q(
                household=None, cases__household_id__in=self.households
            )
            if self.loose:
                scope |= Q(household=None, id__in=self.loose)
        rows = list(
            Consultation.objects.filter(scope)
            .distinct()
            .values_list("id", "household_id", "received_at")
        )
        ids = [row[0] for row in rows]
        logged = _logged(CONSULTATION, ids)
        led_to: dict[int, set[int]] = defaultdict(set)
        days: dict[int, datetime.date] = {}
        held_open: set[int] = set()
        for chunk in _chunks(ids):
            for consultation_id, case_id in Case.consultations.through.objects.filter(
                consultation_id__in=chunk
            ).values_list("consultation_id", "case_id"):
                led_to[consultation_id].add(case_id)
            referrals = Referral.objects.filter(consultation_id__in=chunk)
            _latest(
                referrals,
                "consultation_id",
                "created_at",
                "sent_at",
                "closed_at",
                "report_back_at",
                into=days,
            )
            held_open.update(
                referrals.filter(status__in=REFERRAL_OPEN).values_list("consultation_id", flat=True)
            )
        open_case_households = {household for household, end in cases.values() if end is None}
        logged_cases = _logged(CASE, {case for linked in led_to.values() for case in linked})
        for consultation_id, household_id, received_at in rows:
            if consultation_id in logged:
                continue
            if household_id is None:
                # Of no household: with the household of the case it led to, if that expired.
                whole = [
                    cases[c][0]
                    for c in led_to[consultation_id]
                    if c in case_unit and case_unit[c].whole
                ]
                if whole:
                    unit = unit_of(whole[0])
                    unit.records[CONSULTATION][consultation_id] = household_days[whole[0]]
                    continue
            elif household_id in expired_households:
                unit = unit_of(household_id)
                unit.records[CONSULTATION][consultation_id] = household_days[household_id]
                continue
            if (
                self.households is not None
                and household_id is None
                and (not self.loose or consultation_id not in self.loose)
            ):
                continue
            _note(days, consultation_id, received_at)
            if (
                household_id in open_case_households
                or consultation_id in held_open
                or any(
                    c not in case_unit and c not in logged_cases for c in led_to[consultation_id]
                )
                or days[consultation_id] >= self.cutoff
            ):
                continue
            unit = unit_of(household_id, consultation_id)
            unit.records[CONSULTATION][consultation_id] = days[consultation_id]

    def _followers(
        self,
        expired_households: set[int],
        household_days: dict[int, datetime.date],
        case_unit: dict[int, Unit],
        units: dict[tuple[str, int], Unit],
    ) -> None:
        """Referrals, outreach contacts, participation paths and activity
        records that go with an expired household, case or consultation."""
        for kind, manager, household_field, case_field in _follower_links():
            found: dict[int, tuple[Unit, datetime.date]] = {}
            for chunk in _chunks(expired_households):
                for record_id, household_id in manager.filter(
                    **{f"{household_field}__in": chunk}
                ).values_list("id", household_field):
                    found[record_id] = (
                        units[(HOUSEHOLD, household_id)],
                        household_days[household_id],
                    )
            if case_field:
                for chunk in _chunks(case_unit):
                    for record_id, case_id in manager.filter(
                        **{f"{case_field}__in": chunk}
                    ).values_list("id", case_field):
                        unit = case_unit[case_id]
                        found.setdefault(record_id, (unit, unit.records[CASE][case_id]))
            for record_id, (unit, day) in found.items():
                unit.records[kind][record_id] = day
        # Closed referrals of no household made from an expired consultation.
        by_consultation = {
            consultation_id: unit
            for unit in units.values()
            for consultation_id in unit.ids(CONSULTATION)
        }
        for chunk in _chunks(by_consultation):
            for record_id, consultation_id in (
                Referral.objects.filter(consultation_id__in=chunk, household=None)
                .exclude(status__in=REFERRAL_OPEN)
                .values_list("id", "consultation_id")
            ):
                unit = by_consultation[consultation_id]
                unit.records[REFERRAL].setdefault(
                    record_id, unit.records[CONSULTATION][consultation_id]
                )
        # What was anonymised before (a case of a household that stayed then) is done.
        for unit in units.values():
            for kind in list(unit.records):
                for record_id in _logged(kind, unit.records[kind]):
                    del unit.records[kind][record_id]
                if not unit.records[kind]:
                    del unit.records[kind]

    def _persons(self, plan: Plan) -> None:
        """The persons each unit anonymises: named by its records, and by no
        record outside the plan that is not anonymised yet."""
        owner = {
            (kind, record_id): unit
            for unit in plan.units
            for kind, records in unit.records.items()
            for record_id in records
        }
        records = plan.records()
        named = _persons_named(records)
        free = _persons_free({person for person, _kind, _record in named}, records)
        for person_id, kind, record_id in named:
            if person_id in free:
                unit = owner[(kind, record_id)]
                _note(unit.persons, person_id, unit.records[kind][record_id])
        # Records merged into a person go with that person.
        absorbed: dict[int, list[int]] = defaultdict(list)
        for chunk in _chunks(free):
            for person_id, survivor_id in Person.objects.filter(
                merged_into_id__in=chunk
            ).values_list("id", "merged_into_id"):
                absorbed[survivor_id].append(person_id)
        logged = _logged(PERSON, {p for persons in absorbed.values() for p in persons})
        for unit in plan.units:
            for survivor_id, day in list(unit.persons.items()):
                for person_id in absorbed.get(survivor_id, []):
                    if person_id not in logged:
                        _note(unit.persons, person_id, day)


def plan(municipality: Municipality, today: datetime.date | None = None) -> Plan:
    """The dry run for ``municipality`` on ``today``: changes nothing."""
    today = today or timezone.localdate()
    with tenancy.tenant_context(municipality):
        built = _Planner(municipality, today).build()
        built.threads = frontdoor_retention.plan(built.cutoff)
        return built


# ---------------------------------------------------------------------------
# Anonymising


def _scrub(queryset: models.QuerySet[Any], *fields: str, **values: Any) -> None:
    """Replace each of ``fields`` that holds text with :data:`MARKER` (an
    empty one stays empty) and set ``values``, in one UPDATE. History rows
    are append-only for the application; this is the one place that
    rewrites them, and only their text."""
    updates: dict[str, Any] = {
        name: models.Case(When(**{name: ""}, then=Value("")), default=Value(MARKER))
        for name in fields
    }
    updates.update(values)
    queryset.update(**updates)


def _anonymise_cases(ids: list[int]) -> None:
    _scrub(Case.objects.filter(id__in=ids), "title", "next_action", "evaluation")
    _scrub(CaseEvent.objects.filter(case_id__in=ids), "note")
    _scrub(CaseTeamMember.objects.filter(case_id__in=ids), "role")
    _scrub(
        Consent.objects.filter(case_id__in=ids),
        "representative_name",
        "representative_relationship",
        "note",
        "withdrawal_note",
    )
    _scrub(SupportPlan.objects.filter(case_id__in=ids), "overall_goal", "changes")
    _scrub(PlanMember.objects.filter(plan__case_id__in=ids), "wishes", "issues")
    _scrub(PlanGoal.objects.filter(member__plan__case_id__in=ids), "text")
    _scrub(SupportItem.objects.filter(plan__case_id__in=ids), "content")
    _scrub(Monitoring.objects.filter(plan__case_id__in=ids), "summary")
    _scrub(GoalProgress.objects.filter(monitoring__plan__case_id__in=ids), "note")
    _scrub(
        AgendaItem.objects.filter(case_id__in=ids),
        "brief_household",
        "brief_current",
        "brief_organizations",
        "brief_requests",
        "policy",
        "roles",
    )
    _scrub(ActionItem.objects.filter(agenda_item__case_id__in=ids), "content", "result")


def _anonymise_minutes(case_ids: list[int]) -> None:
    """Minutes of case meetings that discussed anonymised cases only."""
    meetings = set(
        AgendaItem.objects.filter(case_id__in=case_ids).values_list("part__meeting_id", flat=True)
    )
    if not meetings:
        return
    other_kinds = set(
        MeetingPart.objects.filter(meeting_id__in=meetings)
        .exclude(kind__in=CASE_KINDS)
        .values_list("meeting_id", flat=True)
    )
    discussed: dict[int, set[int]] = defaultdict(set)
    for meeting_id, case_id in AgendaItem.objects.filter(part__meeting_id__in=meetings).values_list(
        "part__meeting_id", "case_id"
    ):
        discussed[meeting_id].add(case_id)
    every_case = {case for cases in discussed.values() for case in cases}
    anonymised = _logged(CASE, every_case) | set(case_ids)
    done = [
        meeting_id
        for meeting_id, cases in discussed.items()
        if meeting_id not in other_kinds and cases <= anonymised
    ]
    _scrub(Meeting.objects.filter(id__in=done), "minutes")


def _anonymise_persons(ids: list[int]) -> None:
    for chunk in _chunks(ids):
        _scrub(
            Person.objects.filter(id__in=chunk),
            "address",
            "phone",
            "language_note",
            "nationality_note",
            family_name=MARKER,
            given_name="",
            family_name_kana="",
            given_name_kana="",
            birth_date=None,
            name_key="",
            family_key="",
            kana_key="",
            family_kana_key="",
            sound_key="",
            roman_key="",
        )
        PersonNameGram.objects.filter(person_id__in=chunk).delete()
        # A life event is anonymised with the person it is about (and with its household).
        _scrub(LifeEvent.objects.filter(person_id__in=chunk), "description", "source_note")
        _scrub(
            ParticipationProfile.objects.filter(person_id__in=chunk),
            "wishes",
            "constraints_note",
            interests=[],
            strengths=[],
        )
        _scrub(
            PersonMerge.objects.filter(Q(survivor_id__in=chunk) | Q(absorbed_id__in=chunk)),
            "reason",
            "undo_reason",
        )


def _anonymise(unit: Unit, households: list[int], persons: list[int]) -> None:
    ids = {kind: sorted(unit.ids(kind)) for kind in KINDS}
    if households:
        _scrub(
            Household.objects.filter(id__in=households), "address", "phone", "note", label=MARKER
        )
        _scrub(HouseholdMembership.objects.filter(household_id__in=households), "end_reason")
        _scrub(EmergencyAccess.objects.filter(household_id__in=households), "reason", "review_note")
        _scrub(LifeEvent.objects.filter(household_id__in=households), "description", "source_note")
        _scrub(
            ParticipationProfile.objects.filter(household_id__in=households),
            "wishes",
            "constraints_note",
            interests=[],
            strengths=[],
        )
    if ids[CASE]:
        _anonymise_cases(ids[CASE])
    _scrub(
        Consultation.objects.filter(id__in=ids[CONSULTATION]),
        "consulter_note",
        "unknown_subject",
        "summary",
        search_text="",
    )
    # The text is gone, and so are its pieces in the search index.
    ConsultationGram.objects.filter(consultation_id__in=ids[CONSULTATION]).delete()
    _scrub(
        Referral.objects.filter(id__in=ids[REFERRAL]), "request", "shared_summary", "report_back"
    )
    _scrub(ReferralEvent.objects.filter(referral_id__in=ids[REFERRAL]), "note")
    _scrub(
        OutreachContact.objects.filter(id__in=ids[OUTREACH]), "intent_note", "content", "next_step"
    )
    _scrub(
        ProgressNote.objects.filter(id__in=ids[PROGRESS]),
        "other_participants",
        "content",
        "next_step",
    )
    _scrub(
        Participation.objects.filter(id__in=ids[PARTICIPATION]),
        "reason",
        "arrangement",
        "end_reason",
    )
    _scrub(ParticipationEvent.objects.filter(participation_id__in=ids[PARTICIPATION]), "note")
    _scrub(ActivityRecord.objects.filter(id__in=ids[ACTIVITY]), "intent", "note")
    _scrub(
        Assessment.objects.filter(id__in=ids[ASSESSMENT]),
        "background",
        "person_issues",
        "household_issues",
        "wishes",
        notes={},
    )
    _anonymise_persons(persons)
    if ids[CASE]:
        _anonymise_minutes(ids[CASE])


def _apply_unit(municipality: Municipality, today: datetime.date, unit: Unit) -> Records | None:
    """Anonymise ``unit`` if it still qualifies (checked inside the transaction);
    return what was anonymised, or None."""
    if unit.household_id is not None:
        # Held for the rest of the transaction: a record added to the
        # household meanwhile waits for it, and the next run sees it.
        list(Household.objects.select_for_update().filter(pk=unit.household_id).values("pk"))
        fresh = _Planner(
            municipality, today, households={unit.household_id}, loose=set(), with_persons=False
        ).build()
    else:
        fresh = _Planner(
            municipality, today, households=set(), loose=unit.ids(CONSULTATION), with_persons=False
        ).build()
    now = {u.key: u for u in fresh.units}.get(unit.key)
    if now is None:
        return None
    records: Records = defaultdict(dict)
    for kind, planned in unit.records.items():
        for record_id, day in planned.items():
            if record_id in now.records.get(kind, {}):
                records[kind][record_id] = day
    if not records:
        return None
    kept = Unit(unit.household_id, whole=unit.whole and HOUSEHOLD in records, records=records)
    named = {person for person, _kind, _record in _persons_named(kept.records)}
    persons = sorted(_persons_free(set(unit.persons) & named, kept.records))
    absorbed = list(Person.objects.filter(merged_into_id__in=persons).values_list("id", flat=True))
    absorbed = sorted(set(absorbed) - _logged(PERSON, absorbed) - set(persons))
    persons += absorbed
    _anonymise(kept, sorted(kept.ids(HOUSEHOLD)), persons)
    for person_id in persons:
        records[PERSON][person_id] = unit.persons.get(person_id, kept.closed_on)
    AnonymisedRecord.objects.bulk_create(
        [
            AnonymisedRecord(
                municipality=municipality, record_type=kind, record_id=record_id, closed_on=day
            )
            for kind, found in records.items()
            for record_id, day in found.items()
        ],
        batch_size=1000,
    )
    object_type, object_id = kept.key
    audit_record(
        AuditAction.CHANGE,
        municipality=municipality,
        actor_label=ACTOR_LABEL,
        object_type=object_type,
        object_id=str(object_id),
        detail={
            "retention": "anonymised",
            "whole_household": kept.whole,
            "retention_years": municipality.retention_years,
            "closed_on": kept.closed_on.isoformat(),
            "counts": {kind: len(records.get(kind, {})) for kind in KINDS},
            "ids": {kind: sorted(records[kind]) for kind in KINDS if records.get(kind)},
        },
    )
    return records


def apply(plan: Plan) -> Result:
    """Anonymise what ``plan`` found, one transaction per household, each
    checked again first; audit each household and the whole run."""
    if plan.today > timezone.localdate():
        raise ValueError(_("基準日が未来の試行結果は適用できません。"))
    municipality = Municipality.objects.get(pk=plan.municipality_id)
    counts = dict.fromkeys(KINDS, 0)
    applied = skipped = 0
    with tenancy.tenant_context(municipality):
        for unit in plan.units:
            with transaction.atomic():
                done = _apply_unit(municipality, plan.today, unit)
            if done is None:
                skipped += 1
                continue
            applied += 1
            for kind in KINDS:
                counts[kind] += len(done.get(kind, {}))
        threads = frontdoor_retention.apply(plan.threads, plan.cutoff)
        counts[THREAD] = len(threads)
        AnonymisedRecord.objects.bulk_create(
            [
                AnonymisedRecord(
                    municipality=municipality, record_type=THREAD, record_id=pk, closed_on=day
                )
                for pk, day in threads.items()
            ]
        )
        result = Result(municipality.code, plan.today, counts, applied, skipped)
        if applied or skipped or threads:
            oldest = plan.oldest_closed_on
            audit_record(
                AuditAction.CHANGE,
                obj=municipality,
                municipality=municipality,
                actor_label=ACTOR_LABEL,
                detail={
                    "retention": "summary",
                    "today": plan.today.isoformat(),
                    "retention_years": municipality.retention_years,
                    "kept_from": cutoff(plan.today, municipality.retention_years).isoformat(),
                    "counts": counts,
                    "units_applied": applied,
                    "units_skipped": skipped,
                    "oldest_closed_on": oldest.isoformat() if oldest else None,
                },
            )
    return result
