"""Delivery of kept takes: loudness (BS.1770), formats and rates, trims to the sample, name templates,
approved-only exports, and SRT timelines with every take at its cue to the sample."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from localclip.core.audio.convert import DeliveryFormat, convert_file, resample, trim, write_audio
from localclip.core.audio.loudness import Loudness, is_silent, measure_file, measure_loudness, normalise_gain
from localclip.core.cloning.manifest import CloneParams, Manifest, SeedPolicy
from localclip.core.cloning.project import scan_project
from localclip.core.cloning.takes import (
    CSV_NAME,
    ExportOptions,
    TakeExportError,
    plan_take_export,
    template_name,
    write_take_export,
)
from localclip.core.cloning.timeline import TIMELINE_FOLDER, offset, script_slots
from tests.clone_project_helpers import make_project

RATE = 44_100
MODEL = "s1-mini@abc123"
SRT = (
    "1\n00:00:00,500 --> 00:00:01,700\nanna: Hello there, this is the first line.\n\n"
    "2\n00:00:01,250 --> 00:00:02,000\nbob: Over her.\n\n"
    "3\n00:00:02,333 --> 00:00:03,100\nanna: Third: a/b <c>?\n"
)


def sine(seconds: float, amplitude: float = 0.5, frequency: float = 440.0, rate: int = RATE) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def noise(seconds: float, seed: int, amplitude: float = 0.3, rate: int = RATE) -> np.ndarray:
    return (np.random.default_rng(seed).uniform(-amplitude, amplitude, round(seconds * rate))).astype(
        np.float32
    )


def generate(project: Path, clips: dict[str, np.ndarray], subtype: str = "FLOAT") -> Manifest:
    """Record each line's take with exactly the given samples (float: read back bit for bit)."""
    manifest = Manifest.load(project)
    scan = scan_project(project)
    for plan in manifest.plan_lines(scan, MODEL, CloneParams(), SeedPolicy(1), only=list(clips)):
        samples = clips[plan.line_id]
        plan.out_path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(plan.out_path, samples, RATE, subtype=subtype)
        manifest.record_done(plan, len(samples) / RATE)
    manifest.save()
    return manifest


@pytest.fixture
def srt_project(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "字幕 project", ["anna", "bob"], "")
    (project / "script.csv").unlink()
    (project / "episode.srt").write_text(SRT, encoding="utf-8")
    return project


CLIPS = {"1": noise(1.0, 1), "2": noise(0.5, 2), "3": noise(0.9, 3)}  # 3 overruns its 0.767 s slot


# --- loudness and conversion -------------------------------------------------------------------------


def test_loudness_of_a_full_scale_sine_is_bs1770s_reference() -> None:
    # BS.1770: a 997 Hz sine at full scale reads -3.01 LUFS.
    loudness = measure_loudness(sine(3.0, 1.0, 997.0, 48_000), 48_000)
    assert loudness.lufs == pytest.approx(-3.01, abs=0.05)
    assert loudness.peak_db == pytest.approx(0.0, abs=0.01)
    assert measure_loudness(sine(0.2), RATE).lufs is None  # shorter than a gating block
    silent = measure_loudness(np.zeros(RATE, dtype=np.float32), RATE)
    assert silent.lufs is None and silent.peak_db == -math.inf and silent.silent


def test_normalising_reaches_the_target_without_passing_the_ceiling() -> None:
    quiet = sine(2.0, 0.05)
    gain = normalise_gain(measure_loudness(quiet, RATE), -23.0)
    assert measure_loudness(quiet * gain, RATE).lufs == pytest.approx(-23.0, abs=0.05)
    # -3 LUFS would need the peak past -1 dBFS: the gain stops at the ceiling.
    gain = normalise_gain(measure_loudness(quiet, RATE), -3.0, peak_ceiling_db=-1.0)
    assert measure_loudness(quiet * gain, RATE).peak_db == pytest.approx(-1.0, abs=0.01)
    assert normalise_gain(Loudness(None, -math.inf), -16.0) == 1.0
    assert normalise_gain(Loudness(None, 0.0), -16.0) == pytest.approx(10 ** (-1 / 20))


