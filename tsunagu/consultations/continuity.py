"""新規/継続 of a consultation, derived from the records where they allow.

The rule (one place; the reports count 新規相談受付 from its result):

A consultation is 継続 (continuing) when, at the **same organization**, its
household or one of its subjects (or a subject's present household) already has

- an earlier consultation (not archived) received within the last
  :data:`CONTINUING_WITHIN` (a year: support that went quiet for longer
  starts again as new, as the 自立相談支援 windows count it), or
- an open つなぐシート addressed to that organization and held by it
  (accepted or in progress), or
- an open 多機関協働 case held by that organization.

Otherwise it is 新規 (new); a consultation about an unknown subject is new
until it is linked to a household. The recording staff may set the mark by
hand; a mark set by hand is kept as it is when the records change."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q

from tsunagu.consultations.models import Consultation, Continuity

#: How long after the last consultation a new one still continues the support.
CONTINUING_WITHIN = datetime.timedelta(days=365)


def derive(consultation: Consultation, subject_ids: Iterable[int] = ()) -> str:
    """新規 or 継続 for ``consultation`` (saved or not) from the records."""
    from tsunagu.cases.models import OPEN_STAGES, Case
    from tsunagu.people.models import HouseholdMembership
    from tsunagu.referrals.models import OPEN, RECEIVER_HOLDS, Referral

    subject_ids = list(subject_ids)
    households: set[int] = set()
    if consultation.household_id is not None:
        households.add(consultation.household_id)
    if subject_ids:
        # A subject's present household stands for them: a consultation about
        # the household earlier is about them too.
        households |= set(
            HouseholdMembership.objects.filter(
                person_id__in=subject_ids, ended_on__isnull=True
            ).values_list("household_id", flat=True)
        )
    if not households and not subject_ids:
        return Continuity.NEW
    about = Q(household_id__in=households)
    if subject_ids:
        about |= Q(subjects__in=subject_ids)
    received_at = consultation.received_at
    earlier = (
        Consultation.objects.filter(
            about,
            organization_id=consultation.organization_id,
            archived_at=None,
            received_at__lte=received_at,
            received_at__gte=received_at - CONTINUING_WITHIN,
        )
        .exclude(pk=consultation.pk)
        .exists()
    )
    if earlier:
        return Continuity.CONTINUING
    if households:
        if Referral.objects.filter(
            household_id__in=households,
            to_organization_id=consultation.organization_id,
            status__in=RECEIVER_HOLDS & OPEN,
            archived_at=None,
        ).exists():
            return Continuity.CONTINUING
        if Case.objects.filter(
            household_id__in=households,
            organization_id=consultation.organization_id,
            stage__in=OPEN_STAGES,
        ).exists():
            return Continuity.CONTINUING
    return Continuity.NEW
