"""SFT rows from the same prompts as inference: [system, user, assistant = gold SQL] for TRL's SFTTrainer."""

from __future__ import annotations

from text2sql.prompts.builder import PromptConfig, assistant_answer, build_prompts


def sft_rows(records: list[dict]) -> tuple[list[dict], int]:
    """Conversational rows from `build_prompts` records; also how many were skipped (no gold SQL)."""
    rows, skipped = [], 0
    for rec in records:
        answer = assistant_answer(rec, rec["gold"]) if rec["gold"] else None
        if not answer:
            skipped += 1
            continue
        rows.append(
            {
                "messages": [*rec["messages"], {"role": "assistant", "content": answer}],
                "id": rec["id"],
                "db_id": rec["db_id"],
                "config_hash": rec["config_hash"],
            }
        )
    return rows, skipped


def build_sft(bench, split: str, config: PromptConfig, **kwargs) -> tuple[list[dict], int]:
    return sft_rows(build_prompts(bench, split, config, **kwargs))
