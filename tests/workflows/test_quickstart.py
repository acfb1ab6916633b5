import json

import pytest


@pytest.mark.slow
def test_quickstart_runs_every_stage_offline(tmp_path):
    """The real quick-start code path, trimmed: 2 QLoRA steps, 6 dev questions, short answers."""
    from text2sql.workflows.quickstart import quickstart

    lines = []
    result = quickstart(tmp_path / "qs", steps=2, limit=6, max_new_tokens=8, log=lines.append)
    out = tmp_path / "qs"
    summary = json.loads(result["summary"].read_text())
    assert result["report"] == out / "report.html" and result["summary"] == out / "summary.json"
    assert 0.0 <= summary["ex"] <= 1.0 and summary["examples"] == 6 and summary["train_steps"] == 2
    assert (out / "qlora-sft" / "adapter_config.json").exists()  # a LoRA adapter was trained
    for arm in ("base", "qlora-sft"):
        s = json.loads((out / "eval" / arm / "summary.json").read_text())
        assert s["count"] == 6 and s["generation"]["backend"] == "hf"
    assert json.loads((out / "eval" / "qlora-sft" / "summary.json").read_text())["generation"]["adapter"]
    page = (out / "report.html").read_text()
    assert "qlora-sft" in page and page.count("data:image/png;base64,") == 3
    assert any("QLoRA" in line for line in lines)
