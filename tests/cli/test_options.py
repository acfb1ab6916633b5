"""Issue 18.5: renamed flags keep their old spelling for one release, hidden from --help, with a note
naming the new spelling; the commands are listed in pipeline order."""

import json

import pytest
from cli_helpers import t2s

from text2sql.cli._options import translate


def _translate(args, options=None, values=None, takes_value=()):
    notes = []
    out = translate(args, options or {}, values or {}, set(takes_value), lambda o, n: notes.append((o, n)))
    return out, notes


def test_translate_rewrites_every_spelling_of_an_old_option():
    options = {"--reward-model": "--verifier", "-o": "--output-dir"}
    out, notes = _translate(["--reward-model", "m", "-o", "d"], options, takes_value={"--verifier", "--output-dir"})
    assert out == ["--verifier", "m", "--output-dir", "d"]
    assert notes == [("--reward-model", "--verifier"), ("-o", "--output-dir")]
    out, _ = _translate(["--reward-model=m", "-odir"], options)
    assert out == ["--verifier=m", "--output-dir=dir"]


def test_translate_leaves_values_and_the_rest_alone():
    options = {"-o": "--output-dir"}
    # a value that looks like an old option stays a value; after `--` nothing is touched
    out, notes = _translate(["--system-prompt", "-o", "--", "-o"], options, takes_value={"--system-prompt"})
    assert out == ["--system-prompt", "-o", "--", "-o"] and notes == []


def test_translate_renames_old_option_values():
    values = {"--pick": {"reward": "verifier"}}
    out, notes = _translate(["--pick", "reward", "--pick=reward", "--pick", "vote"], values=values,
                            takes_value={"--pick"})  # fmt: skip
    assert out == ["--pick", "verifier", "--pick=verifier", "--pick", "vote"]
    assert notes == [("--pick reward", "--pick verifier")] * 2


@pytest.mark.require_train
def test_old_eval_spellings_still_work_and_name_the_new_ones(tmp_path):
    old = t2s("eval", "--backend", "gold", "--limit", "2", "--workers", "1", "--no-cache",
              "-o", str(tmp_path / "old"), "--gen-seed", "3", "--seed", "4")  # fmt: skip
    notes = [line for line in old.stderr.splitlines() if line.startswith("note:")]
    assert notes == [
        "note: -o is now --output-dir; the old spelling goes in the next release",
        "note: --gen-seed is now --sampling-seed; the old spelling goes in the next release",
        "note: --seed is now --shot-seed; the old spelling goes in the next release",
    ]
    new = t2s("eval", "--backend", "gold", "--limit", "2", "--workers", "1", "--no-cache",
              "--output-dir", str(tmp_path / "new"), "--sampling-seed", "3", "--shot-seed", "4")  # fmt: skip
    assert "note:" not in new.stderr
    a, b = (json.loads((tmp_path / d / "generation.json").read_text()) for d in ("old", "new"))
    assert a["decoding"] == b["decoding"] and a["decoding"]["seed"] == 3


def test_old_pick_and_verifier_spellings_reach_the_new_checks(tmp_path):
    res = t2s("eval", "--backend", "gold", "--samples", "3", "--temperature", "1", "--pick", "reward",
              "--output-dir", str(tmp_path / "e"), "--limit", "2", check=False)  # fmt: skip
    assert "note: --pick reward is now --pick verifier" in res.stderr
    assert res.returncode == 2 and "needs a verifier" in res.stderr and "Traceback" not in res.stderr
    res = t2s("eval", "--backend", "gold", "--reward-adapter", str(tmp_path / "none"), "--limit", "1",
              "--output-dir", str(tmp_path / "f"), check=False)  # fmt: skip
    assert "note: --reward-adapter is now --verifier-adapter" in res.stderr and res.returncode == 2


