"""The synthetic data generator behind ``manage.py generate_synthetic``.

Rows are written as plain tuples through :class:`~.writer.Writer` (COPY on
PostgreSQL, ``executemany`` on SQLite), never through ``save()``: this is a
data load, not casework, so neither the tenant check nor the audit trail runs,
and the municipality is set on every row explicitly. Ids are assigned here so
that rows refer to each other without reading anything back.

Distributions, each chosen to look like a municipal 相談支援 record:

- **Households** of 1–6 persons (58 % single, mean 1.7 — the census of a
  Tokyo ward), names with real surname frequencies (``names.py``), readings
  mostly hiragana, some katakana, 5 % missing; 4 % of persons moved in from
  another household, 1.4 % left theirs (died, moved away).
- **Consultations** over ten fiscal years, more each year as the programme
  grows, on weekdays, with seasons (April and March busy, August quiet). Per
  household a heavy-tailed count (Pareto: most households come once or twice,
  a few again and again), 3 % about someone not yet identified. Most are taken
  by the household's own organization.
- **Referrals** from consultations that were passed on, in every state with
  their history; **cases** for the households that came most often, with
  their team, consent, plans (re-planned now and then) and monitoring;
  **meetings** (支援会議, 重層的支援会議 and the others) with attendees and the
  cases they considered; **outreach** to a few households over months or
  years; and the **resource directory** (HSDS).
"""

from __future__ import annotations

import bisect
import itertools
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from tsunagu.accounts.models import Membership, Staff
from tsunagu.accounts.roles import Role
from tsunagu.cases.models import Case, CaseEvent, CaseTeamMember, Consent, ConsentMethod, Grantor
from tsunagu.cases.models import Stage as CaseStage
from tsunagu.consultations.models import (
    Channel,
    ConsentToShare,
    Consultation,
    ConsultationGram,
    ConsultationSubject,
    ConsultationTopic,
    Consulter,
    LifeIssue,
    Outcome,
    Topic,
    Urgency,
)
from tsunagu.core import tenancy
from tsunagu.core.database import database_analyze, reset_sequences
from tsunagu.core.models import Municipality
from tsunagu.demo.synthetic import names
from tsunagu.demo.synthetic.writer import Ids, Writer
from tsunagu.demo.ward import ORGANIZATIONS
from tsunagu.directory.models import District, Organization
from tsunagu.grants import services as grants
from tsunagu.meetings.models import ActionItem, AgendaItem, Attendee, Kind, Meeting, MeetingPart
from tsunagu.meetings.models import Status as MeetingStatus
from tsunagu.outreach.models import Intent, Method, OutreachContact, OutreachVisitor, Result
from tsunagu.outreach.models import Stage as OutreachStage
from tsunagu.people.models import (
    Household,
    HouseholdMembership,
    Person,
    PersonNameGram,
    Relationship,
    Sex,
)
from tsunagu.people.names import NameKeys, name_keys, normalize_text, text_grams
from tsunagu.plans.models import (
    Decision,
    Monitoring,
    PlanGoal,
    PlanMember,
    SupportItem,
    SupportKind,
    SupportPlan,
)
from tsunagu.plans.models import Status as PlanStatus
from tsunagu.referrals.models import (
    NEEDS_REPORT_BACK,
    OPEN,
    Reason,
    Referral,
    ReferralEvent,
    SharingBasis,
)
from tsunagu.referrals.models import Status as ReferralStatus
from tsunagu.reports import rollups
from tsunagu.reports.layout import report_layout_install
from tsunagu.resources.models import (
    Category,
    Location,
    Provider,
    ProviderKind,
    Resource,
    ResourceLocation,
    Schedule,
)
from tsunagu.resources.models import Status as ResourceStatus

TOKYO = ZoneInfo("Asia/Tokyo")
#: "Today" of the generated data, fixed so that every run makes the same rows.
TODAY = date(2026, 11, 30)
FISCAL_YEARS = 10
#: Code and name of the single synthetic municipality; ``--tenants`` numbers them.
CODE = "999981"
NAME = "ベンチ市"
#: The benchmark's two staff members (``bench.run``).
COUNSELOR_USERNAME = "bench-counselor"
COORDINATOR_USERNAME = "bench-coordinator"
COUNSELOR_ORGANIZATION = "高齢者あんしん相談センター富坂"
EXTRA_ORGANIZATION = "ひきこもり支援センター"
#: The seed report's four districts first (its layout names them), then the rest of a large ward.
DISTRICTS = ["富坂", "大塚", "本富士", "駒込", "小石川", "白山", "千石", "音羽", "関口", "根津"]
DISTRICT_WEIGHTS = [12, 11, 10, 10, 9, 9, 10, 10, 9, 10]


@dataclass(frozen=True)
class Scale:
    name: str
    persons: int
    consultations: int
    outreach_contacts: int
    cases: int
    meetings: int
    providers: int
    resources: int
    #: Counselors per organization (plus one manager).
    counselors: int

    def share(self, part: float) -> Scale:
        """A municipality with ``part`` of this scale (for ``--tenants``)."""

        def cut(n: int, least: int) -> int:
            return max(least, round(n * part))

        return Scale(
            self.name,
            persons=cut(self.persons, 200),
            consultations=cut(self.consultations, 600),
            outreach_contacts=cut(self.outreach_contacts, 60),
            cases=cut(self.cases, 5),
            meetings=cut(self.meetings, 5),
            providers=cut(self.providers, 5),
            resources=cut(self.resources, 10),
            counselors=max(2, min(self.counselors, round(self.counselors * part * 4))),
        )


#: ``ward`` is a ward of about 240,000 residents (文京区), ``large`` one of
#: about 700,000 (江戸川区); persons exceed residents because ten years of
#: records keep those who moved away or died. ``small`` is for tests.
SCALES = {
    "small": Scale("small", 3_000, 9_000, 900, 60, 30, 10, 30, 2),
    "ward": Scale("ward", 343_000, 1_030_000, 103_000, 6_900, 3_400, 200, 500, 6),
    "large": Scale("large", 1_000_000, 3_000_000, 300_000, 20_000, 10_000, 600, 1_500, 10),
}

#: Share of the municipality's consultations each organization takes in.
ORGANIZATION_WEIGHTS = {
    "福祉政策課": 1, "高齢福祉課": 3, "障害福祉課": 3, "生活福祉課": 5, "予防対策課": 1,
    "子育て支援課": 2, "幼児保育課": 1, "児童青少年課": 1, "総務課": 0,
    "子ども家庭支援センター": 5, "保健サービスセンター": 4, "保健サービスセンター本郷支所": 2,
    "教育センター": 2, "自立相談支援窓口": 8, "社会福祉協議会": 6,
    "障害者基幹相談支援センター": 5, EXTRA_ORGANIZATION: 2,
}  # fmt: skip
ANSHIN_MAIN_WEIGHT, ANSHIN_BRANCH_WEIGHT = 6, 3
#: Consultations by month (April first): busy at the start and end of the fiscal year.
MONTH_WEIGHTS = {4: 1.15, 5: 1.0, 6: 1.05, 7: 1.0, 8: 0.8, 9: 0.95, 10: 1.0, 11: 0.95,
                 12: 0.9, 1: 1.0, 2: 1.0, 3: 1.1}  # fmt: skip

