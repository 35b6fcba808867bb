"""The rule of 支援経過記録 (``progress_note``; the permission matrix of
``tests/test_policy_progress.py``): an organization's record about a
household, as outreach contacts are (:class:`OrganizationRecordRule`)."""

from __future__ import annotations

from typing import Any

from django.db import models

from tsunagu.accounts.models import Staff
from tsunagu.policy.rules.outreach import OrganizationRecordRule
from tsunagu.progress.models import ProgressNote, ProgressNoteParticipant


class ProgressNoteRule(OrganizationRecordRule):
    """A note is its writing organization's record; the organizations its
    participating staff took part for read it as their own too. Written for a
    case, it is part of the case's record (the coordinating section, a
    consent's organizations); an emergency opening shows it, read-only. Only
    the writing organization corrects it."""

    resource = "progress_note"
    own_field = "organization"

    def model(self) -> type[models.Model]:
        return ProgressNote

    def _own(self, staff: Staff, orgs: frozenset[int], objects: list[Any]) -> set[int]:
        own = super()._own(staff, orgs, objects)
        own |= set(
            ProgressNoteParticipant.objects.filter(
                note_id__in=[obj.pk for obj in objects], organization_id__in=orgs
            ).values_list("note_id", flat=True)
        )
        return own

    def _own_condition(self, orgs: frozenset[int]) -> models.Q:
        return super()._own_condition(orgs) | models.Q(
            pk__in=ProgressNoteParticipant.objects.filter(organization_id__in=orgs).values(
                "note_id"
            )
        )
