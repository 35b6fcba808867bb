"""A household's 支援経過記録 go with it at the end of its retention period:
their texts are replaced, the kind and the day stay (the reports' counts do
not change), and recent work keeps a household from expiring."""

from __future__ import annotations

import pytest

from tsunagu.core import retention, tenancy
from tsunagu.progress.models import Kind, ProgressNote
from tsunagu.reports import rollups
from tsunagu.tests.factories import Ward
from tsunagu.tests.test_retention import _at, _days, _kept_from, _plan, _today, family

pytestmark = pytest.mark.django_db


def _note(ward: Ward, old: object, day: object, **fields: object) -> ProgressNote:
    with tenancy.tenant_context(ward.municipality):
        return ProgressNote.objects.create(
            household=old.household,  # type: ignore[attr-defined]
            person=old.head,  # type: ignore[attr-defined]
            case=old.case,  # type: ignore[attr-defined]
            organization=ward.center,
            occurred_at=_at(day),  # type: ignore[arg-type]
            kind=Kind.ACCOMPANY,
            other_participants="本人・母",
            content="ハローワークへ同行した。",
            next_step="書類を一緒に書く",
            **fields,
        )


def test_the_notes_of_an_expired_household_are_anonymised(ward: Ward) -> None:
    closed_on = _days(_kept_from(), 1)
    old = family(ward, closed_on)
    note = _note(ward, old, _days(closed_on, 30))
    rollups.rebuild(ward.municipality.pk)

    result = retention.apply(_plan(ward))

    assert result.counts[retention.PROGRESS] == 1
    with tenancy.tenant_context(ward.municipality):
        kept = ProgressNote.objects.get(pk=note.pk)
    marker = retention.MARKER
    assert (kept.content, kept.other_participants, kept.next_step) == (marker, marker, marker)
    assert (kept.kind, kept.occurred_at) == (note.kind, note.occurred_at)
    assert rollups.differences(ward.municipality.pk) == []


def test_a_recent_note_keeps_the_household(ward: Ward) -> None:
    old = family(ward, _days(_kept_from(), 1))
    note = _note(ward, old, _days(_today(), 10))

    retention.apply(_plan(ward))

    with tenancy.tenant_context(ward.municipality):
        assert ProgressNote.objects.get(pk=note.pk).content == "ハローワークへ同行した。"
