"""Model downloads against a hub on loopback: the catalog layout, resume after a break, pause, verify,
gated models, and the errors a person must understand. The model served is a real tiny WeSpeaker model,
so LocalClip's own folder check runs on what arrives."""

from __future__ import annotations

import errno
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from localclip.core.models import download as model_download
from localclip.core.models.catalog import (
    MANIFEST_NAME,
    ModelState,
    find_model,
    model_status,
    verify_folder,
)
from localclip.core.models.download import (
    DownloadError,
    DownloadPaused,
    HubClient,
    ModelDownloader,
    disk_error,
)
from localclip.core.options import MODELS_FOLDER, WESPEAKER_MODEL_DIR
from localclip.settings import Settings
from tests.model_hub_helpers import COMMIT, FakeHub, Gate, start_hub

RESNET221 = find_model("wespeaker-resnet221")
FISH = find_model("openaudio-s1-mini")
REMOTE_NAMES = {"config.yaml": "voxceleb_resnet221_LM.yaml", "avg_model.pt": "voxceleb_resnet221_LM.pt"}
FISH_FILES = {
    "config.json": b"{}",
    "tokenizer.tiktoken": b"AA== 0\n",
    "model.pth": b"m" * 20_000,
    "codec.pth": b"c",
}


@pytest.fixture(scope="session")
def tiny_wespeaker(tiny_wespeaker_model: Path) -> Path:
    """The model the hub serves: a real tiny WeSpeaker folder (tests/conftest.py builds it once)."""
    return tiny_wespeaker_model


@pytest.fixture
def hub(tiny_wespeaker: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    fake = FakeHub()
    fake.add_folder(RESNET221.repo, tiny_wespeaker, REMOTE_NAMES)
    for name, data in FISH_FILES.items():
        fake.files[(FISH.repo, "main", name)] = data
    fake.gates[FISH.repo] = Gate("hf_good")
    server = start_hub(fake)
    monkeypatch.setenv("HF_ENDPOINT", fake.url)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    yield fake
    server.shutdown()


def download(folder: Path, model: Any = RESNET221, token: str | None = None, **options: Any) -> Any:
    return ModelDownloader(model, folder, HubClient(token=token), **options).run()


def assert_same_files(folder: Path, source: Path) -> None:
    for name in ("config.yaml", "avg_model.pt"):
        assert (folder / name).read_bytes() == (source / name).read_bytes()


def test_download_writes_a_plain_verified_folder(hub: FakeHub, tiny_wespeaker: Path, tmp_path: Path) -> None:
    folder = tmp_path / "模型 folder" / "wespeaker resnet221"
    seen: list[Any] = []
    result = download(folder, token="hf_any", progress=seen.append)
    assert sorted(result.downloaded) == ["avg_model.pt", "config.yaml"] and result.commit == COMMIT
    assert_same_files(folder, tiny_wespeaker)  # renamed to the layout LocalClip checks
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST_NAME, "avg_model.pt", "config.yaml"]
    assert not any(p.is_symlink() for p in folder.rglob("*"))
    total = sum((tiny_wespeaker / name).stat().st_size for name in ("config.yaml", "avg_model.pt"))
    assert seen[-1].done == seen[-1].total == total
    status = model_status(RESNET221, folder)
    assert status.state is ModelState.INSTALLED and status.verified, status.detail
    report = verify_folder(folder, RESNET221)
    assert report.ok and sorted(report.checked) == ["avg_model.pt", "config.yaml"]
    # the large file came through the CDN redirect, without the token; the hub itself got it
    cdn = hub.gets("/cdn/")
    assert cdn and all(r["authorization"] is None for r in cdn)
    assert all(r["authorization"] == "Bearer hf_any" for r in hub.requests if "/resolve/" in r["path"])


def test_a_second_run_finds_everything_in_place(hub: FakeHub, tmp_path: Path) -> None:
    download(tmp_path / "m")
    hub.requests.clear()
    result = download(tmp_path / "m")
    assert result.downloaded == [] and sorted(result.already_there) == ["avg_model.pt", "config.yaml"]
    assert not hub.gets("")  # only HEAD requests


