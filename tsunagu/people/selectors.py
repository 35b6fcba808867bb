"""Reads of residents' data that combine several records: search, the household
page (members, 家族年表, open referrals, involved organizations).

Every queryset starts from the policy's visible set, and every record shown
carries the basis it is shown under.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.core.wareki import parse_date
from tsunagu.people.models import Household, HouseholdMembership, Person
from tsunagu.people.names import fold, normalize_text
from tsunagu.people.services import name_variants

SEARCH_LIMIT = 50


def _terms(query: str) -> list[str]:
    # Control characters (NUL among them, which PostgreSQL refuses) are no part of a name or word.
    query = "".join(char for char in query if char.isprintable() or char.isspace())
    return [term for term in re.split(r"[\s　]+", query.strip()) if term][:6]


def person_search(staff: Staff, query: str, limit: int = SEARCH_LIMIT) -> QuerySet[Person]:
    """Persons the staff member may see whose kanji or kana name contains every
    term (variants, kana script, width, long-vowel marks folded); a term that
    reads as a date (和暦 or 西暦) matches the birth date."""
    queryset = policy.visible(staff, "person", policy.Action.LIST).filter(archived_at__isnull=True)
    terms = _terms(query)
    if not terms:
        return queryset.none()
    variants = name_variants()
    matched = False
    for term in terms:
        try:
            born = parse_date(term)
        except ValueError:
            key = fold(term, variants)
            if not key:
                continue
            queryset = queryset.filter(Q(name_key__contains=key) | Q(kana_key__contains=key))
        else:
            queryset = queryset.filter(birth_date=born)
        matched = True
    if not matched:  # only marks (ー, ・) typed: nothing to look for
        return queryset.none()
    return queryset.select_related("district").order_by("kana_key", "pk")[:limit]


def consultation_search(staff: Staff, query: str, limit: int = SEARCH_LIMIT) -> QuerySet[Any]:
    """Consultations the staff member may see whose text contains every word
    (two-character terms such as 訪問 or 介護 included)."""
    queryset = policy.visible(staff, "consultation", policy.Action.LIST)
    terms = [normalize_text(term) for term in _terms(query)]
    terms = [term for term in terms if term]
    if not terms:
        return queryset.none()
    for term in terms:
        queryset = queryset.filter(search_text__contains=term)
    return queryset.select_related("organization", "household").order_by("-received_at", "-pk")[
        :limit
    ]


# ---------------------------------------------------------------------------
# The household page.


@dataclass
class TimelineEvent:
    at: datetime
    kind: str
    title: str
    organization: str
    basis: policy.Basis
    url: str = ""
    detail: str = ""
    badges: list[str] = field(default_factory=list)

    @property
    def basis_label(self) -> str:
        return str(self.basis.label)


@dataclass
class HouseholdView:
    household: Household
    basis: policy.Basis
    members: list[HouseholdMembership]
    former_members: list[HouseholdMembership]
    timeline: list[TimelineEvent]
    open_referrals: list[Any]
    organizations: list[tuple[str, list[str]]]
    shown: dict[str, list[int]]


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def household_view(staff: Staff, household: Household, basis: policy.Basis) -> HouseholdView:
    """Everything of ``household`` the staff member may see, each with its basis.

    Records the viewer has no basis for are left out entirely: no count, no
    placeholder, nothing that says they exist."""
    from tsunagu.referrals.models import OPEN, ReferralEvent, Status

    memberships = list(
        HouseholdMembership.objects.filter(household=household)
        .select_related("person")
        .order_by("started_on", "id")
    )
    events: list[TimelineEvent] = []
    for membership in memberships:
        person = membership.person
        events.append(
            TimelineEvent(
                at=_start_of(membership.started_on),
                kind="membership",
                title=_("%(name)s さんが世帯員に（%(relationship)s）")
                % {"name": person.full_name, "relationship": membership.get_relationship_display()},
                organization="",
                basis=basis,
            )
        )
        if membership.ended_on:
            events.append(
                TimelineEvent(
                    at=_start_of(membership.ended_on),
                    kind="membership",
                    title=_("%(name)s さんが世帯を離れる") % {"name": person.full_name},
                    organization="",
                    basis=basis,
                    detail=membership.end_reason,
                )
            )

    consultations = list(
        policy.visible(staff, "consultation", policy.Action.VIEW)
        .filter(household=household)
        .select_related("organization")
        .order_by("received_at", "pk")
    )
    with_basis = policy.bases(staff, "consultation", consultations)
    for consultation in consultations:
        events.append(
            TimelineEvent(
                at=consultation.received_at,
                kind="consultation",
                title=_("相談受付（%(channel)s・%(topic)s）")
                % {
                    "channel": consultation.get_channel_display(),
                    "topic": consultation.get_main_topic_display(),
                },
                organization=consultation.organization.name,
                basis=with_basis[consultation.pk],
                url=reverse("consultations:detail", args=[consultation.pk]),
                detail=consultation.summary,
                badges=[consultation.get_outcome_display()],
            )
        )

    referrals = list(
        policy.visible(staff, "referral", policy.Action.VIEW)
        .filter(household=household)
        .select_related("from_organization", "to_organization")
        .order_by("pk")
    )
    referral_bases = policy.bases(staff, "referral", referrals)
    by_id = {referral.pk: referral for referral in referrals}
    for event in (
        ReferralEvent.objects.filter(referral_id__in=by_id)
        .exclude(to_status=Status.DRAFT)
        .select_related("organization")
        .order_by("occurred_at", "pk")
    ):
        referral = by_id[event.referral_id]
        if event.to_status == Status.REQUESTED and event.from_status == Status.DRAFT:
            title = _("つなぐシート送付：%(source)s → %(target)s") % {
                "source": referral.from_organization.name,
                "target": referral.to_organization.name,
            }
        elif event.from_status == event.to_status:
            title = _("つなぐシートへのコメント（%(target)s宛）") % {
                "target": referral.to_organization.name
            }
        else:
            title = _("つなぐシート「%(status)s」（%(target)s宛）") % {
                "status": event.get_to_status_display(),
                "target": referral.to_organization.name,
            }
        events.append(
            TimelineEvent(
                at=event.occurred_at,
                kind="referral",
                title=title,
                organization=event.organization.name,
                basis=referral_bases[referral.pk],
                url=reverse("referrals:detail", args=[referral.pk]),
                detail=event.note if event.from_status != "" else "",
                badges=[event.get_reason_display()] if event.reason else [],
            )
        )
    events.sort(key=lambda e: e.at)

    involved: dict[str, set[str]] = {}
    for consultation in consultations:
        involved.setdefault(consultation.organization.name, set()).add(_("相談受付"))
    for referral in referrals:
        if referral.status == Status.DRAFT:
            continue
        involved.setdefault(referral.from_organization.name, set()).add(_("つなぐ元"))
        involved.setdefault(referral.to_organization.name, set()).add(_("つなぎ先"))
    return HouseholdView(
        household=household,
        basis=basis,
        members=[m for m in memberships if m.ended_on is None],
        former_members=[m for m in memberships if m.ended_on is not None],
        timeline=events,
        open_referrals=[r for r in referrals if r.status in OPEN and r.status != Status.DRAFT],
        organizations=sorted((name, sorted(roles)) for name, roles in involved.items()),
        shown={
            "consultation": [c.pk for c in consultations],
            "referral": [r.pk for r in referrals],
        },
    )
