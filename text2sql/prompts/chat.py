"""The chat turns of a prompt, their rendering with the tokenizer's chat template, and its token count."""

from __future__ import annotations

from text2sql.core.errors import T2SError
from text2sql.prompts.config import (
    DEFAULT_SYSTEM_PROMPT,
    THINK_INSTRUCTION,
    THINK_SYSTEM_PROMPT,
    PromptConfig,
)


def chat_messages(config: PromptConfig, user: str) -> list[dict]:
    system = config.system_prompt
    if config.answer_format == "think":  # the default prompt says "nothing else": replace it, extend others
        system = (
            THINK_SYSTEM_PROMPT
            if system == DEFAULT_SYSTEM_PROMPT
            else f"{system} {THINK_INSTRUCTION}".strip()
        )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def render_chat(tokenizer, messages: list[dict], add_generation_prompt: bool = True) -> str:
    if not getattr(tokenizer, "chat_template", None):
        raise T2SError("the tokenizer has no chat template: set `tokenizer` to one that has")
    return tokenizer.apply_chat_template(
        messages, tokenize=False, add_generation_prompt=add_generation_prompt
    )


def count_tokens(tokenizer, text: str) -> int:
    """Tokens of already-rendered chat text (its special tokens are in the text, so none are added)."""
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])
