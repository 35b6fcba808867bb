"""The demo ward's インテーク・アセスメント: a few synthetic assessments made by
the coordinating section for its open cases, one person each, the model
household's with a second version (re-assessed after the first 支援会議).

Written through the service, so that versions, the audit trail and the
grants are what a clerk's save would make. All names and texts are
fictitious (the demo ward's residents are generated)."""

from __future__ import annotations

import datetime
import time as clock
from dataclasses import dataclass

from django.db.models import Case as When_
from django.db.models import IntegerField, Value, When
from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.assessments.models import Assessment
from tsunagu.assessments.services import assessment_create
from tsunagu.cases.models import OPEN_STAGES, Case
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.demo.cases import MODEL_CASE_TITLE
from tsunagu.people.models import HouseholdMembership
from tsunagu.policy import casework_organization_ids

#: How many open cases get an assessment.
CASES = 6


@dataclass(frozen=True)
class Sheet:
    ticked: tuple[str, ...]
    notes: dict[str, str]
    background: str
    person_issues: str
    household_issues: str
    wishes: str
    supplements: tuple[str, ...] = ()


SHEETS = (
    Sheet(
        ("income.none", "work.unemployed", "family.caregiving", "sup_care.burden",
         "sup_care.quit_job", "work.willing"),
        {"family": "母の介護のため前年に離職。母は介護サービスを拒んでいる。",
         "work": "再就職を希望するが、介護との両立に不安。"},
        "地域包括支援センターから、介護離職した長男について相談があった。",
        "収入がなく、介護の負担が一人に集中している。",
        "母の介護拒否と子の進路未定が重なり、世帯の誰も外部とつながっていない。",
        "母を家で看ながら、短時間でも働きたい。",
        ("care",),
    ),
    Sheet(
        ("family.hikikomori", "community.no_place", "daily.meals", "health.suspected_disability"),
        {"family": "10年ほど自室で過ごす。家族とはメモでやりとり。"},
        "母親が民生委員に相談し、社会福祉協議会のCSWを経て事務局へ。",
        "外出の機会がなく、食事も不規則。",
        "親の高齢化で、数年後に生活が立ち行かなくなるおそれ。",
        "人の少ない時間なら外に出てみたい。",
    ),
    Sheet(
        ("housing.rent_arrears", "housing.eviction_risk", "debt.utility_arrears", "income.shortfall",
         "sup_housing.notice", "sup_finance.deficit"),
        {"housing": "家賃3か月分を滞納。管理会社から退去の通知。"},
        "自立相談支援窓口に本人が来所。",
        "住まいを失うおそれがあり、家計の立て直しが必要。",
        "",
        "今の家に住み続けたい。",
        ("housing", "finance"),
    ),
    Sheet(
        ("family.childcare", "sup_children.single_parent", "sup_children.school", "income.allowance"),
        {"sup_children": "長女が不登校ぎみ。"},
        "子ども家庭支援センターから、ひとり親世帯として事務局へ。",
        "仕事と子育ての両立が難しい。",
        "子どもの学習と居場所の確保。",
        "子どもと過ごす時間を増やしたい。",
        ("children",),
    ),
)  # fmt: skip

#: The model household's second version, after the first 支援会議.
FOLLOW_UP = Sheet(
    ("work.unemployed", "family.caregiving", "sup_care.burden", "work.willing",
     "income.allowance"),
    {"family": "母が週2回のデイサービス利用に同意した。"},
    "地域包括支援センターから、介護離職した長男について相談があった。",
    "介護の負担は軽くなったが、就労はまだ。",
    "子の進路が課題として残る。",
    "週3日、午前中だけ働きたい。",
    ("care",),
)  # fmt: skip


@dataclass(frozen=True)
class DemoAssessments:
    assessments: int
    persons: int
    seconds: float


def _assessor(case: Case) -> Staff | None:
    for staff in Staff.objects.filter(
        memberships__organization=case.organization, memberships__active=True, is_guest=False
    ).order_by("pk"):
        if case.organization_id in casework_organization_ids(staff):
            return staff
    return None


def _write(case: Case, staff: Staff, sheet: Sheet, *, based_on: int, day: datetime.date) -> None:
    membership = (
        HouseholdMembership.objects.filter(household_id=case.household_id, ended_on=None)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    if membership is None:
        return
    assessment_create(
        actor=staff,
        organization=case.organization,
        household=case.household,
        person=membership.person,
        case=case,
        based_on=based_on,
        assessed_on=day,
        ticked=sheet.ticked,
        notes=sheet.notes,
        supplements=sheet.supplements,
        background=sheet.background,
        person_issues=sheet.person_issues,
        household_issues=sheet.household_issues,
        wishes=sheet.wishes,
    )


def load_demo_assessments(
    municipality: Municipality, *, today: datetime.date | None = None
) -> DemoAssessments | None:
    """Write the demo's assessments (once: ``None`` when the ward has some, or no case)."""
    started = clock.monotonic()
    with tenancy.tenant_context(municipality):
        if Assessment.objects.exists() or not Case.objects.exists():
            return None
        today = today or timezone.localdate()
        cases = list(
            Case.objects.filter(stage__in=OPEN_STAGES)
            .select_related("organization", "household")
            .annotate(
                model=When_(
                    When(title=MODEL_CASE_TITLE, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("model", "pk")[:CASES]
        )
        for index, case in enumerate(cases):
            staff = _assessor(case)
            if staff is None:
                continue
            day = min(case.opened_on + datetime.timedelta(days=7), today)
            _write(case, staff, SHEETS[index % len(SHEETS)], based_on=0, day=day)
            if case.title == MODEL_CASE_TITLE:
                later = min(day + datetime.timedelta(days=60), today)
                _write(case, staff, FOLLOW_UP, based_on=1, day=later)
        return DemoAssessments(
            assessments=Assessment.objects.count(),
            persons=Assessment.objects.values("person").distinct().count(),
            seconds=round(clock.monotonic() - started, 1),
        )
