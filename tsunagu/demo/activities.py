"""The demo ward's recent 活動記録 and 件数入力: the 社会福祉協議会's coordinators'
daily work from 令和7年7月 to yesterday, in the four districts, and the
monthly visitor counts of the 子ども家庭支援センター's 親子ひろば.

Earlier months (令和6年度 and 令和7年4月〜6月) are written by
:mod:`tsunagu.demo.report_figures` to match seed 000's report; this loader
starts where that one stops, so that the activity list and the report of the
current fiscal year have something to show.

About 400 records a month, spread over categories, kinds and districts in the
proportions of seed 000's 令和6年度 tables (a district where 連絡調整 dominates
stays so; 運営支援 is the bulk of community work), on weekdays, each with a
short intent of its kind (no names). The plaza's count is about 1,300 a month
(seed 000: 3,911 in 令和7年4月〜6月), entered early the next month — so only
months already over are entered.

Written in bulk, stamped with the days they stand for; one audit event
records the load (the staff accounts it adds are created through the
accounts services, audited as usual).
"""

from __future__ import annotations

import calendar
import random
import time as clock
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tsunagu.accounts import services as account_services
from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.activities.models import ActivityRecord, Category, CountedEntry, Direction, Kind, Mode
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.demo.names import synthetic_name
from tsunagu.demo.ward import DEMO_PASSWORD
from tsunagu.directory.models import District, Organization

#: The first day this loader writes (the report's figures end the day before).
START = date(2025, 7, 1)
COUNCIL = "社会福祉協議会"
CHILD_CENTER = "子ども家庭支援センター"
PLAZA_ITEM = "親子ひろば利用者数"
#: Coordinators the council should have: one per district of the seed's tables.
COORDINATORS_WANTED = 4
#: Logins of the coordinators this loader adds when the council has too few.
EXTRA_COORDINATORS = ("demo-csw-2", "demo-csw-3", "demo-csw-4")
RECORDS_PER_MONTH = 400
PLAZA_PER_MONTH = 1300

IND, COM, LIFE, NEW = (
    Category.INDIVIDUAL,
    Category.COMMUNITY,
    Category.LIFE_SUPPORT,
    Category.NEW_CONSULTATION,
)
DIRECT, INDIRECT = Mode.DIRECT, Mode.INDIRECT

#: Short intents per (category, kind): what the coordinator was working toward.
INTENTS: dict[tuple[str, str], tuple[str, ...]] = {
    (IND, Kind.RELATIONSHIP): (
        "本人と顔なじみになる",
        "困りごとを話せる関係をつくる",
        "家族に相談先として覚えてもらう",
        "近所の見守り役と本人をつなぐ",
        "民生委員と本人の様子を共有する",
    ),
    (IND, Kind.INDIVIDUAL_SUPPORT): (
        "通院の同行を調整する",
        "福祉サービスの申請を手伝う",
        "ごみ出しの手伝いを手配する",
        "家計の見直しを一緒に考える",
        "居場所への参加を後押しする",
    ),
    (IND, Kind.LIAISON): (
        "ケアマネジャーと支援方針をすり合わせる",
        "あんしん相談センターに状況を伝える",
        "民生委員と訪問の分担を決める",
        "医療機関と退院後の生活を相談する",
        "生活福祉課に制度の利用を相談する",
    ),
    (COM, Kind.RELATIONSHIP): (
        "町会長と顔の見える関係をつくる",
        "商店会に活動を知ってもらう",
        "民生委員の定例会で地域の様子を聞く",
        "学校と地域行事で協力する関係をつくる",
        "マンション管理組合と見守りの話を始める",
    ),
    (COM, Kind.LAUNCH): (
        "子ども食堂の立ち上げを相談に乗る",
        "サロンの会場探しを手伝う",
        "見守り活動の担い手を集める",
        "新しい居場所の運営ルールを一緒に考える",
        "立ち上げ資金の助成申請を支える",
    ),
    (COM, Kind.OPERATION): (
        "サロンの担い手の負担を減らす",
        "子ども食堂の衛生管理を確認する",
        "活動の参加者を広げる",
        "担い手の世代交代を話し合う",
        "会計と記録の方法を整える",
    ),
    (COM, Kind.LIAISON): (
        "居場所と福祉施設の協力を調整する",
        "地域行事と関係機関の日程を調整する",
        "担い手会議の開催を連絡する",
        "活動団体同士の情報交換を仲立ちする",
        "区の担当課に活動の課題を伝える",
    ),
    (LIFE, Kind.INFORMATION): (
        "地区の買い物支援の状況を調べる",
        "高齢者の通いの場を把握する",
        "移動支援の担い手を探す",
        "配食サービスの空き状況を確かめる",
        "住民の困りごとを聞き取る",
    ),
    (LIFE, Kind.RELATIONSHIP): (
        "介護事業所と顔の見える関係をつくる",
        "商店に見守りへの協力をお願いする",
        "シルバー人材センターと協力関係をつくる",
        "老人クラブの集まりで活動を紹介する",
        "社会福祉法人と地域貢献の話をする",
    ),
    (LIFE, Kind.PLANNING): (
        "協議体で地域の課題を整理する",
        "ごみ出し支援の仕組みを企画する",
        "通いの場の新しいプログラムを考える",
        "移動販売の誘致を検討する",
        "担い手養成講座を企画する",
    ),
    (LIFE, Kind.OPERATION): (
        "かよい〜のの運営を支える",
        "協議体の会議を準備する",
        "ちょっと手伝い隊の活動を支える",
        "体操の会の担い手を支える",
        "見守りボランティアの連絡会を運営する",
    ),
    (NEW, Kind.NEW_INDIVIDUAL): (
        "ひとり暮らしの高齢者の相談を受け止める",
        "近所の人からの心配の声を受け止める",
        "家族から生活の困りごとを聞く",
        "制度の狭間の相談を受ける",
        "ひきこもりがちな家族の相談を聞く",
    ),
    (NEW, Kind.NEW_COMMUNITY): (
        "町会から見守りの相談を受ける",
        "住民グループから活動の相談を受ける",
        "空き家活用の相談を受ける",
        "サロンの存続の相談を受ける",
        "マンションの孤立防止の相談を受ける",
    ),
}

