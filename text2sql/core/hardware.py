"""Which floating-point precision to compute in: bf16 where the hardware has bf16 units, else fp32.

CPUs with AMX or AVX512-BF16 run a bf16 matmul several times faster than an fp32 one (2048^2 on 2 threads:
about 7x), so `auto`, the default, trains and generates in bf16 there; other CPUs emulate bf16 slowly and stay
in fp32. On CUDA `auto` means bf16 where the GPU supports it. The config key `bf16` (true/false/"auto") and
`--precision` on generate/evaluate override it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from text2sql.core.errors import T2SError

PRECISIONS = ("auto", "bf16", "fp16", "fp32")
_logged: set[str] = set()


def cpu_bf16_units(cpuinfo: str | None = None, capability: str | None = None) -> str | None:
    """'AMX' or 'AVX512-BF16' when the CPU has bf16 matmul units, else None.

    `cpuinfo` (the text of /proc/cpuinfo) and `capability` (torch's CPU capability) are read when not given."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            cpuinfo = ""
    if capability is None:
        import torch

        capability = torch.backends.cpu.get_cpu_capability()
    flags = set(cpuinfo.split())
    if "amx_bf16" in flags or "AMX" in capability.upper():
        return "AMX"
    if "avx512_bf16" in flags or "AVX512_BF16" in capability.upper():
        return "AVX512-BF16"
    return None


def bf16_support(device: str) -> tuple[bool, str]:
    """Whether `device` ("cpu" or "cuda") computes bf16 natively, and why, for the log line."""
    import torch

    if device.startswith("cuda"):
        ok = torch.cuda.is_available() and torch.cuda.is_bf16_supported()
        return ok, f"GPU {'supports' if ok else 'lacks'} bf16"
    units = cpu_bf16_units()
    return (True, f"CPU has {units}") if units else (False, "CPU has no AMX/AVX512-BF16")


def default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def resolve_precision(value: str | bool | None, device: str | None = None) -> str:
    """'bf16' | 'fp16' | 'fp32' for a requested precision; 'auto' (or None) picks bf16 where supported.

    Logs the choice once per distinct line on stderr ("precision: bf16 (CPU has AMX)")."""
    if value is None:
        value = "auto"
    if isinstance(value, bool):
        value = "bf16" if value else "fp32"
    value = str(value).lower()
    if value not in PRECISIONS:
        raise T2SError(f"precision must be one of {', '.join(PRECISIONS)}, got {value!r}")
    device = device or default_device()
    if value == "auto":
        ok, why = bf16_support(device)
        value = "bf16" if ok else "fp32"
        log_once(f"precision: {value} ({why}; override with bf16=false / --precision fp32)")
    else:
        log_once(f"precision: {value} (as asked)")
    return value


def log_once(line: str) -> None:
    if line not in _logged:
        _logged.add(line)
        print(f"[t2s] {line}", file=sys.stderr, flush=True)


def torch_dtype(precision: str):
    import torch

    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[precision]
