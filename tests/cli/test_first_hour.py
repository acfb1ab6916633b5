"""Issue 13, a new user's first hour: progress, resume by default, one error line, reproducible summaries."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import t2s

from text2sql.core.progress import Progress

REPO = Path(__file__).resolve().parents[2]


def test_plain_progress_lines_carry_count_rate_and_eta():
    out = io.StringIO()
    bar = Progress("generate", 10, unit="rows", stream=out, every=0, tty=False, done=2)
    bar.advance(3)
    bar.close()  # nothing new since the last line: not repeated
    (line,) = out.getvalue().splitlines()
    assert line.startswith("generate: 5/10 rows (50.0%)") and "rows/s" in line and "ETA" in line
    out = io.StringIO()
    with Progress("embedding", 10, unit="questions", stream=out, every=3600, tty=False) as bar:
        bar.advance(4)
        assert out.getvalue() == ""  # between periodic lines: silent
    assert out.getvalue().startswith("embedding: 4/10 questions")  # the closing line, on a non-TTY stream
    quiet = io.StringIO()
    with Progress("x", 10, stream=quiet, every=0, tty=False, enabled=False) as off:
        off.advance(10)
    assert quiet.getvalue() == ""


def test_error_text_with_brackets_is_printed_verbatim():
    res = t2s("eval", "--predictions", "runs/pred[/].sql", check=False)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "runs/pred[/].sql" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_missing_train_extra_is_one_line(tmp_path):
    """An evaluation-only install (no torch, no transformers) names the extra instead of a traceback."""
    blocker = tmp_path / "site"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys\nfor m in ('torch', 'transformers'):\n    sys.modules[m] = None\n"
    )
    env = {**os.environ, "PYTHONPATH": f"{blocker}{os.pathsep}{REPO}"}
    for args in (
        ["build-prompts", "-o", str(tmp_path / "p.jsonl"), "--limit", "2"],
        ["eval", "--model", "m"],
    ):
        res = subprocess.run(
            [sys.executable, "-m", "text2sql", *args], capture_output=True, text=True, env=env, cwd=tmp_path
        )
        assert res.returncode == 2, res.stderr
        assert "pip install 't2s[train]'" in res.stderr and "Traceback" not in res.stderr, res.stderr


def test_mistyped_local_model_fails_at_once_with_a_suggestion(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs" / "tiny-model").mkdir(parents=True)
    res = t2s("eval", "--model", "runs/tiny-modle", check=False)
    assert res.returncode == 2 and "no such folder" in res.stderr and "runs/tiny-model" in res.stderr


@pytest.mark.require_train
def test_predict_default_folder_is_deterministic_and_resumes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    t2s("predict", "--backend", "gold", "--limit", "5")
    (folder,) = (tmp_path / "runs" / "predict").iterdir()
    res = t2s("predict", "--backend", "gold", "--limit", "8")
    assert "resuming: 5 of 8 done" in res.stderr
    assert list((tmp_path / "runs" / "predict").iterdir()) == [folder]
    assert len((folder / "predictions.jsonl").read_text().splitlines()) == 8
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["predictions"] == 8 and summary["provenance"]["questions"] == 8


def test_interrupted_generation_says_where_and_how_to_continue(tmp_path, monkeypatch):
    from text2sql.core.errors import interrupted_hint
    from text2sql.generation import Backend, DecodingConfig, predict

    class Stops(Backend):
        calls = 0

        def generate(self, records, n=1, temperature=0.0):
            Stops.calls += 1
            if Stops.calls > 1:
                raise KeyboardInterrupt
            return [["SELECT 1"] for _ in records]

    records = [{"id": f"q{i}", "messages": [{"role": "user", "content": "x"}]} for i in range(4)]
    monkeypatch.setattr(sys, "argv", ["t2s", "predict", "--model", "m", "--overwrite"])
    with pytest.raises(KeyboardInterrupt):
        predict(records, Stops(), tmp_path / "p" / "predictions.jsonl", DecodingConfig(batch_size=2))
    hint = interrupted_hint()
    assert "2 of 4 predictions are saved in" in hint and str(tmp_path / "p") in hint
    assert hint.endswith("rerun: t2s predict --model m")  # without --overwrite, which would start afresh

    import text2sql.cli.generate as generate

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # as Ctrl-C inside generation, with the hint still set

    monkeypatch.setattr(generate, "run_generation", interrupted)
    res = t2s("predict", "--backend", "gold", check=False)  # through typer, which maps Ctrl-C to exit 130
    assert res.returncode == 130 and "interrupted: 2 of 4 predictions" in res.stderr
    assert "rerun: t2s predict --model m" in res.stderr


@pytest.mark.require_train
def test_eval_summary_records_provenance_and_json_nulls(tmp_path):
    t2s("eval", "--backend", "gold", "--output-dir", str(tmp_path / "e"), "--limit", "7", "--workers", "1")
    summary = json.loads((tmp_path / "e" / "summary.json").read_text())
    prov = summary["provenance"]
    assert summary["settings"]["predictions"] is None
    assert prov["t2s_version"] and prov["command"].startswith("t2s eval --backend gold")
    assert (
        prov["split"] == "dev" and prov["questions"] == 7 and prov["questions_sha256"].startswith("sha256:")
    )
    assert Path(prov["data"]).is_dir() and prov["versions"]["python"]
    assert prov["prompt_settings"]["repr"] == "code" and "fk" in prov["prompt_settings"]
    assert "bundled" in prov["tokenizer"]  # the fallback tokenizer is named as such
    # the checksum identifies the questions: other questions, other checksum
    t2s("eval", "--backend", "gold", "--output-dir", str(tmp_path / "f"), "--limit", "6", "--workers", "1")
    other = json.loads((tmp_path / "f" / "summary.json").read_text())["provenance"]
    assert other["questions_sha256"] != prov["questions_sha256"]


def test_quiet_by_default_hides_library_warnings_and_verbose_shows_them():
    code = (
        "import sys, warnings; from text2sql.cli import app, quiet_libraries; "
        "sys.argv = ['t2s'] + sys.argv[1:]; "
        "from typer.main import get_command; "
        "get_command(app).main(args=sys.argv[1:] + ['report', '--help'], standalone_mode=False); "
        "warnings.warn('library noise', FutureWarning)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONWARNINGS", "T2S_VERBOSE")}
    quiet = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env)
    loud = subprocess.run(
        [sys.executable, "-c", code, "-v"], capture_output=True, text=True, cwd=REPO, env=env
    )
    assert quiet.returncode == 0 and loud.returncode == 0, quiet.stderr + loud.stderr
    assert "library noise" not in quiet.stderr and "library noise" in loud.stderr


@pytest.mark.require_train
def test_adapter_from_another_base_is_one_line(tmp_path):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from text2sql.models.checks import check_adapter_matches
    from text2sql.train import build_tiny_model

    micro = build_tiny_model(tmp_path / "micro", arch="micro")
    tiny = build_tiny_model(tmp_path / "tiny", arch="tiny")
    peft = get_peft_model(
        AutoModelForCausalLM.from_pretrained(micro), LoraConfig(r=4, target_modules=["q_proj", "v_proj"])
    )
    peft.save_pretrained(tmp_path / "adapter")
    check_adapter_matches(tmp_path / "adapter", micro)  # its own base: fine
    res = t2s(
        "eval", "--model", str(tiny), "--adapter", str(tmp_path / "adapter"), "--limit", "2", check=False
    )
    assert res.returncode == 2 and "does not fit" in res.stderr and "size mismatch" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


@pytest.mark.require_train
def test_train_writes_a_summary_with_provenance(tmp_path):
    from train_helpers import base_config, sft_rows, write_jsonl

    from text2sql.train import build_tiny_model, train

    model = build_tiny_model(tmp_path / "m", arch="micro")
    data = write_jsonl(tmp_path / "sft.jsonl", sft_rows(2))
    out = train(base_config(model, data, tmp_path / "sft", max_steps=2))
    summary = json.loads((out / "summary.json").read_text())
    prov = summary["provenance"]
    assert summary["global_step"] == 2 and summary["final_loss"] is not None
    assert (
        prov["data"] == str(data)
        and prov["questions"] == 2
        and prov["questions_sha256"].startswith("sha256:")
    )
    assert prov["t2s_version"] and prov["versions"]["torch"] and prov["tokenizer"]


@pytest.mark.require_train
def test_every_prompt_record_names_the_tokenizer_that_counted_it(sample_bench):
    from text2sql.prompts.builder import PromptConfig, build_prompts, summary
    from text2sql.prompts.tokenizer import BUNDLED_TOKENIZER_NAME, bundled_tokenizer_dir

    records = build_prompts(sample_bench, "dev", PromptConfig(), limit=3)
    assert {r["tokenizer"] for r in records} == {
        BUNDLED_TOKENIZER_NAME
    } and "fallback" in BUNDLED_TOKENIZER_NAME
    assert summary(records)["tokenizer"] == BUNDLED_TOKENIZER_NAME
    named = build_prompts(sample_bench, "dev", PromptConfig(tokenizer=str(bundled_tokenizer_dir())), limit=1)
    assert named[0]["tokenizer"] == BUNDLED_TOKENIZER_NAME  # the bundled folder, named as the fallback


@pytest.mark.require_train
def test_build_prompts_prints_which_tokenizer_counted(tmp_path, capsys):
    t2s("build-prompts", "-o", str(tmp_path / "p.jsonl"), "--limit", "2")
    assert "tokens counted with t2s-bundled" in capsys.readouterr().out


@pytest.mark.require_train
def test_output_folder_with_brackets_is_printed_not_parsed(tmp_path, capsys):
    out = tmp_path / "runs" / "pred[/]x"
    t2s("eval", "--backend", "gold", "--output-dir", str(out), "--limit", "3", "--workers", "1")
    assert f"{out}/summary.json" in capsys.readouterr().out.replace("\n", "")


def test_nested_progress_on_a_terminal_shares_one_live_display():
    """Prompt building around a cold embedding step: rich allows only one live display at a time."""
    import text2sql.core.progress as progress

    out = io.StringIO()
    with Progress("prompts", 4, stream=out, tty=True) as outer:
        with Progress("embedding", 3, stream=out, tty=True) as inner:
            inner.advance(3)
            assert inner._bar is outer._bar
        outer.advance(4)
        assert progress._LIVE is outer._bar
    assert progress._LIVE is None and "embedding" in out.getvalue() and "prompts" in out.getvalue()


def test_eval_of_a_predictions_file_gets_a_readable_stable_folder(tmp_path, monkeypatch, sample_bench):
    monkeypatch.chdir(tmp_path)
    preds = tmp_path / "my-preds.sql"
    preds.write_text("".join(e.query + "\n" for e in sample_bench.examples("dev")))
    t2s("eval", "--predictions", str(preds), "--workers", "1", "--limit", "3")
    t2s("eval", "--predictions", str(preds), "--workers", "1", "--limit", "3")
    (folder,) = (tmp_path / "runs" / "eval").iterdir()
    assert folder.name.startswith("my-preds-dev-") and (folder / "summary.json").exists()


def test_extra_name_in_brackets_survives_the_error_line(tmp_path):
    """`pip install 't2s[vllm]'` must not lose `[vllm]` to rich markup."""
    res = t2s("eval", "--backend", "vllm", "--model", "m", "--output-dir", str(tmp_path / "y"), check=False)
    assert res.returncode == 2 and ("t2s[vllm]" in res.stderr or "CUDA GPU" in res.stderr)
