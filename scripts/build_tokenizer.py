"""Build the small byte-level BPE tokenizer bundled in `text2sql/sample_data/tokenizer/`.

Why: tests and the quick start need a tokenizer with a Qwen2.5-style chat template on a fresh clone,
without any model hub. It is trained on the bundled sample's text (questions, SQL, schema names); when the
sample is absent it falls back to Spider beside the checkout. Re-run after the sample changes:

    python scripts/build_tokenizer.py [--source DIR] [--vocab-size 3000]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "text2sql" / "sample_data" / "tokenizer"
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

# Qwen2.5's ChatML template without the tool-calling branches.
CHAT_TEMPLATE = (
    "{%- if messages[0]['role'] == 'system' %}"
    "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
    "{%- else %}"
    "{{- '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- for message in messages %}"
    "{%- if not (message.role == 'system' and loop.first) %}"
    "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)


def corpus(source: Path) -> list[str]:
    """Questions, gold SQL and schema names of every split in a Spider-format folder."""
    texts: list[str] = []
    for name in ("train_spider.json", "train_others.json", "dev.json", "train.json", "test.json"):
        path = source / name
        if path.exists():
            for ex in json.loads(path.read_text(encoding="utf-8")):
                texts += [ex.get("question", ""), ex.get("query", ex.get("SQL", ""))]
    tables = source / "tables.json"
    if tables.exists():
        for db in json.loads(tables.read_text(encoding="utf-8")):
            texts.append(db["db_id"])
            texts += db["table_names_original"] + db["table_names"]
            texts += [c for _, c in db["column_names_original"]] + [c for _, c in db["column_names"]]
            texts.append("CREATE TABLE " + " ".join(db["table_names_original"]))
    # prompt scaffolding the t2s prompt builders emit
    texts += [
        "CREATE TABLE",
        "PRIMARY KEY",
        "FOREIGN KEY",
        "REFERENCES",
        "/* Answer the following: */",
        "-- ",
    ]
    return [t for t in texts if t]


def build(source: Path, out: Path = OUT, vocab_size: int = 3000) -> Path:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus(source), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>", "<|im_end|>"],
        clean_up_tokenization_spaces=False,
        model_max_length=32768,
    )
    fast.chat_template = CHAT_TEMPLATE
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        old.unlink()
    fast.save_pretrained(out)
    # A class name that transformers 4.x and 5.x both resolve (5.x writes its new "TokenizersBackend").
    cfg_path = out / "tokenizer_config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["tokenizer_class"] = "PreTrainedTokenizerFast"
    cfg_path.write_text(json.dumps(cfg, indent=2) + "\n")
    return out


def main() -> None:
    sample = REPO / "text2sql" / "sample_data"
    default = sample if (sample / "tables.json").exists() else REPO.parent / "shared" / "data" / "spider"
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=default, help="Spider-format folder to train on")
    ap.add_argument("--vocab-size", type=int, default=3000)
    args = ap.parse_args()
    out = build(args.source, vocab_size=args.vocab_size)
    size = sum(p.stat().st_size for p in out.iterdir())
    print(f"trained on {args.source}; wrote {out} ({size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
