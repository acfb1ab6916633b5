"""Online RL on CPU with a micro Qwen2 model: GRPO with the execution reward raises the reward of a briefly
SFT'd policy on its training prompts, the adapter carries the prompt hash (`t2s eval` gives no warning),
RLOO runs the same path, and bad RL configs fail with one line."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from train_helpers import base_config

pytestmark = pytest.mark.require_train

REPO = Path(__file__).resolve().parents[2]
SYSTEM = "Write SQLite."
GOLD = "SELECT count(*) FROM pets"
WRONG = "SELECT count(*) FROM pets WHERE age > 4"  # executes, wrong result: 0.1
QUESTIONS = ["How many pets are there?", "Count the pets."]


def _zoo(root: Path) -> Path:
    """A one-table Spider-format benchmark: prompts short enough for a micro model on CPU."""
    folder = root / "database" / "zoo"
    folder.mkdir(parents=True)
    con = sqlite3.connect(folder / "zoo.sqlite")
    con.execute("CREATE TABLE pets (id INTEGER PRIMARY KEY, age INTEGER)")
    con.executemany("INSERT INTO pets VALUES (?, ?)", [(1, 3), (2, 7), (3, 5)])
    con.commit()
    con.close()
    cols = [[-1, "*"], [0, "id"], [0, "age"]]
    table = {
        "db_id": "zoo",
        "table_names_original": ["pets"],
        "table_names": ["pets"],
        "column_names_original": cols,
        "column_names": cols,
        "column_types": ["text", "number", "number"],
        "primary_keys": [1],
        "foreign_keys": [],
    }
    (root / "tables.json").write_text(json.dumps([table]))
    examples = json.dumps([{"db_id": "zoo", "question": q, "query": GOLD} for q in QUESTIONS])
    (root / "train_spider.json").write_text(examples)
    (root / "dev.json").write_text(examples)
    return root


@pytest.fixture(scope="module")
def task(tmp_path_factory):
    """Prompt records from build_prompts, and a policy SFT'd on right and wrong answers alike (about 50/50)."""
    from text2sql.data.benchmark import load_benchmark
    from text2sql.models.tiny import build_tiny_model
    from text2sql.prompts.builder import PromptConfig, build_prompts, write_jsonl
    from text2sql.train import train

    root = tmp_path_factory.mktemp("grpo")
    bench_dir = _zoo(root / "zoo")
    records = build_prompts(load_benchmark(bench_dir), "train", PromptConfig(system_prompt=SYSTEM))
    write_jsonl(root / "prompts.jsonl", records)
    sft = [
        {"messages": [*r["messages"], {"role": "assistant", "content": a}], "config_hash": r["config_hash"]}
        for r in records
        for a in (GOLD, WRONG)
    ]
    write_jsonl(root / "sft.jsonl", sft)
    model = build_tiny_model(root / "model", arch="micro")
    sft_out = train(base_config(model, root / "sft.jsonl", root / "sft", train_mode="lora", max_steps=12))
    return dict(root=root, bench=bench_dir, records=records, model=model, sft=sft_out)


def _rl_overrides(task, out: str, **kw) -> dict:
    """tiny-grpo.json with this task's paths (the shipped config is what we train with)."""
    root = task["root"]
    return {
        "model_name_or_path": str(task["model"]),
        "adapter_name_or_path": str(task["sft"]),
        "train_file": str(root / "prompts.jsonl"),
        "output_dir": str(root / out),
        "reward_data": str(task["bench"]),
        "train_mode": "lora",
        "reward_workers": 1,
        "disable_tqdm": True,
        "seed": 0,
        **kw,
    }


