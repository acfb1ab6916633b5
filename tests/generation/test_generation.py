import json

import pytest

from text2sql.core.errors import T2SError
from text2sql.generation import DecodingConfig, load_backend, predict
from text2sql.generation.base import Backend


def records(n=6):
    from text2sql.data.benchmark import load_benchmark

    bench = load_benchmark(None)
    out = []
    for ex in bench.examples("dev")[:n]:
        msgs = [{"role": "system", "content": "Write SQLite SQL."}, {"role": "user", "content": ex.question}]
        out.append(
            {
                "id": ex.id,
                "db_id": ex.db_id,
                "question": ex.question,
                "messages": msgs,
                "prompt": ex.question,
                "gold": ex.query,
                "n_tokens": len(ex.question),
            }
        )
    return out


class CrashAfter(Backend):
    """Gold answers, but raises after `n` batches: stands in for a killed run."""

    name = "crashy"

    def __init__(self, n):
        self.n, self.calls, self.seen = n, 0, []

    def generate(self, recs, n=1, temperature=0.0):
        self.calls += 1
        if self.calls > self.n:
            raise KeyboardInterrupt
        self.seen += [r["id"] for r in recs]
        return [[r["gold"]] * n for r in recs]


def test_gold_backend_round_trips_gold_sql(tmp_path):
    recs = records()
    preds = predict(recs, load_backend("gold"), tmp_path / "p.jsonl")
    assert [p["id"] for p in preds] == [r["id"] for r in recs]  # input order, although batches are sorted
    assert [p["sql"] for p in preds] == [" ".join(r["gold"].split()) for r in recs]


def test_resume_after_crash_skips_done_ids(tmp_path):
    recs, out = records(6), tmp_path / "p.jsonl"
    crashy = CrashAfter(2)
    with pytest.raises(KeyboardInterrupt):
        predict(recs, crashy, out, DecodingConfig(batch_size=2))
    assert len(out.read_text().splitlines()) == 4  # two finished batches survive the crash
    with open(out, "a") as f:
        f.write('{"id": "dev-9", "sq')  # torn line from a kill mid-write
    again = CrashAfter(99)
    preds = predict(recs, again, out, DecodingConfig(batch_size=2))
    assert len(again.seen) == 2 and not set(again.seen) & set(crashy.seen)
    assert sorted(p["id"] for p in preds) == sorted(r["id"] for r in recs)
    assert all(json.loads(line) for line in out.read_text().splitlines())


def test_resume_refuses_other_settings(tmp_path):
    out = tmp_path / "p.jsonl"
    predict(records(2), load_backend("gold"), out, DecodingConfig(max_new_tokens=64))
    with pytest.raises(T2SError, match="max_new_tokens|decoding"):
        predict(records(2), load_backend("gold"), out, DecodingConfig(max_new_tokens=32))
    predict(records(2), load_backend("gold"), out, DecodingConfig(max_new_tokens=32), overwrite=True)


def test_replay_backend(tmp_path):
    recs = records(3)
    f = tmp_path / "old.jsonl"
    f.write_text("".join(json.dumps({"id": r["id"], "sql": "SELECT 1"}) + "\n" for r in recs))
    preds = predict(recs, load_backend("replay", predictions=str(f)), tmp_path / "p.jsonl")
    assert [p["sql"] for p in preds] == ["SELECT 1"] * 3
    with pytest.raises(T2SError, match="no prediction"):
        predict(records(4), load_backend("replay", predictions=str(f)), tmp_path / "q.jsonl")


def test_self_consistency_keeps_greedy_and_voted(tmp_path):
    class Sampler(CrashAfter):
        def generate(self, recs, n=1, temperature=0.0):
            return (
                [["SELECT greedy"]] * len(recs)
                if temperature == 0
                else [["SELECT a", "SELECT b", "SELECT b"]] * len(recs)
            )

    def voter(rec, cands):
        assert cands == ["SELECT a", "SELECT b", "SELECT b"]
        return {"sql": "SELECT b", "votes": 2}

    preds = predict(
        records(2), Sampler(9), tmp_path / "p.jsonl", DecodingConfig(samples=3, temperature=0.8), voter=voter
    )
    assert all(
        p["greedy_sql"] == "SELECT greedy" and p["sql"] == "SELECT b" and p["votes"] == 2 for p in preds
    )
    with pytest.raises(T2SError, match="temperature"):
        predict(records(2), Sampler(9), tmp_path / "q.jsonl", DecodingConfig(samples=3), voter=voter)