@pytest.mark.require_train
def test_renamed_command_and_report_output(tmp_path):
    res = t2s("eval-reward", "--pairs", str(tmp_path / "none.jsonl"), "-m", "x", check=False)
    assert "note: `t2s eval-reward` is now `t2s eval-verifier`" in res.stderr
    assert "note: -m is now --verifier" in res.stderr and res.returncode == 2
    for d in ("a", "b"):
        t2s("eval", "--backend", "gold", "--limit", "2", "--workers", "1", "--output-dir", str(tmp_path / d))
    old = t2s("report", str(tmp_path / "a"), str(tmp_path / "b"), "--output", str(tmp_path / "r1"))
    assert "note: --output is now --output-dir" in old.stderr and (tmp_path / "r1" / "report.html").is_file()
    new = t2s("report", str(tmp_path / "a"), str(tmp_path / "b"), "--output-dir", str(tmp_path / "r2"))
    assert "note:" not in new.stderr and (tmp_path / "r2" / "report.html").is_file()


@pytest.mark.parametrize(
    "command, old",
    [
        ("eval", ("--gen-seed", "--reward-model", "--reward-adapter", "--seed ", " -o ")),
        ("predict", ("--gen-seed", "--reward-model", "--seed ", " -o ")),
        ("report", ("--output ", " -o ")),
        ("merge", ("--base ", "--output ")),
        ("tiny-model", ("--output ", "--seed ")),
        ("eval-verifier", ("--model", "--adapter", " -m ")),
    ],
)
def test_old_spellings_are_hidden_from_help(command, old, capsys):
    t2s(command, "--help")
    out = capsys.readouterr().out
    for spelling in old:
        assert spelling not in out, spelling


def test_commands_are_listed_in_pipeline_order(capsys):
    from typer.main import get_command

    from text2sql.cli import COMMAND_ORDER, app

    group = get_command(app)
    assert sorted(group.list_commands(None)) == sorted(COMMAND_ORDER)  # every command has its place
    t2s("--help")
    out = capsys.readouterr().out
    where = [out.index(f" {name} ") for name in COMMAND_ORDER]
    assert where == sorted(where)
    assert out.index(" build-prompts ") < out.index(" train ") < out.index(" eval ") < out.index(" report ")


@pytest.mark.require_train
def test_library_settings_read_as_this_commands_flags(tmp_path):
    res = t2s("predict", "--backend", "replay", "--output-dir", str(tmp_path / "r"), check=False)
    assert res.stderr.strip().splitlines() == ["error: the replay backend needs --predictions (a predictions file)"]
    res = t2s("eval", "--backend", "gold", "--samples", "2", "--output-dir", str(tmp_path / "g"), "--limit", "1",
              check=False)  # fmt: skip
    assert "error: --samples > 1 needs --temperature > 0" in res.stderr and "`" not in res.stderr


@pytest.mark.require_train
def test_predict_takes_p_and_old_model_folder_spellings(tmp_path):
    t2s("predict", "--backend", "gold", "--limit", "2", "--output-dir", str(tmp_path / "g"))
    preds = tmp_path / "g" / "predictions.jsonl"
    res = t2s("predict", "-p", str(preds), "--limit", "2", "--output-dir", str(tmp_path / "r"))
    assert "note:" not in res.stderr and (tmp_path / "r" / "predictions.jsonl").read_text() != ""
    res = t2s("merge", "--base", "nowhere", "--adapter", str(tmp_path / "none"), "--output", str(tmp_path / "m"),
              check=False)  # fmt: skip
    assert "note: --base is now --model" in res.stderr and "note: --output is now --output-dir" in res.stderr
    assert res.returncode == 2 and "Traceback" not in res.stderr


@pytest.mark.require_train
def test_tiny_model_old_spellings_build_the_same_model(tmp_path):
    old = t2s("tiny-model", "--output", str(tmp_path / "old"), "--arch", "micro", "--seed", "1")
    assert "note: --output is now --output-dir" in old.stderr and "note: --seed is now --init-seed" in old.stderr
    t2s("tiny-model", "--output-dir", str(tmp_path / "new"), "--arch", "micro", "--init-seed", "1")
    a, b = ((tmp_path / d / "model.safetensors").read_bytes() for d in ("old", "new"))
    assert a == b


