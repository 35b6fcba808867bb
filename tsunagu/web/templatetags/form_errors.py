"""The error summary at the top of every page that shows a form back with
errors (the GOV.UK pattern): one list of what to correct, each item a link to
its field, found in the page's context so that no form template repeats it."""

from __future__ import annotations

from dataclasses import dataclass, is_dataclass
from typing import Any

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.formsets import BaseFormSet

register = template.Library()


@dataclass(frozen=True)
class ErrorEntry:
    message: str
    #: The id of the input to move to; empty for an error about the whole form.
    field_id: str = ""


def _checked_forms(value: Any) -> list[forms.BaseForm]:
    """The forms in a context value that a view has validated (never validates
    one itself: that could run queries the page's budget does not expect)."""
    # By type(), not isinstance(): a lazy value in the context (the menu) is
    # not worked out for this look.
    kind = type(value)
    if issubclass(kind, forms.BaseForm):
        return [value] if value.is_bound and value._errors is not None else []
    if issubclass(kind, BaseFormSet) and value.is_bound and value._errors is not None:
        return [f for f in value.forms if f._errors is not None]
    return []


def _formset_errors(value: Any) -> list[ErrorEntry]:
    if (
        issubclass(type(value), BaseFormSet)
        and value.is_bound
        and value._non_form_errors is not None
    ):
        return [ErrorEntry(str(e)) for e in value._non_form_errors]
    return []


def entries_of(values: list[Any]) -> list[ErrorEntry]:
    entries: list[ErrorEntry] = []
    seen: set[int] = set()
    for value in values:
        if id(value) in seen:
            continue
        seen.add(id(value))
        entries.extend(_formset_errors(value))
        for form in _checked_forms(value):
            entries.extend(ErrorEntry(str(e)) for e in form.non_field_errors())
            for bound in form:
                for error in bound.errors:
                    # (A hidden field has nothing to move to: its message only.)
                    field_id = "" if bound.is_hidden else bound.id_for_label or bound.auto_id
                    entries.append(ErrorEntry(str(error), field_id))
            # Errors on fields the form does not show (a service's refusal by its own name).
            for name in form.errors:
                if name != NON_FIELD_ERRORS and name not in form.fields:
                    entries.extend(ErrorEntry(str(e)) for e in form.errors[name])
    return entries


def _with_nested(values: list[Any]) -> list[Any]:
    """The context's values, and those one step inside a list of rows (a
    meeting's agenda items, each with its own forms), or a list of forms
    (a view's ``sent_forms``, where its forms sit deeper). Lazy values and query
    sets are not looked into: the look never runs a query."""
    found: list[Any] = []
    for value in values:
        found.append(value)
        if type(value) in (list, tuple):
            for item in value:
                if issubclass(type(item), forms.BaseForm | BaseFormSet):
                    found.append(item)
                elif type(item) is dict:
                    found.extend(item.values())
                elif is_dataclass(item) and not isinstance(item, type):
                    found.extend(vars(item).values())
    return found


@register.simple_tag(takes_context=True)
def form_errors(context: template.Context) -> list[ErrorEntry]:
    """What the page's forms ask the user to correct, in the page's order."""
    return entries_of(_with_nested(list(context.flatten().values())))