SUMMARY_BY_TOPIC = {
    Topic.HEALTH: "通院が途切れがちで服薬の管理に不安がある",
    Topic.HOUSING: "家賃の安い住まいへの転居を考えている",
    Topic.INCOME: "収入が減り生活費が足りない",
    Topic.RENT_LOAN: "家賃の滞納が続き退去を求められている",
    Topic.TAX_UTILITIES: "公共料金の支払いが遅れている",
    Topic.DEBT: "借入の返済が重なり生活が苦しい",
    Topic.JOB_SEARCH: "仕事を探しているが見つからない",
    Topic.WORK_WORRIES: "職場での人間関係に悩んでいる",
    Topic.COMMUNITY: "近所付き合いがなく孤立している",
    Topic.FAMILY: "家族との関係がうまくいかない",
    Topic.CHILDCARE: "子育ての負担が大きく相談先がない",
    Topic.CARE: "親の介護で仕事との両立が難しい",
    Topic.WITHDRAWAL: "子がひきこもりがちで外出しない",
    Topic.ABUSE: "家族からの暴言がありつらい",
    Topic.NO_FOOD: "手持ちのお金がなく食べるものがない",
    Topic.OTHER: "手続きの方法がわからない",
}
TOPIC_WEIGHTS = [8, 4, 8, 3, 2, 3, 3, 2, 3, 5, 4, 12, 3, 2, 1, 3]
FOLLOW_UPS = [
    "次回、自宅を訪問して様子を確認する。",
    "関係機関と情報を共有し、対応を検討する。",
    "制度の案内をし、申請書を渡した。",
    "本人の意向を確認しながら継続して関わる。",
    "経過を見て、必要があれば再度連絡する。",
]
OUTCOME_WEIGHTS = {
    Outcome.ADVICE_ENDED: 45, Outcome.CONTINUE_HERE: 35, Outcome.REFER: 10,
    Outcome.ESCALATE: 3, Outcome.WATCH: 7,
}  # fmt: skip
REFERRAL_PATHS: dict[str, list[str]] = {
    ReferralStatus.DRAFT: [],
    ReferralStatus.REQUESTED: [ReferralStatus.REQUESTED],
    ReferralStatus.CANCELLED: [ReferralStatus.REQUESTED, ReferralStatus.CANCELLED],
    ReferralStatus.REJECTED: [ReferralStatus.REQUESTED, ReferralStatus.REJECTED],
    ReferralStatus.ACCEPTED: [ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED],
    ReferralStatus.IN_PROGRESS: [
        ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS],
    ReferralStatus.ON_HOLD: [
        ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED, ReferralStatus.ON_HOLD],
    ReferralStatus.COMPLETED: [
        ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS,
        ReferralStatus.COMPLETED],
    ReferralStatus.FAILED: [
        ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED, ReferralStatus.FAILED],
}  # fmt: skip
#: Recent referrals are still open; old ones have mostly ended.
OPEN_REFERRAL_WEIGHTS = {
    ReferralStatus.DRAFT: 2, ReferralStatus.REQUESTED: 12, ReferralStatus.ACCEPTED: 10,
    ReferralStatus.IN_PROGRESS: 18, ReferralStatus.ON_HOLD: 4, ReferralStatus.COMPLETED: 38,
    ReferralStatus.REJECTED: 8, ReferralStatus.CANCELLED: 5, ReferralStatus.FAILED: 3,
}  # fmt: skip
ENDED_REFERRAL_WEIGHTS = {
    ReferralStatus.COMPLETED: 75, ReferralStatus.REJECTED: 10, ReferralStatus.CANCELLED: 8,
    ReferralStatus.FAILED: 5, ReferralStatus.ON_HOLD: 2,
}  # fmt: skip
#: The path of a case through its stages; how far it got depends on its age.
CASE_PATH = [
    CaseStage.INTAKE, CaseStage.ASSESSMENT, CaseStage.MEETING_REVIEW, CaseStage.CONSENTED,
    CaseStage.PLANNING, CaseStage.SUPPORTING, CaseStage.MONITORING, CaseStage.CLOSED,
    CaseStage.FOLLOW_UP, CaseStage.COMPLETED,
]  # fmt: skip
CASE_TITLES = [
    "8050世帯の生活再建", "ひきこもりの長男と高齢の親", "家賃滞納と就労の課題", "介護と育児のダブルケア",
    "ごみ屋敷状態の解消", "障害のある子と親の高齢化", "多重債務と孤立", "ヤングケアラーの支援",
]  # fmt: skip
RESOURCE_NAMES = [
    "ふれあいサロン", "子ども食堂", "みんなの居場所", "コミュニティ農園", "お寺の茶話会", "家族会",
    "当事者の集い", "学習支援教室", "フードパントリー", "ボランティアセンター", "就労体験",
    "趣味の会", "体操教室", "カフェ", "図書ボランティア",
]  # fmt: skip


@dataclass
class Report:
    """What was made and how long each part took."""

    municipalities: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _aware(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TOKYO)


