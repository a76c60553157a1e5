"""The cluster in the window: where runs go in the settings, the nodes' GPUs in the GPU panel under their
machines' names, a pane per remote worker and a log that names the machine (docs/cluster.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from localclip.cluster.host import gpu_reading
from localclip.cluster.session import RemoteGpu
from localclip.core.demo_data import make_dataset
from localclip.core.machine.gpus import GpuInfo, GpuReport
from localclip.core.options import (
    CLUSTER_ADDRESS,
    CLUSTER_TLS_CA,
    CLUSTER_TLS_CERT,
    CLUSTER_TLS_KEY,
    RUN_WHERE,
    WESPEAKER_MODEL_DIR,
)
from localclip.gui.gpu_panel import GpuPanel
from localclip.gui.settings_panel import SettingsPanel
from localclip.runs.setup import SetupError, cluster_target
from localclip.settings import Settings
from tests.test_cluster import Cluster, models  # noqa: F401 (a fixture)
from tests.test_gui_window import WAV16, drop, make_window, run_settings

GIB = 1 << 30


def cluster_settings(address: str, *tls: str) -> Settings:
    settings = Settings()
    settings.set(RUN_WHERE, "cluster")
    settings.set(CLUSTER_ADDRESS, address)
    given = (*tls, "", "", "")[:3]
    for option, value in zip((CLUSTER_TLS_CA, CLUSTER_TLS_CERT, CLUSTER_TLS_KEY), given, strict=True):
        settings.set(option, value)
    return settings


def test_the_settings_name_the_cluster_or_say_what_is_wrong(tmp_path: Path) -> None:
    assert cluster_target(Settings()) is None  # runs stay on this workstation by default
    assert cluster_target(cluster_settings("render-01")).address == "tcp://render-01:8786"
    for given, words in (  # one settings file: each case is written just before it is read
        (("",), "no scheduler address"),
        (("tls://render-01",), "TLS address"),
        (("render-01", str(tmp_path / "ca.pem")), "all three"),
        (("ftp://render-01",), "tcp:// or tls://"),
    ):
        with pytest.raises(SetupError, match=words):
            cluster_target(cluster_settings(*given))
    pems = []
    for name in ("ca.pem", "cert.pem", "key.pem"):
        (tmp_path / name).write_text("PEM")
        pems.append(str(tmp_path / name))
    target = cluster_target(cluster_settings("render-01:9000", *pems))
    assert target.address == "tls://render-01:9000" and target.tls is not None


def test_the_settings_panel_chooses_the_cluster_and_tells_the_node_command(qtbot) -> None:
    settings = Settings()
    panel = SettingsPanel(settings)
    qtbot.addWidget(panel)
    assert not panel.cluster_address.isEnabled() and "this workstation" in panel.cluster_status.text()
    panel.run_where.setCurrentIndex(panel.run_where.findData("cluster"))
    assert settings.get(RUN_WHERE) == "cluster" and panel.cluster_address.isEnabled()
    assert "no scheduler address" in panel.cluster_status.text()
    panel.cluster_address.setText("render-01")
    panel.cluster_address.editingFinished.emit()
    assert settings.get(CLUSTER_ADDRESS) == "render-01"
    assert "localclip node --scheduler tcp://render-01:8786" in panel.cluster_status.text()
    panel.tls_rows[CLUSTER_TLS_CA.key].path.setText("/nowhere/ca.pem")
    panel.tls_rows[CLUSTER_TLS_CA.key].path.editingFinished.emit()
    assert "all three" in panel.cluster_status.text()
    panel.run_where.setCurrentIndex(panel.run_where.findData("local"))
    assert settings.get(CLUSTER_ADDRESS) == "render-01"  # kept for the next time


def remote(worker: str, device: str = "cuda", used: int | None = 30 * GIB, problem: str = "") -> RemoteGpu:
    name = "NVIDIA H200" if device == "cuda" else ""
    total = 140 * GIB if device == "cuda" else 0
    return RemoteGpu(worker, worker.split("/")[0], device, name, total, used, 55, "working", problem)


def test_the_gpu_panel_lists_remote_gpus_under_their_machines(qtbot) -> None:
    panel = GpuPanel(reader=lambda: GpuReport((), None, None, None))
    qtbot.addWidget(panel)
    panel.show_remote([remote("render-02/0"), remote("render-01/1"), remote("render-01/0", used=None)])
    assert {node: label.text() for node, label in panel.node_labels.items()} == {
        "render-01": "render-01: 2 GPU(s)",  # tests run without the English plural forms
        "render-02": "render-02: 1 GPU(s)",
    }
    order = [panel.remote_box.itemAt(i).widget() for i in range(panel.remote_box.count())]
    assert order == [
        panel.node_labels["render-01"],
        panel.remote_rows["render-01/0"],
        panel.remote_rows["render-01/1"],
        panel.node_labels["render-02"],
        panel.remote_rows["render-02/0"],
    ]
    row = panel.remote_rows["render-01/1"]
    assert row.name.text() == "Worker 1: NVIDIA H200" and row.memory.text() == "30.0 of 140.0 GB"
    assert row.load.text() == "55 % busy"
    assert panel.remote_rows["render-01/0"].memory.text() == "140.0 GB"  # no reading yet
    panel.show_remote([remote("cpu-box/0", device="cpu", used=None, problem="no copy of the model")])
    assert list(panel.node_labels) == ["cpu-box"] and panel.node_labels["cpu-box"].text() == "cpu-box: CPU"
    row = panel.remote_rows["cpu-box/0"]
    assert row.name.text() == "Worker 0: CPU" and row.memory.isHidden()
    assert "no copy of the model" in row.name.toolTip()
    panel.show_remote(())
    assert not panel.remote_rows and not panel.node_labels and panel.remote_title.isHidden()


def test_a_node_reads_its_own_gpu_from_nvml() -> None:
    gpus = tuple(
        GpuInfo(i, f"GPU-{i}", "NVIDIA H200", "", 140 * GIB, 100 * GIB, 40 * GIB, 70) for i in range(2)
    )
    report = GpuReport(gpus, "570", "12.8", None)
    assert gpu_reading("render-01/1", "GPU-1", report) == {
        "name": "render-01/1",
        "used_bytes": 40 * GIB,
        "load_percent": 70,
    }
    assert gpu_reading("render-01/1", "GPU-9", report) is None


@pytest.mark.slow
def test_a_run_on_the_cluster_from_the_window(
    qtbot,
    tmp_path: Path,
    models: Path,  # noqa: F811
    tiny_wespeaker_model: Path,
) -> None:
    cluster = Cluster(tmp_path)
    try:
        cluster.add_node("box-1", models)
        dataset = tmp_path / "数据 set"
        make_dataset(dataset, speakers=2, clips_per_speaker=10, seconds=(0.6, 1.6), formats=WAV16)
        settings = run_settings(tiny_wespeaker_model)
        settings.set(WESPEAKER_MODEL_DIR, str(tiny_wespeaker_model))
        settings.set(RUN_WHERE, "cluster")
        settings.set(CLUSTER_ADDRESS, cluster.address)
        window = make_window(qtbot, settings)
        assert window.gpu_panel.plan_title.text() == "Runs go to the cluster"
        with qtbot.waitSignal(window.scan_finished, timeout=30_000):
            drop(window, dataset)
        seen: list[tuple[RemoteGpu, ...]] = []
        window.run_started.connect(lambda _entry: window.pool.remote_workers_changed.connect(seen.append))
        reports: list[dict] = []
        window.run_finished.connect(reports.append)
        with qtbot.waitSignal(window.run_started, timeout=30_000):
            window.run_action.trigger()
        assert window.gpu_panel.plan_title.text() == "Running on the cluster"
        qtbot.waitUntil(lambda: bool(reports), timeout=120_000)
        assert reports[0]["done"] == 20 and reports[0]["status"] == "done", reports[0]
        assert (dataset.with_name("数据 set embeddings") / "embeddings.sqlite").is_file()
        assert any(view.node == "box-1" and view.device == "cpu" for views in seen for view in views)
        assert "box-1/0" in window.worker_panes.panes
        status = window.worker_panes.board.workers["box-1/0"]
        assert status.done == 20
        assert status.hello_seen and "embed" in status.ready_kinds  # its worker's events were relayed
        texts = [entry.text for entry in window.log_panel.book.select("box-1/0")]
        assert any("joined from box-1" in text for text in texts)
        assert any(text.startswith("box-1 ran a batch of") for text in texts), texts
        assert not window.gpu_panel.remote_rows  # the machines go with the run
    finally:
        cluster.stop()