def _sampled_reward(task, adapter: Path, n: int = 32) -> float:
    """Mean execution reward of `n` sampled answers (temperature 1) per training prompt."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from text2sql.execution.rewards import RewardScorer, RewardSettings, execution
    from text2sql.prompts.tokenizer import load_tokenizer

    tok = load_tokenizer(str(task["model"]))
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(task["model"]), adapter).eval()
    torch.manual_seed(0)
    texts, golds = [], []
    for rec in task["records"]:
        ids = tok.apply_chat_template(
            rec["messages"], add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        with torch.no_grad():
            out = model.generate(
                **ids, max_new_tokens=16, do_sample=True, temperature=1.0, num_return_sequences=n
            )
        texts += tok.batch_decode(out[:, ids["input_ids"].shape[1] :], skip_special_tokens=True)
        golds += [rec["gold"]] * n
    with RewardScorer(task["bench"], RewardSettings(workers=0)) as scorer:
        rewards = execution(None, texts, db_id=["zoo"] * len(texts), gold=golds, scorer=scorer)
    return sum(rewards) / len(rewards)


@pytest.mark.slow
def test_grpo_raises_the_execution_reward_and_eval_sees_no_prompt_hash_warning(task):
    from text2sql.train import read_training_meta, train

    out = train(
        str(REPO / "train_args" / "tiny-grpo.json"),
        _rl_overrides(
            task,
            "grpo",
            max_steps=8,
            num_generations=8,
            per_device_train_batch_size=16,
            max_completion_length=16,
            learning_rate=5e-3,
        ),
    )
    before, after = _sampled_reward(task, task["sft"]), _sampled_reward(task, out)
    print(f"GRPO: sampled execution reward {before:.3f} before, {after:.3f} after")
    assert after >= before + 0.2, (before, after)

    log = json.loads((out / "t2s_train_log.json").read_text())
    steps = [e for e in log if "reward" in e]
    assert len(steps) == 8
    for key in (
        "reward/ex",
        "reward/executable",
        "reward/timeouts",
        "reward/resource_limits",
        "reward/seconds",
    ):
        assert key in steps[0], key
    assert all(0.0 <= e["reward/ex"] <= e["reward/executable"] <= 1.0 for e in steps)
    meta = read_training_meta(out)
    assert meta["task_type"] == "grpo" and meta["prompt_config_hash"] == task["records"][0]["config_hash"]
    assert meta["adapter_of"] == str(task["sft"])

    def t2s_eval(*prompt_options: str, out: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "text2sql", "eval", "--model", str(task["model"]), "--adapter", str(grpo)]
            + ["--data", str(task["bench"]), "--split", "dev", *prompt_options]
            + ["--max-new-tokens", "16", "--output-dir", str(task["root"] / out)],
            capture_output=True,
            text=True,
            env=dict(os.environ, T2S_CACHE_DIR=str(task["root"] / "cache")),
        )

    grpo = out
    r = t2s_eval("--system-prompt", SYSTEM, out="eval")
    assert r.returncode == 0, r.stderr
    assert "was trained on prompts with config hash" not in r.stderr, r.stderr
    summary = json.loads((task["root"] / "eval" / "summary.json").read_text())
    assert summary["count"] == len(QUESTIONS)
    other = t2s_eval(
        out="eval-other-prompts"
    )  # the default system prompt: not what the policy was trained on
    assert other.returncode == 0 and "was trained on prompts with config hash" in other.stderr


@pytest.mark.slow
def test_rloo_trains_through_the_same_path(task):
    from text2sql.train import train

    out = train(
        str(REPO / "train_args" / "tiny-grpo.json"),
        _rl_overrides(
            task,
            "rloo",
            task_type="rloo",
            beta=0.0,
            max_steps=2,
            num_generations=4,
            per_device_train_batch_size=8,
            max_completion_length=12,
            reward_funcs=["execution", "format"],
            reward_weights=[1.0, 0.5],
        ),
    )
    log = json.loads((out / "t2s_train_log.json").read_text())
    steps = [e for e in log if "reward" in e]
    assert len(steps) == 2
    assert {"rewards/execution/mean", "rewards/format/mean", "reward/ex"} <= steps[0].keys()
    assert (out / "adapter_model.safetensors").is_file()
    assert json.loads((out / "t2s_meta.json").read_text())["task_type"] == "rloo"


def test_rl_data_and_config_errors_are_one_line(tmp_path):
    from text2sql.core.errors import T2SError
    from text2sql.prompts.tokenizer import load_tokenizer
    from text2sql.train.config import load_config
    from text2sql.train.rl import build_rl_dataset

    cfg = {
        "model_name_or_path": "m",
        "train_file": "t.jsonl",
        "output_dir": str(tmp_path),
        "task_type": "grpo",
    }
    with pytest.raises(T2SError, match="unknown reward 'exec'"):
        load_config({**cfg, "reward_funcs": ["exec"]})
    with pytest.raises(T2SError, match="did you mean 'reward_timeout'"):
        load_config({**cfg, "reward_timout": 2})
    with pytest.raises(T2SError, match="2 reward_weights for 1 reward_funcs"):
        load_config({**cfg, "reward_weights": [1.0, 2.0]})
    with pytest.raises(T2SError, match="unknown training config key 'reward_funcs' for task_type 'sft'"):
        load_config({**cfg, "task_type": "sft", "reward_funcs": ["execution"]})
    parsed = load_config({**cfg, "reward_funcs": "execution,format", "num_generations": 4})
    assert parsed.reward.reward_funcs == ["execution", "format"] and parsed.args.num_generations == 4
    assert type(load_config({**cfg, "task_type": "rloo"}).args).__name__ == "RLOOConfig"

    tok = load_tokenizer(None)
    sft_row = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "SELECT 1"}]}
    with pytest.raises(T2SError, match="SFT data"):
        build_rl_dataset([sft_row], tok, None)
    with pytest.raises(T2SError, match="'db_id' and 'gold'"):
        build_rl_dataset([{"messages": [{"role": "user", "content": "q"}]}], tok, None)
    ok = {
        "messages": [{"role": "user", "content": "q"}],
        "db_id": "d",
        "gold": "SELECT 1",
        "response_prefix": "",
    }
    ds, report = build_rl_dataset([ok, {**ok, "gold": ""}], tok, None)
    assert report.kept == 1 and report.dropped == report.no_gold == 1
    assert report.line() == "1 examples kept, 1 dropped without a gold SQL"
    too_long = build_rl_dataset([ok, {**ok, "messages": [{"role": "user", "content": "q " * 300}]}], tok, 64)[
        1
    ]
    assert too_long.kept == 1 and too_long.prompt_too_long == 1
    assert ds[0]["prompt"] == ok["messages"] and ds[0]["answer_format"] == "sql"
