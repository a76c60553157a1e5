"""Per-user settings in an INI file (localclip/settings.py)."""

from pathlib import Path

import pytest

from localclip.core.kinds import INTERPRETER_KINDS, JobKind
from localclip.core.machine.plan import PlanSettings
from localclip.core.options import (
    CPU_WORKERS,
    EMBED_GPU_IO_THREADS,
    EMBED_MEMORY_PER_WORKER_GB,
    EMBED_PRECISION,
    GPU_WORKER_TORCH_THREADS,
    MAX_WORKERS,
    MEMORY_PER_WORKER_GB,
    RESERVE_FRACTION,
)
from localclip.settings import Settings

BUNDLED = Path("/opt/bundled env/bin/python")


@pytest.fixture
def ini(tmp_path: Path) -> Path:
    folder = tmp_path / "设置 folder"
    folder.mkdir()
    return folder / "localclip.ini"


@pytest.fixture(autouse=True)
def bundled_python(monkeypatch: pytest.MonkeyPatch) -> Path:
    """bundled_worker_python() honours this variable, so the fallback is known."""
    monkeypatch.setenv("LOCALCLIP_WORKER_PYTHON", str(BUNDLED))
    return BUNDLED


def write_ini(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_defaults_without_a_file(ini: Path) -> None:
    settings = Settings(ini)
    assert settings.get(MEMORY_PER_WORKER_GB) == 8.0
    assert settings.get(RESERVE_FRACTION) == 0.10
    assert settings.get(MAX_WORKERS) == 0
    assert settings.get(CPU_WORKERS) == 1
    assert settings.plan_settings() == PlanSettings()


def test_default_path_is_in_the_config_folder(private_config: Path) -> None:
    settings = Settings()
    assert settings.path == private_config / "localclip.ini"
    settings.set(CPU_WORKERS, 3)
    settings.sync()
    assert (private_config / "localclip.ini").is_file()
    assert Settings().get(CPU_WORKERS) == 3


def test_values_survive_a_new_settings_object(ini: Path) -> None:
    python = ini.parent / "环境 env" / "bin" / "python"
    first = Settings(ini)
    first.set(MEMORY_PER_WORKER_GB, 12.5)
    first.set(RESERVE_FRACTION, 0.25)
    first.set(MAX_WORKERS, 3)
    first.set(CPU_WORKERS, 4)
    first.set_worker_python("embed", python)
    first.sync()
    assert ini.is_file()

    second = Settings(ini)
    assert second.get(MEMORY_PER_WORKER_GB) == 12.5
    assert second.get(RESERVE_FRACTION) == 0.25
    assert second.get(MAX_WORKERS) == 3
    assert second.get(CPU_WORKERS) == 4
    assert second.worker_python("embed") == python
    assert second.plan_settings() == PlanSettings(
        memory_per_worker_gb=12.5, reserve_fraction=0.25, max_workers=3, cpu_workers=4
    )


def test_a_hand_written_file_is_read(ini: Path) -> None:
    write_ini(
        ini, "[plan]\nmemory_per_worker_gb=6\nmax_workers=2\n\n[workers]\npython_default=/usr/bin/python3\n"
    )
    settings = Settings(ini)
    assert settings.get(MEMORY_PER_WORKER_GB) == 6.0
    assert isinstance(settings.get(MEMORY_PER_WORKER_GB), float)
    assert settings.get(MAX_WORKERS) == 2
    assert settings.worker_python("clone") == Path("/usr/bin/python3")


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("memory_per_worker_gb", "abc"),
        ("memory_per_worker_gb", ""),
        ("memory_per_worker_gb", "0"),
        ("memory_per_worker_gb", "-8"),
        ("memory_per_worker_gb", "1e9"),
        ("memory_per_worker_gb", "inf"),
        ("memory_per_worker_gb", "nan"),
        ("memory_per_worker_gb", "8,5"),  # QSettings reads a comma as a list
        ("reserve_fraction", "0.95"),
        ("reserve_fraction", "-0.1"),
        ("reserve_fraction", "nan"),
        ("reserve_fraction", "ten percent"),
        ("max_workers", "-5"),
        ("max_workers", "1000"),
        ("max_workers", "2.5"),
        ("max_workers", "many"),
        ("cpu_workers", "0"),
        ("cpu_workers", "65"),
        ("cpu_workers", "@Variant(garbage)"),
    ],
)
def test_garbage_falls_back_to_the_default(ini: Path, key: str, raw: str) -> None:
    write_ini(ini, f"[plan]\n{key}={raw}\n")
    settings = Settings(ini)
    assert settings.get(MEMORY_PER_WORKER_GB) == 8.0
    assert settings.get(RESERVE_FRACTION) == 0.10
    assert settings.get(MAX_WORKERS) == 0
    assert settings.get(CPU_WORKERS) == 1
    assert settings.plan_settings() == PlanSettings()  # a damaged file never stops the app


