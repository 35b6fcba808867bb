"""Form behaviour shared by every screen: accessible error wiring."""

from __future__ import annotations

from typing import Any

from django import forms

EMPTY_CHOICE = "（選択してください）"


def _japanese_empty_choice(field: forms.Field) -> None:
    """Django's blank choice is a row of dashes; a clerk reads 選択してください."""
    if isinstance(field, forms.ModelChoiceField) and field.empty_label is not None:
        field.empty_label = EMPTY_CHOICE
    elif isinstance(field, forms.TypedChoiceField | forms.ChoiceField) and not isinstance(
        field, forms.MultipleChoiceField
    ):
        choices: list[tuple[Any, Any]] = list(field.choices)  # type: ignore[arg-type]
        field.choices = [
            (value, EMPTY_CHOICE if value == "" else label) for value, label in choices
        ]


class AccessibleFormMixin:
    """Marks invalid inputs with aria-invalid and ties help and errors to them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            _japanese_empty_choice(field)
            described = []
            if field.help_text:
                described.append(f"id_{name}_help")
            if described:
                field.widget.attrs.setdefault("aria-describedby", " ".join(described))

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                widget.attrs["aria-invalid"] = "true"
                existing = widget.attrs.get("aria-describedby", "")
                widget.attrs["aria-describedby"] = f"{existing} id_{name}_errors".strip()


class StyledModelForm(AccessibleFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    pass


class StyledForm(AccessibleFormMixin, forms.Form):
    pass
