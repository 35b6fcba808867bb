"""The rule for 家族の出来事 (the permission matrix of
``tests/test_policy_lifeevents.py``).

A life event is personal data an organization recorded about a household:
it follows the rule of the organizations' records (:class:`OrganizationRecordRule`)
— its own organization sees and keeps it; the coordinating section holding
a case of the household and the organizations a consent in force covers
read it; an emergency opening shows it — and only the recorder changes or
archives it. A 支援会議 does not reach it on the household page: its pledged
attendees see it in the chronology printed for the meeting
(:func:`tsunagu.policy.meeting_chronology_basis`)."""

from __future__ import annotations

from django.db import models

from tsunagu.lifeevents.models import LifeEvent
from tsunagu.policy.rules.outreach import OrganizationRecordRule


class LifeEventRule(OrganizationRecordRule):
    """A life event follows the cases of its household (it has no case of its own)."""

    resource = "life_event"
    own_field = "organization"
    case_path = ""

    def model(self) -> type[models.Model]:
        return LifeEvent
