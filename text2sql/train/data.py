"""Training data: read t2s SFT/DPO JSONL and keep every example whole, exactly as inference will show it.

TRL truncates from the right (cutting the SQL target) or not at all, so SFT rows are tokenized here with
the chat template into `input_ids` + `completion_mask`. A row longer than `max_seq_length` (or whose prompt
is longer than `max_prompt_length`) is dropped and counted under that key, never cut: cutting tokens from
the left removed the system message and chat header, a prompt inference never shows. Shorter prompts come
from `t2s build-sft --max-tokens N`, which trims the schema itself. TRL then masks everything but the SQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.core.jsonl import BadRow
from text2sql.core.records import TRAINING_ROWS


@dataclass
class FitReport:
    max_length: int
    max_prompt_length: int | None = None
    kept: int = 0
    too_long: int = 0  # prompt + answer over max_seq_length
    prompt_too_long: int = 0  # prompt over max_prompt_length
    no_gold: int = 0  # nothing to learn from (an RL prompt without gold SQL)
    trimmed: int = 0  # kept, of a multi-turn conversation only its leading whole turns that fit

    @property
    def dropped(self) -> int:
        return self.too_long + self.prompt_too_long + self.no_gold

    def line(self) -> str:
        parts = [f"{self.kept} examples kept"]
        if self.trimmed:
            parts.append(
                f"{self.trimmed} of them trimmed to their leading whole turns within max_seq_length={self.max_length}"
            )
        if self.too_long:
            parts.append(f"{self.too_long} dropped as longer than max_seq_length={self.max_length} tokens")
        if self.prompt_too_long:
            parts.append(
                f"{self.prompt_too_long} dropped with prompts over max_prompt_length={self.max_prompt_length}"
            )
        if self.no_gold:
            parts.append(f"{self.no_gold} dropped without a gold SQL")
        hint = (
            " (raise the limit, or rebuild the data with `t2s build-sft --max-tokens N`; `t2s build-dpo` for pairs)"
            if self.too_long or self.prompt_too_long
            else ""
        )
        return ", ".join(parts) + hint


MESSAGE_KEYS = ("messages", "prompt", "chosen", "rejected")  # SFT and DPO rows: lists of chat turns


def _check_row(row) -> None:
    """A row's every message list holds {role, content} turns of strings (read_jsonl checks it is an object)."""
    for key in MESSAGE_KEYS:
        if key not in row or (key == "prompt" and isinstance(row[key], str)):  # RL: a plain prompt
            continue
        turns = row[key]
        if not isinstance(turns, list) or not all(isinstance(t, dict) for t in turns):
            raise BadRow(f"{key!r} must be a list of {{role, content}} messages")
        for i, t in enumerate(turns):
            if not isinstance(t.get("role"), str) or not isinstance(t.get("content"), str):
                raise BadRow(f"{key}[{i}] needs a string role and content, got {json.dumps(t)[:80]}")


def read_jsonl(path: str | Path) -> list[dict]:
    """Training rows, each checked; invalid UTF-8 and lone surrogates are data (U+FFFD), not a crash."""
    return TRAINING_ROWS.read(path, check=_check_row)


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


def token_ids(tokenizer, messages: list[dict], generation_prompt: bool) -> list[int]:
    out = tokenizer.apply_chat_template(messages, tokenize=True, add_generation_prompt=generation_prompt)
    if isinstance(out, dict) or hasattr(out, "keys"):  # transformers 5 may return a BatchEncoding
        out = out["input_ids"]
    return list(out)


def tokenize_sft_row(tokenizer, prompt: list[dict], completion: list[dict]) -> tuple[list[int], list[int]]:
    """Prompt ids (ending in the assistant header) and the completion ids (SQL + end of turn)."""
    prompt_ids = token_ids(tokenizer, prompt, True)
    full = token_ids(tokenizer, prompt + completion, False)
    if full[: len(prompt_ids)] != prompt_ids:
        raise T2SError("the chat template renders the prompt differently alone and before an answer")
    return prompt_ids, full[len(prompt_ids) :]


def fits(report: FitReport, prompt_len: int, total_len: int) -> bool:
    """Count the example as kept or as dropped under the key it exceeds."""
    if total_len > report.max_length:
        report.too_long += 1
    elif report.max_prompt_length is not None and prompt_len > report.max_prompt_length:
        report.prompt_too_long += 1
    else:
        report.kept += 1
        return True
    return False


def _nothing_fits(report: FitReport, what: str) -> T2SError:
    return T2SError(f"no {what} fits: {report.line()}")


def build_sft_dataset(
    rows: list[dict], tokenizer, max_length: int, max_prompt_length: int | None, mode: str = "drop"
):
    """A `datasets.Dataset` with `input_ids` and `completion_mask`, plus how many rows were dropped, by key."""
    from datasets import Dataset

    report, ids, masks = FitReport(max_length, max_prompt_length), [], []
    for n, row in enumerate(rows, 1):
        prompt_ids, completion_ids = tokenize_sft_row(tokenizer, *split_sft_row(row, f"row {n}"))
        if fits(report, len(prompt_ids), len(prompt_ids) + len(completion_ids)):
            ids.append(prompt_ids + completion_ids)
            masks.append([0] * len(prompt_ids) + [1] * len(completion_ids))
    if not ids:
        raise _nothing_fits(report, "training example")
    return Dataset.from_dict({"input_ids": ids, "completion_mask": masks}), report


def build_dpo_dataset(rows: list[dict], tokenizer, max_length: int, max_prompt_length: int | None):
    """TRL's conversational preference rows; pairs that do not fit are dropped (and counted), never cut."""
    from datasets import Dataset

    report, keep = FitReport(max_length, max_prompt_length), []
    for n, row in enumerate(rows, 1):
        if not all(isinstance(row.get(k), list) for k in ("prompt", "chosen", "rejected")):
            raise T2SError(f"row {n}: a DPO row needs 'prompt', 'chosen' and 'rejected' message lists")
        prompt_len = len(token_ids(tokenizer, row["prompt"], True))
        longest = max(
            len(token_ids(tokenizer, row["prompt"] + row[k], False)) for k in ("chosen", "rejected")
        )
        if fits(report, prompt_len, longest):
            keep.append({k: row[k] for k in ("prompt", "chosen", "rejected")})
    if not keep:
        raise _nothing_fits(report, "preference pair")
    return Dataset.from_list(keep), report
