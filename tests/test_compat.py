"""Does a torch build have kernels for a GPU? Checked against arch lists recorded from real wheels
(worker_env/localclip_worker/compat.py)."""

import pytest

from localclip_worker.compat import support_message, supports

# torch.cuda.get_arch_list() as recorded from real wheels.
CU128 = ("2.8.0+cu128", ["sm_70", "sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120"])
CU118 = ("2.0.1+cu118", ["sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_37", "sm_90"])

RTX_5090 = ("NVIDIA GeForce RTX 5090", (12, 0))
RTX_4090 = ("NVIDIA GeForce RTX 4090", (8, 9))
RTX_3090 = ("NVIDIA GeForce RTX 3090", (8, 6))
A100 = ("NVIDIA A100-SXM4-80GB", (8, 0))
H100 = ("NVIDIA H100 80GB HBM3", (9, 0))
B200 = ("NVIDIA B200", (10, 0))
GTX_1080 = ("NVIDIA GeForce GTX 1080", (6, 1))
K80 = ("Tesla K80", (3, 7))


@pytest.mark.parametrize(
    ("build", "gpu", "expected"),
    [
        (CU128, RTX_5090, True),
        (CU128, RTX_4090, True),  # via sm_86: same major, later minor
        (CU128, RTX_3090, True),
        (CU128, A100, True),
        (CU128, H100, True),
        (CU128, B200, True),
        (CU128, GTX_1080, False),  # Pascal dropped
        (CU128, K80, False),
        (CU118, RTX_5090, False),
        (CU118, RTX_4090, True),  # via sm_86
        (CU118, RTX_3090, True),
        (CU118, H100, True),
        (CU118, B200, False),
        (CU118, GTX_1080, True),  # via sm_60
        (CU118, K80, True),  # sm_37, out of order in the list
    ],
)
def test_recorded_builds(
    build: tuple[str, list[str]], gpu: tuple[str, tuple[int, int]], expected: bool
) -> None:
    version, arch_list = build
    name, capability = gpu
    assert supports(arch_list, capability) is expected
    assert (support_message(name, capability, arch_list, version) == "") is expected


def test_message_for_a_card_too_new_for_the_build() -> None:
    version, arch_list = CU118
    name, capability = RTX_5090
    message = support_message(name, capability, arch_list, version)
    assert name in message
    assert "12.0" in message
    assert "sm_120" in message
    assert f"torch {version}" in message
    assert "sm_86" in message  # what the build does have
    assert "\n" not in message


def test_machine_code_never_runs_on_an_older_minor_or_another_major() -> None:
    assert not supports(["sm_86"], (8, 0))
    assert not supports(["sm_86"], (9, 0))
    assert not supports(["sm_90"], (8, 9))
    assert not supports(["sm_90"], (10, 0))
    assert not supports(["sm_100"], (12, 0))


@pytest.mark.parametrize(
    ("capability", "expected"),
    [((12, 0), True), ((10, 0), True), ((9, 0), True), ((9, 1), True), ((8, 9), False), ((8, 0), False)],
)
def test_ptx_runs_on_any_card_at_least_as_new(capability: tuple[int, int], expected: bool) -> None:
    assert supports(["compute_90"], capability) is expected
    assert supports(["sm_80", "compute_90"], capability) is (expected or capability[0] == 8)


@pytest.mark.parametrize(
    ("capability", "expected"),
    [((9, 0), True), ((9, 1), False), ((10, 0), False), ((12, 0), False), ((8, 9), False)],
)
def test_arch_specific_code_runs_only_on_that_card(capability: tuple[int, int], expected: bool) -> None:
    assert supports(["sm_90a"], capability) is expected


def test_arch_specific_three_digit_architectures() -> None:
    assert supports(["sm_100a"], (10, 0))
    assert not supports(["sm_100a"], (10, 3))
    assert supports(["sm_120a"], (12, 0))
    assert supports(["sm_120"], (12, 1))


@pytest.mark.parametrize("capability", [(12, 0), (8, 9), (3, 7)])
def test_cpu_build(capability: tuple[int, int]) -> None:
    assert not supports([], capability)
    message = support_message("NVIDIA GeForce RTX 5090", capability, [], "2.8.0+cpu")
    assert "CPU-only" in message
    assert "torch 2.8.0+cpu" in message
    assert f"{capability[0]}.{capability[1]}" in message


def test_unrecognised_entries_are_ignored() -> None:
    assert not supports(["", "sm", "sm_", "gfx90a", "sm_86 ", "SM_86", "compute_"], (8, 6))
    assert supports(["gfx90a", "sm_86"], (8, 6))


def test_supported_card_gives_an_empty_message() -> None:
    version, arch_list = CU128
    for name, capability in (RTX_5090, RTX_4090, H100):
        assert support_message(name, capability, arch_list, version) == ""
