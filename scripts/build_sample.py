"""Build the bundled sample benchmark (`text2sql/sample_data/`) in Spider format, from `scripts/sample/`.

Seven small SQLite databases in distinct domains, a Spider `tables.json`, `train_spider.json`
(five databases) and `dev.json` (two other databases). Everything was written by the t2s authors and
lives as data in `scripts/sample/<db_id>/` (see `scripts/sample/README.md`): `schema.sql`,
hand-written `rows.sql`, `names.json`, `questions.sql`, and a `generate.py` whose rows come from
`random.Random` with a fixed seed, so two runs produce the same files.

    python scripts/build_sample.py                 # rebuild text2sql/sample_data/
    python scripts/build_sample.py --out /tmp/s    # build elsewhere (tests check determinism)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "text2sql" / "sample_data"
SOURCE = Path(__file__).resolve().parent / "sample"

TRAIN_DBS = ["library", "hospital", "flight_network", "music_store", "soccer_league"]
DEV_DBS = ["university", "bakery_chain"]
SPIDER_TYPES = {"INTEGER": "number", "REAL": "number", "TEXT": "text", "DATE": "time", "BOOLEAN": "boolean"}


class SampleDataError(ValueError):
    """A file under scripts/sample/ is malformed; main() prints it as one `error:` line."""


# -- reading scripts/sample/ --------------------------------------------------------------------
class SeededRows(random.Random):
    """The generators' random source: `random.Random` plus the draws every domain uses."""

    def __init__(self, seed: int, first: list[str], last: list[str]) -> None:
        super().__init__(seed)
        self.first, self.last = first, last

    def people(self, n: int) -> list[str]:
        """n distinct full names."""
        names: list[str] = []
        while len(names) < n:
            name = f"{self.choice(self.first)} {self.choice(self.last)}"
            if name not in names:
                names.append(name)
        return names

    def day(self, start: str, end: str) -> str:
        a, b = date.fromisoformat(start).toordinal(), date.fromisoformat(end).toordinal()
        return date.fromordinal(self.randint(a, b)).isoformat()

    def maybe(self, value, p_null: float):
        return None if self.random() < p_null else value


def read_questions(path: Path) -> list[tuple[str, str]]:
    """(question, query) pairs from a file of `-- question` lines, each followed by its `query;`.

    A query may span lines (joined by single spaces); sqlite3.complete_statement says where it ends,
    so a `;` inside a string literal does not.
    """
    pairs: list[tuple[str, str]] = []
    question, lines = None, []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if not text:
            continue
        if text.startswith("--"):
            if lines:
                raise SampleDataError(f"{path}:{n}: comment line inside the query for {question!r}")
            if question is not None:
                raise SampleDataError(f"{path}:{n}: question {question!r} has no query")
            question = text[2:].strip()
            continue
        if question is None:
            raise SampleDataError(f"{path}:{n}: query without a `-- question` line above it")
        lines.append(text)
        if sqlite3.complete_statement("\n".join(lines)):
            pairs.append((question, " ".join(lines).removesuffix(";").rstrip()))
            question, lines = None, []
    if question is not None:
        raise SampleDataError(f"{path}: question {question!r} has no complete `query;`")
    return pairs


