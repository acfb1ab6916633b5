"""Hostile OpenAI-compatible servers (audit 17, rows 1, 2 and 18): each ends in one line, in bounded time
and memory. The servers are raw sockets on 127.0.0.1 whose every loop is bounded."""

import json
import os
import signal
import socket
import socketserver
import threading
import time
import tracemalloc

import pytest

from text2sql.core.errors import T2SError
from text2sql.generation import predict
from text2sql.generation.openai import OpenAIBackend

HEAD_200 = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"


def raw_server(behave):
    """Serve `behave(send, state)` after reading each request; returns (url, state, stop)."""
    state = {"requests": 0}
    lock = threading.Lock()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            buf = b""
            while b"\r\n\r\n" not in buf and len(buf) < 65536:
                got = self.request.recv(4096)
                if not got:
                    return
                buf += got
            head, _, rest = buf.partition(b"\r\n\r\n")
            length = next(
                (
                    int(h.split(b":")[1])
                    for h in head.split(b"\r\n")
                    if h.lower().startswith(b"content-length")
                ),
                0,
            )
            while len(rest) < length:
                rest += self.request.recv(4096)
            with lock:
                state["requests"] += 1
            try:
                behave(self.request.sendall, state)
            except OSError:  # the client hung up: what a bounded client does
                pass

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop():
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}/v1", state, stop


def one_record():
    return [{"id": "q0", "db_id": "d", "gold": "SELECT 1", "messages": [{"role": "user", "content": "q"}]}]


def completion(content: str) -> bytes:
    return json.dumps(
        {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}
    ).encode()


def run_bounded(url, **kw):
    """generate() against `url`; returns (error message, seconds, peak traced MB)."""
    be = OpenAIBackend("m", base_url=url, backoff=0.01, **kw)
    tracemalloc.start()
    t0 = time.monotonic()
    try:
        with pytest.raises(T2SError) as err:
            be.generate(one_record())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    msg = str(err.value)
    assert "\n" not in msg
    return msg, time.monotonic() - t0, peak / 2**20


def test_endless_body_is_capped_in_bytes_and_time():
    def endless(send, state):
        send(HEAD_200 + b"\r\n")
        chunk = b"x" * 65536
        for _ in range(5_000):  # 330 MB at most; a bounded client hangs up after 4 MB
            send(chunk)

    url, state, stop = raw_server(endless)
    try:
        msg, took, peak_mb = run_bounded(url, timeout=3, max_retries=1)
    finally:
        stop()
    assert "larger than" in msg and "2 tries" in msg and url in msg
    assert took < 10 and peak_mb < 64  # the audit saw 3 GB in 11 s
    assert state["requests"] == 2


def test_declared_huge_body_is_refused_before_reading_it():
    def huge(send, state):
        send(HEAD_200 + b"Content-Length: 10000000\r\n\r\n" + b"{" * 1000)

    url, state, stop = raw_server(huge)
    try:
        msg, took, _ = run_bounded(url, timeout=2, max_retries=0)
    finally:
        stop()
    assert "10,000,000 bytes" in msg and took < 3


def test_trickling_server_ends_at_the_request_deadline():
    def trickle(send, state):
        send(HEAD_200 + b"\r\n")
        for _ in range(100):  # 1 byte every 0.2 s, far inside any per-read timeout
            send(b" ")
            time.sleep(0.2)

    url, state, stop = raw_server(trickle)
    try:
        msg, took, _ = run_bounded(url, timeout=1, max_retries=1)
    finally:
        stop()
    assert "had not finished after 1 s" in msg and "2 tries" in msg and "--request-timeout" in msg
    assert took < 5  # 2 tries x 1 s, not 100 x 0.2 s per try
    assert state["requests"] == 2


def test_silent_server_after_headers_is_a_timeout():
    def silent(send, state):
        send(HEAD_200 + b"Content-Length: 50\r\n\r\n")
        time.sleep(3)

    url, state, stop = raw_server(silent)
    try:
        msg, took, _ = run_bounded(url, timeout=1, max_retries=0)
    finally:
        stop()
    assert "within 1 s" in msg and took < 2.5