def test_silence_is_detected_from_the_file(tmp_path: Path) -> None:
    sf.write(tmp_path / "silent.wav", np.full(RATE, 1e-4, dtype=np.float32), RATE)
    sf.write(tmp_path / "speech.wav", sine(1.0), RATE)
    assert is_silent(tmp_path / "silent.wav") and not is_silent(tmp_path / "speech.wav")
    assert measure_file(tmp_path / "speech.wav").lufs is not None


@pytest.mark.parametrize(
    ("delivery", "rate", "subtype"),
    [
        (DeliveryFormat(), 48_000, "PCM_24"),
        (DeliveryFormat(44_100, "PCM_16"), 44_100, "PCM_16"),
        (DeliveryFormat(None, "FLOAT"), 22_050, "FLOAT"),
    ],
)
def test_formats_and_rates(tmp_path: Path, delivery: DeliveryFormat, rate: int, subtype: str) -> None:
    source = tmp_path / "source.wav"
    sf.write(source, sine(1.0, rate=22_050), 22_050, subtype="PCM_16")
    converted = convert_file(source, tmp_path / "out put.wav", delivery, 0.25, 0.75)
    info = sf.info(tmp_path / "out put.wav")
    assert (info.samplerate, info.subtype, info.frames) == (rate, subtype, converted.frames)
    kept = round(0.75 * 22_050) - round(0.25 * 22_050)  # cut on the source's samples
    assert info.frames == pytest.approx(kept * rate / 22_050, abs=1)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out put.wav", "source.wav"]  # no temporary


def test_trim_cuts_to_the_sample_and_pcm_never_wraps(tmp_path: Path) -> None:
    samples = noise(1.0, 7)[:, None]
    assert np.array_equal(trim(samples, RATE, 0.1, 0.6), samples[4410:26460])
    assert len(trim(samples, RATE, 0.9, None)) == RATE - 39690
    assert len(resample(samples, RATE, 48_000)) == 48_000
    loud = np.array([0.5, 1.7, -2.0], dtype=np.float32)
    assert write_audio(tmp_path / "loud.wav", loud, RATE, "PCM_16")  # limited, said so
    back, _ = sf.read(tmp_path / "loud.wav", dtype="float32")
    assert back[1] > 0.99 and back[2] == -1.0  # not wrapped around to the other sign
    with pytest.raises(ValueError, match="sample format"):
        DeliveryFormat(48_000, "PCM_8")


# --- export ------------------------------------------------------------------------------------------


def test_export_applies_the_trim_to_the_sample_and_the_format(srt_project: Path, tmp_path: Path) -> None:
    manifest = generate(srt_project, CLIPS)
    manifest.set_trim("1", 1, 0.1, 0.6)
    manifest.save()
    folder = tmp_path / "delivery"
    same = ExportOptions(delivery=DeliveryFormat(None, "FLOAT"))
    write_take_export(plan_take_export(Manifest.load(srt_project), ["1", "2"], folder, options=same))
    clip, rate = sf.read(folder / "1.wav", dtype="float32")
    assert rate == RATE and np.array_equal(clip, CLIPS["1"][4410:26460])  # 0.1 s to 0.6 s exactly
    assert np.array_equal(sf.read(folder / "2.wav", dtype="float32")[0], CLIPS["2"])

    video = ExportOptions(delivery=DeliveryFormat())  # 48 kHz, 24-bit
    write_take_export(plan_take_export(Manifest.load(srt_project), ["1"], tmp_path / "video", options=video))
    info = sf.info(tmp_path / "video" / "1.wav")
    assert (info.samplerate, info.subtype, info.frames) == (48_000, "PCM_24", 24_000)
    rows = list(csv.DictReader((folder / CSV_NAME).read_text(encoding="utf-8-sig").splitlines()))
    first = (rows[0]["trim_in_s"], rows[0]["trim_out_s"], rows[0]["sample_rate"])
    assert first == ("0.100", "0.600", "44100")
    assert rows[1]["trim_out_s"] == "0.500" and rows[1]["gain_db"] == "0.00"
    assert float(rows[1]["loudness_lufs"]) < -10 and float(rows[1]["peak_dbfs"]) < -10