def test_a_file_that_is_not_ini_at_all(ini: Path) -> None:
    ini.write_bytes(b"\x00\xff\xfe garbage \n[[[\n=\n" + bytes(range(256)))
    settings = Settings(ini)
    assert settings.plan_settings() == PlanSettings()
    assert settings.worker_python("embed") == BUNDLED


def test_set_refuses_out_of_range_values(ini: Path) -> None:
    settings = Settings(ini)
    settings.set(MAX_WORKERS, -5)
    settings.set(MEMORY_PER_WORKER_GB, 0.0)
    assert settings.get(MAX_WORKERS) == 0
    assert settings.get(MEMORY_PER_WORKER_GB) == 8.0


def test_worker_python_falls_back_to_default_then_bundled(ini: Path, tmp_path: Path) -> None:
    default = tmp_path / "默认 env" / "python"
    embed = tmp_path / "embed env" / "python"
    settings = Settings(ini)
    for kind in INTERPRETER_KINDS:
        assert settings.worker_python(kind) == BUNDLED

    settings.set_worker_python("default", default)
    assert settings.worker_python("default") == default
    assert settings.worker_python("embed") == default
    assert settings.worker_python("clone") == default

    settings.set_worker_python("embed", embed)
    assert settings.worker_python("embed") == embed
    assert settings.worker_python("clone") == default

    settings.set_worker_python("default", None)
    assert settings.worker_python("embed") == embed
    assert settings.worker_python("clone") == BUNDLED
    assert settings.worker_python("default") == BUNDLED

    settings.set_worker_python("embed", None)
    assert settings.worker_python("embed") == BUNDLED


def test_kinds_without_their_own_setting_use_default(ini: Path, tmp_path: Path) -> None:
    default = tmp_path / "python"
    settings = Settings(ini)
    settings.set_worker_python("default", default)
    assert settings.worker_python("probe") == default
    assert settings.worker_python("something new") == default


def test_a_hand_written_python_for_an_unknown_kind_is_ignored(ini: Path) -> None:
    write_ini(ini, "[workers]\npython_probe=/somewhere/python\n")
    assert Settings(ini).worker_python("probe") == BUNDLED


@pytest.mark.parametrize("kind", ["probe", "", "Embed", "bogus"])
def test_unknown_kind_is_refused(ini: Path, kind: str) -> None:
    settings = Settings(ini)
    with pytest.raises(ValueError, match="unknown job kind"):
        settings.set_worker_python(kind, Path("/usr/bin/python3"))
    with pytest.raises(ValueError):
        settings.set_worker_python(kind, None)


@pytest.mark.parametrize(("stored", "planned"), [(0, None), (1, 1), (7, 7), (256, 256)])
def test_plan_settings_maps_zero_workers_to_no_maximum(ini: Path, stored: int, planned: int | None) -> None:
    settings = Settings(ini)
    settings.set(MAX_WORKERS, stored)
    assert settings.plan_settings().max_workers == planned
    settings.sync()
    assert Settings(ini).plan_settings().max_workers == planned


