"""Forms of the resource directory: the list's filters, a resource with up to
a few schedules and its place, a provider, and archiving with a reason.

Schedules are entered as a clerk says them (毎月・第2・火曜日, 10:00〜12:00)
and turned here into the RFC 5545 rule the directory keeps (``MONTHLY`` +
``2TU``)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tsunagu.core.forms import WarekiDateField
from tsunagu.core.forms_base import StyledForm, StyledModelForm
from tsunagu.resources import selectors
from tsunagu.resources.models import (
    WEEKDAY_LABELS,
    WEEKDAYS,
    Category,
    Ease,
    Frequency,
    Need,
    Provider,
    Resource,
    Schedule,
    Status,
)
from tsunagu.resources.services import LocationSpec, ScheduleSpec, byday_parts

#: How many schedule rows the page offers (more are kept when a resource already has more).
SCHEDULE_SLOTS = 3

WEEKDAY_CHOICES = [(code, WEEKDAY_LABELS[code]) for code in WEEKDAYS]
ORDINAL_CHOICES = [
    ("1", _("第1")),
    ("2", _("第2")),
    ("3", _("第3")),
    ("4", _("第4")),
    ("-1", _("最終")),
]
_ORDINALS = [value for value, _label in ORDINAL_CHOICES]
_TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
_WORD_SEPARATORS = re.compile(r"[,、，､;；\n]+")


def split_words(text: str) -> list[str]:
    """「コーヒー、料理, 農作業」 → ["コーヒー", "料理", "農作業"] (duplicates dropped)."""
    words: list[str] = []
    for raw in _WORD_SEPARATORS.split(text or ""):
        word = raw.strip()
        if word and word not in words:
            words.append(word)
    return words


#: The list's status filter: active only by default.
STATUS_FILTERS = [
    (selectors.STATUS_ACTIVE, _("活動中のみ")),
    (selectors.STATUS_ANY, _("すべての状態")),
    *[(value, label) for value, label in Status.choices if value != Status.ACTIVE],
    (selectors.STATUS_ARCHIVED, _("アーカイブ済み")),
]


class ResourceFilterForm(StyledForm):
    """The list's filters, read from the query string (every field optional)."""

    q = forms.CharField(
        label=_("キーワード"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_(
            "名称・運営団体・概要・内容・関心のキーワードから探します"
            "（カタカナとひらがなは区別しません）"
        ),
    )
    category = forms.ChoiceField(
        label=_("分類"), required=False, choices=[("", _("すべて")), *Category.choices]
    )
    district: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("日常生活圏域"), required=False, queryset=None, empty_label=_("すべて")
    )
    weekday = forms.ChoiceField(
        label=_("開催曜日"),
        required=False,
        choices=[("", _("すべて")), *[(c, f"{label}曜日") for c, label in WEEKDAY_CHOICES]],
    )
    ease = forms.MultipleChoiceField(
        label=_("参加のしやすさ"),
        required=False,
        choices=Ease.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(label=_("状態"), required=False, choices=STATUS_FILTERS)
    place = forms.BooleanField(label=_("居場所・拠点のみ"), required=False)
    #: From the providers' list: that provider's resources.
    provider = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, districts: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        # The empty choice reads すべて here, not 選択してください.
        self.fields["category"].choices = [("", _("すべて")), *Category.choices]  # type: ignore[attr-defined]
        self.fields["weekday"].choices = [  # type: ignore[attr-defined]
            ("", _("すべて")),
            *[(c, f"{label}曜日") for c, label in WEEKDAY_CHOICES],
        ]
        self.fields["district"].empty_label = _("すべて")  # type: ignore[attr-defined]
        self.fields["status"].choices = STATUS_FILTERS  # type: ignore[attr-defined]

    def filters(self) -> selectors.ResourceFilters:
        """The filters chosen; one that cannot be read is ignored rather than refused
        (the others still apply)."""
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        district = data.get("district")
        return selectors.ResourceFilters(
            q=data.get("q", ""),
            category=data.get("category", ""),
            district_id=district.pk if district is not None else None,
            weekday=data.get("weekday", ""),
            ease=tuple(data.get("ease", ())),
            status=data.get("status", selectors.STATUS_ACTIVE),
            community_place=bool(data.get("place")),
            provider_id=data.get("provider"),
        )


class ResourceForm(StyledModelForm):
    """A resource's own fields; its schedules and place are the forms below."""

    needs = forms.MultipleChoiceField(
        label=_("必要としているもの"),
        required=False,
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("受け入れ先が求めている支援（人・物・場所・お金）"),
    )
    ease = forms.MultipleChoiceField(
        label=_("参加のしやすさ"),
        required=False,
        choices=Ease.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    interests = forms.CharField(
        label=_("関心・活動のキーワード"),
        required=False,
        max_length=500,
        help_text=_(
            "「、」か「,」で区切って入力します。例: コーヒー、料理、農作業（マッチングに使います）"
        ),
    )
    url = forms.URLField(
        label=_("ウェブサイト"), required=False, max_length=200, assume_scheme="https"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Resource
        fields = [
            "provider",
            "name",
            "alternate_name",
            "category",
            "is_community_place",
            "status",
            "description",
            "audience",
            "offers",
            "needs",
            "needs_note",
            "ease",
            "interests",
            "capacity",
            "fees_description",
            "minimum_age",
            "maximum_age",
            "application_process",
            "year_started",
            "contact_name",
            "contact_phone",
            "contact_email",
            "url",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "audience": forms.Textarea(attrs={"rows": 2}),
            "offers": forms.Textarea(attrs={"rows": 3}),
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "year_started": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }
        help_texts = {
            "year_started": _("西暦で入力します（例: 2005）。古い活動は継承の支援が必要になります"),
        }

    def __init__(self, *args: Any, providers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]
        if self.instance.pk is not None and not self.is_bound:
            self.initial["interests"] = "、".join(self.instance.interests or [])
            self.initial["version"] = self.instance.version
        elif self.instance.pk is None:
            del self.fields["version"]

    def clean_interests(self) -> list[str]:
        words = split_words(self.cleaned_data.get("interests") or "")
        too_long = [word for word in words if len(word) > 40]
        if too_long:
            raise forms.ValidationError(
                _("キーワードは1つ40文字までです: %(word)s") % {"word": too_long[0]}
            )
        return words

    @property
    def changed_fields(self) -> list[str]:
        """The model fields the user changed (for the audit event; not the version)."""
        return [name for name in self.changed_data if name != "version"]


class ScheduleForm(StyledForm):
    """One schedule row. Left empty, it is no schedule."""

    freq = forms.ChoiceField(
        label=_("繰り返し"),
        required=False,
        choices=[("", _("（なし）")), *Frequency.choices],
    )
    interval = forms.IntegerField(
        label=_("間隔"),
        min_value=1,
        max_value=12,
        initial=1,
        required=False,
        help_text=_("1: 毎週・毎月、2: 隔週・隔月"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    ordinals = forms.MultipleChoiceField(
        label=_("第何週（毎月のとき）"),
        required=False,
        choices=ORDINAL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    weekdays = forms.MultipleChoiceField(
        label=_("曜日"),
        required=False,
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    opens_at = forms.TimeField(label=_("開始時刻"), required=False, widget=_TIME)
    closes_at = forms.TimeField(label=_("終了時刻"), required=False, widget=_TIME)
    dtstart = WarekiDateField(
        label=_("初回の日付"), required=False, help_text=_("隔週などの起点（任意）")
    )
    description = forms.CharField(
        label=_("補足"), required=False, max_length=200, help_text=_("例: 祝日は休み")
    )
    #: A rule the checkboxes cannot show (an imported one such as 第1月曜と第3水曜),
    #: kept as it is unless the user picks weekdays.
    kept_byday = forms.CharField(required=False, widget=forms.HiddenInput)
    kept_bymonthday = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, schedule: Schedule | None = None, **kwargs: Any) -> None:
        if schedule is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_of(schedule)
        super().__init__(*args, **kwargs)
        # "（なし）", not "選択してください": an empty row is a valid answer.
        self.fields["freq"].choices = [("", _("（なし）")), *Frequency.choices]  # type: ignore[attr-defined]
        self.kept_label = ""
        if schedule is not None and (
            self.initial.get("kept_byday") or self.initial.get("kept_bymonthday")
        ):
            self.kept_label = schedule.label()

    def is_empty(self) -> bool:
        data = self.cleaned_data
        return not any(
            data.get(name)
            for name in ("freq", "ordinals", "weekdays", "opens_at", "closes_at", "description")
        ) and not (data.get("kept_byday") or data.get("kept_bymonthday"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if not any(
            data.get(name)
            for name in ("freq", "ordinals", "weekdays", "opens_at", "closes_at", "description")
        ):
            return data
        freq = data.get("freq")
        weekdays = data.get("weekdays") or []
        ordinals = data.get("ordinals") or []
        kept = data.get("kept_byday") or data.get("kept_bymonthday")
        if not freq:
            if weekdays or ordinals or kept:
                self.add_error("freq", _("繰り返し（毎週・毎月）を選んでください。"))
        elif not weekdays and not kept:
            self.add_error("weekdays", _("曜日を選んでください。"))
        elif freq == Frequency.WEEKLY and ordinals:
            self.add_error(
                "ordinals",
                _("毎週の開催には「第◯」「最終」を付けられません。毎月を選んでください。"),
            )
        elif freq == Frequency.MONTHLY and weekdays and not ordinals:
            self.add_error(
                "ordinals", _("毎月の開催では、第何週か（第1〜第4・最終）を選んでください。")
            )
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("終了時刻は開始時刻より後にしてください。"))
        return data

    def spec(self) -> ScheduleSpec:
        """The schedule as the service takes it (call on a valid, non-empty row)."""
        data = self.cleaned_data
        weekdays = [code for code in WEEKDAYS if code in (data.get("weekdays") or [])]
        ordinals = [o for o in _ORDINALS if o in (data.get("ordinals") or [])]
        bymonthday = ""
        if weekdays:
            if data["freq"] == Frequency.MONTHLY:
                byday = ",".join(f"{o}{code}" for code in weekdays for o in ordinals)
            else:
                byday = ",".join(weekdays)
        else:
            byday = data.get("kept_byday") or ""
            bymonthday = data.get("kept_bymonthday") or ""
        return ScheduleSpec(
            freq=data["freq"],
            interval=data.get("interval") or 1,
            byday=byday,
            bymonthday=bymonthday,
            opens_at=data.get("opens_at"),
            closes_at=data.get("closes_at"),
            dtstart=data.get("dtstart"),
            description=data.get("description") or "",
        )


def initial_of(schedule: Schedule) -> dict[str, Any]:
    """A saved schedule as the row's initial values. A rule the checkboxes can
    show fills them; any other (an imported 第1月曜と第3水曜, a day of the
    month) is kept as it is, hidden, and shown as its label."""
    initial: dict[str, Any] = {
        "freq": schedule.freq,
        "interval": schedule.interval,
        "opens_at": schedule.opens_at,
        "closes_at": schedule.closes_at,
        "dtstart": schedule.dtstart,
        "description": schedule.description,
    }
    parts = byday_parts(schedule.byday)
    checkboxes = _as_checkboxes(schedule.freq, parts) if parts and not schedule.bymonthday else None
    if checkboxes is not None:
        initial["weekdays"], initial["ordinals"] = checkboxes
    elif schedule.byday or schedule.bymonthday:
        initial["kept_byday"] = schedule.byday
        initial["kept_bymonthday"] = schedule.bymonthday
    return initial


def _as_checkboxes(
    freq: str, parts: list[tuple[int | None, str]]
) -> tuple[list[str], list[str]] | None:
    """(weekdays, ordinals) when the rule is every chosen weekday of every chosen week."""
    codes = sorted({code for _ordinal, code in parts}, key=WEEKDAYS.index)
    if freq == Frequency.WEEKLY:
        return (codes, []) if all(ordinal is None for ordinal, _code in parts) else None
    if freq != Frequency.MONTHLY or any(ordinal is None for ordinal, _code in parts):
        return None
    chosen = {str(ordinal) for ordinal, _code in parts}
    if not chosen <= set(_ORDINALS):
        return None
    ordinals = [o for o in _ORDINALS if o in chosen]
    if {(str(o), c) for o, c in parts} != {(o, c) for o in ordinals for c in codes}:
        return None
    return codes, ordinals


class LocationForm(StyledForm):
    """The resource's main place. Left empty, the resource has no place."""

    name = forms.CharField(label=_("場所の名称"), required=False, max_length=120)
    postal_code = forms.CharField(
        label=_("郵便番号"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("例: 123-4567"),
    )
    address = forms.CharField(label=_("住所"), required=False, max_length=200)
    district: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("日常生活圏域"), required=False, queryset=None
    )
    transportation = forms.CharField(
        label=_("交通手段"), required=False, max_length=200, help_text=_("例: ○○駅から徒歩5分")
    )
    accessibility = forms.CharField(
        label=_("バリアフリー"), required=False, max_length=200, help_text=_("例: 1階・段差なし")
    )

    def __init__(self, *args: Any, districts: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]

    def clean_postal_code(self) -> str:
        value = unicodedata.normalize("NFKC", self.cleaned_data.get("postal_code") or "").strip()
        value = value.replace("ー", "-").replace("－", "-").replace("〒", "").strip()
        if value and not re.fullmatch(r"\d{3}-?\d{4}", value):
            raise forms.ValidationError(_("郵便番号は「123-4567」の形で入力してください。"))
        if len(value) == 7:
            value = f"{value[:3]}-{value[3:]}"
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = any(data.get(name) for name in self.fields if name != "name")
        if filled and not (data.get("name") or "").strip() and "name" not in self.errors:
            self.add_error(
                "name", _("場所の名称を入力してください（住所などだけでは登録できません）。")
            )
        return data

    def spec(self) -> LocationSpec | None:
        data = self.cleaned_data
        name = (data.get("name") or "").strip()
        if not name:
            return None
        return LocationSpec(
            name=name,
            postal_code=data.get("postal_code") or "",
            address=(data.get("address") or "").strip(),
            district=data.get("district"),
            transportation=(data.get("transportation") or "").strip(),
            accessibility=(data.get("accessibility") or "").strip(),
        )


class ProviderForm(StyledModelForm):
    website = forms.URLField(
        label=_("ウェブサイト"), required=False, max_length=200, assume_scheme="https"
    )

    class Meta:
        model = Provider
        fields = [
            "name",
            "alternate_name",
            "kind",
            "description",
            "phone",
            "email",
            "website",
            "year_incorporated",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "year_incorporated": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }
        help_texts = {"year_incorporated": _("西暦で入力します（例: 1998）")}


class ArchiveForm(StyledForm):
    reason = forms.CharField(
        label=_("アーカイブの理由"),
        max_length=200,
        help_text=_("例: 活動を終了した、受け入れ先の都合で休止が続いている"),
    )
