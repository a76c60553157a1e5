"""Which lines a cloning worker does next: the scheduling policy of the pool, pure and deterministic.

Workers pull. A unit of work is a run of one speaker's lines, so a worker encodes (or loads) a reference
once and keeps it while it works through that speaker. The policy, in the order a worker asking for work
is served:

1. **Its own queue.** Each speaker's not-yet-sent lines form a queue (a *segment*) owned by the worker
   that serves it; the owner gets the next chunk from the front.
2. **Longest unstarted speaker.** A worker without a queue takes the unowned speaker with the most
   estimated work left (longest first), preferring one whose reference it already has.
3. **Stealing.** When no speaker is left unstarted, the idle worker takes the back half (by estimated
   cost) of the largest queue another worker owns, preferring a speaker it already has. It steals only
   when it would finish that half sooner than the owner: the owner still has its in-flight lines and the
   front half to do, the thief pays a reference switch (`switch_cost`) if it lacks the speaker.

**Chunk size.** Lines already sent cannot be taken back, so a worker is never handed all of a big
speaker at once: a chunk is the front of its queue up to `unsent cost / (2 x workers)` (at least one
line). This is *factoring* (Hummel, Schonberg and Flynn 1992): halving each round's share keeps every
worker's committed work small next to what is left, so the last lines can still be spread out, while a
worker serving one speaker keeps that speaker from chunk to chunk (no extra reference switches).

**Costs.** A line's cost is estimated from its text (`line_units`: its spoken length, where CJK
characters count more, plus a fixed per-line overhead) times a speaker's measured seconds per unit, taken
from `report_done` (until a speaker has a measured line, the measured rate of all speakers, and until
anything is measured, `PRIOR_SECONDS_PER_UNIT`).

`simulate` runs the policy against given line durations as an event simulation (the same calls the pool
makes); `round_robin_makespan` and `longest_first_makespan` are the seeds' strategies, for comparison.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from localclip_worker.text_chunks import spoken_length

LINE_OVERHEAD_UNITS = 10.0  # a line's fixed cost beyond its text (prompt prefill, decode, write), in units
PRIOR_SECONDS_PER_UNIT = 0.05  # a guess (~15 tokens/s without compile), replaced by the first measurement
CHUNK_FACTOR = 2  # a chunk is at most unsent cost / (CHUNK_FACTOR x workers)


class PlannedLine(Protocol):
    """What the scheduler needs of a line: `clone_manifest.LinePlan` and `WorkLine` both have it."""

    @property
    def line_id(self) -> str: ...

    @property
    def speaker(self) -> str: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class WorkLine:
    """A line without a plan (for benchmarks and tests)."""

    line_id: str
    speaker: str
    text: str


def line_units(text: str) -> float:
    """A line's estimated cost in units (about a Latin character each), before any measurement."""
    return spoken_length(text) + LINE_OVERHEAD_UNITS


@dataclass
class SpeakerWork:
    speaker: str
    lines: Sequence[PlannedLine]
    cost: float  # estimated units (`line_units` summed)

    @classmethod
    def of(cls, speaker: str, lines: Sequence[PlannedLine]) -> SpeakerWork:
        return cls(speaker, list(lines), sum(line_units(line.text) for line in lines))


def speaker_work(lines: Iterable[PlannedLine]) -> list[SpeakerWork]:
    """Lines grouped by speaker: speakers in order of first appearance, lines in script order."""
    groups: dict[str, list[PlannedLine]] = {}
    for line in lines:
        groups.setdefault(line.speaker, []).append(line)
    return [SpeakerWork.of(speaker, group) for speaker, group in groups.items()]


@dataclass
class _Segment:
    speaker: str
    lines: deque[str]  # unsent line ids, in script order
    owner: str | None = None


@dataclass
class _Rate:
    seconds: float = 0.0
    units: float = 0.0

    def add(self, seconds: float, units: float) -> None:
        self.seconds += seconds
        self.units += units

    @property
    def value(self) -> float | None:
        return self.seconds / self.units if self.units > 0 else None


@dataclass
class _Worker:
    current: str | None = None  # the speaker of the last unit it was given
    in_flight: list[str] = field(default_factory=list)


