"""``localclip node`` and ``localclip scheduler``: a machine joining the studio's cluster, and the scheduler.

A node plans its workers from NVML as a local run does, one Dask worker per GPU (``GPU=1`` and one
LocalClip slot each), or CPU workers on a machine without a usable GPU. Each Dask worker runs under a Dask
nanny (restarted if it dies) and hosts a warm LocalClip worker (:mod:`localclip.cluster.host`). Before it
joins, the node checks its worker environments with the ``probe`` job: a node whose environment cannot
work still joins, tells the coordinators why, and offers no slot, so it takes no tasks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from localclip.cluster.host import HostSpec, LocalClipHost
from localclip.cluster.security import TlsFiles, security_for
from localclip.cluster.wire import GPU_RESOURCE, SLOT_RESOURCE
from localclip.core.machine.gpus import GpuReport
from localclip.core.machine.plan import PlanSettings, WorkerPlan, plan_workers, worker_threads
from localclip.pool.driver import WorkerDriver
from localclip.pool.launch import WorkerConfigError, WorkerLaunch

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 180.0  # a cold Windows disk imports torch slowly
CONNECT_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class NodeOptions:
    scheduler: str  # the full address (security.scheduler_address)
    models_root: Path
    pythons: dict[str, Path]  # worker job kind -> interpreter
    name: str = field(default_factory=socket.gethostname)
    device: str = "auto"
    scratch: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "localclip-node")
    tls: TlsFiles | None = None
    connect_timeout: float = CONNECT_TIMEOUT_S


def node_name(name: str) -> str:
    """A machine name that can stand in a Dask worker's name ("<node>/<n>")."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in name.strip())[:64]
    return cleaned or "node"


def plan_node(
    options: NodeOptions, report: GpuReport, settings: PlanSettings, cores: int
) -> tuple[WorkerPlan, list[HostSpec]]:
    """One Dask worker per GPU the plan uses (or the plan's CPU workers), each with its thread share."""
    plan = plan_workers(report, replace(settings, max_workers_per_gpu=1), device=options.device)
    threads = worker_threads(plan.device, len(plan.slots), cores, settings)
    memory = {gpu.uuid: gpu.memory_total for gpu in report.gpus}
    name = node_name(options.name)
    pythons = tuple(sorted((kind, str(python)) for kind, python in options.pythons.items()))
    specs = [
        HostSpec(
            node=name,
            worker_name=f"{name}/{slot.worker_id}",
            pythons=pythons,
            models_root=str(options.models_root),
            scratch=str(options.scratch / f"worker-{slot.worker_id}"),
            gpu_uuid=slot.gpu_uuid if slot.device == "cuda" else None,
            gpu_name=slot.gpu_name,
            gpu_memory_bytes=int(memory.get(slot.gpu_uuid or "", 0)),
            torch_threads=threads.torch,
            io_threads=threads.io or 4,
        )
        for slot in plan.slots
    ]
    return plan, specs


def environment_problem(python: Path, timeout: float = PROBE_TIMEOUT_S) -> str:
    """Why the worker environment at ``python`` cannot work (the probe job on the CPU), else ""."""
    try:
        with WorkerDriver([WorkerLaunch("probe", python)]) as driver:
            run = driver.run("probe", [{"id": "probe"}], {}, timeout=timeout)
    except WorkerConfigError as error:
        return str(error)
    except TimeoutError:
        return f"the worker environment {python} did not answer within {timeout:.0f} s"
    if "probe" in run.results:
        return ""
    if run.summary.get("setup_error"):
        return str(run.summary["setup_error"])
    failure = run.failures.get("probe")
    return failure[1] if failure else f"the worker environment {python} does not start"


def resources_of(spec: HostSpec) -> dict[str, float]:
    """What a Dask worker offers: a LocalClip slot (none while the node cannot work), and its GPU."""
    if spec.problem:
        return {}
    return {SLOT_RESOURCE: 1, **({GPU_RESOURCE: 1} if spec.gpu_uuid else {})}


# Dask's background timers, slowed where LocalClip does not need them: measured on a 2-core loopback
# cluster (bench/cluster.py, docs/benchmarks.md), they took 13.8 % of the CPU the model workers used at
# the defaults, 6.0 % with these. Tasks are pinned to their worker (no stealing), LocalClip's workers report
# their own progress (no profiler), and a node's health needs no 20 ms tick.
DASK_QUIET = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.scheduler.work-stealing": False,
}


