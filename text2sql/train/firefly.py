"""Firefly compatibility: its train_args keys and its JSONL formats, taken as they are or refused in one line.

Firefly (github.com/yangjianxin1/Firefly) parses its JSON files with transformers 4 and its own arguments.
t2s renders every prompt with the tokenizer's chat template and runs on transformers 5 / TRL, so a few keys
are renamed, a few are explained and dropped, and the ones t2s cannot honour stop the run with a reason.
"""

from __future__ import annotations

from text2sql.core.errors import T2SError

# transformers 5 removed these optimizer names; the replacement computes the same update
RENAMED_OPTIMIZERS = {"adamw_hf": "adamw_torch"}


def is_deepspeed_config(raw: dict) -> bool:
    """Firefly ships `ds_z3_config.json` beside its train_args; it is DeepSpeed's file, not a run's."""
    return "zero_optimization" in raw and "model_name_or_path" not in raw


def adapt_firefly_keys(raw: dict) -> tuple[dict, list[str]]:
    """Return (keys t2s understands, notes to print once). Raises T2SError naming every key it cannot honour."""
    raw, notes, refused = dict(raw), [], []
    if is_deepspeed_config(raw):
        raise T2SError(
            "this is a DeepSpeed config (zero_optimization), not a training config: name it with the "
            "'deepspeed' key of a training config (see train_args/deepspeed/ds_zero3.json)"
        )
    if "template_name" in raw:
        name = raw.pop("template_name")
        notes.append(
            f"template_name {name!r} is not used: t2s renders prompts with the tokenizer's own chat template "
            "(Firefly's templates copy the chat models' ones; a base model needs a tokenizer that has one)"
        )
    if "use_unsloth" in raw:
        if raw.pop("use_unsloth"):
            refused.append("use_unsloth: t2s trains with transformers/PEFT, not Unsloth; set it false")
    if "tokenize_num_workers" in raw:
        workers = raw.pop("tokenize_num_workers")
        if raw.get("dataset_num_proc") is None:
            raw["dataset_num_proc"] = workers
            notes.append(f"tokenize_num_workers {workers} -> dataset_num_proc (TRL's dataset workers)")
    if "warmup_ratio" in raw:  # transformers 5: a warmup_steps below 1 is a fraction of the steps
        ratio = raw.pop("warmup_ratio")
        if not raw.get("warmup_steps"):
            if not isinstance(ratio, int | float) or not 0 <= ratio < 1:
                refused.append(f"warmup_ratio must be a fraction in [0, 1), got {ratio!r}")
            else:
                raw["warmup_steps"] = ratio
                notes.append(
                    f"warmup_ratio {ratio} -> warmup_steps {ratio} (a fraction of the training steps)"
                )
        else:
            notes.append(f"warmup_ratio {ratio} is ignored: warmup_steps {raw['warmup_steps']} is set")
    optim = raw.get("optim")
    if optim in RENAMED_OPTIMIZERS:
        raw["optim"] = RENAMED_OPTIMIZERS[optim]
        notes.append(
            f"optim {optim!r} -> {raw['optim']!r} (removed in transformers 5; the same AdamW update)"
        )
    if refused:
        raise T2SError("; ".join(refused))
    return raw, notes


def _conversation_messages(row: dict, where: str) -> list[dict]:
    turns = row.get("conversation")
    if not isinstance(turns, list) or not turns:
        raise T2SError(f"{where}: a Firefly row needs a non-empty 'conversation' list")
    messages = []
    if isinstance(row.get("system"), str) and row["system"].strip():
        messages.append({"role": "system", "content": row["system"].strip()})
    for turn in turns:
        if not isinstance(turn, dict) or not isinstance(turn.get("human"), str) or "assistant" not in turn:
            raise T2SError(f"{where}: every conversation turn needs 'human' and 'assistant' strings")
        messages.append({"role": "user", "content": turn["human"].strip()})
        messages.append({"role": "assistant", "content": str(turn["assistant"]).strip()})
    return messages


def _firefly_dpo_row(row: dict, where: str) -> dict:
    """Firefly's DPO row: `chosen`/`rejected` are whole conversations (optional system, history, answer)."""
    chosen, rejected = row["chosen"], row["rejected"]
    if len(chosen) < 2 or len(chosen) != len(rejected) or chosen[-1].get("role") != "assistant":
        raise T2SError(
            f"{where}: Firefly 'chosen'/'rejected' must be equally long and end with the assistant"
        )
    if chosen[:-1] != rejected[:-1]:
        raise T2SError(f"{where}: 'chosen' and 'rejected' must share everything before the last answer")
    out = {k: v for k, v in row.items() if k not in ("prompt", "chosen", "rejected", "messages")}
    return {**out, "prompt": chosen[:-1], "chosen": chosen[-1:], "rejected": rejected[-1:]}


