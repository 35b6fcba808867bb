"""The demo ward's 家族の出来事: the model household's history in its 家族年表 for
the coordinator, events in the outreach households, and loading twice changes
nothing."""

from __future__ import annotations

from tsunagu import policy
from tsunagu.core import tenancy
from tsunagu.demo.cases import MODEL_CASE_TITLE
from tsunagu.demo.lifeevents import load_demo_life_events
from tsunagu.demo.tests.conftest import Loaded, staff
from tsunagu.lifeevents.models import LifeEvent
from tsunagu.people.selectors import household_view


def test_the_model_household_s_history_is_in_its_chronology(loaded: Loaded) -> None:
    coordinator = staff("demo-jimukyoku")
    with tenancy.tenant_context(loaded.demo):
        events = LifeEvent.objects.filter(household__cases__title=MODEL_CASE_TITLE)
        assert {e.kind for e in events} == {"care_level", "retirement", "dropout"}
        household = events.first().household  # type: ignore[union-attr]
        decision = policy.decide(coordinator, policy.Action.VIEW, "household", household)
        assert decision.basis is not None
        view = household_view(coordinator, household, decision.basis)
    titles = [event.title for event in view.timeline if event.kind == "life_event"]
    assert len(titles) == 3
    assert any("家族の出来事：退職" in title for title in titles)


def test_the_outreach_households_have_events_and_a_second_load_adds_none(
    loaded: Loaded,
) -> None:
    with tenancy.tenant_context(loaded.demo):
        assert LifeEvent.objects.exclude(household__cases__title=MODEL_CASE_TITLE).count() >= 6
        assert set(LifeEvent.objects.values_list("precision", flat=True)) >= {"year", "month"}
        before = LifeEvent.objects.count()
    assert load_demo_life_events(loaded.demo) is None
    with tenancy.tenant_context(loaded.demo):
        assert LifeEvent.objects.count() == before
