"""Form behaviour shared by every screen: accessible error wiring, and the
rules of every typed value (text in core.text, dates in core.dates)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import (
    EmailValidator,
    MaxLengthValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from django.forms.utils import pretty_name
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tsunagu.core import tenancy
from tsunagu.core.dates import validate_in_range
from tsunagu.core.forms import WarekiDateField
from tsunagu.core.models import TenantModel
from tsunagu.core.text import (
    ACCOUNT_MAX_LENGTH,
    TextLengthValidator,
    length_hint,
    reject_control_characters,
)

EMPTY_CHOICE = "（選択してください）"


def _japanese_empty_choice(field: forms.Field) -> None:
    """Django's blank choice is a row of dashes; a clerk reads 選択してください."""
    if isinstance(field, forms.ModelChoiceField) and field.empty_label is not None:
        field.empty_label = EMPTY_CHOICE
    elif isinstance(field, forms.TypedChoiceField | forms.ChoiceField) and not isinstance(
        field, forms.MultipleChoiceField | forms.ModelChoiceField
    ):
        # (A model choice field's choices follow its queryset, which forms set
        # after this; reading them here would freeze them.)
        choices: list[tuple[Any, Any]] = list(field.choices)  # type: ignore[arg-type]
        if isinstance(field.widget, forms.RadioSelect) and field.required:
            # A required radio group has no "none" button: nothing is checked until chosen.
            field.choices = [(value, label) for value, label in choices if value != ""]
        else:
            # Only Django's row of dashes: a blank choice a form named itself
            # (「記録から自動で判定」) keeps its name.
            field.choices = [
                (value, EMPTY_CHOICE if value == "" and label in ("", "---------") else label)
                for value, label in choices
            ]


def _bound_length(field: forms.CharField, label: Any) -> None:
    """A free text (a text area) has a length limit, set on the input
    (``maxlength``), shown under it before it is reached, and counted as the
    clerk counts it: a line break is one character (Django's own check counts
    the CR LF a browser sends as two). A text area no model field bounds takes
    the longest limit (core.text). One-line inputs keep Django's own check."""
    if not isinstance(field.widget, forms.Textarea):
        return
    if field.max_length is None:
        field.max_length = ACCOUNT_MAX_LENGTH
        field.widget.attrs["maxlength"] = str(ACCOUNT_MAX_LENGTH)
    field.validators = [
        v for v in field.validators if not isinstance(v, MaxLengthValidator | TextLengthValidator)
    ] + [TextLengthValidator(field.max_length, label=label)]
    hint = length_hint(field.max_length)
    field.help_text = f"{field.help_text}（{hint}）" if field.help_text else hint


def _refuse_ids_out_of_range(field: forms.ModelChoiceField) -> None:  # type: ignore[type-arg]
    """A choice of a record by its id: an id no database integer holds
    (``2**70``) is no choice. Django looks it up anyway and the database
    driver raises OverflowError, which Django's check does not catch."""
    clean = field.clean

    def guarded(value: Any) -> Any:
        try:
            return clean(value)
        except OverflowError:
            raise ValidationError(
                field.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": str(value)[:40]},
            ) from None

    field.clean = guarded  # type: ignore[method-assign]


_CHOSEN = (
    forms.ChoiceField,
    forms.ModelChoiceField,
    forms.BooleanField,
    forms.NullBooleanField,
)


def _default_messages(field: forms.Field) -> dict[str, Any]:
    """The messages Django gives a field of this kind, before a form names its own."""
    messages: dict[str, Any] = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


def _name_the_field(field: forms.Field, label: Any) -> None:
    """Every message says which field it is about, in the clerk's words
    (「受付日を入力してください。」, not Django's 「この項目は必須です。」):
    the summary at the top of the page lists them away from their fields.
    A message a form wrote for its field is kept."""
    chosen = isinstance(field, _CHOSEN) or isinstance(
        field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.Select
    )
    if isinstance(field, forms.BooleanField):
        required = _("{}にチェックを入れてください。")
    elif isinstance(field, forms.FileField):
        required = _("{}のファイルを選んでください。")
    else:
        required = _("{}を選んでください。") if chosen else _("{}を入力してください。")
    ours: dict[str, Any] = {
        "required": format_lazy(required, label),
        "invalid_choice": format_lazy(_("{}は一覧にある選択肢から選んでください。"), label),
        "invalid_list": format_lazy(_("{}は一覧にある選択肢から選んでください。"), label),
        "invalid_pk_value": format_lazy(_("{}は一覧にある選択肢から選んでください。"), label),
    }
    if isinstance(field, WarekiDateField):
        # The reader's own reason already says what is wrong and gives the
        # forms it reads (「令和元年4月30日は存在しません」): the label goes before it.
        ours["invalid"] = format_lazy(_("{}：%(detail)s"), label) if str(label) else "%(detail)s"
    elif isinstance(field, forms.DateTimeField):
        ours["invalid"] = format_lazy(
            _("{}は「2025-04-01 10:30」の形で日時を入力してください。"), label
        )
    elif isinstance(field, forms.DateField):
        ours["invalid"] = format_lazy(
            _("{}は「令和7年4月1日」か「2025-04-01」の形で入力してください。"), label
        )
    elif isinstance(field, forms.TimeField):
        ours["invalid"] = format_lazy(_("{}は「10:30」の形で時刻を入力してください。"), label)
    elif isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
        ours["invalid"] = format_lazy(_("{}は数字で入力してください。"), label)
    defaults = _default_messages(field)
    for code, message in ours.items():
        if code in field.error_messages and field.error_messages[code] == defaults.get(code):
            field.error_messages[code] = message
    field.validators = [_named_validator(v, label) for v in field.validators]


