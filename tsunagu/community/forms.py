"""Forms of 地域づくり: the index's district filter, a community place, a
project with its stage changes and support notes, and a regional issue with
the steps that carry it. Each form gives the service its spec; the service
says what is wrong in Japanese and the form shows it where it belongs."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tsunagu.community import services
from tsunagu.community.models import (
    CommunityPlace,
    CommunityProject,
    IssueSource,
    IssueStatus,
    PlaceFunction,
    ProjectStage,
    RegionalIssue,
    Succession,
)
from tsunagu.consultations.models import LifeIssue
from tsunagu.core.forms import WarekiDateField
from tsunagu.core.forms_base import StyledForm
from tsunagu.core.wareki import format_wareki

NO_NAMES = _("個人が特定できる内容（氏名・住所など）は書かないでください。")


class DistrictFilterForm(StyledForm):
    """The index's filter (read from the query string; an unknown district is ignored)."""

    district: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("地区（圏域）"), queryset=None, required=False
    )

    def __init__(self, *args: Any, districts: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        self.fields["district"].empty_label = _("すべての地区")  # type: ignore[attr-defined]

    def district_id(self) -> int | None:
        if not self.is_bound or not self.is_valid():
            return None
        district = self.cleaned_data.get("district")
        return district.pk if district is not None else None


class _VersionedForm(StyledForm):
    """A form that edits a saved record names the version it was shown."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["version"]


class PlaceForm(_VersionedForm):
    resource: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("社会資源"),
        queryset=None,
        help_text=_("社会資源の一覧に登録されている居場所・活動から選びます"),
    )
    operator = forms.CharField(
        label=_("運営者"),
        max_length=120,
        help_text=_("団体名で書きます。例: 町会有志、NPO法人〇〇（個人名は書かない）"),
    )
    district: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("地区（圏域）"), queryset=None
    )
    opening_frequency = forms.CharField(
        label=_("開催頻度"), max_length=60, help_text=_("例: 週2回、毎月第2火曜日、平日毎日")
    )
    functions = forms.MultipleChoiceField(
        label=_("機能"),
        choices=PlaceFunction.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("あてはまるものをすべて選びます"),
    )
    year_started = forms.IntegerField(
        label=_("開始年"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("西暦で入力します（例: 2008）。10年を超えると継承の支援が必要になります"),
    )
    succession = forms.ChoiceField(label=_("継承の状況"), choices=Succession.choices)
    succession_note = forms.CharField(
        label=_("継承についてのメモ"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_lazy(
            "{}{}", _("例: 立ち上げからの世話人が高齢になり、次の担い手を探している。"), NO_NAMES
        ),
    )
    supporting_organization: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("支援している機関"), queryset=None, required=False
    )

    def __init__(
        self,
        *args: Any,
        resources: QuerySet[Any] | None,
        districts: QuerySet[Any],
        organizations: QuerySet[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, editing=resources is None, **kwargs)
        if resources is None:
            del self.fields["resource"]
        else:
            self.fields["resource"].queryset = resources  # type: ignore[attr-defined]
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        self.fields["supporting_organization"].queryset = organizations  # type: ignore[attr-defined]

    def clean_year_started(self) -> int | None:
        year = self.cleaned_data.get("year_started")
        this_year = timezone.localdate().year
        if year is not None and not services.FIRST_YEAR <= year <= this_year:
            raise forms.ValidationError(
                _("開始年は%(first)s年から%(year)s年までの西暦で入力してください。")
                % {"first": services.FIRST_YEAR, "year": this_year}
            )
        return year

    def spec(self) -> services.PlaceSpec:
        data = self.cleaned_data
        return services.PlaceSpec(
            operator=data["operator"],
            district=data["district"],
            opening_frequency=data["opening_frequency"],
            functions=data["functions"],
            year_started=data.get("year_started"),
            succession=data["succession"],
            succession_note=data.get("succession_note") or "",
            supporting_organization=data.get("supporting_organization"),
        )


def place_initial(place: CommunityPlace) -> dict[str, Any]:
    return {
        "operator": place.operator,
        "district": place.district,
        "opening_frequency": place.opening_frequency,
        "functions": list(place.functions),
        "year_started": place.year_started,
        "succession": place.succession,
        "succession_note": place.succession_note,
        "supporting_organization": place.supporting_organization,
        "version": place.version,
    }


class ProjectForm(_VersionedForm):
    title = forms.CharField(
        label=_("プロジェクト名"), max_length=120, help_text=_("例: 坂の上の買い物支援")
    )
    district: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("地区（圏域）"), queryset=None
    )
    organization: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("支援する機関"), queryset=None
    )
    purpose = forms.CharField(
        label=_("目的・きっかけ"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_lazy("{}{}", _("地域で見えてきたこと、住民の声など。"), NO_NAMES),
    )
    members = forms.CharField(
        label=_("担い手"),
        max_length=200,
        required=False,
        help_text=_("例: 町会、PTA有志、民生委員（個人名は書かない）"),
    )
    place: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("活動する居場所・拠点"), queryset=None, required=False
    )
    regional_issue: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("取り組む地域課題"), queryset=None, required=False
    )
    next_action = forms.CharField(label=_("次にすること"), max_length=200, required=False)
    next_action_on = WarekiDateField(label=_("次にすることの期日"), required=False)
    started_on = WarekiDateField(
        label=_("構想を始めた日"), required=False, help_text=_("空欄なら今日になります")
    )
    support = forms.CharField(
        label=_("最初の支援の内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例: 町会長と民生委員から話を聞いた（任意）"),
    )

    def __init__(
        self,
        *args: Any,
        editing: bool,
        districts: QuerySet[Any],
        organizations: QuerySet[Any],
        places: QuerySet[Any],
        issues: QuerySet[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, editing=editing, **kwargs)
        if editing:
            del self.fields["started_on"]
            del self.fields["support"]
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["place"].queryset = places  # type: ignore[attr-defined]
        self.fields["regional_issue"].queryset = issues  # type: ignore[attr-defined]

    def spec(self) -> services.ProjectSpec:
        data = self.cleaned_data
        return services.ProjectSpec(
            title=data["title"],
            district=data["district"],
            organization=data["organization"],
            purpose=data["purpose"],
            members=data.get("members") or "",
            place=data.get("place"),
            regional_issue=data.get("regional_issue"),
            next_action=data.get("next_action") or "",
            next_action_on=data.get("next_action_on"),
        )


def project_initial(project: CommunityProject) -> dict[str, Any]:
    return {
        "title": project.title,
        "district": project.district,
        "organization": project.organization,
        "purpose": project.purpose,
        "members": project.members,
        "place": project.place,
        "regional_issue": project.regional_issue,
        "next_action": project.next_action,
        "next_action_on": project.next_action_on,
        "version": project.version,
    }


class TransitionForm(StyledForm):
    to_stage = forms.ChoiceField(label=_("次の段階"), widget=forms.RadioSelect)
    happened_on = WarekiDateField(label=_("日付"), required=False, help_text=_("空欄なら今日"))
    support = forms.CharField(
        label=_("この段階での支援の内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例: 会場の確保を手伝い、助成金の申請書を一緒に作った"),
    )
    reason = forms.CharField(
        label=_("理由"),
        max_length=200,
        required=False,
        help_text=_("構想に戻す・終了するときは必要です"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, stages: list[tuple[ProjectStage, bool]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = [  # type: ignore[attr-defined]
            (stage.value, f"{stage.label}{_('（理由が必要）') if needs else ''}")
            for stage, needs in stages
        ]


class NoteForm(StyledForm):
    happened_on = WarekiDateField(label=_("日付"), required=False, help_text=_("空欄なら今日"))
    support = forms.CharField(
        label=_("支援の内容"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_lazy(
            "{}{}", _("例: 担い手の会議に出て、会計の引き継ぎ方を一緒に考えた。"), NO_NAMES
        ),
    )


class IssueForm(_VersionedForm):
    title = forms.CharField(
        label=_("課題"), max_length=120, help_text=_("例: 坂の上の高齢者が買い物に行けない")
    )
    description = forms.CharField(
        label=_("内容"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=format_lazy("{}{}", _("複数の事例や地域から見えてきたこと。"), NO_NAMES),
    )
    district: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("地区（圏域）"), queryset=None, required=False
    )
    life_issues = forms.MultipleChoiceField(
        label=_("地域生活課題"),
        choices=LifeIssue.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    source = forms.ChoiceField(label=_("提起の経路"), choices=[("", ""), *IssueSource.choices])
    source_case: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("提起したケース"),
        queryset=None,
        required=False,
        help_text=_("「個別ケースから」のとき。閲覧できるケースだけが選べます"),
    )
    source_meeting: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("提起した会議"),
        queryset=None,
        required=False,
        help_text=_("「会議から」「地域支援会議から」のとき。閲覧できる会議だけが選べます"),
    )
    raised_on = WarekiDateField(label=_("提起日"))
    organization: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("担当機関"), queryset=None
    )
    outcome = forms.CharField(
        label=_("結果・つながった資源や施策"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        issue: RegionalIssue | None,
        districts: QuerySet[Any],
        organizations: QuerySet[Any],
        cases: QuerySet[Any],
        meetings: QuerySet[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, editing=issue is not None, **kwargs)
        self.issue = issue
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        self.fields["district"].empty_label = _("区全体")  # type: ignore[attr-defined]
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["source_case"].queryset = cases  # type: ignore[attr-defined]
        self.fields["source_case"].label_from_instance = _case_label  # type: ignore[attr-defined]
        self.fields["source_meeting"].queryset = meetings  # type: ignore[attr-defined]
        self.fields["source_meeting"].label_from_instance = _meeting_label  # type: ignore[attr-defined]
        # A case or meeting already named that this user may not see stays as it
        # is, unnamed: it is neither offered (its name would show) nor dropped.
        self.case_kept = False
        self.meeting_kept = False
        if (
            issue is not None
            and issue.source_case_id is not None
            and not cases.filter(pk=issue.source_case_id).exists()
        ):
            del self.fields["source_case"]
            self.case_kept = True
        if (
            issue is not None
            and issue.source_meeting_id is not None
            and not meetings.filter(pk=issue.source_meeting_id).exists()
        ):
            del self.fields["source_meeting"]
            self.meeting_kept = True

    def spec(self) -> services.IssueSpec:
        data = self.cleaned_data
        source = data["source"]
        case = data.get("source_case")
        meeting = data.get("source_meeting")
        if self.case_kept and self.issue is not None:
            case = self.issue.source_case if source == IssueSource.CASE else None
        if self.meeting_kept and self.issue is not None:
            meeting = self.issue.source_meeting if source in services.MEETING_SOURCES else None
        return services.IssueSpec(
            title=data["title"],
            description=data["description"],
            source=source,
            raised_on=data["raised_on"],
            organization=data["organization"],
            district=data.get("district"),
            life_issues=data.get("life_issues") or [],
            source_case=case,
            source_meeting=meeting,
            outcome=data.get("outcome") or "",
        )


def _case_label(case: Any) -> str:
    return f"{case.number} {case.title}"


def _meeting_label(meeting: Any) -> str:
    return f"{format_wareki(meeting.held_on)} {meeting.title}"


def issue_initial(issue: RegionalIssue) -> dict[str, Any]:
    return {
        "title": issue.title,
        "description": issue.description,
        "district": issue.district,
        "life_issues": list(issue.life_issues),
        "source": issue.source,
        "source_case": issue.source_case,
        "source_meeting": issue.source_meeting,
        "raised_on": issue.raised_on,
        "organization": issue.organization,
        "outcome": issue.outcome,
        "version": issue.version,
    }


class AdvanceForm(StyledForm):
    to_status = forms.ChoiceField(label=_("次の状況"), widget=forms.RadioSelect)
    happened_on = WarekiDateField(label=_("日付"), required=False, help_text=_("空欄なら今日"))
    note = forms.CharField(
        label=_("経過"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("何をして、どうなったか。例: 地域ケア会議で報告し、区に施策化を提案した"),
    )
    outcome = forms.CharField(
        label=_("結果・つながった資源や施策"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("書き換えるときだけ入力します"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in IssueStatus.choices if value != current
        ]


# --- A conflict: what is saved now, where it differs from the input ------------------------


def _shown(field: forms.Field, value: Any) -> str:
    """A saved value as a person reads it."""
    if value in (None, "", []):
        return str(_("（空欄）"))
    if isinstance(field, forms.ModelChoiceField):
        return str(value)
    if isinstance(field, forms.MultipleChoiceField):
        labels = dict(field.choices)  # type: ignore[arg-type]
        return "、".join(str(labels.get(code, code)) for code in value)
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))  # type: ignore[arg-type]
    if isinstance(field, forms.DateField) and isinstance(value, datetime.date):
        return format_wareki(value)
    return str(value)


def _comparable(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, list | tuple):
        return sorted(str(v) for v in value)
    if isinstance(value, str):
        return value.strip()
    if value == "":
        return None
    return value


def differences(form: forms.Form, saved: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, saved value) of each field whose input differs from what is saved now."""
    found = []
    data = getattr(form, "cleaned_data", {})
    for name, field in form.fields.items():
        if name == "version" or name not in saved or name not in data:
            continue
        entered, current = data[name], saved[name]
        if _comparable(entered or None) != _comparable(current or None):
            found.append((str(field.label), _shown(field, current)))
    return found
