"""Text that came from outside (servers, JSON files, users) made safe to store as UTF-8.

JSON may spell a lone UTF-16 surrogate (`"\\ud800"`); Python reads it into a `str` that no UTF-8 file
can hold, so the first write fails half-way through an output. Such code points carry no text: they
become U+FFFD, the way invalid UTF-8 bytes do, and the data goes on.
"""

from __future__ import annotations

import re

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD (a no-op, and cheap, on normal text)."""
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text


def scrub_all(value):
    """`scrub` through JSON-like data (dicts, lists, strings); other values unchanged."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [scrub_all(v) for v in value]
    if isinstance(value, dict):
        return {scrub_all(k) if isinstance(k, str) else k: scrub_all(v) for k, v in value.items()}
    return value
