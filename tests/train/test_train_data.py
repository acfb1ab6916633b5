"""Fitting rows to max_seq_length never loses the SQL; TRL's labels cover only the SQL; packing is clean."""

from __future__ import annotations

import pytest
from train_helpers import base_config, sft_rows, write_jsonl

from text2sql.core.errors import T2SError
from text2sql.prompts.tokenizer import load_tokenizer
from text2sql.train.data import build_sft_dataset, shared_config_hash, tokenize_sft_row


@pytest.mark.require_train
@pytest.mark.parametrize("which", ["bundled", "qwen"])
def test_completion_is_sql_plus_end_of_turn(which, request):
    tok = (
        load_tokenizer()
        if which == "bundled"
        else load_tokenizer(request.getfixturevalue("qwen_tokenizer_dir"))
    )
    row = sft_rows(1)[0]
    prompt_ids, completion_ids = tokenize_sft_row(tok, row["messages"][:-1], row["messages"][-1:])
    assert tok.decode(prompt_ids).endswith("<|im_start|>assistant\n")
    assert tok.decode(completion_ids) == row["messages"][-1]["content"] + "<|im_end|>\n"


@pytest.mark.require_train
def test_long_rows_are_dropped_whole_and_counted_under_their_key():
    """Never cut: a left cut removed the system message and chat header, a prompt inference never shows."""
    tok = load_tokenizer()
    rows = sft_rows(6)
    rows[2]["messages"][1]["content"] += " padding words" * 200  # far beyond 128 tokens
    ds, report = build_sft_dataset(rows, tok, 128, None)
    assert (report.kept, report.too_long, report.prompt_too_long) == (5, 1, 0) and len(ds) == 5
    assert "1 dropped as longer than max_seq_length=128 tokens" in report.line()
    assert "build-sft --max-tokens" in report.line()
    for row, ex in zip([r for i, r in enumerate(rows) if i != 2], ds, strict=True):
        prompt_ids, completion_ids = tokenize_sft_row(tok, row["messages"][:-1], row["messages"][-1:])
        assert ex["input_ids"] == prompt_ids + completion_ids  # whole, header included
        assert tok.decode(ex["input_ids"]).startswith("<|im_start|>system\n")
    normal = [r for i, r in enumerate(rows) if i != 2]
    lengths = [len(tokenize_sft_row(tok, r["messages"][:-1], r["messages"][-1:])[0]) for r in normal]
    assert min(lengths) < max(lengths)
    ds, report = build_sft_dataset(normal, tok, 4096, max(lengths) - 1)
    assert report.prompt_too_long == lengths.count(max(lengths)) and len(ds) == report.kept
    assert f"dropped with prompts over max_prompt_length={max(lengths) - 1}" in report.line()
    with pytest.raises(
        T2SError, match="no training example fits: 0 examples kept, 6 dropped as longer than max_seq_length=5"
    ):
        build_sft_dataset(rows, tok, 5, None)


@pytest.mark.require_train
def test_truncation_left_is_refused_in_one_line():
    from text2sql.train.config import load_config

    with pytest.raises(T2SError, match="truncation 'left' is gone.*build-sft --max-tokens"):
        load_config({"model_name_or_path": "m", "train_file": "t", "output_dir": "o", "truncation": "left"})


def test_config_hash_is_shared_or_none():
    rows = sft_rows(3)
    assert shared_config_hash(rows) == "cfg-test-1234"
    rows[1]["config_hash"] = "other"
    assert shared_config_hash(rows) is None


@pytest.fixture(scope="module")
def micro_model(tmp_path_factory):
    from text2sql.models.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("micro") / "model", arch="micro")


@pytest.mark.require_train
@pytest.mark.parametrize("packing", [False, True])
def test_trl_labels_mask_everything_but_the_sql(micro_model, tmp_path, packing):
    from text2sql.train.config import load_config
    from text2sql.train.trainer import build_trainer

    rows = sft_rows(5)
    data = write_jsonl(tmp_path / "sft.jsonl", rows)
    cfg = load_config(base_config(micro_model, data, tmp_path / "out", packing=packing, max_seq_length=512))
    trainer = build_trainer(cfg)
    tok = trainer.processing_class
    ds = trainer.train_dataset
    sqls = sorted(r["messages"][-1]["content"] + "<|im_end|>\n" for r in rows)
    if not packing:
        assert len(ds) == 5
        batches = [trainer.data_collator([ds[i]]) for i in range(len(ds))]  # TRL 0.24 masks in the collator
        got = sorted(
            tok.decode([t for t, lab in zip(b["input_ids"][0], b["labels"][0], strict=True) if lab != -100])
            for b in batches
        )
        assert got == sqls
        return
    # packed: one row holding all five, with per-example lengths for position_ids / attention boundaries
    assert len(ds) == 1 and sorted(ds[0]["seq_lengths"]) == sorted(
        len(r) for r in build_sft_dataset(rows, tok, 512, None)[0]["input_ids"]
    )
    batch = trainer.data_collator([ds[0]])
    assert "attention_mask" not in batch  # padding-free
    starts = (batch["position_ids"][0] == 0).nonzero().flatten().tolist()
    assert len(starts) == 5
    kept = [
        t
        for t, lab in zip(batch["input_ids"][0].tolist(), batch["labels"][0].tolist(), strict=True)
        if lab != -100
    ]
    assert sorted(tok.decode(kept).replace("<|im_end|>\n", "<|im_end|>\n\x00").split("\x00")[:-1]) == sqls


