"""What a run on the cluster costs per clip: a loopback Dask cluster of N workers against N local workers.

    .venv/bin/python bench/cluster.py [--clips 400] [--seconds 2 5] [--workers 2] [--rounds 3]
                                      [--max-rounds N] [--tuned] [--work DIR]
                                      [--out docs/benchmarks/cluster-cpu-2core.json]

The same embedding job, run through the real commands, alternately:

- **local**: ``localclip embed DATASET --model M --out OUT --device cpu --workers N``;
- **cluster**: ``localclip embed DATASET --model M --out OUT --cluster tcp://127.0.0.1:PORT``, against a
  ``localclip scheduler --host 127.0.0.1`` and one ``localclip node --device cpu --cpu-workers N`` process
  on this machine, the node with its own copy of the model in its ``--models`` folder (found by its
  fingerprint, as on a studio's machines) and its own scratch folder. Nothing is shared but the disk: the
  clips' bytes travel to the node's Dask workers and the embeddings back, over loopback TCP;
- **cluster-tuned** (``--tuned``): the same, the scheduler and node started with TUNED_DASK (Dask's own
  periodic work turned down through its environment variables). Since then nodes and the scheduler apply
  these settings themselves (``localclip/cluster/node.py`` ``DASK_QUIET``), so ``--tuned`` adds nothing.

The model is a WeSpeaker ResNet34 of real size (embed_dim 256) with random weights, as in bench/embed.py:
the same compute as a trained model. The clips are generated voices of ``--seconds`` (default 2-5 s) in
every accepted format. Both sides get N workers of cores // N torch threads each (on 2 cores: 2 x 1, the
app's CPU plan; the workers' ``ready`` events confirm it, and it is recorded).

**Start-up, on equal terms.** Every measured run starts cold on both sides: the local command starts its
worker processes, and each cluster run gets a fresh scheduler and node (started and joined *outside* the
measured time, so the node's LocalClip workers start with the run's first batch, as the local workers
start with the command). Figures per run:

- ``steady``: from the first worker's ``ready`` event (torch imported, model loaded) to the last clip's
  result: start-up left out on both sides. **This is the per-clip figure**: seconds per clip = steady
  seconds / clips, and the headline ratio is cluster / local of it (the issue's bar: overhead under 5 %).
  Times come from the command's own event stream (``--events jsonl``), each line stamped with the wall
  clock as it arrives; a cluster worker's ``ready`` from the scheduler's event log, as the coordinator's
  stream has none of the nodes' worker events (Dask stamps each with the Dask worker's address, under the
  key ``worker`` that LocalClip's session reads as the worker's name: docs/benchmarks.md).
- ``end to end``: the command from launch to exit (start-up included on both sides: for the cluster also
  connecting to the scheduler and the first batch's trip), and the run's own ``seconds`` (its report).
- CPU seconds by process role (coordinator, LocalClip workers, and on the cluster the scheduler, the
  node's nannies and its Dask worker processes), and the machine's CPU by state during the run
  (/proc/stat): busy time no process of the run used is other tenants'.

This machine is shared and noisy: after one warm-up run of each mode (disk cache, byte-compiled modules,
not counted), rounds of one run per mode, each round in another order (every mode goes first in turn),
each round's cluster / local ratio taken within the round. A round is *quiet* when other tenants used
under QUIET_SHARE of the machine during each of its runs; rounds are run until ``--rounds`` quiet ones
or ``--max-rounds`` in all. Reported: the median ratio over the quiet rounds (over all rounds when none
was quiet, and said so), and every raw figure. The CPU ratio and the machinery's extra CPU (everything
but the LocalClip workers, over the local run's) move much less with other tenants than wall times do:
on a machine whose cores the workers keep busy, that extra CPU is throughput taken from them. Also
recorded, to find where any overhead goes: the batches (items per batch and worker: the log's "ran a
batch" lines, a local worker's jobs from ``item_started``), how many times each worker loaded the model
(``ready`` events), the tail (from the first worker's last result to the last result).

Not measured: cloning on the cluster (a real-size S1-mini on 2 CPU cores takes minutes for a handful of
lines and several GB per worker, see bench/clone.py's figures; the cluster's clone path is tested with
tiny models in tests/test_cluster.py), TLS, several machines (loopback has no network cost: on a LAN,
scatter and result fetch add the bytes' transfer time), GPUs (where a node's Dask processes run on cores
the model does not need). ``--out`` writes the raw run as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import psutil
import soundfile

# bench/: this script's folder is on sys.path
from embed import CLIPS_PER_SPEAKER, MIXED_FORMATS, cpu_of_children, elapsed, make_model, say, worker_packages
from machine import machine_facts

from localclip.core.demo_data import make_dataset
from localclip.core.paths import bundled_worker_python

TARGET_OVERHEAD = 0.05  # the issue's bar: the cluster's seconds per clip within 5 % of local workers'
JOIN_TIMEOUT_S = 180.0
RUN_TIMEOUT_S = 900.0
SETTLE_S = 2.0  # after start-up (and before every run): let the machine's load from starting settle
CPU_POLL_S = 0.5
# A round counts only if no run of it shared the machine with other tenants using more than this share of
# its capacity; others are run again, up to --max-rounds in all.
QUIET_SHARE = 0.05
MIN_QUIET = 2  # quiet rounds needed for the figures to come from them alone
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
WORKER_ROLE = "LocalClip workers"
COORDINATOR_ROLE = "coordinator (localclip embed)"
# ``--tuned``: Dask's periodic work in the scheduler, nannies and Dask workers turned down (environment
# variables Dask reads as its configuration); LocalClip's code is the same. Dask's defaults: every Dask
# worker samples its threads' stacks every 10 ms for the dashboard's profile, every process checks its
# event loop every 20 ms and reads its CPU and memory every 0.5 s, the scheduler looks for tasks to steal
# every second (LocalClip pins every task to its worker: nothing can be stolen).
TUNED_DASK = {
    "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
    "DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL": "1s",
    "DASK_DISTRIBUTED__ADMIN__SYSTEM_MONITOR__INTERVAL": "5s",
    "DASK_DISTRIBUTED__SCHEDULER__WORK_STEALING": "False",
}
BATCH_LINE = re.compile(r"ran a batch of (\d+)")
APP_PACKAGES = ("PySide6", "localclip", "psutil", "distributed", "dask", "msgpack", "tornado", "cloudpickle")


# -- set-up ---------------------------------------------------------------------------------------------


def make_workload(folder: Path, clips: int, seconds: tuple[float, float]) -> list[Path]:
    marker = folder / ".made"
    wanted = f"{clips} {seconds[0]} {seconds[1]}"
    if marker.is_file() and marker.read_text(encoding="utf-8") == wanted:
        return sorted(p for p in folder.rglob("*") if p.is_file() and p != marker)
    shutil.rmtree(folder, ignore_errors=True)
    speakers = -(-clips // CLIPS_PER_SPEAKER)
    paths = make_dataset(folder, speakers, CLIPS_PER_SPEAKER, seconds, MIXED_FORMATS, seed=0)
    for surplus in paths[clips:]:
        surplus.unlink()
    marker.write_text(wanted, encoding="utf-8")
    return sorted(paths[:clips])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def localclip_command(*args: Any) -> list[str]:
    return [sys.executable, "-m", "localclip", *map(str, args)]


class LoopbackCluster:
    """A ``localclip scheduler`` and one ``localclip node`` process on 127.0.0.1, each logging to a file;
    their process trees are stopped (Ctrl+C, then killed) on exit."""

    def __init__(self, folder: Path, models: Path, workers: int, env: dict[str, str]) -> None:
        self.folder, self.models, self.workers, self.env = folder, models, workers, env
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def __enter__(self) -> LoopbackCluster:
        try:
            self.scheduler = self._start(
                "scheduler", "--host", "127.0.0.1", "--port", self.port, "--dashboard-port", -1
            )
            self._wait_for(self.logs[-1], "scheduler at", JOIN_TIMEOUT_S)
            self.node = self._start(
                "node", "--scheduler", self.address, "--name", "bench", "--models", self.models,
                "--device", "cpu", "--cpu-workers", self.workers, "--scratch", self.folder / "scratch",
            )  # fmt: skip
            self._wait_for(self.logs[-1], "joined", JOIN_TIMEOUT_S)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _start(self, *args: Any) -> subprocess.Popen:
        log = self.folder / f"{args[0]}.log"
        self.logs.append(log)
        env = {**self.env, "PYTHONUNBUFFERED": "1"}
        with log.open("wb") as out:
            process = subprocess.Popen(
                localclip_command(*args), stdout=out, stderr=subprocess.STDOUT, env=env
            )
        self.processes.append(process)
        return process

    def _wait_for(self, log: Path, text: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if text in log.read_text(encoding="utf-8", errors="replace"):
                return
            if any(process.poll() is not None for process in self.processes):
                break
            time.sleep(0.1)
        raise SystemExit(
            f"{text!r} not in {log}:\n{log.read_text(encoding='utf-8', errors='replace')[-3000:]}"
        )

    def roles(self) -> dict[int, str]:
        """Every process of the cluster by its role (the node's children are its Dask worker processes,
        theirs the LocalClip workers)."""
        roles = {self.scheduler.pid: "scheduler", self.node.pid: "node (nannies)"}
        with contextlib.suppress(psutil.Error):
            for child in psutil.Process(self.node.pid).children(recursive=True):
                roles[child.pid] = role_of(child, "Dask workers")
        return roles

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in reversed(self.processes):
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(psutil.Error):
                    for child in psutil.Process(process.pid).children(recursive=True):
                        child.kill()
                process.kill()
                process.wait(30)


def role_of(process: psutil.Process, otherwise: str) -> str:
    try:
        command = " ".join(process.cmdline())
    except psutil.Error:
        return otherwise
    if "localclip_worker" in command:
        return WORKER_ROLE
    if "resource_tracker" in command or "forkserver" in command:
        return "multiprocessing helpers"
    return otherwise


def machine_counters() -> dict[str, float]:
    """The whole machine's CPU time by state (/proc/stat, seconds) and its major page faults and pages read
    (/proc/vmstat); empty where there is no /proc."""
    try:
        fields = Path("/proc/stat").read_text(encoding="ascii").splitlines()[0].split()[1:9]
        vmstat = dict(line.split() for line in Path("/proc/vmstat").read_text(encoding="ascii").splitlines())
    except (OSError, ValueError):
        return {}
    user, nice, system, idle, iowait, irq, softirq, steal = (int(value) / CLOCK_TICKS for value in fields)
    return {
        "busy_s": user + nice + system + irq + softirq,
        "idle_s": idle,
        "iowait_s": iowait,
        "steal_s": steal,
        "major_faults": int(vmstat.get("pgmajfault", 0)),
        "read_mb": int(vmstat.get("pgpgin", 0)) / 1024,  # pgpgin counts KiB
    }


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def quiet(run: dict[str, Any]) -> bool:
    """Whether other tenants left the machine alone during the run: their busy time under QUIET_SHARE of
    its capacity (cores x wall time). Without /proc, every run counts as quiet."""
    others = run["machine_during_run"].get("others_busy_s")
    return others is None or others <= QUIET_SHARE * (os.cpu_count() or 1) * run["seconds"]


def machine_during(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """What the machine did while a run ran: its CPU by state, major page faults, what was read from disk."""
    return {key: round(after[key] - before[key], 2) for key in before} if before and after else {}


class CpuByRole:
    """CPU seconds of processes by role, polled in a thread: those alive at the start count from then on,
    those started later count whole; a process that ends is counted up to its last reading."""

    def __init__(self, roles: Any) -> None:
        self._roles = roles  # () -> {pid: role}
        self._start: dict[int, float] = {}
        self._last: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> CpuByRole:
        for pid, (_, seconds) in self._read().items():
            self._start[pid] = seconds
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._last.update(self._read())

    def _read(self) -> dict[int, tuple[str, float]]:
        readings = {}
        for pid, role in self._roles().items():
            if self._last.get(pid, ("",))[0] == WORKER_ROLE:  # once seen (a zombie has no cmdline)
                role = WORKER_ROLE
            with contextlib.suppress(psutil.Error):
                times = psutil.Process(pid).cpu_times()
                readings[pid] = (role, times.user + times.system)
        return readings

    def _poll(self) -> None:
        while not self._stop.wait(CPU_POLL_S):
            self._last.update(self._read())

    def figures(self, pids: set[int] | None = None) -> dict[str, float]:
        """CPU seconds by role (of ``pids`` only, if given)."""
        totals: Counter[str] = Counter()
        for pid, (role, seconds) in self._last.items():
            if pids is None or pid in pids:
                totals[role] += seconds - self._start.get(pid, 0.0)
        return {role: round(seconds, 2) for role, seconds in sorted(totals.items())}


# -- one run --------------------------------------------------------------------------------------------


def run_embed(
    mode: str, model: Path, dataset: Path, work: Path, env: dict[str, str], workers: int, models: Path
) -> dict[str, Any]:
    out = work / f"out-{mode}"
    shutil.rmtree(out, ignore_errors=True)
    if mode.startswith("cluster"):
        folder = Path(tempfile.mkdtemp(prefix="cluster-", dir=work))
        dask_env = {**env, **(TUNED_DASK if mode == "cluster-tuned" else {})}  # the scheduler's and node's
        with LoopbackCluster(folder, models, workers, dask_env) as cluster:
            time.sleep(SETTLE_S)
            extra = ["--cluster", cluster.address]
            run = timed(model, dataset, out, extra, env, cluster.roles, cluster.address)
        shutil.rmtree(folder, ignore_errors=True)
    else:
        time.sleep(SETTLE_S)
        run = timed(model, dataset, out, ["--device", "cpu", "--workers", str(workers)], env)
    shutil.rmtree(out, ignore_errors=True)
    return {"mode": mode, **run}


def timed(
    model: Path,
    dataset: Path,
    out: Path,
    extra: list[str],
    env: dict[str, str],
    cluster_roles: Any = None,
    cluster: str = "",
) -> dict[str, Any]:
    """One ``localclip embed`` run: every event line stamped with the wall clock as it arrives (the
    events' own ``t`` counts from the command's start-up, so the stamps anchor it), the CPU by role."""
    command = localclip_command("embed", dataset, "--model", model, "--out", out, "--events", "jsonl", *extra)
    process: subprocess.Popen | None = None
    ours: set[int] = set()  # the command's process tree

    def roles() -> dict[int, str]:
        found = dict(cluster_roles()) if cluster_roles is not None else {}
        if process is not None:
            found[process.pid] = COORDINATOR_ROLE
            ours.add(process.pid)
            with contextlib.suppress(psutil.Error):
                for child in psutil.Process(process.pid).children(recursive=True):
                    found[child.pid] = role_of(child, "coordinator's other processes")
                    ours.add(child.pid)
        return found

    lines: list[tuple[float, str]] = []
    load = os.getloadavg()[0]
    counters = machine_counters()
    own_before, children_before = own_cpu(), cpu_of_children()
    with CpuByRole(roles) as cpu, tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        launched = time.time()
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=stderr, text=True, encoding="utf-8", env=env
        )
        assert process.stdout is not None
        for line in process.stdout:
            lines.append((time.time(), line))
        process.wait(RUN_TIMEOUT_S)
        wall = time.perf_counter() - started
        machine = machine_during(counters, machine_counters())
        command_cpu = cpu_of_children() - children_before
        own = own_cpu() - own_before
        stderr.seek(0)
        errors = stderr.read().decode("utf-8", errors="replace")
    events = []
    for arrived, line in lines:
        if line.startswith("{"):
            events.append({**json.loads(line), "arrived": arrived})
    reports = [event["report"] for event in events if event["event"] == "embed_finished"]
    if process.returncode != 0 or not reports:
        raise SystemExit(f"localclip embed failed ({process.returncode}):\n{errors[-3000:]}")
    anchor = min(event["arrived"] - event["t"] for event in events)  # the wall clock at the events' t = 0
    readies = [
        (anchor + e["t"], e["worker"], e["message"])
        for e in events
        if e["event"] == "worker_event" and e["message"]["type"] == "ready"
    ]
    relayed = 0
    if cluster:
        # The nodes' worker events, as the scheduler logged them (its wall clock; Dask stamps each with the
        # Dask worker's address): the coordinator's own stream has none of them (docs/benchmarks.md).
        readies, relayed = scheduler_readies(cluster)
    figures = from_events(events, anchor, readies)
    # The command's tree is measured exactly (getrusage of the children waited for): what polling missed
    # (a local worker's last half second before it exited) goes to its workers, or to the coordinator.
    by_role = cpu.figures()
    missed = command_cpu - sum(cpu.figures(ours).values())
    if missed > 0:
        role = WORKER_ROLE if WORKER_ROLE in cpu.figures(ours) else COORDINATOR_ROLE
        by_role[role] = round(by_role.get(role, 0.0) + missed, 2)
    return {
        "command": " ".join(["localclip", *map(str, command[3:])]),
        "load_average_before": round(load, 2),
        "seconds": round(wall, 3),
        "report_seconds": reports[0]["seconds"],
        "events_start_after_launch_s": round(anchor - launched, 3),
        "done": reports[0]["done"],
        "failed": reports[0]["failed"],
        **figures,
        "worker_events_in_coordinator_stream": sum(1 for e in events if e["event"] == "worker_event"),
        **({"worker_events_logged_by_scheduler": relayed} if cluster else {}),
        "cpu_seconds_total_of_command": round(command_cpu, 2),  # the command and its workers (getrusage)
        "cpu_seconds_by_role": by_role,
        "benchmark_cpu_seconds": round(own, 2),  # this script's own polling and reading
        # others_busy_s: busy CPU time no process of the run (nor this script) used: other tenants
        "machine_during_run": {
            **machine,
            **(
                {"others_busy_s": round(machine["busy_s"] - sum(by_role.values()) - own, 2)}
                if machine
                else {}
            ),
        },
    }


def scheduler_readies(address: str) -> tuple[list[tuple[float, str, dict[str, Any]]], int]:
    """The ``ready`` events of the cluster's LocalClip workers from the scheduler's event log (wall clock,
    the Dask worker's name), and how many worker events it holds."""
    from distributed import Client

    from localclip.cluster.wire import WORKER_TOPIC

    with Client(address, timeout=30, set_as_default=False) as client:
        logged = client.get_events(WORKER_TOPIC)
        names = {
            address: str(worker.get("name"))
            for address, worker in client.scheduler_info(n_workers=-1)["workers"].items()
        }
    readies = []
    for stamp, message in logged:
        event = message.get("event", {}) if isinstance(message, dict) else {}
        if event.get("type") == "ready":
            worker = str(message.get("worker"))
            readies.append((float(stamp), names.get(worker, worker), event))
    return readies, len(logged)


def from_events(
    events: list[dict[str, Any]], anchor: float, readies: list[tuple[float, str, dict[str, Any]]]
) -> dict[str, Any]:
    """The run's timings (wall clock, from ``anchor``: the events' t = 0): readiness, results, batches,
    the tail."""
    done = [e for e in events if e["event"] == "item_done"]
    if not readies or not done:
        raise SystemExit("the run reported no ready worker or no result")
    first_ready = min(stamp for stamp, _, _ in readies) - anchor
    last_done = max(e["t"] for e in done)
    last_by_worker: dict[str, float] = defaultdict(float)
    done_by_worker: Counter[str] = Counter()
    for event in done:
        last_by_worker[event["worker"]] = max(last_by_worker[event["worker"]], event["t"])
        done_by_worker[event["worker"]] += 1
    # The batches: on the cluster from the log's "ran a batch of N" lines (in the order they came back, with
    # when); a local worker's jobs are its runs of consecutive item_started events (one job at a time each).
    batches: dict[str, list[int]] = defaultdict(list)
    batch_done_t: dict[str, list[float]] = defaultdict(list)
    for event in events:
        found = BATCH_LINE.search(event.get("line", "")) if event["event"] == "worker_log" else None
        if found:
            batches[event["worker"]].append(int(found[1]))
            batch_done_t[event["worker"]].append(round(event["t"], 3))
    previous: dict[str, Any] = {}
    for event in events if not batches else ():
        if event["event"] == "item_started":
            same = previous.get("event") == "item_started" and previous.get("worker") == event["worker"]
            if same:
                batches[event["worker"]][-1] += 1
            else:
                batches[event["worker"]].append(1)
        previous = event
    threads = sorted({message.get("threads", os.cpu_count()) for _, _, message in readies})
    return {
        "workers": len({worker for _, worker, _ in readies}),
        "torch_threads_per_worker": threads[0] if len(threads) == 1 else threads,
        "model_loads_by_worker": dict(sorted(Counter(worker for _, worker, _ in readies).items())),
        "load_seconds": [round(message.get("load_seconds", 0.0), 2) for _, _, message in readies],
        "first_ready_t": round(first_ready, 3),
        "first_result_t": round(min(e["t"] for e in done), 3),
        "last_result_t": round(last_done, 3),
        "steady_seconds": round(last_done - first_ready, 3),
        "tail_seconds": round(last_done - min(last_by_worker.values()), 3),
        "results_by_worker": dict(sorted(done_by_worker.items())),
        "batches_by_worker": dict(sorted(batches.items())),
        **({"batch_results_t_by_worker": dict(sorted(batch_done_t.items()))} if batch_done_t else {}),
    }


# -- the benchmark --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clips", type=int, default=400)
    parser.add_argument("--seconds", type=float, nargs=2, default=(2.0, 5.0), metavar=("MIN", "MAX"))
    parser.add_argument("--workers", type=int, default=2, help="N: local workers and the node's CPU workers")
    parser.add_argument("--rounds", type=int, default=3, help="quiet rounds of local and cluster to measure")
    parser.add_argument("--max-rounds", type=int, help="rounds in all at most (default: 2 x --rounds)")
    parser.add_argument(
        "--tuned",
        action="store_true",
        help="also a cluster whose Dask processes run with TUNED_DASK's settings",
    )
    parser.add_argument("--work", type=Path, help="scratch folder, kept (default: a temporary one)")
    parser.add_argument("--out", type=Path, help="write the raw run as JSON here")
    args = parser.parse_args()
    python = bundled_worker_python()
    work = (args.work or Path(tempfile.mkdtemp(prefix="localclip-bench-cluster-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    clips = make_workload(work / "dataset", args.clips, tuple(args.seconds))
    model, dataset = work / "model", work / "dataset"
    make_model(model, python)
    models = work / "node models"  # the node's own copy, found by name and fingerprint
    shutil.rmtree(models, ignore_errors=True)
    shutil.copytree(model, models / model.name)
    config = work / "config"  # default settings for every process, not the user's
    config.mkdir(exist_ok=True)
    env = {**os.environ, "LOCALCLIP_CONFIG_DIR": str(config), "PYTHONUTF8": "1"}
    audio = sum(soundfile.info(str(clip)).duration for clip in clips)
    megabytes = sum(clip.stat().st_size for clip in clips) / 2**20
    say(f"{len(clips)} clips, {audio:.0f} s of audio, {megabytes:.1f} MB; set-up {elapsed(started)}")

    modes = ["local", "cluster", *(["cluster-tuned"] if args.tuned else [])]
    runs: list[dict[str, Any]] = []

    def measure(label: str, order: list[str]) -> bool:
        for mode in order:
            say(f"{label}: {mode} (load average {os.getloadavg()[0]:.2f})")
            run = run_embed(mode, model, dataset, work, env, args.workers, models)
            if run["done"] != len(clips) or run["failed"]:
                raise SystemExit(
                    f"the {mode} run did not embed every clip: {run['done']} done, {run['failed']} failed"
                )
            run = {"round": label, **run, "quiet": quiet(run)}
            runs.append(run)
            others = run["machine_during_run"].get("others_busy_s", 0.0)
            say(
                f"  {run['seconds']:.1f} s end to end, {run['steady_seconds']:.1f} s steady, "
                f"batches {run['batches_by_worker']}, tail {run['tail_seconds']:.1f} s, other tenants "
                f"{others:.1f} CPU s{'' if run['quiet'] else ': not quiet'}"
            )
        return all(run["quiet"] for run in runs if run["round"] == label)

    measure("warm-up", modes)
    number = quiet_rounds = 0
    while quiet_rounds < args.rounds and number < (args.max_rounds or 2 * args.rounds):
        number += 1
        turn = (number - 1) % len(modes)  # each round's order turned by one: every mode goes first in turn
        quiet_rounds += measure(f"round {number}", modes[turn:] + modes[:turn])

    results = summarize(runs, len(clips), args.rounds)
    print_table(runs, results, len(clips))
    if args.out:
        record = {
            "command": " ".join([".venv/bin/python bench/cluster.py", *sys.argv[1:]]),
            "date": time.strftime("%Y-%m-%d"),
            "machine": machine_facts(APP_PACKAGES, worker_packages=worker_packages(python)),
            "workload": {
                "job": "embed",
                "clips": len(clips),
                "audio_seconds": round(audio, 1),
                "clip_seconds": list(args.seconds),
                "megabytes": round(megabytes, 1),
                "formats": sorted({f"{c.suffix} {soundfile.info(str(c)).subtype}" for c in clips}),
                "model": "WeSpeaker ResNet34, embed_dim 256, random weights",
                "device": "cpu",
                "workers": args.workers,
                "cluster": "loopback: one localclip scheduler and one localclip node (--device cpu "
                f"--cpu-workers {args.workers}) on 127.0.0.1, a fresh one per run, joined before timing",
                "local": f"localclip embed --device cpu --workers {args.workers}",
                "timing": "steady: first worker's ready event to the last result (start-up out on both "
                "sides); end to end: the command from launch to exit (start-up in on both sides)",
                "rounds": f"{args.rounds} quiet rounds wanted, {number} run (a round is quiet when other "
                f"tenants used under {QUIET_SHARE:.0%} of the machine during each of its runs)",
                "order": [f"{run['round']}: {run['mode']}" for run in runs],
            },
            "results": results,
            "runs": runs,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def machinery(run: dict[str, Any]) -> float:
    """CPU seconds of everything but the LocalClip workers: the coordinator, and the cluster's processes."""
    return sum(seconds for role, seconds in run["cpu_seconds_by_role"].items() if role != WORKER_ROLE)


def all_cpu(run: dict[str, Any]) -> float:
    return sum(run["cpu_seconds_by_role"].values())


def summarize(runs: list[dict[str, Any]], clips: int, rounds: int) -> dict[str, Any]:
    """Per mode: the medians; per cluster mode: its ratios to the local run of the same round, over the quiet
    rounds and over every round. The figures come from the quiet rounds if there are at least MIN_QUIET
    (or ``rounds``, if fewer) of them, else from every round (and say so)."""
    measured = [run for run in runs if run["round"] != "warm-up"]
    by_round: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for run in measured:
        by_round[run["round"]][run["mode"]] = run
    quiet_rounds = {name for name, pair in by_round.items() if all(run["quiet"] for run in pair.values())}
    enough = len(quiet_rounds) >= min(MIN_QUIET, rounds)
    kept = [run for run in measured if run["round"] in quiet_rounds] if enough else measured
    source = "quiet_rounds" if enough else "all_rounds"
    modes = list(dict.fromkeys(run["mode"] for run in measured))
    per_mode = {}
    for mode in modes:
        steady = [run["steady_seconds"] for run in kept if run["mode"] == mode]
        wall = [run["seconds"] for run in kept if run["mode"] == mode]
        per_mode[mode] = {
            "steady_seconds": steady,
            "seconds": wall,
            "median_steady_seconds": round(statistics.median(steady), 3),
            "median_seconds": round(statistics.median(wall), 3),
            "seconds_per_clip": round(statistics.median(steady) / clips, 4),
            "clips_per_s": round(clips / statistics.median(steady), 3),
            "end_to_end_clips_per_s": round(clips / statistics.median(wall), 3),
            "median_cpu_seconds": round(statistics.median(all_cpu(r) for r in kept if r["mode"] == mode), 2),
            "median_machinery_cpu_seconds": round(
                statistics.median(machinery(r) for r in kept if r["mode"] == mode), 2
            ),
        }
    comparisons = {}
    for mode in modes[1:]:
        comparison: dict[str, Any] = {}
        for scope, names in (("quiet_rounds", quiet_rounds), ("all_rounds", set(by_round))):
            pairs = [by_round[name] for name in sorted(names) if {mode, "local"} <= by_round[name].keys()]
            if not pairs:
                continue
            ratios = {
                key: [round(pair[mode][key] / pair["local"][key], 4) for pair in pairs]
                for key in ("steady_seconds", "seconds", "report_seconds")
            }
            # CPU: every process of the run (start-up included on both sides), and the machinery's extra CPU
            # (all but the LocalClip workers, over local's) as a share of the local run's CPU: on a machine
            # whose cores the workers keep busy, about what it takes from them. Other tenants hardly move
            # either, as they move wall times.
            ratios["cpu_seconds"] = [round(all_cpu(pair[mode]) / all_cpu(pair["local"]), 4) for pair in pairs]
            extra = [
                round((machinery(pair[mode]) - machinery(pair["local"])) / all_cpu(pair["local"]), 4)
                for pair in pairs
            ]
            comparison[scope] = {
                "rounds": len(pairs),
                "ratios_by_round": ratios,
                "median_ratio_steady": round(statistics.median(ratios["steady_seconds"]), 4),
                "median_ratio_end_to_end": round(statistics.median(ratios["seconds"]), 4),
                "median_ratio_cpu": round(statistics.median(ratios["cpu_seconds"]), 4),
                "extra_machinery_cpu_share_by_round": extra,
                "median_extra_machinery_cpu_share": round(statistics.median(extra), 4),
            }
        headline = comparison[source]
        comparison["overhead_per_clip"] = round(headline["median_ratio_steady"] - 1, 4)
        comparison["from"] = source
        comparison["met"] = comparison["overhead_per_clip"] < TARGET_OVERHEAD
        comparisons[f"{mode} / local"] = comparison
    return {
        "per_mode": per_mode,
        "from": f"{source}: {len(quiet_rounds)} of {len(by_round)} rounds quiet (at least "
        f"{min(MIN_QUIET, rounds)} needed to use only those)",
        "comparisons": comparisons,
        "target": f"overhead per clip < {TARGET_OVERHEAD:.0%}",
        "quiet_rounds": sorted(quiet_rounds),
        "rounds_wanted": rounds,
    }


def print_table(runs: list[dict[str, Any]], results: dict[str, Any], clips: int) -> None:
    print(f"{clips} clips; steady = first worker ready -> last result; end to end = command launch -> exit")
    header = (
        f"{'round':<9} {'mode':<13} {'load':>5} {'end s':>7} {'steady s':>9} {'ms/clip':>8} {'clips/s':>8} "
        f"{'ready at':>9} {'tail s':>7} {'loads':>6} {'CPU s':>6} {'other':>6}  batches per worker"
    )
    print(header)
    for run in runs:
        loads = sum(run["model_loads_by_worker"].values())
        batches = "; ".join(
            f"{len(sizes)}: {','.join(map(str, sizes))}" for sizes in run["batches_by_worker"].values()
        )
        print(
            f"{run['round']:<9} {run['mode']:<13} {run['load_average_before']:>5.2f} {run['seconds']:>7.1f} "
            f"{run['steady_seconds']:>9.1f} {1000 * run['steady_seconds'] / clips:>8.1f} "
            f"{clips / run['steady_seconds']:>8.2f} {run['first_ready_t']:>9.1f} {run['tail_seconds']:>7.1f} "
            f"{loads:>6} {sum(run['cpu_seconds_by_role'].values()):>6.1f} {machinery(run):>6.1f}  {batches}"
        )
    print("CPU s: all processes of the run; other: all but the LocalClip workers. By role (measured runs):")
    for run in runs:
        if run["round"] != "warm-up":
            roles = ", ".join(f"{role} {seconds:.1f}" for role, seconds in run["cpu_seconds_by_role"].items())
            print(f"  {run['round']:<9} {run['mode']:<13} {roles}")
    print(f"quiet rounds: {', '.join(results['quiet_rounds']) or 'none'}; figures from {results['from']}")
    for name, comparison in results["comparisons"].items():
        for scope in ("quiet_rounds", "all_rounds"):
            if scope in comparison:
                figures = comparison[scope]
                ratios = figures["ratios_by_round"]
                print(
                    f"{name}, {scope.replace('_', ' ')}: steady {ratios['steady_seconds']}, end to end "
                    f"{ratios['seconds']}, CPU {ratios['cpu_seconds']}; machinery's extra CPU / local CPU "
                    f"{figures['extra_machinery_cpu_share_by_round']}"
                )
        verdict = "met" if comparison["met"] else "NOT met"
        headline = comparison[comparison["from"]]
        print(
            f"  median ratio (steady, per clip, {comparison['from']}): "
            f"{headline['median_ratio_steady']:.3f} -> "
            f"overhead {comparison['overhead_per_clip']:+.1%} ({results['target']}: {verdict}); end to end "
            f"{headline['median_ratio_end_to_end']:.3f}; CPU {headline['median_ratio_cpu']:.3f}; machinery's "
            f"extra CPU {headline['median_extra_machinery_cpu_share']:+.1%} of local's"
        )


if __name__ == "__main__":
    sys.exit(main())