def test_generation_flags_come_from_the_config_fields():
    """Options defined once: each BackendConfig/DecodingConfig field is a flag with the field's default and help."""
    from dataclasses import fields

    from text2sql.cli._options import config_options
    from text2sql.cli.generate import GEN_OPTIONS
    from text2sql.generation import BackendConfig, DecodingConfig

    table = {name: opt for name, _, opt in GEN_OPTIONS}
    for f in fields(DecodingConfig):
        name = "sampling_seed" if f.name == "seed" else f.name
        assert table[name].default == f.default and table[name].help == f.metadata["help"], name
        assert table[name].param_decls[0] == "--" + name.replace("_", "-")
    for f in fields(BackendConfig):
        if f.name not in ("tokenizer", "predictions"):
            assert table[f.name].help == f.metadata["help"], f.name
    assert table["backend"].default is None and table["model"].param_decls == ("--model", "-m")
    rows = config_options("text2sql.generation.base:DecodingConfig", skip=("seed",), defaults={"samples": 5})
    assert [r[0] for r in rows] == [f.name for f in fields(DecodingConfig) if f.name != "seed"]
    assert dict((r[0], r[2].default) for r in rows)["samples"] == 5


def test_prompt_flags_come_from_the_prompt_config_fields():
    """Options defined once: each PromptConfig field is a flag of build-prompts/sft/dpo, predict and eval, with
    the field's default and help; `values` is the two options --values and --values-per-column."""
    from dataclasses import fields

    from text2sql.cli.generate import GEN_OPTIONS, _prompt_options
    from text2sql.cli.prompts import PROMPT_OPTIONS
    from text2sql.prompts.config import PromptConfig

    table = {name: opt for name, _, opt in PROMPT_OPTIONS}
    for f in fields(PromptConfig):
        if f.name == "values":
            continue
        flag = "--shot-seed" if f.name == "seed" else "--" + f.name.replace("_", "-")
        assert table[f.name].param_decls[0].split("/")[0] == flag and table[f.name].help == f.metadata["help"]
        assert table[f.name].default == (None if f.name == "system_prompt" else f.default), f.name
    assert table["fk"].param_decls == ("--fk/--no-fk",)
    assert table["select_cue"].param_decls == ("--select-cue/--no-select-cue",)
    assert table["values"].param_decls == ("--values/--no-values",) and table["values_per_column"].default == 3
    generating = {name for name, _, _ in GEN_OPTIONS + _prompt_options()}
    assert {f.name for f in fields(PromptConfig)} <= generating  # predict and eval take every prompt option


@pytest.mark.require_train  # builds prompts: the bundled tokenizer loads through transformers
def test_prompt_flags_build_the_library_config_and_errors_name_them(tmp_path):
    from text2sql.prompts.config import PromptConfig

    out = tmp_path / "p.jsonl"
    t2s("build-prompts", "--limit", "1", "--no-fk", "--values", "--values-per-column", "2", "--shots", "1",
        "--select", "random", "--shot-seed", "3", "--dail-threshold", "0.5", "--output", str(out))  # fmt: skip
    record = json.loads(out.read_text().splitlines()[0])
    want = PromptConfig(fk=False, values=2, shots=1, select="random", seed=3, dail_threshold=0.5)
    assert record["config"] == want.to_dict() and record["config_hash"] == want.hash()
    for args, line in [
        (("--dail-threshold", "2"), "error: --dail-threshold is a similarity in [0, 1], not 2.0"),
        (("--values-per-column", "-1", "--values"), "error: --shots, --rows and --values-per-column must be >= 0"),
        (("--answer-format", "think", "--select-cue"), "error: --answer-format think asks for reasoning first: drop --select-cue"),
    ]:  # fmt: skip
        res = t2s("build-prompts", *args, "--output", str(tmp_path / "x.jsonl"), check=False)
        assert res.returncode == 2 and res.stderr.strip().splitlines() == [line], res.stderr
