"""Working-day deadlines: weekends, Indonesian public holidays, office leave, the legal ceiling."""

from __future__ import annotations

import datetime as dt

import pytest

from lapor_desktop.services.sla import (
    DEADLINE_LABELS,
    Deadline,
    WorkingCalendar,
    compute_deadlines,
    deadlines_for_timeline,
    may_auto_close,
    overdue,
)
from lapor_desktop.settings import SlaSettings

FRIDAY = dt.date(2026, 11, 27)


@pytest.fixture
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


def test_friday_complaint_with_three_working_days_is_due_on_wednesday(
    calendar: WorkingCalendar,
) -> None:
    assert calendar.add_working_days(FRIDAY, 3) == dt.date(2026, 12, 2)


def test_submission_day_is_day_zero_even_on_a_weekend(calendar: WorkingCalendar) -> None:
    saturday = dt.date(2026, 11, 28)
    assert calendar.add_working_days(saturday, 1) == dt.date(2026, 11, 30)
    assert calendar.add_working_days(FRIDAY, 0) == FRIDAY


def test_independence_day_shifts_the_deadline(calendar: WorkingCalendar) -> None:
    independence_day = dt.date(2026, 8, 17)  # a Monday
    assert not calendar.is_working_day(independence_day)
    assert calendar.add_working_days(dt.date(2026, 8, 14), 3) == dt.date(2026, 8, 20)


def test_office_leave_day_shifts_the_deadline() -> None:
    calendar = WorkingCalendar(leave_days=[dt.date(2026, 11, 30)])
    assert calendar.add_working_days(FRIDAY, 3) == dt.date(2026, 12, 3)


def test_settings_leave_days_reach_the_calendar() -> None:
    sla = SlaSettings(leave_days=(dt.date(2026, 12, 1),))
    assert not WorkingCalendar.for_settings(sla).is_working_day(dt.date(2026, 12, 1))


def test_deadline_across_the_year_boundary_skips_new_year(calendar: WorkingCalendar) -> None:
    # Wednesday 30 and Thursday 31 December, New Year's Day off, then Monday 4 January.
    assert calendar.add_working_days(dt.date(2026, 12, 29), 3) == dt.date(2027, 1, 4)


def test_joint_leave_is_taken_only_when_asked_for() -> None:
    independence_day_joint_leave = dt.date(2025, 8, 18)
    assert WorkingCalendar().is_working_day(independence_day_joint_leave)
    assert not WorkingCalendar(joint_leave=True).is_working_day(independence_day_joint_leave)


def test_years_beyond_the_published_data_still_have_holidays(calendar: WorkingCalendar) -> None:
    new_year_2070 = dt.date(2070, 1, 1)  # a Wednesday
    assert not calendar.is_working_day(new_year_2070)
    assert calendar.add_working_days(dt.date(2069, 12, 31), 1) == dt.date(2070, 1, 2)


def test_holidays_are_loaded_only_for_the_years_asked_about() -> None:
    calendar = WorkingCalendar()
    assert calendar.loaded_years == frozenset()
    calendar.is_working_day(dt.date(2031, 5, 5))
    assert calendar.loaded_years == {2031}
    assert WorkingCalendar(years=[2026, 2027]).loaded_years == {2026, 2027}


def test_working_days_between_undoes_add_working_days(calendar: WorkingCalendar) -> None:
    due = calendar.add_working_days(dt.date(2026, 8, 10), 12)
    assert calendar.working_days_between(dt.date(2026, 8, 10), due) == 12
    assert calendar.working_days_between(due, dt.date(2026, 8, 10)) == -12
    assert calendar.working_days_between(FRIDAY, FRIDAY) == 0


def test_negative_working_days_are_a_bug(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError):
        calendar.add_working_days(FRIDAY, -1)


def test_deadlines_follow_each_step_of_the_lifecycle(calendar: WorkingCalendar) -> None:
    deadlines = compute_deadlines(
        FRIDAY,
        SlaSettings(),
        calendar,
        forwarded_on=dt.date(2026, 12, 1),
        followed_up_on=dt.date(2026, 12, 7),
    )
    assert deadlines.verify_by == dt.date(2026, 12, 2)
    assert deadlines.follow_up_by == dt.date(2026, 12, 8)
    assert deadlines.auto_close_on == dt.date(2026, 12, 21)


def test_later_deadlines_wait_for_their_step(calendar: WorkingCalendar) -> None:
    deadlines = compute_deadlines(FRIDAY, SlaSettings(), calendar)
    assert deadlines.follow_up_by is None
    assert deadlines.auto_close_on is None


def test_legal_ceiling_counts_calendar_days_and_is_configurable(
    calendar: WorkingCalendar,
) -> None:
    assert compute_deadlines(FRIDAY, SlaSettings(), calendar).legal_ceiling == dt.date(2027, 1, 26)
    short = SlaSettings(legal_ceiling_days=14)
    assert compute_deadlines(FRIDAY, short, calendar).legal_ceiling == dt.date(2026, 12, 11)


def test_unforwarded_complaint_is_overdue_the_day_after_its_deadline(
    calendar: WorkingCalendar,
) -> None:
    deadlines = compute_deadlines(FRIDAY, SlaSettings(), calendar)
    assert overdue(deadlines, dt.date(2026, 12, 2)) == []
    assert overdue(deadlines, dt.date(2026, 12, 3)) == [Deadline.VERIFY_BY]


def test_forwarded_complaint_waits_for_the_agency_follow_up(calendar: WorkingCalendar) -> None:
    deadlines = compute_deadlines(
        FRIDAY, SlaSettings(), calendar, forwarded_on=dt.date(2026, 12, 1)
    )
    assert overdue(deadlines, dt.date(2026, 12, 9)) == [Deadline.FOLLOW_UP_BY]
    assert overdue(deadlines, dt.date(2027, 1, 27)) == [
        Deadline.FOLLOW_UP_BY,
        Deadline.LEGAL_CEILING,
    ]
    assert overdue(deadlines, dt.date(2027, 1, 27), closed=True) == []


def test_report_may_close_after_the_reply_window(calendar: WorkingCalendar) -> None:
    deadlines = compute_deadlines(
        FRIDAY,
        SlaSettings(),
        calendar,
        forwarded_on=dt.date(2026, 12, 1),
        followed_up_on=dt.date(2026, 12, 7),
    )
    assert overdue(deadlines, dt.date(2026, 12, 22)) == []
    assert not may_auto_close(deadlines, dt.date(2026, 12, 21))
    assert may_auto_close(deadlines, dt.date(2026, 12, 22))


def test_every_deadline_has_a_label() -> None:
    assert set(DEADLINE_LABELS) == set(Deadline)


def test_deadlines_from_a_timeline_count_office_days_not_utc_days() -> None:
    # Queued at 23:30 WIB on Friday 27 November 2026 (16:30 UTC): day 0 is that Friday.
    queued = dt.datetime(2026, 11, 27, 16, 30, tzinfo=dt.UTC)
    forwarded = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)
    deadlines = deadlines_for_timeline(
        [("queued", queued), ("forwarded", forwarded)], SlaSettings(), "Asia/Jakarta"
    )
    assert deadlines is not None
    assert deadlines.verify_by == dt.date(2026, 12, 2)
    assert deadlines.follow_up_by == dt.date(2026, 12, 7)
    assert deadlines_for_timeline([("draft", queued)], SlaSettings(), "Asia/Jakarta") is None
