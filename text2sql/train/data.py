"""Training data: read t2s SFT/DPO JSONL and fit every example into `max_seq_length` without losing its SQL.

TRL truncates from the right (cutting the SQL target) or not at all, so SFT rows are tokenized here with
the chat template into `input_ids` + `completion_mask`; an over-long row is dropped (and counted) or its
prompt cut from the left. TRL then builds labels from the mask (loss on the SQL only), pads or packs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from text2sql.errors import T2SError


@dataclass
class FitReport:
    kept: int = 0
    dropped: int = 0  # over-long, truncation="drop"
    left_cut: int = 0  # over-long, prompt shortened from the left

    def line(self) -> str:
        return (
            f"{self.kept} examples kept, {self.dropped} dropped as too long, {self.left_cut} prompts left-cut"
        )


def read_jsonl(path: str | Path) -> list[dict]:
    path = Path(path)
    if not path.is_file():
        raise T2SError(
            f"training data {path} does not exist (build it with `t2s build-sft` / `t2s build-dpo`)"
        )
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise T2SError(f"{path}:{n} is not valid JSON: {e}") from None
    if not rows:
        raise T2SError(f"training data {path} is empty")
    return rows


def shared_config_hash(rows: list[dict]) -> str | None:
    """The prompt configuration hash when every row shares one (recorded beside the trained model)."""
    hashes = {r.get("config_hash") for r in rows}
    return hashes.pop() if len(hashes) == 1 else None


def split_sft_row(row: dict, where: str) -> tuple[list[dict], list[dict]]:
    """`messages` -> (prompt messages, [final assistant message])."""
    msgs = row.get("messages")
    if not isinstance(msgs, list) or not msgs or msgs[-1].get("role") != "assistant":
        raise T2SError(f"{where}: an SFT row needs 'messages' ending with the assistant's SQL")
    return msgs[:-1], msgs[-1:]


def _ids(tokenizer, messages: list[dict], generation_prompt: bool) -> list[int]:
    out = tokenizer.apply_chat_template(messages, tokenize=True, add_generation_prompt=generation_prompt)
    if isinstance(out, dict) or hasattr(out, "keys"):  # transformers 5 may return a BatchEncoding
        out = out["input_ids"]
    return list(out)


def tokenize_sft_row(tokenizer, prompt: list[dict], completion: list[dict]) -> tuple[list[int], list[int]]:
    """Prompt ids (ending in the assistant header) and the completion ids (SQL + end of turn)."""
    prompt_ids = _ids(tokenizer, prompt, True)
    full = _ids(tokenizer, prompt + completion, False)
    if full[: len(prompt_ids)] != prompt_ids:
        raise T2SError("the chat template renders the prompt differently alone and before an answer")
    return prompt_ids, full[len(prompt_ids) :]


def fit(
    prompt_ids: list[int],
    completion_ids: list[int],
    max_length: int,
    max_prompt_length: int | None,
    mode: str,
):
    """Return (prompt_ids, completion_ids) that fit, or None to drop. The completion is never cut."""
    budget = max_length - len(completion_ids)
    if max_prompt_length is not None:
        budget = min(budget, max_prompt_length)
    if len(prompt_ids) <= budget:
        return prompt_ids, completion_ids
    if mode == "left" and budget > 0:
        return prompt_ids[len(prompt_ids) - budget :], completion_ids
    return None


def build_sft_dataset(rows: list[dict], tokenizer, max_length: int, max_prompt_length: int | None, mode: str):
    """A `datasets.Dataset` with `input_ids` and `completion_mask`, plus how many rows were dropped/cut."""
    from datasets import Dataset

    report, ids, masks = FitReport(), [], []
    for n, row in enumerate(rows, 1):
        prompt_ids, completion_ids = tokenize_sft_row(tokenizer, *split_sft_row(row, f"row {n}"))
        fitted = fit(prompt_ids, completion_ids, max_length, max_prompt_length, mode)
        if fitted is None:
            report.dropped += 1
            continue
        report.left_cut += len(fitted[0]) < len(prompt_ids)
        report.kept += 1
        ids.append(fitted[0] + fitted[1])
        masks.append([0] * len(fitted[0]) + [1] * len(fitted[1]))
    if not ids:
        raise T2SError(
            f"no training example fits max_seq_length={max_length}; raise it or set truncation=left"
        )
    return Dataset.from_dict({"input_ids": ids, "completion_mask": masks}), report


def build_dpo_dataset(rows: list[dict], tokenizer, max_length: int, max_prompt_length: int | None):
    """TRL's conversational preference rows; pairs that do not fit are dropped (and counted), never cut."""
    from datasets import Dataset

    report, keep = FitReport(), []
    for n, row in enumerate(rows, 1):
        if not all(isinstance(row.get(k), list) for k in ("prompt", "chosen", "rejected")):
            raise T2SError(f"row {n}: a DPO row needs 'prompt', 'chosen' and 'rejected' message lists")
        prompt_len = len(_ids(tokenizer, row["prompt"], True))
        longest = max(len(_ids(tokenizer, row["prompt"] + row[k], False)) for k in ("chosen", "rejected"))
        if longest > max_length or (max_prompt_length is not None and prompt_len > max_prompt_length):
            report.dropped += 1
            continue
        report.kept += 1
        keep.append({k: row[k] for k in ("prompt", "chosen", "rejected")})
    if not keep:
        raise T2SError(f"no preference pair fits max_seq_length={max_length}; raise it")
    return Dataset.from_list(keep), report
