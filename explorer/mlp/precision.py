"""Number formats for training: float32 (the book's numbers) or bfloat16 (faster where the hardware has it).

bfloat16 keeps float32's 8 exponent bits (the same range) and 7 of its 23 mantissa bits (about 3
significant digits). Training in bfloat16 here means explicit bfloat16 matrix multiplies: their inputs
are cast to bfloat16, while the master weights, the optimizer, the loss and the softmax stay float32.
(``torch.autocast`` does the same casts; ``EXPLORER_BF16_MODE=autocast`` uses it instead, for
``bench/train_speed.py`` to compare the two.) Only a CPU with
AVX512-BF16 or AMX (or a CUDA GPU with bfloat16) multiplies bfloat16 faster than float32; elsewhere it is
emulated and slower, so it is not offered.

``EXPLORER_PRECISION=bf16`` makes bfloat16 a server's default (where supported).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import torch
from torch.nn import functional as F
from torch.overrides import TorchFunctionMode
from explorer import settings

PRECISIONS = ("fp32", "bf16")
DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}


def _cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    line = next((line for line in text.splitlines() if line.startswith("flags")), "")
    return set(line.partition(":")[2].split())


def bf16_support(device: torch.device | None = None) -> tuple[bool, str]:
    """(supported, why): whether bfloat16 matmuls are native on ``device`` (default: the training device)."""
    device = device or torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cuda":
        if torch.cuda.is_bf16_supported():
            return True, "the CUDA device supports bfloat16"
        return False, "this CUDA device has no native bfloat16"
    flags = _cpu_flags()
    found = sorted(flags & {"avx512_bf16", "amx_bf16"})
    if found:
        return True, f"this CPU has {' and '.join(found)}"
    if torch.backends.cpu.get_cpu_capability() == "AVX512" and not flags:
        return False, "cannot read this CPU's flags (/proc/cpuinfo) to find AVX512-BF16 or AMX"
    return False, "this CPU has neither AVX512-BF16 nor AMX, so bfloat16 would be emulated (slower than float32)"


def offered() -> tuple[str, ...]:
    """The precisions this server offers: bfloat16 only where it is native."""
    return PRECISIONS if bf16_support()[0] else ("fp32",)


def default_precision() -> str:
    """``EXPLORER_PRECISION`` when it is a precision this server offers, else fp32."""
    wanted = settings.get("EXPLORER_PRECISION")
    return wanted if wanted in offered() else "fp32"


class LowPrecisionMatmuls(TorchFunctionMode):
    """Within this mode every linear layer and matrix product casts its float32 inputs to ``dtype`` (the
    weights' float32 masters get their gradients through the cast); everything else runs as it is."""

    MATMULS = {F.linear, torch.matmul, torch.mm, torch.addmm, torch.Tensor.matmul, torch.Tensor.__matmul__}

    def __init__(self, dtype: torch.dtype):
        super().__init__()
        self.dtype = dtype

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func in self.MATMULS:
            args = tuple(a.to(self.dtype) if isinstance(a, torch.Tensor) and a.dtype == torch.float32 else a
                         for a in args)
        return func(*args, **(kwargs or {}))


def autocast(precision: str, device: torch.device):
    """The context for a forward pass in ``precision``: nothing for fp32, bfloat16 matmuls for bf16."""
    if precision == "fp32":
        return contextlib.nullcontext()
    if settings.get("EXPLORER_BF16_MODE") == "autocast":
        return torch.autocast(device.type, dtype=DTYPES[precision])
    return LowPrecisionMatmuls(DTYPES[precision])
