"""The demo ward's work with people who do not come to a window: outreach
histories (business III) for about twenty households, and the participation
profiles and paths (business IV) of some sixteen people.

The households and people are the demo's synthetic residents, chosen by what
their records say (a young person living alone whose consultations mention
ひきこもり, an 8050 household, a case with an active plan …) rather than by
key, so that the choice follows the residents however they were generated.
:func:`cast` makes that choice; both loaders call it and get the same answer.

What the histories show:

- a household visited every month for a year and a half by the 社協 CSW and
  the 基幹相談支援センター's worker together, the door never opened (seed 002:
  such a record is normal, and worth keeping);
- relationships that move 未接触 → 接触 → 会話 → 関係構築 → 相談・同意 over months;
- a month with a dozen contacts or more (seed 004 asks for the maximum);
- planned contacts whose day has passed, so that the CSW's list has overdue items;
- participation paths at every stage, most of them before any plan and a few
  written into a consented support plan, with follow-ups and support given to
  the hosts; and the matching showcase, a withdrawn young man who likes coffee
  and quiet places (「コーヒーを淹れる会」 should come first for him).

Everything is written through the services the screens use, inside the
tenant, on days in the past. The services stamp "now" on created/updated
times and on the paths' history rows; those are moved back to the recorded
days afterwards (the audit trail keeps the real time of loading).
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.cases.models import Case
from tsunagu.consultations.models import Consultation
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.demo.cases import MODEL_CASE_TITLE
from tsunagu.demo.residents import JIRITSU, KIKAN, KODOMO, KOREI, SEIKATSU, SHAKYO, anshin_of
from tsunagu.demo.resources import COFFEE
from tsunagu.directory.models import Organization
from tsunagu.outreach.models import Direction, Intent, Method, OutreachContact, Result, Stage
from tsunagu.outreach.services import outreach_contact_record
from tsunagu.participation.models import (
    EventKind,
    GroupSize,
    Pace,
    Participation,
    ParticipationEvent,
    ParticipationProfile,
    TimeOfDay,
    Travel,
)
from tsunagu.participation.models import Stage as Path
from tsunagu.participation.services import (
    participation_note,
    participation_propose,
    participation_transition,
    profile_save,
)
from tsunagu.people.models import Household, HouseholdMembership, Person, Sex
from tsunagu.plans.models import Status as PlanStatus
from tsunagu.plans.models import SupportPlan
from tsunagu.resources.models import Ease, Resource

#: Who records for the 高齢者あんしん相談センター of each district.
ANSHIN_STAFF = {
    "富坂": "demo-soudan",
    "大塚": "demo-anshin-otsuka",
    "本富士": "demo-anshin-honfuji",
    "駒込": "demo-anshin-komagome",
}
HIKIKOMORI, MENTAL, DEVELOPMENTAL, REFUSING = (
    "ひきこもり", "精神疾患(疑い含む)", "発達障害(疑い含む)", "支援拒否・困り感なし",
)  # fmt: skip
POVERTY, WORK, DEMENTIA, CARER, TRUANCY, ADDICTION = (
    "生活困窮", "就労", "認知症", "ヤングケアラー", "不登校", "依存症",
)  # fmt: skip

V, P, L, MSG, ACC, PLACE, WATCH = (
    Method.VISIT, Method.PHONE, Method.LETTER, Method.MESSAGE, Method.ACCOMPANY,
    Method.AT_PLACE, Method.WATCH,
)  # fmt: skip
MET, DOOR, ABSENT, REFUSED, SILENT = (
    Result.MET, Result.THROUGH_DOOR, Result.ABSENT, Result.REFUSED, Result.NO_RESPONSE,
)  # fmt: skip
NONE, CONTACT, TALK, BOND, AGREED = (
    Stage.NONE, Stage.CONTACT, Stage.CONVERSATION, Stage.RELATIONSHIP, Stage.CONSULTATION,
)  # fmt: skip
IN = Direction.INCOMING


# ---------------------------------------------------------------------------
# Who: the households and people of the stories, chosen from the residents.


@dataclass
class Member:
    person: Person
    relationship: str
    age: int


@dataclass
class Home:
    household: Household
    members: list[Member]
    features: frozenset[str]
    organizations: frozenset[str]
    case: Case | None
    registered: date

    @property
    def district(self) -> str:
        return self.household.district.name if self.household.district else ""

    def oldest(self) -> Member:
        return max(self.members, key=lambda m: (m.age, -m.person.pk))

    def youngest(self) -> Member:
        return min(self.members, key=lambda m: (m.age, m.person.pk))

    def aged(self, low: int, high: int) -> Member | None:
        return next((m for m in self.members if low <= m.age <= high), None)


@dataclass
class Cast:
    """The households (and their people) each story is about; a role is absent
    when no resident fits it."""

    homes: dict[str, Home] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    plans: dict[str, tuple[SupportPlan, Person]] = field(default_factory=dict)


def _age(born: date | None, today: date) -> int:
    if born is None:
        return -1
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _homes(today: date) -> list[Home]:
    members: dict[int, list[Member]] = {}
    households: dict[int, Household] = {}
    for membership in (
        HouseholdMembership.objects.filter(ended_on=None, person__merged_into=None)
        .select_related("person", "household__district")
        .order_by("household_id", "id")
    ):
        households[membership.household_id] = membership.household
        members.setdefault(membership.household_id, []).append(
            Member(
                membership.person,
                membership.relationship,
                _age(membership.person.birth_date, today),
            )
        )
    features: dict[int, set[str]] = {}
    for household_id, name in Consultation.objects.filter(
        household__isnull=False, case_features__isnull=False
    ).values_list("household_id", "case_features__name"):
        features.setdefault(household_id, set()).add(name)
    organizations: dict[int, set[str]] = {}
    for household_id, name in Consultation.objects.filter(household__isnull=False).values_list(
        "household_id", "organization__name"
    ):
        organizations.setdefault(household_id, set()).add(name)
    cases = {case.household_id: case for case in Case.objects.order_by("-id")}
    return [
        Home(
            household=household,
            members=members[pk],
            features=frozenset(features.get(pk, ())),
            organizations=frozenset(organizations.get(pk, ())),
            case=cases.get(pk),
            registered=timezone.localtime(household.created_at).date(),
        )
        for pk, household in sorted(households.items(), key=lambda item: item[1].created_at)
    ]


class _Caster:
    def __init__(self, today: date) -> None:
        self.today = today
        self.homes = _homes(today)
        self.used: set[int] = set()
        self.cast = Cast()

    def pick(
        self,
        role: str,
        *tests: Callable[[Home], bool],
        prefer: Callable[[Home], bool] | None = None,
    ) -> Home | None:
        """The first unused household (oldest registration first) passing every
        test, one passing ``prefer`` if there is one."""
        found = [
            h for h in self.homes if h.household.pk not in self.used and all(t(h) for t in tests)
        ]
        if prefer is not None:
            found.sort(key=lambda h: not prefer(h))
        if not found:
            return None
        home = found[0]
        self.used.add(home.household.pk)
        self.cast.homes[role] = home
        return home

    def plan(
        self, role: str, words: tuple[str, ...], member: Callable[[list[Person]], Person]
    ) -> None:
        for plan in (
            SupportPlan.objects.filter(status=PlanStatus.ACTIVE)
            .select_related("case")
            .prefetch_related("members__person")
            .order_by("case_id")
        ):
            if any(p.pk == plan.pk for p, _person in self.cast.plans.values()):
                continue
            if all(word in plan.case.title for word in words):
                people = [m.person for m in plan.members.all()]
                if people:
                    self.cast.plans[role] = (plan, member(people))
                    return


def single(home: Home) -> bool:
    return len(home.members) == 1


def no_case(home: Home) -> bool:
    return home.case is None


def has(*names: str) -> Callable[[Home], bool]:
    return lambda home: bool(home.features & set(names))


def ages(low: int, high: int) -> Callable[[Home], bool]:
    return lambda home: home.aged(low, high) is not None


def note(text: str) -> Callable[[Home], bool]:
    return lambda home: text in home.household.note


def district(name: str) -> Callable[[Home], bool]:
    return lambda home: home.district == name


def _youngest(people: list[Person]) -> Person:
    return max(people, key=lambda p: (p.birth_date or date.min, p.pk))


def _first(people: list[Person]) -> Person:
    return people[0]


def cast(today: date | None = None) -> Cast:
    """Choose the households and people of the demo's stories (in the current tenant)."""
    today = today or timezone.localdate()
    c = _Caster(today)
    early = lambda h: h.registered <= today - timedelta(days=500)  # noqa: E731 - a test
    # fmt: off
    # The showcase first: a young person living alone whose records mention ひきこもり.
    showcase = (
        c.pick("showcase", no_case, single, ages(20, 29), has(HIKIKOMORI), prefer=district("富坂"))
        or c.pick("showcase", no_case, ages(20, 29), has(HIKIKOMORI, MENTAL))
        or c.pick("showcase", no_case, single, ages(20, 29))
    )
    if showcase:
        c.cast.people["showcase"] = showcase.aged(20, 29).person  # type: ignore[union-attr]
    c.pick("long", no_case, single, ages(20, 64), has(HIKIKOMORI, MENTAL, DEVELOPMENTAL, REFUSING), early) or c.pick(
        "long", no_case, single, ages(20, 64)
    )
    c.pick("young", no_case, single, ages(18, 34), has(WORK, POVERTY), prefer=lambda h: SHAKYO in h.organizations)
    c.pick("case8050", lambda h: h.case is not None and "8050" in h.case.title and h.case.is_open, ages(30, 64))
    c.pick("parent8050", no_case, note("ひきこもり"), ages(70, 100), ages(30, 64))
    c.pick("hoarding", lambda h: h.case is not None and "ごみ屋敷" in h.case.title) or c.pick(
        "hoarding", no_case, note("ものがあふれ")
    )
    c.pick("dementia", no_case, single, ages(75, 110), has(DEMENTIA), prefer=district("富坂")) or c.pick(
        "dementia", no_case, single, ages(75, 110)
    )
    c.pick("csw_elderly", no_case, single, ages(70, 110), prefer=lambda h: SHAKYO in h.organizations)
    c.pick("csw_poverty", no_case, single, ages(40, 64), has(POVERTY))
    c.pick("csw_foreign", no_case, lambda h: any(m.person.nationality_note for m in h.members), ages(20, 60))
    c.pick("csw_couple", no_case, lambda h: len(h.members) == 2 and all(m.age >= 70 for m in h.members))
    c.pick("hoken_baby", no_case, ages(0, 1), ages(20, 45))
    c.pick("kodomo_carer", no_case, has(CARER), ages(6, 17)) or c.pick(
        "kodomo_carer", no_case, note("子が家事を担っている"), ages(6, 17)
    )
    c.pick("jiritsu_single", no_case, single, ages(30, 60), has(POVERTY, ADDICTION))
    c.pick("kikan_disability", no_case, note("障害のある本人と親"), ages(18, 64))
    c.pick("seikatsu_letters", no_case, single, ages(30, 59), has(HIKIKOMORI, MENTAL, POVERTY))
    c.pick("anshin_refusal", no_case, single, ages(75, 110), has(REFUSING), prefer=district("駒込")) or c.pick(
        "anshin_refusal", no_case, single, ages(75, 110), prefer=district("駒込")
    )
    c.pick("kyoiku_school", no_case, has(TRUANCY), ages(10, 15))
    # People with a participation path but no outreach story.
    c.pick("jiritsu_cleaning", no_case, single, ages(25, 60), has(POVERTY, WORK))
    c.pick("single_mother", no_case, note("ひとり親"), ages(20, 50))
    c.pick("kikan_mental", no_case, ages(30, 49), has(MENTAL))
    c.pick("elderly_man", no_case, single, ages(65, 90), lambda h: h.members[0].person.sex == Sex.MALE)
    # Paths written into a consented support plan.
    c.plan("plan_model", (MODEL_CASE_TITLE,), _youngest)
    c.plan("plan_child", ("ひとり親",), _youngest)
    c.plan("plan_single", ("閉じこもり",), _first)
    c.plan("plan_carer", ("認知症",), _youngest)
    if not c.cast.plans:
        c.plan("plan_any", (), _first)
    # fmt: on
    return c.cast