NOTES = (
    "次回も同じ曜日に訪問予定",
    "担い手会議で共有する",
    "資料を後日届ける",
    "来月の定例会で様子を聞く",
    "関係機関に結果を報告済み",
)

#: Seed 000's 令和6年度 counts by district (富坂, 大塚, 本富士, 駒込): the weight of
#: each (category, kind, mode) in each district.
DISTRICT_WEIGHTS: dict[tuple[str, str, str], tuple[int, int, int, int]] = {
    (IND, Kind.RELATIONSHIP, DIRECT): (44, 62, 18, 58),
    (IND, Kind.INDIVIDUAL_SUPPORT, DIRECT): (104, 67, 56, 72),
    (IND, Kind.LIAISON, DIRECT): (16, 3, 3, 91),
    (IND, Kind.RELATIONSHIP, INDIRECT): (65, 103, 180, 49),
    (IND, Kind.INDIVIDUAL_SUPPORT, INDIRECT): (229, 154, 123, 85),
    (IND, Kind.LIAISON, INDIRECT): (53, 29, 2, 171),
    (COM, Kind.RELATIONSHIP, ""): (346, 698, 310, 251),
    (COM, Kind.LAUNCH, ""): (88, 143, 64, 83),
    (COM, Kind.OPERATION, ""): (1062, 818, 642, 475),
    (COM, Kind.LIAISON, ""): (249, 262, 98, 563),
    (NEW, Kind.NEW_INDIVIDUAL, ""): (23, 33, 11, 25),
    (NEW, Kind.NEW_COMMUNITY, ""): (23, 26, 21, 14),
}
#: The 生活支援コーディネーター's table has no districts: spread evenly.
WARD_WIDE_WEIGHTS: dict[tuple[str, str, str], int] = {
    (LIFE, Kind.INFORMATION, ""): 59,
    (LIFE, Kind.RELATIONSHIP, ""): 211,
    (LIFE, Kind.PLANNING, ""): 6,
    (LIFE, Kind.OPERATION, ""): 1106,
}
DISTRICT_ORDER = ("富坂", "大塚", "本富士", "駒込")

#: Busier and quieter months (summer holidays, the year's end and start).
SEASON = {4: 1.0, 5: 0.95, 6: 1.0, 7: 1.05, 8: 0.85, 9: 1.0, 10: 1.05, 11: 1.05, 12: 0.9,
          1: 0.85, 2: 1.0, 3: 1.05}  # fmt: skip