def test_gpu_figures_default_to_the_reasoned_values(ini: Path) -> None:
    settings = Settings(ini)
    assert settings.get(EMBED_MEMORY_PER_WORKER_GB) == 6.0  # derived from the batch cap (test_gpu_memory.py)
    assert settings.get(GPU_WORKER_TORCH_THREADS) == 4
    assert settings.get(EMBED_GPU_IO_THREADS) == 0
    assert settings.plan_settings().gpu_torch_threads == 4
    embed = JobKind.EMBED.plan_settings(settings, cores=16)
    assert (embed.memory_per_worker_gb, embed.gpu_torch_threads, embed.gpu_io_threads) == (6.0, 4, 0)


def test_a_stored_embedding_memory_is_kept(ini: Path) -> None:
    # Nothing is migrated: the window stores a value only when the user changes it, so one found in the
    # file (2.0 from an earlier version included) is the user's choice and wins over the new default.
    write_ini(ini, "[embed]\nmemory_per_worker_gb=2\ngpu_io_threads=6\n\n[plan]\ngpu_torch_threads=2\n")
    settings = Settings(ini)
    assert settings.get(EMBED_MEMORY_PER_WORKER_GB) == 2.0
    embed = JobKind.EMBED.plan_settings(settings, cores=16)
    assert (embed.memory_per_worker_gb, embed.gpu_torch_threads, embed.gpu_io_threads) == (2.0, 2, 6)


@pytest.mark.parametrize(
    ("text", "option"),
    [
        ("[embed]\nmemory_per_worker_gb=0\n", EMBED_MEMORY_PER_WORKER_GB),
        ("[embed]\nmemory_per_worker_gb=lots\n", EMBED_MEMORY_PER_WORKER_GB),
        ("[embed]\ngpu_io_threads=-1\n", EMBED_GPU_IO_THREADS),
        ("[embed]\ngpu_io_threads=1000\n", EMBED_GPU_IO_THREADS),
        ("[plan]\ngpu_torch_threads=0\n", GPU_WORKER_TORCH_THREADS),
        ("[plan]\ngpu_torch_threads=two\n", GPU_WORKER_TORCH_THREADS),
    ],
)
def test_bad_gpu_figures_fall_back_to_the_default(ini: Path, text: str, option) -> None:
    write_ini(ini, text)
    settings = Settings(ini)
    assert settings.get(option) == option.default
    JobKind.EMBED.plan_settings(settings, cores=16)  # and the plan accepts what the settings give


def test_the_embedding_precision_is_kept_and_a_mode_it_does_not_know_is_exact(ini: Path) -> None:
    assert Settings(ini).get(EMBED_PRECISION) == "exact"
    first = Settings(ini)
    first.set(EMBED_PRECISION, "bf16")
    first.sync()
    assert Settings(ini).get(EMBED_PRECISION) == "bf16"
    write_ini(ini, "[embed]\nprecision=fp8\n")  # a hand-written mode no worker has
    assert Settings(ini).get(EMBED_PRECISION) == "exact"


def test_recent_folders_are_newest_first_without_repeats_and_at_most_eight(ini: Path, tmp_path: Path) -> None:
    from localclip.settings import RECENT_KEPT

    settings = Settings(ini)
    folders = [tmp_path / f"folder {number} 文件夹" for number in range(RECENT_KEPT + 3)]
    for folder in folders:
        settings.add_recent_folder(folder)
    settings.add_recent_folder(folders[5])  # opened again: to the top, once
    expected = [folders[5], *[f for f in reversed(folders) if f != folders[5]]][:RECENT_KEPT]
    assert Settings(ini).recent_folders() == expected
    settings.forget_recent_folders([folders[5], tmp_path / "never listed"])
    assert Settings(ini).recent_folders() == expected[1:]
    write_ini(ini, '[window]\nrecent_folders="[1, \\"\\", \\"/ok\\"]"\n')
    assert Settings(ini).recent_folders() == [Path("/ok")]  # what is not a path is left out
