"""Any OpenAI-compatible chat endpoint (vLLM server, Ollama, hosted APIs) over stdlib HTTP.

Plain `urllib` keeps the dependency list short; retries with exponential backoff absorb rate limits
(429) and server hiccups (5xx), and a thread pool bounds how many requests are in flight.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from text2sql.errors import T2SError
from text2sql.generation.base import Backend, DecodingConfig

RETRY_STATUS = {408, 409, 429, 500, 502, 503, 504}


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
    ):
        self.model, self.base_url = model, base_url.rstrip("/")
        self.api_key_env = api_key_env
        self.api_key = os.environ.get(api_key_env)
        self.decoding = decoding or DecodingConfig()
        self.concurrency, self.max_retries, self.backoff, self.timeout = (
            max(1, concurrency),
            max_retries,
            backoff,
            timeout,
        )

    def _post(self, body: dict) -> dict:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        data = json.dumps(body).encode()
        url = f"{self.base_url}/chat/completions"
        for attempt in range(self.max_retries + 1):
            req = urllib.request.Request(url, data=data, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    return json.loads(resp.read())
            except urllib.error.HTTPError as e:
                detail = e.read()[:300].decode(errors="replace")
                if e.code not in RETRY_STATUS or attempt == self.max_retries:
                    hint = f" (is ${self.api_key_env} set?)" if e.code in (401, 403) else ""
                    raise T2SError(f"{url} answered HTTP {e.code}{hint}: {detail}") from None
                wait = float(e.headers.get("Retry-After") or self.backoff * 2**attempt)
            except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
                if attempt == self.max_retries:
                    reason = getattr(e, "reason", e)
                    raise T2SError(f"cannot reach {url}: {reason}; check --base-url") from None
                wait = self.backoff * 2**attempt
            time.sleep(min(wait, 60.0))
        raise AssertionError("unreachable")

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
        while len(texts) < n:  # some servers ignore `n`: ask again for the rest
            body["n"] = n - len(texts)
            choices = self._post(body).get("choices") or []
            if not choices:
                raise T2SError(f"{self.base_url} returned no choices for example {record.get('id')!r}")
            texts += [c.get("message", {}).get("content") or "" for c in choices]
        return texts[:n]

    def generate(self, records: list[dict], n: int = 1, temperature: float = 0.0) -> list[list[str]]:
        for r in records:
            if not r.get("messages"):
                raise T2SError("the openai backend needs chat prompts (records with messages)")
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(lambda r: self._complete(r, n, temperature), records))

    def info(self) -> dict:
        return {
            "backend": self.name,
            "model": self.model,
            "base_url": self.base_url,
            "concurrency": self.concurrency,
        }
