"""Edit conflicts: one home for optimistic locking's refusal.

Records that colleagues edit at the same time (cases, plans, referrals,
meetings, resources, community records, participation, narratives) carry a
``version``. A change names the version the user loaded; if a colleague saved
meanwhile, the change is refused with :class:`EditConflict` (a subclass per
kind of record, naming it), the page keeps what the user typed, and the API
answers 409. Nothing is lost silently (access.md).
"""

from __future__ import annotations

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

_MESSAGE = _(
    "この{what}は、表示した後に他の職員が更新しました。"
    "最新の内容を確認してから、もう一度{verb}してください（入力した内容は残っています）。"
)


def conflict_message(what: Any, verb: Any) -> Any:
    return format_lazy(_MESSAGE, what=what, verb=verb)


class EditConflict(Exception):
    """The record changed since the user loaded it; their change was not applied."""

    #: The kind of record, as the message names it.
    what: Any = _("記録")
    #: What the user does again: 保存 (a form) or 操作 (a transition).
    verb: Any = _("保存")
    message: Any

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "message" not in cls.__dict__:
            cls.message = conflict_message(cls.what, cls.verb)

    def __init__(self, what: Any = None) -> None:
        # In the language of the request that met the conflict, as a plain string.
        self.message = str(
            conflict_message(what, self.verb) if what is not None else type(self).message
        )
        super().__init__(self.message)


EditConflict.message = conflict_message(EditConflict.what, EditConflict.verb)


def check_version(
    current: int, expected: int | None, conflict: type[EditConflict] = EditConflict
) -> None:
    """Refuse the change unless the user loaded the version that is current."""
    if expected is None or current != expected:
        raise conflict()
