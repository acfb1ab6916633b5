"""core/records: the record declarations, the SQL field's aliases, write_run and docs/formats.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from text2sql.core.errors import T2SError
from text2sql.core.jsonl import BadRow
from text2sql.core.records import (
    KINDS,
    SQL_KEYS,
    PreferencePair,
    PromptRecord,
    ResultRow,
    RunSummary,
    SFTRow,
    fields,
    formats_markdown,
    result_field,
    row_id,
    sql_of,
    write_run,
)

REPO = Path(__file__).resolve().parents[2]


def names(record) -> list[str]:
    return [f[0] for f in fields(record)]


@pytest.mark.parametrize("key", SQL_KEYS)
def test_sql_of_reads_every_alias(key):
    assert sql_of({"id": "a", key: "SELECT 1"}) == "SELECT 1"


def test_sql_of_prefers_sql_and_refuses_non_strings():
    assert sql_of({"pred": "SELECT 2", "sql": "SELECT 1", "prediction": "SELECT 3"}) == "SELECT 1"
    assert sql_of({"predicted_sql": "SELECT 4", "pred": "SELECT 2"}) == "SELECT 2"
    with pytest.raises(BadRow, match="`sql` is null, expected a string"):
        sql_of({"sql": None, "pred": "SELECT 1"})  # a present key is the answer, even when broken
    with pytest.raises(BadRow, match="no SQL: give it as `sql`"):
        sql_of({"id": "a"})
    assert sql_of({"id": "a"}, default="") == ""


def test_row_id():
    assert row_id({"id": "dev-1"}) == "dev-1" and row_id({"id": 3}) == 3
    for bad in ({}, {"id": None}, {"id": True}, {"id": [1]}):
        with pytest.raises(BadRow):
            row_id(bad)


@pytest.mark.parametrize("key", SQL_KEYS)
def test_every_predictions_reader_takes_every_alias(tmp_path, key):
    from text2sql.data.schema import Example
    from text2sql.eval.predictions import read_predictions
    from text2sql.generation.oracle import read_prediction_records
    from text2sql.prompts.builder import read_pre_predictions
    from text2sql.trainsets.dpo import read_candidates

    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"id": "dev-0", key: "SELECT 1"}) + "\n")
    assert read_prediction_records(path)["dev-0"]["sql"] == "SELECT 1"
    assert read_predictions(path) == [("dev-0", "SELECT 1")]
    assert read_candidates(path) == {"dev-0": ["SELECT 1"]}
    ex = Example(id="dev-0", db_id="d", question="q", query="SELECT 1")
    assert read_pre_predictions(path, [ex]) == {"dev-0": "SELECT 1"}


def test_readers_name_the_line_and_the_command_that_makes_the_file(tmp_path):
    from text2sql.eval.predictions import read_predictions
    from text2sql.execution.rewards import read_completions
    from text2sql.generation.oracle import read_prediction_records
    from text2sql.train.data import read_jsonl
    from text2sql.workflows.pipeline import read_prompt_records

    path = tmp_path / "f.jsonl"
    path.write_text('{"id": "a", "sql": "SELECT 1", "completion": "x", "prompt": "p"}\n{"id": "b", "s\n')
    for read, command in (
        (read_prediction_records, "`t2s predict`"),
        (read_predictions, "`t2s predict`"),
        (read_prompt_records, "`t2s build-prompts`"),
        (read_jsonl, "`t2s build-sft` / `t2s build-dpo`"),
        (read_completions, "`raw` of `t2s predict`"),
    ):
        with pytest.raises(T2SError) as e:
            read(path)
        text = str(e.value)
        assert text.startswith(f"{path}:2 is not valid JSON") and command in text and "\n" not in text


def test_result_aliases_keep_old_results_files_readable():
    assert result_field({"exec_match": True}, "correct") is True
    assert result_field({"correct": False, "ex": True}, "correct") is False
    assert result_field({"prompt_tokens": 7}, "n_tokens") == 7
    assert result_field({"error": "syntax", "category": "schema"}, "error") == "schema"
    assert result_field({}, "correct", default=False) is False


def test_write_run_is_atomic_indented_and_ends_in_a_newline(tmp_path):
    summary = {"ex": 0.5, "settings": {"split": "dev"}, "name": "é"}
    path = write_run(tmp_path / "run", summary)
    assert path == tmp_path / "run" / "summary.json"
    assert path.read_text() == json.dumps(summary, indent=2) + "\n"
    write_run(tmp_path / "run", {"ex": 1.0})
    assert json.loads(path.read_text()) == {"ex": 1.0}
    assert sorted(p.name for p in path.parent.iterdir()) == ["summary.json"]
    assert json.loads(write_run(tmp_path, {"p": Path("x")}, default=str).read_text()) == {"p": "x"}
    with pytest.raises(TypeError):
        write_run(tmp_path / "strict", {"p": Path("x")})


@pytest.mark.require_train  # builds prompts: the bundled tokenizer loads through transformers
def test_records_declare_the_fields_t2s_writes_in_their_order(sample_bench, tmp_path):
    """The declarations are the files: a field added to a writer must be declared (and documented)."""
    from text2sql.eval.evaluate import evaluate
    from text2sql.prompts.builder import PromptConfig, build_prompts
    from text2sql.prompts.tokenizer import load_tokenizer
    from text2sql.trainsets.sft import sft_rows

    records = build_prompts(sample_bench, "dev", PromptConfig(), limit=2, tokenizer=load_tokenizer(None))
    assert list(records[0]) == names(PromptRecord)
    rows, _ = sft_rows(records)
    assert list(rows[0]) == names(SFTRow)
    examples = sample_bench.examples("dev")[:2]
    report = evaluate(sample_bench, examples, [e.query for e in examples], workers=1, use_cache=False)
    declared = names(ResultRow)
    assert [k for k in declared if k in report.results[0]] == list(report.results[0])  # declared, in order
    assert set(report.summary) <= set(names(RunSummary))


@pytest.mark.require_train  # builds prompts: the bundled tokenizer loads through transformers
def test_preference_pairs_are_declared_in_the_order_build_dpo_writes(sample_bench):
    from text2sql.prompts.builder import PromptConfig
    from text2sql.prompts.tokenizer import load_tokenizer
    from text2sql.trainsets.dpo import build_dpo

    rows, _ = build_dpo(sample_bench, "train", PromptConfig(), limit=3, tokenizer=load_tokenizer(None))
    assert rows and list(rows[0]) == names(PreferencePair)


def test_formats_doc_is_generated_from_the_records():
    """docs/formats.md is `python scripts/gen_formats_doc.py`'s output: rerun it after changing a record."""
    doc = (REPO / "docs" / "formats.md").read_text(encoding="utf-8")
    assert doc == formats_markdown()
    for kind in KINDS:
        assert f"## {kind.record.__name__}: {kind.what}" in doc
    assert "| `sql` | str | yes |" in doc
    assert "[formats.md](formats.md)" in (REPO / "docs" / "data.md").read_text(encoding="utf-8")


def _declared_in_order(row: dict, record) -> bool:
    declared = names(record)
    return [k for k in declared if k in row] == list(row)


@pytest.mark.require_train  # builds prompts: the bundled tokenizer loads through transformers
def test_the_files_of_a_generated_run_are_declared(tmp_path):
    """`t2s eval --backend gold` and `t2s predict`: every field of every file they write is declared."""
    from cli_helpers import t2s

    from text2sql.core.records import Prediction

    out = tmp_path / "e"
    t2s("eval", "--backend", "gold", "--output-dir", str(out), "--limit", "3", "--workers", "1")
    assert set(json.loads((out / "summary.json").read_text())) <= set(names(RunSummary))
    for name, record in (("results.jsonl", ResultRow), ("predictions.jsonl", Prediction)):
        rows = [json.loads(line) for line in (out / name).read_text().splitlines()]
        assert len(rows) == 3 and all(_declared_in_order(r, record) for r in rows), name
    t2s("predict", "--backend", "gold", "--output-dir", str(tmp_path / "p"), "--limit", "2")
    assert set(json.loads((tmp_path / "p" / "summary.json").read_text())) <= set(names(RunSummary))
