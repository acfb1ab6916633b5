"""The openai backend against a local OpenAI-compatible server (stdlib http.server in a thread)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from text2sql.core.errors import T2SError
from text2sql.generation import DecodingConfig, load_backend, predict
from text2sql.generation.base import render_chat
from text2sql.generation.openai import OpenAIBackend


def serve(answer, fail_first: int = 0, script=()):
    """Start a /v1/chat/completions server; `answer(body) -> list[str]`. Returns (url, state, stop).

    `script`: raw replies `(status, headers, body_bytes)` for the first requests, in order.
    """
    state = {"requests": 0, "auth": [], "bodies": [], "in_flight": 0, "max_in_flight": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with lock:
                state["requests"] += 1
                n_req = state["requests"]
                state["auth"].append(self.headers.get("Authorization"))
                state["bodies"].append(body)
                state["in_flight"] += 1
                state["max_in_flight"] = max(state["max_in_flight"], state["in_flight"])
            try:
                if self.path != "/v1/chat/completions":
                    self.send_error(404)
                    return
                if n_req <= len(script):
                    status, headers, raw = script[n_req - 1]
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                    return
                if n_req <= fail_first:
                    self.send_response(429)
                    self.send_header("Retry-After", "0")
                    self.end_headers()
                    return
                texts = answer(body)
                payload = json.dumps(
                    {
                        "choices": [
                            {"index": i, "message": {"role": "assistant", "content": t}}
                            for i, t in enumerate(texts)
                        ]
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            finally:
                with lock:
                    state["in_flight"] -= 1

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop():
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}/v1", state, stop


def recs(n=4):
    return [
        {
            "id": f"q{i}",
            "db_id": "d",
            "gold": f"SELECT {i}",
            "messages": [{"role": "user", "content": f"question {i}"}],
        }
        for i in range(n)
    ]


def test_retries_rate_limits_sends_key_and_bounds_concurrency(tmp_path, monkeypatch):
    import time

    def answer(body):
        time.sleep(0.05)
        i = body["messages"][-1]["content"].split()[-1]
        return [f"```sql\nSELECT {i}\n```"] * body["n"]

    url, state, stop = serve(answer, fail_first=2)
    monkeypatch.setenv("MY_KEY", "sk-test")
    try:
        be = OpenAIBackend("m", base_url=url, api_key_env="MY_KEY", concurrency=2, backoff=0.01)
        preds = predict(recs(6), be, tmp_path / "p.jsonl")
    finally:
        stop()
    assert [p["sql"] for p in preds] == [f"SELECT {i}" for i in range(6)]
    assert state["requests"] == 8  # 2 rate-limited + 6
    assert set(state["auth"]) == {"Bearer sk-test"}
    assert state["max_in_flight"] <= 2
    body = state["bodies"][-1]
    assert body["temperature"] == 0.0 and body["model"] == "m" and "top_p" not in body


def test_server_ignoring_n_is_asked_again():
    url, state, stop = serve(lambda body: ["SELECT 1"])  # always one choice
    try:
        be = OpenAIBackend("m", base_url=url, backoff=0.01)
        out = be.generate(recs(1), n=3, temperature=0.7)
    finally:
        stop()
    assert out == [["SELECT 1"] * 3] and state["requests"] == 3


def _ok(*texts):
    return (
        200,
        {"Content-Type": "application/json"},
        json.dumps(
            {
                "choices": [
                    {"index": i, "message": {"role": "assistant", "content": t}} for i, t in enumerate(texts)
                ]
            }
        ).encode(),
    )


ODDITIES = {
    "http_date_retry_after": (429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, b"slow down"),
    "garbage_retry_after": (503, {"Retry-After": "soon"}, b""),
    "retry_after_ms": (529, {"retry-after-ms": "20"}, b"overloaded"),
    "html_200": (200, {"Content-Type": "text/html"}, b"<html><body>Bad gateway</body></html>"),
    "empty_choices": (200, {}, b'{"choices": []}'),
    "no_choices_key": (200, {}, b'{"id": "x", "object": "chat.completion"}'),
    "choice_without_message": (200, {}, b'{"choices": [{"index": 0, "finish_reason": "stop"}]}'),
    "error_object": (200, {}, b'{"error": {"message": "model overloaded"}}'),
    "json_list": (200, {}, b"[1, 2]"),
    "truncated_json": (200, {}, b'{"choices": [{"message": {"content": "SEL'),
}


@pytest.mark.parametrize("kind", sorted(ODDITIES))
def test_every_http_oddity_is_retried_then_answered(kind):
    url, state, stop = serve(lambda body: ["never used"], script=[ODDITIES[kind], _ok("SELECT 7")])
    try:
        be = OpenAIBackend("m", base_url=url, backoff=0.01)
        t0 = time.monotonic()
        out = be.generate(recs(1))
    finally:
        stop()
    assert out == [["SELECT 7"]] and state["requests"] == 2
    assert time.monotonic() - t0 < 30  # a past HTTP-date means "now", not a crash or a long sleep


@pytest.mark.parametrize("kind", sorted(ODDITIES))
def test_oddity_that_persists_is_one_user_error(kind):
    url, state, stop = serve(lambda body: ["never used"], script=[ODDITIES[kind]] * 3)
    try:
        be = OpenAIBackend("m", base_url=url, backoff=0.001, max_retries=2)
        with pytest.raises(T2SError) as err:
            be.generate(recs(1))
    finally:
        stop()
    assert state["requests"] == 3  # the first try and two retries
    msg = str(err.value)
    assert "\n" not in msg and "3 tries" in msg and url in msg


def test_content_null_is_an_empty_answer_not_an_error():
    reply = (200, {}, b'{"choices": [{"index": 0, "message": {"role": "assistant", "content": null}}]}')
    url, state, stop = serve(lambda body: [], script=[reply])
    try:
        out = OpenAIBackend("m", base_url=url, max_retries=0).generate(recs(1))
    finally:
        stop()
    assert out == [[""]] and state["requests"] == 1


def test_retry_after_parsing():
    from email.utils import formatdate

    from text2sql.generation.openai import retry_after_seconds

    now = 1_700_000_000.0
    assert retry_after_seconds("3", now) == 3.0
    assert retry_after_seconds(formatdate(now + 42, usegmt=True), now) == pytest.approx(42, abs=1)
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now) == 0.0  # in the past
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None) is None


def test_request_timeout_is_configurable_and_reported():
    def slow(body):
        time.sleep(1.0)
        return ["SELECT 1"]

    url, state, stop = serve(slow)
    try:
        be = load_backend("openai", model="m", base_url=url, request_timeout=0.2)
        be.max_retries, be.backoff = 1, 0.01
        with pytest.raises(T2SError, match=r"within 0.2 s .*--request-timeout"):
            be.generate(recs(1))
    finally:
        stop()
    assert be.info()["request_timeout"] == 0.2
    with pytest.raises(T2SError, match="request-timeout"):
        load_backend("openai", model="m", base_url=url, request_timeout=0)


def test_server_ignoring_n_gets_a_distinct_seed_per_sample():
    url, state, stop = serve(lambda body: [f"SELECT {body['seed']}"])  # one choice, whatever n says
    try:
        be = OpenAIBackend("m", base_url=url, decoding=DecodingConfig(seed=10), backoff=0.01)
        out = be.generate(recs(2), n=3, temperature=0.8)
    finally:
        stop()
    assert out == [["SELECT 10", "SELECT 11", "SELECT 12"]] * 2
    assert sorted(b["n"] for b in state["bodies"]) == [1, 1, 2, 2, 3, 3]


REJECT_N = (400, {"Content-Type": "application/json"}, b'{"error": {"message": "n must be 1"}}')


def test_server_rejecting_n_is_asked_one_sample_at_a_time():
    url, state, stop = serve(lambda body: [f"SELECT {body['seed']}"], script=[REJECT_N])
    try:
        out = OpenAIBackend("m", base_url=url, backoff=0.01).generate(recs(1), n=3, temperature=0.8)
    finally:
        stop()
    assert out == [["SELECT 0", "SELECT 1", "SELECT 2"]]
    assert [b["n"] for b in state["bodies"]] == [3, 1, 1, 1]


def test_a_bad_request_for_one_sample_is_reported_not_looped():
    url, state, stop = serve(lambda body: ["SELECT 1"], script=[REJECT_N])
    try:
        with pytest.raises(T2SError, match="HTTP 400: .*n must be 1"):
            OpenAIBackend("m", base_url=url, backoff=0.01).generate(recs(1), n=1)
    finally:
        stop()
    assert state["requests"] == 1


def test_resume_refuses_another_endpoint_or_model(tmp_path):
    from text2sql.data.benchmark import load_benchmark
    from text2sql.workflows.pipeline import GENERATION, generate_predictions

    bench = load_benchmark(None)
    prompts = tmp_path / "prompts.jsonl"
    ids = [e.id for e in bench.examples("dev")[:3]]
    prompts.write_text("".join(json.dumps({**r, "id": i}) + "\n" for r, i in zip(recs(3), ids, strict=True)))
    url_a, _, stop_a = serve(lambda body: ["SELECT 1"])
    url_b, _, stop_b = serve(lambda body: ["SELECT 1"])
    out = tmp_path / "run"

    def run(model, base_url, limit):
        return generate_predictions(
            data=None, split="dev", output_dir=out, backend="openai", model=model,
            base_url=base_url, prompts=str(prompts), limit=limit, bench=bench,
        )  # fmt: skip

    try:
        assert len(run("m1", url_a, 2).predictions) == 2
        info = json.loads((out / GENERATION).read_text())
        assert info["base_url"] == url_a and info["model"] == "m1"
        for base_url, model in ((url_b, "m1"), (url_a, "m2")):
            with pytest.raises(T2SError, match="resuming would mix two endpoints") as err:
                run(model, base_url, 3)
            assert url_a in str(err.value)
        assert len(run("m1", url_a, 3).predictions) == 3  # the same endpoint resumes
    finally:
        stop_a()
        stop_b()


def test_unreachable_and_auth_errors_are_user_errors():
    url, _, stop = serve(lambda body: [])
    stop()
    be = OpenAIBackend("m", base_url=url, max_retries=0, timeout=5)
    with pytest.raises(T2SError, match="cannot reach|answered"):
        be.generate(recs(1))


@pytest.mark.require_train
def test_openai_backend_matches_hf_behind_a_local_server(tmp_path):
    """A tiny model served over HTTP gives the same greedy answers as calling it directly."""
    from text2sql.train import build_tiny_model

    model_dir = build_tiny_model(tmp_path / "micro", arch="micro")
    hf = load_backend("hf", model=str(model_dir), decoding=DecodingConfig(max_new_tokens=6))
    lock = threading.Lock()

    def answer(body):
        with lock:  # one model, many server threads
            return hf.generate(
                [{"messages": body["messages"]}], n=body["n"], temperature=body["temperature"]
            )[0]

    url, state, stop = serve(answer)
    try:
        be = load_backend("openai", model="tiny", base_url=url, decoding=DecodingConfig(max_new_tokens=6))
        got = be.generate(recs(3))
    finally:
        stop()
    assert got == hf.generate(recs(3))
    assert state["bodies"][0]["max_tokens"] == 6
    assert render_chat(hf.tokenizer, recs(1)[0]).endswith("<|im_start|>assistant\n")