def _named_validator(validator: Any, label: Any) -> Any:
    """Django's limits with a message that names the field."""
    if isinstance(validator, MaxLengthValidator):
        return MaxLengthValidator(
            validator.limit_value,
            format_lazy(
                _(
                    "{}は%(limit_value)s文字以内で入力してください（いまは%(show_value)s文字です）。"
                ),
                label,
            ),
        )
    if isinstance(validator, MinLengthValidator):
        return MinLengthValidator(
            validator.limit_value,
            format_lazy(_("{}は%(limit_value)s文字以上で入力してください。"), label),
        )
    if isinstance(validator, MaxValueValidator):
        return MaxValueValidator(
            validator.limit_value,
            format_lazy(_("{}は%(limit_value)s以下で入力してください。"), label),
        )
    if isinstance(validator, MinValueValidator):
        return MinValueValidator(
            validator.limit_value,
            format_lazy(_("{}は%(limit_value)s以上で入力してください。"), label),
        )
    if type(validator) is EmailValidator:
        return EmailValidator(
            format_lazy(
                _("{}はメールアドレスの形（例: name@example.lg.jp）で入力してください。"), label
            )
        )
    return validator


class AccessibleFormMixin:
    """Marks invalid inputs with aria-invalid and ties help and errors to them,
    and words every message with the field's own label."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            label = field.label or pretty_name(name)
            _japanese_empty_choice(field)
            _name_the_field(field, label)
            if isinstance(field, forms.ModelChoiceField):
                _refuse_ids_out_of_range(field)
            if isinstance(field, forms.CharField):
                # One message for every control character (Django's own covers NUL only).
                field.validators = [
                    v
                    for v in field.validators
                    if not isinstance(v, ProhibitNullCharactersValidator)
                ] + [reject_control_characters]
                _bound_length(field, label)
            if isinstance(field, forms.DateField | forms.DateTimeField):
                # One range for every date typed, as the API's (core.dates).
                field.validators = [*field.validators, validate_in_range]
            described = []
            if field.help_text:
                described.append(f"{self._field_id(name)}_help")
            if described:
                field.widget.attrs.setdefault("aria-describedby", " ".join(described))

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields and not self.fields[name].widget.is_hidden:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                widget.attrs["aria-invalid"] = "true"
                existing = widget.attrs.get("aria-describedby", "")
                errors_id = f"{self._field_id(name)}_errors"
                widget.attrs["aria-describedby"] = f"{existing} {errors_id}".strip()

    def _field_id(self, name: str) -> str:
        """The id the field's input gets (with the form's prefix), as templates write it."""
        return f"id_{self.add_prefix(name)}"  # type: ignore[attr-defined]


class StyledModelForm(AccessibleFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    """A model form that knows tenant data.

    - Choice fields of tenant models are declared when the module is imported,
      when no municipality is current, so their querysets are empty; they are
      rebuilt here for the current municipality (forms may narrow them after).
    - A new row belongs to the current municipality from the start, and the
      per-municipality unique constraints (which name ``municipality``, a field
      no form shows) are validated as form errors instead of reaching the
      database as an IntegrityError.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(self.instance, TenantModel) and self.instance.municipality_id is None:
            current = tenancy.current_municipality()
            if current is not None:
                self.instance.municipality = current
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and queryset.query.is_empty():
                field.queryset = queryset.model._default_manager.all()  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        self._attach_constraint_errors_to_their_field()

    def _attach_constraint_errors_to_their_field(self) -> None:
        """A unique constraint over (municipality, name) is about the name the
        clerk typed: show its message at that field, not at the top of the form."""
        errors_by_field: Any = self._errors  # type: ignore[attr-defined]
        nonfield = errors_by_field.get(NON_FIELD_ERRORS) if errors_by_field else None
        if not nonfield:
            return
        field_of = {}
        for constraint in self.instance._meta.constraints:
            shown = [f for f in getattr(constraint, "fields", ()) if f in self.fields]
            if len(shown) == 1:
                field_of[str(constraint.violation_error_message)] = shown[0]
        errors = list(nonfield.as_data())
        del errors_by_field[NON_FIELD_ERRORS]
        for error in errors:
            self.add_error(field_of.get(error.messages[0]), error)

    def _get_validation_exclusions(self) -> set[str]:
        exclude: set[str] = super()._get_validation_exclusions()  # type: ignore[misc]
        if isinstance(self.instance, TenantModel):
            exclude.discard("municipality")
        return exclude


class StyledForm(AccessibleFormMixin, forms.Form):
    pass


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, rename: dict[str, str] | None = None
) -> None:
    """A service's refusal on the form it came from: at its field when the form
    has it (``rename`` maps the service's names to the form's), else on top,
    so that the user sees why and keeps what they typed."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            name = (rename or {}).get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def keep_input_at_version(form: forms.BaseForm, version: int, field: str = "version") -> None:
    """After an edit conflict: the form shows what the user typed, as sent,
    but carries the version now in the database. They read the other change
    and save again to apply theirs on purpose; with the old version kept, the
    page would refuse every further save until they reloaded it and lost
    their input."""
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict: the POST
    data[field] = str(version)
    form.data = data
