"""The embedding results pane: counts per speaker, and the similarity heat map checked against a direct
numpy computation (values, tooltips, painted colours), before and after the speakers step, and 1,000
speakers painted quickly."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from localclip.core.embedding.export import MARKER_FILE_NAME, export_store
from localclip.core.embedding.similarity import (
    build_results,
    cosine_similarity,
    load_speaker_results,
    most_similar_pairs,
)
from localclip.core.embedding.speakers import SpeakerEmbedding, aggregate_speakers
from localclip.core.embedding.store import EmbeddingRecord, EmbeddingStore, FailureRecord
from localclip.gui.speaker_map import MAX_CELL, SpeakerResultsView, colour_for, export_target, pooled_max

DIM = 32
# (dataset, speaker) -> clips; "ds2/alice again" is ds1/alice's voice filed in another folder.
CLIPS = {
    ("ds1", "alice"): 4,
    ("ds1", "bob 鲍勃"): 3,
    ("ds1", "carol"): 2,
    ("ds2", "alice again"): 3,
    ("ds2", "dave"): 5,
}


def direct_similarity(vectors: np.ndarray) -> np.ndarray:
    """Cosine similarity the plain way, one pair at a time."""
    count = len(vectors)
    result = np.zeros((count, count))
    for i in range(count):
        for j in range(count):
            a, b = vectors[i].astype(np.float64), vectors[j].astype(np.float64)
            result[i, j] = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    return result


def make_store(out: Path, aggregate: bool) -> None:
    rng = np.random.default_rng(7)
    voices = {key: rng.standard_normal(DIM) for key in CLIPS}
    voices[("ds2", "alice again")] = voices[("ds1", "alice")] + rng.standard_normal(DIM) * 0.05
    records = []
    for (dataset, speaker), count in CLIPS.items():
        for clip in range(count):
            vector = (voices[(dataset, speaker)] + rng.standard_normal(DIM) * 0.1).astype(np.float32)
            key = f"{dataset}/{speaker}/c{clip}.wav"
            records.append(EmbeddingRecord(key, dataset, speaker, f"/data/{key}", 1.0, 16_000, vector))
    failures = [
        FailureRecord("ds1/bob 鲍勃/bad.wav", "ds1", "bob 鲍勃", "/data/bad.wav", "unreadable", "not audio"),
        FailureRecord("ds2/erin/x.wav", "ds2", "erin", "/data/x.wav", "too_short", "too short"),
    ]
    with EmbeddingStore.open(out, "wespeaker-test", DIM) as store:
        store.add_embeddings(records)
        store.add_failures(failures)
        if aggregate:
            speakers, _ = aggregate_speakers(store.embeddings(), store.failed_counts())
            store.save_speakers(speakers)


@pytest.fixture
def results_dir(tmp_path: Path) -> Path:
    out = tmp_path / "结果 embedding results"
    make_store(out, aggregate=True)
    return out


def stored_vectors(out: Path) -> tuple[list[str], np.ndarray]:
    with EmbeddingStore.open_existing(out) as store:
        speakers = store.speakers()
    labels = [f"{speaker.dataset} / {speaker.speaker}" for speaker in speakers]
    return labels, np.stack([speaker.embedding for speaker in speakers])


def test_similarities_match_a_direct_computation(results_dir: Path) -> None:
    results = load_speaker_results(results_dir)
    labels, vectors = stored_vectors(results_dir)
    assert results.labels == labels and results.from_speaker_table and not results.notes
    assert np.allclose(results.similarity, direct_similarity(vectors), atol=1e-6)
    counts = {(row.dataset, row.speaker): (row.clips_used, row.clips_failed) for row in results.speakers}
    assert counts == {
        ("ds1", "alice"): (4, 0),
        ("ds1", "bob 鲍勃"): (3, 1),
        ("ds1", "carol"): (2, 0),
        ("ds2", "alice again"): (3, 0),
        ("ds2", "dave"): (5, 0),
        ("ds2", "erin"): (0, 1),  # every clip failed: counted, but nothing to compare
    }
    top = results.pairs(1)[0]
    assert {labels[top[0]], labels[top[1]]} == {"ds1 / alice", "ds2 / alice again"} and top[2] > 0.99
    alice = next(row for row in results.speakers if row.speaker == "alice")
    assert labels[alice.nearest] == "ds2 / alice again"


def test_before_the_speakers_step_the_clip_means_are_compared(tmp_path: Path) -> None:
    out = tmp_path / "not aggregated"
    make_store(out, aggregate=False)
    results = load_speaker_results(out)
    assert not results.from_speaker_table and "not been computed" in results.notes[0]
    with EmbeddingStore.open_existing(out) as store:
        table = store.embeddings()
    means = [
        table.matrix[
            [i for i, pair in enumerate(zip(table.datasets, table.speakers, strict=True)) if pair == key]
        ]
        .astype(np.float64)
        .mean(axis=0)
        for key in sorted(CLIPS)
    ]
    assert np.allclose(results.similarity, direct_similarity(np.stack(means)), atol=1e-5)


def test_the_cosine_helpers_handle_zeros_and_pick_the_best_pairs() -> None:
    vectors = np.array([[1.0, 0.0], [0.0, 0.0], [2.0, 0.1], [-1.0, 0.0]])
    similarity = cosine_similarity(vectors)
    assert similarity[1].tolist() == [0.0, 0.0, 0.0, 0.0] and np.isfinite(similarity).all()
    assert [(i, j) for i, j, _ in most_similar_pairs(similarity, 2)] == [(0, 2), (0, 1)]


def show(qtbot: Any, out: Path) -> SpeakerResultsView:
    view = SpeakerResultsView()
    qtbot.addWidget(view)
    view.resize(1000, 640)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=20_000):
        view.show_results(out)
    return view


def test_the_heat_map_shows_the_direct_values_names_and_colours(qtbot: Any, results_dir: Path) -> None:
    view = show(qtbot, results_dir)
    labels, vectors = stored_vectors(results_dir)
    expected = direct_similarity(vectors)
    heat_map = view.heat_map
    assert heat_map.labels == labels and heat_map.labels_shown()
    image = heat_map.viewport().grab().toImage()
    for row in range(len(labels)):
        for column in range(len(labels)):
            assert heat_map.value_at(row, column) == pytest.approx(expected[row, column], abs=1e-6)
            text = heat_map.tooltip_text(row, column)
            assert labels[row] in text and labels[column] in text and f"{expected[row, column]:.3f}" in text
            centre = heat_map.cell_rect(row, column).center().toPoint()
            assert heat_map.cell_at(centre) == (row, column)
            if heat_map.current != (row, column):  # the chosen cell has an outline
                painted = image.pixelColor(centre * image.devicePixelRatio())
                wanted = colour_for(expected[row, column], heat_map.low, heat_map.high)
                assert painted.rgb() == wanted.rgb(), (row, column)
    # The most alike pair is chosen and named; the legend spans the least alike pair to 1.
    first, second = heat_map.current
    assert {labels[first], labels[second]} == {"ds1 / alice", "ds2 / alice again"}
    assert "similarity 0.99" in view.cell_label.text()
    off_diagonal = expected[~np.eye(len(labels), dtype=bool)]
    assert view.legend.low <= off_diagonal.min() < view.legend.low + 0.05 and view.legend.high == 1.0
    assert view.counts_model.rowCount() == 6 and view.pairs_model.rowCount() == 10
    assert "6 speakers, 17 clips used, 2 failed" in view.title.text()


def test_the_map_is_driven_by_keys_and_by_the_tables(qtbot: Any, results_dir: Path) -> None:
    view = show(qtbot, results_dir)
    heat_map = view.heat_map
    heat_map.setFocus()
    heat_map.set_current(0, 0)
    qtbot.keyClick(heat_map, Qt.Key.Key_Right)
    qtbot.keyClick(heat_map, Qt.Key.Key_Down)
    assert heat_map.current == (1, 1)
    size = heat_map.cell_size
    qtbot.keyClick(heat_map, Qt.Key.Key_Minus)
    assert heat_map.cell_size == pytest.approx(size)  # already the whole map: no smaller
    qtbot.keyClick(heat_map, Qt.Key.Key_Plus)
    assert heat_map.cell_size == pytest.approx(min(MAX_CELL, size * 1.25))
    qtbot.keyClick(heat_map, Qt.Key.Key_0)
    assert heat_map.cell_size == pytest.approx(size)
    dave = next(
        row for row in range(view.counts_proxy.rowCount()) if "dave" in view.counts_proxy.index(row, 0).data()
    )
    view.counts_table.selectRow(dave)
    assert view.heat_map.labels[heat_map.current[0]] == "ds2 / dave"
    view.pairs_table.selectRow(0)
    assert "alice" in view.cell_label.text()
    outside = QPoint(1, 1)
    assert heat_map.cell_at(outside) is None


def test_a_folder_without_results_says_so(qtbot: Any, tmp_path: Path) -> None:
    view = SpeakerResultsView()
    qtbot.addWidget(view)
    view.show_results(tmp_path / "empty")
    qtbot.waitUntil(lambda: not view.notice.isHidden(), timeout=10_000)
    assert "no embedding store" in view.notice.text() and "Traceback" not in view.notice.text()


def synthetic_results(count: int, planted: tuple[int, int]) -> Any:
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((count, 256)).astype(np.float32)
    vectors[planted[1]] = vectors[planted[0]] + rng.standard_normal(256).astype(np.float32) * 0.01
    speakers = [
        SpeakerEmbedding("big", f"speaker {index:04d}", vectors[index], 10, 0, [], [], 256, {}, False)
        for index in range(count)
    ]
    return build_results(Path("big"), "model", speakers, {}, True)


def test_a_thousand_speakers_paint_quickly_and_no_same_voice_pair_is_lost(qtbot: Any) -> None:
    planted = (123, 877)
    started = time.perf_counter()
    results = synthetic_results(1000, planted)
    computed = time.perf_counter() - started
    view = SpeakerResultsView()
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    started = time.perf_counter()
    view.set_results(results)
    shown = time.perf_counter() - started
    heat_map = view.heat_map
    assert heat_map.cell_size < 1 and not heat_map.labels_shown()  # scaled down to the whole map
    assert heat_map.current in (planted, planted[::-1])
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        heat_map.viewport().grab()  # paints the whole map into an image, as a repaint of the screen would
        timings.append(time.perf_counter() - started)
    overview = min(timings)
    # Scaled down, the planted pair's pixel is as bright as the pooled maximum says.
    factor = int(np.ceil(1 / heat_map.cell_size))
    pooled = pooled_max(results.similarity, factor)
    assert pooled[planted[0] // factor, planted[1] // factor] == pytest.approx(
        results.similarity[planted], abs=1e-6
    )
    image = heat_map.viewport().grab().toImage()
    heat_map.set_current(0, 0)  # move the outline away from the planted cell
    image = heat_map.viewport().grab().toImage()
    centre = heat_map.cell_rect(*planted).center().toPoint()
    painted = image.pixelColor(centre * image.devicePixelRatio())
    bright = colour_for(results.similarity[planted], heat_map.low, heat_map.high)
    assert painted.rgb() == bright.rgb()
    # Zoomed in: only the visible cells and names are drawn.
    heat_map.set_cell_size(24)
    heat_map.set_current(*planted)
    assert heat_map.labels_shown()
    started = time.perf_counter()
    heat_map.viewport().grab()
    zoomed = time.perf_counter() - started
    print(
        f"1,000 speakers: similarities {computed * 1000:.0f} ms, shown {shown * 1000:.0f} ms, "
        f"overview repaint {overview * 1000:.1f} ms, zoomed repaint {zoomed * 1000:.1f} ms"
    )
    assert shown < 2.0 and overview < 0.25 and zoomed < 0.25


def exported_files(folder: Path) -> dict[str, bytes]:
    """The files of an export, the folder's own path in them (Kaldi .scp) written as "<to>"."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes().replace(str(folder).encode(), b"<to>")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MARKER_FILE_NAME
    }


