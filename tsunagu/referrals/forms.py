"""Forms of the referral loop."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.consultations.models import ConsentToShare
from tsunagu.core.forms import WarekiDateField
from tsunagu.core.forms_base import StyledForm, StyledModelForm
from tsunagu.directory.models import Organization
from tsunagu.people.models import Person
from tsunagu.referrals.models import Reason, Referral, SharedItem

DEFAULT_DAYS_TO_ANSWER = 7

#: 相談内容 that tell of the person's body and mind (心身の状況).
HEALTH_TOPICS = frozenset({"health", "care", "withdrawal", "abuse"})


def suggested_shared_items(
    *, consent: str, identified: bool, household_noted: bool, topics: Iterable[str]
) -> list[str]:
    """What a つなぐシート from a consultation shares unless the clerk says
    otherwise: nothing without the person's consent; with it, what the
    consultation recorded (its content always, the identity when the person is
    known, the household when its features were noted, the body and mind when
    a topic says so). 支援経過 is never assumed."""
    if consent != ConsentToShare.OBTAINED:
        return []
    items = [SharedItem.CONSULTATION]
    if identified:
        items.append(SharedItem.IDENTITY)
    if household_noted:
        items.append(SharedItem.HOUSEHOLD)
    if HEALTH_TOPICS & set(topics):
        items.append(SharedItem.HEALTH)
    return [value for value, _label in SharedItem.choices if value in items]


class DestinationGroup(models.TextChoices):
    """つなぐ先 grouped as a clerk thinks of them."""

    CITY = "city", _("庁内（直営）")
    CONTRACTED = "contracted", _("委託")
    EXTERNAL = "external", _("外部（警察・学校・町会など）")


def destination_group(organization: Organization) -> str:
    if organization.kind == Organization.Kind.EXTERNAL:
        return DestinationGroup.EXTERNAL
    if organization.management == Organization.Management.CONTRACTED:
        return DestinationGroup.CONTRACTED
    return DestinationGroup.CITY


class GroupedOrganizations(forms.models.ModelChoiceIterator):
    """The organizations as <optgroup>s: 庁内, 委託, 外部 (in that order)."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list[Any]] = {group: [] for group in DestinationGroup.values}
        for organization in self.queryset:
            groups[destination_group(organization)].append(self.choice(organization))
        for group, label in DestinationGroup.choices:
            if groups[group]:
                yield (label, groups[group])


class DestinationField(forms.ModelChoiceField):  # type: ignore[type-arg]
    iterator = GroupedOrganizations


class ReferralForm(StyledModelForm):
    due_on = WarekiDateField(label=_("回答期限"))
    shared_items = forms.MultipleChoiceField(
        label=_("共有する情報の種類"),
        choices=SharedItem.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    persons = forms.ModelMultipleChoiceField(
        label=_("対象者"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Referral
        fields = ["to_organization", "request", "shared_summary", "sharing_basis", "due_on"]
        field_classes = {"to_organization": DestinationField}
        widgets = {
            "to_organization": forms.Select(attrs={"class": "js-filterable"}),
            "request": forms.Textarea(attrs={"rows": 3}),
            "shared_summary": forms.Textarea(attrs={"rows": 5}),
            "sharing_basis": forms.RadioSelect,
        }

    def __init__(
        self,
        *args: Any,
        sender: Organization,
        persons: list[Person],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault(
            "due_on", timezone.localdate() + timedelta(days=DEFAULT_DAYS_TO_ANSWER)
        )
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            archived_at=None
        ).exclude(pk=sender.pk)
        self.fields["to_organization"].widget.attrs.update(
            {
                "data-filter-label": _("つなぎ先を名前で絞り込む"),
                "data-filter-count": _("{count}件が該当します。"),
            }
        )
        if persons:
            self.fields["persons"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
                pk__in=[p.pk for p in persons]
            )
        else:
            del self.fields["persons"]


class TransitionForm(StyledForm):
    to_status = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("理由"), choices=[("", ""), *Reason.choices], required=False)
    note = forms.CharField(
        label=_("コメント・つなぐ元への報告"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