class CloneScheduler:
    """The policy above. `workers` is the number of workers sharing the work (it sizes chunks; change it
    with `set_workers` when the pool grows or shrinks); `switch_cost` is the seconds a worker spends on a
    speaker it lacks (reference encoding), weighed against stealing."""

    def __init__(self, work: Sequence[SpeakerWork], workers: int, switch_cost: float = 0.0) -> None:
        self.set_workers(workers)
        self.switch_cost = float(switch_cost)
        self._speaker_of: dict[str, str] = {}
        self._units: dict[str, float] = {}
        self._position: dict[str, int] = {}  # script order, to requeue lines where they were
        self._rank = {item.speaker: rank for rank, item in enumerate(work)}  # ties: the caller's order
        self._segments: list[_Segment] = []
        for item in work:
            self._add_speaker(item)
        self._workers: dict[str, _Worker] = {}
        self._in_flight: dict[str, str] = {}  # line -> worker
        self._finished: set[str] = set()
        self._avoid: dict[str, set[str]] = {}  # line -> workers it must not go back to
        self._rates: dict[str, _Rate] = {}
        self._all_rate = _Rate()
        self.switches = 0  # units that started a speaker the worker did not have
        self.units_sent = 0
        self.steals = 0

    def _add_speaker(self, item: SpeakerWork) -> None:
        if item.speaker in {segment.speaker for segment in self._segments}:
            raise ValueError(f"the speaker {item.speaker!r} is listed twice")
        for line in item.lines:
            if line.line_id in self._speaker_of:
                raise ValueError(f"the line {line.line_id!r} is listed twice")
            self._speaker_of[line.line_id] = item.speaker
            self._units[line.line_id] = line_units(line.text)
            self._position[line.line_id] = len(self._position)
        if item.lines:
            self._segments.append(_Segment(item.speaker, deque(line.line_id for line in item.lines)))

    # --- the pool's calls --------------------------------------------------------------------------

    def set_workers(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"at least one worker is needed, not {workers}")
        self.workers = workers

    def next_unit(self, worker_id: str, worker_has_speaker: Iterable[str] = ()) -> list[str] | None:
        """The next lines for `worker_id` (all of one speaker, to do in order), or None when there is
        nothing it can take now (lines may still come back through `requeue`)."""
        worker = self._workers.setdefault(worker_id, _Worker())
        has = set(worker_has_speaker)
        if worker.current is not None:
            has.add(worker.current)
        for segment in self._candidates(worker_id, has):
            lines = self._take_chunk(segment, worker_id)
            if lines:
                segment.owner = worker_id
                self._send(worker_id, worker, segment.speaker, has, lines)
                return lines
        return None

    def report_done(self, line_id: str, seconds: float) -> bool:
        """A line is finished; its time refines the estimates. False for a line already finished (a
        requeued line that both workers completed) and for lines this scheduler does not know."""
        if line_id not in self._speaker_of or line_id in self._finished:
            return False
        self._finish(line_id)
        if seconds >= 0 and math.isfinite(seconds):
            speaker = self._speaker_of[line_id]
            self._rates.setdefault(speaker, _Rate()).add(seconds, self._units[line_id])
            self._all_rate.add(seconds, self._units[line_id])
        return True

    def report_failed(self, line_id: str) -> bool:
        """A line failed for good (bad input, retries spent): it is not handed out again."""
        if line_id not in self._speaker_of or line_id in self._finished:
            return False
        self._finish(line_id)
        return True

    def requeue(self, line_ids: Iterable[str], avoid_worker: str | None = None) -> list[str]:
        """Send lines again (a worker died or ran out of memory), at the front of their speaker's work.
        With `avoid_worker`, those lines go to another worker while one that has not failed them exists.
        Returns the lines requeued (finished ones are not)."""
        requeued = [line for line in line_ids if line in self._speaker_of and line not in self._finished]
        for line in requeued:
            worker = self._workers.get(self._in_flight.pop(line, ""))
            if worker is not None:
                worker.in_flight.remove(line)
            if avoid_worker is not None:
                self._avoid.setdefault(line, set()).add(avoid_worker)
            for segment in self._segments:
                if line in segment.lines:
                    segment.lines.remove(line)
        by_speaker: dict[str, list[str]] = {}
        for line in sorted(set(requeued), key=self._position.__getitem__):
            by_speaker.setdefault(self._speaker_of[line], []).append(line)
        for speaker, lines in by_speaker.items():
            self._put_back(speaker, lines, separate=avoid_worker is not None)
        return requeued

    def _put_back(self, speaker: str, lines: list[str], separate: bool) -> None:
        """At the front of the speaker's queue, so they are done next; lines a worker must avoid get a
        queue of their own, which any other worker claims before it would steal."""
        queue = None if separate else next((item for item in self._segments if item.speaker == speaker), None)
        if queue is None:
            self._segments.insert(0, _Segment(speaker, deque(lines)))
        else:
            queue.lines.extendleft(reversed(lines))

    def reopen(self, line_id: str) -> bool:
        """A finished line is to be spoken again (a new take of a flagged line): at the front of its
        speaker's work. False for a line that is not finished or not known."""
        if line_id not in self._finished:
            return False
        self._finished.discard(line_id)
        self._put_back(self._speaker_of[line_id], [line_id], separate=False)
        return True

    def worker_gone(self, worker_id: str) -> list[str]:
        """A worker stopped: its in-flight lines are requeued and its queue is left for others."""
        worker = self._workers.get(worker_id)
        if worker is None:
            return []
        requeued = self.requeue(list(worker.in_flight))
        del self._workers[worker_id]
        for segment in self._segments:
            if segment.owner == worker_id:
                segment.owner = None
        return requeued

    # --- state -------------------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return len(self._finished) == len(self._speaker_of)

    @property
    def unsent(self) -> int:
        return sum(len(segment.lines) for segment in self._segments)

    @property
    def in_flight(self) -> dict[str, str]:
        return dict(self._in_flight)

    def speaker_of(self, line_id: str) -> str:
        return self._speaker_of[line_id]

    def line_cost(self, line_id: str) -> float:
        """Estimated seconds of one line."""
        return self._units[line_id] * self._seconds_per_unit(self._speaker_of[line_id])

    def remaining_cost(self) -> float:
        """Estimated seconds of the lines not finished (sent or not)."""
        return sum(self.line_cost(line) for line in self._speaker_of if line not in self._finished)

    # --- the policy --------------------------------------------------------------------------------

    def _candidates(self, worker_id: str, has: set[str]) -> Iterator[_Segment]:
        own = [segment for segment in self._segments if segment.owner == worker_id and segment.lines]
        yield from own
        unowned = [segment for segment in self._segments if segment.owner is None and segment.lines]
        yield from sorted(unowned, key=lambda item: self._claim_key(item, has))
        stolen = self._steal(worker_id, has)
        if stolen is not None:
            yield stolen

    def _claim_key(self, segment: _Segment, has: set[str]) -> tuple[float, int]:
        """Largest first; a speaker the worker has saves it a switch, so counts that much more."""
        saved = self.switch_cost if segment.speaker in has else 0.0
        return (-(self._segment_cost(segment) + saved), self._rank.get(segment.speaker, 0))

    def _steal(self, worker_id: str, has: set[str]) -> _Segment | None:
        victims = [
            segment
            for segment in self._segments
            if segment.owner not in (None, worker_id) and segment.lines and self._may_take(segment, worker_id)
        ]
        for victim in sorted(victims, key=lambda item: self._claim_key(item, has)):
            split = self._split_point(victim)
            back = list(victim.lines)[split:]
            stolen_cost = sum(self.line_cost(line) for line in back)
            switch = 0.0 if victim.speaker in has else self.switch_cost
            owner_finishes = self._in_flight_cost(victim.owner) + self._segment_cost(victim)
            if switch + stolen_cost < owner_finishes:
                for _ in back:
                    victim.lines.pop()
                segment = _Segment(victim.speaker, deque(back), worker_id)
                self._segments.append(segment)
                self.steals += 1
                return segment
        return None

    def _split_point(self, segment: _Segment) -> int:
        """Where the back half (by cost) of a queue starts; a one-line queue is stolen whole."""
        costs = [self.line_cost(line) for line in segment.lines]
        half = sum(costs) / 2
        front = 0.0
        for index, cost in enumerate(costs):
            if front + cost / 2 >= half:
                return index
            front += cost
        return len(costs) - 1

    def _take_chunk(self, segment: _Segment, worker_id: str) -> list[str]:
        target = self._unsent_cost() / (CHUNK_FACTOR * self.workers)
        chunk: list[str] = []
        cost = 0.0
        for line in list(segment.lines):
            if not self._may_send(line, worker_id):
                continue
            line_cost = self.line_cost(line)
            if chunk and cost + line_cost > target * (1 + 1e-9):  # 4 x c/4 must fit despite rounding
                break
            chunk.append(line)
            cost += line_cost
        for line in chunk:
            segment.lines.remove(line)
        return chunk

    def _send(self, worker_id: str, worker: _Worker, speaker: str, has: set[str], lines: list[str]) -> None:
        if speaker not in has:
            self.switches += 1
        worker.current = speaker
        worker.in_flight.extend(lines)
        for line in lines:
            self._in_flight[line] = worker_id
        self.units_sent += 1
        self._segments = [segment for segment in self._segments if segment.lines]

    def _finish(self, line_id: str) -> None:
        self._finished.add(line_id)
        worker = self._in_flight.pop(line_id, None)
        if worker is not None and worker in self._workers:
            self._workers[worker].in_flight.remove(line_id)
        for segment in self._segments:
            if line_id in segment.lines:  # finished elsewhere after a requeue: do not send it again
                segment.lines.remove(line_id)

    def _may_send(self, line_id: str, worker_id: str) -> bool:
        avoided = self._avoid.get(line_id)
        # A line goes back to a worker that failed it only when every worker has failed it.
        return not avoided or worker_id not in avoided or len(avoided) >= self.workers

    def _may_take(self, segment: _Segment, worker_id: str) -> bool:
        return any(self._may_send(line, worker_id) for line in segment.lines)

    def _segment_cost(self, segment: _Segment) -> float:
        return sum(self.line_cost(line) for line in segment.lines)

    def _unsent_cost(self) -> float:
        return sum(self._segment_cost(segment) for segment in self._segments)

    def _in_flight_cost(self, worker_id: str | None) -> float:
        worker = self._workers.get(worker_id) if worker_id is not None else None
        return sum(self.line_cost(line) for line in worker.in_flight) if worker else 0.0

    def _seconds_per_unit(self, speaker: str) -> float:
        rate = self._rates.get(speaker)
        measured = rate.value if rate else None
        if measured is None:
            measured = self._all_rate.value
        return PRIOR_SECONDS_PER_UNIT if measured is None else measured