def table_names(con: sqlite3.Connection) -> list[str]:
    return [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")]


def read_rows(ddl: str, path: Path) -> dict[str, list[tuple]]:
    """The hand-written rows: `rows.sql` run by SQLite itself into an empty copy of the schema, read back."""
    con = sqlite3.connect(":memory:")
    try:
        con.executescript(ddl)
        try:
            con.executescript(path.read_text(encoding="utf-8"))
        except sqlite3.Error as e:
            raise SampleDataError(f"{path}: {e}") from e
        tables = {t: con.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in table_names(con)}
    finally:
        con.close()
    return {t: rows for t, rows in tables.items() if rows}


def load_generator(path: Path):
    spec = importlib.util.spec_from_file_location(f"t2s_sample_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_database(db_id: str):
    """(DDL, rows by table in schema order, natural-language names, questions) of one database."""
    folder = SOURCE / db_id
    ddl = (folder / "schema.sql").read_text(encoding="utf-8")
    rows = read_rows(ddl, folder / "rows.sql") if (folder / "rows.sql").exists() else {}
    if (folder / "generate.py").exists():
        gen = load_generator(folder / "generate.py")
        pools = json.loads((SOURCE / "person_names.json").read_text(encoding="utf-8"))
        generated = gen.generate(SeededRows(gen.SEED, pools["first"], pools["last"]), rows)
        if both := sorted(set(rows) & set(generated)):
            raise SampleDataError(f"{folder}: tables {both} are both in rows.sql and generated")
        rows = {**rows, **generated}
    con = sqlite3.connect(":memory:")
    try:
        con.executescript(ddl)
        order = table_names(con)
    finally:
        con.close()
    if missing := [t for t in order if t not in rows]:
        raise SampleDataError(f"{folder}: no rows for tables {missing}")
    nl = json.loads((folder / "names.json").read_text(encoding="utf-8"))
    return ddl, {t: rows[t] for t in order}, nl, read_questions(folder / "questions.sql")


# -- writing ------------------------------------------------------------------------------------
def write_database(path: Path, ddl: str, rows: dict[str, list[tuple]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA foreign_keys = ON")  # the generated rows must respect the declared keys
        con.executescript(ddl)
        for table, data in rows.items():
            marks = ", ".join("?" * len(data[0]))
            con.executemany(f"INSERT INTO {table} VALUES ({marks})", data)
        con.commit()
        con.execute("VACUUM")
    finally:
        con.close()


def tables_entry(db_id: str, path: Path, nl: dict[str, str]) -> dict:
    """One Spider `tables.json` entry, read back from the database we just wrote."""
    con = sqlite3.connect(path)
    try:
        tables = table_names(con)
        col_orig: list[list] = [[-1, "*"]]
        col_nl: list[list] = [[-1, "*"]]
        types, pks, fks = ["text"], [], []
        index: dict[tuple[str, str], int] = {}
        for ti, t in enumerate(tables):
            info = con.execute(f"PRAGMA table_info({t})").fetchall()
            for _, name, decl, _, _, _ in info:
                index[(t, name)] = len(col_orig)
                col_orig.append([ti, name])
                col_nl.append([ti, nl.get(f"{t}.{name}", name.replace("_", " "))])
                types.append(SPIDER_TYPES[decl])
            key = [index[(t, r[1])] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
            pks.append(key[0] if len(key) == 1 else key)
        for t in tables:
            for r in sorted(con.execute(f"PRAGMA foreign_key_list({t})").fetchall(), key=lambda r: r[0]):
                fks.append([index[(t, r[3])], index[(r[2], r[4])]])
        fks.sort()
    finally:
        con.close()
    return {
        "column_names": col_nl,
        "column_names_original": col_orig,
        "column_types": types,
        "db_id": db_id,
        "foreign_keys": fks,
        "primary_keys": pks,
        "table_names": [nl.get(t, t.replace("_", " ")) for t in tables],
        "table_names_original": tables,
    }


def dump_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def hardness_counts(examples: list[dict]) -> Counter | None:
    try:
        from text2sql.eval.hardness import hardness
    except ImportError:
        return None
    return Counter(hardness(e["query"]) for e in examples)


def write_readme(out: Path, splits: dict[str, list[dict]], sizes: dict[str, tuple[int, int]]) -> None:
    levels = ["easy", "medium", "hard", "extra"]
    lines = [
        "# t2s sample benchmark",
        "",
        "A small text-to-SQL benchmark in Spider format, shipped inside the `text2sql` package so that tests,",
        "the quick start and `load_benchmark(None)` work without downloading anything. Written from scratch by",
        "the t2s authors (databases, rows, questions and queries) and released under the Apache-2.0 license,",
        "like the rest of the project. It is a smoke test, not a leaderboard: use Spider or BIRD to compare models.",
        "",
        "Regenerate it with `python scripts/build_sample.py` (deterministic: fixed seeds, same files every run).",
        "",
        "## Files",
        "- `database/<db_id>/<db_id>.sqlite`: the databases (declared primary and foreign keys, typed columns).",
        "- `tables.json`: the schemas in Spider's format, with natural-language column names.",
        "- `train_spider.json` and `dev.json`: `{db_id, question, query}` examples; split by database.",
        "- `tokenizer/`: a tiny tokenizer trained on this sample by `scripts/build_tokenizer.py` (not built here).",
        "",
        "## Databases",
        "",
        "| db_id | split | tables | rows | questions |",
        "|---|---|---|---|---|",
    ]
    for split, dbs in (("train", TRAIN_DBS), ("dev", DEV_DBS)):
        examples = splits["train_spider.json" if split == "train" else "dev.json"]
        for db in dbs:
            n_tables, n_rows = sizes[db]
            n_q = sum(e["db_id"] == db for e in examples)
            lines.append(f"| {db} | {split} | {n_tables} | {n_rows} | {n_q} |")
    lines += ["", "## Questions per split and hardness", ""]
    counts = {name: hardness_counts(ex) for name, ex in splits.items()}
    if all(c is not None for c in counts.values()):
        lines += ["| file | " + " | ".join(levels) + " | total |", "|---|" + "---|" * (len(levels) + 1)]
        for name, ex in splits.items():
            c = counts[name]
            lines.append(f"| {name} | " + " | ".join(str(c[lv]) for lv in levels) + f" | {len(ex)} |")
        lines += ["", "Hardness follows Spider's official definition (`text2sql.eval.hardness.hardness`)."]
    else:
        for name, ex in splits.items():
            lines.append(f"- `{name}`: {len(ex)} questions")
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(out: Path) -> dict[str, list[dict]]:
    """Write the whole sample benchmark under `out`; return the split files' contents."""
    out.mkdir(parents=True, exist_ok=True)
    entries, sizes = [], {}
    splits: dict[str, list[dict]] = {"train_spider.json": [], "dev.json": []}
    for db_id in TRAIN_DBS + DEV_DBS:
        ddl, rows, nl, qs = read_database(db_id)
        path = out / "database" / db_id / f"{db_id}.sqlite"
        write_database(path, ddl, rows)
        entries.append(tables_entry(db_id, path, nl))
        sizes[db_id] = (len(rows), sum(len(r) for r in rows.values()))
        target = splits["train_spider.json" if db_id in TRAIN_DBS else "dev.json"]
        target += [{"db_id": db_id, "question": q, "query": sql} for q, sql in qs]
    dump_json(out / "tables.json", entries)
    for name, examples in splits.items():
        dump_json(out / name, examples)
    write_readme(out, splits, sizes)
    return splits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    args = parser.parse_args()
    try:
        splits = build(args.out)
    except SampleDataError as e:
        parser.exit(2, f"error: {e}\n")
    for name, examples in splits.items():
        counts = hardness_counts(examples)
        detail = f" {dict(sorted(counts.items()))}" if counts else ""
        print(f"{name}: {len(examples)} examples{detail}")


if __name__ == "__main__":
    main()
