"""``localclip demo``: the whole pipeline on generated data, with models of random weights.

Runs the probe job on every planned worker, then embeds a generated dataset of synthetic voices (every
accepted format) with a WeSpeaker ResNet34 of random weights built on the spot, aggregates the speakers
and prints how alike they are, then clones the example project in resources/ with a tiny Fish-Speech
model of random weights, checking every take with that WeSpeaker model and a tiny Whisper of random
weights, and prints where the clips are. Nothing is downloaded; a second run reuses what the first made.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np

from localclip.cli.terminal import EXIT_OK, UsageError
from localclip.core.demo_data import make_dataset
from localclip.core.kinds import ModelKind
from localclip.core.paths import SOURCE_ROOT, resources_dir
from localclip.runs.setup import demo_model_command
from localclip.settings import Settings

RECOGNISER_KIND = "recogniser"  # localclip_worker.demo_models: a tiny Whisper (take checks)
DEMO_NOTE = (
    "Demo models have random weights: the numbers show LocalClip's pipeline working, not who is speaking,\n"
    "and the cloned clips are noise in the shape of speech. Real WeSpeaker models (config.yaml +\n"
    "avg_model.pt) come from the WeSpeaker model hub; point `localclip embed --model` at one. The real\n"
    "Fish-Speech model, OpenAudio S1-mini, comes from its hub repository (gated: it needs your access token\n"
    "and licence acceptance); point `localclip clone --model` at its folder. Takes are checked with the\n"
    "WeSpeaker model and a Whisper folder from Hugging Face (openai/whisper-large-v3-turbo, or\n"
    "openai/whisper-small on a CPU): `localclip clone ... --speaker-model DIR --recogniser DIR`."
)


def run_demo(args: argparse.Namespace, run: Callable[[list[str]], int]) -> int:
    """The demo's steps, each a ``localclip`` command line given to ``run`` (the command line's own
    dispatcher, passed in so this module does not import the package that imports it)."""
    folder: Path = args.folder or SOURCE_ROOT / "build" / "demo"
    dataset, model, out = (
        folder / "dataset",
        folder / "models" / "wespeaker-resnet34-random",
        folder / "embeddings",
    )
    steps = [
        ["probe"],
        ["embed", str(dataset), "--model", str(model), "--out", str(out)],
        ["speakers", str(out), "--normalize"],
    ]
    print("== 1. the probe job on every planned worker", flush=True)
    run(steps[0])
    if not dataset.exists():
        make_dataset(dataset, speakers=4, clips_per_speaker=8)
    if not model.exists():
        build_demo_model(model)
    print(f"\n== 2. embeddings of {dataset} (4 synthetic voices, WAV/FLAC/OGG/MP3)", flush=True)
    if run(steps[1]) != EXIT_OK:
        raise UsageError("the demo's embedding run did not finish cleanly (see above)")
    print("\n== 3. one embedding per speaker", flush=True)
    run(steps[2])
    print_similarities(out)
    clone_example(folder, model, run)
    print(f"\nEverything is in {folder}.\n{DEMO_NOTE}")
    return EXIT_OK


def clone_example(folder: Path, speaker_model: Path, run: Callable[[list[str]], int]) -> None:
    """Clone the example project (three speakers; English, Chinese and Japanese lines) with a tiny model,
    every take checked (docs/qa.md) with the demo's speaker model and a tiny recogniser."""
    from localclip.runs.clone import chosen_outputs

    project, model = folder / "example_project", folder / "models" / "fish-speech-tiny-random"
    recogniser = folder / "models" / "whisper-tiny-random"
    if not project.exists():
        shutil.copytree(resources_dir() / "example_project", project, ignore=shutil.ignore_patterns("output"))
    if not model.exists():
        build_demo_model(model, ModelKind.FISH)
    if not recogniser.exists():
        build_demo_model(recogniser, RECOGNISER_KIND)
    print(f"\n== 4. voice cloning of {project} (Fish-Speech, tiny model; takes checked)", flush=True)
    arguments = ["clone", str(project), "--model", str(model), "--seed", "1", "--max-new-tokens", "48"]
    arguments += ["--speaker-model", str(speaker_model), "--recogniser", str(recogniser)]
    if run(arguments) != EXIT_OK:
        raise UsageError("the demo's cloning run did not finish cleanly (see above)")
    for line, path in sorted(chosen_outputs(project).items()):
        print(f"  {line}: {path}")


def build_demo_model(folder: Path, kind: str = ModelKind.WESPEAKER) -> None:
    command = demo_model_command(Settings(), folder, kind)
    completed = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", check=False)
    if completed.returncode != 0:
        error = completed.stderr.strip()[-500:]
        raise UsageError(f"could not build the demo model with {command[0]}: {error}")


def print_similarities(out: Path) -> None:
    from localclip.core.embedding.similarity import cosine_similarity
    from localclip.core.embedding.store import EmbeddingStore

    with EmbeddingStore.open_existing(out) as store:
        speakers = store.speakers(with_utterances=False)
    names = [speaker.speaker for speaker in speakers]
    similarity = cosine_similarity(np.stack([speaker.embedding for speaker in speakers]))
    print("\ncosine similarity of the speakers' embeddings:")
    print(" " * 12 + "".join(f"{name[-10:]:>12}" for name in names))
    for name, row in zip(names, similarity, strict=True):
        print(f"{name[-10:]:>12}" + "".join(f"{value:>12.3f}" for value in row))
