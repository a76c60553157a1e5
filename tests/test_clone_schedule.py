"""The cloning scheduling policy: the skewed project's makespan against the ideal and the seeds'
strategies, edge cases, speaker switches, stealing, estimates, and recovery calls."""

from __future__ import annotations

import random

import pytest

from localclip.core.cloning.schedule import (
    CloneScheduler,
    SpeakerWork,
    WorkLine,
    ideal_makespan,
    line_units,
    longest_first_makespan,
    round_robin_makespan,
    simulate,
    simulate_detailed,
    speaker_work,
)

SKEWED = [16, 15, 8, 7, 3, 1]  # the seeds' six speakers: speaker 0 alone is more than a quarter
TEXT = "A line of about forty characters, spoken."


def project(counts: list[int], text: str = TEXT) -> list[SpeakerWork]:
    lines = [
        WorkLine(f"s{s}-{n}", f"speaker{s}", text) for s, count in enumerate(counts) for n in range(count)
    ]
    return speaker_work(lines)


def equal_durations(work: list[SpeakerWork], seconds: float = 1.0) -> dict[str, float]:
    return {line.line_id: seconds for item in work for line in item.lines}


def varied_durations(work: list[SpeakerWork], seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    return {line.line_id: rng.uniform(0.7, 1.3) for item in work for line in item.lines}


# --- the skewed project ------------------------------------------------------------------------------


def test_skewed_project_equal_lines_within_ten_percent_and_the_seeds_baselines() -> None:
    work = project(SKEWED)
    durations = equal_durations(work)
    ideal = ideal_makespan(durations, 4)

    result = simulate_detailed(CloneScheduler(work, 4), durations, 4)

    assert ideal == 12.5
    assert result.makespan <= 1.1 * ideal
    assert result.makespan == 13.0  # the best whole-line schedule: 50 lines cannot end at 12.5
    assert round_robin_makespan(work, durations, 4) / ideal == pytest.approx(1.52)  # 16 + 3 lines on worker 0
    assert longest_first_makespan(work, durations, 4) / ideal == pytest.approx(1.28)  # speaker 0 alone
    assert simulate(CloneScheduler(work, 4), durations, 4) == result.makespan


@pytest.mark.parametrize("seed", range(25))
def test_skewed_project_varied_lines_within_ten_percent(seed: int) -> None:
    work = project(SKEWED)
    durations = varied_durations(work, seed)  # each line ±30 %, estimates all equal
    ideal = ideal_makespan(durations, 4)

    makespan = simulate(CloneScheduler(work, 4), durations, 4)

    assert makespan <= 1.1 * ideal
    assert makespan < longest_first_makespan(work, durations, 4) < round_robin_makespan(work, durations, 4)
    assert round_robin_makespan(work, durations, 4) / ideal > 1.3
    assert longest_first_makespan(work, durations, 4) / ideal > 1.15


def test_lines_of_different_lengths_estimated_from_their_text() -> None:
    rng = random.Random(3)
    lines, durations = [], {}
    for speaker, count in enumerate([160, 150, 80, 70, 30, 10]):  # an editor's 500 lines for six speakers
        for number in range(count):
            text = "x" * rng.randint(10, 200) if speaker % 2 else "字" * rng.randint(4, 70)
            line = WorkLine(f"{speaker}-{number}", f"speaker{speaker}", text)
            lines.append(line)
            durations[line.line_id] = line_units(text) * 0.05 * rng.uniform(0.8, 1.2)
    work = speaker_work(lines)

    for workers in (2, 3, 4, 8):
        result = simulate_detailed(CloneScheduler(work, workers, switch_cost=1.0), durations, workers, 1.0)
        assert result.makespan <= 1.05 * ideal_makespan(durations, workers)
        assert result.switches <= len(work) + 2 * workers


# --- edge cases ----------------------------------------------------------------------------------------


def test_one_worker_does_everything_in_one_pass_per_speaker() -> None:
    work = project(SKEWED)
    durations = varied_durations(work, 1)

    result = simulate_detailed(CloneScheduler(work, 1, switch_cost=0.5), durations, 1, switch_cost=0.5)

    assert result.makespan == pytest.approx(sum(durations.values()) + 6 * 0.5)
    assert result.switches == 6 and result.steals == 0


def test_more_workers_than_lines() -> None:
    work = project([2, 1])
    durations = {"s0-0": 1.0, "s0-1": 2.0, "s1-0": 1.5}

    result = simulate_detailed(CloneScheduler(work, 8), durations, 8)

    assert result.makespan == 2.0  # every line on its own worker: the longest line decides
    assert sorted(result.finish.values(), reverse=True)[:3] == [2.0, 1.5, 1.0]


def test_nothing_to_do() -> None:
    scheduler = CloneScheduler([], 4)
    assert scheduler.finished and scheduler.next_unit("w0") is None
    assert simulate(scheduler, {}, 4) == 0.0


# --- speaker switches --------------------------------------------------------------------------------


def test_a_switch_cost_keeps_switches_low_and_still_beats_the_baselines() -> None:
    work = project(SKEWED)
    durations = equal_durations(work)

    for switch_cost in (0.2, 0.5, 1.0):
        result = simulate_detailed(CloneScheduler(work, 4, switch_cost), durations, 4, switch_cost)
        # Six speakers need six switches; speaker 0 (16 of 50 lines) must be split once at least.
        assert 7 <= result.switches <= 9
        assert result.makespan < longest_first_makespan(work, durations, 4, switch_cost)
        assert result.makespan <= 1.1 * (sum(durations.values()) + 7 * switch_cost) / 4


def test_an_expensive_switch_is_not_worth_stealing_for() -> None:
    work = project(SKEWED)
    durations = equal_durations(work)

    result = simulate_detailed(CloneScheduler(work, 4, switch_cost=4.0), durations, 4, 4.0)

    assert result.switches == 6 and result.steals == 0
    assert result.makespan <= longest_first_makespan(work, durations, 4, 4.0)


def test_units_are_one_speaker_in_script_order_and_never_a_whole_big_speaker() -> None:
    work = project(SKEWED)
    scheduler = CloneScheduler(work, 4)

    first = scheduler.next_unit("w0")

    assert first is not None and 1 <= len(first) < 16
    assert first == [f"s0-{n}" for n in range(len(first))]  # the longest speaker, from its first line
    assert {scheduler.speaker_of(line) for line in first} == {"speaker0"}


def test_a_worker_keeps_its_speaker_and_prefers_speakers_it_has() -> None:
    work = project([4, 4, 4])
    scheduler = CloneScheduler(work, 2, switch_cost=0.5)

    unit = scheduler.next_unit("w0", {"speaker2"})  # equal speakers: the one it has wins
    assert unit is not None and scheduler.speaker_of(unit[0]) == "speaker2"
    for line in unit:
        scheduler.report_done(line, 1.0)
    again = scheduler.next_unit("w0")
    assert again is not None and scheduler.speaker_of(again[0]) == "speaker2"  # its own queue first


def test_an_idle_worker_steals_the_back_half_of_the_largest_queue() -> None:
    work = project([16])
    scheduler = CloneScheduler(work, 2)

    owner = scheduler.next_unit("w0")
    thief = scheduler.next_unit("w1")

    assert owner == ["s0-0", "s0-1", "s0-2", "s0-3"]  # a quarter: unsent cost / (2 x 2 workers)
    assert thief is not None and thief[0] == "s0-10"  # the back half of the remaining twelve
    assert scheduler.steals == 1
    rest = []
    while (unit := scheduler.next_unit("w0")) is not None:
        rest += unit
    assert rest[:6] == [f"s0-{n}" for n in range(4, 10)]  # the owner goes on from the front


def test_runs_are_deterministic() -> None:
    work = project(SKEWED)
    durations = varied_durations(work, 7)
    assert simulate_detailed(CloneScheduler(work, 4), durations, 4) == simulate_detailed(
        CloneScheduler(work, 4), durations, 4
    )


# --- estimates -------------------------------------------------------------------------------------


def test_cjk_text_is_estimated_longer_than_the_same_number_of_latin_characters() -> None:
    assert line_units("你好世界") > line_units("abcd")
    assert SpeakerWork.of("s", [WorkLine("1", "s", "abcd")]).cost == line_units("abcd")


def test_measured_times_refine_the_estimates_per_speaker() -> None:
    work = project([3, 3])
    scheduler = CloneScheduler(work, 1)
    before = scheduler.line_cost("s1-1")

    assert scheduler.report_done("s0-0", 2.0)
    assert scheduler.line_cost("s1-1") == pytest.approx(2.0)  # the rate of all speakers, until its own
    assert scheduler.report_done("s1-0", 6.0)
    assert scheduler.line_cost("s1-1") == pytest.approx(6.0)
    assert scheduler.line_cost("s0-1") == pytest.approx(2.0)
    assert before != scheduler.line_cost("s1-1")
    assert not scheduler.report_done("s1-0", 6.0)  # reported twice
    assert not scheduler.report_done("unknown", 1.0)


# --- recovery ----------------------------------------------------------------------------------------


def test_a_lost_worker_has_its_lines_requeued_for_the_others() -> None:
    work = project([12])
    scheduler = CloneScheduler(work, 2)
    unit = scheduler.next_unit("w0")
    assert unit is not None and len(unit) == 3
    scheduler.report_done(unit[0], 1.0)

    requeued = scheduler.worker_gone("w0")

    assert requeued == unit[1:]
    assert scheduler.in_flight == {}
    got = scheduler.next_unit("w1")
    assert got is not None and got[0] == unit[1]  # back at the front
    done = []
    while got:
        done += got
        for line in got:
            scheduler.report_done(line, 1.0)
        got = scheduler.next_unit("w1")
    assert sorted(done) == sorted(f"s0-{n}" for n in range(1, 12)) and scheduler.finished


def test_a_line_that_ran_out_of_memory_goes_to_another_worker_first() -> None:
    work = project([2])
    scheduler = CloneScheduler(work, 2)
    first = scheduler.next_unit("w0")
    assert first is not None
    scheduler.requeue([first[0]], avoid_worker="w0")

    retry = scheduler.next_unit("w0")
    assert retry is None or first[0] not in retry
    other = scheduler.next_unit("w1")
    assert other is not None and first[0] in other


def test_an_avoided_line_still_goes_to_the_only_worker() -> None:
    scheduler = CloneScheduler(project([1]), 1)
    (line,) = scheduler.next_unit("w0") or []
    scheduler.requeue([line], avoid_worker="w0")
    assert scheduler.next_unit("w0") == [line]


def test_a_line_finished_elsewhere_is_not_sent_again() -> None:
    scheduler = CloneScheduler(project([2]), 2)
    unit = scheduler.next_unit("w0")
    assert unit is not None
    scheduler.requeue(unit)
    for line in unit:
        scheduler.report_done(line, 1.0)  # the slow worker finished after all
    assert scheduler.unsent == 2 - len(unit)


def test_failed_lines_are_not_handed_out_again() -> None:
    scheduler = CloneScheduler(project([3]), 1)
    unit = scheduler.next_unit("w0") or []
    assert scheduler.report_failed(unit[0]) and not scheduler.report_failed(unit[0])
    for line in unit[1:]:
        scheduler.report_done(line, 1.0)
    while (more := scheduler.next_unit("w0")) is not None:
        for line in more:
            scheduler.report_done(line, 1.0)
    assert scheduler.finished


def test_bad_work_is_refused() -> None:
    line = WorkLine("1", "a", "text")
    with pytest.raises(ValueError, match="listed twice"):
        CloneScheduler([SpeakerWork.of("a", [line]), SpeakerWork.of("b", [line])], 2)
    with pytest.raises(ValueError, match="listed twice"):
        CloneScheduler([SpeakerWork.of("a", [line]), SpeakerWork.of("a", [])], 2)
    with pytest.raises(ValueError, match="at least one worker"):
        CloneScheduler([], 0)
