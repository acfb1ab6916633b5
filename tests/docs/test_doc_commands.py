"""Issue 18.10 (a): the commands a newcomer copies from README.md and docs/*.md run as written.

Every ```bash block that runs t2s is run here, command by command, in one scratch folder per document
(with train_args/ and examples/ beside it, as in a checkout), on the bundled sample. A block that cannot run
in CI (a GPU, the hub, Spider, minutes of training) says so on the line right before it:
`<!-- not run in CI: REASON -->`; any other block that fails, fails this test.
"""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli_helpers import t2s

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```bash\n(.*?)^```", re.M | re.S)
MARK = re.compile(r"<!--\s*not run in CI:(.*?)-->")
SHELL = {"|", "||", "&&", ";", ">", ">>", "<", "&"}


@dataclass
class Block:
    doc: str
    line: int
    commands: list[list[str]]
    reason: str | None  # why it is not run, from the marker; None: it runs

    @property
    def where(self) -> str:
        return f"{self.doc}:{self.line}"


def _commands(text: str) -> list[list[str]]:
    """Shell lines (continuations joined, comments dropped) as argument lists."""
    return [
        words
        for line in text.replace("\\\n", " ").splitlines()
        if (words := shlex.split(line, comments=True))
    ]


def _runs_t2s(words: list[str]) -> bool:
    return any(Path(w).name == "t2s" for w in words) or any(
        a == "-m" and b in ("text2sql", "text2sql.cli") for a, b in zip(words, words[1:], strict=False)
    )


def doc_blocks() -> list[Block]:
    """The bash blocks that run t2s, in document order (an install-only block is not one)."""
    blocks = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for m in FENCE.finditer(text):
            commands = _commands(m.group(1))
            if not any(_runs_t2s(c) for c in commands):
                continue
            before = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1].strip()
            mark = MARK.fullmatch(before)
            rel = str(path.relative_to(REPO))
            line = text.count("\n", 0, m.start()) + 1
            blocks.append(Block(rel, line, commands, mark.group(1).strip() if mark else None))
    return blocks


BLOCKS = doc_blocks()
RUN = sorted({b.doc for b in BLOCKS if b.reason is None})


def test_every_t2s_block_runs_or_says_why_not():
    """A marker carries its reason and sits right before a block; a block that runs is plain t2s commands."""
    assert len(BLOCKS) >= 15 and len(RUN) >= 4  # the extraction finds the docs' blocks
    problems = []
    for b in BLOCKS:
        if b.reason is not None:
            if not b.reason:
                problems.append(f"{b.where}: 'not run in CI' without a reason")
            continue
        for words in b.commands:
            if words[0] != "t2s":
                problems.append(f"{b.where}: {shlex.join(words)!r} is not a t2s command: mark the block")
            elif SHELL & set(words) or any("$" in w or w.startswith("[") for w in words):
                problems.append(f"{b.where}: {shlex.join(words)!r} has shell syntax or a placeholder")
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for m in MARK.finditer(text):
            if not text[m.end() :].startswith("\n```bash\n"):
                line = text.count("\n", 0, m.start()) + 1
                problems.append(
                    f"{path.relative_to(REPO)}:{line}: a 'not run in CI' marker not right before a bash block"
                )
    assert not problems, "\n".join(problems)


@pytest.mark.require_train
@pytest.mark.parametrize("doc", RUN)
def test_doc_commands_run_as_written(doc, tmp_path, monkeypatch):
    for folder in ("train_args", "examples"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    for block in (b for b in BLOCKS if b.doc == doc and b.reason is None):
        for words in block.commands:
            res = t2s(*words[1:], check=False)
            tail = "\n".join(res.stderr.strip().splitlines()[-5:])
            assert res.returncode == 0, (
                f"{block.where}: `{shlex.join(words)}` exited {res.returncode}:\n{tail}"
            )


def test_readme_names_the_cores_its_times_were_measured_on():
    """Issue 18.10 (g): "22 minutes" means little without the machine."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.search(r"Every time in this README was measured on \*\*2 CPU cores\*\*", text)
    assert len(text.encode()) <= 10_000  # the README stays an overview