# --- simulation and the seeds' strategies ----------------------------------------------------------


@dataclass
class SimulationResult:
    makespan: float
    switches: int  # times a worker started a speaker it did not have (each paid `switch_cost`)
    units: int  # units handed out
    steals: int
    finish: dict[str, float]  # each worker's last finishing time


def simulate(
    scheduler: CloneScheduler, durations: dict[str, float], workers: int, switch_cost: float = 0.0
) -> float:
    """The makespan of running `scheduler` with these line durations on `workers` workers."""
    return simulate_detailed(scheduler, durations, workers, switch_cost).makespan


def simulate_detailed(
    scheduler: CloneScheduler, durations: dict[str, float], workers: int, switch_cost: float = 0.0
) -> SimulationResult:
    """An event simulation of the pool: every worker pulls a unit when idle (the same `next_unit` calls),
    does its lines in order, paying `switch_cost` before the first line of a speaker it does not have, and
    each line's completion is reported at its finishing time. Workers with nothing to do wait for the next
    event. Deterministic: ties go to the lower worker number."""
    names = [f"w{number}" for number in range(workers)]
    has: dict[str, set[str]] = {name: set() for name in names}
    finish = dict.fromkeys(names, 0.0)
    events: list[tuple[float, int, int, str, str]] = []  # (time, kind, order, worker, line); 0 = line done
    order = itertools.count()
    switches = 0
    waiting = list(names)
    now = 0.0
    while True:
        for name in list(waiting):
            unit = scheduler.next_unit(name, has[name])
            if unit is None:
                continue
            waiting.remove(name)
            clock = now
            for line in unit:
                speaker = scheduler.speaker_of(line)
                if speaker not in has[name]:
                    has[name].add(speaker)
                    switches += 1
                    clock += switch_cost
                clock += durations[line]
                heapq.heappush(events, (clock, 0, next(order), name, line))
            heapq.heappush(events, (clock, 1, next(order), name, ""))
        if not events:
            break
        now, kind, _, name, line = heapq.heappop(events)
        if kind == 0:
            scheduler.report_done(line, durations[line])
        else:
            finish[name] = now
            waiting.append(name)
            waiting.sort(key=names.index)
    if not scheduler.finished:
        raise RuntimeError(f"the simulation stopped with {scheduler.unsent} line(s) never handed out")
    return SimulationResult(
        max(finish.values(), default=0.0), switches, scheduler.units_sent, scheduler.steals, finish
    )


