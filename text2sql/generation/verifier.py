"""A learned SQL verifier: a reward model (from `t2s train` with task_type "reward") that scores
(prompt messages, SQL) pairs, higher meaning more likely right. It renders each candidate exactly as the
trainer rendered the pairs (`reward_input_ids`), so the scores mean what they meant in training.

    v = Verifier("runs/qwen-reward")                       # an adapter folder: its base is read from it
    v.score([(record["messages"], "SELECT ...")])          # -> [2.31]
"""

from __future__ import annotations

import json
from pathlib import Path

from text2sql.core.errors import T2SError


def resolve_reward_model(model: str | None, adapter: str | None) -> tuple[str, str | None]:
    """(base model, adapter): `model` may itself be an adapter folder, whose base it names."""
    if model and adapter is None and (Path(model) / "adapter_config.json").is_file():
        model, adapter = None, model
    if adapter and not model:
        cfg_path = Path(adapter) / "adapter_config.json"
        if not cfg_path.is_file():
            raise T2SError(f"{adapter} is not a LoRA adapter folder (no adapter_config.json)")
        from text2sql.models.meta import read_training_meta

        model = read_training_meta(adapter).get("base_model") or json.loads(cfg_path.read_text()).get(
            "base_model_name_or_path"
        )
        if not model:
            raise T2SError(f"{adapter} does not name its base model: set `verifier` to the base model")
    if not model:
        raise T2SError("a verifier needs its model: a reward model or reward adapter folder (task_type reward)")
    return str(model), adapter


class Verifier:
    """Scores SQL answers to prompts with a reward model (+ optional LoRA adapter carrying its score head)."""

    def __init__(
        self,
        model: str | None,
        adapter: str | None = None,
        tokenizer: str | None = None,
        device: str | None = None,
        batch_size: int = 8,
        precision: str = "auto",
    ):
        import torch
        from transformers import AutoModelForSequenceClassification

        from text2sql.core.hardware import resolve_precision, torch_dtype
        from text2sql.models.loading import load_pretrained
        from text2sql.prompts.tokenizer import load_tokenizer

        self.model_path, self.adapter = resolve_reward_model(model, adapter)
        self.batch_size = max(1, batch_size)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        # bf16 where the hardware computes it (an AVX512-BF16 CPU scores best-of-8 ~3x faster than in fp32)
        self.precision = resolve_precision(precision, self.device)
        tok_src = tokenizer or (
            self.adapter
            if self.adapter and (Path(self.adapter) / "tokenizer_config.json").is_file()
            else self.model_path
        )
        self.tokenizer = load_tokenizer(tok_src)
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        if not self.adapter and not _trained_head(self.model_path):
            raise T2SError(
                f"{self.model_path} has no trained score head: give a reward model (task_type reward, full) "
                "or its adapter as `verifier_adapter`"
            )
        from transformers.utils import logging as hf_logging

        level = hf_logging.get_verbosity()
        if self.adapter:  # the base has no head yet ("score.weight MISSING"): the adapter brings it
            hf_logging.set_verbosity_error()
        try:
            net = load_pretrained(
                AutoModelForSequenceClassification,
                self.model_path,
                what="reward model",
                num_labels=1,
                dtype=torch_dtype(self.precision),
            )
        finally:
            hf_logging.set_verbosity(level)
        if self.adapter:
            from peft import PeftModel

            if not (Path(self.adapter) / "adapter_config.json").is_file():
                raise T2SError(f"{self.adapter} is not a LoRA adapter folder (no adapter_config.json)")
            net = PeftModel.from_pretrained(net, self.adapter).merge_and_unload()
        net.config.pad_token_id = self.tokenizer.pad_token_id  # the head reads the last non-pad token
        self.model = net.to(self.device).eval()

    def score(self, items: list[tuple[list[dict], str]]) -> list[float]:
        """One scalar per (prompt messages, assistant answer text), in order."""
        import torch

        from text2sql.train.reward_model import reward_input_ids

        all_ids = [
            reward_input_ids(self.tokenizer, msgs, [{"role": "assistant", "content": answer}])
            for msgs, answer in items
        ]
        # best-of-N samples repeat themselves: each distinct input is scored once
        first: dict[tuple, int] = {}
        slot = [first.setdefault(tuple(x), len(first)) for x in all_ids]
        ids = [list(k) for k in first]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # similar lengths -> little padding
        out = [0.0] * len(ids)
        pad = self.tokenizer.pad_token_id
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            width = max(len(ids[i]) for i in idx)
            batch = torch.full((len(idx), width), pad, dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for row, i in enumerate(idx):
                batch[row, : len(ids[i])] = torch.tensor(ids[i])
                mask[row, : len(ids[i])] = 1
            with torch.inference_mode():
                logits = self.model(
                    input_ids=batch.to(self.device), attention_mask=mask.to(self.device)
                ).logits
            for row, i in enumerate(idx):
                out[i] = float(logits[row, 0].float())
        return [out[j] for j in slot]

    def score_record(self, record: dict, sqls: list[str]) -> list[float]:
        """Scores of candidate SQL for one prompt record, answered as the training pairs were answered."""
        from text2sql.prompts.builder import assistant_answer

        msgs = record.get("messages")
        if not msgs:
            raise T2SError(f"record {record.get('id')!r} has no chat messages for the verifier to read")
        answers = [assistant_answer(record, sql) or sql for sql in sqls]
        return self.score([(msgs, a) for a in answers])

    def info(self) -> dict:
        return {"verifier": self.model_path, "verifier_adapter": self.adapter}


def _trained_head(model_dir: str) -> bool:
    """A folder saved as a sequence classifier (full reward training); a hub id is trusted as given."""
    cfg = Path(model_dir) / "config.json"
    if not cfg.is_file():
        return True
    archs = json.loads(cfg.read_text()).get("architectures") or []
    return any(a.endswith("ForSequenceClassification") for a in archs)