# ---------------------------------------------------------------------------
# When: each story is written in days before today; a household registered
# more recently than its story's start has the story pressed into the time
# since (the same way for its outreach and its participation).

#: How far back each story reaches, in days, when the household is old enough.
SPAN = {
    "showcase": 300, "young": 150, "case8050": 240, "parent8050": 200, "csw_elderly": 120,
    "csw_poverty": 90, "csw_foreign": 100, "csw_couple": 60, "hoken_baby": 50,
    "kodomo_carer": 90, "jiritsu_single": 60, "kikan_disability": 150, "seikatsu_letters": 120,
    "anshin_refusal": 90, "kyoiku_school": 75, "jiritsu_cleaning": 200, "single_mother": 120,
    "kikan_mental": 90, "elderly_man": 150,
}  # fmt: skip


class _Clock:
    def __init__(self, today: date, registered: date | None = None, span: int = 0) -> None:
        self.today = today
        available = (today - registered).days - 2 if registered else span
        self.scale = min(1.0, max(available, 1) / span) if span else 1.0

    def day(self, days_ago: int) -> date:
        """``days_ago`` days before today (pressed into the household's time);
        a negative number is a day to come and is not pressed."""
        if days_ago < 0:
            return self.today - timedelta(days=days_ago)
        return self.today - timedelta(days=max(1, round(days_ago * self.scale)))


def _at(day: date, hhmm: str) -> datetime:
    hour, minute = hhmm.split(":")
    return timezone.make_aware(datetime.combine(day, time(int(hour), int(minute))))


def _month(today: date, months_ago: int, day: int) -> date:
    """Day ``day`` (clipped to the month's length) of the month ``months_ago`` before this one."""
    year, month = today.year, today.month - months_ago
    while month < 1:
        year, month = year - 1, month + 12
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day, (following - timedelta(days=1)).day))


# ---------------------------------------------------------------------------
# Outreach.


@dataclass
class _Contact:
    at: datetime
    method: str
    result: str
    intent: str
    stage: str
    content: str
    person: Person | None
    direction: str
    intent_note: str
    next_step: str
    next_on: date | None
    joint: bool


@dataclass
class _Story:
    """The contacts one organization makes with one household."""

    home: Home
    username: str
    organization: str
    person: Person | None
    visitor: tuple[str, str] | None = None
    contacts: list[_Contact] = field(default_factory=list)

    def add(
        self,
        at: datetime,
        method: str,
        result: str,
        intent: str,
        stage: str,
        content: str,
        *,
        person: Person | None = None,
        direction: str = Direction.OUTGOING,
        intent_note: str = "",
        next_step: str = "",
        next_on: date | None = None,
        joint: bool = False,
    ) -> None:
        self.contacts.append(
            _Contact(
                at=at, method=method, result=result, intent=intent, stage=stage, content=content,
                person=person or self.person, direction=direction, intent_note=intent_note,
                next_step=next_step, next_on=next_on, joint=joint,
            )
        )  # fmt: skip


@dataclass(frozen=True)
class DemoOutreach:
    households: int
    contacts: int
    seconds: float


