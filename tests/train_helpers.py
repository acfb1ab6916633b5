"""Rows in the formats `t2s build-sft` / `t2s build-dpo` write, made from the bundled sample, for train tests."""

from __future__ import annotations

import json
from pathlib import Path

SYSTEM = "You write SQLite queries."
HASH = "cfg-test-1234"


def sample_examples(n: int):
    from text2sql.data.benchmark import load_benchmark

    return load_benchmark(None).examples("train")[:n]


def prompt_messages(ex) -> list[dict]:
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"-- {ex.db_id}\n{ex.question}"},
    ]


def sft_rows(n: int) -> list[dict]:
    return [
        {
            "messages": prompt_messages(ex) + [{"role": "assistant", "content": ex.query}],
            "id": ex.id,
            "db_id": ex.db_id,
            "config_hash": HASH,
        }
        for ex in sample_examples(n)
    ]


def dpo_rows(n: int) -> list[dict]:
    exs = sample_examples(n + 1)
    return [
        {
            "prompt": prompt_messages(ex),
            "chosen": [{"role": "assistant", "content": ex.query}],
            "rejected": [{"role": "assistant", "content": exs[i + 1].query}],  # another question's SQL
            "db_id": ex.db_id,
            "rejected_kind": "wrong_question",
            "id": ex.id,
            "config_hash": HASH,
        }
        for i, ex in enumerate(exs[:n])
    ]


def long_conversations(n: int, turns: int = 16) -> list[dict]:
    """Like Firefly's dummy_data.jsonl (33 conversations of 1,048-1,507 Qwen2.5 tokens, none within its
    max_seq_length=1024): multi-turn conversations longer than 1024 tokens, built from the bundled sample."""
    exs = sample_examples(n + turns)
    return [
        {"conversation_id": i, "category": "sql", "system": SYSTEM,
         "conversation": [{"human": f"-- {ex.db_id}\n{ex.question} " * 3, "assistant": ex.query}
                          for ex in exs[i : i + turns]]}
        for i in range(n)
    ]  # fmt: skip


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def base_config(model: Path, train_file: Path, output_dir: Path, **kw) -> dict:
    cfg = {
        "model_name_or_path": str(model),
        "train_file": str(train_file),
        "output_dir": str(output_dir),
        "train_mode": "qlora",
        "max_steps": 10,
        "per_device_train_batch_size": 4,
        "learning_rate": 2e-2,
        "lora_rank": 16,
        "lora_alpha": 32,
        "lora_dropout": 0.0,
        "max_seq_length": 256,
        "logging_steps": 1,
        "save_steps": 1000,
        "warmup_steps": 0,
        "seed": 0,
        "disable_tqdm": True,
        "gradient_checkpointing": False,  # TRL defaults it on; it only slows a micro model
        "report_to": "none",
        "bf16": False,  # fp32 whatever the runner's CPU: bf16 "auto" is tested in tests/train/test_precision.py
    }
    cfg.update(kw)
    return cfg