def test_ctrl_c_during_a_stall_stops_without_retrying():
    def trickle(send, state):
        send(HEAD_200 + b"\r\n")
        for _ in range(50):
            send(b" ")
            time.sleep(0.1)

    url, state, stop = raw_server(trickle)
    be = OpenAIBackend("m", base_url=url, backoff=0.01, timeout=2, max_retries=5)
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    t0 = time.monotonic()
    try:
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            be.generate(one_record())
        took = time.monotonic() - t0
    finally:
        timer.cancel()
        stop()
    assert took < 2  # the request in flight stops at its next read; the audit saw it alive at 90 s
    time.sleep(0.3)
    assert state["requests"] == 1  # and it was not retried


def test_server_closing_mid_body_is_not_called_unreachable():
    def cut(send, state):
        send(HEAD_200 + b"Content-Length: 1000\r\n\r\n" + b'{"choices": [')

    url, state, stop = raw_server(cut)
    try:
        msg, took, _ = run_bounded(url, timeout=2, max_retries=1)
    finally:
        stop()
    assert "closed the connection mid-answer" in msg and "check --base-url" not in msg
    assert state["requests"] == 2


def test_invalid_utf8_and_lone_surrogates_in_an_answer_are_data(tmp_path):
    bodies = [completion("SELECT 'x'").replace(b"x", b"\xff\xfe"), completion("SELECT '\ud800'")]

    def answer(send, state):
        raw = bodies[(state["requests"] - 1) % 2]
        send(HEAD_200 + f"Content-Length: {len(raw)}\r\n\r\n".encode() + raw)

    url, state, stop = raw_server(answer)
    try:
        be = OpenAIBackend("m", base_url=url, max_retries=0, concurrency=1)
        recs = one_record() + [{**one_record()[0], "id": "q1"}]
        preds = predict(recs, be, tmp_path / "p.jsonl")
    finally:
        stop()
    assert state["requests"] == 2  # neither was retried as a broken answer
    assert preds[0]["sql"] == "SELECT '\ufffd\ufffd'" and preds[1]["sql"] == "SELECT '\ufffd'"
    assert len((tmp_path / "p.jsonl").read_text().splitlines()) == 2


def test_connection_refused_is_unreachable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    msg, took, _ = run_bounded(f"http://127.0.0.1:{port}/v1", timeout=2, max_retries=0)
    assert "cannot reach" in msg and "check --base-url" in msg and took < 3


@pytest.mark.require_train
def test_the_cli_ends_a_hostile_server_in_one_line_within_tries_times_the_timeout(tmp_path, monkeypatch):
    """`t2s predict --backend openai` against an endless and a trickling server: one `error:` line each,
    within 6 tries x --request-timeout, and nothing written outside the output folder."""
    import io
    import sys
    from contextlib import redirect_stderr

    from text2sql.cli import main

    monkeypatch.setattr("text2sql.generation.openai.MAX_WAIT", 0.01)  # no backoff sleeps in a test
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)

    def endless(send, state):
        send(HEAD_200 + b"\r\n")
        for _ in range(1_000):
            send(b"y" * 65536)

    def trickle(send, state):
        send(HEAD_200 + b"\r\n")
        for _ in range(30):
            send(b" ")
            time.sleep(0.2)

    for behave, needle in ((endless, "larger than"), (trickle, "had not finished after 1 s")):
        url, state, stop = raw_server(behave)
        err, argv = io.StringIO(), sys.argv
        sys.argv = ["t2s", "predict", "--backend", "openai", "--model", "m", "--base-url", url]
        sys.argv += ["--request-timeout", "1", "--limit", "1", "--output-dir", str(tmp_path / behave.__name__)]
        t0 = time.monotonic()
        try:
            with redirect_stderr(err), pytest.raises(SystemExit) as ex:
                main()
        finally:
            sys.argv = argv
            stop()
        took = time.monotonic() - t0
        lines = [line for line in err.getvalue().splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("error:")]
        assert ex.value.code == 2 and len(errors) == 1 and lines[-1] == errors[0], err.getvalue()
        assert all(line.startswith(("prompts:", "error:")) for line in lines)  # a progress line, no traceback
        assert needle in errors[0] and "6 tries" in errors[0]
        assert took < 6 * 1 + 6 and state["requests"] == 6
        assert list(cwd.iterdir()) == []