@pytest.mark.parametrize("fmt", ["pkl", "npy", "ark"])
def test_the_speakers_tab_exports_what_the_command_line_exports(
    qtbot: Any, results_dir: Path, tmp_path: Path, fmt: str
) -> None:
    view = show(qtbot, results_dir)
    assert view.export_button.isEnabled()
    asked: list[tuple[str, Path]] = []
    target = tmp_path / f"导出 {fmt}"

    def choose(chosen_fmt: str, start: Path) -> Path:
        asked.append((chosen_fmt, start))
        target.mkdir()
        return target

    view.choose_export_folder = choose
    menu_action = next(a for a in view.export_button.menu().actions() if f".{fmt}" in a.text())
    with qtbot.waitSignal(view.export_finished, timeout=20_000) as finished:
        menu_action.trigger()
    assert asked == [(fmt, results_dir)]  # the dialog starts in the dataset's results folder
    report = finished.args[0]
    assert report.to == target and report.clips == sum(CLIPS.values()) and report.speakers == len(CLIPS)
    with EmbeddingStore.open_existing(results_dir) as store:
        by_cli = export_store(store, tmp_path / "by the command line", fmt)
    assert exported_files(target) == exported_files(by_cli.to)
    assert "Exported 17 clips and 5 speakers" in view.notice.text()


