"""Bulk data for the benchmark: a synthetic municipality (ベンチ市) with 25
organizations, 100,000 persons in about 60,000 households, 300,000
consultations and the referrals some of them led to.

Rows are written with ``bulk_create`` in batches, with the municipality set
explicitly (``save()`` is not called, so neither the tenant check nor the audit
trail runs: this is a data load, not casework). Search keys come from the
product's own ``person_set_keys`` with the built-in variant table.

Everything is synthetic and drawn from a seeded generator, so the same scale
gives the same data on SQLite and on PostgreSQL. Names: the demo's common
surnames and given names (``tsunagu.demo.names``) weighted by their real share
of the population (about a fifth of residents together), and a long tail of
compound surnames for the rest; about one in twenty families with a surname
that has a variant form is registered with it (髙橋, 齋藤, 山﨑 …).
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from tsunagu.accounts.models import Membership, Staff
from tsunagu.accounts.roles import Role
from tsunagu.consultations.models import (
    Channel,
    ConsentToShare,
    Consultation,
    ConsultationSubject,
    ConsultationTopic,
    Consulter,
    LifeIssue,
    Outcome,
    Topic,
    Urgency,
)
from tsunagu.core.models import Municipality
from tsunagu.demo.names import GIVEN_NAMES, SURNAMES
from tsunagu.demo.ward import ORGANIZATIONS
from tsunagu.directory.models import District, Organization
from tsunagu.people.models import Household, HouseholdMembership, Person, Relationship, Sex
from tsunagu.people.names import VARIANT_KANJI, normalize_text
from tsunagu.people.services import person_set_keys
from tsunagu.referrals.models import (
    NEEDS_REPORT_BACK,
    OPEN,
    Reason,
    Referral,
    ReferralEvent,
    SharingBasis,
    Status,
)

BENCH_CODE = "999981"
BENCH_NAME = "ベンチ市"
COUNSELOR_USERNAME = "bench-counselor"
COORDINATOR_USERNAME = "bench-coordinator"
#: The benchmarked counselor's one organization: a typical 地域包括支援センター.
COUNSELOR_ORGANIZATION = "高齢者あんしん相談センター富坂"
EXTRA_ORGANIZATION = "ひきこもり支援センター"
DISTRICTS = ["富坂", "大塚", "本富士", "駒込"]
BATCH = 2000
TOKYO = ZoneInfo("Asia/Tokyo")
#: "Today" of the generated data, fixed so that every run makes the same rows.
TODAY = date(2026, 10, 1)

#: Share of the municipality's consultations each organization takes in
#: (households are registered by the organization they first came to).
ORGANIZATION_WEIGHTS = {
    "福祉政策課": 1,
    "高齢福祉課": 3,
    "障害福祉課": 3,
    "生活福祉課": 5,
    "予防対策課": 1,
    "子育て支援課": 2,
    "幼児保育課": 1,
    "児童青少年課": 1,
    "総務課": 0,
    "子ども家庭支援センター": 5,
    "保健サービスセンター": 4,
    "保健サービスセンター本郷支所": 2,
    "教育センター": 2,
    "自立相談支援窓口": 8,
    "社会福祉協議会": 6,
    "障害者基幹相談支援センター": 5,
    EXTRA_ORGANIZATION: 2,
}
ANSHIN_MAIN_WEIGHT = 6
ANSHIN_BRANCH_WEIGHT = 3

#: Approximate shares (%) in Japan of the demo's surnames, in the demo's order.
COMMON_SURNAME_SHARES = [
    1.50, 1.43, 1.12, 1.06, 0.87, 0.85, 0.85, 0.83, 0.81, 0.71, 0.66, 0.65, 0.53, 0.51, 0.50,
    0.49, 0.46, 0.42, 0.42, 0.40, 0.38, 0.37, 0.36, 0.35, 0.35, 0.34, 0.33, 0.32, 0.32, 0.31,
    0.31, 0.31,
]  # fmt: skip

# The long tail: compound surnames (prefix + suffix), synthetic readings.
TAIL_PREFIXES = [
    ("大", "おお"), ("小", "こ"), ("上", "うえ"), ("中", "なか"), ("下", "しも"), ("石", "いし"),
    ("高", "たか"), ("松", "まつ"), ("竹", "たけ"), ("岡", "おか"), ("西", "にし"), ("東", "ひがし"),
    ("北", "きた"), ("南", "みなみ"), ("川", "かわ"), ("長", "なが"), ("藤", "ふじ"), ("吉", "よし"),
    ("宮", "みや"), ("福", "ふく"), ("平", "ひら"), ("桜", "さくら"), ("浜", "はま"), ("金", "かね"),
    ("黒", "くろ"), ("白", "しら"), ("青", "あお"), ("今", "いま"), ("古", "ふる"), ("新", "にい"),
    ("荒", "あら"), ("菊", "きく"), ("杉", "すぎ"), ("岩", "いわ"), ("広", "ひろ"), ("国", "くに"),
    ("真", "ま"), ("富", "とみ"), ("寺", "てら"), ("野", "の"),
]  # fmt: skip
TAIL_SUFFIXES = [
    ("田", "た"), ("川", "かわ"), ("山", "やま"), ("本", "もと"), ("井", "い"), ("村", "むら"),
    ("沢", "さわ"), ("島", "しま"), ("崎", "さき"), ("原", "はら"), ("野", "の"), ("木", "き"),
    ("谷", "たに"), ("口", "ぐち"), ("橋", "はし"), ("岡", "おか"), ("部", "べ"), ("辺", "べ"),
    ("尾", "お"), ("内", "うち"), ("森", "もり"), ("瀬", "せ"), ("浦", "うら"), ("坂", "さか"),
    ("江", "え"), ("宮", "みや"), ("池", "いけ"), ("城", "しろ"),
]  # fmt: skip

EXTRA_GIVEN_NAMES = [
    ("幸子", "さちこ"), ("和子", "かずこ"), ("節子", "せつこ"), ("清", "きよし"), ("茂", "しげる"),
    ("勇", "いさむ"), ("弘", "ひろし"), ("正", "ただし"), ("実", "みのる"), ("明", "あきら"),
    ("洋子", "ようこ"), ("京子", "きょうこ"), ("優子", "ゆうこ"), ("愛", "あい"), ("蓮", "れん"),
    ("陽翔", "はると"), ("結衣", "ゆい"), ("葵", "あおい"), ("悠真", "ゆうま"), ("陽菜", "ひな"),
    ("湊", "みなと"), ("芽依", "めい"), ("健太", "けんた"), ("美穂", "みほ"), ("翼", "つばさ"),
    ("花子", "はなこ"), ("恵美", "えみ"), ("真理", "まり"), ("広志", "ひろし"), ("栄一", "えいいち"),
    ("勝", "まさる"), ("豊", "ゆたか"), ("文子", "ふみこ"), ("千代", "ちよ"), ("静香", "しずか"),
    ("龍一", "りゅういち"), ("敏子", "としこ"), ("信子", "のぶこ"), ("進", "すすむ"), ("昭", "あきら"),
]  # fmt: skip

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
FOLLOW_UPS = [
    "次回、自宅を訪問して様子を確認する。",
    "関係機関と情報を共有し、対応を検討する。",
    "制度の案内をし、申請書を渡した。",
    "本人の意向を確認しながら継続して関わる。",
    "経過を見て、必要があれば再度連絡する。",
]


@dataclass(frozen=True)
class Scale:
    persons: int = 100_000
    consultations: int = 300_000

    @property
    def label(self) -> str:
        return f"{self.persons}p-{self.consultations}c"


@dataclass
class Report:
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


def bench_municipality() -> Municipality | None:
    return Municipality.objects.filter(code=BENCH_CODE).first()


def generated_scale(municipality: Municipality) -> Scale:
    return Scale(
        persons=Person.all_tenants.filter(municipality=municipality).count(),
        consultations=Consultation.all_tenants.filter(municipality=municipality).count(),
    )


def row_counts(municipality: Municipality) -> dict[str, int]:
    by = {"municipality": municipality}
    return {
        "organizations": Organization.all_tenants.filter(**by).count(),
        "staff": Staff.all_tenants.filter(**by).count(),
        "persons": Person.all_tenants.filter(**by).count(),
        "households": Household.all_tenants.filter(**by).count(),
        "household_memberships": HouseholdMembership.all_tenants.filter(**by).count(),
        "consultations": Consultation.all_tenants.filter(**by).count(),
        "consultation_topics": ConsultationTopic.all_tenants.filter(**by).count(),
        "consultation_subjects": ConsultationSubject.all_tenants.filter(**by).count(),
        "referrals": Referral.all_tenants.filter(**by).count(),
        "referral_events": ReferralEvent.all_tenants.filter(**by).count(),
    }


# ---------------------------------------------------------------------------
# Names.


class _Weighted:
    """Draws from a fixed list with fixed weights (cumulative weights, drawn by bisection)."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random) -> Any:
        return rng.choices(self.items, cum_weights=self.cumulative)[0]


