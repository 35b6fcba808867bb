"""Model fields shared by the apps."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from tsunagu.core.text import NOTE_MAX_LENGTH, TextLengthValidator


class FreeTextField(models.TextField):  # type: ignore[type-arg]
    """A free text a clerk types, with its length limit (``core.text``).

    The limit holds wherever the text comes from: the form field (with the
    browser's ``maxlength`` and the hint ``core.forms_base`` shows), the
    model's validation, and saving itself, which refuses a text over the limit
    with a ValidationError naming the field (the API answers it as 422), so
    that a service or an import cannot store what no form would take.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", NOTE_MAX_LENGTH)
        super().__init__(*args, **kwargs)

    @cached_property
    def validators(self) -> list[Any]:
        return [*super().validators, TextLengthValidator(self.max_length or NOTE_MAX_LENGTH)]

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        try:
            TextLengthValidator(self.max_length or NOTE_MAX_LENGTH)(value)
        except ValidationError as error:
            raise ValidationError({self.name: error.error_list}) from None
        return value
