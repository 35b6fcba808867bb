"""Forms of the support plan (プランシート) and its monitoring.

The plan form is made of parts: the plan itself (period, the household's goal,
check items), one part per household member (本人の思い, 課題, goals) and rows
of support items. The view assembles them into the services' parts; the
rules (consent, members covered, 変更点 on a re-plan) are the services'.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from tsunagu.cases.models import ClosureReason
from tsunagu.core.forms import WarekiDateField
from tsunagu.core.forms_base import StyledForm, StyledModelForm
from tsunagu.directory.models import Organization
from tsunagu.people.models import Person
from tsunagu.plans.models import Monitoring, PlanGoal, Progress, SupportKind, SupportPlan
from tsunagu.plans.services import period_problem

#: Empty support-item rows offered below the pre-filled ones.
EMPTY_ITEM_ROWS = 5

GOAL_MAX_LENGTH = PlanGoal._meta.get_field("text").max_length or 300


def _check_period(form: forms.BaseForm, start: str, end: str) -> None:
    """The service's rule (plans.services.period_problem), shown at the row's own field."""
    problem = period_problem(form.cleaned_data.get(start), form.cleaned_data.get(end))
    if problem:
        form.add_error(end, problem)


class PlanForm(StyledModelForm):
    """The plan as a whole: when, the household's goal, the national form's check items."""

    made_on = WarekiDateField(label=_("作成日"))
    starts_on = WarekiDateField(label=_("プラン期間（開始）"))
    ends_on = WarekiDateField(label=_("プラン期間（終了）"), required=False)
    next_monitoring_on = WarekiDateField(label=_("次回モニタリング予定日"))

    class Meta:
        model = SupportPlan
        fields = [
            "made_on",
            "starts_on",
            "ends_on",
            "next_monitoring_on",
            "overall_goal",
            "uses_participation",
            "uses_outreach",
            "changes",
        ]
        widgets = {
            "overall_goal": forms.Textarea(attrs={"rows": 3}),
            "changes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, replan: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if replan:
            self.fields["changes"].required = True
        else:
            del self.fields["changes"]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        _check_period(self, "starts_on", "ends_on")
        return cleaned


class MemberForm(StyledForm):
    """One household member's part: their wishes, the issues, their goals.

    A member the consent in force does not cover cannot be put in the plan:
    the fields are shown disabled (and Django ignores what is posted for them)."""

    include = forms.BooleanField(label=_("このプランに含める"), required=False)
    wishes = forms.CharField(
        label=_("本人の思い"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    issues = forms.CharField(
        label=_("課題"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    goals = forms.CharField(
        label=_("目標"),
        required=False,
        help_text=_("1行に1つずつ入力してください。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        person: Person,
        relationship: str,
        covered: bool,
        proposal: Any = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("prefix", f"member-{person.pk}")
        super().__init__(*args, **kwargs)
        self.person = person
        self.relationship = relationship
        self.covered = covered
        #: The 課題 the member's latest assessment proposes (assessments.selectors.Proposal).
        self.proposal = proposal
        if proposal is not None:
            self.fields["take_proposal"] = forms.BooleanField(
                label=_("アセスメントの課題を「課題」に取り込む"),
                required=False,
                help_text=_("チェックすると、上の課題の案が「課題」の先頭に入ります。"),
            )
            already = proposal.text in (self.initial.get("issues") or "")
            self.initial.setdefault("take_proposal", not already and not self.initial.get("issues"))
        if not covered:
            for field in self.fields.values():
                field.disabled = True
            self.initial["include"] = False

    def clean_goals(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data.get("goals", "").splitlines()]
        goals = [line for line in lines if line]
        if any(len(goal) > GOAL_MAX_LENGTH for goal in goals):
            raise forms.ValidationError(
                _("目標は1つにつき%(max)d文字以内で入力してください。") % {"max": GOAL_MAX_LENGTH}
            )
        return goals

    @property
    def issues_to_save(self) -> str:
        """The 課題 as saved: what was typed, with the assessment's proposal when taken in."""
        from tsunagu.assessments.services import with_proposal

        typed = self.cleaned_data.get("issues", "")
        if self.proposal is not None and self.cleaned_data.get("take_proposal"):
            return with_proposal(typed, self.proposal.text)
        return typed

    @property
    def included(self) -> bool:
        return self.covered and bool(self.cleaned_data.get("include"))


class ItemForm(StyledForm):
    """One support item: which organization does what, for whom, how often, when.

    A row whose content is left empty is not part of the plan (that is how a
    pre-filled row is removed on a re-plan)."""

    organization = forms.ModelChoiceField(
        label=_("担当機関"), queryset=Organization.objects.none(), required=False
    )
    person = forms.ChoiceField(label=_("対象の世帯員"), required=False)
    content = forms.CharField(label=_("支援内容"), max_length=300, required=False)
    kind = forms.ChoiceField(
        label=_("種別"), choices=[("", ""), *SupportKind.choices], required=False
    )
    frequency = forms.CharField(label=_("頻度"), max_length=60, required=False)
    starts_on = WarekiDateField(label=_("期間（開始）"), required=False)
    ends_on = WarekiDateField(label=_("期間（終了）"), required=False)

    def __init__(self, *args: Any, members: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            archived_at=None
        )
        self.fields["person"].choices = [  # type: ignore[attr-defined]
            ("", _("世帯全体")),
            *((str(person.pk), person.full_name) for person in members),
        ]
        self.members = {person.pk: person for person in members}

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not (cleaned.get("content") or "").strip():
            return cleaned
        if cleaned.get("organization") is None:
            self.add_error("organization", _("担当機関を選んでください。"))
        if not cleaned.get("kind"):
            self.add_error("kind", _("種別を選んでください。"))
        _check_period(self, "starts_on", "ends_on")
        return cleaned

    @property
    def filled(self) -> bool:
        return bool((self.cleaned_data.get("content") or "").strip())

    @property
    def target(self) -> Person | None:
        chosen = self.cleaned_data.get("person")
        return self.members.get(int(chosen)) if chosen else None


ItemFormSet = formset_factory(ItemForm, extra=EMPTY_ITEM_ROWS)


class MonitoringForm(StyledModelForm):
    """A review of the active plan: how things are, and the decision."""

    #: The plan's version when the form was shown (optimistic lock): a review
    #: recorded meanwhile by someone else refuses this one instead of being undone by it.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    held_on = WarekiDateField(label=_("実施日"))
    next_monitoring_on = WarekiDateField(
        label=_("次回モニタリング予定日"),
        required=False,
        help_text=_("「継続」のときは必須です。"),
    )
    closure_reason = forms.ChoiceField(
        label=_("終結理由"),
        choices=[("", ""), *ClosureReason.choices],
        required=False,
        help_text=_("「終結」のときは必須です。"),
    )
    evaluation = forms.CharField(
        label=_("評価（支援の振り返り）"),
        required=False,
        help_text=_("「終結」のときは必須です。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Monitoring
        fields = ["held_on", "summary", "decision", "next_monitoring_on"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "decision": forms.RadioSelect,
        }


class GoalProgressForm(StyledForm):
    """Progress of one goal at this monitoring."""

    progress = forms.ChoiceField(
        label=_("進捗"), choices=Progress.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("様子"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, goal: PlanGoal, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"goal-{goal.pk}")
        super().__init__(*args, **kwargs)
        self.goal = goal
