"""The ways organizations have to residents' records, as rows (relation tuples).

In the manner of Google's Zanzibar (SpiceDB, OpenFGA): each row says that an
organization (or, for an emergency opening, one staff member) has a way to a
household, a case or a person, under which basis, because of which record,
from when and until when. The policy's visible sets and bases are indexed
joins on this table (``tsunagu.policy``); the records stay the truth, and
``tsunagu.policy.ways`` works the rows out from them.

The services that open or end a way (a consent given or withdrawn, a
つなぐシート sent, accepted, rejected or cancelled, a case opened or closed, a
team joined or left, a pledge made …) rewrite the rows of the households and
persons they touch in their own transaction (``services.refresh``), so a
withdrawal ends access at once. Time-bounded ways carry their end in the row
(a consent's period, the 8-hour break-glass) and are read with the time of
the request. ``manage.py check_grants`` recomputes every row from the records
and must find no difference.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.core.models import TenantModel


class Subject(models.TextChoices):
    HOUSEHOLD = "household", _("世帯")
    CASE = "case", _("多機関協働のケース")
    PERSON = "person", _("本人")


class Grant(TenantModel):
    """One way in: ``organization`` (or ``staff``) → ``subject`` under ``basis``.

    ``household`` is set on every row that concerns a household — the
    household itself, a case's household, the household of the record that
    named a person — so that a service rewrites the rows of the households
    it touched; a person's row without a household (registered alone, named on
    a つなぐシート without one) is rewritten by person."""

    subject = models.CharField(max_length=10, choices=Subject.choices)
    organization = models.ForeignKey(
        "directory.Organization", null=True, on_delete=models.CASCADE, related_name="+"
    )
    #: A way one staff member holds alone (緊急時の閲覧).
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    household = models.ForeignKey(
        "people.Household", null=True, on_delete=models.CASCADE, related_name="grants"
    )
    case = models.ForeignKey("cases.Case", null=True, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        "people.Person", null=True, on_delete=models.CASCADE, related_name="grants"
    )
    basis = models.CharField(max_length=20)
    #: The record that opens the way: its model's label and id (the first such
    #: record where several of one kind do).
    source = models.CharField(max_length=60)
    source_id = models.BigIntegerField()
    valid_from = models.DateTimeField(null=True)
    valid_until = models.DateTimeField(null=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("閲覧の根拠")
        verbose_name_plural = _("閲覧の根拠")
        indexes = [
            # The visible sets: an organization's households, cases, persons.
            models.Index(
                fields=["organization", "subject", "household"], name="grant_org_household"
            ),
            models.Index(fields=["organization", "subject", "case"], name="grant_org_case"),
            # The bases of given objects. Case, person and staff are empty on
            # most rows: partial indexes, so that the planner's statistics
            # (SQLite counts empty values as one) do not make them look useless.
            models.Index(fields=["household", "subject", "organization"], name="grant_household"),
            models.Index(
                fields=["case", "organization"], name="grant_case", condition=Q(case__isnull=False)
            ),
            models.Index(
                fields=["person", "organization"],
                name="grant_person",
                condition=Q(person__isnull=False),
            ),
            models.Index(
                fields=["staff", "household"], name="grant_staff", condition=Q(staff__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        grantee = (
            f"organization {self.organization_id}"
            if self.organization_id
            else f"staff {self.staff_id}"
        )
        target = {"household": self.household_id, "case": self.case_id, "person": self.person_id}
        return f"{grantee} → {self.subject} {target[self.subject]} ({self.basis})"


def in_force(now: datetime.datetime | None = None) -> Q:
    """The rows that give a way at ``now`` (default: this moment)."""
    now = now or timezone.now()
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=now)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gt=now)
    )
