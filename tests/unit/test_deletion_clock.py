"""DeletionClock with fake wall and run clocks: a clock set ahead deletes nothing early; real time passing does."""

from __future__ import annotations

from chat_server.storage.deletion_clock import EARLIEST, DeletionClock
from tests.support import FakeClock

DAY = 86400.0
START = 1_800_000_000.0


def clocks() -> tuple[FakeClock, FakeClock, DeletionClock]:
    wall, run = FakeClock(START), FakeClock(50.0)
    return wall, run, DeletionClock(wall, run)


def test_it_follows_the_wall_clock_while_both_agree():
    wall, run, deletion = clocks()
    assert deletion.now() == START
    wall.now += 600
    run.now += 600
    assert deletion.now() == START + 600 and deletion.ahead() == 0


def test_a_wall_clock_set_a_year_ahead_is_followed_only_as_fast_as_the_run_s_own_time():
    wall, run, deletion = clocks()
    wall.now += 365 * DAY
    assert deletion.now() == START
    assert deletion.ahead() == 365 * DAY
    run.now += 3600
    assert deletion.now() == START + 3600


def test_a_wall_clock_set_back_is_followed_at_once():
    wall, run, deletion = clocks()
    wall.now -= 30 * DAY
    assert deletion.now() == START - 30 * DAY
    wall.now += 30 * DAY  # set right again
    assert deletion.now() == START


def test_the_anchor_is_the_newest_time_the_data_holds_so_a_wrong_clock_at_start_deletes_nothing_early():
    wall, run, deletion = clocks()  # started with the clock a year ahead
    wall.now += 365 * DAY
    deletion = DeletionClock(wall, run)
    deletion.anchor_at(START - DAY)  # the newest message was said yesterday
    assert deletion.now() == START - DAY
    run.now += 2 * DAY  # a run that really lasts two days
    assert deletion.now() == START + DAY


def test_an_anchor_in_the_future_leaves_the_wall_clock_in_charge():
    wall, run, deletion = clocks()
    deletion.anchor_at(START + 365 * DAY)  # messages stamped by a clock that was a year ahead
    assert deletion.now() == START


def test_a_message_is_stamped_by_the_wall_clock_while_it_is_sane():
    wall, run, deletion = clocks()
    assert deletion.stamp() == START
    wall.now -= 3600  # an hour back (NTP): still a possible time, followed
    assert deletion.stamp() == START - 3600


def test_a_wall_clock_before_earliest_stamps_the_last_sane_reading_plus_the_run_s_own_time():
    wall, run, deletion = clocks()
    run.now += 60
    assert deletion.stamp() == START
    wall.now = 3600.0  # 1970: a dead CMOS battery
    run.now += 10
    assert deletion.stamp() == START + 10
    run.now += 5
    assert deletion.stamp() == START + 15  # still going on, never back


def test_a_run_started_in_1970_stamps_from_the_newest_time_in_the_data_else_earliest():
    wall, run = FakeClock(3600.0), FakeClock(0.0)
    assert DeletionClock(wall, run).stamp() == EARLIEST
    deletion = DeletionClock(wall, run)
    deletion.anchor_at(START)
    run.now += 30
    assert deletion.stamp() == START + 30
