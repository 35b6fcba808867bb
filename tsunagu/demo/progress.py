"""The demo ward's 支援経過記録: the ordinary work between the milestones of
some open 多機関協働 cases — a follow-up interview, a phone call, an
accompanied trip to ハローワーク, a call with a school, a case conference —
written by the coordinating section and by the organizations of the case
team, so that the household pages' 家族年表 and the case pages show them.

Everything is synthetic and written through the service the screens use,
inside the tenant, on days in the past.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Case as When_
from django.db.models import IntegerField, Value, When
from django.utils import timezone

from tsunagu.accounts.models import Membership, Staff
from tsunagu.accounts.roles import Role
from tsunagu.cases.models import OPEN_STAGES, Case
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.demo.cases import MODEL_CASE_TITLE
from tsunagu.directory.models import Organization
from tsunagu.people.models import HouseholdMembership
from tsunagu.progress.models import Kind, ProgressNote
from tsunagu.progress.services import progress_note_record

#: How many open cases get a running record.
CASES = 6

#: One case's running record, oldest first: (days ago, hour, kind, by the team
#: (else the coordinator), others present, what happened, next step, its day
#: in days from the entry).
STORY: list[tuple[int, int, str, bool, str, str, str, int | None]] = [
    (110, 10, Kind.INTERVIEW, False, "本人", "初回面談の続き。生活の状況と困りごとを改めて聞き取った。"
     "収入が途絶えて三か月、家賃の滞納が始まっている。", "家計の状況を一緒に整理する", 7),
    (103, 14, Kind.PHONE, False, "本人", "電話で家計の資料がそろったと連絡あり。来所の日を決めた。",
     "来所して家計表を作る", 3),
    (98, 16, Kind.LIAISON, True, "", "チームの機関から、母の介護サービスの利用状況について情報提供を受けた"
     "（本人同意の範囲内）。", "ケース協議で役割分担を確認", 10),
    (85, 13, Kind.CASE_CONFERENCE, False, "", "事務局と支援チームでケース協議。就労と介護の両立を"
     "優先課題とし、役割分担を確認した。", "ハローワークへ同行する", 14),
    (70, 9, Kind.ACCOMPANY, True, "本人", "ハローワークへ同行。短時間の求人を二件紹介された。"
     "本人は緊張していたが、説明はよく聞けていた。", "応募書類の作成を手伝う", 7),
    (45, 15, Kind.MESSAGE, True, "本人", "LINEで面接日が決まったと連絡。前日に確認の連絡をすることにした。",
     "面接の前日に電話", 20),
    (30, 11, Kind.VISIT, False, "本人・母", "自宅を訪問。母の表情が明るくなった。本人は週三日の"
     "仕事を始めて二週間。疲れはあるが続けられそうとのこと。", "一か月後に様子を聞く", 30),
]  # fmt: skip


@dataclass(frozen=True)
class DemoProgress:
    cases: int
    notes: int
    seconds: float


def _casework_staff(organization_id: int) -> Staff | None:
    membership = (
        Membership.objects.filter(
            organization_id=organization_id,
            active=True,
            staff__is_active=True,
            staff__is_guest=False,
            role__in=[Role.COUNSELOR, Role.COORDINATOR, Role.ORG_MANAGER],
        )
        .select_related("staff", "organization")
        .order_by("staff__username")
        .first()
    )
    return membership.staff if membership else None


def _at(today: date, days_ago: int, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(hour)))


def load_demo_progress(
    municipality: Municipality, *, today: date | None = None
) -> DemoProgress | None:
    """Write the demo's running records (once: ``None`` when the ward already
    has some, or has no cases yet)."""
    started = clock.monotonic()
    with tenancy.tenant_context(municipality):
        if ProgressNote.objects.exists() or not Case.objects.exists():
            return None
        today = today or timezone.localdate()
        cases = list(
            Case.objects.filter(stage__in=OPEN_STAGES)
            .annotate(
                model=When_(
                    When(title=MODEL_CASE_TITLE, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .select_related("organization", "household")
            .order_by("model", "pk")[:CASES]
        )
        written = 0
        for case in cases:
            coordinator = _casework_staff(case.organization_id)
            if coordinator is None:
                continue
            team = (
                case.team.filter(left_on=None)
                .exclude(organization_id=case.organization_id)
                .order_by("pk")
                .values_list("organization_id", flat=True)
                .first()
            )
            member = _casework_staff(team) if team is not None else None
            team_organization = Organization.objects.get(pk=team) if member else None
            first = (
                HouseholdMembership.objects.filter(household=case.household, ended_on=None)
                .select_related("person")
                .order_by("pk")
                .first()
            )
            person = first.person if first else None
            for days_ago, hour, kind, by_team, others, content, next_step, next_in in STORY:
                by_member = by_team and member is not None and team_organization is not None
                actor = member if by_member else coordinator
                organization = team_organization if by_member else case.organization
                assert actor is not None and organization is not None
                occurred_at = _at(today, days_ago, hour)
                progress_note_record(
                    actor=actor,
                    organization=organization,
                    household=case.household,
                    person=person,
                    case=case,
                    participants=[(coordinator, case.organization)]
                    if by_member and kind == Kind.ACCOMPANY
                    else [],
                    occurred_at=occurred_at,
                    kind=kind,
                    other_participants=others,
                    content=content,
                    next_step=next_step,
                    next_on=(occurred_at.date() + timedelta(days=next_in)) if next_in else None,
                )
                written += 1
        return DemoProgress(
            cases=len(cases), notes=written, seconds=round(clock.monotonic() - started, 1)
        )
