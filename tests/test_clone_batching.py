"""Batched decoding: many lines in one model copy give each line exactly what it gets alone.

The worker-side cases run in one worker-python process (tests/worker_scripts/batched_decoding.py) with the
tiny fish-speech checkpoint: in float64 a line's codes are identical alone and in a batch of 8 with
partners of very different lengths, in any order of rows, with rows refilled as lines end, and when a
partner is stopped early, and after a cancelled job on the same decoder; in float32 teacher-forced logits
of a batch equal batch 1's within 1e-5 at every step; and the clone job writes the same audio with 1 row
and with 8.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from tests.test_clone_worker import SCRIPTS, Models, References, worker_run
from tests.test_clone_worker import models as models
from tests.test_clone_worker import references as references

LOGITS_EQUAL = 1e-5


@pytest.fixture(scope="module")
def report(worker_python: Path, models: Models, references: References, tmp_path_factory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("batched")
    out = root / "report.json"
    worker_run(worker_python, SCRIPTS / "batched_decoding.py", models.checkpoint, references.a, root, out)
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", ["rows8", "rows3", "rows8_reversed", "after_cancel"])
def test_every_line_decodes_alike_alone_and_in_a_batch(report: dict[str, Any], case: str) -> None:
    alone, batched = report["lines"]["alone"], report["lines"][case]
    assert batched.keys() == alone.keys()
    for line, codes in alone.items():
        assert batched[line] == codes, f"{line} differs in {case}"
    lengths = {len(chunks[0][0]) for chunks in alone.values()}
    assert len(lengths) >= 5  # partners of very different lengths really shared the batch
    assert len(alone["line4"]) == 3  # a line of three chunks went on in its row


def test_a_partner_stopped_early_changes_no_other_line(report: dict[str, Any]) -> None:
    alone, stopped = report["lines"]["alone"], report["lines"]["partner_stopped"]
    assert "partner" not in stopped  # dropped mid-chunk, never reported
    for line in list(alone)[:7]:
        assert stopped[line] == alone[line]


def test_teacher_forced_logits_of_a_batch_equal_batch_one(report: dict[str, Any]) -> None:
    forced = report["forced"]
    assert forced["steps"] == 12 and forced["scale"] > 0.01  # the logits are not all zero
    assert forced["slow"] <= LOGITS_EQUAL and forced["fast"] <= LOGITS_EQUAL
    assert forced["packed"] > 0  # with the linear layers oneDNN multiplies on the CPU (cpu_linear.py)


def test_sampling_without_a_sort_gives_the_sorted_token(report: dict[str, Any]) -> None:
    sampling = report["kernels"]["sampling"]
    for family, counts in sampling.items():
        assert counts["draws"] == 150 and counts["differ"] == 0, family
    # Random weights' near-uniform logits: the draw's best tokens, checked against the nucleus, not a sort;
    # trained weights' peaked logits: the top-p prefix; ties of rank: the sort.
    assert sampling["near_uniform"]["candidates"] >= 145
    assert sampling["peaked"]["prefix"] >= 100
    assert sampling["ties"]["sorted"] >= 100


def test_float32_linear_layers_are_packed_for_onednn_and_float64_ones_are_not(report: dict[str, Any]) -> None:
    linear = report["kernels"]["linear"]
    assert linear["plain_left32"] == 0 and linear["plain64"] > 0
    assert linear["packed32"] == linear["plain64"] + 1  # and the tied output head, as a packed copy
    assert linear["facts32"] == linear["packed32"] and linear["packed64"] == 0
    assert linear["parameters"][0] == linear["parameters"][1]  # the count is the model's, packed or not
    assert linear["vs_f_linear"] <= 1e-5  # rounding of a different order of sums
    assert linear["row_vs_alone"] <= 1e-5


def test_codec_snakes_computed_in_place_give_the_same_bits(report: dict[str, Any]) -> None:
    snake = report["kernels"]["snake"]
    assert snake["in_place"] == snake["original"] > 0 and snake["scripted_left"] == 0
    assert snake["facts"] == snake["in_place"]
    assert snake["audio_equal"] and snake["audio_peak"] > 0.01  # equal, and not silence
    assert snake["codes_equal"]  # references encode to the same codes


def test_the_clone_job_writes_the_same_audio_with_one_row_and_eight(report: dict[str, Any]) -> None:
    job = report["job"]
    assert job["facts1"]["rows"] == 1 and job["facts8"]["rows"] == 8
    assert not job["facts8"]["cuda_graphs"]  # the CPU decodes eagerly
    assert job["rows1"].keys() == job["rows8"].keys() and len(job["rows1"]) == 8
    for line, path in job["rows1"].items():
        one, eight = sf.read(path, dtype="float32")[0], sf.read(job["rows8"][line], dtype="float32")[0]
        assert one.size > 0 and np.array_equal(one, eight), line