def _surnames() -> _Weighted:
    common = {kanji for kanji, _kana in SURNAMES}
    tail = [
        (p + s, pk + sk)
        for (p, pk), (s, sk) in itertools.product(TAIL_PREFIXES, TAIL_SUFFIXES)
        if p != s and p + s not in common
    ]
    random.Random(4).shuffle(tail)  # noqa: S311 - a fixed order: rank decides the weight
    tail_total = 100.0 - sum(COMMON_SURNAME_SHARES)
    zipf = [1.0 / (rank + 20) for rank in range(len(tail))]
    scale = tail_total / sum(zipf)
    return _Weighted(
        [*SURNAMES, *tail], [*COMMON_SURNAME_SHARES, *(weight * scale for weight in zipf)]
    )


def _given_names() -> _Weighted:
    names = [*GIVEN_NAMES, *EXTRA_GIVEN_NAMES]
    return _Weighted(names, [1.0 / (rank + 8) for rank in range(len(names))])


_VARIANTS_OF: dict[str, list[str]] = {}
for _variant, _standard in VARIANT_KANJI.items():
    if len(_variant) == 1 and _variant.isprintable():
        _VARIANTS_OF.setdefault(_standard, []).append(_variant)


def _as_registered(name: str, rng: random.Random) -> str:
    """The name as a family might be registered: a variant form now and then."""
    if not any(char in _VARIANTS_OF for char in name) or rng.random() >= 0.05:
        return name
    return "".join(
        rng.choice(_VARIANTS_OF[char]) if char in _VARIANTS_OF else char for char in name
    )