def test_export_normalises_loudness(srt_project: Path, tmp_path: Path) -> None:
    generate(srt_project, CLIPS)
    options = ExportOptions(delivery=DeliveryFormat(None, "FLOAT"), loudness_target=-16.0)
    plan = plan_take_export(Manifest.load(srt_project), ["1", "3"], tmp_path / "web", options=options)
    write_take_export(plan)
    for name in ("1.wav", "3.wav"):
        assert measure_file(tmp_path / "web" / name).lufs == pytest.approx(-16.0, abs=0.1)
    rows = list(csv.DictReader((tmp_path / "web" / CSV_NAME).read_text(encoding="utf-8-sig").splitlines()))
    assert float(rows[0]["loudness_lufs"]) == pytest.approx(-16.0, abs=0.05)
    assert float(rows[0]["gain_db"]) < -1  # white noise at 0.3 is louder than -16 LUFS


def test_name_templates_are_made_safe_and_never_collide(srt_project: Path, tmp_path: Path) -> None:
    generate(srt_project, CLIPS)
    name = template_name("{speaker}-{id}-t{take}-{text}", "3", "anna", 2, "Third: a/b <c>? and more text")
    assert name == "anna-3-t2-Third_ a_b _c__ and more"  # the text's first 24 characters, made safe
    assert template_name("{text}", "7", "anna", 1, " ... ") == "7"  # nothing left: the id
    assert template_name("{id}", "con", "anna", 1, "x") == "_con"
    options = ExportOptions(name_template="{speaker}", by_speaker=True)
    plan = plan_take_export(Manifest.load(srt_project), ["1", "2", "3"], tmp_path / "named", options=options)
    assert [item.parts for item in plan.items] == [
        ("anna", "anna.wav"),
        ("bob", "bob.wav"),
        ("anna", "anna-2.wav"),
    ]
    for bad in ("{nope}", "{id.__class__}", "{id", "", "{id:{text}}"):
        with pytest.raises(TakeExportError, match="template"):
            plan_take_export(
                Manifest.load(srt_project), ["1"], tmp_path / "x", options=ExportOptions(name_template=bad)
            )


def test_approved_only(srt_project: Path, tmp_path: Path) -> None:
    manifest = generate(srt_project, CLIPS)
    manifest.set_approved("2", True)
    options = ExportOptions(approved_only=True)
    plan = plan_take_export(manifest, ["1", "2", "3"], tmp_path / "approved", options=options)
    assert [item.line_id for item in plan.items] == ["2"]
    assert plan.skipped == [("1", "not approved"), ("3", "not approved")]


# --- SRT timeline ------------------------------------------------------------------------------------