def test_backend_errors_are_user_errors():
    with pytest.raises(T2SError, match="unknown backend"):
        load_backend("nope")
    # the library names the setting; `t2s predict` shows it as --model (tests/cli/test_generation_cli.py)
    with pytest.raises(T2SError, match="needs `model`"):
        load_backend("hf")
    with pytest.raises(T2SError, match="needs `predictions`"):
        load_backend("replay")


def test_vllm_backend_says_what_is_missing():
    try:
        import torch
        import vllm  # noqa: F401

        if torch.cuda.is_available():
            pytest.skip("vllm and a GPU are present")
    except ImportError:
        pass
    with pytest.raises(T2SError, match="vllm"):
        load_backend("vllm", model="whatever")


@pytest.fixture(scope="module")
def micro_model(tmp_path_factory):
    from text2sql.train import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("micro"), arch="micro")


@pytest.mark.require_train
def test_hf_batched_equals_one_at_a_time(micro_model):
    """Left padding and length sorting must not change greedy outputs, and order is restored."""
    recs = records(5)
    batched = load_backend(
        "hf", model=str(micro_model), decoding=DecodingConfig(max_new_tokens=8, batch_size=5)
    )
    single = load_backend(
        "hf", model=str(micro_model), decoding=DecodingConfig(max_new_tokens=8, batch_size=1)
    )
    a = batched.generate(recs)
    b = [single.generate([r])[0] for r in recs]
    assert a == b and all(len(x) == 1 for x in a)
    info = batched.info()
    assert info["backend"] == "hf" and "transformers" in info["versions"]
    assert batched.tokenizer.convert_tokens_to_ids("<|im_end|>") in info["stop_token_ids"]


@pytest.mark.require_train
def test_hf_sampling_returns_n_candidates_reproducibly(micro_model):
    be = load_backend("hf", model=str(micro_model), decoding=DecodingConfig(max_new_tokens=6, seed=3))
    a = be.generate(records(2), n=3, temperature=1.0)
    assert [len(x) for x in a] == [3, 3]
    assert be.generate(records(2), n=3, temperature=1.0) == a


def test_prompt_hash_mismatch_warns(tmp_path):
    from text2sql.models.meta import write_training_meta
    from text2sql.workflows.pipeline import check_prompt_hash

    write_training_meta(tmp_path, prompt_config_hash="aaa")
    assert check_prompt_hash(str(tmp_path), [{"config_hash": "aaa"}]) is None
    warning = check_prompt_hash(str(tmp_path), [{"config_hash": "bbb"}])
    assert "aaa" in warning and "bbb" in warning
    assert check_prompt_hash(str(tmp_path / "none"), [{"config_hash": "bbb"}]) is None


@pytest.mark.require_train
def test_run_on_stop_ends_loops_and_closed_fences_but_not_answers_in_progress():
    import torch

    from text2sql.generation.hf import RunOnStop

    class Tok:  # token id k decodes to word k; 7 is a code fence
        def decode(self, ids, skip_special_tokens=True):
            return " ".join("```" if i == 7 else f"w{i}" for i in ids)

    n = RunOnStop.NGRAM
    prompt = [[0, 0, 0]] * 3
    loop = list(range(10, 10 + n)) * 2  # the same n tokens twice: a loop
    fence = [7, 11, 12, 7]  # ```sql ... ``` closed
    fresh = list(range(30, 30 + 2 * n))  # no repeat, no fence: keep going
    stop = RunOnStop(Tok(), prompt_len=3)
    flags = stop(
        torch.tensor([p + s for p, s in zip(prompt, (loop, fence + [0] * (2 * n - 4), fresh), strict=True)]), None
    )
    assert flags.tolist() == [True, True, False] and stop.stopped == 2
    assert stop(
        torch.tensor([p + s + [1] for p, s in zip(prompt, (loop, fence + [0] * (2 * n - 4), fresh), strict=True)]), None
    )[:2].all()
    assert stop.stopped == 2  # a stopped answer is counted once
