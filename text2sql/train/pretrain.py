"""Continued pre-training (`task_type: pretrain`) on raw text, e.g. a SQL corpus, the way Firefly does it.

`train_file` is a JSONL file or a folder of them (every `*.jsonl` below it), one `{"text": ...}` per line.
Each text is tokenized and ended with EOS, all are concatenated, and the stream is cut into blocks of
`max_seq_length` tokens (the remainder shorter than a block is dropped); the loss is on every token.
"""

from __future__ import annotations

from pathlib import Path

from text2sql.core.errors import T2SError


def pretrain_files(path: str | Path) -> list[Path]:
    path = Path(path)
    files = sorted(path.rglob("*.jsonl")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        raise T2SError(f"pretraining data {path} is neither a JSONL file nor a folder holding *.jsonl files")
    return files


def read_texts(path: str | Path) -> list[str]:
    from text2sql.train.data import read_jsonl

    texts = []
    for f in pretrain_files(path):
        for n, row in enumerate(read_jsonl(f), 1):
            if not isinstance(row.get("text"), str):
                raise T2SError(f"{f}:{n}: a pretraining row needs a 'text' string")
            texts.append(row["text"])
    return texts


def build_pretrain_dataset(texts: list[str], tokenizer, block: int, num_proc: int | None = None):
    """A `datasets.Dataset` of `input_ids` blocks of exactly `block` tokens, and a one-line summary."""
    from datasets import Dataset

    eos = tokenizer.eos_token_id
    if eos is None:
        raise T2SError("the tokenizer has no eos token to separate pretraining texts")
    ds = Dataset.from_dict({"text": texts})

    def tokenize(batch):
        return {
            "ids": [ids + [eos] for ids in tokenizer(batch["text"], add_special_tokens=False)["input_ids"]]
        }

    ds = ds.map(tokenize, batched=True, remove_columns=["text"], num_proc=num_proc)

    def group(batch):
        stream = [t for ids in batch["ids"] for t in ids]
        usable = len(stream) // block * block
        return {"input_ids": [stream[i : i + block] for i in range(0, usable, block)]}

    total = sum(len(x) for x in ds["ids"])
    ds = ds.map(group, batched=True, batch_size=len(ds), remove_columns=["ids"])
    if len(ds) == 0:
        raise T2SError(
            f"the pretraining text holds {total} tokens, less than one block of max_seq_length={block}"
        )
    return ds, f"{len(texts)} texts, {total} tokens -> {len(ds)} blocks of {block} tokens"