def test_the_timeline_places_every_take_at_its_cue_to_the_sample(srt_project: Path, tmp_path: Path) -> None:
    generate(srt_project, CLIPS)
    scan = scan_project(srt_project)
    folder = tmp_path / "timeline export"
    options = ExportOptions(delivery=DeliveryFormat(None, "FLOAT"), timeline=True)
    plan = plan_take_export(
        Manifest.load(srt_project), ["1", "2", "3"], folder, options=options, slots=script_slots(scan)
    )
    steps: list[tuple[int, int]] = []
    report = write_take_export(plan, progress=lambda done, total: steps.append((done, total)))
    assert steps[-1] == (6, 6)  # three clips, two speakers, the mix
    anna, rate = sf.read(folder / TIMELINE_FOLDER / "anna.wav", dtype="float32")
    bob, _ = sf.read(folder / TIMELINE_FOLDER / "bob.wav", dtype="float32")
    mix, _ = sf.read(folder / TIMELINE_FOLDER / "mix.wav", dtype="float32")
    assert rate == RATE
    # The last cue ends at 3.1 s, but take 3 (0.9 s from 2.333 s) runs on: nothing is cut.
    end_of_three = offset(2.333, RATE) + len(CLIPS["3"])
    assert len(anna) == len(bob) == len(mix) == max(end_of_three, offset(3.1, RATE))
    one, three = offset(0.5, RATE), offset(2.333, RATE)
    assert one == 22050 and three == 102885
    expected_anna = np.zeros(len(anna), dtype=np.float32)
    expected_anna[one : one + len(CLIPS["1"])] = CLIPS["1"]
    expected_anna[three : three + len(CLIPS["3"])] = CLIPS["3"]
    assert np.array_equal(anna, expected_anna)
    two = offset(1.25, RATE)
    assert not bob[:two].any() and np.array_equal(bob[two : two + len(CLIPS["2"])], CLIPS["2"])
    assert not bob[two + len(CLIPS["2"]) :].any()
    assert np.allclose(mix, anna + bob, atol=1e-7)
    assert report.timeline == [folder / TIMELINE_FOLDER / name for name in ("anna.wav", "bob.wav", "mix.wav")]
    assert report.notes == []


def test_a_mix_past_full_scale_is_scaled_and_said(srt_project: Path, tmp_path: Path) -> None:
    loud = {"1": np.full(RATE, 0.8, dtype=np.float32), "2": np.full(RATE // 2, 0.7, dtype=np.float32)}
    generate(srt_project, loud)
    options = ExportOptions(delivery=DeliveryFormat(None, "PCM_24"), timeline=True)
    slots = script_slots(scan_project(srt_project))
    folder = tmp_path / "loud"
    report = write_take_export(
        plan_take_export(Manifest.load(srt_project), ["1", "2"], folder, options=options, slots=slots)
    )
    mix, rate = sf.read(folder / TIMELINE_FOLDER / "mix.wav", dtype="float32")
    assert rate == RATE and np.max(np.abs(mix)) <= 1.0
    assert np.max(np.abs(mix)) > 0.99  # scaled to full scale, not clipped below it
    assert len(report.notes) == 1 and "mix.wav was scaled by -3.5 dB" in report.notes[0]
    assert not any(path.name.endswith(".tmp") for path in (folder / TIMELINE_FOLDER).iterdir())


def test_a_script_without_cues_has_no_timeline(tmp_path: Path) -> None:
    project = make_project(tmp_path / "csv", ["anna"], "id,speaker,text\na1,anna,Hello.\n")
    generate(project, {"a1": noise(0.5, 1)})
    assert script_slots(scan_project(project)) == {}
    options = ExportOptions(timeline=True)
    plan = plan_take_export(Manifest.load(project), ["a1"], tmp_path / "out", options=options, slots={})
    assert plan.timeline == {}
    report = write_take_export(plan)
    assert report.timeline == [] and not (tmp_path / "out" / TIMELINE_FOLDER).exists()


def test_existing_timeline_files_are_conflicts_and_cancel_stops(srt_project: Path, tmp_path: Path) -> None:
    generate(srt_project, CLIPS)
    folder = tmp_path / "again"
    (folder / TIMELINE_FOLDER).mkdir(parents=True)
    (folder / TIMELINE_FOLDER / "mix.wav").write_bytes(b"the editor's mix")
    slots = script_slots(scan_project(srt_project))
    plan = plan_take_export(
        Manifest.load(srt_project), ["1", "2"], folder, options=ExportOptions(timeline=True), slots=slots
    )
    assert plan.conflicts == [folder / TIMELINE_FOLDER / "mix.wav"]
    report = write_take_export(plan, replace_existing=True, should_stop=lambda: True)
    assert report.cancelled and report.exported == 0
    assert (folder / TIMELINE_FOLDER / "mix.wav").read_bytes() == b"the editor's mix"