def serve_node(options: NodeOptions, specs: list[HostSpec], say: Callable[[str], None]) -> int:
    """Run the node's Dask workers until interrupted (Ctrl+C) or the scheduler goes away; the exit code."""
    try:
        return asyncio.run(_serve_node(options, specs, say))
    except KeyboardInterrupt:
        say("node stopped")
        return 0


async def _serve_node(options: NodeOptions, specs: list[HostSpec], say: Callable[[str], None]) -> int:
    import dask
    from distributed import Nanny

    dask.config.set(DASK_QUIET)
    security = security_for(options.tls)
    nannies = [
        Nanny(
            options.scheduler,
            nthreads=1,
            name=spec.worker_name,
            resources=resources_of(spec),
            plugins=(LocalClipHost(spec),),
            security=security,
            memory_limit=0,  # the model's memory is the LocalClip worker's, not Dask's to manage
            local_directory=str(options.scratch / "dask"),
            death_timeout=options.connect_timeout,
            dashboard=False,
            config=DASK_QUIET,  # for the worker process the nanny starts
        )
        for spec in specs
    ]
    try:
        await asyncio.wait_for(asyncio.gather(*(nanny.start() for nanny in nannies)), options.connect_timeout)
    except (TimeoutError, OSError) as error:
        say(f"cannot join the scheduler at {options.scheduler}: {error or 'no answer'}")
        await _close(nannies)
        return 1
    say(f"joined {options.scheduler} with {len(nannies)} worker{'s' if len(nannies) != 1 else ''}")
    dashboard = await _dashboard(options.scheduler, security)
    if dashboard:
        say(f"dashboard: {dashboard}")
    try:
        await asyncio.gather(*(nanny.finished() for nanny in nannies))
    finally:
        await _close(nannies)
    return 0


async def _close(nannies: list[Any]) -> None:
    for nanny in nannies:
        with contextlib.suppress(Exception):
            await nanny.close(timeout=10)


async def _dashboard(address: str, security: Any) -> str:
    """The scheduler's dashboard link, if it serves one."""
    from distributed import Client

    try:
        async with Client(address, security=security, asynchronous=True, timeout=10) as client:
            info = client.scheduler_info()
    except Exception:  # only a hint for the user: the node works without it
        return ""
    port = info.get("services", {}).get("dashboard")
    host = address.split("://", 1)[-1].rsplit(":", 1)[0]
    return f"http://{host}:{port}/status" if port else ""


def serve_scheduler(
    host: str, port: int, dashboard_port: int, tls: TlsFiles | None, say: Callable[[str], None]
) -> int:
    """Run a Dask scheduler until interrupted; the exit code."""
    try:
        return asyncio.run(_serve_scheduler(host, port, dashboard_port, tls, say))
    except KeyboardInterrupt:
        say("scheduler stopped")
        return 0


async def _serve_scheduler(
    host: str, port: int, dashboard_port: int, tls: TlsFiles | None, say: Callable[[str], None]
) -> int:
    import dask
    from distributed import Scheduler

    dask.config.set(DASK_QUIET)
    protocol = "tls" if tls else "tcp"
    try:
        scheduler = Scheduler(
            host=host or None,
            port=port,
            protocol=protocol,
            dashboard=dashboard_port >= 0,
            dashboard_address=f":{dashboard_port}" if dashboard_port >= 0 else None,
            security=security_for(tls),
        )
        await scheduler
    except OSError as error:
        say(f"cannot start the scheduler on port {port}: {error}")
        return 1
    listening_everywhere = host in ("", "0.0.0.0")  # noqa: S104 (a comparison, not a bind)
    shown_host = socket.gethostname() if listening_everywhere else host
    say(f"scheduler at {protocol}://{shown_host}:{scheduler.port}")
    dashboard = scheduler.services.get("dashboard")
    if dashboard is not None:
        say(f"dashboard: http://{shown_host}:{dashboard.port}/status")
    else:
        say("no dashboard (install bokeh for one)")
    say(f"nodes join with: localclip node --scheduler {protocol}://{shown_host}:{scheduler.port}")
    try:
        await scheduler.finished()
    finally:
        await scheduler.close()
    return 0
