"""LocalClip worker protocol, version 1: newline-delimited JSON over stdin/stdout.

Standard library only: the GUI's interpreter and the worker's interpreter both import this module, and the
worker may run inside an environment LocalClip did not build. docs/protocol.md describes every message.

Framing: one JSON object per line, UTF-8, terminated by ``\\n``. ``json.dumps`` never emits a raw newline,
so a line is a message. Every received line is untrusted: :func:`decode` either returns a message whose
required fields have the right types, or raises :class:`ProtocolError` with a reason a person can read.
"""

from __future__ import annotations

import json
from typing import Any

PROTOCOL_VERSION = 1

# A line longer than this is refused without being parsed (a runaway worker must not exhaust memory).
MAX_LINE_BYTES = 1 << 20

Message = dict[str, Any]

# Field name -> accepted Python types, for the fields each message type must carry. Extra fields are
# allowed (a newer worker may add some); missing or mistyped required fields are an error.
_INT = (int,)
_NUM = (int, float)
_STR = (str,)
_BOOL = (bool,)
_DICT = (dict,)
_LIST = (list,)
_OPT_STR = (str, type(None))

REQUESTS: dict[str, dict[str, tuple[type, ...]]] = {
    # Run `kind` on `items`; each item is a dict with an "id". The worker reports every item exactly once
    # with item_done or item_failed; the job is over when all its items are reported.
    "job": {"job_id": _STR, "kind": _STR, "items": _LIST, "params": _DICT},
    # Stop the current job between items; items not started are reported as item_failed code "cancelled".
    "cancel": {"job_id": _OPT_STR},
    # Finish: the worker answers "bye" and exits. Closing stdin means the same.
    "shutdown": {},
    # Liveness check: the worker answers with a heartbeat carrying the same nonce.
    "ping": {"nonce": _STR},
}

EVENTS: dict[str, dict[str, tuple[type, ...]]] = {
    "hello": {
        "protocol": _INT,
        "worker_id": _STR,
        "pid": _INT,
        "python": _STR,
        "device": _STR,
        "capabilities": _LIST,
    },
    "ready": {"kind": _STR, "load_seconds": _NUM, "memory_bytes": _INT},
    "progress": {"job_id": _STR, "item_id": _STR, "done": _NUM, "total": _NUM},
    "item_done": {"job_id": _STR, "item_id": _STR, "result": _DICT, "seconds": _NUM},
    "item_failed": {"job_id": _STR, "item_id": _STR, "code": _STR, "reason": _STR},
    "heartbeat": {"busy": _BOOL},
    "error": {"code": _STR, "message": _STR, "fatal": _BOOL},
    "bye": {"reason": _STR},
}

# item_failed codes. "cancelled" items are pending work, not failures; "bad_input" is never retried;
# "setup": the job could not be set up (its model or device), so none of its items ran: the coordinator
# stops the run once with the reason and counts the items as not done, never as failed.
FAIL_CANCELLED = "cancelled"
FAIL_SETUP = "setup"
FAIL_BAD_INPUT = "bad_input"
FAIL_OUT_OF_MEMORY = "out_of_memory"
FAIL_EXCEPTION = "exception"


class ProtocolError(ValueError):
    """A line that is not a valid protocol message. ``text`` is the offending line, truncated."""

    def __init__(self, reason: str, text: str = "") -> None:
        super().__init__(f"{reason}: {text}" if text else reason)
        self.reason = reason
        self.text = text


def truncate(text: str, limit: int = 200) -> str:
    """Shorten ``text`` for a message shown to a person."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def encode(message: Message) -> bytes:
    """One protocol line, newline included. ``ensure_ascii=False`` keeps non-ASCII paths readable."""
    return (json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n").encode()


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")  # json.loads would otherwise accept NaN and Infinity


# One decoder for every line: json.loads with an argument builds a new one per call (measured: a tenth of
# the coordinator's time per result, bench/coordinator.py).
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def decode(line: bytes, schema: dict[str, dict[str, tuple[type, ...]]]) -> Message:
    """Parse and validate one line (without its newline) against ``REQUESTS`` or ``EVENTS``."""
    if len(line) > MAX_LINE_BYTES:
        raise ProtocolError(f"line of {len(line)} bytes exceeds the {MAX_LINE_BYTES}-byte limit")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("line is not UTF-8", truncate(line.decode("utf-8", "replace"))) from None
    try:
        message = _DECODER.decode(text)
    except ValueError:
        raise ProtocolError("line is not JSON", truncate(text)) from None
    except RecursionError:  # deeply nested arrays exhaust the parser's stack
        raise ProtocolError("line is nested too deeply", truncate(text)) from None
    if not isinstance(message, dict):
        raise ProtocolError("line is not a JSON object", truncate(text))
    kind = message.get("type")
    fields = schema.get(kind) if isinstance(kind, str) else None
    if fields is None:
        raise ProtocolError(f"unknown message type {kind!r}", truncate(text))
    for name, types in fields.items():
        value = message.get(name)
        # bool is an int subclass: do not let True pass where a number is required.
        if (
            name not in message
            or not isinstance(value, types)
            or (isinstance(value, bool) and bool not in types)
        ):
            raise ProtocolError(f"{kind} message has a missing or invalid {name!r}", truncate(text))
    return message


def make(message_type: str, /, **fields: Any) -> Message:
    """A message of type ``message_type``; the receiver validates it, this only fixes the shape."""
    return {"type": message_type, **fields}
