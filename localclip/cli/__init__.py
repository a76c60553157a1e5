"""The ``localclip`` command.

localclip                                   open the main window
localclip gpus [--json]                     the GPUs NVML sees and the worker plan
localclip probe [options]                   the probe job on every planned worker
localclip embed DATASET --model DIR --out OUT [options]
localclip speakers OUT [--min-utterances N] [--normalize]
localclip export OUT --format pkl|npy|ark [--to DIR]
localclip models list|download ID|verify ID|DIR|use ID|DIR
localclip scheduler [--port 8786]           a cluster's scheduler on this machine
localclip node --scheduler tcp://HOST:8786  this machine's GPUs offered to the cluster
localclip embed|clone ... --cluster tcp://HOST:8786   a run on the cluster's nodes
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from localclip import __version__
from localclip.cli.terminal import EXIT_BAD_SETUP, UsageError
from localclip.core.options import EMBED_PRECISION


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="localclip", description="LocalClip: speech work on your own GPUs.")
    parser.add_argument("--version", action="version", version=f"localclip {__version__}")
    commands = parser.add_subparsers(dest="command")
    gpus = commands.add_parser("gpus", help="show the GPUs and the worker plan")
    gpus.add_argument("--json", action="store_true", help="print the probe and the plan as JSON")
    add_plan_options(gpus)
    probe = commands.add_parser("probe", help="run the probe job on every planned worker")
    add_plan_options(probe)
    add_run_options(probe)
    add_embedding_commands(commands)
    from localclip.cli.cloning import add_cloning_commands

    add_cloning_commands(commands, add_plan_options, add_run_options)
    from localclip.cli.models import add_models_command

    add_models_command(commands)
    from localclip.cli.cluster import add_cluster_commands

    add_cluster_commands(commands)
    demo = commands.add_parser("demo", help="the whole pipeline on generated data (no download)")
    demo.add_argument("--folder", type=Path, help="where the demo's data and results go")
    return parser


def add_plan_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--workers", type=int, metavar="N", help="at most N workers (default: the settings)")
    parser.add_argument("--memory-per-worker", type=float, metavar="GB", help="GPU memory per worker")


def add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--worker-python", type=Path, metavar="PATH", help="the worker interpreter")
    parser.add_argument("--events", choices=["jsonl"], help="print every pool event as a JSON line")


def add_embedding_commands(commands: argparse._SubParsersAction) -> None:
    embed = commands.add_parser("embed", help="a WeSpeaker embedding for every clip of a dataset folder")
    embed.add_argument(
        "dataset", type=Path, help="<root>/<speaker>/<clip> or <root>/<dataset>/<speaker>/<clip>"
    )
    embed.add_argument(
        "--model", type=Path, required=True, help="WeSpeaker model folder (config.yaml, avg_model.pt)"
    )
    embed.add_argument("--out", type=Path, required=True, help="output folder (the store lives there)")
    embed.add_argument(
        "--batch-size", type=int, default=0, metavar="N", help="clips per batch (default: adapt)"
    )
    embed.add_argument(
        "--precision",
        choices=EMBED_PRECISION.choices,
        default=None,
        help="the model's arithmetic on a GPU: exact is float32 without TF32; the CPU always computes "
        f"exact (default: the embed/precision setting, {EMBED_PRECISION.default} unless changed)",
    )
    embed.add_argument(
        "--no-skip-existing", action="store_true", help="compute clips already in the store again"
    )
    add_plan_options(embed)
    add_run_options(embed)
    from localclip.cli.cluster import add_cluster_options

    add_cluster_options(embed)
    speakers = commands.add_parser("speakers", help="one embedding per speaker from a store")
    speakers.add_argument("out", type=Path, help="the output folder of `localclip embed`")
    speakers.add_argument("--min-utterances", type=int, default=1, metavar="N")
    speakers.add_argument("--normalize", action="store_true", help="L2-normalise utterances before averaging")
    speakers.add_argument("--no-skip-existing", action="store_true", help="recompute every speaker")
    export = commands.add_parser("export", help="write a store as pickles, NumPy files or Kaldi ark/scp")
    export.add_argument("out", type=Path, help="the output folder of `localclip embed`")
    export.add_argument("--format", choices=["pkl", "npy", "ark"], required=True)
    export.add_argument("--to", type=Path, help="target folder (default: OUT/export-FORMAT)")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from localclip.gui.app import run_app  # only the window needs widgets

        return run_app()
    try:
        return run_command(args)
    except UsageError as error:
        print(f"localclip: {error}", file=sys.stderr)
        return EXIT_BAD_SETUP


def run_command(args: argparse.Namespace) -> int:
    if args.command in ("gpus", "probe"):
        from localclip.cli import probe

        return probe.show_gpus(args) if args.command == "gpus" else probe.run_probe(args)
    if args.command in ("clone", "regenerate", "qa"):
        from localclip.cli import cloning

        run = {"clone": cloning.run_clone, "regenerate": cloning.run_regenerate, "qa": cloning.run_qa}
        return run[args.command](args)
    if args.command in ("scheduler", "node"):
        from localclip.cli import cluster

        return cluster.run_scheduler(args) if args.command == "scheduler" else cluster.run_node(args)
    if args.command == "models":
        from localclip.cli.models import run_models

        return run_models(args)
    if args.command == "demo":
        from localclip.cli.demo import run_demo

        return run_demo(args, lambda argv: run_command(build_parser().parse_args(argv)))
    from localclip.cli import embedding

    commands = {
        "embed": embedding.run_embed,
        "speakers": embedding.run_speakers,
        "export": embedding.run_export,
    }
    return commands[args.command](args)
