"""The demo ward's records behind seed 000's report: enough consultations,
meetings, activity records and counted entries in 令和6年度 and in
令和7年4月〜6月 that the business report, counting them, shows every figure
the seed shows.

The report layout is installed first (tsunagu/reports/layout.py). Then, for
each row and column, the generator asks the report's own counting how many
records are already there (the other demo loaders date their records
relative to today, and some fall in those months) and writes the
difference — so the figures come from records the report counts, never from
a typed total. Where the seed leaves a cell blank the generator writes a
believable number. Plaza visitors and the 自立相談 plans are counted entries
by nature (they are kept outside this system), one per month.

The ネウボラ row (「*委託事業件数と合算」) gets its contractor's share as
counted entries and the rest as consultations.

Also written: the 地域福祉コーディネーター's new individual consultations of
令和4・5年度 (64 and 84: seed 001's indicator, computed from records too).
"""

from __future__ import annotations

import calendar
import random
import secrets
import time as clock
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from tsunagu.accounts import services as account_services
from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.activities.models import ActivityRecord, CountedEntry, Direction
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.consultations.models import (
    Channel,
    ConsentToShare,
    Consultation,
    ConsultationGram,
    Consulter,
    Outcome,
    Topic,
    Urgency,
)
from tsunagu.core import tenancy, wareki
from tsunagu.core.database import insert_rows
from tsunagu.core.models import Municipality
from tsunagu.demo.names import synthetic_name
from tsunagu.directory.models import District, Organization
from tsunagu.meetings.models import Attendee, Kind, Meeting, MeetingPart
from tsunagu.meetings.models import Status as MeetingStatus
from tsunagu.people.names import normalize_text, text_grams
from tsunagu.reports import metrics
from tsunagu.reports.layout import (
    SEED_000_LAYOUT,
    SEED_FISCAL_YEAR,
    SEED_QUARTER,
    report_layout_install,
)
from tsunagu.reports.metrics import Period
from tsunagu.reports.models import Metric, ReportRow, ReportTable

#: The coordinators' organization (地域福祉コーディネーター・生活支援コーディネーター).
COUNCIL = "社会福祉協議会"
COORDINATOR_ORGANIZATION = "福祉政策課"
#: The contractor's share of a figure 「*委託事業件数と合算」 (ネウボラ相談件数).
CONTRACTED_SHARE = 0.15
#: seed 001: 地域福祉コーディネーターの個人支援の新規件数, R4 and R5 (R6 is seed 000's 92).
EARLIER_NEW_INDIVIDUAL = {2022: 64, 2023: 84}

#: Relative weight of each month (April first): quieter in August and at New Year.
MONTH_WEIGHTS = {
    4: 1.05,
    5: 0.95,
    6: 1.05,
    7: 1.0,
    8: 0.85,
    9: 0.95,
    10: 1.05,
    11: 1.0,
    12: 0.9,
    1: 0.9,
    2: 0.95,
    3: 1.1,
}


def seed_periods() -> tuple[Period, Period]:
    return Period.fiscal_year(SEED_FISCAL_YEAR), Period(*wareki.quarter_range(*SEED_QUARTER))


@dataclass(frozen=True)
class Summary:
    consultations: int
    meetings: int
    activities: int
    counted_entries: int
    seconds: float


# What the consultations of each kind of window are about: (main topic, summary).
_TOPICS: dict[str, list[tuple[str, str]]] = {
    "高齢者あんしん相談センター": [
        (Topic.CARE, "介護保険サービスの利用について相談"),
        (Topic.CARE, "要介護認定の申請方法の問い合わせ"),
        (Topic.HEALTH, "物忘れが増えた家族への対応について相談"),
        (Topic.FAMILY, "離れて暮らす親の見守りについて相談"),
        (Topic.HOUSING, "住み替え・住宅改修について相談"),
        (Topic.COMMUNITY, "近隣の高齢者の様子が気になるとの連絡"),
    ],
    "子ども家庭支援センター": [
        (Topic.CHILDCARE, "子育ての悩みについて相談"),
        (Topic.CHILDCARE, "一時預かり・ショートステイの問い合わせ"),
        (Topic.FAMILY, "親子関係について相談"),
        (Topic.WITHDRAWAL, "登校しぶりについて相談"),
    ],
    "障害者基幹相談支援センター": [
        (Topic.HEALTH, "障害福祉サービスの利用について相談"),
        (Topic.WORK_WORRIES, "職場での困りごとについて相談"),
        (Topic.FAMILY, "家族の将来の暮らしについて相談"),
    ],
    "保健サービスセンター": [
        (Topic.CHILDCARE, "妊娠・出産についての相談（ネウボラ面接）"),
        (Topic.HEALTH, "産後の体調について相談"),
        (Topic.CHILDCARE, "乳幼児の発育について相談"),
    ],
    "自立相談支援窓口": [
        (Topic.INCOME, "生活費が足りないとの相談"),
        (Topic.JOB_SEARCH, "仕事探しについて相談"),
        (Topic.RENT_LOAN, "家賃の支払いについて相談"),
        (Topic.DEBT, "借金の返済について相談"),
    ],
    "福祉政策課": [
        (Topic.FAMILY, "複数の課題を抱える世帯について関係機関から相談"),
        (Topic.WITHDRAWAL, "長くひきこもっている家族について相談"),
    ],
}

