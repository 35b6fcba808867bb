"""Forms of the referral loop."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.core.forms import WarekiDateField
from tsunagu.core.forms_base import StyledForm, StyledModelForm
from tsunagu.directory.models import Organization
from tsunagu.people.models import Person
from tsunagu.referrals.models import Reason, Referral, SharedItem

DEFAULT_DAYS_TO_ANSWER = 7


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
        widgets = {
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