@pytest.mark.require_train
def test_packed_forward_has_no_cross_contamination(micro_model):
    """Logits of two packed sequences (position_ids restart) equal their logits computed alone."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(micro_model, attn_implementation="sdpa").eval()
    a, b = torch.randint(10, 1000, (1, 9)), torch.randint(10, 1000, (1, 13))
    with torch.no_grad():
        alone = [model(input_ids=x, use_cache=False).logits for x in (a, b)]
        pos = torch.cat([torch.arange(9), torch.arange(13)]).unsqueeze(0)
        # use_cache=False as in training: transformers only reads packing from position_ids without a cache
        packed = model(input_ids=torch.cat([a, b], dim=1), position_ids=pos, use_cache=False).logits
    torch.testing.assert_close(packed[:, :9], alone[0], atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(packed[:, 9:], alone[1], atol=1e-4, rtol=1e-4)


@pytest.mark.require_train
def test_row_packed_batches_equal_trl_flattened_batches(micro_model, tmp_path):
    """Without flash attention t2s keeps packed rows as rows (k*L^2 attention instead of (k*L)^2): the
    labels and the loss must be exactly those of TRL's flattened padding-free batch."""
    import torch
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    from text2sql.train.collate import RowPackedCollator
    from text2sql.train.config import load_config
    from text2sql.train.trainer import build_trainer

    rows = sft_rows(9)
    data = write_jsonl(tmp_path / "sft.jsonl", rows)
    cfg = load_config(base_config(micro_model, data, tmp_path / "out", packing=True, max_seq_length=160))
    trainer = build_trainer(cfg)
    assert isinstance(trainer.data_collator, RowPackedCollator)
    ds = trainer.train_dataset
    assert len(ds) >= 3 and len({len(r["input_ids"]) for r in ds}) > 1  # rows of different widths
    examples = [ds[i] for i in range(3)]
    ours = trainer.data_collator(examples)
    pad = trainer.processing_class.pad_token_id
    theirs = DataCollatorForLanguageModeling(pad_token_id=pad, padding_free=True)(examples)
    assert ours["input_ids"].shape[0] == 3 and "attention_mask" not in ours
    assert (ours["labels"] != -100).sum() == (theirs["labels"] != -100).sum()
    model = trainer.model.eval()
    with torch.no_grad():
        ours_loss = model(**ours, use_cache=False).loss
        flat = {k: theirs[k] for k in ("input_ids", "labels", "position_ids")}
        theirs_loss = model(**flat, use_cache=False).loss
    torch.testing.assert_close(ours_loss, theirs_loss, atol=1e-4, rtol=1e-4)


@pytest.mark.require_train
def test_row_packed_labels_cover_only_completions_whatever_trl_builds():
    """TRL 0.24-0.29 hand the collator `completion_mask` and no labels, TRL >= 1 `labels` and no mask: either
    way no prompt or padding token may get a label (a `labels = input_ids` fallback trained on prompts)."""
    import torch

    from text2sql.train.collate import REAL_TOKENS, RowPackedCollator

    # two packed rows: [prompt 3 | completion 2 | prompt 2 | completion 3] and [prompt 4 | completion 2]
    ids = [[11, 12, 13, 21, 22, 14, 15, 23, 24, 25], [16, 17, 18, 19, 26, 27]]
    masks = [[0, 0, 0, 1, 1, 0, 0, 1, 1, 1], [0, 0, 0, 0, 1, 1]]
    lengths = [[5, 5], [6]]
    old_trl = [
        {"input_ids": i, "completion_mask": m, "seq_lengths": s}
        for i, m, s in zip(ids, masks, lengths, strict=True)
    ]
    new_trl = [
        {"input_ids": i, "labels": [t if k else -100 for t, k in zip(i, m, strict=True)], "seq_lengths": s}
        for i, m, s in zip(ids, masks, lengths, strict=True)
    ]
    pad = 0
    for examples in (old_trl, new_trl):
        batch = RowPackedCollator(pad)(examples)
        labelled = sorted(batch["labels"][batch["labels"] != -100].tolist())
        assert labelled == [21, 22, 23, 24, 25, 26, 27]  # completions only (no prompt ids 11-19, no pad 0)
        assert batch["input_ids"][1, 6:].eq(pad).all() and batch["labels"][1, 6:].eq(-100).all()
        assert int(batch[REAL_TOKENS]) == 16  # tokens trained on, padding excluded
    with pytest.raises(T2SError, match="neither labels nor a completion mask"):
        RowPackedCollator(pad)([{"input_ids": ids[0]}])
    assert torch.equal(RowPackedCollator(pad)(old_trl)["labels"], RowPackedCollator(pad)(new_trl)["labels"])


@pytest.mark.require_train
def test_packed_training_logs_the_tokens_it_trained_on(micro_model, tmp_path):
    """TRL logs one row's width as `num_tokens` for batches without attention mask; t2s counts every token."""
    from text2sql.train.config import load_config
    from text2sql.train.trainer import build_trainer

    data = write_jsonl(tmp_path / "sft.jsonl", sft_rows(9))
    cfg = load_config(
        base_config(
            micro_model,
            data,
            tmp_path / "out",
            packing=True,
            max_seq_length=160,
            max_steps=1,
            per_device_train_batch_size=16,
        )  # fmt: skip
    )
    trainer = build_trainer(cfg)
    total = sum(len(r["input_ids"]) for r in trainer.train_dataset)
    assert len(trainer.train_dataset) >= 3  # several rows of different widths in the one batch
    trainer.train()
    logged = [e["num_tokens"] for e in trainer.state.log_history if "num_tokens" in e]
    assert logged == [total]