def _fiscal_year(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


@lru_cache(maxsize=200_000)
def _keys(family: str, given: str, family_kana: str, given_kana: str) -> NameKeys:
    return name_keys(family, given, family_kana, given_kana)


@lru_cache(maxsize=200_000)
def _grams(keys: NameKeys) -> list[str]:
    return sorted(keys.grams())


@lru_cache(maxsize=1_000)
def _search_text(summary: str) -> str:
    return normalize_text(summary)


@lru_cache(maxsize=1_000)
def _text_grams(search_text: str) -> list[str]:
    return sorted(text_grams(search_text))


class Calendar:
    """Working days from the first fiscal year to ``TODAY``, weighted by season
    and by the programme's growth (a tenth more each year)."""

    def __init__(self, today: date, years: int) -> None:
        first = date(_fiscal_year(today) - years + 1, 4, 1)
        self.days: list[date] = []
        weights: list[float] = []
        day = first
        while day <= today:
            if day.weekday() < 5:
                self.days.append(day)
                growth = 1.0 + 0.1 * (_fiscal_year(day) - first.year)
                weights.append(MONTH_WEIGHTS[day.month] * growth)
            day += timedelta(days=1)
        self.cumulative = list(itertools.accumulate(weights))
        self.index = {day: n for n, day in enumerate(self.days)}

    def draw(self, rng: random.Random, k: int) -> list[int]:
        """``k`` day numbers (indexes into ``days``)."""
        return rng.choices(range(len(self.days)), cum_weights=self.cumulative, k=k)


class _Municipality:
    """The rows of one synthetic municipality."""

    def __init__(
        self,
        municipality: Municipality,
        scale: Scale,
        rng: random.Random,
        ids: Ids,
        calendar: Calendar,
        password: str,
        log: Callable[[str], None],
    ) -> None:
        self.m = municipality
        self.mid = municipality.pk
        self.scale = scale
        self.rng = rng
        self.ids = ids
        self.calendar = calendar
        self.password = password
        self.log = log
        self.written: dict[str, int] = {}

    def _done(self, *writers: Writer) -> None:
        for writer in writers:
            writer.flush()
            name = writer.model._meta.label_lower
            self.written[name] = self.written.get(name, 0) + writer.written

    # -- organizations, staff, report layout ----------------------------------------

    def organizations(self) -> None:
        m = self.m
        self.districts = District.all_tenants.bulk_create(
            District(municipality=m, name=name, sort_order=i) for i, name in enumerate(DISTRICTS)
        )
        specs = [spec for spec in ORGANIZATIONS if spec.kind != Organization.Kind.EXTERNAL]
        orgs = Organization.all_tenants.bulk_create(
            Organization(
                municipality=m,
                name=spec.name,
                kind=spec.kind,
                management=spec.management,
                operator=spec.operator,
                is_coordinating=spec.is_coordinating,
                sort_order=order,
            )
            for order, spec in enumerate(specs, start=1)
        )
        orgs.append(
            Organization.all_tenants.create(
                municipality=m,
                name=EXTRA_ORGANIZATION,
                kind=Organization.Kind.CENTER,
                sort_order=len(orgs) + 1,
            )
        )
        by_name = {org.name: org for org in orgs}
        for spec in specs:
            if spec.parent:
                Organization.all_tenants.filter(pk=by_name[spec.name].pk).update(
                    parent=by_name[spec.parent]
                )
        self.orgs = orgs
        self.org_by_name = by_name
        self.coordinating = next(org for org in orgs if org.is_coordinating)
        weights = []
        for org in orgs:
            if org.name.startswith("高齢者あんしん相談センター"):
                weight = ANSHIN_BRANCH_WEIGHT if org.name.endswith("分室") else ANSHIN_MAIN_WEIGHT
            else:
                weight = ORGANIZATION_WEIGHTS[org.name]
            weights.append(weight)
        self.intake = names.Weighted([org.pk for org in orgs], weights)
        # Every synthetic staff member has the same password hash (or none).
        password = make_password(self.password or None)
        prefix = "" if self.m.code == CODE else f"{self.m.code}-"
        staff: list[Staff] = []
        roles: list[tuple[int, Organization, str]] = []
        role: str
        surnames, given_names = names.surnames(), names.given_names()
        for index, org in enumerate(orgs):
            for n in range(self.scale.counselors + 1):
                role = Role.ORG_MANAGER if n == self.scale.counselors else Role.COUNSELOR
                given, given_kana = given_names.draw(self.rng)
                family, family_kana = surnames.draw(self.rng)
                staff.append(
                    Staff(
                        municipality=m,
                        username=f"{prefix}bench-{index:02d}-{n}",
                        full_name=f"{family} {given}",
                        full_name_kana=f"{family_kana} {given_kana}",
                        password=password,
                    )
                )
                roles.append((len(staff) - 1, org, role))
        for username, org_name, role in (
            (COUNSELOR_USERNAME, COUNSELOR_ORGANIZATION, Role.COUNSELOR),
            (COORDINATOR_USERNAME, self.coordinating.name, Role.COORDINATOR),
            ("bench-manager", self.coordinating.name, Role.MANAGER),
        ):
            staff.append(
                Staff(
                    municipality=m,
                    username=f"{prefix}{username}",
                    full_name=f"ベンチ {Role(role).label}",
                    full_name_kana="べんち",
                    password=password,
                )
            )
            roles.append((len(staff) - 1, by_name[org_name], role))
        staff = Staff.all_tenants.bulk_create(staff)
        Membership.all_tenants.bulk_create(
            Membership(municipality=m, staff=staff[s], organization=org, role=role)
            for s, org, role in roles
        )
        self.workers: dict[int, list[int]] = {}
        for s, org, role in roles:
            if role == Role.COUNSELOR and not staff[s].username.endswith(COUNSELOR_USERNAME):
                self.workers.setdefault(org.pk, []).append(staff[s].pk)
        self.coordinator_id = next(
            staff[s].pk for s, _org, role in roles if role == Role.COORDINATOR
        )
        with tenancy.tenant_context(m):
            report_layout_install(actor=None, actor_label="generate_synthetic")

    def worker(self, org_id: int) -> int:
        return self.rng.choice(self.workers[org_id])

    # -- persons and households ------------------------------------------------------

    def _shape(self) -> list[str]:
        rng = self.rng
        size = rng.choices([1, 2, 3, 4, 5, 6], weights=[58, 25, 10, 4.5, 1.8, 0.7])[0]
        if size == 1:
            return [Relationship.HEAD]
        second = rng.choices(
            [Relationship.SPOUSE, Relationship.CHILD, Relationship.PARENT, Relationship.SIBLING],
            weights=[60, 28, 8, 4],
        )[0]
        shape: list[str] = [Relationship.HEAD, second]
        while len(shape) < size:
            shape.append(
                rng.choices(
                    [Relationship.CHILD, Relationship.PARENT, Relationship.GRANDCHILD],
                    weights=[80, 12, 8],
                )[0]
            )
        return shape

    def _birth_date(self, relationship: str, head_age: float) -> date:
        rng = self.rng
        ages: dict[str, float] = {
            Relationship.HEAD: head_age,
            Relationship.SPOUSE: head_age + rng.uniform(-6, 6),
            Relationship.SIBLING: head_age + rng.uniform(-8, 8),
            Relationship.CHILD: head_age - rng.uniform(20, 40),
            Relationship.PARENT: head_age + rng.uniform(22, 35),
            Relationship.GRANDCHILD: head_age - rng.uniform(45, 60),
        }
        age = min(max(ages[relationship], 0.1), 104)
        return TODAY - timedelta(days=int(age * 365.25) + rng.randint(0, 364))

    def households(self) -> None:
        """Households, their members and the membership history."""
        rng, mid = self.rng, self.mid
        surnames, given_names = names.surnames(), names.given_names()
        persons = Writer(
            Person,
            ["id", "municipality", "family_name", "given_name", "family_name_kana",
             "given_name_kana", "sex", "birth_date", "address", "district", "phone",
             "registered_by", "created_by", "updated_by", "created_at", "updated_at",
             "name_key", "family_key", "kana_key", "family_kana_key", "sound_key", "roman_key"],
        )  # fmt: skip
        households = Writer(
            Household,
            ["id", "municipality", "address", "district", "phone", "registered_by", "label",
             "created_by", "updated_by", "created_at", "updated_at"],
        )  # fmt: skip
        grams = Writer(PersonNameGram, ["municipality", "person", "gram"])
        memberships = Writer(
            HouseholdMembership,
            ["id", "municipality", "household", "person", "relationship", "started_on",
             "ended_on", "end_reason", "recorded_by", "recorded_at"],
        )  # fmt: skip
        # Per household, kept for the records that follow: id, organization,
        # first day (index into the calendar) and current members.
        self.hh_id: list[int] = []
        self.hh_org: list[int] = []
        self.hh_day: list[int] = []
        self.hh_members: list[list[int]] = []
        first_days = self.calendar.draw(rng, self.scale.persons)  # at most one per person
        count = 0
        while count < self.scale.persons:
            shape = self._shape()[: self.scale.persons - count]
            hid = self.ids.take(Household)
            org = self.intake.draw(rng)
            district = rng.choices(self.districts, weights=DISTRICT_WEIGHTS)[0]
            surname, surname_kana = surnames.draw(rng)
            surname = names.as_registered(surname, rng)
            address = (
                f"{self.m.name}{district.name}{rng.randint(1, 6)}丁目"
                f"{rng.randint(1, 30)}番{rng.randint(1, 20)}号"
            )
            phone = f"03-5{rng.randint(100, 999)}-{rng.randint(0, 9999):04d}"
            head_age = rng.triangular(20, 98, 78)
            by = self.worker(org)
            day_index = first_days[len(self.hh_id)]
            registered = self.calendar.days[day_index]
            at = _aware(registered, rng.randint(9, 16), rng.randint(0, 59))
            moved_in = registered - timedelta(days=rng.randint(0, 30 * 365))
            members: list[int] = []
            head_name = ""
            # Now and then the last member has left for good (died, moved away).
            leaves = len(shape) > 1 and rng.random() < 0.03
            for number, relationship in enumerate(shape, start=1):
                given, given_kana = given_names.draw(rng)
                family, family_kana = surname, surname_kana
                if (
                    relationship in (Relationship.PARENT, Relationship.SIBLING)
                    and rng.random() < 0.3
                ):
                    family, family_kana = surnames.draw(rng)
                given = names.as_registered(given, rng)
                family_kana = names.as_typed_kana(family_kana, rng)
                given_kana = names.as_typed_kana(given_kana, rng)
                pid = self.ids.take(Person)
                born = self._birth_date(relationship, head_age)
                keys = _keys(family, given, family_kana, given_kana)
                persons.add(
                    pid, mid, family, given, family_kana, given_kana,
                    rng.choice((Sex.MALE, Sex.FEMALE, Sex.FEMALE, Sex.MALE, Sex.UNKNOWN)),
                    born, address, district.pk, phone if rng.random() < 0.6 else "",
                    org, by, by, at, at, keys.name_key, keys.family_key, keys.kana_key,
                    keys.family_kana_key, keys.sound_key, keys.roman_key,
                )  # fmt: skip
                for gram in _grams(keys):
                    grams.add(mid, pid, gram)
                started = max(moved_in, born)
                left = leaves and number == len(shape)
                ended = max(
                    started + timedelta(days=1), TODAY - timedelta(days=rng.randint(1, 1000))
                )
                memberships.add(
                    self.ids.take(HouseholdMembership), mid, hid, pid, relationship, started,
                    ended if left else None, rng.choice(("死亡", "転出", "施設入所")) if left else "",
                    by, at,
                )  # fmt: skip
                if not left:
                    members.append(pid)
                head_name = head_name or f"{family} {given}"
                # A member who moved in from another household: that row ended then.
                if number > 1 and self.hh_id and started > born and rng.random() < 0.05:
                    before = max(born, started - timedelta(days=rng.randint(365, 20 * 365)))
                    if before < started:
                        memberships.add(
                            self.ids.take(HouseholdMembership), mid,
                            self.hh_id[rng.randrange(len(self.hh_id))], pid, Relationship.CHILD,
                            before, started, "別の世帯へ移動", by, at,
                        )  # fmt: skip
            households.add(
                hid, mid, address, district.pk, phone, org, head_name[:90], by, by, at, at
            )
            self.hh_id.append(hid)
            self.hh_org.append(org)
            self.hh_day.append(day_index)
            self.hh_members.append(members)
            count += len(shape)
            if len(self.hh_id) % 100_000 == 0:
                self.log(f"    世帯 {len(self.hh_id):,}・人 {count:,}")
        self._done(persons, households, memberships, grams)

    # -- consultations and referrals ---------------------------------------------------

    def consultations(self) -> None:
        rng, mid, scale = self.rng, self.mid, self.scale
        days = self.calendar.days
        count = scale.consultations
        n_households = len(self.hh_id)
        # A few households come back again and again; most call once or twice.
        weights = [min(rng.paretovariate(1.3), 80.0) for _ in range(n_households)]
        picks = rng.choices(
            range(n_households), cum_weights=list(itertools.accumulate(weights)), k=count
        )
        self.hh_consultations = [0] * n_households
        consultations = Writer(
            Consultation,
            ["id", "municipality", "organization", "received_by", "received_at", "channel",
             "consulter", "household", "unknown_subject", "main_topic", "life_issues", "summary",
             "urgency", "consent_to_share", "outcome", "search_text", "created_by", "updated_by",
             "created_at", "updated_at"],
        )  # fmt: skip
        topics_w = Writer(ConsultationTopic, ["municipality", "consultation", "topic"])
        subjects_w = Writer(ConsultationSubject, ["municipality", "consultation", "person"])
        grams_w = Writer(ConsultationGram, ["municipality", "consultation", "gram"])
        self.to_refer: list[tuple[int, int, int, datetime, list[int], bool]] = []
        hid: int | None
        topics = list(Topic)
        outcomes = list(OUTCOME_WEIGHTS)
        life_issues = [issue.value for issue in LifeIssue]
        without_household = count // 33
        # Labels translated once, not per row.
        consulter_label = {value: str(value.label) for value in Consulter}
        channel_label = {value: str(value.label) for value in Channel}
        chunk = 50_000
        for start in range(0, count, chunk):
            k = min(chunk, count - start)
            c_days = self.calendar.draw(rng, k)
            c_topics = rng.choices(topics, weights=TOPIC_WEIGHTS, k=k)
            c_channels = rng.choices(list(Channel), weights=[30, 35, 3, 2, 15, 5, 1, 9, 2], k=k)
            c_consulters = rng.choices(
                list(Consulter), weights=[40, 25, 5, 5, 2, 12, 2, 4, 1, 1, 1, 2], k=k
            )
            c_outcomes = rng.choices(outcomes, weights=list(OUTCOME_WEIGHTS.values()), k=k)
            c_urgency = rng.choices(list(Urgency), weights=[85, 12, 3], k=k)
            c_consent = rng.choices(list(ConsentToShare), weights=[60, 40], k=k)
            c_orgs = self.intake.draw_many(rng, k)
            for n in range(k):
                index = None if start + n < without_household else picks[start + n]
                day_index = c_days[n]
                if index is not None:
                    hid = self.hh_id[index]
                    first = self.hh_day[index]
                    if day_index < first:  # not before the household first came
                        day_index = rng.randint(first, len(days) - 1)
                    org = self.hh_org[index] if rng.random() < 0.75 else c_orgs[n]
                    self.hh_consultations[index] += 1
                else:
                    hid = None
                    org = c_orgs[n]
                topic = c_topics[n]
                summary = (
                    f"{consulter_label[c_consulters[n]]}より{channel_label[c_channels[n]]}で相談。"
                    f"{SUMMARY_BY_TOPIC[topic]}。{FOLLOW_UPS[n % len(FOLLOW_UPS)]}"
                )
                at = _aware(days[day_index], rng.randint(9, 16), rng.randint(0, 59))
                worker = self.worker(org)
                cid = self.ids.take(Consultation)
                search_text = _search_text(summary)
                consultations.add(
                    cid, mid, org, worker, at, c_channels[n], c_consulters[n], hid,
                    "" if hid else "2階に住む高齢の方（氏名不明）", topic,
                    rng.sample(life_issues, k=rng.choice((0, 1, 1, 2))), summary, c_urgency[n],
                    c_consent[n], c_outcomes[n], search_text, worker, worker, at, at,
                )  # fmt: skip
                for gram in _text_grams(search_text):
                    grams_w.add(mid, cid, gram)
                checked = {topic.value, *rng.sample(topics, k=rng.choice((0, 0, 1, 2)))}
                for value in sorted(checked):
                    topics_w.add(mid, cid, value)
                subjects: list[int] = []
                if index is not None:
                    members = self.hh_members[index]
                    subjects = rng.sample(members, k=min(len(members), rng.choice((1, 1, 1, 2))))
                    for pid in subjects:
                        subjects_w.add(mid, cid, pid)
                    if c_outcomes[n] in (Outcome.REFER, Outcome.ESCALATE) and rng.random() < 0.4:
                        assert hid is not None
                        self.to_refer.append(
                            (cid, org, hid, at, subjects, c_outcomes[n] == Outcome.ESCALATE)
                        )
            self.log(f"    相談 {start + k:,}/{count:,}")
        self._done(consultations, topics_w, subjects_w, grams_w)

    def referrals(self) -> None:
        rng, mid = self.rng, self.mid
        referrals = Writer(
            Referral,
            ["id", "municipality", "from_organization", "to_organization", "household",
             "consultation", "status", "request", "shared_summary", "shared_items",
             "sharing_basis", "due_on", "sent_at", "first_answered_at", "closed_at",
             "report_back", "report_back_at", "version", "created_by", "updated_by",
             "created_at", "updated_at"],
        )  # fmt: skip
        events = Writer(
            ReferralEvent,
            ["municipality", "referral", "from_status", "to_status", "reason", "note",
             "is_report_back", "actor", "organization", "occurred_at"],
        )  # fmt: skip
        through = Writer(Referral.persons.through, ["referral", "person"])
        recent = datetime.combine(TODAY - timedelta(days=180), datetime.min.time(), tzinfo=TOKYO)
        reasons = [reason.value for reason in Reason]
        for consultation_id, from_id, household_id, received, subjects, escalate in self.to_refer:
            if escalate and from_id != self.coordinating.pk:
                to = self.coordinating.pk
            else:
                to = self.intake.draw(rng)
                while to == from_id:
                    to = self.intake.draw(rng)
            table = OPEN_REFERRAL_WEIGHTS if received >= recent else ENDED_REFERRAL_WEIGHTS
            status = rng.choices(list(table), weights=list(table.values()))[0]
            at = received + timedelta(hours=rng.randint(1, 48))
            sender, receiver = self.worker(from_id), self.worker(to)
            history: list[tuple[str, str, int, int, datetime, str, str]] = [
                ("", ReferralStatus.DRAFT, sender, from_id, at, "", "作成")
            ]
            source: str = ReferralStatus.DRAFT
            for target in REFERRAL_PATHS[status]:
                at += timedelta(hours=rng.randint(2, 24 * 10))
                by_sender = target in (ReferralStatus.REQUESTED, ReferralStatus.CANCELLED)
                reason = ""
                if target in (ReferralStatus.REJECTED, ReferralStatus.CANCELLED,
                              ReferralStatus.ON_HOLD, ReferralStatus.FAILED):  # fmt: skip
                    reason = rng.choice(reasons)
                note = "支援を終了し、結果を報告します。" if target in NEEDS_REPORT_BACK else ""
                history.append(
                    (source, target, sender if by_sender else receiver,
                     from_id if by_sender else to, at, reason, note)
                )  # fmt: skip
                source = target
            rid = self.ids.take(Referral)
            sent = history[1][4] if len(history) > 1 else None
            answered = next((h[4] for h in history[2:] if h[2] == receiver), None)
            last = history[-1]
            reported = status in NEEDS_REPORT_BACK
            referrals.add(
                rid, mid, from_id, to, household_id, consultation_id, status,
                "継続的な支援をお願いします。", "相談の概要と世帯の状況を共有します。",
                ["identity", "household", "consultation"],
                SharingBasis.CONSENT if rng.random() < 0.85 else SharingBasis.SUPPORT_MEETING,
                (history[0][4] + timedelta(days=14)).date(), sent, answered,
                last[4] if status not in OPEN else None, last[6] if reported else "",
                last[4] if reported else None, len(history), sender, last[2], history[0][4],
                last[4],
            )  # fmt: skip
            for source, target, actor, org, occurred, reason, note in history:
                events.add(
                    mid, rid, source, target, reason, note, target in NEEDS_REPORT_BACK,
                    actor, org, occurred,
                )  # fmt: skip
            for pid in subjects:
                through.add(rid, pid)
        self.to_refer = []
        self._done(referrals, events, through)

    # -- 多機関協働: cases, plans, meetings ---------------------------------------------

    def cases(self) -> None:
        """Cases for the households that came most often, each as far along its
        path as its age allows, with team, consent, plans and monitoring."""
        rng, mid, days = self.rng, self.mid, self.calendar.days
        frequent = sorted(
            range(len(self.hh_id)), key=lambda i: self.hh_consultations[i], reverse=True
        )[: self.scale.cases * 3]
        chosen = rng.sample(frequent, k=min(len(frequent), self.scale.cases))
        cases = Writer(
            Case,
            ["id", "municipality", "household", "organization", "lead_organization",
             "lead_staff", "title", "opened_on", "stage", "stage_changed_at", "next_action",
             "next_action_on", "closure_reason", "evaluation", "closed_on", "version",
             "created_by", "updated_by", "created_at", "updated_at"],
        )  # fmt: skip
        events = Writer(
            CaseEvent,
            ["municipality", "actor", "organization", "occurred_at", "case", "kind",
             "from_stage", "to_stage", "note"],
        )  # fmt: skip
        team = Writer(CaseTeamMember, ["municipality", "case", "organization", "role", "joined_on"])
        consents = Writer(
            Consent,
            ["id", "municipality", "case", "grantor_kind", "grantor", "covers_case_team",
             "for_information_sharing", "for_plan_meeting", "for_plan_making", "method",
             "obtained_on", "obtained_by_organization", "valid_from", "valid_until",
             "created_by", "updated_by", "created_at", "updated_at"],
        )  # fmt: skip
        plans = Writer(
            SupportPlan,
            ["id", "municipality", "case", "version_number", "previous", "consent", "status",
             "overall_goal", "changes", "made_on", "starts_on", "ends_on",
             "next_monitoring_on", "uses_participation", "uses_outreach", "activated_at",
             "created_by", "updated_by", "created_at", "updated_at"],
        )  # fmt: skip
        plan_members = Writer(
            PlanMember, ["id", "municipality", "plan", "person", "wishes", "issues"]
        )
        goals = Writer(PlanGoal, ["municipality", "member", "text", "order"])
        items = Writer(
            SupportItem,
            ["municipality", "plan", "person", "organization", "content", "kind", "frequency",
             "starts_on"],
        )  # fmt: skip
        monitorings = Writer(
            Monitoring,
            ["municipality", "plan", "held_on", "summary", "decision", "next_monitoring_on",
             "recorded_by", "created_by", "updated_by", "created_at", "updated_at"],
        )  # fmt: skip
        coordinating = self.coordinating.pk
        # Per case, for the meetings that consider it: (id, opened day index, closed day index).
        self.case_spans: list[tuple[int, int, int]] = []
        self.case_household: dict[int, int] = {}
        for index in chosen:
            case_id = self.ids.take(Case)
            opened_index = rng.randint(self.hh_day[index], len(days) - 1)
            opened = days[opened_index]
            age_days = (TODAY - opened).days
            # About two months a stage; older cases have come further.
            reach = min(len(CASE_PATH) - 1, int(age_days / rng.uniform(40, 120)))
            stage = CASE_PATH[reach]
            lead_org = self.hh_org[index] if rng.random() < 0.6 else self.intake.draw(rng)
            lead_staff = self.worker(lead_org)
            by = self.coordinator_id
            at = _aware(opened, 10, 0)
            path_days = [
                opened + timedelta(days=int(s * age_days / (reach + 1))) for s in range(reach + 1)
            ]
            closed_on = path_days[CASE_PATH.index(CaseStage.CLOSED)] if reach >= 7 else None
            changed = _aware(path_days[-1], 15, 0)
            cases.add(
                case_id, mid, self.hh_id[index], coordinating, lead_org, lead_staff,
                CASE_TITLES[case_id % len(CASE_TITLES)], opened, stage, changed,
                "" if closed_on else "次回の支援会議で方針を確認する",
                None if closed_on else TODAY + timedelta(days=rng.randint(1, 40)),
                "goals_met" if closed_on else "", "目標をおおむね達成した。" if closed_on else "",
                closed_on, reach + 1, by, by, at, changed,
            )  # fmt: skip
            for step in range(reach + 1):
                events.add(
                    mid, by, coordinating, _aware(path_days[step], 15, 0), case_id, "stage",
                    CASE_PATH[step - 1] if step else "", CASE_PATH[step], "",
                )  # fmt: skip
            team_orgs = {lead_org, *rng.sample([o.pk for o in self.orgs], k=rng.randint(1, 3))}
            for org in sorted(team_orgs):
                team.add(mid, case_id, org, "lead" if org == lead_org else "member", opened)
            closed_index = (
                self.calendar.index.get(closed_on, len(days) - 1) if closed_on else len(days) - 1
            )
            self.case_spans.append((case_id, opened_index, closed_index))
            self.case_household[case_id] = index
            if reach < 3:
                continue
            grantor = self.hh_members[index][0]
            consented = path_days[3]
            consent_id = self.ids.take(Consent)
            consents.add(
                consent_id, mid, case_id, Grantor.PERSON, grantor, True, True, True, True,
                ConsentMethod.WRITTEN if rng.random() < 0.8 else ConsentMethod.ORAL, consented,
                lead_org, consented, None, by, by, _aware(consented, 11, 0),
                _aware(consented, 11, 0),
            )  # fmt: skip
            if reach < 4:
                continue
            versions = 1 + (rng.random() < 0.3) + (rng.random() < 0.1)
            made = path_days[4]
            previous = None
            for version in range(1, versions + 1):
                plan_id = self.ids.take(SupportPlan)
                last = version == versions
                if not last:
                    status = PlanStatus.SUPERSEDED
                elif closed_on:
                    status = PlanStatus.ENDED
                else:
                    status = PlanStatus.ACTIVE
                plans.add(
                    plan_id, mid, case_id, version, previous, consent_id, status,
                    "地域の中で安心して暮らし続ける", "" if version == 1 else "状況の変化に合わせて見直した",
                    made, made, made + timedelta(days=180), made + timedelta(days=90),
                    rng.random() < 0.3, rng.random() < 0.4, _aware(made, 16, 0), by, by,
                    _aware(made, 16, 0), _aware(made, 16, 0),
                )  # fmt: skip
                for person in self.hh_members[index][:2]:
                    member_id = self.ids.take(PlanMember)
                    plan_members.add(member_id, mid, plan_id, person, "自宅で暮らし続けたい", "")
                    goals.add(mid, member_id, "生活のリズムを整える", 1)
                for order, kind in enumerate((SupportKind.CONSULTATION, SupportKind.OUTREACH)):
                    items.add(
                        mid, plan_id, None, lead_org if order == 0 else coordinating,
                        "定期的な訪問と相談", kind, "月1回", made,
                    )  # fmt: skip
                monitored = made + timedelta(days=90)
                if monitored <= TODAY:
                    decision = Decision.REPLAN if not last else (
                        Decision.CLOSE if closed_on else Decision.CONTINUE)  # fmt: skip
                    monitorings.add(
                        mid, plan_id, monitored, "目標に向けて前進している", decision,
                        None if closed_on else monitored + timedelta(days=90), by, by, by,
                        _aware(monitored, 16, 0), _aware(monitored, 16, 0),
                    )  # fmt: skip
                previous = plan_id
                made = min(TODAY, made + timedelta(days=rng.randint(120, 300)))
        self._done(cases, events, team, consents, plans, plan_members, goals, items, monitorings)

    def meetings(self) -> None:
        """Sittings over the ten years: 支援会議 and 重層的支援会議 consider cases open
        at the time; the others (連絡会, 研修 …) have no agenda."""
        rng, mid, days = self.rng, self.mid, self.calendar.days
        meetings = Writer(
            Meeting,
            ["id", "municipality", "title", "organization", "held_on", "status", "minutes",
             "created_by", "updated_by", "created_at", "updated_at"],
        )  # fmt: skip
        parts = Writer(MeetingPart, ["id", "municipality", "meeting", "kind", "order"])
        attendees = Writer(
            Attendee, ["municipality", "meeting", "staff", "name", "organization", "attended"]
        )
        agenda = Writer(
            AgendaItem,
            ["id", "municipality", "part", "case", "review", "order", "policy", "lead_organization",
             "decided_at", "created_by", "updated_by", "created_at", "updated_at"],
        )  # fmt: skip
        actions = Writer(
            ActionItem,
            ["municipality", "agenda_item", "owner_organization", "content", "due_on", "done_at",
             "created_by", "updated_by", "created_at", "updated_at"],
        )  # fmt: skip
        spans = sorted(self.case_spans, key=lambda span: span[1])
        opened_days = [span[1] for span in spans]
        org_of = {pk: org for org, pks in self.workers.items() for pk in pks}
        staff_names = dict(
            Staff.all_tenants.filter(pk__in=list(org_of)).values_list("pk", "full_name")
        )
        held_days = sorted(self.calendar.draw(rng, self.scale.meetings))
        by = self.coordinator_id
        kinds = [
            [Kind.SUPPORT_MEETING], [Kind.PLAN_MEETING], [Kind.SUPPORT_MEETING, Kind.PLAN_MEETING],
            [Kind.STAKEHOLDER], [Kind.LIAISON], [Kind.TRAINING], [Kind.PROMOTION],
        ]  # fmt: skip
        for day_index in held_days:
            held = days[day_index]
            meeting_id = self.ids.take(Meeting)
            sitting = rng.choices(kinds, weights=[35, 25, 20, 6, 6, 4, 4])[0]
            status = (
                MeetingStatus.HELD if held <= TODAY - timedelta(days=1) else MeetingStatus.SCHEDULED
            )
            if status == MeetingStatus.HELD and rng.random() < 0.03:
                status = MeetingStatus.CANCELLED
            at = _aware(held - timedelta(days=14), 10, 0)
            meetings.add(
                meeting_id, mid, f"{sitting[0].label}（{held.month}月）", self.coordinating.pk,
                held, status, "協議の結果は各ケースの記録のとおり。" if status == MeetingStatus.HELD else "",
                by, by, at, at,
            )  # fmt: skip
            present = rng.sample(list(staff_names), k=min(len(staff_names), rng.randint(4, 8)))
            for pk in present:
                attendees.add(
                    mid, meeting_id, pk, staff_names[pk], org_of[pk], status == MeetingStatus.HELD
                )
            # Cases open on the day: opened before it and not closed by then.
            upto = bisect.bisect_right(opened_days, day_index)
            candidates = [span for span in spans[max(0, upto - 400) : upto] if span[2] >= day_index]
            for order, kind in enumerate(sitting, start=1):
                part_id = self.ids.take(MeetingPart)
                parts.add(part_id, mid, meeting_id, kind, order)
                if kind not in (Kind.SUPPORT_MEETING, Kind.PLAN_MEETING) or not candidates:
                    continue
                considered = rng.sample(candidates, k=min(len(candidates), rng.randint(1, 4)))
                for number, (case_id, opened_index, _closed) in enumerate(considered, start=1):
                    item_id = self.ids.take(AgendaItem)
                    review = "new" if day_index - opened_index < 60 else "monitoring"
                    lead = self.hh_org[self.case_household[case_id]]
                    decided = _aware(held, 15, 0) if status == MeetingStatus.HELD else None
                    agenda.add(
                        item_id, mid, part_id, case_id, review, number,
                        "関係機関で役割を分担して見守る" if decided else "", lead, decided, by, by,
                        at, at,
                    )  # fmt: skip
                    if decided:
                        due = held + timedelta(days=30)
                        actions.add(
                            mid, item_id, lead, "本人宅を訪問し、様子を共有する", due,
                            _aware(due, 17, 0) if due < TODAY else None, by, by, decided, decided,
                        )  # fmt: skip
        self._done(meetings, parts, attendees, agenda, actions)

    # -- アウトリーチ ---------------------------------------------------------------------

    def outreach(self) -> None:
        """Contacts with a few households over months or years: most households a
        handful, a few (ひきこもり, ごみ屋敷) dozens; the relationship grows slowly."""
        rng, mid, days = self.rng, self.mid, self.calendar.days
        contacts = Writer(
            OutreachContact,
            ["id", "municipality", "household", "organization", "occurred_at", "method",
             "result", "direction", "intent", "stage_after", "content", "next_step", "next_on",
             "created_by", "updated_by", "created_at", "updated_at"],
        )  # fmt: skip
        visitors = Writer(OutreachVisitor, ["municipality", "contact", "staff", "organization"])
        stages = [OutreachStage.NONE, OutreachStage.CONTACT, OutreachStage.CONVERSATION,
                  OutreachStage.RELATIONSHIP, OutreachStage.CONSULTATION]  # fmt: skip
        methods = list(Method)
        results = list(Result)
        intents = [intent.value for intent in Intent]
        csw = self.org_by_name["社会福祉協議会"].pk
        remaining = self.scale.outreach_contacts
        while remaining > 0:
            index = rng.randrange(len(self.hh_id))
            n = min(remaining, max(1, int(rng.paretovariate(1.1) * 4)), 400)
            remaining -= n
            org = csw if rng.random() < 0.6 else self.hh_org[index]
            start = rng.randint(self.hh_day[index], len(days) - 1)
            span = min(len(days) - 1 - start, max(1, int(n * rng.uniform(5, 20))))
            stage = 0
            for day_index in sorted(rng.randint(start, start + span) for _ in range(n)):
                contact_id = self.ids.take(OutreachContact)
                method = rng.choices(methods, weights=[45, 25, 10, 5, 5, 5, 5])[0]
                result = rng.choices(results, weights=[40, 10, 30, 5, 15])[0]
                if result == Result.MET and stage < len(stages) - 1 and rng.random() < 0.3:
                    stage += 1
                worker = self.worker(org)
                at = _aware(days[day_index], rng.randint(9, 18), rng.randint(0, 59))
                contacts.add(
                    contact_id, mid, self.hh_id[index], org, at, method, result, "outgoing",
                    rng.choice(intents), stages[stage], "玄関先で短く話した。", "次回も訪問する",
                    None, worker, worker, at, at,
                )  # fmt: skip
                visitors.add(mid, contact_id, worker, org)
                if rng.random() < 0.25:
                    other = self.worker(self.hh_org[index])
                    if other != worker:
                        visitors.add(mid, contact_id, other, self.hh_org[index])
        self._done(contacts, visitors)

    # -- 社会資源 (HSDS) ------------------------------------------------------------------

    def resources(self) -> None:
        rng, mid = self.rng, self.mid
        providers = Writer(
            Provider,
            ["id", "municipality", "hsds_id", "name", "kind", "description", "created_at",
             "updated_at"],
        )  # fmt: skip
        locations = Writer(
            Location,
            ["id", "municipality", "hsds_id", "provider", "location_type", "name", "address",
             "district", "created_at", "updated_at"],
        )  # fmt: skip
        resources = Writer(
            Resource,
            ["id", "municipality", "hsds_id", "provider", "name", "category", "description",
             "audience", "needs", "ease", "interests", "capacity", "status", "year_started",
             "created_at", "updated_at"],
        )  # fmt: skip
        links = Writer(ResourceLocation, ["municipality", "hsds_id", "resource", "location"])
        schedules = Writer(
            Schedule,
            ["municipality", "hsds_id", "resource", "location", "freq", "interval", "byday",
             "opens_at", "closes_at", "description"],
        )  # fmt: skip

        def uid() -> uuid.UUID:
            return uuid.UUID(int=rng.getrandbits(128), version=4)

        now = _aware(TODAY, 9, 0)
        provider_kinds = list(ProviderKind)
        categories = list(Category)
        provider_ids: list[tuple[int, int]] = []
        for n in range(self.scale.providers):
            pid = self.ids.take(Provider)
            district = self.districts[n % len(self.districts)]
            providers.add(pid, mid, uid(), f"{district.name}{rng.choice(RESOURCE_NAMES)}の会{n + 1}",
                          rng.choice(provider_kinds), "地域の有志で運営しています。", now, now)  # fmt: skip
            lid = self.ids.take(Location)
            locations.add(lid, mid, uid(), pid, "physical", f"{district.name}会館{n + 1}",
                          f"{self.m.name}{district.name}{rng.randint(1, 6)}丁目", district.pk, now, now)  # fmt: skip
            provider_ids.append((pid, lid))
        for n in range(self.scale.resources):
            pid, lid = provider_ids[n % len(provider_ids)]
            rid = self.ids.take(Resource)
            category = rng.choice(categories)
            resources.add(
                rid, mid, uid(), pid, f"{rng.choice(RESOURCE_NAMES)}{n + 1}", category,
                "どなたでも参加できます。", "地域の方", rng.sample(["people", "things", "place", "money"], k=1),
                rng.sample(["short_time", "visit_first", "small_group", "free"], k=2), [],
                rng.randint(5, 40),
                ResourceStatus.ACTIVE if rng.random() < 0.9 else ResourceStatus.TEMPORARILY_CLOSED,
                rng.randint(2000, TODAY.year), now, now,
            )  # fmt: skip
            links.add(mid, uid(), rid, lid)
            schedules.add(mid, uid(), rid, lid, "MONTHLY", 1, rng.choice(["2TU", "1WE", "3TH", "4SA"]),
                          clock(10, 0), clock(12, 0), "")  # fmt: skip
        self._done(providers, locations, resources, links, schedules)


def generate(
    scale: Scale,
    *,
    tenants: int = 1,
    seed: int = 2026,
    password: str = "",
    log: Callable[[str], None] = print,
) -> Report:
    """Create ``tenants`` synthetic municipalities sharing ``scale`` (one: all of
    it; several: shares by a Zipf law, as a prefecture's cities and towns), in
    one transaction, then refresh the planner statistics."""
    report = Report()
    total = time.perf_counter()
    rng = random.Random(seed)
    calendar = Calendar(TODAY, FISCAL_YEARS)
    ids = Ids()
    if tenants == 1:
        plan = [(CODE, NAME, scale)]
    else:
        weights = [1.0 / rank for rank in range(1, tenants + 1)]
        plan = [
            (f"99{n:04d}", f"合成{n:02d}{'市' if n <= tenants // 3 else '町'}",
             scale.share(weight / sum(weights)))
            for n, weight in enumerate(weights, start=1)
        ]  # fmt: skip
    taken = set(
        Municipality.objects.filter(code__in=[code for code, _n, _s in plan]).values_list(
            "code", flat=True
        )
    )
    if taken:
        raise ValueError(f"合成データの自治体（{', '.join(sorted(taken))}）はすでにあります。")
    written: dict[str, int] = {}
    _bulk_load_settings()
    with transaction.atomic():
        for code, name, part in plan:
            municipality = Municipality.objects.create(code=code, name=name)
            log(f"{name}（{code}）: 人 {part.persons:,}・相談 {part.consultations:,}")
            builder = _Municipality(municipality, part, rng, ids, calendar, password, log)
            for step, label in (
                (builder.organizations, "機関・職員・報告様式"),
                (builder.households, "世帯・人"),
                (builder.consultations, "相談"),
                (builder.referrals, "つなぐシート"),
                (builder.cases, "ケース・支援プラン"),
                (builder.meetings, "会議"),
                (builder.outreach, "アウトリーチ"),
                (builder.resources, "社会資源"),
            ):
                started = time.perf_counter()
                step()
                seconds = time.perf_counter() - started
                report.seconds[label] = round(report.seconds.get(label, 0) + seconds, 1)
                log(f"  {label}: {seconds:.1f} 秒")
            for key, value in builder.written.items():
                written[key] = written.get(key, 0) + value
            report.municipalities.append(code)
        reset_sequences(ids.models())
    # The rows were copied, not saved: the ways they give (the policy's
    # grants) are worked out from them once, municipality by municipality.
    started = time.perf_counter()
    for municipality_id in Municipality.objects.values_list("pk", flat=True):
        grants.rebuild(municipality_id)
    report.seconds["閲覧の根拠"] = round(time.perf_counter() - started, 1)
    log(f"  閲覧の根拠: {report.seconds['閲覧の根拠']:.1f} 秒")
    # The reports' monthly counts, counted once from the copied rows.
    started = time.perf_counter()
    for municipality in Municipality.objects.filter(code__in=report.municipalities):
        rollups.rebuild(municipality.pk)
    report.seconds["月ごとの件数"] = round(time.perf_counter() - started, 1)
    log(f"  月ごとの件数: {report.seconds['月ごとの件数']:.1f} 秒")
    started = time.perf_counter()
    database_analyze()
    report.seconds["ANALYZE"] = round(time.perf_counter() - started, 1)
    report.rows = written
    report.seconds["合計"] = round(time.perf_counter() - total, 1)
    return report


def _bulk_load_settings() -> None:
    """SQLite's page cache is 2 MB by default: with nine indexes on a table of
    millions of rows, every insert then reads pages back from disk. A large
    cache for this connection makes the load several times faster; PostgreSQL
    needs nothing (COPY)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -2000000")  # 2 GB, in KiB


def bench_municipality() -> Municipality | None:
    return Municipality.objects.filter(code=CODE).first()