def ideal_makespan(durations: dict[str, float], workers: int) -> float:
    """Total work shared perfectly: the bound no schedule beats."""
    return sum(durations.values()) / workers


def round_robin_makespan(
    work: Sequence[SpeakerWork], durations: dict[str, float], workers: int, switch_cost: float = 0.0
) -> float:
    """The seeds' load-once workers: speaker i goes to worker i mod N, fixed before the run."""
    loads = [0.0] * workers
    for index, item in enumerate(work):
        loads[index % workers] += switch_cost + sum(durations[line.line_id] for line in item.lines)
    return max(loads)


def longest_first_makespan(
    work: Sequence[SpeakerWork], durations: dict[str, float], workers: int, switch_cost: float = 0.0
) -> float:
    """Whole speakers pulled longest first (by estimated cost): each idle worker takes the largest
    speaker left. Better than round robin, but one speaker longer than total / workers decides the run."""
    free_at = [(0.0, number) for number in range(workers)]
    heapq.heapify(free_at)
    for item in sorted(work, key=lambda entry: -entry.cost):
        start, number = heapq.heappop(free_at)
        seconds = switch_cost + sum(durations[line.line_id] for line in item.lines)
        heapq.heappush(free_at, (start + seconds, number))
    return max(time for time, _ in free_at)