def test_a_broken_connection_leaves_a_partial_file_the_next_run_resumes(
    hub: FakeHub, tiny_wespeaker: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "resume me"
    hub.drop_after["voxceleb_resnet221_LM.pt"] = 5_000_000
    with pytest.raises(DownloadError) as caught:
        download(folder, retries=0)
    assert caught.value.code == "network" and "resumes" in caught.value.message
    part = folder / "avg_model.pt.part"
    assert part.stat().st_size == 5_000_000 and not (folder / "avg_model.pt").exists()
    assert model_status(RESNET221, folder).state is ModelState.PARTIAL
    download(folder)
    assert hub.gets("/cdn/")[-1]["range"] == "bytes=5000000-"
    assert_same_files(folder, tiny_wespeaker)
    assert not part.exists() and not (folder / "avg_model.pt.part.json").exists()


def test_a_break_is_retried_within_the_same_run(hub: FakeHub, tiny_wespeaker: Path, tmp_path: Path) -> None:
    hub.drop_after["voxceleb_resnet221_LM.pt"] = 3_000_000
    download(tmp_path / "m", retries=1, retry_delays=(0.0,))
    assert [r["range"] for r in hub.gets("/cdn/")] == [None, "bytes=3000000-"]
    assert_same_files(tmp_path / "m", tiny_wespeaker)


def test_pause_stops_inside_a_file_and_keeps_what_arrived(
    hub: FakeHub, tiny_wespeaker: Path, tmp_path: Path
) -> None:
    seen: list[Any] = []
    with pytest.raises(DownloadPaused):
        download(tmp_path / "m", progress=seen.append, should_stop=lambda: len(seen) > 3)
    kept = (tmp_path / "m" / "avg_model.pt.part").stat().st_size
    assert 0 < kept < (tiny_wespeaker / "avg_model.pt").stat().st_size
    download(tmp_path / "m")
    assert hub.gets("/cdn/")[-1]["range"] == f"bytes={kept}-"
    assert_same_files(tmp_path / "m", tiny_wespeaker)


def test_verify_finds_truncated_and_corrupted_files(hub: FakeHub, tmp_path: Path) -> None:
    folder = tmp_path / "m"
    download(folder)
    weights = folder / "avg_model.pt"
    original = weights.read_bytes()
    weights.write_bytes(original[:-100])
    report = verify_folder(folder, RESNET221)
    assert not report.ok and "avg_model.pt has" in report.problems[0] and "expected" in report.problems[0]
    assert model_status(RESNET221, folder).state is ModelState.BROKEN
    weights.write_bytes(original[:1000] + bytes([original[1000] ^ 1]) + original[1001:])  # same size
    report = verify_folder(folder, RESNET221)
    assert report.problems == ["avg_model.pt is damaged: its sha256 checksum does not match"]
    weights.unlink()
    status = model_status(RESNET221, folder)
    assert status.state is ModelState.BROKEN and "avg_model.pt" in status.detail
    download(folder)  # a new download repairs it
    assert verify_folder(folder, RESNET221).ok


def test_a_file_that_arrives_damaged_is_not_kept(hub: FakeHub, tmp_path: Path) -> None:
    files = tuple(
        replace(f, sha256="0" * 64) if f.local == "avg_model.pt" else f for f in RESNET221.files
    )  # the catalog expects other content than the hub serves
    with pytest.raises(DownloadError) as caught:
        download(tmp_path / "m", replace(RESNET221, files=files))
    assert caught.value.code == "checksum" and "damaged" in caught.value.message
    assert not (tmp_path / "m" / "avg_model.pt").exists()
    assert not (tmp_path / "m" / "avg_model.pt.part").exists()


def test_a_different_file_in_the_way_is_set_aside_not_overwritten(hub: FakeHub, tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "config.yaml").write_text("mine: true\n", encoding="utf-8")
    result = download(folder)
    assert result.set_aside == ["config.yaml.previous"]
    assert (folder / "config.yaml.previous").read_text(encoding="utf-8") == "mine: true\n"
    (folder / "config.yaml").write_text("mine again: true\n", encoding="utf-8")
    assert download(folder).set_aside == ["config.yaml.previous-2"]
    assert (folder / "config.yaml.previous").read_text(encoding="utf-8") == "mine: true\n"


def test_small_files_behind_the_hubs_relative_redirect(
    hub: FakeHub, tiny_wespeaker: Path, tmp_path: Path
) -> None:
    hub.small_files_via_cache = True
    download(tmp_path / "m", token="hf_any")
    assert_same_files(tmp_path / "m", tiny_wespeaker)
    cached = [r for r in hub.requests if r["path"].startswith("/api/resolve-cache/")]
    assert [r["method"] for r in cached] == ["HEAD", "GET"]
    assert all(r["authorization"] == "Bearer hf_any" for r in cached)  # the same host: the token goes along


def test_a_gated_model_says_how_to_get_access(hub: FakeHub, tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as caught:
        download(tmp_path / "fish", FISH)
    message = caught.value.message
    assert caught.value.code == "gated"
    assert "accept the licence at https://huggingface.co/fishaudio/openaudio-s1-mini" in message
    assert "access token" in message
    with pytest.raises(DownloadError) as caught:
        download(tmp_path / "fish", FISH, token="hf_wrong")
    assert "refused the access token" in caught.value.message and "hf_wrong" not in caught.value.message
    hub.gates[FISH.repo] = Gate("hf_good", accepted=False)
    with pytest.raises(DownloadError) as caught:
        download(tmp_path / "fish", FISH, token="hf_good")
    assert caught.value.code == "gated" and "no access" in caught.value.message
    hub.gates[FISH.repo] = Gate("hf_good")
    result = download(tmp_path / "fish", FISH, token="hf_good")
    assert "special_tokens.json" not in result.downloaded  # optional, and this repository lacks it
    assert model_status(FISH, tmp_path / "fish").state is ModelState.INSTALLED


def test_not_found_network_down_and_disk_full_are_told_plainly(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = replace(RESNET221, repo="Wespeaker/no-such-model")
    with pytest.raises(DownloadError) as caught:
        download(tmp_path / "a", missing)
    assert caught.value.code == "not_found" and "Wespeaker/no-such-model" in caught.value.message
    closed = HubClient(endpoint="http://127.0.0.1:9", timeout=5)
    with pytest.raises(DownloadError) as caught:
        ModelDownloader(RESNET221, tmp_path / "b", closed).run()
    assert caught.value.code == "network" and caught.value.message.startswith("Cannot reach 127.0.0.1:9")
    monkeypatch.setattr(model_download.shutil, "disk_usage", lambda _: _Usage())
    with pytest.raises(DownloadError) as caught:
        download(tmp_path / "c")
    assert caught.value.code == "disk_full" and "Not enough free space" in caught.value.message
    full = disk_error(OSError(errno.ENOSPC, "No space left on device"), tmp_path / "c" / "avg_model.pt")
    assert full.code == "disk_full" and "is full" in full.message


class _Usage:
    total, used, free = 10**9, 10**9 - 1000, 1000


def test_a_fish_folder_path_with_int8_is_refused_before_downloading(hub: FakeHub, tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as caught:
        download(tmp_path / "models-int8" / "fish", FISH, token="hf_good")
    assert "int8" in caught.value.message and not hub.requests


# --- the command --------------------------------------------------------------------------------------


def localclip(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "localclip", "models", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


def test_the_command_downloads_verifies_and_uses_a_model(hub: FakeHub, tmp_path: Path) -> None:
    folder = tmp_path / "下载 models" / "resnet221"
    completed = localclip("download", "wespeaker-resnet221", "--to", folder, "--events", "jsonl")
    assert completed.returncode == 0, completed.stderr
    events = [json.loads(line) for line in completed.stdout.splitlines()]
    kinds = [event["event"] for event in events]
    assert kinds[0] == "download_started" and kinds[-1] == "finished" and "progress" in kinds
    assert events[-2]["done"] == events[-2]["total"]
    verified = localclip("verify", folder)
    assert verified.returncode == 0 and "OK:" in verified.stdout and "avg_model.pt" in verified.stdout
    used = localclip("use", folder)
    assert used.returncode == 0, used.stderr
    assert Path(Settings().get(WESPEAKER_MODEL_DIR)) == folder.resolve()
    (folder / "avg_model.pt").write_bytes(b"not a model")
    broken = localclip("verify", folder)
    assert broken.returncode == 1 and "avg_model.pt has 11 bytes" in broken.stdout


def test_the_command_list_and_use_by_id(hub: FakeHub, tmp_path: Path) -> None:
    settings = Settings()
    settings.set(MODELS_FOLDER, str(tmp_path / "root"))
    settings.sync()
    assert localclip("download", "wespeaker-resnet221").returncode == 0
    listed = {entry["id"]: entry for entry in json.loads(localclip("list", "--json").stdout)}
    assert listed["wespeaker-resnet221"]["state"] == "installed"
    assert listed["openaudio-s1-mini"]["state"] == "not installed" and listed["openaudio-s1-mini"]["gated"]
    assert localclip("use", "wespeaker-resnet221").returncode == 0
    listed = {entry["id"]: entry for entry in json.loads(localclip("list", "--json").stdout)}
    assert listed["wespeaker-resnet221"]["in_use"]
    refused = localclip("use", "wespeaker-resnet34")  # not downloaded
    assert refused.returncode == 2 and "localclip models download wespeaker-resnet34" in refused.stderr


def test_the_command_explains_a_gated_model_and_keeps_the_token_secret(hub: FakeHub, tmp_path: Path) -> None:
    completed = localclip(
        "download", "openaudio-s1-mini", "--to", tmp_path / "fish", "--token", "hf_secret_x"
    )
    assert completed.returncode == 2
    assert "accept the licence at https://huggingface.co/fishaudio/openaudio-s1-mini" in completed.stderr
    assert "hf_secret_x" not in completed.stderr + completed.stdout
    unknown = localclip("download", "no-such-model")
    assert unknown.returncode == 2 and "wespeaker-resnet34" in unknown.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_pauses_and_the_next_run_resumes(hub: FakeHub, tiny_wespeaker: Path, tmp_path: Path) -> None:
    hub.hold_at = 2_000_000  # the server stops sending there until released
    folder = tmp_path / "m"
    command = [
        sys.executable,
        "-m",
        "localclip",
        "models",
        "download",
        "wespeaker-resnet221",
        "--to",
        str(folder),
    ]
    # As from a terminal: a test run in the background (nohup, CI) inherits SIGINT ignored, and Python
    # then installs no KeyboardInterrupt handler in the child.
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    part = folder / "avg_model.pt.part"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not part.exists() or part.stat().st_size < 1_000_000):
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130 and "run the same command again to resume" in stderr
    kept = part.stat().st_size
    assert kept >= 1_000_000
    hub.hold_at = None
    hub.release.set()
    assert localclip("download", "wespeaker-resnet221", "--to", folder).returncode == 0
    assert hub.gets("/cdn/")[-1]["range"] == f"bytes={kept}-"
    assert_same_files(folder, tiny_wespeaker)