def test_an_export_never_overwrites_silently(qtbot: Any, results_dir: Path, tmp_path: Path) -> None:
    view = show(qtbot, results_dir)
    mine = tmp_path / "my folder"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine", encoding="utf-8")
    with qtbot.waitSignal(view.export_finished, timeout=20_000) as finished:
        assert view.export_embeddings("npy", mine)
    assert finished.args[0].to == mine / "export-npy"  # a folder of the user's: a new folder inside
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "mine"
    questions: list[str] = []
    view.ask = lambda _title, text: questions.append(text) is None and False  # answered "no"
    stamp = (mine / "export-npy" / MARKER_FILE_NAME).stat().st_mtime_ns
    assert not view.export_embeddings("npy", mine / "export-npy")
    assert len(questions) == 1 and (mine / "export-npy" / MARKER_FILE_NAME).stat().st_mtime_ns == stamp
    view.ask = lambda _title, _text: True
    with qtbot.waitSignal(view.export_finished, timeout=20_000):
        assert view.export_embeddings("npy", mine / "export-npy")
    # A folder holding files LocalClip did not export, met inside the target, is refused with a notice.
    blocked = tmp_path / "blocked" / "export-pkl"
    blocked.mkdir(parents=True)
    (blocked / "other.bin").write_bytes(b"x")
    assert export_target(tmp_path / "blocked", "pkl") == blocked
    assert view.export_embeddings("pkl", tmp_path / "blocked")
    qtbot.waitUntil(lambda: "Nothing was exported" in view.notice.text(), timeout=20_000)
    assert (blocked / "other.bin").read_bytes() == b"x" and view.export_button.isEnabled()


def test_export_waits_for_results(qtbot: Any, tmp_path: Path) -> None:
    view = SpeakerResultsView()
    qtbot.addWidget(view)
    assert not view.export_button.isEnabled()
    assert not view.export_embeddings("pkl", tmp_path)
