"""Any OpenAI-compatible chat endpoint (vLLM server, Ollama, hosted APIs) over httpx.

Every request is bounded: its body by `max_body_bytes` and its whole exchange by `--request-timeout`
(checked between reads, since a per-read timeout never fires on a server that trickles bytes), and
Ctrl-C stops the requests in flight instead of letting them retry. Real endpoints misbehave in many small ways (429s with
an HTTP-date `Retry-After`, a proxy's HTML page with status 200, `{"choices": []}`, a choice without
its message), so every answer is validated and anything odd is retried with exponential backoff; when
the retries run out the user gets one `error:` line that says what the server did, never a traceback.
A thread pool bounds how many requests are in flight.
"""

from __future__ import annotations

import email.utils
import json
import os
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from datetime import timezone

import httpx

from text2sql.core.errors import T2SError
from text2sql.core.text import scrub
from text2sql.generation.base import Backend, DecodingConfig

RETRY_STATUS = {408, 409, 425, 429}  # and every 5xx, as the official OpenAI client does
MAX_WAIT = 60.0  # seconds: no Retry-After makes a run sleep longer than this per attempt
MAX_BODY = 4 * 1024 * 1024  # bytes: a chat completion of SQL is a few KB; more is a broken server


def _retryable(code: int) -> bool:
    return code in RETRY_STATUS or code >= 500


class _Odd(Exception):
    """An answer that is not a usable chat completion; retried like a 5xx."""


class _Stalled(Exception):
    """The server kept the request open past its deadline (trickling bytes or an endless body)."""


class _Cancelled(Exception):
    """Another request failed or the user pressed Ctrl-C: stop without retrying."""


