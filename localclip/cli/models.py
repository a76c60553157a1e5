"""``localclip models``: the model catalog, downloads (resumable), verification, and the folders in use.

localclip models list [--json]
localclip models download ID [--token T] [--to DIR] [--events jsonl]
localclip models verify ID|DIR
localclip models use ID|DIR

A download shows a progress bar on stderr; Ctrl+C pauses it (the ``.part`` files stay, the same command
continues them). ``--events jsonl`` prints one JSON object per line on stdout instead, which the model
manager dialog reads. The access token comes from ``--token`` or the ``HF_TOKEN`` environment variable
and is never printed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from localclip.cli.terminal import (
    EXIT_BAD_SETUP,
    EXIT_CANCELLED,
    EXIT_ITEMS_FAILED,
    EXIT_OK,
    TerminalRun,
    UsageError,
)
from localclip.core.kinds import JobKind, ModelKind
from localclip.core.models.catalog import (
    CATALOG,
    CatalogModel,
    UnknownModel,
    default_folder,
    find_model,
    folder_problem,
    kind_of_folder,
    model_status,
    models_root,
    read_manifest,
    verify_folder,
)
from localclip.core.models.download import (
    DownloadError,
    DownloadPaused,
    DownloadProgress,
    HubClient,
    ModelDownloader,
)
from localclip.core.options import MODELS_FOLDER
from localclip.core.units import format_bytes
from localclip.settings import Settings

KIND_NAMES = {ModelKind.WESPEAKER: "WeSpeaker", ModelKind.FISH: "Fish-Speech"}
SETUP_ERRORS = ("gated", "unauthorized", "folder")  # the user must change something before a retry helps
EVENT_INTERVAL = 0.1  # seconds between progress events


def add_models_command(commands: argparse._SubParsersAction) -> None:
    models = commands.add_parser("models", help="list, download, verify and choose models")
    actions = models.add_subparsers(dest="models_command", required=True)
    listing = actions.add_parser("list", help="the models LocalClip knows and their state")
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    download = actions.add_parser("download", help="download a model (Ctrl+C pauses; run again to resume)")
    download.add_argument("id", help="a model id from `localclip models list`")
    download.add_argument("--token", help="Hugging Face access token for gated models (or set HF_TOKEN)")
    download.add_argument("--to", type=Path, metavar="DIR", help="target folder (default: the models folder)")
    download.add_argument("--events", choices=["jsonl"], help="print progress as JSON lines on stdout")
    verify = actions.add_parser("verify", help="check a model folder's files and checksums")
    verify.add_argument("target", help="a model id or a folder")
    use = actions.add_parser("use", help="make a model folder the one LocalClip works with")
    use.add_argument("target", help="a model id (downloaded) or a folder")


def run_models(args: argparse.Namespace) -> int:
    commands = {"list": list_models, "download": download_model, "verify": verify_model, "use": use_model}
    return commands[args.models_command](args)


# --- list ---------------------------------------------------------------------------------------------


def list_models(args: argparse.Namespace) -> int:
    settings = Settings()
    in_use = {kind: settings.get(JobKind.for_model(kind).model_dir_option) for kind in ModelKind}
    rows = []
    for model in CATALOG:
        status = model_status(model, default_folder(model, settings.get(MODELS_FOLDER)))
        used = bool(in_use[model.kind]) and _same_folder(Path(in_use[model.kind]), status.folder)
        rows.append((model, status, used))
    if args.json:
        data = [
            {
                "id": model.id,
                "name": model.display_name,
                "kind": model.kind,
                "repo": model.repo,
                "revision": model.revision,
                "gated": model.gated,
                "licence": model.licence,
                "approx_bytes": model.approx_bytes,
                "folder": str(status.folder),
                "state": status.state.value,
                "detail": status.detail,
                "in_use": used,
            }
            for model, status, used in rows
        ]
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"Models folder: {models_root(settings.get(MODELS_FOLDER))}")
    for model, status, used in rows:
        gated = "  (gated: needs an access token)" if model.gated else ""
        marker = "  [in use]" if used else ""
        print(f"\n{model.id}{marker}\n  {model.display_name}, {format_bytes(model.approx_bytes)}{gated}")
        print(f"  {status.state.value}: {status.detail}")
    for kind, folder in in_use.items():
        if folder:
            print(f"\n{KIND_NAMES[kind]} model in use: {folder}")
    return EXIT_OK


# --- download -----------------------------------------------------------------------------------------


def download_model(args: argparse.Namespace) -> int:
    model = _catalog_model(args.id)
    folder = args.to or default_folder(model, Settings().get(MODELS_FOLDER))
    terminal = TerminalRun(events=args.events == "jsonl")
    reporter = _ProgressReporter(terminal)
    terminal.emit("download_started", model=model.id, folder=str(folder), repo=model.repo)
    terminal.say(f"Downloading {model.display_name} from {model.repo} into {folder}")
    try:
        client = HubClient(token=args.token)
        result = ModelDownloader(model, folder, client, progress=reporter.update).run()
    except DownloadError as error:
        reporter.close()
        terminal.emit("error", code=error.code, message=error.message)
        terminal.say(f"localclip: {error.message}")
        return EXIT_BAD_SETUP if error.code in SETUP_ERRORS else EXIT_ITEMS_FAILED
    except (DownloadPaused, KeyboardInterrupt):
        reporter.close()
        terminal.emit("paused", folder=str(folder))
        terminal.say(f"Paused. What arrived stays in {folder}; run the same command again to resume.")
        return EXIT_CANCELLED
    reporter.close()
    terminal.emit(
        "finished",
        folder=str(folder),
        commit=result.commit,
        downloaded=result.downloaded,
        already_there=result.already_there,
        set_aside=result.set_aside,
    )
    for name in result.set_aside:
        terminal.say(f"A different file was in the way and was renamed {name}.")
    terminal.say(f"Done: {model.display_name} is in {folder} and verified.")
    terminal.say(f"To work with it: localclip models use {model.id}")
    return EXIT_OK


class _ProgressReporter:
    """Progress as throttled events, or as a tqdm bar on stderr."""

    def __init__(self, terminal: TerminalRun) -> None:
        self.terminal = terminal
        self._bar: Any = None
        self._last = 0.0
        self._file = ""

    def update(self, progress: DownloadProgress) -> None:
        now = time.monotonic()
        new_file = progress.file != self._file
        finished_file = progress.file_total is not None and progress.file_done >= progress.file_total
        if not (new_file or finished_file or now - self._last >= EVENT_INTERVAL):
            return
        self._last, self._file = now, progress.file
        fields = {
            "file": progress.file,
            "file_done": progress.file_done,
            "file_total": progress.file_total,
            "done": progress.done,
            "total": progress.total,
        }
        self.terminal.emit("progress", **fields)
        if not self.terminal.events:
            self._show(progress)

    def _show(self, progress: DownloadProgress) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(
                total=progress.total,
                initial=progress.done,
                unit="B",
                unit_scale=True,
                unit_divisor=1000,
                file=sys.stderr,
                dynamic_ncols=True,
            )
        self._bar.set_description_str(progress.file, refresh=False)
        self._bar.n = progress.done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


# --- verify and use -----------------------------------------------------------------------------------


def verify_model(args: argparse.Namespace) -> int:
    model, folder = _resolve_target(args.target)
    if model is not None and not folder.exists():
        print(f"{model.display_name} is not downloaded yet ({folder}): localclip models download {model.id}")
        return EXIT_ITEMS_FAILED
    terminal = TerminalRun(events=False)
    bar = _HashBar(folder)
    try:
        report = verify_folder(folder, model, progress=bar.update)
    finally:
        bar.close()
    name = model.display_name if model else f"{KIND_NAMES.get(report.kind or '', 'unknown')} model"
    if not report.ok:
        print(f"{folder}: {name} has problems:")
        for problem in report.problems:
            print(f"  - {problem}")
        return EXIT_ITEMS_FAILED
    for note in report.notes:
        terminal.say(f"note: {note}")
    checked = f"; checksums match for {', '.join(report.checked)}" if report.checked else ""
    print(f"OK: {folder} is a usable {name}{checked}")
    return EXIT_OK


class _HashBar:
    """A progress bar for checksumming, shown once there is something to checksum."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._bar: Any = None

    def update(self, count: int) -> None:
        if self._bar is None:
            from tqdm import tqdm

            total = sum(path.stat().st_size for path in self.folder.iterdir() if path.is_file())
            self._bar = tqdm(
                total=total, unit="B", unit_scale=True, unit_divisor=1000, file=sys.stderr, leave=False
            )
        self._bar.update(count)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def use_model(args: argparse.Namespace) -> int:
    model, folder = _resolve_target(args.target)
    kind: ModelKind | None = model.kind if model else kind_of_folder(folder)
    if kind is None:
        raise UsageError(
            f"{folder} holds no model LocalClip knows (a WeSpeaker folder has config.yaml and avg_model.pt; "
            "a Fish-Speech folder has config.json, model.pth, tokenizer.tiktoken and codec.pth)"
        )
    if problem := folder_problem(kind, folder):
        hint = f" (download it first: localclip models download {model.id})" if model else ""
        raise UsageError(problem + hint)
    settings = Settings()
    settings.set(JobKind.for_model(kind).model_dir_option, str(folder.resolve()))
    settings.sync()
    print(f"{KIND_NAMES[kind]} model in use: {folder.resolve()}")
    return EXIT_OK


def _resolve_target(target: str) -> tuple[CatalogModel | None, Path]:
    """A catalog id (its folder in the models folder) or a folder (with its catalog model, when the
    folder's manifest names one)."""
    if any(model.id == target for model in CATALOG):
        model = find_model(target)
        return model, default_folder(model, Settings().get(MODELS_FOLDER))
    folder = Path(target)
    if not folder.exists():
        known = ", ".join(model.id for model in CATALOG)
        raise UsageError(f"{target} is neither a folder nor a model LocalClip knows ({known})")
    manifest = read_manifest(folder)
    try:
        return (find_model(manifest.model_id) if manifest else None), folder
    except UnknownModel:
        return None, folder


def _catalog_model(model_id: str) -> CatalogModel:
    try:
        return find_model(model_id)
    except UnknownModel as error:
        raise UsageError(str(error)) from None


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