def is_firefly_dpo_row(row: dict) -> bool:
    chosen = row.get("chosen")
    return (
        isinstance(chosen, list)
        and not isinstance(row.get("prompt"), list)
        and bool(chosen)
        and chosen[0].get("role") in ("system", "user")
    )


def from_firefly_rows(rows: list[dict], task_type: str) -> tuple[list[dict], str | None]:
    """Firefly's JSONL rows as t2s rows (chat `messages`, or prompt/chosen/rejected message lists); t2s rows
    pass through untouched. Also returns a line to print when rows were converted."""
    out, converted, multi_turn = [], 0, 0
    for n, row in enumerate(rows, 1):
        where = f"row {n}"
        if task_type == "sft" and "messages" not in row and "conversation" in row:
            messages = _conversation_messages(row, where)
            multi_turn += sum(m["role"] == "assistant" for m in messages) > 1
            rest = {k: v for k, v in row.items() if k not in ("conversation", "system")}
            out.append({**rest, "messages": messages})
            converted += 1
        elif task_type == "dpo" and is_firefly_dpo_row(row):
            out.append(_firefly_dpo_row(row, where))
            converted += 1
        else:
            out.append(row)
    if not converted:
        return out, None
    line = f"{converted} Firefly rows read as chat messages"
    if multi_turn:
        line += f"; {multi_turn} have several turns, each assistant turn trained (as Firefly does)"
    return out, line


def has_multi_turn(rows: list[dict]) -> bool:
    return any(sum(m.get("role") == "assistant" for m in r.get("messages") or []) > 1 for r in rows)


def conversation_ids(
    tokenizer, messages: list[dict], max_length: int | None = None
) -> tuple[list[int], list[int], int]:
    """Token ids of a conversation, a mask that is 1 on every assistant turn (its answer and end of turn), as
    Firefly trains, and how many assistant turns they hold. Each turn is rendered with the chat template exactly
    as inference shows it. With `max_length` the ids stop after the last whole turn that fits (none: empty)."""
    from text2sql.train.data import token_ids

    ids: list[int] = []
    mask: list[int] = []
    turns = 0
    for i, message in enumerate(messages):
        if message.get("role") != "assistant":
            continue
        prompt = token_ids(tokenizer, messages[:i], True)
        full = token_ids(tokenizer, messages[: i + 1], False)
        if prompt[: len(ids)] != ids or full[: len(prompt)] != prompt:
            raise T2SError("the chat template renders earlier turns differently once later turns follow")
        if max_length is not None and len(full) > max_length:
            break
        mask += [0] * (len(prompt) - len(ids)) + [1] * (len(full) - len(prompt))
        ids = full
        turns += 1
    return ids, mask, turns


def build_conversation_dataset(rows: list[dict], tokenizer, max_length: int):
    """Multi-turn SFT rows with loss on every assistant turn. A conversation longer than max_length keeps its
    leading whole turns that fit (system, then user/assistant pairs) and is counted as trimmed, as Firefly cuts
    at max_seq_length but never inside a turn (a cut turn loses its answer or its chat header); one whose first
    turn does not fit is dropped and counted."""
    from datasets import Dataset

    from text2sql.train.data import FitReport

    report, ids, masks = FitReport(max_length), [], []
    for n, row in enumerate(rows, 1):
        messages = row.get("messages")
        if not isinstance(messages, list) or not messages or messages[-1].get("role") != "assistant":
            raise T2SError(f"row {n}: an SFT row needs 'messages' ending with the assistant's answer")
        row_ids, row_mask, turns = conversation_ids(tokenizer, messages, max_length)
        if not turns:
            report.too_long += 1
            continue
        report.kept += 1
        report.trimmed += turns < sum(m.get("role") == "assistant" for m in messages)
        ids.append(row_ids)
        masks.append(row_mask)
    if not ids:
        raise T2SError(f"no conversation's first turn fits max_seq_length={max_length}; raise it")
    return Dataset.from_dict({"input_ids": ids, "completion_mask": masks}), report
