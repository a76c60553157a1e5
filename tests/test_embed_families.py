"""Every WeSpeaker model family LocalClip loads (CAM++, ECAPA-TDNN, ERes2Net; ResNet in
test_embedding_worker.py): tiny models of WeSpeaker's own classes with random weights, loaded strictly from
a model folder, whose batched embeddings equal WeSpeaker's ``extract_embedding`` file by file.

CAM++ and ECAPA-TDNN batch only clips of equal length (no mask can make their utterance-wide layers
exact); ERes2Net batches any lengths, masked, as ResNet does.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.test_embedding_worker import (
    SCRIPTS,
    TOLERANCE,
    relative_errors,
    speech_like,
    worker_run,
    write16,
)

EMBED_DIM = 32
FAMILIES = {  # factory name in config.yaml -> (family, grouping)
    "CAMPPlus": ("CAM++", "equal_length"),
    "ECAPA_TDNN_c512": ("ECAPA-TDNN", "equal_length"),
    "ERes2Net34_Base": ("ERes2Net", "masked"),
}
SECONDS = (0.3, 0.8, 1.3, 2.0, 2.0, 2.0, 2.7, 3.6, 1.1)  # three of equal length: one batch for every family


@pytest.fixture(scope="module")
def family_clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("family clips")
    paths = [write16(folder / f"clip {i} 声.wav", speech_like(s, 500 + i)) for i, s in enumerate(SECONDS)]
    stereo = np.stack([speech_like(1.7, 600, 44100), speech_like(1.7, 601, 44100)], axis=1)
    paths.append(write16(folder / "stereo 44k.wav", stereo, 44100))
    return paths


@pytest.fixture(scope="module", params=sorted(FAMILIES))
def family_model(request: pytest.FixtureRequest, worker_python: Path, tmp_path_factory) -> tuple[str, Path]:
    name = request.param
    folder = tmp_path_factory.mktemp("family") / name
    worker_run(
        worker_python, SCRIPTS / "make_wespeaker_model.py", folder, "--model", name, "--embed-dim", EMBED_DIM
    )
    return name, folder


def test_each_family_batches_equal_to_wespeaker(
    worker_python: Path, family_model: tuple[str, Path], family_clips: list[Path], tmp_path: Path
) -> None:
    name, model_dir = family_model
    reference = tmp_path / "wespeaker.npy"
    worker_run(worker_python, SCRIPTS / "wespeaker_reference.py", model_dir, reference, *family_clips)
    want = np.load(reference)
    assert want.shape == (len(family_clips), EMBED_DIM)

    pipeline = tmp_path / "pipeline.npy"
    worker_run(
        worker_python, SCRIPTS / "embed_files.py", model_dir, pipeline, *family_clips, "--batch-frames", 4000
    )
    assert relative_errors(np.load(pipeline), want).max() <= TOLERANCE

    family, grouping = FAMILIES[name]
    for batch_size in (8, 0):  # batched, and one clip per pass (the CPU's way)
        out = tmp_path / f"job{batch_size}.npy"
        facts = json.loads(
            worker_run(
                worker_python, SCRIPTS / "embed_files.py", model_dir, out, *family_clips, "--job", batch_size
            ).splitlines()[-1]
        )
        assert (facts["family"], facts["grouping"], facts["model_name"]) == (family, grouping, name)
        errors = relative_errors(np.load(out), want)
        assert errors.max() <= TOLERANCE, (batch_size, facts, errors.max())
        if batch_size:
            lengths = len(set(SECONDS)) + 1  # the three 2 s clips share a pass; the stereo clip is its own
            assert facts["batches"] == (lengths if grouping == "equal_length" else 2), facts
        else:
            assert facts["forward"] in ("frozen oneDNN graph", "module"), facts
    # Random weights must still tell clips apart, or equal embeddings would prove little.
    unit = want / np.linalg.norm(want, axis=1, keepdims=True)
    assert (unit @ unit.T)[np.triu_indices(len(want), 1)].min() < 0.999


STRICT = """
import json, sys, torch
from pathlib import Path
from localclip_worker.embedding.models import ModelError, load_model_dir
good, root = Path(sys.argv[1]), Path(sys.argv[2])
weights = torch.load(good / "avg_model.pt", weights_only=True)
first = next(iter(weights))
variants = {
    "missing": {k: v for k, v in weights.items() if k != first},
    "extra": {**weights, "head.extra": torch.zeros(2)},
}
messages = {}
for name, data in variants.items():
    (root / name).mkdir(parents=True)
    (root / name / "config.yaml").write_bytes((good / "config.yaml").read_bytes())
    torch.save(data, root / name / "avg_model.pt")
    try:
        load_model_dir(root / name)
        messages[name] = "OK"
    except ModelError as error:
        messages[name] = str(error)
print(json.dumps({"first": first, **messages}))
"""


def test_each_family_loads_strictly(
    worker_python: Path, family_model: tuple[str, Path], tmp_path: Path
) -> None:
    name, model_dir = family_model
    messages = json.loads(worker_run(worker_python, "-c", STRICT, model_dir, tmp_path).splitlines()[-1])
    assert f"does not fit the {name} model" in messages["missing"]
    assert f"1 tensors missing ({messages['first']})" in messages["missing"]
    assert "1 unexpected tensors (head.extra)" in messages["extra"]


def test_a_folder_can_ask_for_3d_speakers_front_end(
    worker_python: Path, family_model: tuple[str, Path], family_clips: list[Path], tmp_path: Path
) -> None:
    """WeSpeaker's command line runs 3D-Speaker's CAM++ and ERes2Net with a povey window on float-scale
    samples; a folder's config.yaml says so, and LocalClip then equals WeSpeaker run that way."""
    _, model_dir = family_model
    folder = tmp_path / "3d-speaker"
    folder.mkdir()
    shutil.copy(model_dir / "avg_model.pt", folder / "avg_model.pt")
    config = yaml.safe_load((model_dir / "config.yaml").read_text(encoding="utf-8"))
    config["dataset_args"] = {"fbank_args": {"window_type": "povey"}, "wavform_norm": True}
    (folder / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    want, got = tmp_path / "wespeaker.npy", tmp_path / "localclip.npy"
    script = SCRIPTS / "wespeaker_reference.py"
    worker_run(worker_python, script, folder, want, *family_clips, "--window", "povey", "--float-scale")
    worker_run(worker_python, SCRIPTS / "embed_files.py", folder, got, *family_clips, "--job", 8)
    assert relative_errors(np.load(got), np.load(want)).max() <= TOLERANCE
    hamming = tmp_path / "hamming.npy"
    worker_run(worker_python, SCRIPTS / "wespeaker_reference.py", folder, hamming, *family_clips)
    assert relative_errors(np.load(hamming), np.load(want)).max() > 10 * TOLERANCE  # the setting matters
