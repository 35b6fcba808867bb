"""Schedules as a clerk says them and as the directory keeps them (RFC 5545):
the Japanese label, the next dates, the form that builds the rule from
checkboxes, and the rules the service refuses."""

from __future__ import annotations

import datetime

import pytest

from tsunagu.resources.forms import ScheduleForm, initial_of
from tsunagu.resources.models import Frequency, Schedule
from tsunagu.resources.services import ScheduleSpec, schedule_problems


def schedule(freq: str = Frequency.MONTHLY, byday: str = "", **fields: object) -> Schedule:
    return Schedule(freq=freq, byday=byday, interval=fields.pop("interval", 1), **fields)


@pytest.mark.parametrize(
    ("rule", "label"),
    [
        (
            schedule(
                Frequency.MONTHLY,
                "2TU",
                opens_at=datetime.time(10),
                closes_at=datetime.time(12),
            ),
            "毎月第2火曜日 10時〜12時",
        ),
        (
            schedule(Frequency.WEEKLY, "MO,WE", opens_at=datetime.time(13, 30)),
            "毎週月・水曜日 13時30分〜",
        ),
        (schedule(Frequency.WEEKLY, "TH", interval=2), "隔週木曜日"),
        (schedule(Frequency.MONTHLY, "-1FR"), "毎月最終金曜日"),
        (schedule(Frequency.MONTHLY, "2TU,4TU"), "毎月第2・第4火曜日"),
        # Written in any order, read in the week's order.
        (schedule(Frequency.WEEKLY, "WE,MO"), "毎週月・水曜日"),
        (schedule("", "", description="随時（要問い合わせ）"), "随時（要問い合わせ）"),
    ],
    ids=["monthly-2TU", "weekly-MO-WE", "biweekly", "last-friday", "2nd-4th", "order", "words"],
)
def test_schedule_labels_read_as_a_clerk_says_them(rule: Schedule, label: str) -> None:
    assert rule.label() == label


def test_next_dates_of_the_second_tuesday() -> None:
    rule = schedule(Frequency.MONTHLY, "2TU")
    assert rule.next_dates(datetime.date(2026, 11, 1), 2) == [
        datetime.date(2026, 11, 10),
        datetime.date(2026, 12, 8),
    ]


def test_next_dates_include_the_day_itself_and_skip_to_next_month_after_it() -> None:
    rule = schedule(Frequency.MONTHLY, "2TU")
    assert rule.next_dates(datetime.date(2026, 11, 10), 1) == [datetime.date(2026, 11, 10)]
    assert rule.next_dates(datetime.date(2026, 11, 11), 1) == [datetime.date(2026, 12, 8)]


def test_next_dates_of_the_last_friday() -> None:
    rule = schedule(Frequency.MONTHLY, "-1FR")
    assert rule.next_dates(datetime.date(2026, 11, 1), 2) == [
        datetime.date(2026, 11, 27),
        datetime.date(2026, 12, 25),
    ]


def test_biweekly_dates_keep_the_rhythm_of_the_first_meeting() -> None:
    rule = schedule(Frequency.WEEKLY, "TH", interval=2, dtstart=datetime.date(2026, 4, 2))
    assert rule.next_dates(datetime.date(2026, 4, 3), 2) == [
        datetime.date(2026, 4, 16),
        datetime.date(2026, 4, 30),
    ]


def test_an_unreadable_rule_has_no_dates_rather_than_wrong_ones() -> None:
    assert schedule(Frequency.MONTHLY, "").next_dates(datetime.date(2026, 11, 1)) == []
    assert schedule("", "", description="随時").next_dates(datetime.date(2026, 11, 1)) == []


def test_a_schedule_that_starts_later_has_no_dates_before_it_starts() -> None:
    rule = schedule(Frequency.WEEKLY, "TH", interval=2, dtstart=datetime.date(2026, 5, 7))
    assert rule.next_dates(datetime.date(2026, 4, 1), 2) == [
        datetime.date(2026, 5, 7),
        datetime.date(2026, 5, 21),
    ]


# --- The form row: checkboxes → RFC 5545 -----------------------------------------------


def row(**data: object) -> ScheduleForm:
    form = ScheduleForm({f"s-{name}": value for name, value in data.items()}, prefix="s")
    assert form.is_valid(), form.errors
    return form


def test_the_form_builds_the_monthly_rule_from_week_and_weekday() -> None:
    form = row(
        freq="MONTHLY",
        interval="1",
        ordinals=["2"],
        weekdays=["TU"],
        opens_at="10:00",
        closes_at="12:00",
    )
    spec = form.spec()
    assert (spec.freq, spec.byday) == ("MONTHLY", "2TU")
    assert (spec.opens_at, spec.closes_at) == (datetime.time(10), datetime.time(12))


