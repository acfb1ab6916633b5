"""The bundled tokenizer loads offline and formats chats like Qwen2.5; the real one loads the same way."""

from __future__ import annotations

import pytest

from text2sql.core.errors import T2SError
from text2sql.prompts.tokenizer import bundled_tokenizer_dir, load_tokenizer

pytestmark = pytest.mark.require_train

CHAT = [
    {"role": "system", "content": "You write SQLite."},
    {"role": "user", "content": "How many singers are there?"},
    {"role": "assistant", "content": "SELECT count(*) FROM singer"},
]


def test_bundled_tokenizer_offline_and_small():
    tok = load_tokenizer()
    assert sum(p.stat().st_size for p in bundled_tokenizer_dir().iterdir()) < 300_000
    assert 1000 <= len(tok) <= 5000
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|endoftext|>"
    for special in ("<|im_start|>", "<|im_end|>", "<|endoftext|>"):
        ids = tok.encode(special, add_special_tokens=False)
        assert len(ids) == 1 and tok.convert_ids_to_tokens(ids[0]) == special
    sql = "SELECT T1.name FROM singer AS T1 WHERE T1.age > 30 ORDER BY T1.name"
    ids = tok.encode(sql, add_special_tokens=False)
    assert tok.decode(ids) == sql
    assert len(ids) < len(sql) / 2  # BPE actually merges SQL words


def test_bundled_chat_template_matches_qwen_format():
    tok = load_tokenizer()
    text = tok.apply_chat_template(CHAT, tokenize=False)
    assert text == (
        "<|im_start|>system\nYou write SQLite.<|im_end|>\n"
        "<|im_start|>user\nHow many singers are there?<|im_end|>\n"
        "<|im_start|>assistant\nSELECT count(*) FROM singer<|im_end|>\n"
    )
    prompt = tok.apply_chat_template(CHAT[:2], tokenize=False, add_generation_prompt=True)
    assert prompt.endswith("<|im_start|>assistant\n") and text.startswith(prompt)


def test_same_format_as_real_qwen(qwen_tokenizer_dir):
    ours, qwen = load_tokenizer(), load_tokenizer(qwen_tokenizer_dir)
    assert qwen.encode("SELECT count(*) FROM singer") == [4858, 1760, 28671, 4295, 22757]
    for add in (False, True):
        msgs = CHAT if not add else CHAT[:2]
        kw = {"tokenize": False, "add_generation_prompt": add}
        assert ours.apply_chat_template(msgs, **kw) == qwen.apply_chat_template(msgs, **kw)


def test_unloadable_tokenizer_is_one_line_error(tmp_path):
    with pytest.raises(T2SError) as e:
        load_tokenizer(tmp_path / "nope")
    assert "\n" not in str(e.value) and "nope" in str(e.value)


def test_missing_local_folder_is_named_as_such(tmp_path):
    from text2sql.prompts.tokenizer import looks_like_path

    with pytest.raises(T2SError, match="no such folder"):
        load_tokenizer(tmp_path / "absent")
    assert looks_like_path("./runs/model") and looks_like_path("/abs") and looks_like_path("a/b/c")
    assert not looks_like_path("Qwen/Qwen2.5-Coder-7B-Instruct")