class _Rejected(T2SError):
    """HTTP 400: the server refuses the request itself (e.g. `n` > 1 on a server that serves one)."""


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` as seconds to wait: delta-seconds or an HTTP-date (RFC 9110 §10.2.3); None if unusable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # HTTP-dates are GMT
        when = when.replace(tzinfo=timezone.utc)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def _server_wait(headers) -> float | None:
    """Seconds the server asked us to wait: OpenAI's `retry-after-ms`, else `Retry-After`."""
    if not headers:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return max(0.0, float(ms) / 1000)
    except ValueError:
        pass
    return retry_after_seconds(headers.get("Retry-After"))


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_choices(raw: bytes) -> list[str]:
    """The answers in a chat-completion body; `_Odd` for anything that is not one.

    `content: null` is a legal empty answer (e.g. a reasoning model that spent its tokens thinking);
    a choice without `message`/`content` at all, or no choices, is a broken answer and is retried.
    """
    # Invalid UTF-8 is data, not a transport failure: the bad bytes become U+FFFD in the answer.
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    try:
        body = json.loads(text)
    except json.JSONDecodeError:
        raise _Odd(f"a body that is not JSON: {_one_line(raw[:200].decode(errors='replace'))!r}") from None
    if not isinstance(body, dict):
        raise _Odd(f"JSON that is not a chat completion: {_one_line(json.dumps(body)[:200])}")
    if body.get("error"):
        err = body["error"]
        msg = err.get("message") if isinstance(err, dict) else err
        raise _Odd(f"an error object: {_one_line(str(msg))}")
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices:
        raise _Odd("no choices" if choices == [] else "a completion without a `choices` list")
    texts = []
    for c in choices:
        msg = c.get("message") if isinstance(c, dict) else None
        if not isinstance(msg, dict) or "content" not in msg:
            raise _Odd("a choice without message.content")
        content = msg["content"]
        if content is not None and not isinstance(content, str):
            raise _Odd(f"message.content of type {type(content).__name__}")
        texts.append(scrub(content or ""))
    return texts


class OpenAIBackend(Backend):
    name = "openai"

    def __init__(
        self,
        model: str,
        base_url: str = "https://api.openai.com/v1",
        api_key_env: str = "OPENAI_API_KEY",
        decoding: DecodingConfig | None = None,
        concurrency: int = 4,
        max_retries: int = 5,
        backoff: float = 1.0,
        timeout: float = 120.0,
        max_body_bytes: int = MAX_BODY,
    ):
        if not timeout or timeout <= 0:
            raise T2SError("--request-timeout must be a positive number of seconds")
        self.model, self.base_url = model, base_url.rstrip("/")
        self.api_key_env = api_key_env
        self.api_key = os.environ.get(api_key_env)
        self.decoding = decoding or DecodingConfig()
        self.single_choice = False  # set when the server answered HTTP 400 to n > 1
        self.concurrency, self.max_retries, self.backoff, self.timeout = (
            max(1, concurrency),
            max(0, max_retries),
            backoff,
            float(timeout),
        )
        self.max_body_bytes = max_body_bytes
        self._cancel = threading.Event()
        self._client: httpx.Client | None = None

    def _read_body(self, resp: httpx.Response, url: str, deadline: float) -> bytes:
        """The whole body, or `_Odd`/`_Stalled` as soon as it is too large or the request's time is up.

        The per-read timeout alone never fires on a server that trickles a byte now and then, and an
        endless body would fill the memory, so the cap and the deadline are checked between reads.
        """
        declared = resp.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise _Odd(f"a body of {int(declared):,} bytes (more than the {self.max_body_bytes:,} allowed)")
        chunks, size = [], 0
        for chunk in resp.iter_bytes():  # decoded: a gzip bomb counts at its unpacked size
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _Odd(f"a body larger than the {self.max_body_bytes:,} bytes allowed")
            chunks.append(chunk)
            if self._cancel.is_set():
                raise _Cancelled()
            if time.monotonic() > deadline:
                raise _Stalled(f"sent {size:,} bytes and had not finished after {self.timeout:g} s")
        return b"".join(chunks)

    def _post(self, body: dict) -> list[str]:
        """POST one chat completion and return its answers, retrying everything transient or odd."""
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        data = json.dumps(body).encode()
        url = f"{self.base_url}/chat/completions"
        tries = self.max_retries + 1
        client = self._client or httpx.Client(timeout=self.timeout)
        try:
            for attempt in range(tries):
                if self._cancel.is_set():
                    raise _Cancelled()
                last = attempt == self.max_retries
                wait = self.backoff * 2**attempt
                deadline = time.monotonic() + self.timeout
                try:
                    with client.stream("POST", url, content=data, headers=headers) as resp:
                        if resp.status_code >= 400:
                            detail = _one_line(self._read_some(resp).decode(errors="replace"))
                            code = resp.status_code
                            if not _retryable(code) or last:
                                hint = f" (is ${self.api_key_env} set?)" if code in (401, 403) else ""
                                after = f" after {tries} tries" if _retryable(code) else ""
                                kind = _Rejected if code == 400 else T2SError
                                raise kind(f"{url} answered HTTP {code}{after}{hint}: {detail}")
                            told = _server_wait(resp.headers)
                            wait = wait if told is None else told
                        else:
                            return parse_choices(self._read_body(resp, url, deadline))
                except _Odd as e:
                    if last:
                        raise T2SError(
                            f"{url} returned {e} ({tries} tries); is --base-url an OpenAI-compatible API?"
                        ) from None
                except _Stalled as e:
                    if last:
                        raise T2SError(
                            f"{url} {e} ({tries} tries): raise --request-timeout or check the server"
                        ) from None
                except httpx.TimeoutException:
                    if last:
                        raise T2SError(
                            f"{url} did not answer within {self.timeout:g} s ({tries} tries): "
                            "raise --request-timeout or lower --concurrency"
                        ) from None
                except (httpx.UnsupportedProtocol, httpx.InvalidURL) as e:
                    raise T2SError(f"`base_url` {self.base_url!r} is not an http(s) URL: {e}") from None
                except httpx.RemoteProtocolError as e:
                    if last:
                        raise T2SError(
                            f"{url} closed the connection mid-answer ({tries} tries): {_one_line(str(e))}"
                        ) from None
                except (httpx.HTTPError, OSError) as e:
                    if last:
                        reason = _one_line(str(e) or type(e).__name__)
                        raise T2SError(
                            f"cannot reach {url} ({tries} tries): {reason}; check --base-url"
                        ) from None
                if self._cancel.wait(min(wait, MAX_WAIT)):  # Ctrl-C elsewhere: stop retrying now
                    raise _Cancelled()
        finally:
            if client is not self._client:
                client.close()
        raise AssertionError("unreachable")

    def _read_some(self, resp: httpx.Response, limit: int = 300) -> bytes:
        """The first bytes of an error body, for the message; never more than one chunk or two."""
        got = b""
        try:
            for chunk in resp.iter_bytes():
                got += chunk
                if len(got) >= limit:
                    break
        except httpx.HTTPError:
            pass
        return got[:limit]

    def _complete(self, record: dict, n: int, temperature: float) -> list[str]:
        d = self.decoding
        body = {
            "model": self.model,
            "messages": record["messages"],
            "temperature": temperature,
            "max_tokens": d.max_new_tokens,
            "seed": d.seed,
            "n": n,
        }
        if temperature > 0:
            body["top_p"] = d.top_p
        texts: list[str] = []
        while len(texts) < n:
            # A server that ignores `n` returns fewer choices than asked: ask again for the rest, each
            # time with the seed of the next sample, or every "sample" would be the same completion.
            body["n"] = 1 if self.single_choice else n - len(texts)
            body["seed"] = d.seed + len(texts)
            try:
                texts += self._post(body)
            except _Rejected:
                if body["n"] == 1:
                    raise
                self.single_choice = True  # a server that rejects n > 1: one sample per request from now on
        return texts[:n]

    def generate(self, records: list[dict], n: int = 1, temperature: float = 0.0) -> list[list[str]]:
        for r in records:
            if not r.get("messages"):
                raise T2SError("the openai backend needs chat prompts (records with messages)")
        self._cancel.clear()
        self._client = httpx.Client(timeout=self.timeout)  # one connection pool for all the threads
        pool = ThreadPoolExecutor(max_workers=self.concurrency)
        futures = [pool.submit(self._complete, r, n, temperature) for r in records]
        try:
            wait(futures, return_when=FIRST_EXCEPTION)  # the first failure, not the first in order
            for f in futures:
                if f.done() and not f.cancelled() and f.exception() is not None:
                    raise f.exception()
            return [f.result() for f in futures]
        finally:
            # One failure or Ctrl-C: requests not yet sent are dropped, those in flight stop at their next
            # read (never later than --request-timeout) and none retries.
            self._cancel.set()
            pool.shutdown(wait=True, cancel_futures=True)
            self._client.close()
            self._client = None

    def info(self) -> dict:
        return {
            "backend": self.name,
            "model": self.model,
            "base_url": self.base_url,
            "concurrency": self.concurrency,
            "request_timeout": self.timeout,
        }