def test_the_form_builds_every_chosen_week_and_weekday() -> None:
    form = row(freq="MONTHLY", ordinals=["-1", "2"], weekdays=["FR", "TU"])
    assert form.spec().byday == "2TU,-1TU,2FR,-1FR"


def test_the_form_builds_a_weekly_rule() -> None:
    assert row(freq="WEEKLY", interval="2", weekdays=["WE", "MO"]).spec().byday == "MO,WE"


def test_an_empty_row_is_no_schedule() -> None:
    assert row(interval="1").is_empty()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"freq": "MONTHLY", "weekdays": ["TU"]}, "ordinals", "第何週か"),
        ({"freq": "WEEKLY", "weekdays": ["TU"], "ordinals": ["2"]}, "ordinals", "毎週の開催には"),
        ({"freq": "WEEKLY"}, "weekdays", "曜日を選んでください"),
        ({"weekdays": ["TU"]}, "freq", "繰り返し"),
        (
            {"freq": "WEEKLY", "weekdays": ["TU"], "opens_at": "12:00", "closes_at": "10:00"},
            "closes_at",
            "終了時刻は開始時刻より後",
        ),
        (
            {"freq": "WEEKLY", "weekdays": ["XX"]},
            "weekdays",
            "曜日は一覧にある選択肢から選んでください。",
        ),
    ],
    ids=["monthly-no-week", "weekly-with-week", "no-weekday", "no-freq", "times", "bad-day"],
)
def test_a_row_that_cannot_be_a_rule_is_refused_in_japanese(
    data: dict[str, object], field: str, message: str
) -> None:
    form = ScheduleForm({f"s-{name}": value for name, value in data.items()}, prefix="s")
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_a_saved_rule_fills_the_checkboxes_again() -> None:
    initial = initial_of(
        schedule(Frequency.MONTHLY, "2TU,4TU", opens_at=datetime.time(10), description="祝日は休み")
    )
    assert initial["weekdays"] == ["TU"]
    assert initial["ordinals"] == ["2", "4"]
    assert "kept_byday" not in initial


def test_an_imported_rule_the_checkboxes_cannot_show_is_kept_as_it_is() -> None:
    imported = schedule(Frequency.MONTHLY, "1MO,3WE")
    form = ScheduleForm(prefix="s", schedule=imported)
    assert form.kept_label == "毎月第1月曜日・第3水曜日"
    # Saved again untouched, the rule stays what it was.
    data = {f"s-{name}": value for name, value in initial_of(imported).items() if value}
    kept = row(**{name.removeprefix("s-"): value for name, value in data.items()})
    assert (kept.spec().freq, kept.spec().byday) == ("MONTHLY", "1MO,3WE")


# --- The service's own check (the API sends RFC 5545 directly) ---------------------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (ScheduleSpec(freq="WEEKLY", byday="2TU"), "毎週の開催には"),
        (ScheduleSpec(freq="MONTHLY"), "毎月の開催では"),
        (ScheduleSpec(freq="MONTHLY", byday="2XX"), "曜日の指定が読み取れません"),
        (ScheduleSpec(freq="DAILY", byday="MO"), "毎週（WEEKLY）か毎月（MONTHLY）"),
        (ScheduleSpec(freq="", byday="MO"), "繰り返し（毎週・毎月）を選んでください"),
        (ScheduleSpec(freq="WEEKLY", byday="MO", interval=0), "間隔は1から12"),
        (ScheduleSpec(freq="MONTHLY", bymonthday="32"), "日付は1から31"),
    ],
    ids=[
        "weekly-ordinal",
        "monthly-empty",
        "bad-code",
        "daily",
        "rule-without-freq",
        "interval",
        "day-32",
    ],
)
def test_the_service_refuses_rules_it_cannot_read(spec: ScheduleSpec, message: str) -> None:
    assert any(message in problem for problem in schedule_problems(spec))


def test_the_service_accepts_the_rules_of_the_examples() -> None:
    for spec in (
        ScheduleSpec(freq="MONTHLY", byday="2TU"),
        ScheduleSpec(freq="MONTHLY", byday="-1FR"),
        ScheduleSpec(freq="WEEKLY", byday="MO,WE", interval=2),
        ScheduleSpec(freq="MONTHLY", bymonthday="15"),
        ScheduleSpec(freq="", description="随時"),
    ):
        assert schedule_problems(spec) == [], spec
