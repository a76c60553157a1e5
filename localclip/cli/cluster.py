"""``localclip scheduler``, ``localclip node``, and the ``--cluster`` options of ``embed`` and ``clone``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from localclip.cli.terminal import EXIT_BAD_SETUP, UsageError
from localclip.cluster.security import (
    DASHBOARD_PORT,
    DEFAULT_PORT,
    ClusterSetupError,
    ClusterTarget,
    TlsFiles,
)

if TYPE_CHECKING:
    from localclip.settings import Settings


def add_tls_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tls-ca", metavar="FILE", help="the studio's certificate authority (PEM)")
    parser.add_argument("--tls-cert", metavar="FILE", help="this machine's certificate (PEM)")
    parser.add_argument("--tls-key", metavar="FILE", help="this machine's private key (PEM)")


def add_cluster_options(parser: argparse.ArgumentParser) -> None:
    """``--cluster`` and the TLS files, for a run on the studio's cluster instead of this machine."""
    parser.add_argument(
        "--cluster", metavar="ADDRESS", help="run on a Dask cluster of LocalClip nodes (tcp://HOST:8786)"
    )
    add_tls_options(parser)


def add_cluster_commands(commands: argparse._SubParsersAction) -> None:
    scheduler = commands.add_parser("scheduler", help="start a cluster's scheduler on this machine")
    scheduler.add_argument("--host", default="", help="the address to listen on (default: every one)")
    scheduler.add_argument("--port", type=int, default=DEFAULT_PORT)
    scheduler.add_argument(
        "--dashboard-port", type=int, default=DASHBOARD_PORT, help="the dashboard's port (-1: none)"
    )
    add_tls_options(scheduler)
    node = commands.add_parser("node", help="offer this machine's GPUs to a cluster")
    node.add_argument("--scheduler", required=True, metavar="ADDRESS", help="tcp://HOST:8786")
    node.add_argument("--name", help="this machine's name in the cluster (default: its host name)")
    node.add_argument("--models", type=Path, metavar="DIR", help="where this machine's model folders are")
    node.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    node.add_argument("--cpu-workers", type=int, metavar="N", help="workers on a machine without a GPU")
    node.add_argument("--worker-python", type=Path, metavar="PATH", help="the worker interpreter")
    node.add_argument("--scratch", type=Path, metavar="DIR", help="where batches' audio waits while it runs")
    add_tls_options(node)


def tls_files(args: argparse.Namespace) -> TlsFiles | None:
    try:
        return TlsFiles.from_options(args.tls_ca, args.tls_cert, args.tls_key)
    except ClusterSetupError as error:
        raise UsageError(str(error)) from None


def cluster_target(args: argparse.Namespace) -> ClusterTarget | None:
    """The cluster a run was asked to use (``--cluster``), or None. Raises UsageError."""
    if not getattr(args, "cluster", None):
        if any(getattr(args, name, None) for name in ("tls_ca", "tls_cert", "tls_key")):
            raise UsageError("the --tls options are for --cluster runs")
        return None
    try:
        return ClusterTarget.parse(args.cluster, tls_files(args))
    except ClusterSetupError as error:
        raise UsageError(str(error)) from None


def run_scheduler(args: argparse.Namespace) -> int:
    from localclip.cluster.node import serve_scheduler

    return serve_scheduler(args.host, args.port, args.dashboard_port, tls_files(args), _say)


def run_node(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from localclip.cluster.node import NodeOptions, environment_problem, plan_node, serve_node
    from localclip.core.kinds import JobKind
    from localclip.core.machine.gpus import probe_gpus
    from localclip.core.machine.plan import NoUsableGpu
    from localclip.core.models.catalog import models_root
    from localclip.core.options import MODELS_FOLDER
    from localclip.settings import Settings

    settings = Settings()
    tls = tls_files(args)
    try:
        target = ClusterTarget.parse(args.scheduler, tls)
    except ClusterSetupError as error:
        raise UsageError(str(error)) from None
    pythons = _pythons(args, settings)
    options = NodeOptions(
        scheduler=target.address,
        models_root=args.models or models_root(settings.get(MODELS_FOLDER)),
        pythons=pythons,  # by job kind, the worker's job name
        device=args.device,
        tls=tls,
        **({"name": args.name} if args.name else {}),
        **({"scratch": args.scratch} if args.scratch else {}),
    )
    plan_settings = JobKind.EMBED.plan_settings(settings)
    if args.cpu_workers:
        plan_settings = replace(plan_settings, cpu_workers=args.cpu_workers)
    try:
        plan, specs = plan_node(options, probe_gpus(), plan_settings, os.cpu_count() or 1)
    except (NoUsableGpu, ValueError) as error:
        raise UsageError(str(error)) from None
    for line in plan.explanation:
        _say(line)
    problems = [
        f"{python}: {problem}"
        for python in sorted(set(pythons.values()))
        if (problem := environment_problem(python))
    ]
    if problems:
        for problem in problems:
            _say(f"localclip: this node cannot run LocalClip's jobs: {problem}")
        _say("localclip: joining anyway, to tell the coordinators why; it takes no tasks until fixed")
        specs = [replace(spec, problem="; ".join(problems)) for spec in specs]
    _say(f"models from {options.models_root}")
    code = serve_node(options, specs, _say)
    return code if not problems else max(code, EXIT_BAD_SETUP)


def _pythons(args: argparse.Namespace, settings: Settings) -> dict[str, Path]:
    from localclip.core.kinds import JobKind

    return {
        kind.value: args.worker_python or settings.worker_python(kind)
        for kind in (JobKind.EMBED, JobKind.CLONE)
    }


def _say(text: str) -> None:
    print(text, flush=True)


def on_cluster(run: object, target: ClusterTarget) -> object:
    """``run``'s pool: the cluster at ``target``. Raises UsageError."""
    from localclip.runs.setup import SetupError, use_cluster

    try:
        return use_cluster(run, target)  # type: ignore[arg-type]
    except SetupError as error:
        raise UsageError(str(error)) from None
