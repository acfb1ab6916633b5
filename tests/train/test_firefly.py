"""Firefly's own train_args files and JSONL formats: each loads and trains, or stops with one honest line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from train_helpers import SYSTEM, long_conversations, sample_examples, write_jsonl

from text2sql.core.errors import T2SError
from text2sql.train.config import load_config
from text2sql.train.firefly import adapt_firefly_keys, from_firefly_rows

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "firefly"


def firefly(name: str, tmp_path: Path, model="m", train_file="t.jsonl") -> dict:
    """A vendored Firefly file with only its paths changed."""
    raw = json.loads((FIXTURES / name).read_text())
    raw.update(model_name_or_path=str(model), train_file=str(train_file), output_dir=str(tmp_path / "out"))
    if raw.get("deepspeed"):
        raw["deepspeed"] = str(FIXTURES / "ds_z3_config.json")
    return raw


@pytest.mark.require_train
def test_sft_and_dpo_files_load_with_template_name_explained(tmp_path):
    sft = load_config(firefly("qwen2-7b-sft-qlora.json", tmp_path))
    assert sft.model.train_mode == "qlora" and sft.args.max_length == 1024  # Firefly's default mode is ours
    assert sft.args.gradient_accumulation_steps == 16 and sft.args.optim == "paged_adamw_32bit"
    assert sft.args.ddp_find_unused_parameters is False  # as Firefly sets it
    assert any("template_name 'qwen'" in n and "chat template" in n for n in sft.notes)
    dpo = load_config(firefly("qwen1.5-7b-dpo-qlora.json", tmp_path))
    assert type(dpo.args).__name__ == "DPOConfig" and dpo.args.beta == 0.1
    assert dpo.data.max_prompt_length == 300


@pytest.mark.require_train
@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("qwen2.5-7b-sft-qlora.json", r"^use_unsloth: t2s trains with transformers/PEFT, not Unsloth; set it false$"),
        ("ds_z3_config.json", r"^this is a DeepSpeed config \(zero_optimization\)"),
    ],
)  # fmt: skip
def test_files_t2s_cannot_honour_stop_with_one_line(tmp_path, name, needle):
    import re

    raw = (
        firefly(name, tmp_path) if name != "ds_z3_config.json" else json.loads((FIXTURES / name).read_text())
    )
    with pytest.raises(T2SError) as e:
        load_config(raw)
    assert re.search(needle, str(e.value)) and "\n" not in str(e.value)


@pytest.mark.require_train
def test_full_file_with_deepspeed_needs_the_package(tmp_path):
    import importlib.util

    raw = firefly("qwen-7b-sft-full.json", tmp_path)
    if importlib.util.find_spec("deepspeed") is not None:
        assert load_config(raw).args.deepspeed
        return
    with pytest.raises(T2SError, match=r"needs the deepspeed package: pip install 't2s\[deepspeed\]'"):
        load_config(raw)
    assert load_config({**raw, "deepspeed": None}).model.train_mode == "full"


def test_renamed_keys_map_to_current_names():
    raw = json.loads((FIXTURES / "qwen-7b-pretrain-qlora.json").read_text())
    adapted, notes = adapt_firefly_keys(raw)
    assert adapted["warmup_steps"] == 0.01 and "warmup_ratio" not in adapted  # a fraction in transformers 5
    assert adapted["optim"] == "adamw_torch" and adapted["dataset_num_proc"] == 10
    assert len(notes) == 3
    adapted, _ = adapt_firefly_keys({"warmup_ratio": 0.1, "warmup_steps": 100})
    assert adapted["warmup_steps"] == 100  # transformers 4 let warmup_steps win too
    with pytest.raises(T2SError, match="warmup_ratio must be a fraction"):
        adapt_firefly_keys({"warmup_ratio": 3})


@pytest.mark.require_train
@pytest.mark.parametrize(
    ("key", "hint"),
    [("template_nam", None), ("use_unslot", None), ("learning_rat", "learning_rate"), ("lable_names", "label_names"),
     ("tokenize_num_worker", None), ("max_seq_lenght", "max_seq_length")],
)  # fmt: skip
def test_unknown_keys_only_suggest_close_spellings(key, hint):
    with pytest.raises(T2SError) as e:
        load_config({"model_name_or_path": "m", "train_file": "t", "output_dir": "o", key: 1})
    msg = str(e.value)
    if hint:
        assert msg.endswith(f"did you mean {hint!r}?")
    else:
        assert "did you mean" not in msg


@pytest.mark.require_train
def test_fp16_false_without_bf16_loads_on_cpu():
    from text2sql.train.launch import has_accelerator

    cfg = load_config({"model_name_or_path": "m", "train_file": "t", "output_dir": "o", "fp16": False})
    assert cfg.args.fp16 is False
    if not has_accelerator():
        assert cfg.args.bf16 is False


def firefly_sft_rows(n: int) -> list[dict]:
    rows = []
    for i, ex in enumerate(sample_examples(n)):
        turns = [{"human": f"-- {ex.db_id}\n{ex.question}", "assistant": ex.query}]
        if i % 2:
            turns.insert(0, {"human": "How many tables?", "assistant": "SELECT count(*) FROM sqlite_master"})
        rows.append({"conversation_id": i, "category": "sql", "system": SYSTEM, "conversation": turns})
    return rows


def firefly_dpo_rows(n: int) -> list[dict]:
    exs = sample_examples(n + 1)
    rows = []
    for ex, other in zip(exs, exs[1:], strict=False):
        history = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": ex.question}]
        rows.append({
            "prompt": ex.question,
            "chosen": history + [{"role": "assistant", "content": ex.query}],
            "rejected": history + [{"role": "assistant", "content": other.query}],
        })  # fmt: skip
    return rows


def test_conversation_and_dpo_rows_convert_to_chat_messages():
    rows, line = from_firefly_rows(firefly_sft_rows(2), "sft")
    assert rows[1]["messages"][0] == {"role": "system", "content": SYSTEM}
    assert [m["role"] for m in rows[1]["messages"]] == ["system", "user", "assistant", "user", "assistant"]
    assert rows[1]["conversation_id"] == 1 and "2 Firefly rows" in line and "1 have several turns" in line
    dpo, _ = from_firefly_rows(firefly_dpo_rows(1), "dpo")
    assert [m["role"] for m in dpo[0]["prompt"]] == ["system", "user"]
    assert dpo[0]["chosen"][0]["role"] == dpo[0]["rejected"][0]["role"] == "assistant"
    ours = [{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "SELECT 1"}]}]
    assert from_firefly_rows(ours, "sft") == (ours, None)
    with pytest.raises(T2SError, match="row 1: every conversation turn needs"):
        from_firefly_rows([{"conversation": [{"human": "q"}]}], "sft")


@pytest.mark.require_train
@pytest.mark.parametrize(
    ("name", "rows"),
    [("qwen2-7b-sft-qlora.json", long_conversations), ("qwen1.5-7b-dpo-qlora.json", firefly_dpo_rows)],
)
def test_firefly_files_and_data_train_as_they_are(tmp_path, name, rows):
    """Firefly's own SFT/DPO config (paths changed; fp16 off: a CPU has no fp16 kernels worth using) trains on
    its own JSONL formats; conversations longer than its max_seq_length train on their leading turns."""
    from text2sql.models.tiny import build_tiny_model
    from text2sql.train.trainer import train

    model = build_tiny_model(tmp_path / "micro", arch="micro")
    data = write_jsonl(tmp_path / "train.jsonl", rows(4))
    raw = {**firefly(name, tmp_path, model, data), "report_to": "none", "disable_tqdm": True}
    from text2sql.train.launch import has_accelerator

    if not has_accelerator():
        raw["fp16"] = False
    out = train(raw)
    assert (out / "adapter_model.safetensors").is_file()
    log = json.loads((out / "t2s_train_log.json").read_text())
    assert log[-1]["step"] == 1 and log[-1]["train_loss"] > 0
    meta = json.loads((out / "t2s_meta.json").read_text())
    if name.startswith("qwen2-"):  # every conversation is over 1024 tokens: all kept, all trimmed
        assert meta["examples_kept"] == meta["examples_trimmed"] == 4 and meta["examples_dropped"] == 0


@pytest.mark.require_train
def test_every_assistant_turn_of_a_conversation_is_trained():
    from text2sql.prompts.tokenizer import load_tokenizer
    from text2sql.train.firefly import build_conversation_dataset, conversation_ids

    tok = load_tokenizer(None)
    rows, _ = from_firefly_rows(firefly_sft_rows(2), "sft")
    messages = rows[1]["messages"]  # system, user, assistant, user, assistant
    ids, mask, turns = conversation_ids(tok, messages)
    assert turns == 2
    assert ids == tok.apply_chat_template(messages, tokenize=True, return_dict=True)["input_ids"]
    spans, start = [], None
    for i, m in enumerate([*mask, 0]):
        if m and start is None:
            start = i
        elif not m and start is not None:
            spans.append(tok.decode(ids[start:i]))
            start = None
    answers = [m["content"] for m in messages if m["role"] == "assistant"]
    assert [s.split("<|im_end|>")[0] for s in spans] == answers  # each answer and its end of turn, no prompt
    ds, report = build_conversation_dataset(rows, tok, max_length=len(ids) - 1)
    assert (
        report.kept == 2 and report.trimmed == 1 and report.dropped == 0
    )  # the long one keeps its first turn
    first_turn = tok.apply_chat_template(messages[:3], tokenize=True, return_dict=True)["input_ids"]
    assert ds[1]["input_ids"] == first_turn and sum(ds[1]["completion_mask"]) > 0


@pytest.mark.require_train
def test_long_conversations_keep_their_leading_whole_turns():
    """Firefly cuts a conversation at max_seq_length; t2s keeps the whole turns before that point, so no turn
    loses its answer or its chat header, and drops only a conversation whose first turn is too long."""
    from text2sql.prompts.tokenizer import load_tokenizer
    from text2sql.train.firefly import build_conversation_dataset, conversation_ids

    tok = load_tokenizer(None)
    rows, _ = from_firefly_rows(long_conversations(3, turns=6), "sft")
    lengths = [len(conversation_ids(tok, r["messages"])[0]) for r in rows]
    one_turn = len(conversation_ids(tok, rows[0]["messages"][:3])[0])
    limit = min(lengths) - 1
    ds, report = build_conversation_dataset(rows, tok, limit)
    assert report.kept == report.trimmed == 3 and report.dropped == 0
    assert "3 of them trimmed to their leading whole turns within max_seq_length=" in report.line()
    for row, ids, mask in zip(rows, ds["input_ids"], ds["completion_mask"], strict=True):
        assert len(ids) <= limit
        n = len(ids)
        # the kept ids are exactly the chat-template rendering of the first k whole turns, for the largest k
        whole = [conversation_ids(tok, row["messages"][: 1 + 2 * k])[0] for k in range(1, 7)]
        k = max(i for i, w in enumerate(whole, 1) if len(w) <= limit)
        assert ids == whole[k - 1] and len(mask) == n and k < 6
    ds, report = build_conversation_dataset(rows, tok, one_turn)  # only row 0's first turn fits
    assert report.kept == 1 and report.too_long == 2 and len(ds) == 1
    with pytest.raises(T2SError, match=r"^no conversation's first turn fits max_seq_length=10; raise it$"):
        build_conversation_dataset(rows, tok, 10)


@pytest.mark.require_train
def test_pretrain_file_trains_on_a_folder_of_raw_text(tmp_path):
    """Firefly's pretrain config (paths changed) continues pre-training on SQL text in its JSONL format."""
    from text2sql.models.tiny import build_tiny_model
    from text2sql.train.trainer import train

    corpus = tmp_path / "pretrain"
    (corpus / "part").mkdir(parents=True)
    queries = [ex.query for ex in sample_examples(150)]
    write_jsonl(corpus / "a.jsonl", [{"text": q} for q in queries[:75]])
    write_jsonl(corpus / "part" / "b.jsonl", [{"text": q} for q in queries[75:]])
    model = build_tiny_model(tmp_path / "micro", arch="micro")
    raw = {**firefly("qwen-7b-pretrain-qlora.json", tmp_path, model, corpus), "report_to": "none"}
    cfg = load_config(raw)
    assert cfg.data.task_type == "pretrain" and cfg.args.completion_only_loss is False
    assert (
        cfg.args.dataset_num_proc == 10 and cfg.args.warmup_steps == 0.01 and cfg.args.optim == "adamw_torch"
    )
    from text2sql.train.launch import has_accelerator

    if not has_accelerator():
        raw["fp16"] = False
    out = train({**raw, "disable_tqdm": True})
    meta = json.loads((out / "t2s_meta.json").read_text())
    assert meta["task_type"] == "pretrain" and meta["examples_kept"] >= 1  # blocks of 2048 tokens
    assert json.loads((out / "t2s_train_log.json").read_text())[-1]["train_loss"] > 0


@pytest.mark.require_train
def test_pretrain_blocks_hold_every_token_in_order():
    from text2sql.prompts.tokenizer import load_tokenizer
    from text2sql.train.pretrain import build_pretrain_dataset

    tok = load_tokenizer(None)
    texts = [ex.query for ex in sample_examples(40)]
    ds, line = build_pretrain_dataset(texts, tok, 64)
    stream = [t for q in texts for t in tok(q, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]]
    assert [t for block in ds["input_ids"] for t in block] == stream[: len(stream) // 64 * 64]
    assert all(len(b) == 64 for b in ds["input_ids"]) and f"-> {len(ds)} blocks of 64 tokens" in line
    with pytest.raises(T2SError, match="less than one block"):
        build_pretrain_dataset(texts[:1], tok, 4096)
