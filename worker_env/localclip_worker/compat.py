"""Does an installed torch build have kernels for a GPU? (Old wheels on new cards fail with
"no kernel image is available for execution on the device" only when the first kernel runs.)"""

from __future__ import annotations

import re

_ARCH = re.compile(r"^(sm|compute)_(\d+)([a-z]?)$")


def _parse(arch: str) -> tuple[str, int, int, str] | None:
    match = _ARCH.match(arch)
    if match is None:
        return None
    kind, number, suffix = match.group(1), int(match.group(2)), match.group(3)
    return kind, number // 10, number % 10, suffix


def supports(arch_list: list[str], capability: tuple[int, int]) -> bool:
    """True when ``arch_list`` (``torch.cuda.get_arch_list()``) can run on a card of ``capability``.

    Machine code (sm_XY) runs on cards of the same major version and an equal or later minor; PTX
    (compute_XY) is compiled by the driver for any card at least that new. Arch-specific builds (sm_90a)
    run only on that exact card.
    """
    major, minor = capability
    for arch in arch_list:
        parsed = _parse(arch)
        if parsed is None:
            continue
        kind, arch_major, arch_minor, suffix = parsed
        if suffix:
            if (arch_major, arch_minor) == capability:
                return True
        elif (kind == "sm" and arch_major == major and arch_minor <= minor) or (
            kind == "compute" and (arch_major, arch_minor) <= capability
        ):
            return True
    return False


def support_message(name: str, capability: tuple[int, int], arch_list: list[str], torch_version: str) -> str:
    """One plain sentence: empty when the build supports the card."""
    major, minor = capability
    if supports(arch_list, capability):
        return ""
    if not arch_list:
        return (
            f"{name} (compute capability {major}.{minor}) cannot be used: torch {torch_version} is a "
            "CPU-only build. Install a CUDA build of torch in the worker environment."
        )
    return (
        f"{name} is compute capability {major}.{minor} (sm_{major}{minor}), but torch {torch_version} "
        f"has kernels only for {', '.join(arch_list)}. Install a torch build that includes sm_{major}{minor} "
        "(a build for a newer CUDA version) in the worker environment."
    )
