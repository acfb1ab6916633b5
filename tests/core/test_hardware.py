"""The precision resolver: bf16 where the CPU/GPU computes it natively, overridable."""

from __future__ import annotations

import pytest

from text2sql.core import hardware
from text2sql.core.errors import T2SError

AMX_CPU = "flags : fpu sse2 avx2 avx512f avx512_bf16 amx_bf16 amx_tile amx_int8"
BF16_CPU = "flags : fpu sse2 avx2 avx512f avx512_bf16"
OLD_CPU = "flags : fpu sse2 avx2 fma"


def test_cpu_bf16_units_read_from_cpuinfo_and_torch_capability():
    assert hardware.cpu_bf16_units(AMX_CPU, "AVX512") == "AMX"
    assert hardware.cpu_bf16_units(BF16_CPU, "AVX512") == "AVX512-BF16"
    assert hardware.cpu_bf16_units(OLD_CPU, "AVX2") is None
    assert hardware.cpu_bf16_units("", "AMX_BF16") == "AMX"  # no /proc/cpuinfo (macOS): torch's word


@pytest.mark.require_train
@pytest.mark.parametrize(("cpuinfo", "expected"), [(AMX_CPU, "bf16"), (BF16_CPU, "bf16"), (OLD_CPU, "fp32")])
def test_auto_resolves_by_capability(monkeypatch, capsys, cpuinfo, expected):
    real = hardware.cpu_bf16_units
    monkeypatch.setattr(hardware, "cpu_bf16_units", lambda: real(cpuinfo, "AVX2"))
    monkeypatch.setattr(hardware, "_logged", set())
    assert hardware.resolve_precision("auto", "cpu") == expected
    assert hardware.resolve_precision(None, "cpu") == expected
    err = capsys.readouterr().err
    assert err.count(f"precision: {expected}") == 1  # logged once
    assert ("CPU has AMX" in err) == (cpuinfo == AMX_CPU)


def test_explicit_precision_wins_over_the_hardware(monkeypatch):
    monkeypatch.setattr(hardware, "bf16_support", lambda device: (True, "CPU has AMX"))
    assert hardware.resolve_precision("fp32", "cpu") == "fp32"
    assert hardware.resolve_precision(False, "cpu") == "fp32"
    monkeypatch.setattr(hardware, "bf16_support", lambda device: (False, "CPU has no AMX/AVX512-BF16"))
    assert hardware.resolve_precision("bf16", "cpu") == "bf16"
    assert hardware.resolve_precision(True, "cpu") == "bf16"
    with pytest.raises(T2SError, match="precision must be one of auto, bf16, fp16, fp32"):
        hardware.resolve_precision("int8", "cpu")
