"""Reward-model (verifier) training: a scalar score head on the causal LM, trained pairwise with TRL's
`RewardTrainer` (Bradley-Terry loss, DeepSpeed-Chat step 2) on `t2s build-dpo` rows, so that the gold SQL
scores above SQL that execution proved wrong.

Each side of a pair is tokenized here as the chat of prompt + assistant answer (no generation prompt), with
`reward_input_ids`, the same function the verifier scores candidates with at evaluation time: what the
head learned to read is exactly what it is shown later. (Q)LoRA trains the adapter and the `score` head
(`modules_to_save`), so the saved adapter carries the head; full mode saves the whole classifier. The
trainer is built in text2sql/train/methods/reward.py.
"""

from __future__ import annotations

from text2sql.core.errors import T2SError


def reward_input_ids(tokenizer, prompt: list[dict], answer: list[dict]) -> list[int]:
    """Token ids of one scored conversation: the prompt messages, then the assistant's answer."""
    from text2sql.train.data import token_ids

    return token_ids(tokenizer, list(prompt) + list(answer), False)


def pair_kind(row: dict) -> str:
    """The corruption kind of a pair's rejected SQL (`rejected_kind` from build-dpo; `kind` accepted)."""
    return str(row.get("rejected_kind") or row.get("kind") or "unknown")


def check_pair(row: dict, where: str) -> None:
    if not all(isinstance(row.get(k), list) for k in ("prompt", "chosen", "rejected")):
        raise T2SError(f"{where}: a preference row needs 'prompt', 'chosen' and 'rejected' message lists")


def build_reward_dataset(rows: list[dict], tokenizer, max_length: int, max_prompt_length: int | None):
    """`chosen_ids`/`rejected_ids` columns (TRL's processed format); pairs that do not fit are dropped, counted."""
    from datasets import Dataset

    from text2sql.train.data import FitReport, fits, token_ids

    report, keep = FitReport(max_length, max_prompt_length), []
    for n, row in enumerate(rows, 1):
        check_pair(row, f"row {n}")
        chosen = reward_input_ids(tokenizer, row["prompt"], row["chosen"])
        rejected = reward_input_ids(tokenizer, row["prompt"], row["rejected"])
        prompt_len = len(token_ids(tokenizer, row["prompt"], True)) if max_prompt_length is not None else 0
        if fits(report, prompt_len, max(len(chosen), len(rejected))):
            keep.append({"chosen_ids": chosen, "rejected_ids": rejected})
    if not keep:
        raise T2SError(f"no preference pair fits max_seq_length={max_length}; raise it")
    return Dataset.from_list(keep), report


def load_reward_model(cfg):
    """The sequence classifier (num_labels=1) for the config's train mode, and its PEFT config (or None)."""
    from transformers import AutoModelForSequenceClassification

    from text2sql.train.model import load_model, lora_config

    if cfg.model.adapter_name_or_path:
        raise T2SError(
            "task_type 'reward' starts a new score head: merge the adapter first (`t2s merge`) and give the "
            "merged folder as model_name_or_path"
        )
    model, peft_config = load_model(
        cfg.model, cfg.args, auto_class=AutoModelForSequenceClassification, num_labels=1
    )
    if peft_config is not None:
        peft_config = lora_config(cfg.model, task_type="SEQ_CLS")
        peft_config.modules_to_save = ["score"]  # the head is new: train it and save it with the adapter
    return model, peft_config