class _OutreachWriter:
    def __init__(self, cast: Cast, today: date) -> None:
        self.cast = cast
        self.today = today
        self.staff = {s.username: s for s in Staff.objects.filter(username__startswith="demo-")}
        self.organizations = {o.name: o for o in Organization.objects.all()}
        self.stories: list[_Story] = []

    def clock(self, role: str) -> _Clock:
        home = self.cast.homes[role]
        return _Clock(self.today, home.registered, SPAN[role])

    def story(
        self, role: str, username: str, organization: str, person: Person | None,
        visitor: tuple[str, str] | None = None,
    ) -> _Story:  # fmt: skip
        story = _Story(self.cast.homes[role], username, organization, person, visitor)
        self.stories.append(story)
        return story

    def write(self) -> int:
        written = 0
        for story in self.stories:
            actor = self.staff[story.username]
            organization = self.organizations[story.organization]
            visitors = []
            if story.visitor is not None:
                visitors.append(
                    (self.staff[story.visitor[0]], self.organizations[story.visitor[1]])
                )
            case = story.home.case
            contacts = sorted(story.contacts, key=lambda c: c.at)
            for index, contact in enumerate(contacts):
                next_on = contact.next_on
                if next_on is None and contact.next_step and index + 1 < len(contacts):
                    next_on = timezone.localtime(contacts[index + 1].at).date()
                outreach_contact_record(
                    actor=actor,
                    organization=organization,
                    household=story.home.household,
                    person=contact.person,
                    case=case if case is not None and contact.at.date() >= case.opened_on else None,
                    visitors=visitors if contact.joint else (),
                    occurred_at=contact.at,
                    method=contact.method,
                    result=contact.result,
                    direction=contact.direction,
                    intent=contact.intent,
                    intent_note=contact.intent_note,
                    stage_after=contact.stage,
                    content=contact.content,
                    next_step=contact.next_step,
                    next_on=next_on,
                )
                written += 1
        # Entered on the day of each contact, as a worker would.
        OutreachContact.objects.update(created_at=F("occurred_at"), updated_at=F("occurred_at"))
        return written

    # -- the stories -----------------------------------------------------
    # fmt: off

    def plan(self) -> None:
        for role, write in (
            ("long", self.long), ("showcase", self.showcase), ("young", self.young),
            ("case8050", self.case8050), ("parent8050", self.parent8050),
            ("hoarding", self.hoarding), ("dementia", self.dementia),
            ("csw_elderly", self.csw_elderly), ("csw_poverty", self.csw_poverty),
            ("csw_foreign", self.csw_foreign), ("csw_couple", self.csw_couple),
            ("hoken_baby", self.hoken_baby), ("kodomo_carer", self.kodomo_carer),
            ("jiritsu_single", self.jiritsu_single), ("kikan_disability", self.kikan_disability),
            ("seikatsu_letters", self.seikatsu_letters), ("anshin_refusal", self.anshin_refusal),
            ("kyoiku_school", self.kyoiku_school),
        ):  # fmt: skip
            if role in self.cast.homes:
                write(self.cast.homes[role])

    def long(self, home: Home) -> None:
        """Every month for a year and a half, the 社協 CSW and the 基幹's worker
        together; a voice through the door at most, never the door opened."""
        person = home.members[0].person
        story = self.story("long", "demo-csw", SHAKYO, person, visitor=("demo-shogai-center", KIKAN))
        months = []
        for back in range(24, -1, -1):
            day = _month(self.today, back, 10 + (back * 3) % 12)
            if (day.year, day.month) == (home.registered.year, home.registered.month):
                shifted = max(day, home.registered + timedelta(days=1))
                if shifted.month != day.month:
                    continue
                day = shifted
            if back == 0 and day >= self.today:
                day = self.today - timedelta(days=1)
                if day.month != self.today.month:
                    continue
            months.append(day)
        after = [d for d in months if d > home.registered]
        visits = after if len(after) >= 18 else months[-18:]
        for i, day in enumerate(visits):
            if i < 6:
                result, stage = (ABSENT if i % 2 == 0 else SILENT), NONE
            elif i == 6:
                result, stage = DOOR, CONTACT
            else:
                result, stage = (SILENT, DOOR, ABSENT, DOOR, SILENT)[i % 5], CONTACT
            texts = LONG_TEXTS["first_door" if i == 6 else result]
            intent, note = (
                (Intent.SAFETY, "来訪を予告して安心してもらう") if i < 3
                else (Intent.RELATIONSHIP, "顔と名前を覚えてもらう") if i % 2
                else (Intent.CONTINUING, "途切れずに来ることを伝える")
            )  # fmt: skip
            last = i == len(visits) - 1
            story.add(
                _at(day, ("10:30", "14:00", "16:30")[i % 3]), V, result, intent, stage,
                texts[i % len(texts)], intent_note=note, joint=True,
                next_step="来月、同じ頃に二人で訪問",
                next_on=day + timedelta(days=28) if last else None,
            )  # fmt: skip
            if i in (1, 4, 8, 12, 15) and not last:
                letter = day + timedelta(days=14)
                if letter < visits[i + 1]:
                    story.add(
                        _at(letter, "17:00"), L, SILENT, Intent.RELATIONSHIP, stage,
                        LONG_LETTERS[(i // 4) % len(LONG_LETTERS)],
                        intent_note="訪問の合間も関心を寄せていることを伝える",
                    )  # fmt: skip

    def showcase(self, home: Home) -> None:
        person = self.cast.people["showcase"]
        d = self.clock("showcase").day
        s = self.story("showcase", "demo-csw", SHAKYO, person)
        s.add(_at(d(300), "16:00"), L, SILENT, Intent.INFORMATION, NONE,
              "自立相談支援窓口から引き継ぎ。社協のCSWとしての自己紹介と、訪ねてもよい日を書いた手紙を投函した。",
              next_step="手紙に書いた日に訪問")
        s.add(_at(d(285), "14:00"), V, ABSENT, Intent.SAFETY, NONE,
              "手紙に書いた日時に訪問。インターホンに応答なし。ベランダに洗濯物があり、暮らしは続いている様子。次に来る日を書いたメモを入れた。",
              intent_note="来ると言った日に来る", next_step="夕方に時間を変えて訪問")
        s.add(_at(d(270), "17:30"), V, SILENT, Intent.RELATIONSHIP, NONE,
              "夕方に訪問。室内で物音がしたが応答はなかった。ドアの前で名前と用件だけ伝えて帰った。",
              next_step="2週間後に訪問")
        s.add(_at(d(255), "15:00"), V, DOOR, Intent.RELATIONSHIP, CONTACT,
              "ドア越しに『手紙、読みました』と返事があった。また来てよいか尋ねると『……はい』。それ以上は求めずに辞去。",
              intent_note="会えなくても来てよいという了解をもらう", next_step="同じ時間帯に訪問")
        s.add(_at(d(235), "15:00"), V, DOOR, Intent.RELATIONSHIP, CONTACT,
              "ドア越しに会話。玄関脇にコーヒー豆の空き袋がまとめて出してあったので尋ねると、『自分で淹れてます』と少し声が明るくなった。",
              next_step="コーヒーの話の続きをしに訪問")
        s.add(_at(d(210), "15:00"), V, MET, Intent.RELATIONSHIP, TALK,
              "初めてドアを開けてくれ、玄関先で10分ほど話した。昼過ぎに起きて夜中にゲームをする生活。毎日、豆を挽いてコーヒーを淹れるのが日課とのこと。",
              next_step="2週間後に訪問")
        s.add(_at(d(190), "15:30"), V, MET, Intent.RELATIONSHIP, TALK,
              "玄関先で15分。好きな豆の産地の話を聞いた。仕事を辞めてから家族以外と話すのは久しぶりだと言う。",
              next_step="2週間後に訪問")
        s.add(_at(d(165), "15:00"), V, MET, Intent.RELATIONSHIP, BOND,
              "部屋に上げてくれ、本人が淹れたコーヒーを一緒に飲んだ。『人が多いところは無理。静かなところなら行けるかも』と話す。",
              intent_note="本人の好きなことから話す", next_step="暮らしの状況を一緒に整理する")
        s.add(_at(d(140), "15:00"), V, MET, Intent.ASSESS, BOND,
              "暮らしの状況を一緒に整理した。貯金が減ってきて仕事のことも気になっているが、まずは外に出る練習をしたいとのこと。",
              next_step="近所の居場所を紹介する")
        s.add(_at(d(120), "15:00"), V, MET, Intent.PARTICIPATION, BOND,
              "近所の「富坂みんなの茶の間」を紹介した。一人では行きにくいので、一度一緒に行ってみることになった。",
              next_step="茶の間に同行")
        s.add(_at(d(112), "11:00"), ACC, MET, Intent.CONNECT, BOND,
              "茶の間に同行。にぎやかで人が多く、本人は10分ほどで『今日はもう帰ります』。帰り道に『ああいう場所はまだ無理』と。急がせたことを詫びた。",
              next_step="自宅で振り返り")
        s.add(_at(d(90), "15:00"), V, MET, Intent.PARTICIPATION, AGREED,
              "これからの参加先を一緒に探すことに本人が同意。好きなこと、出られる曜日と時間、苦手な場面を聞き取り、参加支援のプロフィールを一緒につくった。",
              intent_note="本人の言葉で条件を書く", next_step="1か月後に近況を聞く")
        s.add(_at(d(60), "15:00"), V, MET, Intent.CONTINUING, AGREED,
              "近況の確認。午前中に起きられる日が少しずつ増えた。近くのコンビニまでは一人で行けるようになったとのこと。",
              next_step="少人数の場の候補を持って訪問")
        s.add(_at(d(25), "15:00"), V, MET, Intent.PARTICIPATION, AGREED,
              "少人数で静かな会を探していることを改めて確認。木曜の午後なら出られるとのこと。",
              next_step="「コーヒーを淹れる会」の案内を持って訪問し、見学の日を相談する",
              next_on=d(10))  # fmt: skip

    def young(self, home: Home) -> None:
        person = home.members[0].person
        d = self.clock("young").day
        s = self.story("young", "demo-csw", SHAKYO, person)
        s.add(_at(d(150), "11:00"), P, SILENT, Intent.INFORMATION, NONE,
              "相談票の携帯番号に電話したが出なかった。ショートメッセージで、社協のCSWであることと用件を送った。",
              next_step="折り返しを待つ")
        s.add(_at(d(146), "19:10"), P, MET, Intent.RELATIONSHIP, CONTACT,
              "本人から折り返しの電話。『何の用ですか』と警戒した様子。仕事探しの相談を受けたと聞いていることを伝え、一度会えないか尋ねると、社協の事務所ならとのこと。",
              direction=IN, next_step="社協の事務所で面談")
        s.add(_at(d(138), "14:00"), PLACE, MET, Intent.RELATIONSHIP, TALK,
              "社協の事務所で面談。アルバイトを辞めてから家にいることが多い。朝は苦手だが、体を動かす作業は嫌いではないと話す。",
              next_step="2回目の面談")
        s.add(_at(d(120), "14:00"), PLACE, MET, Intent.RELATIONSHIP, BOND,
              "2回目の面談。好きなことは掃除と料理。人と話すのは得意ではないが、黙ってやる作業なら続けられそうとのこと。",
              next_step="自宅で参加先の相談")
        s.add(_at(d(100), "15:00"), V, MET, Intent.PARTICIPATION, AGREED,
              "自宅で面談。寺社の朝の掃除を手伝う活動を紹介すると、行ってみたいと本人から。見学への同行に同意した。",
              next_step="見学に同行")
        s.add(_at(d(70), "7:00"), ACC, MET, Intent.CONNECT, AGREED,
              "朝の掃除に同行。住職（宮司）に紹介し、一緒に掃き掃除をした。終わったあと『思ったより気持ちがいい』と。",
              next_step="電話で様子を聞く")
        s.add(_at(d(40), "18:00"), P, MET, Intent.CONTINUING, AGREED,
              "電話で様子を聞いた。休まずに通えている。朝に起きる日が増え、昼夜が逆転しなくなったとのこと。",
              next_step="掃除のあとに現地で様子を聞き、広報紙の折込みも紹介する", next_on=d(12))  # fmt: skip

    def case8050(self, home: Home) -> None:
        child = home.aged(30, 64)
        assert child is not None
        d = self.clock("case8050").day
        s = self.story("case8050", "demo-seikatsu", SEIKATSU, child.person)
        s.add(_at(d(240), "16:00"), L, SILENT, Intent.INFORMATION, NONE,
              "本人あてに、ひきこもり相談支援員の自己紹介と、無理に会わなくてもよいことを書いた手紙を投函した。",
              next_step="あんしん相談センターの訪問に同行")
        s.add(_at(d(225), "10:30"), V, SILENT, Intent.RELATIONSHIP, NONE,
              "あんしん相談センターの訪問に同行。親とは居間で話せたが、本人は自室から出てこなかった。自室の前で名前だけ伝えた。",
              next_step="2週間後に訪問")
        s.add(_at(d(205), "14:00"), V, DOOR, Intent.RELATIONSHIP, CONTACT,
              "自室の前から声をかけると『はい』と返事。手紙を読んだか尋ねると『読んだ』。",
              next_step="手紙を送り、その後訪問")
        s.add(_at(d(190), "16:00"), L, SILENT, Intent.RELATIONSHIP, CONTACT,
              "2通目の手紙。最近読んだ本のことと、次に訪ねる日を書いた。", next_step="訪問")
        s.add(_at(d(175), "14:00"), V, DOOR, Intent.RELATIONSHIP, CONTACT,
              "襖越しに5分ほど会話。好きな野球チームの話になり、少し笑い声が聞こえた。", next_step="2週間後に訪問")
        s.add(_at(d(150), "14:00"), V, MET, Intent.RELATIONSHIP, TALK,
              "初めて自室から出てきて、居間で親と三人で話した。親の介護が心配だと本人が口にした。",
              next_step="本人と二人で話す")
        s.add(_at(d(130), "14:00"), V, MET, Intent.ASSESS, TALK,
              "本人と二人で話した。親の通院の付き添いや家計の管理など、本人が担っていることを聞いた。",
              next_step="介護サービスの説明に本人も同席")
        s.add(_at(d(110), "14:00"), V, MET, Intent.RELATIONSHIP, BOND,
              "本人から前の職場の話。人間関係でつまずいたことを、時間をかけて話してくれた。", next_step="2週間後に訪問")
        s.add(_at(d(90), "10:00"), V, MET, Intent.FAMILY, BOND,
              "親の介護サービスの利用について、本人も一緒に説明を聞いた。本人が手続きの一部を引き受けた。",
              next_step="2週間後に訪問")
        s.add(_at(d(60), "14:00"), V, MET, Intent.RELATIONSHIP, BOND,
              "自分のこれからについて初めて話題にした。『親がいなくなったらどうなるのか』と不安を口にした。",
              next_step="2週間後に訪問")
        s.add(_at(d(35), "20:15"), P, MET, Intent.CONTINUING, BOND,
              "本人から電話。親が自宅で転倒したとのこと。あんしん相談センターに連絡し、翌朝の訪問につないだ。",
              direction=IN, next_step="親の様子を確認しに訪問")
        s.add(_at(d(20), "14:00"), V, MET, Intent.RELATIONSHIP, BOND,
              "親のけがは軽く、本人が買い物を担っている。本人から『このまま相談を続けたい』との言葉があった。",
              next_step="月2回の訪問を続ける", next_on=d(-6))  # fmt: skip

    def parent8050(self, home: Home) -> None:
        child = home.aged(30, 64)
        parent = home.aged(70, 110)
        assert child is not None and parent is not None
        d = self.clock("parent8050").day
        s = self.story("parent8050", ANSHIN_STAFF[home.district], anshin_of(home.district), child.person)
        s.add(_at(d(200), "10:00"), V, SILENT, Intent.FAMILY, NONE,
              "親の介護保険の更新で訪問。親とは話せたが、本人は奥の部屋にいて出てこなかった。",
              next_step="1か月後に訪問")
        s.add(_at(d(170), "10:00"), V, DOOR, Intent.RELATIONSHIP, CONTACT,
              "親に声をかけてもらうと、部屋の中から『どうも』と返事があった。", next_step="1か月後に訪問")
        s.add(_at(d(140), "10:00"), V, DOOR, Intent.RELATIONSHIP, CONTACT,
              "部屋の前で季節の話をした。返事は短いが、前回より言葉が多い。", next_step="手紙を書く")
        s.add(_at(d(115), "16:00"), L, SILENT, Intent.RELATIONSHIP, CONTACT,
              "本人あてに手紙。センターの職員の顔写真入りの自己紹介を同封した。", next_step="訪問")
        s.add(_at(d(90), "10:00"), V, MET, Intent.RELATIONSHIP, TALK,
              "台所でお茶を入れてくれ、短く言葉を交わした。親の足が弱ってきたことを気にしていた。",
              next_step="親と家族会の話をする")
        s.add(_at(d(60), "10:00"), V, MET, Intent.FAMILY, TALK,
              "親と面談。本人のことを相談できる家族会を紹介すると、『行ってみたい』とのこと。",
              person=parent.person, next_step="本人にも声をかける")
        s.add(_at(d(30), "10:00"), V, MET, Intent.RELATIONSHIP, TALK,
              "本人と将棋の話。子どものころに町の将棋クラブに通っていたという。",
              next_step="次回は将棋の話の続きから", next_on=d(-10))  # fmt: skip

    def hoarding(self, home: Home) -> None:
        """A month of nearly daily work when the landlord's deadline came."""
        person = home.oldest().person
        s = self.story("hoarding", "demo-csw", SHAKYO, person)
        m = lambda back, day: _month(self.today, back, day)  # noqa: E731
        s.add(_at(m(6, 12), "10:00"), V, REFUSED, Intent.RELATIONSHIP, CONTACT,
              "玄関先で『片付けはしない。放っておいてくれ』と断られた。体調だけ尋ねて辞去。", next_step="1か月後に訪問")
        s.add(_at(m(5, 14), "10:00"), V, MET, Intent.RELATIONSHIP, TALK,
              "玄関先で15分ほど話せた。物は捨てられないが、足の踏み場がないのは困っているという。", next_step="1か月後に訪問")
        s.add(_at(m(4, 16), "10:00"), V, MET, Intent.ASSESS, BOND,
              "大家から退去を求める通知が届いていた。本人が初めて『困っている』と口にし、片付けを一緒にすることに同意した。",
              next_step="片付けの計画を立てる")
        month = [
            (2, V, MET, Intent.CONNECT, "片付けの計画を本人と立てた。まず玄関と台所から。捨てる物は本人が決める。"),
            (3, P, MET, Intent.CONNECT, "清掃業者と日程を調整し、本人に電話で伝えた。"),
            (4, V, MET, Intent.CONNECT, "片付け1日目。玄関の新聞の束を本人と一緒に運び出した。"),
            (6, V, REFUSED, Intent.RELATIONSHIP, "本人が『今日はやめたい』。無理に進めず、話だけして帰った。"),
            (8, P, MET, Intent.RELATIONSHIP, "本人から電話。『この前はすまなかった』。明日の約束をした。"),
            (9, V, MET, Intent.CONNECT, "片付け2日目。台所の流しが使えるようになった。"),
            (10, ACC, MET, Intent.CONNECT, "粗大ごみの申し込みに同行。本人が自分で窓口で手続きをした。"),
            (13, V, MET, Intent.CONNECT, "片付け3日目。業者と一緒に居間の半分を片付けた。本人は残す物を選ぶのに時間をかけた。"),
            (15, WATCH, MET, Intent.CONTINUING, "近くを通ったついでに様子を見た。本人が自分でごみ袋を出していた。"),
            (16, V, MET, Intent.CONNECT, "片付け4日目。寝室に布団を敷けるようになった。"),
            (17, P, MET, Intent.NEIGHBOURS, "本人の同意を得て、本人と一緒に大家に電話し、進み具合を伝えた。"),
            (20, V, MET, Intent.CONNECT, "片付け5日目。残りは押し入れのみ。本人が『ここは自分でやる』と言った。"),
            (23, P, MET, Intent.CONTINUING, "本人から電話。『押し入れも半分片付いた』と嬉しそうな声。"),
            (27, V, MET, Intent.NEIGHBOURS, "大家の立ち会いで部屋を確認。退去の話は取り下げられた。本人と握手して喜んだ。"),
        ]
        for day, method, result, intent, text in month:
            incoming = text.startswith("本人から電話")
            s.add(_at(m(3, day), "18:30" if incoming else "10:00"), method, result, intent, AGREED, text,
                  direction=IN if incoming else Direction.OUTGOING, next_step="翌日以降の作業の確認")
        s.add(_at(m(2, 15), "10:00"), V, MET, Intent.CONTINUING, AGREED,
              "片付けた状態を保てている。ごみの日を書いたカレンダーを一緒に台所に貼った。", next_step="月1回の訪問で確認")
        s.add(_at(self.today - timedelta(days=40), "10:00"), V, MET, Intent.CONTINUING, AGREED,
              "郵便物が少したまり始めていた。本人と一緒に仕分けをした。",
              next_step="月2回の訪問で状態を確認", next_on=self.today - timedelta(days=19))  # fmt: skip

    def dementia(self, home: Home) -> None:
        """Calls at night, a walk gone wrong, a doctor, an application: a dozen contacts in a month."""
        person = home.members[0].person
        s = self.story("dementia", ANSHIN_STAFF[home.district], anshin_of(home.district), person)
        m = lambda back, day: _month(self.today, back, day)  # noqa: E731
        s.add(_at(m(4, 8), "14:00"), V, MET, Intent.ASSESS, TALK,
              "民生委員からの連絡で訪問。本人は穏やかに応対した。日付の感覚があいまいな様子。", next_step="1か月後に訪問")
        s.add(_at(m(3, 10), "14:00"), V, MET, Intent.RELATIONSHIP, BOND,
              "本人と近所を散歩した。昔よく行った店の話をたくさんしてくれた。", next_step="1か月後に訪問")
        month = [
            (1, P, MET, Intent.SAFETY, "21:00", "本人から電話。『財布を盗まれた』とのこと。翌日に訪ねる約束をした。"),
            (2, V, MET, Intent.ASSESS, "10:00", "訪ねると財布は冷蔵庫の中にあった。本人はほっとした様子。"),
            (4, P, MET, Intent.SAFETY, "20:30", "本人から電話。同じ話を3回繰り返した。明日も電話してよいと伝えた。"),
            (5, V, MET, Intent.FAMILY, "11:00", "別居の長女に連絡を取り、本人の前で受診について相談した。"),
            (7, WATCH, MET, Intent.SAFETY, "22:00", "夜に近所を歩いていたと民生委員から連絡。探しに出て、自宅まで送った。"),
            (9, ACC, MET, Intent.CONNECT, "10:00", "かかりつけ医の受診に同行。物忘れ外来を紹介された。"),
            (11, P, MET, Intent.SAFETY, "20:00", "本人から電話。『だれも来てくれない』。前日に訪問したことを伝えると落ち着いた。"),
            (14, V, MET, Intent.CONNECT, "14:00", "要介護認定の申請書を本人と一緒に書いた。"),
            (16, V, ABSENT, Intent.SAFETY, "14:00", "訪ねたが不在。近所を探すと、商店街のベンチに座っていた。"),
            (18, P, MET, Intent.SAFETY, "21:30", "本人から電話。鍵が見つからないとのこと。電話で一緒に探し、玄関の棚にあった。"),
            (21, V, MET, Intent.CONNECT, "10:00", "認定調査に立ち会った。長女も同席した。"),
            (25, V, MET, Intent.PARTICIPATION, "14:00", "デイサービスの見学に誘うと『考えておく』とのこと。"),
        ]
        for day, method, result, intent, hhmm, text in month:
            incoming = text.startswith("本人から電話")
            s.add(_at(m(2, day), hhmm), method, result, intent, BOND, text,
                  direction=IN if incoming else Direction.OUTGOING, next_step="翌週に様子を確認")
        s.add(_at(m(1, 12), "14:00"), V, MET, Intent.CONTINUING, BOND,
              "夜の電話は減った。デイサービスを週1回使ってみることに本人が同意した。",
              next_step="デイサービスの初回の日に訪問", next_on=self.today + timedelta(days=5))  # fmt: skip

    def csw_elderly(self, home: Home) -> None:
        d = self.clock("csw_elderly").day
        s = self.story("csw_elderly", "demo-csw", SHAKYO, home.members[0].person)
        s.add(_at(d(120), "10:30"), V, MET, Intent.SAFETY, CONTACT,
              "民生委員と一緒に訪問。配偶者を亡くしてから外出が減り、一日だれとも話さない日があるという。", next_step="1か月後に訪問")
        s.add(_at(d(80), "10:30"), V, MET, Intent.RELATIONSHIP, TALK,
              "サロンの話をすると、昔は近所の人と旅行に行っていたと懐かしそうに話した。近くのサロンに行ってみることになった。",
              next_step="サロンで会う")
        s.add(_at(d(45), "14:00"), PLACE, MET, Intent.PARTICIPATION, BOND,
              "サロンで会った。世話人とも顔なじみになり、帰りは近所の人と一緒に帰っていった。", next_step="電話で様子を聞く")
        s.add(_at(d(20), "11:00"), P, MET, Intent.CONTINUING, BOND,
              "電話で近況を聞いた。体操は膝が痛くて休んでいるが、サロンは楽しみにしているとのこと。",
              next_step="自宅を訪ねて冬の暮らし（暖房・買い物）を確認", next_on=d(8))  # fmt: skip

    def csw_poverty(self, home: Home) -> None:
        d = self.clock("csw_poverty").day
        s = self.story("csw_poverty", "demo-csw", SHAKYO, home.members[0].person)
        s.add(_at(d(90), "11:00"), V, ABSENT, Intent.SAFETY, NONE,
              "家賃の滞納があると大家から連絡があり訪問。不在のため名刺と手紙を入れた。", next_step="電話")
        s.add(_at(d(75), "19:00"), P, SILENT, Intent.INFORMATION, NONE,
              "携帯に電話したが出なかった。留守番電話に社協の名前と用件を残した。", next_step="再度訪問")
        s.add(_at(d(60), "18:30"), V, DOOR, Intent.RELATIONSHIP, CONTACT,
              "ドア越しに話せた。『仕事が見つからない』とのこと。自立相談支援窓口のことを伝えた。", next_step="案内を届ける")
        s.add(_at(d(30), "17:00"), L, SILENT, Intent.INFORMATION, CONTACT,
              "自立相談支援窓口の案内と、社協の貸付の案内を投函した。",
              next_step="訪問して窓口への同行を提案", next_on=d(3))  # fmt: skip

    def csw_foreign(self, home: Home) -> None:
        d = self.clock("csw_foreign").day
        mother = _mother(home)
        s = self.story("csw_foreign", "demo-csw", SHAKYO, mother)
        s.add(_at(d(100), "18:00"), V, MET, Intent.INFORMATION, TALK,
              "通訳のボランティアと訪問。子どもの学校から届く書類が読めずに困っていた。書類を一緒に読んだ。", next_step="日本語教室の案内")
        s.add(_at(d(70), "18:00"), V, MET, Intent.CONNECT, TALK,
              "日本語教室を紹介すると、母が関心を示した。日曜の午前なら行けるとのこと。", next_step="メッセージで様子を聞く")
        s.add(_at(d(28), "12:00"), MSG, SILENT, Intent.CONTINUING, TALK,
              "翻訳アプリを使ってメッセージで近況を尋ねたが、返信はまだない。",
              next_step="通訳と一緒に訪問", next_on=d(5))  # fmt: skip

    def csw_couple(self, home: Home) -> None:
        d = self.clock("csw_couple").day
        s = self.story("csw_couple", "demo-csw", SHAKYO, home.members[0].person)
        s.add(_at(d(60), "10:00"), V, MET, Intent.SAFETY, TALK,
              "老老介護の様子を確認。夫婦の一方がもう一方の介護を一人で担っている。", next_step="電話")
        s.add(_at(d(35), "16:00"), P, MET, Intent.FAMILY, TALK,
              "介護している側と電話で話した。介護者のつどいを紹介したが、家を空けられないとのこと。", next_step="見守り訪問")
        s.add(_at(d(18), "10:00"), WATCH, MET, Intent.CONTINUING, TALK,
              "民生委員と見守り訪問。二人とも変わりない。",
              next_step="あんしん相談センターと一緒に訪問し、介護サービスの話をする", next_on=d(4))  # fmt: skip

    def hoken_baby(self, home: Home) -> None:
        d = self.clock("hoken_baby").day
        s = self.story("hoken_baby", "demo-hoken", "保健サービスセンター", _mother(home))
        s.add(_at(d(50), "10:00"), P, SILENT, Intent.SAFETY, NONE,
              "乳児健診が未受診のため電話したが、つながらなかった。", next_step="訪問")
        s.add(_at(d(44), "14:00"), V, ABSENT, Intent.SAFETY, NONE,
              "訪問したが不在。健診の案内と保健師の名刺を投函した。", next_step="再訪")
        s.add(_at(d(37), "11:00"), V, MET, Intent.ASSESS, TALK,
              "母と会えた。夜泣きで眠れていないという。子育てひろばと、夜間の相談先を伝えた。", next_step="電話で様子を聞く")
        s.add(_at(d(20), "15:00"), P, MET, Intent.CONTINUING, TALK,
              "母から電話。健診の予約が取れたとのこと。", direction=IN,
              next_step="健診のあとに電話", next_on=d(-10))  # fmt: skip

    def kodomo_carer(self, home: Home) -> None:
        child = home.aged(6, 17)
        assert child is not None
        d = self.clock("kodomo_carer").day
        s = self.story("kodomo_carer", "demo-kodomo", KODOMO, child.person)
        s.add(_at(d(90), "16:00"), MSG, SILENT, Intent.RELATIONSHIP, NONE,
              "学校を通じて本人にセンターの連絡先を渡し、メッセージを送ったが既読にならない。", next_step="子ども食堂で会う")
        s.add(_at(d(85), "18:00"), PLACE, MET, Intent.RELATIONSHIP, CONTACT,
              "子ども食堂で本人と会った。きょうだいの分の食事も持ち帰っていた。", next_step="自宅を訪問")
        s.add(_at(d(60), "17:00"), V, MET, Intent.FAMILY, TALK,
              "自宅を訪問し、療養中の親と面談。家事援助の利用を提案した。本人は横で聞いていた。", next_step="メッセージで様子を聞く")
        s.add(_at(d(40), "21:00"), MSG, MET, Intent.RELATIONSHIP, BOND,
              "本人からメッセージで『テスト勉強をする時間がない』と相談があった。", direction=IN, next_step="子ども食堂で会う")
        s.add(_at(d(15), "18:00"), PLACE, MET, Intent.PARTICIPATION, BOND,
              "子ども食堂で会い、学習支援の教室の話をした。行ってみたいが、家のことが心配とのこと。",
              next_step="学習支援の見学日を本人と決める", next_on=d(-7))  # fmt: skip

    def jiritsu_single(self, home: Home) -> None:
        d = self.clock("jiritsu_single").day
        s = self.story("jiritsu_single", "demo-jiritsu-1", JIRITSU, home.members[0].person)
        s.add(_at(d(60), "10:00"), P, MET, Intent.INFORMATION, CONTACT,
              "相談のあと連絡が途絶えていたため電話。出てくれたが、元気がない。", next_step="同行")
        s.add(_at(d(50), "13:30"), ACC, MET, Intent.CONNECT, TALK,
              "生活福祉課の窓口に同行した。本人が自分の言葉で事情を説明できた。", next_step="メッセージで確認")
        s.add(_at(d(30), "12:00"), MSG, SILENT, Intent.CONTINUING, TALK,
              "メッセージで様子を尋ねたが返信がない。", next_step="訪問")
        s.add(_at(d(15), "14:00"), V, MET, Intent.PARTICIPATION, BOND,
              "自宅を訪問。昔、厨房で働いていた話になり、短時間の仕込みの手伝いに関心を示した。",
              next_step="仕込みの体験のあとに自宅で振り返り", next_on=d(-5))  # fmt: skip

    def kikan_disability(self, home: Home) -> None:
        person = home.aged(18, 64)
        assert person is not None
        d = self.clock("kikan_disability").day
        s = self.story("kikan_disability", "demo-shogai-center", KIKAN, person.person)
        s.add(_at(d(150), "14:00"), V, DOOR, Intent.RELATIONSHIP, CONTACT,
              "親が応対。本人は自室から『こんにちは』とあいさつした。", next_step="1か月後に訪問")
        s.add(_at(d(120), "14:00"), V, MET, Intent.RELATIONSHIP, TALK,
              "居間で本人と話した。絵を描くのが好きで、描いた絵を見せてくれた。", next_step="1か月後に訪問")
        s.add(_at(d(95), "14:00"), V, MET, Intent.ASSESS, TALK,
              "日中の過ごし方を聞いた。外で体を動かしたい気持ちがあるという。", next_step="居場所で会う")
        s.add(_at(d(60), "11:00"), PLACE, MET, Intent.PARTICIPATION, BOND,
              "地域活動支援センターで会った。他の利用者と並んで絵を描いていた。", next_step="自宅で振り返り")
        s.add(_at(d(30), "14:00"), V, MET, Intent.CONTINUING, BOND,
              "畑の活動を休んでいることについて話した。涼しくなったらまた行きたいとのこと。",
              next_step="再開した畑の様子を聞く", next_on=d(14))  # fmt: skip

    def seikatsu_letters(self, home: Home) -> None:
        d = self.clock("seikatsu_letters").day
        s = self.story("seikatsu_letters", "demo-seikatsu", SEIKATSU, home.members[0].person)
        for days, method, result, text in (
            (120, L, SILENT, "ひきこもり相談支援員の自己紹介の手紙を投函した。返信用のはがきを同封した。"),
            (90, L, SILENT, "2通目の手紙。相談は手紙やメールでもできることを書いた。"),
            (60, V, ABSENT, "訪問したが応答なし。郵便受けの手紙は取り込まれていた。"),
            (45, L, SILENT, "3通目の手紙。訪問したことと、次の訪問の予定を書いた。"),
            (15, L, SILENT, "4通目の手紙。季節のあいさつと、区のひきこもり相談の案内を同封した。"),
        ):
            s.add(_at(d(days), "16:00"), method, result, Intent.RELATIONSHIP, NONE, text,
                  next_step="手紙と訪問を続ける", next_on=d(-15) if days == 15 else None)  # fmt: skip

    def anshin_refusal(self, home: Home) -> None:
        d = self.clock("anshin_refusal").day
        s = self.story("anshin_refusal", ANSHIN_STAFF[home.district], anshin_of(home.district), home.members[0].person)
        s.add(_at(d(90), "10:00"), V, REFUSED, Intent.SAFETY, CONTACT,
              "玄関先で『何も要らない』と断られた。顔色は良い。", next_step="1か月後に訪問")
        s.add(_at(d(60), "10:00"), V, REFUSED, Intent.RELATIONSHIP, CONTACT,
              "再び断られたが、前回より長く玄関先で立ち話ができた。", next_step="長女と連絡を取る")
        s.add(_at(d(35), "14:00"), V, MET, Intent.FAMILY, TALK,
              "長女が同席。本人も少し話してくれた。買い物が大変になってきたという。", next_step="電話で様子を聞く")
        s.add(_at(d(14), "11:00"), P, MET, Intent.CONTINUING, TALK,
              "電話で様子を聞いた。配食サービスの話をすると『考える』とのこと。",
              next_step="配食サービスの説明に訪問", next_on=d(-21))  # fmt: skip

    def kyoiku_school(self, home: Home) -> None:
        child = home.aged(10, 15)
        assert child is not None
        d = self.clock("kyoiku_school").day
        s = self.story("kyoiku_school", "demo-kyoiku", "教育センター", child.person)
        s.add(_at(d(75), "16:00"), V, DOOR, Intent.RELATIONSHIP, CONTACT,
              "担任と訪問。母と面談し、本人は部屋の中から返事だけした。", next_step="2週間後に訪問")
        s.add(_at(d(55), "16:00"), V, MET, Intent.RELATIONSHIP, TALK,
              "本人が玄関まで出てきた。好きなゲームの話を少しした。", next_step="教育支援センターの見学")
        s.add(_at(d(35), "10:00"), ACC, MET, Intent.CONNECT, TALK,
              "教育支援センター（適応指導教室）の見学に母子で同行した。", next_step="メッセージで感想を聞く")
        s.add(_at(d(12), "19:30"), MSG, MET, Intent.CONTINUING, BOND,
              "本人からメッセージで『週1回なら行ってみる』と返事があった。", direction=IN,
              next_step="初回の通室に付き添う", next_on=d(-9))
    # fmt: on


def _mother(home: Home) -> Person:
    """The adult woman of a family (the person the worker deals with), else the head."""
    women = [m for m in home.members if m.person.sex == Sex.FEMALE and 18 <= m.age <= 60]
    return (women[0] if women else home.oldest()).person


LONG_TEXTS = {
    ABSENT: (
        "基幹相談支援センターの担当と二人で訪問。インターホンを2回鳴らしたが応答なし。電気のメーターは回っていた。次に来る日を書いた手紙をポストに入れた。",
        "二人で訪問したが応答なし。ポストの郵便物は前回より減っており、取り込んでいる様子はある。手紙を入れて辞去。",
        "雨の中を二人で訪問。インターホンに応答なし。カーテンは閉まったまま。次の日時を書いたカードを入れた。",
        "夕方に時間を変えて訪問。部屋の明かりは点いていたが応答はなかった。",
    ),
    SILENT: (
        "訪問し、ドアの前で二人とも名乗って声をかけた。室内でテレビの音がしたが、返事はなかった。呼びかけは続けず、手紙を置いて帰った。",
        "前回の手紙はポストから取り込まれていた。インターホンを鳴らしたが応答なし。『また来月来ます』とドア越しに伝えた。",
        "足音が玄関まで近づいたが、ドアは開かず返事もなかった。ドアスコープから見ていると考え、会釈して辞去。",
    ),
    "first_door": (
        "ドア越しに名乗ると、初めて『……はい』と小さな声で返事があった。体調を尋ねると『大丈夫です』。それ以上は求めず、来月も同じ頃に来ると伝えた。",
    ),
    DOOR: (
        "ドア越しに声をかけると『どうも』と返事。手紙を読んでいるか尋ねると『読んでます』。基幹の担当者の名前も改めて伝えた。",
        "インターホン越しに短く会話。『寒くなりましたね』に『はい』。食事はとれているかの問いには返事がなかった。",
        "ドア越しに、前回の手紙のお礼を言われた。開けてもらうことは求めず、体調のことだけ聞いて辞去。",
        "ドア越しに『今日は調子が悪い』と返事。病院に行けているか尋ねると『行ってない』。受診の手伝いができることを伝えた。",
    ),
}

LONG_LETTERS = (
    "季節のあいさつと、訪問している二人の自己紹介を書いた手紙を投函した。返信用のはがきを同封した。",
    "近所の公園の桜の話と、困ったときの連絡先を書いた手紙を投函した。",
    "訪問の予定と、手紙でもメールでも返事ができることを書いた手紙を投函した。",
    "年末年始の窓口の案内と、体調を気づかう手紙を投函した。",
)


@transaction.atomic
def load_demo_outreach(
    municipality: Municipality, *, today: date | None = None
) -> DemoOutreach | None:
    """Write the demo's outreach histories (once: ``None`` when the ward already
    has outreach contacts, or has no residents yet)."""
    started = clock.monotonic()
    with tenancy.tenant_context(municipality):
        if OutreachContact.objects.exists() or not Household.objects.exists():
            return None
        today = today or timezone.localdate()
        writer = _OutreachWriter(cast(today), today)
        writer.plan()
        writer.write()
        return DemoOutreach(
            households=OutreachContact.objects.values("household").distinct().count(),
            contacts=OutreachContact.objects.count(),
            seconds=round(clock.monotonic() - started, 1),
        )


# ---------------------------------------------------------------------------
# Participation.

TU, TH, MO, WE, FR, SA, SU = "TU", "TH", "MO", "WE", "FR", "SA", "SU"
MORNING, AFTERNOON, EVENING = TimeOfDay.MORNING, TimeOfDay.AFTERNOON, TimeOfDay.EVENING
FOLLOW, HOST = EventKind.FOLLOW_UP, EventKind.HOST_SUPPORT

#: The resource of a kind in each district (names as in resources.RESOURCES).
TEMPLE_WORK = {"富坂": "浄泉寺 朝の作務（境内清掃）", "大塚": "天神社 落ち葉掃きと例大祭の準備",
               "本富士": "観音院 境内の手入れ", "駒込": "観音院 境内の手入れ"}  # fmt: skip
SPOT_WORK = {"富坂": "洋食店の仕込み手伝い", "大塚": "そば店の仕込みと片付け",
             "本富士": "パンの袋詰め", "駒込": "八百屋の朝の品出し"}  # fmt: skip
SALON = {"富坂": "富坂二丁目ふれあいサロン", "大塚": "さくら会館いきいきサロン",
         "本富士": "本富士ふれあいサロン", "駒込": "駒込ふれあいサロン"}  # fmt: skip
EXERCISE = {
    district: f"かよい〜の {district}体操の会" for district in ("富坂", "大塚", "本富士", "駒込")
}
PANTRY = {
    district: f"フードパントリー{district}" for district in ("富坂", "大塚", "本富士", "駒込")
}
CAFETERIA = {"富坂": "とみさかこども食堂 まんぷく", "大塚": "大塚みんなの食卓",
             "本富士": "本富士こども食堂 おひさま", "駒込": "駒込寺子屋食堂"}  # fmt: skip
FARM = {"富坂": "富坂ふれあい農園", "大塚": "ひなた農園の収穫手伝い",
        "本富士": "屋上菜園の世話", "駒込": "みのり農園 共同の畑"}  # fmt: skip
MEN = {"富坂": "富坂将棋クラブ", "大塚": "大塚囲碁の会",
       "本富士": "男の居場所 本富士おやじの会", "駒込": "朝のウォーキングの会"}  # fmt: skip


def learning_for(age: int, district_name: str) -> str:
    if age < 6:
        return CAFETERIA.get(district_name, CAFETERIA["富坂"])
    if age < 12:
        return "小学生の宿題カフェ"
    if age < 16:
        return "中学生学習教室 まなびや富坂"
    return "高校生・中退者の学び直し まなびや大塚"


@dataclass(frozen=True)
class Step:
    """One entry of a path's history: a stage change (``to``) or a note.

    ``at`` and ``follow`` are read by the path's clock; ``follow_ahead`` is a
    follow-up that many days after today."""

    at: int
    to: str = ""
    note: str = ""
    kind: str = FOLLOW
    follow: int | None = None
    follow_ahead: int | None = None


@dataclass(frozen=True)
class DemoParticipation:
    profiles: int
    paths: int
    seconds: float


class _ParticipationWriter:
    def __init__(self, cast: Cast, today: date) -> None:
        self.cast = cast
        self.today = today
        self.staff = {s.username: s for s in Staff.objects.filter(username__startswith="demo-")}
        self.organizations = {o.name: o for o in Organization.objects.all()}
        self.resources = {r.name: r for r in Resource.objects.all()}
        self.profiles: list[tuple[int, date]] = []

    def clock(self, role: str) -> Callable[[int], date]:
        home = self.cast.homes[role]
        return _Clock(self.today, home.registered, SPAN[role]).day

    def plan_clock(self, plan: SupportPlan) -> Callable[[int], date]:
        """Days after the plan started (never today or later)."""
        start = plan.starts_on
        latest = self.today - timedelta(days=1)
        return lambda n: max(start, min(start + timedelta(days=n), latest))

    def profile(
        self, person: Person, organization: str, username: str, on: date, **fields: Any
    ) -> None:
        profile = profile_save(
            actor=self.staff[username],
            organization=self.organizations[organization],
            person=person,
            **fields,
        )
        self.profiles.append((profile.pk, on))

    def path(
        self,
        person: Person,
        organization: str,
        username: str,
        resource: str,
        clock: Callable[[int], date],
        proposed: int,
        reason: str,
        *steps: Step,
        arrangement: str = "",
        follow: int | None = None,
        follow_ahead: int | None = None,
        plan: SupportPlan | None = None,
    ) -> None:
        actor = self.staff[username]
        proposed_on = clock(proposed)
        participation = participation_propose(
            actor=actor,
            organization=self.organizations[organization],
            person=person,
            resource=self.resources[resource],
            reason=reason,
            proposed_on=proposed_on,
            plan=plan,
            arrangement=arrangement,
            next_follow_up_on=self._follow(clock, proposed_on, follow, follow_ahead),
        )
        for step in steps:
            day = clock(step.at)
            next_follow_up_on = self._follow(clock, day, step.follow, step.follow_ahead)
            if step.to:
                participation = participation_transition(
                    actor=actor, participation=participation, to_stage=step.to, happened_on=day,
                    note=step.note, next_follow_up_on=next_follow_up_on,
                )  # fmt: skip
            else:
                participation_note(
                    actor=actor, participation=participation, kind=step.kind, note=step.note,
                    happened_on=day, next_follow_up_on=next_follow_up_on,
                )  # fmt: skip
                participation.refresh_from_db()

    def _follow(
        self, clock: Callable[[int], date], day: date, follow: int | None, ahead: int | None
    ) -> date | None:
        if ahead is not None:
            return self.today + timedelta(days=ahead)
        if follow is not None:
            return max(day, clock(follow))
        return None

    def backdate(self) -> None:
        """Show the records as written on the days they record (the services stamp now)."""
        for pk, on in self.profiles:
            moment = _at(on, "17:00")
            ParticipationProfile.objects.filter(pk=pk).update(created_at=moment, updated_at=moment)
        last: dict[int, date] = {}
        for event in ParticipationEvent.objects.order_by("happened_on", "id"):
            last[event.participation_id] = event.happened_on
        for event_pk, happened_on in ParticipationEvent.objects.values_list("pk", "happened_on"):
            ParticipationEvent.objects.filter(pk=event_pk).update(
                occurred_at=_at(happened_on, "17:00")
            )
        for path in Participation.objects.all():
            Participation.objects.filter(pk=path.pk).update(
                created_at=_at(path.proposed_on, "17:00"),
                updated_at=_at(last.get(path.pk, path.proposed_on), "17:00"),
            )

    # -- the people ------------------------------------------------------
    # fmt: off

    def write(self) -> None:
        homes, people, plans = self.cast.homes, self.cast.people, self.cast.plans
        for role, write in (
            ("showcase", self.showcase), ("young", self.young), ("parent8050", self.parent8050),
            ("csw_elderly", self.csw_elderly), ("kikan_disability", self.kikan_disability),
            ("jiritsu_single", self.jiritsu_single), ("jiritsu_cleaning", self.jiritsu_cleaning),
            ("kodomo_carer", self.kodomo_carer), ("csw_foreign", self.csw_foreign),
            ("single_mother", self.single_mother), ("kikan_mental", self.kikan_mental),
            ("elderly_man", self.elderly_man),
        ):  # fmt: skip
            if role in homes and (role != "showcase" or "showcase" in people):
                write(homes[role])
        for role, write_plan in (
            ("plan_model", self.plan_model), ("plan_child", self.plan_child),
            ("plan_single", self.plan_single), ("plan_carer", self.plan_carer),
            ("plan_any", self.plan_single),
        ):  # fmt: skip
            if role in plans:
                write_plan(*plans[role])
        self.backdate()

    def showcase(self, home: Home) -> None:
        """The matching showcase: coffee and quiet places, Tuesday or Thursday afternoons."""
        person = self.cast.people["showcase"]
        d = self.clock("showcase")
        self.path(
            person, SHAKYO, "demo-csw", "富坂みんなの茶の間", d, 120,
            "近所で予約なしに立ち寄れる居場所。一人では行きにくいとのことで、同行して様子を見る。",
            Step(112, Path.TRIAL, "CSWが同行して見学。にぎやかで人が多く、本人は10分ほどで退出した。"),
            Step(105, Path.INTERRUPTED,
                 "大人数の場で緊張が強く、本人から『しばらく休みたい』。静かで少人数の場を改めて探す。"),
            arrangement="CSWが同行して30分だけ",
        )  # fmt: skip
        self.profile(
            person, SHAKYO, "demo-csw", d(90),
            interests=["コーヒー", "静かな場所"],
            strengths=["コーヒーを淹れること", "パソコン"],
            days=[TU, TH], times=[AFTERNOON],
            # The choice of resident follows ages on the day of loading, so the
            # showcase may live outside 富坂, where the coffee group meets: then
            # they travel within the ward (no 圏域の外 against the demo's best match).
            group_size=GroupSize.SMALL,
            travel=Travel.DISTRICT if home.district == "富坂" else Travel.CITY,
            pace=Pace.FEW_A_MONTH,
            preferences=[Ease.LITTLE_TALK, Ease.SMALL_GROUP, Ease.VISIT_FIRST, Ease.QUIET],
            wishes="人が多いところは苦手。静かなところなら、少しずつ外に出てみたい。コーヒーは毎日、豆を挽いて自分で淹れている。",
            constraints_note="初めての人と話すと強く緊張する。午前中は起きられない日が多い。途中で帰れることが大事。",
        )  # fmt: skip

    def young(self, home: Home) -> None:
        person = home.members[0].person
        d = self.clock("young")
        self.profile(
            person, SHAKYO, "demo-csw", d(100),
            interests=["掃除", "料理", "体を動かすこと"], strengths=["掃除"],
            days=[MO, WE, FR, SA], times=[MORNING], group_size=GroupSize.SMALL,
            travel=Travel.DISTRICT, pace=Pace.WEEKLY, preferences=[Ease.SHORT_TIME, Ease.LITTLE_TALK],
            wishes="朝起きる習慣をつけたい。いずれはアルバイトに戻りたい。",
            constraints_note="朝が苦手。人の多い場所では黙ってしまう。",
        )  # fmt: skip
        self.path(
            person, SHAKYO, "demo-csw", TEMPLE_WORK.get(home.district, TEMPLE_WORK["富坂"]), d, 100,
            "掃除が好きで、黙ってできる作業なら続けられそうという本人の言葉から。朝の短い時間で生活リズムづくりにもなる。",
            Step(70, Path.TRIAL, "CSWが同行して初回参加。住職（宮司）に紹介し、一緒に掃き掃除をした。"),
            Step(66, note="受け入れ先に本人の様子を伝え、声かけは作業の指示を中心にしてほしいと相談した。『黙って掃いてくれるのが一番ありがたい』とのこと。",
                 kind=HOST),
            Step(63, Path.PARTICIPATING, "本人の希望で週1回の参加を始めた。", follow=40),
            Step(40, note="電話で様子を確認。休まず通えている。朝に起きる日が増えた。", follow=25),
            Step(25, Path.SETTLED, "2か月続けて参加。行事の準備も手伝うようになった。", follow=10),
            arrangement="週1回 朝の1時間",
        )  # fmt: skip
        self.path(
            person, SHAKYO, "demo-csw", "広報紙「ささえあい通信」の折込み", d, 20,
            "机に向かって黙々とできる作業。寺社の掃除に慣れてきたので、もう一つの参加先として提案。",
            arrangement="発行月に1時間", follow=5,
        )  # fmt: skip

    def parent8050(self, home: Home) -> None:
        parent = home.aged(70, 110)
        assert parent is not None
        d = self.clock("parent8050")
        anshin, staff = anshin_of(home.district), ANSHIN_STAFF[home.district]
        self.profile(
            parent.person, anshin, staff, d(60),
            interests=["同じ立場の人の話", "園芸"], days=[TU], times=[MORNING],
            group_size=GroupSize.ANY, travel=Travel.CITY, pace=Pace.MONTHLY,
            wishes="子どものことを、同じ立場の人に聞いてもらいたい。",
            constraints_note="足が弱く、長い距離は歩けない。帰りはタクシーを使うことがある。",
        )  # fmt: skip
        self.path(
            parent.person, anshin, staff, "ひきこもり家族会 つむぎの会 例会", d, 60,
            "子どもの長いひきこもりを一人で抱えてきた。家族同士で話せる場として紹介。",
            Step(45, Path.TRIAL, "例会を見学。最初は聞いているだけだったが、帰りに世話人と話していた。"),
            Step(40, note="世話人に、足が弱いので会場の近くの席を用意してほしいと伝えた。", kind=HOST),
            Step(15, Path.PARTICIPATING, "2回目から会員として参加。『話せて楽になった』とのこと。",
                 follow_ahead=20),
            arrangement="毎月第2火曜日の例会",
        )  # fmt: skip

    def csw_elderly(self, home: Home) -> None:
        person = home.members[0].person
        d = self.clock("csw_elderly")
        self.profile(
            person, SHAKYO, "demo-csw", d(80),
            interests=["おしゃべり", "旅行", "歌"], days=[MO, TU, WE], times=[AFTERNOON],
            group_size=GroupSize.ANY, travel=Travel.WALK, pace=Pace.FEW_A_MONTH,
            wishes="家にいると一日だれとも話さない。近くなら行ってみたい。",
            constraints_note="耳が遠い。膝が痛む日がある。",
        )  # fmt: skip
        self.path(
            person, SHAKYO, "demo-csw", SALON.get(home.district, SALON["富坂"]), d, 80,
            "歩いて行ける距離のサロン。昔の旅行仲間のような付き合いを懐かしんでいたため。",
            Step(66, Path.PARTICIPATING, "民生委員と一緒に初参加。世話人の一人が昔の知り合いだった。"),
            Step(50, note="世話人に、本人は耳が遠いので正面から話しかけてほしいと伝えた。", kind=HOST),
            Step(30, Path.SETTLED, "毎回参加している。帰りは近所の人と一緒に帰っている。", follow_ahead=30),
            arrangement="月2回",
        )  # fmt: skip
        self.path(
            person, SHAKYO, "demo-csw", EXERCISE.get(home.district, EXERCISE["富坂"]), d, 75,
            "サロンの仲間も通っている体操の会。足腰の衰えを気にしていたため。",
            Step(60, Path.PARTICIPATING, "サロンの仲間と一緒に参加を始めた。"),
            Step(20, Path.ENDED, "膝の痛みが強くなり、体操は休むことにした。サロンは続ける。"),
            arrangement="週1回",
        )  # fmt: skip

    def kikan_disability(self, home: Home) -> None:
        member = home.aged(18, 64)
        assert member is not None
        d = self.clock("kikan_disability")
        person = member.person
        self.profile(
            person, KIKAN, "demo-shogai-center", d(120),
            interests=["絵", "植物", "外で体を動かすこと"], strengths=["絵を描くこと"],
            days=[TU, TH, FR], times=[MORNING, AFTERNOON], group_size=GroupSize.SMALL,
            travel=Travel.DISTRICT, pace=Pace.WEEKLY, preferences=[Ease.VISIT_FIRST, Ease.SMALL_GROUP],
            wishes="同じような人と話してみたい。外で体を動かしたい。",
            constraints_note="予定が急に変わると混乱する。暑さに弱い。",
        )  # fmt: skip
        self.path(
            person, KIKAN, "demo-shogai-center", FARM.get(home.district, FARM["富坂"]), d, 120,
            "外で体を動かしたいという本人の希望に合い、作業の手順が決まっている。",
            Step(110, Path.TRIAL, "担当と一緒に体験。水やりと草取りを黙々とこなした。"),
            Step(108, note="受け入れ先に、予定の変更は前日までに伝えてほしいと依頼した。", kind=HOST),
            Step(100, Path.PARTICIPATING, "週1回の参加を始めた。"),
            Step(70, Path.INTERRUPTED, "夏の暑さで体調を崩し、本人から休みたいと。涼しくなったら再開を相談する。"),
            Step(20, Path.TRIAL, "涼しくなり、もう一度体験から再開した。", follow_ahead=7),
            arrangement="週1回 午前",
        )  # fmt: skip
        self.path(
            person, KIKAN, "demo-shogai-center", "こころの居場所 ともしび", d, 95,
            "絵を描く創作活動があり、同じような人と過ごせる。",
            Step(80, Path.PARTICIPATING, "創作の時間に参加を始めた。"),
            Step(45, note="職員と面談。描いた絵を地域のサロンで展示する話が出ている。", follow_ahead=14),
            arrangement="週1回 午後",
        )  # fmt: skip

    def jiritsu_single(self, home: Home) -> None:
        person = home.members[0].person
        d = self.clock("jiritsu_single")
        self.profile(
            person, JIRITSU, "demo-jiritsu-1", d(15),
            interests=["料理", "野菜"], strengths=["包丁を使うこと"],
            days=[TU, TH, SA], times=[MORNING], group_size=GroupSize.SMALL,
            travel=Travel.CITY, pace=Pace.OFTEN, preferences=[Ease.SHORT_TIME],
            wishes="昔、厨房で働いていた。もう一度働けるか試したい。",
            constraints_note="飲酒の問題で通院中。夜は参加しない。",
        )  # fmt: skip
        self.path(
            person, JIRITSU, "demo-jiritsu-1", SPOT_WORK.get(home.district, SPOT_WORK["富坂"]), d, 14,
            "厨房で働いた経験があり、朝の短時間の仕込みなら生活リズムとも合う。",
            Step(6, note="店主と作業の内容を確認。最初は皮むきから、包丁は様子を見てから。休むときの連絡方法も決めた。",
                 kind=HOST),
            Step(4, Path.TRIAL, "店主と面談ののち、1時間の仕込みを体験した。", follow_ahead=5),
            arrangement="週2回 朝の1時間から",
        )  # fmt: skip

    def jiritsu_cleaning(self, home: Home) -> None:
        person = home.members[0].person
        d = self.clock("jiritsu_cleaning")
        self.profile(
            person, JIRITSU, "demo-jiritsu-2", d(200),
            interests=["掃除", "体を動かすこと"], days=[MO, WE, FR], times=[MORNING],
            group_size=GroupSize.ANY, travel=Travel.CITY, pace=Pace.OFTEN,
            wishes="早く仕事に就きたい。",
            constraints_note="長く働いていないので、体力に自信がない。",
        )  # fmt: skip
        self.path(
            person, JIRITSU, "demo-jiritsu-2", "オフィスビルの清掃", d, 200,
            "体を動かす仕事を希望。先輩と二人一組で回るので、初めてでも覚えやすい。",
            Step(190, Path.TRIAL, "見学と1日の体験。"),
            Step(180, Path.PARTICIPATING, "週3回の参加を始めた。"),
            Step(150, note="会社の担当者と、本人の得意な作業と苦手な作業を共有した。", kind=HOST),
            Step(120, Path.SETTLED, "休まずに続けている。担当者から採用の打診があった。"),
            Step(40, Path.ENDED, "清掃会社に正社員として採用が決まり、参加支援としては終了。"),
            arrangement="週3回 朝2時間",
        )  # fmt: skip

    def kodomo_carer(self, home: Home) -> None:
        member = home.aged(6, 17)
        assert member is not None
        d = self.clock("kodomo_carer")
        person = member.person
        self.profile(
            person, KODOMO, "demo-kodomo", d(60),
            interests=["ゲーム", "料理"], days=[WE, FR], times=[EVENING],
            group_size=GroupSize.ANY, travel=Travel.WALK, pace=Pace.FEW_A_MONTH,
            wishes="家のことを気にせず、友だちとご飯を食べたい。",
            constraints_note="きょうだいの世話があり、夕方は早く帰る必要がある。",
        )  # fmt: skip
        self.path(
            person, KODOMO, "demo-kodomo", CAFETERIA.get(home.district, CAFETERIA["富坂"]), d, 60,
            "家事を担っている本人が、食事の心配をせずに過ごせる。きょうだいも一緒に行ける。",
            Step(50, Path.PARTICIPATING, "きょうだいと一緒に参加を始めた。"),
            Step(40, note="食堂のスタッフに、本人が家族の分を持ち帰れるよう配慮をお願いした。", kind=HOST),
            Step(15, Path.SETTLED, "毎回来ている。配膳を手伝うこともある。", follow_ahead=30),
            arrangement="月2回 夕方",
        )  # fmt: skip
        self.path(
            person, KODOMO, "demo-kodomo", learning_for(member.age, home.district), d, 15,
            "テスト勉強の時間が取れないという本人の相談から。",
            arrangement="週1回から", follow_ahead=7,
        )  # fmt: skip

    def csw_foreign(self, home: Home) -> None:
        person = _mother(home)
        d = self.clock("csw_foreign")
        self.profile(
            person, SHAKYO, "demo-csw", d(70),
            interests=["日本語", "料理"], days=[SU, WE], times=[MORNING, EVENING],
            group_size=GroupSize.ANY, travel=Travel.CITY, pace=Pace.WEEKLY,
            wishes="学校のお便りが読めるようになりたい。",
            constraints_note="平日の昼は仕事。日本語の読み書きが難しい（通訳があると安心）。",
        )  # fmt: skip
        self.path(
            person, SHAKYO, "demo-csw", "大人の日本語教室", d, 70,
            "学校の書類を自分で読みたいという希望。日曜の午前なら通える。",
            Step(60, Path.TRIAL, "通訳のボランティアと一緒に見学した。"),
            Step(45, Path.PARTICIPATING, "毎週日曜に通い始めた。", follow=5),
            arrangement="毎週日曜 午前",
        )  # fmt: skip

    def single_mother(self, home: Home) -> None:
        person = _mother(home)
        d = self.clock("single_mother")
        self.profile(
            person, JIRITSU, "demo-jiritsu-2", d(120),
            interests=["料理", "子育て"], days=[FR, SA], times=[EVENING],
            group_size=GroupSize.ANY, travel=Travel.DISTRICT, pace=Pace.MONTHLY,
            wishes="月末の食費が足りない。子どもに我慢させたくない。",
            constraints_note="パートの勤務が不規則。",
        )  # fmt: skip
        self.path(
            person, JIRITSU, "demo-jiritsu-2", PANTRY.get(home.district, PANTRY["富坂"]), d, 120,
            "月末の食費の不足に。受け取りは短時間で済み、予約すれば確実に受け取れる。",
            Step(110, Path.PARTICIPATING, "初回の受け取り。スタッフが家計の相談窓口も案内した。"),
            Step(60, Path.SETTLED, "毎月受け取っている。"),
            Step(25, note="電話で様子を聞いた。仕事の時間が増え、受け取りに行けない月があるとのこと。", follow=10),
            arrangement="月1回",
        )  # fmt: skip

    def kikan_mental(self, home: Home) -> None:
        member = home.aged(30, 49)
        assert member is not None
        d = self.clock("kikan_mental")
        person = member.person
        self.profile(
            person, KIKAN, "demo-shogai-center", d(90),
            interests=["哲学", "本", "考えること"], days=[SU], times=[AFTERNOON],
            group_size=GroupSize.SMALL, travel=Travel.CITY, pace=Pace.MONTHLY,
            preferences=[Ease.VISIT_FIRST, Ease.LEAVE_ANYTIME],
            wishes="人と深い話がしたい。でも大勢は疲れる。",
            constraints_note="体調に波があり、約束の直前に行けなくなることがある。",
        )  # fmt: skip
        self.path(
            person, KIKAN, "demo-shogai-center", "哲学カフェ 本富士", d, 90,
            "考えることが好きで、人と深い話がしたいという本人の希望に合う。聞いているだけでもよい。",
            Step(75, Path.TRIAL, "一人で見学に行き、最後まで参加できた。"),
            Step(60, Path.INTERRUPTED, "体調の波で外出が難しくなった。本人から『落ち着いたらまた行きたい』。"),
            arrangement="月1回",
        )  # fmt: skip
        self.path(
            person, KIKAN, "demo-shogai-center", "ことのは文庫の読書会", d, 30,
            "本が好きで、少人数の静かな会。",
            Step(20, Path.ENDED, "土曜は通院があり、本人が希望しなかった。"),
        )  # fmt: skip

    def elderly_man(self, home: Home) -> None:
        person = home.members[0].person
        d = self.clock("elderly_man")
        anshin, staff = anshin_of(home.district), ANSHIN_STAFF[home.district]
        self.profile(
            person, anshin, staff, d(150),
            interests=["囲碁", "将棋", "散歩"], days=[MO, TU, FR], times=[AFTERNOON],
            group_size=GroupSize.ANY, travel=Travel.WALK, pace=Pace.FEW_A_MONTH,
            wishes="退職してから話し相手がいない。",
        )  # fmt: skip
        self.path(
            person, anshin, staff, MEN.get(home.district, MEN["富坂"]), d, 150,
            "碁や将棋が好きで、同じ年代の男性が集まる会。歩いて行ける。",
            Step(140, Path.TRIAL, "民生委員の紹介で見学。一局打って帰った。"),
            Step(130, Path.PARTICIPATING, "会員になった。"),
            Step(60, Path.SETTLED, "会の世話役を引き受けた。", follow_ahead=60),
            arrangement="月2回",
        )  # fmt: skip

    # -- paths written into a support plan --------------------------------

    def plan_model(self, plan: SupportPlan, person: Person) -> None:
        p = self.plan_clock(plan)
        self.profile(
            person, SHAKYO, "demo-csw", p(7),
            interests=["ギター", "音楽", "漫画"], days=[WE, SA], times=[AFTERNOON],
            group_size=GroupSize.SMALL, travel=Travel.DISTRICT, pace=Pace.WEEKLY,
            preferences=[Ease.SMALL_GROUP, Ease.VISIT_FIRST],
            wishes="高卒認定を取りたい。でも今は人に会うのがこわい。",
            constraints_note="同年代の集団が苦手。祖母の介護で家を空けにくい日がある。",
        )  # fmt: skip
        self.path(
            person, SHAKYO, "demo-csw", "高校生・中退者の学び直し まなびや大塚", p, 10,
            "支援プランの目標（進路を考える）に沿って。少人数で、高卒認定の勉強ができる。",
            Step(24, Path.TRIAL, "CSWが同行して見学。元教員のボランティアと少し話せた。", follow_ahead=10),
            arrangement="週1回 午後", plan=plan,
        )  # fmt: skip

    def plan_child(self, plan: SupportPlan, person: Person) -> None:
        p = self.plan_clock(plan)
        age = _age(person.birth_date, self.today)
        district_name = person.district.name if person.district else "富坂"
        self.profile(
            person, KODOMO, "demo-kodomo", p(5),
            interests=["勉強", "絵"], days=[MO, WE], times=[AFTERNOON, EVENING],
            group_size=GroupSize.ANY, travel=Travel.WALK, pace=Pace.WEEKLY,
            wishes="宿題をみてくれる人がほしい。",
        )  # fmt: skip
        self.path(
            person, KODOMO, "demo-kodomo", learning_for(age, district_name), p, 7,
            "支援プランの「学習支援・居場所の紹介と見守り」として。",
            Step(14, Path.PARTICIPATING, "母と一緒に初めて参加した。"),
            Step(40, note="スタッフから、毎回来ていて表情が明るいとの報告。", follow_ahead=21),
            arrangement="週1回", plan=plan,
        )  # fmt: skip

    def plan_single(self, plan: SupportPlan, person: Person) -> None:
        p = self.plan_clock(plan)
        district_name = person.district.name if person.district else "富坂"
        self.profile(
            person, SHAKYO, "demo-csw", p(3),
            interests=["料理", "猫"], days=[TU, SA], times=[AFTERNOON],
            group_size=GroupSize.SMALL, travel=Travel.DISTRICT, pace=Pace.FEW_A_MONTH,
            preferences=[Ease.SHORT_TIME, Ease.LITTLE_TALK],
            wishes="食費を切り詰めている。人と会うのは少しずつにしたい。",
        )  # fmt: skip
        self.path(
            person, SHAKYO, "demo-csw", PANTRY.get(district_name, PANTRY["富坂"]), p, 5,
            "支援プランの「居場所・食料支援の紹介」として。受け取りは短時間で済む。",
            Step(12, Path.PARTICIPATING, "初回の受け取りにCSWが同行した。"),
            Step(45, Path.SETTLED, "毎月一人で受け取りに行けている。", follow_ahead=25),
            arrangement="月1回", plan=plan,
        )  # fmt: skip
        self.path(
            person, SHAKYO, "demo-csw", "ひきこもり当事者会 しずく", p, 30,
            "同じような経験の人と会ってみたいという言葉から。話さずに座っているだけでもよい会。",
            Step(40, Path.TRIAL, "CSWと一緒に見学。最後まで座っていられた。", follow=55),
            arrangement="月1回", plan=plan,
        )  # fmt: skip

    def plan_carer(self, plan: SupportPlan, person: Person) -> None:
        p = self.plan_clock(plan)
        self.profile(
            person, KOREI, "demo-koreifukushi", p(5),
            interests=["介護の情報", "散歩"], days=[TU], times=[AFTERNOON],
            group_size=GroupSize.ANY, travel=Travel.CITY, pace=Pace.MONTHLY,
            wishes="介護のことを分かってくれる人と話したい。",
            constraints_note="親を一人にできる時間が限られる（デイサービスの日のみ）。",
        )  # fmt: skip
        self.path(
            person, KOREI, "demo-koreifukushi", "介護者のつどい オレンジの輪", p, 7,
            "支援プランの「介護者支援（家族会の紹介）」として。デイサービスの日に合わせて通える。",
            Step(14, Path.TRIAL, "つどいを見学した。"),
            Step(20, note="世話人と、つどいの日にデイサービスを延長できるよう調整した。", kind=HOST),
            Step(42, Path.PARTICIPATING, "毎月参加している。", follow_ahead=14),
            arrangement="毎月第2火曜日", plan=plan,
        )
    # fmt: on


@transaction.atomic
def load_demo_participation(
    municipality: Municipality, *, today: date | None = None
) -> DemoParticipation | None:
    """Write the demo's participation profiles and paths (once: ``None`` when the
    ward already has some, or has no residents or resources yet)."""
    started = clock.monotonic()
    with tenancy.tenant_context(municipality):
        if (
            ParticipationProfile.objects.exists()
            or Participation.objects.exists()
            or not Household.objects.exists()
            or not Resource.objects.filter(name=COFFEE).exists()
        ):
            return None
        today = today or timezone.localdate()
        _ParticipationWriter(cast(today), today).write()
        return DemoParticipation(
            profiles=ParticipationProfile.objects.count(),
            paths=Participation.objects.count(),
            seconds=round(clock.monotonic() - started, 1),
        )


def showcase_profile() -> ParticipationProfile | None:
    """The matching showcase's profile (in the current tenant)."""
    for profile in ParticipationProfile.objects.select_related("person", "household").order_by(
        "pk"
    ):
        if "コーヒー" in profile.interests:
            return profile
    return None
