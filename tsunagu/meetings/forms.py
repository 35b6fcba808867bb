"""Forms of the meeting pages: scheduling a sitting, its attendees and guests,
the agenda with briefs and decisions, holding or cancelling it, the minutes,
the post-meeting questionnaire and marking a task done.

Forms only shape input; every rule (who may host, consent for a
重層的支援会議, pledges) is the services' (:mod:`tsunagu.meetings.services`).
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.accounts.models import Membership
from tsunagu.accounts.roles import Role
from tsunagu.cases.models import Case
from tsunagu.core.forms import WarekiDateField
from tsunagu.core.forms_base import EMPTY_CHOICE, StyledForm, StyledModelForm
from tsunagu.directory.models import Organization
from tsunagu.meetings.models import (
    CASE_KINDS,
    AgendaItem,
    Kind,
    Meeting,
    MeetingPart,
    QuestionnaireAnswer,
)

#: How many task rows the decisions form offers at once.
ACTION_ROWS = 3


def _time_field(label: Any, required: bool = False) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


def _active_organizations() -> QuerySet[Organization]:
    return Organization.objects.filter(archived_at=None).order_by("sort_order", "pk")


class MeetingForm(StyledModelForm):
    """A sitting: title (no personal names), host, date, time, place, kinds in order."""

    organization = forms.ModelChoiceField(
        label=_("主催機関"), queryset=Organization.objects.none(), empty_label=None
    )
    held_on = WarekiDateField(label=_("開催日"))
    starts_at = _time_field(_("開始時刻"))
    ends_at = _time_field(_("終了時刻"))
    kinds = forms.MultipleChoiceField(
        label=_("会議の種類"),
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "一つの会議で複数の種類を続けて開くときは、すべてチェックしてください"
            "（この並びの順に開きます）。"
        ),
    )

    class Meta:
        model = Meeting
        fields = ["title", "held_on", "starts_at", "ends_at", "place"]

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in organizations]
        ).order_by("sort_order", "pk")
        if organizations:
            field.initial = organizations[0].pk
        if len(organizations) == 1:
            field.widget = forms.HiddenInput()
        # The order of the form's fields: host first.
        self.order_fields(["organization", "title", "held_on", "starts_at", "ends_at", "place"])

    def clean_kinds(self) -> list[str]:
        kinds: list[str] = self.cleaned_data["kinds"]
        # In the order of Kind (the order the parts are held in), without repeats.
        order = [value for value, _label in Kind.choices]
        return sorted(dict.fromkeys(kinds), key=order.index)


def _membership_label(membership: Membership) -> str:
    return f"{membership.organization.name}　{membership.staff.full_name}"


class AttendeeForm(StyledForm):
    """A staff member with an account (organization and person in one select),
    or a named person of an organization without an account."""

    member = forms.ChoiceField(label=_("職員（所属・氏名）"), required=False)
    organization = forms.ModelChoiceField(
        label=_("アカウントのない方の所属機関"),
        queryset=Organization.objects.none(),
        required=False,
    )
    name = forms.CharField(label=_("アカウントのない方の氏名"), max_length=60, required=False)
    is_observer = forms.BooleanField(label=_("オブザーバー参加"), required=False)

    def __init__(self, *args: Any, exclude_staff: set[int] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "attendee")
        super().__init__(*args, **kwargs)
        memberships = (
            Membership.objects.filter(
                active=True,
                staff__is_active=True,
                staff__is_guest=False,
                organization__archived_at=None,
            )
            # Guests are invited with their own form; administrators and auditors
            # hold no casework and take no part in case meetings.
            .exclude(role__in=[Role.GUEST, Role.SYSADMIN, Role.AUDITOR])
            .exclude(staff_id__in=exclude_staff or set())
            .select_related("organization", "staff")
            .order_by("organization__sort_order", "organization_id", "staff__full_name_kana")
        )
        seen: set[str] = set()
        choices: list[tuple[str, str]] = [("", EMPTY_CHOICE)]
        self._memberships: dict[str, Membership] = {}
        for membership in memberships:
            key = f"{membership.organization_id}-{membership.staff_id}"
            if key in seen:
                continue
            seen.add(key)
            self._memberships[key] = membership
            choices.append((key, _membership_label(membership)))
        self.fields["member"].choices = choices  # type: ignore[attr-defined]
        self.fields["organization"].queryset = _active_organizations()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        member = data.get("member")
        if member:
            membership = self._memberships.get(member)
            if membership is None:
                self.add_error("member", _("選んだ職員が見つかりません。"))
            else:
                data["staff"] = membership.staff
                data["organization"] = membership.organization
        elif not data.get("organization") or not (data.get("name") or "").strip():
            raise forms.ValidationError(
                _("職員を選ぶか、アカウントのない方の所属機関と氏名を入力してください。")
            )
        else:
            data["staff"] = None
        return data


class GuestForm(StyledForm):
    """An external guest (警察・学校・消防・町会 …) with a time-limited account."""

    organization = forms.ModelChoiceField(
        label=_("所属（外部の関係機関）"), queryset=Organization.objects.none()
    )
    name = forms.CharField(label=_("ゲストの氏名"), max_length=60)
    is_observer = forms.BooleanField(label=_("オブザーバー参加"), required=False)
    expires_on = WarekiDateField(label=_("アカウントの有効期限（日）"))
    expires_time = _time_field(_("アカウントの有効期限（時刻）"), required=True)

    def __init__(self, *args: Any, default_expiry: datetime.datetime, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "guest")
        local = timezone.localtime(default_expiry)
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("expires_on", local.date())
        kwargs["initial"].setdefault("expires_time", local.time().replace(second=0, microsecond=0))
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _active_organizations().filter(  # type: ignore[attr-defined]
            kind=Organization.Kind.EXTERNAL
        )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        day, time = data.get("expires_on"), data.get("expires_time")
        if day and time:
            data["expires_at"] = timezone.make_aware(datetime.datetime.combine(day, time))
        return data


class AgendaForm(StyledForm):
    """Put one of the host's open cases on a part's agenda."""

    kind = forms.ChoiceField(label=_("検討する部"))
    case = forms.ModelChoiceField(label=_("ケース"), queryset=Case.objects.none())
    review = forms.ChoiceField(
        label=_("検討区分"),
        choices=AgendaItem.Review.choices,
        widget=forms.RadioSelect,
        initial=AgendaItem.Review.NEW,
    )

    def __init__(
        self, *args: Any, parts: list[MeetingPart], cases: QuerySet[Case], **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "agenda")
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            (part.kind, part.get_kind_display()) for part in parts if part.kind in CASE_KINDS
        ]
        self.fields["case"].queryset = cases  # type: ignore[attr-defined]
        self.fields["case"].label_from_instance = lambda case: f"{case.number} {case.title}"  # type: ignore[attr-defined]


class BriefForm(StyledModelForm):
    """The 準備シート: the four prompts, pre-filled when the case was put on the agenda."""

    class Meta:
        model = AgendaItem
        fields = ["brief_household", "brief_current", "brief_organizations", "brief_requests"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}


class DecisionsForm(StyledForm):
    """What the meeting decided for one case, with up to three tasks."""

    policy = forms.CharField(label=_("支援方針"), widget=forms.Textarea(attrs={"rows": 3}))
    roles = forms.CharField(
        label=_("役割分担"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lead_organization = forms.ModelChoiceField(
        label=_("主担当機関"), queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organizations = _active_organizations().exclude(kind=Organization.Kind.EXTERNAL)
        self.fields["lead_organization"].queryset = organizations  # type: ignore[attr-defined]
        for row in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{row}_owner"] = forms.ModelChoiceField(
                label=_("タスク%(row)s の担当機関") % {"row": row},
                queryset=_active_organizations(),
                required=False,
            )
            self.fields[f"action_{row}_content"] = forms.CharField(
                label=_("タスク%(row)s の内容") % {"row": row}, max_length=300, required=False
            )
            self.fields[f"action_{row}_due_on"] = WarekiDateField(
                label=_("タスク%(row)s の期限") % {"row": row}, required=False
            )
            # Added after the base class gave the selects their Japanese blank choice.
            self.fields[f"action_{row}_owner"].empty_label = EMPTY_CHOICE  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        actions = []
        for row in range(1, ACTION_ROWS + 1):
            owner = data.get(f"action_{row}_owner")
            content = (data.get(f"action_{row}_content") or "").strip()
            due_on = data.get(f"action_{row}_due_on")
            if not (owner or content or due_on):
                continue
            if not content:
                self.add_error(f"action_{row}_content", _("タスクの内容を入力してください。"))
            if owner is None:
                self.add_error(f"action_{row}_owner", _("タスクの担当機関を選んでください。"))
            if due_on is None:
                self.add_error(f"action_{row}_due_on", _("タスクの期限を入力してください。"))
            if content and owner is not None and due_on is not None:
                actions.append((owner, content, due_on))
        data["actions"] = actions
        return data

    def action_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"action_{row}_{name}"] for name in ("owner", "content", "due_on")]
            for row in range(1, ACTION_ROWS + 1)
        ]


class CancelForm(StyledForm):
    reason = forms.CharField(label=_("中止の理由"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "cancel")
        super().__init__(*args, **kwargs)


class MinutesForm(StyledForm):
    minutes = forms.CharField(
        label=_("議事録"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "minutes")
        super().__init__(*args, **kwargs)


class QuestionnaireForm(StyledModelForm):
    class Meta:
        model = QuestionnaireAnswer
        fields = ["usefulness", "roles_clear", "comment"]
        widgets = {
            "usefulness": forms.RadioSelect,
            "comment": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "questionnaire")
        super().__init__(*args, **kwargs)


class ActionDoneForm(StyledForm):
    result = forms.CharField(
        label=_("結果"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