#: Parents and toddlers come more in the summer holidays, less in the cold.
PLAZA_SEASON = {4: 0.95, 5: 1.0, 6: 0.95, 7: 1.1, 8: 1.15, 9: 1.0, 10: 1.0, 11: 0.95,
                12: 0.9, 1: 0.85, 2: 0.95, 3: 1.05}  # fmt: skip
#: The share of each category's acts that were a call or visit to the coordinator (受信).
INCOMING_SHARE: dict[str, float] = {IND: 0.3, COM: 0.2, LIFE: 0.1, NEW: 0.9}


@dataclass(frozen=True)
class Summary:
    records: int
    counted_entries: int
    staff_created: int
    seconds: float


def _months(first: date, last: date) -> list[date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _workdays(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _at(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class _Loader:
    def __init__(self, municipality: Municipality, today: date, rng: random.Random) -> None:
        self.municipality = municipality
        self.today = today
        self.yesterday = today - timedelta(days=1)
        self.rng = rng
        self.council = Organization.objects.get(name=COUNCIL)
        self.child_center = Organization.objects.filter(name=CHILD_CENTER).first()
        by_name = {d.name: d for d in District.objects.filter(archived_at=None)}
        ordered = [by_name[name] for name in DISTRICT_ORDER if name in by_name]
        self.districts = ordered or list(District.objects.filter(archived_at=None))
        self.staff_created = 0

    # -- who ----------------------------------------------------------------------------

    def _casework_staff(self, organization: Organization) -> list[Staff]:
        return list(
            Staff.objects.filter(
                memberships__organization=organization,
                memberships__active=True,
                memberships__role__in=(Role.COUNSELOR, Role.ORG_MANAGER, Role.COORDINATOR),
                is_active=True,
                is_guest=False,
            )
            .distinct()
            .order_by("username")
        )

    def coordinators(self) -> list[Staff]:
        """The council's coordinators, adding synthetic ones up to one per district."""
        found = self._casework_staff(self.council)
        missing = [
            username
            for username in EXTRA_COORDINATORS
            if not Staff.all_tenants.filter(username=username).exists()
        ][: max(0, COORDINATORS_WANTED - len(found))]
        for username in missing:
            name, kana = synthetic_name(self.rng)
            staff = account_services.staff_create(
                actor=None,
                municipality=self.municipality,
                username=username,
                full_name=name,
                full_name_kana=kana,
                password=DEMO_PASSWORD,
                validate=False,
            )
            account_services.membership_add(
                actor=None, staff=staff, organization=self.council, role=Role.COUNSELOR
            )
            self.staff_created += 1
        return self._casework_staff(self.council) if missing else found

    # -- activity records ---------------------------------------------------------------

    def cells(self) -> tuple[list[tuple[str, str, str, District | None]], list[int]]:
        """Every (category, kind, mode, district) with its weight (None: any district)."""
        cells: list[tuple[str, str, str, District | None]] = []
        weights: list[int] = []
        for (category, kind, mode), per_district in DISTRICT_WEIGHTS.items():
            for district, weight in zip(self.districts, per_district, strict=False):
                cells.append((category, kind, mode, district))
                weights.append(weight)
        for (category, kind, mode), weight in WARD_WIDE_WEIGHTS.items():
            cells.append((category, kind, mode, None))
            weights.append(weight)
        return cells, weights

    def records(self, coordinators: list[Staff]) -> list[ActivityRecord]:
        # Each coordinator looks after a district (the seed's CSW tables are per district).
        home: dict[int, list[Staff]] = {d.pk: [] for d in self.districts}
        for n, staff in enumerate(coordinators):
            home[self.districts[n % len(self.districts)].pk].append(staff)
        cells, weights = self.cells()
        rows: list[ActivityRecord] = []
        for month in _months(START, self.yesterday):
            last = min(_month_end(month), self.yesterday)
            days = _workdays(month, last)
            every_day = (month + timedelta(days=n) for n in range((last - month).days + 1))
            saturdays = [day for day in every_day if day.weekday() == 5]
            if not days:
                continue
            share = len(days) / len(_workdays(month, _month_end(month)))
            count = round(
                RECORDS_PER_MONTH * SEASON[month.month] * share * self.rng.uniform(0.92, 1.08)
            )
            for category, kind, mode, district in self.rng.choices(cells, weights, k=count):
                district = district or self.rng.choice(self.districts)
                pool = home.get(district.pk) or coordinators
                if self.rng.random() < 0.2:
                    pool = coordinators  # covering for a colleague
                staff = self.rng.choice(pool)
                # Community events happen on Saturdays now and then.
                if saturdays and category != IND and self.rng.random() < 0.04:
                    day = self.rng.choice(saturdays)
                else:
                    day = self.rng.choice(days)
                entered = _at(day, self.rng.randrange(16, 19), self.rng.randrange(60))
                incoming = self.rng.random() < INCOMING_SHARE[category]
                rows.append(
                    ActivityRecord(
                        municipality=self.municipality,
                        organization=self.council,
                        staff=staff,
                        occurred_on=day,
                        district=district,
                        category=category,
                        kind=kind,
                        mode=mode,
                        direction=Direction.INCOMING if incoming else Direction.OUTGOING,
                        intent=self.rng.choice(INTENTS[(category, kind)]),
                        note=self.rng.choice(NOTES) if self.rng.random() < 0.1 else "",
                        created_at=entered,
                        created_by=staff,
                        updated_by=staff,
                    )
                )
        return rows

    # -- counted entries ----------------------------------------------------------------

    def plaza_entries(self) -> list[CountedEntry]:
        """One count a month for every month already over, entered early the next month."""
        if self.child_center is None:
            return []
        entered_by = next(iter(self._casework_staff(self.child_center)), None)
        this_month = self.today.replace(day=1)
        existing = set(
            CountedEntry.objects.filter(
                organization=self.child_center, item=PLAZA_ITEM, month__gte=START
            ).values_list("month", flat=True)
        )
        entries = []
        for month in _months(START, this_month - timedelta(days=1)):
            if month in existing:
                continue
            following = (month + timedelta(days=32)).replace(day=1)
            entered_on = _workdays(following, following + timedelta(days=7))[0]
            count = round(
                PLAZA_PER_MONTH * PLAZA_SEASON[month.month] * self.rng.uniform(0.94, 1.06)
            )
            entries.append(
                CountedEntry(
                    municipality=self.municipality,
                    organization=self.child_center,
                    item=PLAZA_ITEM,
                    month=month,
                    count=count,
                    created_at=_at(entered_on, 10, self.rng.randrange(60)),
                    created_by=entered_by,
                    updated_by=entered_by,
                )
            )
        return entries


@transaction.atomic
def load_demo_activities(
    municipality: Municipality, *, today: date | None = None, seed: int = 2025
) -> Summary | None:
    """Write the coordinators' records from 令和7年7月 to yesterday and the plaza's
    monthly counts (once: ``None`` when records from that month on exist, or
    the ward has no 社会福祉協議会)."""
    started = clock.monotonic()
    with tenancy.tenant_context(municipality):
        today = today or timezone.localdate()
        council = Organization.objects.filter(name=COUNCIL).first()
        if council is None or today - timedelta(days=1) < START:
            return None
        if ActivityRecord.objects.filter(organization=council, occurred_on__gte=START).exists():
            return None
        loader = _Loader(municipality, today, random.Random(seed))
        if not loader.districts:
            return None
        records = loader.records(loader.coordinators())
        ActivityRecord.objects.bulk_create(records, batch_size=1000)
        entries = loader.plaza_entries()
        CountedEntry.objects.bulk_create(entries, batch_size=1000)
        # Saving stamped "now" as the last change: show them as entered when they were.
        ActivityRecord.objects.filter(organization=council, occurred_on__gte=START).update(
            updated_at=F("created_at")
        )
        CountedEntry.objects.filter(
            item=PLAZA_ITEM, month__in=[entry.month for entry in entries]
        ).update(updated_at=F("created_at"))
        audit_record(
            AuditAction.CREATE,
            municipality=municipality,
            actor_label="load_demo",
            object_type="activities.activityrecord",
            detail={
                "demo": "recent_activities",
                "from": START.isoformat(),
                "to": (today - timedelta(days=1)).isoformat(),
                "records": len(records),
                "counted_entries": len(entries),
            },
        )
        return Summary(
            records=len(records),
            counted_entries=len(entries),
            staff_created=loader.staff_created,
            seconds=round(clock.monotonic() - started, 1),
        )
