"""Hostile inputs (audit 17, rows 5, 8-11, 14, 15, 17, 18): each is refused with one `error:` line (or read
as data), before any work, in bounded time, and nothing is left behind outside the output folder."""

import json
import shutil
from pathlib import Path

import pytest
from cli_helpers import t2s as run_cli

from text2sql.core.errors import T2SError

SAMPLE = Path(__file__).resolve().parents[2] / "text2sql" / "sample_data"


def t2s(*args):
    """The CLI in-process, its exit code left to the caller: exit code, stderr, seconds."""
    return run_cli(*args, check=False)


def one_error_line(res, *needles):
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert res.returncode == 2, res.stderr
    assert len(lines) == 1 and lines[0].startswith("error:"), res.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    """An empty working directory: anything a command leaves outside its output folder shows up here."""
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    return here


# -- reports (rows 5 and 18) -------------------------------------------------------------------------
def make_run(path: Path, name: str, generation: dict | None = None, n: int = 6) -> Path:
    path.mkdir(parents=True)
    rows = [{"id": f"dev-{i}", "question": f"q{i}", "correct": i % 2 == 0, "n_tokens": 10} for i in range(n)]
    (path / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    summary = {"name": name, "settings": {"data": "/d", "split": "dev"}}
    if generation is not None:
        summary["generation"] = generation
    (path / "summary.json").write_text(json.dumps(summary))
    return path


def test_dollar_signs_in_names_and_paths_are_printed_not_mathtext(tmp_path, cwd):
    a = make_run(tmp_path / "a", "cost $5 vs $10", {"model": "/m/$HOME/x$y", "backend": "hf"})
    b = make_run(tmp_path / "b", r"a $x^$ b $\nosuchcmd$", {"model": "m$", "decoding": {"samples": 1}})
    res = t2s("report", str(a), str(b), "--output-dir", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    page = (tmp_path / "out" / "report.html").read_text()
    assert "cost $5 vs $10" in page and "x$y" in page and r"a $x^$ b $\nosuchcmd$" in page
    assert tree(cwd) == set()


def test_report_md_escapes_what_it_prints(tmp_path):
    a = make_run(tmp_path / "a", "<script>alert(1)</script>")
    b = make_run(tmp_path / "b", "[x](javascript:alert(1)) | *bold*")
    res = t2s("report", str(a), str(b), "--output-dir", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    md = (tmp_path / "out" / "report.md").read_text()
    assert "<script>" not in md and "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert "[x\\](javascript" in md and r"\*bold\*" in md and r"\|" in md


@pytest.mark.parametrize(
    "generation, field",
    [
        ({"decoding": {"samples": "3"}}, "generation.decoding.samples"),
        ({"decoding": {"temperature": [0.7]}}, "generation.decoding.temperature"),
        ({"decoding": "greedy"}, "generation.decoding"),
        ({"model": 7}, "generation.model"),
        ("hf", "generation"),
    ],
)
def test_a_summary_field_of_the_wrong_type_is_one_line_naming_file_and_field(tmp_path, generation, field):
    a = make_run(tmp_path / "a", "a")
    b = make_run(tmp_path / "b", "b", generation)
    res = t2s("report", str(a), str(b), "--output-dir", str(tmp_path / "out"))
    one_error_line(res, str(b / "summary.json"), f"field {field} ")
    assert not (tmp_path / "out").exists()  # refused before anything is written


@pytest.mark.parametrize(("field", "value"), [("oracle_ex", "high"), ("count", 6.5), ("pick", "vote")])
def test_every_declared_summary_field_is_type_checked(tmp_path, field, value):
    """The top-level types come from RunSummary: a field it declares is checked without a second list."""
    from text2sql.core.records import RunSummary

    assert field in RunSummary.__annotations__
    a = make_run(tmp_path / "a", "a")
    b = make_run(tmp_path / "b", "b")
    summary = json.loads((b / "summary.json").read_text())
    (b / "summary.json").write_text(json.dumps({**summary, field: value}))
    res = t2s("report", str(a), str(b), "--output-dir", str(tmp_path / "out"))
    one_error_line(res, str(b / "summary.json"), f"field {field} ")


def test_a_result_record_with_a_non_numeric_token_count_is_one_line(tmp_path):
    a = make_run(tmp_path / "a", "a")
    (a / "results.jsonl").write_text('{"id": "dev-0", "correct": true, "n_tokens": "many"}\n')
    res = t2s("report", str(a), "--output-dir", str(tmp_path / "out"))
    one_error_line(res, "results.jsonl:1", "n_tokens")


# -- benchmark fields (rows 10 and 17) --------------------------------------------------------------
def bench_with(tmp_path: Path, items) -> Path:
    root = tmp_path / "bench"
    root.mkdir()
    shutil.copy(SAMPLE / "tables.json", root / "tables.json")
    (root / "database").symlink_to(SAMPLE / "database")
    good = json.loads((SAMPLE / "dev.json").read_text())[:3]
    (root / "dev.json").write_text(json.dumps(good + items, ensure_ascii=True))
    return root


@pytest.mark.parametrize(
    "item, needle",
    [
        ({"db_id": 7, "question": "q", "query": "SELECT 1"}, "db_id is int 7"),
        ({"db_id": "university", "question": "q", "query": {"sql": "SELECT 1"}}, "query is dict"),
        ({"db_id": "university", "question": None, "query": "SELECT 1"}, "question is null"),
        ({"db_id": "university", "question": 12, "query": "SELECT 1"}, "question is int"),
        ({"db_id": "university", "question": ["a", "b"], "query": "SELECT 1"}, "question is list"),
        ({"db_id": "university", "query": "SELECT 1"}, "has no 'question'"),
        (["university", "q"], "example 3 is list"),
    ],
)
def test_odd_benchmark_fields_are_one_line_before_any_work(tmp_path, cwd, item, needle):
    root = bench_with(tmp_path, [item])
    res = t2s("eval", "--backend", "gold", "--data", str(root), "--output-dir", str(tmp_path / "run"))
    one_error_line(res, "dev.json: example 3", needle)
    assert not (tmp_path / "run").exists() and tree(cwd) == set()


@pytest.mark.require_train
def test_a_lone_surrogate_in_a_question_is_data(tmp_path):
    from text2sql.data.benchmark import load_benchmark

    root = bench_with(
        tmp_path, [{"db_id": "university", "question": "how \ud800 many?", "query": "SELECT 1"}]
    )
    ex = load_benchmark(root).examples("dev")[3]
    assert ex.question == "how \ufffd many?"
    res = t2s("eval", "--backend", "gold", "--data", str(root), "--output-dir", str(tmp_path / "run"))
    assert res.returncode == 0, res.stderr
    assert "\ufffd" in (tmp_path / "run" / "results.jsonl").read_text(encoding="utf-8")


def test_a_db_id_outside_the_benchmark_fails_before_generation(tmp_path, cwd):
    root = bench_with(tmp_path, [{"db_id": "no_such_db", "question": "q?", "query": "SELECT 1"}])
    res = t2s("eval", "--backend", "gold", "--data", str(root), "--output-dir", str(tmp_path / "run"))
    one_error_line(res, "question dev-3", "no_such_db")
    assert not (tmp_path / "run").exists() and tree(cwd) == set()  # no prompts, no predictions


# -- t2s reward (row 8) -----------------------------------------------------------------------------
def test_reward_with_a_lone_surrogate_writes_every_row(tmp_path, cwd):
    comps = tmp_path / "c.jsonl"
    lines = [json.dumps({"id": i, "completion": f"SELECT {i}"}) for i in range(11)]
    lines[7] = '{"id": 7, "completion": "SELECT \'\\ud800\'"}'  # a lone surrogate, as JSON spells it
    lines[8] = '{"id": 8, "completion": "SELECT \'BAD\'"}'
    comps.write_bytes(("\n".join(lines) + "\n").encode().replace(b"BAD", b"\xff\xfe"))  # not UTF-8
    out = tmp_path / "o" / "rewards.jsonl"
    res = t2s("reward", "-c", str(comps), "--workers", "1", "--timeout", "2", "-o", str(out))
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == list(range(11))
    assert rows[7]["sql"] == "SELECT '\ufffd'" and rows[8]["sql"] == "SELECT '\ufffd\ufffd'"
    assert sorted(p.name for p in out.parent.iterdir()) == ["rewards.jsonl"] and tree(cwd) == set()


def test_reward_ids_of_the_wrong_type_are_one_line(tmp_path):
    comps = tmp_path / "c.jsonl"
    comps.write_text(json.dumps({"id": [1], "completion": "SELECT 1"}) + "\n")
    res = t2s("reward", "-c", str(comps), "-o", str(tmp_path / "o.jsonl"))
    one_error_line(res, "c.jsonl:1", "id is [1]")
    assert not (tmp_path / "o.jsonl").exists()


# -- prediction records ------------------------------------------------------------------------------
def test_prediction_ids_of_the_wrong_type_and_bad_bytes(tmp_path):
    from text2sql.eval.predictions import read_predictions

    p = tmp_path / "p.jsonl"
    p.write_text(json.dumps({"id": {"a": 1}, "sql": "SELECT 1"}) + "\n")
    with pytest.raises(T2SError, match=r"p.jsonl:1: id is"):
        read_predictions(p)
    p.write_bytes(
        b'{"id": "dev-0", "sql": "SELECT \'\xff\'"}\n{"id": "dev-1", "sql": "SELECT \'\\ud800\'"}\n'
    )
    assert read_predictions(p) == [("dev-0", "SELECT '\ufffd'"), ("dev-1", "SELECT '\ufffd'")]


# -- training inputs (rows 9 and 15) ------------------------------------------------------------------
@pytest.fixture(scope="module")
def micro(tmp_path_factory):
    from text2sql.train import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("micro") / "m", arch="micro")


def train_config(tmp_path, micro, rows=None, **kw):
    from train_helpers import base_config, sft_rows, write_jsonl

    data = write_jsonl(tmp_path / "train.jsonl", sft_rows(4) if rows is None else rows)
    cfg = {**base_config(micro, data, tmp_path / "out", max_steps=1), **kw}
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps(cfg))
    return path


@pytest.mark.require_train
@pytest.mark.parametrize(
    "override, needle",
    [
        ({"lora_rank": -4}, "lora_rank must be at least 1, got -4"),
        ({"per_device_train_batch_size": 0}, "per_device_train_batch_size must be at least 1"),
        ({"lora_dropout": 1.5}, "lora_dropout must be in [0, 1)"),
        ({"learning_rate": -1e-4}, "learning_rate must be positive"),
        ({"max_steps": 0}, "max_steps must be -1"),
    ],
)
def test_training_config_out_of_range_is_one_line(tmp_path, cwd, micro, override, needle):
    res = t2s("train", str(train_config(tmp_path, micro, **override)))
    one_error_line(res, needle)
    assert not (tmp_path / "out").exists() and tree(cwd) == set()


@pytest.mark.require_train
def test_output_dir_that_is_a_file_or_under_one(tmp_path, cwd, micro):
    (tmp_path / "afile").write_text("x")
    for out, needle in ((tmp_path / "afile", "is a file"), (tmp_path / "afile" / "sub", "which is a file")):
        res = t2s("train", str(train_config(tmp_path, micro, output_dir=str(out))))
        one_error_line(res, f"output_dir {out}", needle)
    assert (tmp_path / "afile").read_text() == "x" and tree(cwd) == set()


@pytest.mark.require_train
def test_train_file_that_is_a_folder_says_so(tmp_path, micro):
    (tmp_path / "data").mkdir()
    res = t2s("train", str(train_config(tmp_path, micro, train_file=str(tmp_path / "data"))))
    one_error_line(res, "is a folder")


ASSISTANT_WITHOUT_CONTENT = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant"}]}


@pytest.mark.require_train
@pytest.mark.parametrize(
    "row, needle",
    [
        ([], "is a JSON list, not an object"),
        ({"messages": "str"}, "'messages' must be a list"),
        ({"messages": ["hi"]}, "'messages' must be a list"),
        (ASSISTANT_WITHOUT_CONTENT, "messages[1] needs a string role and content"),
        ({"prompt": [{"role": "user", "content": 5}], "chosen": [], "rejected": []}, "prompt[0]"),
    ],
)
def test_bad_training_rows_are_one_line_and_leave_nothing_behind(tmp_path, cwd, micro, row, needle):
    from train_helpers import sft_rows

    res = t2s("train", str(train_config(tmp_path, micro, rows=sft_rows(2) + [row])))
    one_error_line(res, "train.jsonl:3", needle)
    assert not (tmp_path / "out").exists()  # no stray t2s_train_config.json
    assert tree(cwd) == set()


def test_a_lone_surrogate_in_a_training_row_is_data(tmp_path):
    from text2sql.train.data import read_jsonl

    path = tmp_path / "t.jsonl"
    path.write_bytes(b'{"messages": [{"role": "user", "content": "q \\ud800 \xff"}, '
                     b'{"role": "assistant", "content": "SELECT 1"}]}\n')  # fmt: skip
    (row,) = read_jsonl(path)
    assert row["messages"][0]["content"] == "q \ufffd \ufffd"
    json.dumps(row, ensure_ascii=False).encode("utf-8")  # writable as UTF-8


# -- adapters (rows 11 and 14) ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def adapter(micro, tmp_path_factory):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    peft = get_peft_model(
        AutoModelForCausalLM.from_pretrained(micro), LoraConfig(r=16, target_modules=["q_proj", "v_proj"])
    )
    out = tmp_path_factory.mktemp("adapter") / "a"
    peft.save_pretrained(out)
    return out


def edited_adapter(adapter: Path, tmp_path: Path, **changes) -> Path:
    copy = tmp_path / "adapter"
    shutil.copytree(adapter, copy)
    config = json.loads((copy / "adapter_config.json").read_text())
    config.update(changes)
    (copy / "adapter_config.json").write_text(json.dumps(config))
    return copy


@pytest.mark.require_train
def test_adapter_config_rank_over_other_weights_is_one_line(tmp_path, cwd, micro, adapter):
    bad = edited_adapter(adapter, tmp_path, r=64)
    res = t2s("eval", "--model", str(micro), "--adapter", str(bad), "--limit", "2", "--output-dir", str(tmp_path / "r"))
    one_error_line(res, "says r=64 but its weights have rank 16")
    assert "size mismatch" not in res.stderr and not (tmp_path / "r").exists() and tree(cwd) == set()


@pytest.mark.require_train
def test_adapter_config_with_a_negative_rank_is_one_line(tmp_path, micro, adapter):
    from text2sql.models.checks import check_adapter_matches

    with pytest.raises(T2SError, match=r"r is -4, expected a positive integer"):
        check_adapter_matches(edited_adapter(adapter, tmp_path, r=-4), micro)


@pytest.mark.require_train
def test_adapter_recording_another_or_no_base_warns(tmp_path, micro, adapter, capsys):
    from text2sql.models.checks import check_adapter_matches

    check_adapter_matches(adapter, micro)  # its own base: silent
    assert capsys.readouterr().err == ""
    other = edited_adapter(adapter, tmp_path, base_model_name_or_path="/elsewhere/Qwen2.5-7B")
    check_adapter_matches(other, micro)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "trained on /elsewhere/Qwen2.5-7B, not" in err[0]
    shutil.rmtree(other)
    none = edited_adapter(adapter, tmp_path, base_model_name_or_path=None)
    check_adapter_matches(none, micro)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "records no base model" in err[0]