def _as_typed_kana(kana: str, rng: random.Random) -> str:
    """Readings as clerks type them: mostly hiragana, some katakana, a few missing."""
    roll = rng.random()
    if roll < 0.05:
        return ""
    if roll < 0.25:
        return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in kana)
    return kana


# ---------------------------------------------------------------------------
# The generator.


def _aware(day: date, rng: random.Random) -> datetime:
    return datetime(
        day.year, day.month, day.day, rng.randint(9, 16), rng.randint(0, 59), tzinfo=TOKYO
    )


def _years_ago(years: float) -> date:
    return TODAY - timedelta(days=int(years * 365.25))


def _bulk(model: type[Any], objects: list[Any]) -> list[Any]:
    return model.all_tenants.bulk_create(objects, batch_size=BATCH)


class _Generator:
    def __init__(self, municipality: Municipality, scale: Scale, seed: int, log: Callable) -> None:
        self.municipality = municipality
        self.scale = scale
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible
        self.log = log
        self.report = Report()
        self.surnames = _surnames()
        self.given_names = _given_names()

    def phase(self, name: str, started: float) -> None:
        self.report.seconds[name] = round(time.perf_counter() - started, 1)
        self.log(f"  {name}: {self.report.seconds[name]} s")

    # -- organizations and staff ------------------------------------------------

    def organizations(self) -> None:
        m = self.municipality
        self.districts = District.all_tenants.bulk_create(
            District(municipality=m, name=name, sort_order=i) for i, name in enumerate(DISTRICTS)
        )
        specs = [(spec.name, spec.kind, spec.is_coordinating) for spec in ORGANIZATIONS]
        specs.append((EXTRA_ORGANIZATION, Organization.Kind.CENTER, False))
        self.orgs = Organization.all_tenants.bulk_create(
            Organization(
                municipality=m, name=name, kind=kind, is_coordinating=coord, sort_order=order
            )
            for order, (name, kind, coord) in enumerate(specs, start=1)
        )
        self.org_by_name = {org.name: org for org in self.orgs}
        self.coordinating = next(org for org in self.orgs if org.is_coordinating)
        weights = []
        for org in self.orgs:
            if org.name.startswith("高齢者あんしん相談センター"):
                weight = ANSHIN_BRANCH_WEIGHT if org.name.endswith("分室") else ANSHIN_MAIN_WEIGHT
            else:
                weight = ORGANIZATION_WEIGHTS[org.name]
            weights.append(weight)
        self.org_weights = _Weighted(self.orgs, weights)

        unusable = make_password(None)
        staff: list[Staff] = []
        roles: list[tuple[int, int, str]] = []  # (staff index, organization index, role)
        for index in range(len(self.orgs)):
            for n in range(4):
                role = Role.ORG_MANAGER if n == 3 else Role.COUNSELOR
                staff.append(
                    Staff(
                        municipality=m,
                        username=f"bench-{index:02d}-{n}",
                        full_name=f"職員 {index:02d}-{n}",
                        full_name_kana="しょくいん",
                        password=unusable,
                    )
                )
                roles.append((len(staff) - 1, index, role))
        for username, org_name, role in (
            (COUNSELOR_USERNAME, COUNSELOR_ORGANIZATION, Role.COUNSELOR),
            (COORDINATOR_USERNAME, self.coordinating.name, Role.COORDINATOR),
        ):
            staff.append(
                Staff(
                    municipality=m,
                    username=username,
                    full_name=f"ベンチ {role}",
                    full_name_kana="べんち",
                    password=unusable,
                )
            )
            roles.append((len(staff) - 1, self.orgs.index(self.org_by_name[org_name]), role))
        staff = Staff.all_tenants.bulk_create(staff)
        Membership.all_tenants.bulk_create(
            Membership(municipality=m, staff=staff[s], organization=self.orgs[o], role=role)
            for s, o, role in roles
        )
        self.workers: dict[int, list[int]] = {}
        for s, o, role in roles:
            if role == Role.COUNSELOR and not staff[s].username.startswith("bench-c"):
                self.workers.setdefault(self.orgs[o].pk, []).append(staff[s].pk)

    def worker(self, org_id: int) -> int:
        return self.rng.choice(self.workers[org_id])

    # -- persons and households ------------------------------------------------

    def _household_shape(self) -> list[str]:
        rng = self.rng
        size = rng.choices([1, 2, 3, 4, 5, 6], weights=[58, 25, 10, 4.5, 1.8, 0.7])[0]
        if size == 1:
            return [Relationship.HEAD]
        second = rng.choices(
            [Relationship.SPOUSE, Relationship.CHILD, Relationship.PARENT, Relationship.SIBLING],
            weights=[60, 28, 8, 4],
        )[0]
        shape = [Relationship.HEAD, second]
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
        age = {
            Relationship.HEAD: head_age,
            Relationship.SPOUSE: head_age + rng.uniform(-6, 6),
            Relationship.SIBLING: head_age + rng.uniform(-8, 8),
            Relationship.CHILD: head_age - rng.uniform(20, 40),
            Relationship.PARENT: head_age + rng.uniform(22, 35),
            Relationship.GRANDCHILD: head_age - rng.uniform(45, 60),
        }[relationship]
        age = min(max(age, 0.1), 104)
        return _years_ago(age) - timedelta(days=rng.randint(0, 364))

    def persons_and_households(self) -> None:
        started = time.perf_counter()
        rng, m = self.rng, self.municipality
        households: list[Household] = []
        persons: list[Person] = []
        # Per household: (shape, index of its first person, home organization, moved-in date)
        plan: list[tuple[list[str], int, Organization, date]] = []
        while len(persons) < self.scale.persons:
            shape = self._household_shape()[: self.scale.persons - len(persons)]
            org = self.org_weights.draw(rng)
            district = self.districts[rng.randrange(len(self.districts))]
            surname, surname_kana = self.surnames.draw(rng)
            surname = _as_registered(surname, rng)
            address = (
                f"{BENCH_NAME}{district.name}{rng.randint(1, 6)}丁目"
                f"{rng.randint(1, 30)}番{rng.randint(1, 20)}号"
            )
            phone = f"03-5{rng.randint(100, 999)}-{rng.randint(0, 9999):04d}"
            head_age = rng.triangular(20, 98, 78)
            created_by = self.worker(org.pk)
            registered = TODAY - timedelta(days=rng.randint(0, 6 * 365))
            first = len(persons)
            for relationship in shape:
                given, given_kana = self.given_names.draw(rng)
                family, family_kana = surname, surname_kana
                if (
                    relationship in (Relationship.PARENT, Relationship.SIBLING)
                    and rng.random() < 0.3
                ):
                    family, family_kana = self.surnames.draw(rng)
                person = Person(
                    municipality=m,
                    family_name=family,
                    given_name=_as_registered(given, rng),
                    family_name_kana=_as_typed_kana(family_kana, rng),
                    given_name_kana=_as_typed_kana(given_kana, rng),
                    sex=rng.choice([Sex.MALE, Sex.FEMALE, Sex.FEMALE, Sex.MALE, Sex.UNKNOWN]),
                    birth_date=self._birth_date(relationship, head_age),
                    address=address,
                    district=district,
                    phone=phone if rng.random() < 0.6 else "",
                    registered_by=org,
                    created_by_id=created_by,
                    updated_by_id=created_by,
                    created_at=_aware(registered, rng),
                )
                person_set_keys(person, VARIANT_KANJI)
                persons.append(person)
            head = persons[first]
            households.append(
                Household(
                    municipality=m,
                    address=address,
                    district=district,
                    phone=phone,
                    registered_by=org,
                    label=head.full_name[:90],
                    created_by_id=created_by,
                    updated_by_id=created_by,
                    created_at=head.created_at,
                )
            )
            moved_in = registered - timedelta(days=rng.randint(0, 30 * 365))
            plan.append((shape, first, org, moved_in))
        self.phase("build persons and households", started)

        started = time.perf_counter()
        persons = _bulk(Person, persons)
        households = _bulk(Household, households)
        self.phase("insert persons and households", started)

        started = time.perf_counter()
        memberships: list[HouseholdMembership] = []
        self.members: list[list[int]] = []  # current member ids of each household
        start_of: dict[int, date] = {}
        current_of: dict[int, HouseholdMembership] = {}
        for household, (shape, first, _org, moved_in) in zip(households, plan, strict=True):
            current = []
            for offset, relationship in enumerate(shape):
                person = persons[first + offset]
                start = max(moved_in, person.birth_date)
                membership = HouseholdMembership(
                    municipality=m,
                    household=household,
                    person=person,
                    relationship=relationship,
                    started_on=start,
                    recorded_by_id=household.created_by_id,
                    recorded_at=household.created_at,
                )
                memberships.append(membership)
                current_of[person.pk] = membership
                current.append(person.pk)
                start_of[person.pk] = start
            self.members.append(current)
        # History: some members moved in from another household (the old row
        # ended), and some left for good (died, moved out of the municipality).
        multi = [i for i, members in enumerate(self.members) if len(members) > 1]
        for index in rng.sample(multi, k=min(len(multi), self.scale.persons // 25)):
            person_id = rng.choice(self.members[index][1:])
            other = households[rng.randrange(len(households))]
            if other.pk == households[index].pk:
                continue
            ended_on = start_of[person_id]
            memberships.append(
                HouseholdMembership(
                    municipality=m,
                    household=other,
                    person_id=person_id,
                    relationship=Relationship.CHILD,
                    started_on=ended_on - timedelta(days=rng.randint(365, 20 * 365)),
                    ended_on=ended_on,
                    end_reason="別の世帯へ移動",
                    recorded_by_id=other.created_by_id,
                    recorded_at=other.created_at,
                )
            )
        for index in rng.sample(multi, k=min(len(multi), self.scale.persons // 70)):
            if len(self.members[index]) < 2:
                continue
            membership = current_of[self.members[index].pop()]
            membership.ended_on = max(
                membership.started_on + timedelta(days=1),
                TODAY - timedelta(days=rng.randint(1, 3 * 365)),
            )
            membership.end_reason = rng.choice(["死亡", "転出", "施設入所"])
        self.phase("build memberships", started)
        started = time.perf_counter()
        _bulk(HouseholdMembership, memberships)
        self.households = households
        self.phase("insert memberships", started)

    # -- consultations and referrals ---------------------------------------------

    def consultations(self) -> None:
        rng, m = self.rng, self.municipality
        count = self.scale.consultations
        # A few households come back again and again; most call once or twice.
        weights = [min(rng.paretovariate(1.3), 80.0) for _ in self.households]
        cumulative = list(itertools.accumulate(weights))
        without_household = count // 33
        picks = rng.choices(range(len(self.households)), cum_weights=cumulative, k=count)
        self.to_refer: list[tuple[int, int, int, datetime, list[int], bool]] = []
        topics = list(Topic)
        topic_weights = [8, 4, 8, 3, 2, 3, 3, 2, 3, 5, 4, 12, 3, 2, 1, 3]
        channel_weights = [30, 35, 3, 2, 15, 5, 1, 9]
        consulter_weights = [40, 25, 5, 5, 2, 12, 2, 4, 1, 1, 1, 2]
        outcomes = [o.value for o in Outcome]
        outcome_weights = {
            Outcome.ADVICE_ENDED: 45,
            Outcome.CONTINUE_HERE: 35,
            Outcome.REFER: 10,
            Outcome.ESCALATE: 3,
            Outcome.WATCH: 7,
        }
        life_issues = [issue.value for issue in LifeIssue]
        build_seconds = insert_seconds = 0.0
        for chunk_start in range(0, count, 20_000):
            started = time.perf_counter()
            chunk: list[Consultation] = []
            extra: list[tuple[set[str], list[int]]] = []
            for n in range(chunk_start, min(count, chunk_start + 20_000)):
                index = None if n < without_household else picks[n]
                household = self.households[index] if index is not None else None
                if household is not None and rng.random() < 0.75:
                    org = household.registered_by
                else:
                    org = self.org_weights.draw(rng)
                topic = rng.choices(topics, weights=topic_weights)[0]
                channel = rng.choices(list(Channel), weights=channel_weights)[0]
                consulter = rng.choices(list(Consulter), weights=consulter_weights)[0]
                outcome = rng.choices(outcomes, weights=list(outcome_weights.values()))[0]
                received = _aware(TODAY - timedelta(days=rng.randint(0, 6 * 365)), rng)
                summary = (
                    f"{consulter.label}より{channel.label}で相談。"
                    f"{SUMMARY_BY_TOPIC[topic]}。{rng.choice(FOLLOW_UPS)}"
                )
                worker = self.worker(org.pk)
                consultation = Consultation(
                    municipality=m,
                    organization=org,
                    received_by_id=worker,
                    received_at=received,
                    channel=channel,
                    consulter=consulter,
                    household=household,
                    unknown_subject="" if household else "2階に住む高齢の方（氏名不明）",
                    main_topic=topic,
                    life_issues=rng.sample(life_issues, k=rng.choice([0, 1, 1, 2])),
                    summary=summary,
                    urgency=rng.choices(list(Urgency), weights=[85, 12, 3])[0],
                    consent_to_share=rng.choices(list(ConsentToShare), weights=[60, 40])[0],
                    outcome=outcome,
                    search_text=normalize_text(summary),
                    created_by_id=worker,
                    updated_by_id=worker,
                    created_at=received,
                )
                chunk.append(consultation)
                checked = {topic.value, *rng.sample(topics, k=rng.choice([0, 0, 1, 2]))}
                members = self.members[index] if index is not None else []
                subjects = rng.sample(members, k=min(len(members), rng.choice([1, 1, 1, 2])))
                extra.append((checked, subjects))
            build_seconds += time.perf_counter() - started
            started = time.perf_counter()
            chunk = _bulk(Consultation, chunk)
            _bulk(
                ConsultationTopic,
                [
                    ConsultationTopic(municipality=m, consultation=c, topic=t)
                    for c, (checked, _subjects) in zip(chunk, extra, strict=True)
                    for t in sorted(checked)
                ],
            )
            _bulk(
                ConsultationSubject,
                [
                    ConsultationSubject(municipality=m, consultation=c, person_id=p)
                    for c, (_checked, subjects) in zip(chunk, extra, strict=True)
                    for p in subjects
                ],
            )
            insert_seconds += time.perf_counter() - started
            for c, (_checked, subjects) in zip(chunk, extra, strict=True):
                if (
                    c.household_id is not None
                    and c.outcome in (Outcome.REFER, Outcome.ESCALATE)
                    and rng.random() < 0.4
                ):
                    self.to_refer.append(
                        (
                            c.pk,
                            c.organization_id,
                            c.household_id,
                            c.received_at,
                            subjects,
                            c.outcome == Outcome.ESCALATE,
                        )
                    )
            self.log(f"  consultations: {min(count, chunk_start + 20_000)}/{count}")
        self.report.seconds["build consultations"] = round(build_seconds, 1)
        self.report.seconds["insert consultations"] = round(insert_seconds, 1)
        self.log(f"  build consultations: {build_seconds:.1f} s, insert: {insert_seconds:.1f} s")

    def referrals(self) -> None:
        started = time.perf_counter()
        rng, m = self.rng, self.municipality
        statuses = [
            Status.DRAFT,
            Status.REQUESTED,
            Status.ACCEPTED,
            Status.IN_PROGRESS,
            Status.ON_HOLD,
            Status.COMPLETED,
            Status.REJECTED,
            Status.CANCELLED,
            Status.FAILED,
        ]
        status_weights = [2, 12, 10, 18, 4, 38, 8, 5, 3]
        paths = {
            Status.DRAFT: [],
            Status.REQUESTED: [Status.REQUESTED],
            Status.CANCELLED: [Status.REQUESTED, Status.CANCELLED],
            Status.REJECTED: [Status.REQUESTED, Status.REJECTED],
            Status.ACCEPTED: [Status.REQUESTED, Status.ACCEPTED],
            Status.IN_PROGRESS: [Status.REQUESTED, Status.ACCEPTED, Status.IN_PROGRESS],
            Status.ON_HOLD: [Status.REQUESTED, Status.ACCEPTED, Status.ON_HOLD],
            Status.COMPLETED: [
                Status.REQUESTED,
                Status.ACCEPTED,
                Status.IN_PROGRESS,
                Status.COMPLETED,
            ],
            Status.FAILED: [Status.REQUESTED, Status.ACCEPTED, Status.FAILED],
        }
        referrals: list[Referral] = []
        histories: list[list[tuple[str, str, int, datetime, str, str]]] = []
        person_links: list[list[int]] = []
        for consultation_id, from_id, household_id, received, subjects, escalate in self.to_refer:
            if escalate and from_id != self.coordinating.pk:
                to = self.coordinating
            else:
                to = self.org_weights.draw(rng)
                while to.pk == from_id:
                    to = self.org_weights.draw(rng)
            status = rng.choices(statuses, weights=status_weights)[0]
            at = received + timedelta(hours=rng.randint(1, 48))
            sender = self.worker(from_id)
            receiver = self.worker(to.pk)
            history = [("", Status.DRAFT, sender, at, "", "作成")]
            source: str = Status.DRAFT
            for target in paths[status]:
                at += timedelta(hours=rng.randint(2, 24 * 10))
                by_sender = target in (Status.REQUESTED, Status.CANCELLED)
                reason = ""
                if target in (Status.REJECTED, Status.CANCELLED, Status.ON_HOLD, Status.FAILED):
                    reason = rng.choice(list(Reason)).value
                note = "支援を終了し、結果を報告します。" if target in NEEDS_REPORT_BACK else ""
                history.append(
                    (source, target, sender if by_sender else receiver, at, reason, note)
                )
                source = target
            sent = history[1][3] if len(history) > 1 else None
            answered = next((h[3] for h in history[2:] if h[2] == receiver), None)
            referrals.append(
                Referral(
                    municipality=m,
                    from_organization_id=from_id,
                    to_organization=to,
                    household_id=household_id,
                    consultation_id=consultation_id,
                    status=status,
                    request="継続的な支援をお願いします。",
                    shared_summary="相談の概要と世帯の状況を共有します。",
                    shared_items=["identity", "household", "consultation"],
                    sharing_basis=rng.choices(
                        [SharingBasis.CONSENT, SharingBasis.SUPPORT_MEETING], weights=[85, 15]
                    )[0],
                    due_on=(history[0][3] + timedelta(days=14)).date(),
                    sent_at=sent,
                    first_answered_at=answered,
                    closed_at=history[-1][3] if status not in OPEN else None,
                    report_back=history[-1][5] if status in NEEDS_REPORT_BACK else "",
                    report_back_at=history[-1][3] if status in NEEDS_REPORT_BACK else None,
                    version=len(history),
                    created_by_id=sender,
                    updated_by_id=history[-1][2],
                    created_at=history[0][3],
                )
            )
            histories.append(history)
            person_links.append(subjects)
        referrals = _bulk(Referral, referrals)
        org_of = {}
        for referral in referrals:
            org_of[referral.pk] = (referral.from_organization_id, referral.to_organization_id)
        events = []
        for referral, history in zip(referrals, histories, strict=True):
            sender_org, receiver_org = org_of[referral.pk]
            for source, target, actor, at, reason, note in history:
                by_sender = target in (Status.DRAFT, Status.REQUESTED, Status.CANCELLED)
                events.append(
                    ReferralEvent(
                        municipality=m,
                        referral=referral,
                        from_status=source,
                        to_status=target,
                        reason=reason,
                        note=note,
                        is_report_back=target in NEEDS_REPORT_BACK,
                        actor_id=actor,
                        organization_id=sender_org if by_sender else receiver_org,
                        occurred_at=at,
                    )
                )
        _bulk(ReferralEvent, events)
        through = Referral.persons.through
        through.objects.bulk_create(
            [
                through(referral_id=referral.pk, person_id=person_id)
                for referral, persons in zip(referrals, person_links, strict=True)
                for person_id in persons
            ],
            batch_size=BATCH,
        )
        self.phase("referrals", started)


def generate(scale: Scale, *, seed: int = 2026, log: Callable = print) -> Report:
    """Create the bench municipality and all its rows, in one transaction."""
    total = time.perf_counter()
    with transaction.atomic():
        municipality = Municipality.objects.create(code=BENCH_CODE, name=BENCH_NAME)
        generator = _Generator(municipality, scale, seed, log)
        started = time.perf_counter()
        generator.organizations()
        generator.phase("organizations and staff", started)
        generator.persons_and_households()
        generator.consultations()
        generator.referrals()
    started = time.perf_counter()
    # Planner statistics after a bulk load, as `load_demo` gathers them (and as
    # PostgreSQL's autovacuum soon would); `bench.run --no-stats` drops SQLite's.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    generator.phase("analyze", started)
    generator.report.rows = row_counts(municipality)
    generator.report.seconds["all"] = round(time.perf_counter() - total, 1)
    return generator.report
