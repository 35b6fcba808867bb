"""インテーク・アセスメント: one organization's assessment of a person (本人),
on the national basic sheet and the supplements it chose, recorded on its
own or as part of a 多機関協働 case.

Each save is a new version (第n版) of the organization's assessment of the
person; the earlier versions stay as they were, readable. The check boxes
are the codes of :mod:`tsunagu.assessments.catalogue`, stored as a list, so
the form, the print, the API and the plan read one catalogue.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.assessments import catalogue
from tsunagu.core.fields import FreeTextField
from tsunagu.core.models import TrackedModel


class Assessment(TrackedModel):
    """One version of an organization's assessment of a person."""

    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("世帯"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("本人"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("多機関協働ケース"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        help_text=_("ケースの支援として行った場合、その記録はケースの記録にもなります"),
    )
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("実施した機関"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    version_number = models.PositiveSmallIntegerField(_("版"), default=1, editable=False)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("前の版"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="next_version",
    )
    assessed_on = models.DateField(_("実施日"), default=timezone.localdate)
    background = FreeTextField(_("相談に至る経緯"), blank=True)
    #: Codes of the catalogue's items ticked, in the sheet's order.
    ticked = models.JSONField(_("該当する項目"), default=list, blank=True)
    #: Section code → its note.
    notes = models.JSONField(_("特記事項"), default=dict, blank=True)
    #: Codes of the supplements (補助シート) used in this version.
    supplements = models.JSONField(_("補助シート"), default=list, blank=True)
    person_issues = FreeTextField(_("本人の課題"), blank=True)
    household_issues = FreeTextField(_("世帯の課題"), blank=True)
    wishes = FreeTextField(_("本人の意向"), blank=True)

    class Meta(TrackedModel.Meta):
        verbose_name = _("インテーク・アセスメント")
        verbose_name_plural = _("インテーク・アセスメント")
        ordering = ["person", "organization", "-version_number"]
        # No unique version number per person: a merge of two person records
        # brings two series together, and keeps both. ``previous`` (one next
        # version each) and the service's lock on the person keep a series
        # from forking.
        indexes = [
            models.Index(fields=["household", "assessed_on"], name="assessment_household"),
            models.Index(
                fields=["organization", "person", "version_number"], name="assessment_series"
            ),
        ]

    def __str__(self) -> str:
        return str(_("アセスメント 第%(n)d版") % {"n": self.version_number})

    @property
    def ticked_set(self) -> frozenset[str]:
        return frozenset(self.ticked)

    def note(self, section: str) -> str:
        value: Any = (self.notes or {}).get(section, "")
        return value if isinstance(value, str) else ""

    def issues(self) -> list[tuple[catalogue.Section, list[catalogue.Item]]]:
        """The ticked items that are 課題, by section."""
        return catalogue.issue_labels(self.ticked)
