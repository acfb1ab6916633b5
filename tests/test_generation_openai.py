"""The openai backend against a local OpenAI-compatible server (stdlib http.server in a thread)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from text2sql.errors import T2SError
from text2sql.generation import DecodingConfig, load_backend, predict
from text2sql.generation.base import render_chat
from text2sql.generation.openai import OpenAIBackend


def serve(answer, fail_first: int = 0):
    """Start a /v1/chat/completions server; `answer(body) -> list[str]`. Returns (url, state, stop)."""
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


def test_unreachable_and_auth_errors_are_user_errors():
    url, _, stop = serve(lambda body: [])
    stop()
    be = OpenAIBackend("m", base_url=url, max_retries=0, timeout=5)
    with pytest.raises(T2SError, match="cannot reach|answered"):
        be.generate(recs(1))


@pytest.mark.slow
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