#: Who a window consultation was about, when no one was identified (the
#: intake's 「対象者が未特定の場合の手がかり」): these records count, they name no one.
_CLUES = [
    "窓口に来所した方（氏名は聞いていない）",
    "電話での問い合わせ（匿名）",
    "ご家族からの一般的な問い合わせ",
    "地域の方からの問い合わせ",
]
#: Login IDs of the windows' reception staff (see _Writer.reception_of).
RECEPTION_PREFIX = "uketsuke-"

_CHANNELS = [Channel.VISIT_WINDOW] * 4 + [Channel.PHONE] * 5 + [Channel.HOME_VISIT, Channel.EMAIL]
_CONSULTERS = [Consulter.SELF] * 5 + [Consulter.FAMILY] * 3 + [Consulter.NEIGHBOUR, Consulter.MINSEI_IIN, Consulter.ORGANIZATION]  # fmt: skip
_OUTCOMES = [Outcome.ADVICE_ENDED] * 6 + [Outcome.CONTINUE_HERE] * 3 + [Outcome.WATCH]

_MEETING_TITLES: dict[str, str] = {
    Kind.SUPPORT_MEETING: "支援会議（事例検討）",
    Kind.LIAISON: "関係者連絡会",
    Kind.WORKING_GROUP: "作業部会",
    Kind.BRIEFING: "重層的支援体制整備事業 説明会",
    Kind.TRAINING: "支援関係機関向け研修",
}

_MINUTES: dict[str, str] = {
    Kind.SUPPORT_MEETING: "出席者全員の守秘義務の誓約を確認のうえ、事例の情報を共有し、関係機関の役割分担と次回までの働きかけを確認した。",
    Kind.LIAISON: "各機関の取組状況を報告し、連携の課題と今後の進め方を共有した。",
    Kind.WORKING_GROUP: "つなぐシートの運用と帳票の改善点を検討した。",
    Kind.BRIEFING: "重層的支援体制整備事業の趣旨と相談のつなぎ方を説明し、質疑応答を行った。",
    Kind.TRAINING: "事例検討の進め方と本人同意の取り方について研修を行った。",
}

#: Short intents per (category, kind): why the coordinator acted (no names).
_INTENTS: dict[tuple[str, str], list[str]] = {
    ("individual", "relationship"): [
        "顔を覚えてもらう",
        "本人と話せる関係をつくる",
        "家族の思いを聴く",
    ],
    ("individual", "individual_support"): [
        "通院の同行を調整する",
        "手続きを一緒に進める",
        "生活の困りごとを整理する",
    ],
    ("individual", "liaison"): [
        "関係機関と支援の方針をすり合わせる",
        "民生委員と見守りの分担を確認する",
    ],
    ("community", "relationship"): [
        "町会長と顔の見える関係をつくる",
        "サロンの世話人と情報交換する",
    ],
    ("community", "launch"): ["子ども食堂の立ち上げを相談に乗る", "新しい居場所の会場探しを手伝う"],
    ("community", "operation"): [
        "居場所の運営会議に参加する",
        "サロンの担い手不足について話し合う",
    ],
    ("community", "liaison"): ["地域団体と関係機関をつなぐ", "町会と学校の連携を調整する"],
    ("life_support", "information"): [
        "地域の生活支援サービスを調べる",
        "買い物支援の実態を聞き取る",
    ],
    ("life_support", "relationship"): ["地域の事業者と関係をつくる", "協議体の構成員と話す"],
    ("life_support", "planning"): ["協議体で支え合いの仕組みを企画する"],
    ("life_support", "operation"): ["住民の支え合い活動の運営を支える", "通いの場の運営を手伝う"],
    ("new_consultation", "new_individual"): ["地域から気になる人の相談を受ける"],
    ("new_consultation", "new_community"): ["地域団体から活動の相談を受ける"],
}


