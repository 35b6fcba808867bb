"""The OpenAPI document tells the truth: one schema name, one Python class.

django-ninja names a component of the document after its class. Two classes
of one name in different modules (``TransitionIn`` of the referrals and of
participation, ``Kind`` of meetings and of activities) overwrite each other
there, and a client generated from the document then sends the wrong fields.
"""

from __future__ import annotations

import enum
import types
import typing
from collections import defaultdict
from typing import Any

from pydantic import BaseModel

from tsunagu.api.root import api, operations


def _classes_in(annotation: Any, found: set[type]) -> None:
    """Every pydantic model and enum an annotation names, however nested."""
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        found.add(annotation)
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _classes_in(field.annotation, found)
        return
    for argument in typing.get_args(annotation) or ():
        _classes_in(argument, found)
    if isinstance(annotation, types.UnionType):
        for argument in annotation.__args__:
            _classes_in(argument, found)


def _documented_classes() -> set[type]:
    found: set[type] = set()
    for operation in operations():
        for model in operation.models:
            _classes_in(model, found)
        for model in operation.response_models.values():
            _classes_in(model, found)
    return found


def test_every_schema_name_in_the_document_is_one_python_class() -> None:
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _documented_classes():
        if cls.__module__.startswith("tsunagu.") or issubclass(cls, enum.Enum):
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(places) for name, places in by_name.items() if len(places) > 1}
    assert shared == {}


def test_every_component_of_the_document_is_a_class_of_ours() -> None:
    """The document's components are exactly the classes the operations use (none
    lost to a namesake), so a generated client has one type per component."""
    components = set(api.get_openapi_schema()["components"]["schemas"])
    ours = {
        cls.__name__
        for cls in _documented_classes()
        if cls.__module__.startswith("tsunagu.") or issubclass(cls, enum.Enum)
    }
    assert sorted(ours - components) == []
