"""A model's choices under a name of their own in the OpenAPI document.

Several apps name their choices alike (the stages of a case, of outreach and
of participation are each ``Stage``); the document names an enum after its
class, so the last one read would stand for all. Each API declares the
choices it takes under a distinct name (``CaseStage``, ``OutreachStage``):
the same values, which the models and services take as they are.
"""

import enum
import sys

from django.db import models


def api_choices(name: str, choices: type[models.TextChoices]) -> type[enum.StrEnum]:
    """``choices`` as a string enum called ``name``, in the calling module."""
    caller = sys._getframe(1).f_globals.get("__name__", __name__)
    return enum.StrEnum(  # type: ignore[return-value]
        name, {member.name: member.value for member in choices}, module=caller
    )