#: The columns the bulk inserts write, in order (every column without a
#: database default: the ORM does not fill them in here).
CONSULTATION_FIELDS = [
    "municipality", "organization", "received_by", "received_at", "channel", "consulter",
    "consulter_note", "unknown_subject", "main_topic", "life_issues", "summary", "urgency",
    "consent_to_share", "outcome", "search_text", "created_at", "created_by", "updated_at",
    "archive_reason",
]  # fmt: skip
ACTIVITY_FIELDS = [
    "municipality", "organization", "staff", "occurred_on", "district", "category", "kind",
    "mode", "direction", "intent", "note", "created_at", "created_by", "updated_at",
    "archive_reason",
]  # fmt: skip


def _weekdays(period: Period) -> list[date]:
    days, day = [], period.start
    while day <= period.end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


class _Writer:
    def __init__(self, municipality: Municipality, rng: random.Random) -> None:
        self.municipality = municipality
        self.rng = rng
        self.organizations = {o.name: o for o in Organization.objects.all()}
        self.districts = list(District.objects.order_by("sort_order"))
        self.coordinator = self.organizations[COORDINATOR_ORGANIZATION]
        self._staff: dict[int, list[Staff]] = {}
        self._reception: dict[int, list[Staff]] = {}
        self.counts = {"consultations": 0, "meetings": 0, "activities": 0, "counted": 0}

    def staff_of(self, organization: Organization) -> list[Staff]:
        """Staff who work at ``organization`` (a branch borrows its main office's)."""
        if organization.pk not in self._staff:
            found = list(
                Staff.objects.filter(
                    memberships__organization=organization, memberships__active=True, is_guest=False
                )
                .distinct()
                .order_by("pk")
            )
            if not found and organization.parent_id is not None:
                found = self.staff_of(Organization.objects.get(pk=organization.parent_id))
            if not found:
                found = self.staff_of(self.coordinator)
            self._staff[organization.pk] = found
        return self._staff[organization.pk]

    def reception_of(self, organization: Organization) -> list[Staff]:
        """The window's reception staff (受付担当), who record the consultations
        the report counts: two per organization, made on first use. Their
        login IDs start with ``RECEPTION_PREFIX``; their accounts cannot sign in."""
        if organization.pk not in self._reception:
            found = list(
                Staff.objects.filter(
                    username__startswith=f"{RECEPTION_PREFIX}{organization.pk}-"
                ).order_by("pk")
            )
            for number in range(len(found) + 1, 3):
                name, reading = synthetic_name(self.rng)
                staff = account_services.staff_create(
                    actor=None, municipality=self.municipality,
                    username=f"{RECEPTION_PREFIX}{organization.pk}-{number}",
                    full_name=name, full_name_kana=reading,
                    password=secrets.token_urlsafe(24), validate=False,
                )  # fmt: skip
                staff.set_unusable_password()
                staff.save(update_fields=["password"])
                account_services.membership_add(
                    actor=None, staff=staff, organization=organization, role=Role.COUNSELOR
                )
                found.append(staff)
            self._reception[organization.pk] = found
        return self._reception[organization.pk]

    def days(self, period: Period, count: int) -> list[date]:
        """``count`` weekdays of ``period``, spread by the month weights."""
        weekdays = _weekdays(period)
        weights = [MONTH_WEIGHTS[day.month] for day in weekdays]
        return sorted(self.rng.choices(weekdays, weights=weights, k=count))

    def moment(self, day: date) -> datetime:
        minute = self.rng.randrange(9 * 60, 17 * 60)
        return timezone.make_aware(datetime.combine(day, time(minute // 60, minute % 60)))

    # -- consultations ---------------------------------------------------------------

    def consultations(self, row: ReportRow, period: Period, count: int) -> None:
        organization = row.organization
        assert organization is not None
        places = [organization]
        if row.include_branches:
            places += list(Organization.objects.filter(parent=organization))
        # A branch (分室) takes about a third of its centre's consultations.
        weights = [3] + [1] * (len(places) - 1)
        topics = next(
            (value for key, value in _TOPICS.items() if organization.name.startswith(key)),
            _TOPICS["福祉政策課"],
        )
        search_text = {
            (summary, clue): normalize_text(f"{summary} {clue}")
            for _topic, summary in topics
            for clue in _CLUES
        }
        rows: list[tuple[Any, ...]] = []
        for day in self.days(period, count):
            place = self.rng.choices(places, weights=weights)[0]
            topic, summary = self.rng.choice(topics)
            received_at = self.moment(day)
            staff = self.rng.choice(self.reception_of(place))
            clue = self.rng.choice(_CLUES)
            rows.append(
                (
                    self.municipality.pk, place.pk, staff.pk, received_at,
                    self.rng.choice(_CHANNELS), self.rng.choice(_CONSULTERS), "", clue,
                    topic, [], summary, Urgency.NORMAL, ConsentToShare.NOT_OBTAINED,
                    self.rng.choice(_OUTCOMES), search_text[(summary, clue)], received_at, staff.pk,
                    received_at, "",
                )
            )  # fmt: skip
        before = Consultation.all_tenants.aggregate(last=Max("pk"))["last"] or 0
        insert_rows(Consultation, CONSULTATION_FIELDS, rows)
        # Each consultation's main topic is also its checked topic (a row each).
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO consultations_consultationtopic (municipality_id, consultation_id, topic)"
                " SELECT municipality_id, id, main_topic FROM consultations_consultation"
                " WHERE id > %s AND municipality_id = %s",
                [before, self.municipality.pk],
            )
        # And the pieces of its text, for word search (a handful of texts, split once each).
        pieces = {text: sorted(text_grams(text)) for text in search_text.values()}
        written = list(
            Consultation.all_tenants.filter(
                pk__gt=before, municipality=self.municipality
            ).values_list("pk", "search_text")
        )  # read before the insert: PostgreSQL's COPY holds the connection
        insert_rows(
            ConsultationGram,
            ["municipality", "consultation", "gram"],
            ((self.municipality.pk, pk, gram) for pk, text in written for gram in pieces[text]),
        )
        self.counts["consultations"] += len(rows)

    # -- meetings ---------------------------------------------------------------------

    def meetings(self, row: ReportRow, period: Period, count: int) -> None:
        kind = row.option
        host = row.organization or self.coordinator
        staff = self.staff_of(host)[0]
        days = sorted(self.rng.sample(_weekdays(period), count))
        for number, day in enumerate(days, start=1):
            meeting = Meeting.objects.create(
                title=f"{_MEETING_TITLES.get(Kind(kind), str(Kind(kind).label))}（{wareki.format_wareki(day)}）",
                organization=host,
                held_on=day,
                starts_at=time(14 if number % 2 else 10, 0),
                ends_at=time(16 if number % 2 else 12, 0),
                place="区役所 会議室",
                status=MeetingStatus.HELD,
                minutes=_MINUTES.get(kind, "議題に沿って報告と意見交換を行った。"),
                created_by=staff,
                created_at=self.moment(day),
            )
            MeetingPart.objects.create(meeting=meeting, kind=kind, order=1)
            Attendee.objects.create(
                meeting=meeting,
                staff=staff,
                name=staff.full_name,
                organization=host,
                pledged_at=self.moment(day) if kind == Kind.SUPPORT_MEETING else None,
                pledge_recorded_by=staff if kind == Kind.SUPPORT_MEETING else None,
            )
            self.counts["meetings"] += 1

    # -- activity records -------------------------------------------------------------

    def activities(self, row: Any, period: Period, count: int) -> None:
        category, kind, mode = metrics.activity_option(row.option)
        council = self.organizations[COUNCIL]
        coordinators = self.staff_of(council)
        intents = _INTENTS[(category, kind)]
        incoming = category == "new_consultation"
        rows = []
        for day in self.days(period, count):
            staff = self.rng.choice(coordinators)
            district = (
                row.district if row.district_id is not None else self.rng.choice(self.districts)
            )
            direction = (
                Direction.INCOMING if incoming or self.rng.random() < 0.15 else Direction.OUTGOING
            )
            moment = self.moment(day)
            rows.append(
                (
                    self.municipality.pk, council.pk, staff.pk, day, district.pk, category, kind,
                    mode, direction, self.rng.choice(intents), "", moment, staff.pk, moment, "",
                )
            )  # fmt: skip
        insert_rows(ActivityRecord, ACTIVITY_FIELDS, rows)
        self.counts["activities"] += len(rows)

    # -- counted entries --------------------------------------------------------------

    def counted(self, row: ReportRow, period: Period, total: int) -> None:
        organization = row.organization
        assert organization is not None
        staff = self.staff_of(organization)[0]
        months = []
        day = period.start.replace(day=1)
        while day <= period.end:
            months.append(day)
            day = (day + timedelta(days=32)).replace(day=1)
        weights = [MONTH_WEIGHTS[m.month] * self.rng.uniform(0.9, 1.1) for m in months]
        shares = [int(total * w / sum(weights)) for w in weights]
        shares[-1] += total - sum(shares)
        existing = set(
            CountedEntry.objects.filter(
                organization=organization, item=row.option, month__in=months
            ).values_list("month", flat=True)
        )
        if existing:
            raise ValueError(f"{row.option} の件数入力がすでにあります（{sorted(existing)}）")
        for month, share in zip(months, shares, strict=True):
            last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
            CountedEntry.objects.create(
                organization=organization,
                item=row.option,
                month=month,
                count=share,
                created_by=staff,
                created_at=self.moment(
                    min(last + timedelta(days=5), period.end + timedelta(days=5))
                ),
            )
            self.counts["counted"] += 1


def _write(writer: _Writer, row: Any, period: Period, target: int) -> None:
    have = metrics.figure(row, period)
    assert have is not None
    need = target - have
    if need < 0:
        raise ValueError(
            f"デモデータの {row} は {period.label} にすでに {have} 件あり、"
            f"元資料の {target} 件を超えています"
        )
    if need == 0:
        return
    if row.metric in (Metric.CONSULTATIONS, Metric.NEW_CONSULTATIONS, Metric.RECEIVED):
        if row.option:
            # 「*委託事業件数と合算」: part of the figure is the contractor's, typed monthly.
            contracted = round(need * CONTRACTED_SHARE)
            writer.counted(row, period, contracted)
            need -= contracted
        # What reached a window beyond the escalations already there: consultations.
        writer.consultations(row, period, need)
    elif row.metric == Metric.MEETINGS_HELD:
        writer.meetings(row, period, need)
    elif row.metric == Metric.ACTIVITIES:
        writer.activities(row, period, need)
    elif row.metric == Metric.COUNTED:
        writer.counted(row, period, need)
    else:
        raise ValueError(f"{row} の {period.label} は {have} 件で、元資料は {target} 件です")


@dataclass(frozen=True)
class _IndicatorRow:
    """A row-like spec for the earlier years' new individual consultations."""

    metric: str
    organization_id: int | None
    include_branches: bool
    district_id: int | None
    district: District | None
    option: str

    def __str__(self) -> str:
        return f"新規相談（個人）{self.district}"


def load_demo_report_figures(municipality: Municipality, seed: int = 2025) -> Summary | None:
    """Install the report layout and write the records behind seed 000's figures.
    Run after the other demo loaders; does nothing when the layout exists."""
    started = clock.perf_counter()
    with tenancy.tenant_context(municipality), transaction.atomic():
        if ReportTable.objects.exists():
            return None
        report_layout_install(actor=None, actor_label="load_demo")
        writer = _Writer(municipality, random.Random(seed))
        periods = seed_periods()
        rows = list(
            ReportRow.objects.select_related("organization", "district", "table").order_by(
                "table__sort_order", "sort_order"
            )
        )
        seeds = [row_spec.seed for table in SEED_000_LAYOUT for row_spec in table.rows]
        assert len(seeds) == len(rows)
        for row, (year, quarter) in zip(rows, seeds, strict=True):
            if year is None:
                continue
            _write(writer, row, periods[0], year)
            if quarter is None and row.metric == Metric.ACTIVITIES:
                # The seed leaves the quarter blank here: about a quarter of the year.
                quarter = round(year / 4 * writer.rng.uniform(0.85, 1.15))
            if quarter is not None:
                _write(writer, row, periods[1], quarter)
        _earlier_new_consultations(writer)
        audit_record(
            AuditAction.CREATE,
            municipality=municipality,
            actor_label="load_demo",
            object_type="reports.reporttable",
            detail={"demo": "seed_000_figures", **writer.counts},
        )
    return Summary(
        consultations=writer.counts["consultations"],
        meetings=writer.counts["meetings"],
        activities=writer.counts["activities"],
        counted_entries=writer.counts["counted"],
        seconds=round(clock.perf_counter() - started, 1),
    )


def _earlier_new_consultations(writer: _Writer) -> None:
    """令和4・5年度's new individual consultations, spread over the districts."""
    for fiscal_year, total in EARLIER_NEW_INDIVIDUAL.items():
        shares = [total // len(writer.districts)] * len(writer.districts)
        for index in range(total - sum(shares)):
            shares[index] += 1
        for district, share in zip(writer.districts, shares, strict=True):
            row = _IndicatorRow(
                Metric.ACTIVITIES,
                None,
                False,
                district.pk,
                district,
                "new_consultation:new_individual",
            )
            _write(writer, row, Period.fiscal_year(fiscal_year), share)


__all__ = ["load_demo_report_figures", "seed_periods"]
