"""The two data models every part of t2s shares: a database `Schema` and a benchmark `Example`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Column:
    name: str  # name as stored in the database
    type: str = "text"  # Spider type (text, number, time, boolean, others) or a declared SQL type
    nl_name: str = ""  # natural-language name, e.g. "song release year"

    def __post_init__(self) -> None:
        if not self.nl_name:
            self.nl_name = self.name.replace("_", " ").lower()


@dataclass
class Table:
    name: str
    columns: list[Column] = field(default_factory=list)
    primary_key: list[str] = field(default_factory=list)  # column names; several = composite key
    nl_name: str = ""

    def __post_init__(self) -> None:
        if not self.nl_name:
            self.nl_name = self.name.replace("_", " ").lower()

    def column(self, name: str) -> Column | None:
        low = name.lower()
        return next((c for c in self.columns if c.name.lower() == low), None)


@dataclass(frozen=True)
class ForeignKey:
    table: str
    column: str
    ref_table: str
    ref_column: str


@dataclass
class Schema:
    db_id: str
    tables: list[Table] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)

    def table(self, name: str) -> Table | None:
        """Case-insensitive lookup, since SQL identifiers in SQLite are case-insensitive."""
        low = name.lower()
        return next((t for t in self.tables if t.name.lower() == low), None)

    @property
    def table_names(self) -> list[str]:
        return [t.name for t in self.tables]


@dataclass
class Example:
    db_id: str
    question: str
    query: str  # gold SQL
    evidence: str | None = None  # BIRD's external knowledge
    id: str = ""  # stable id, e.g. "dev-17"; loaders fill it in
    difficulty: str | None = None  # BIRD's label: simple, moderate or challenging

    def to_dict(self) -> dict:
        d = {"id": self.id, "db_id": self.db_id, "question": self.question, "query": self.query}
        if self.evidence:
            d["evidence"] = self.evidence
        if self.difficulty:
            d["difficulty"] = self.difficulty
        return d
