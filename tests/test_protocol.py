"""The worker protocol: encoding, and decoding of untrusted lines (localclip_worker/protocol.py)."""

import json
from typing import Any

import pytest

from localclip_worker import protocol
from localclip_worker.protocol import EVENTS, MAX_LINE_BYTES, REQUESTS, ProtocolError, decode, encode, make

Schema = dict[str, dict[str, tuple[type, ...]]]

# A minimal valid message of every type, built the way the app and the worker build them.
VALID_REQUESTS: dict[str, dict[str, Any]] = {
    "job": make("job", job_id="j1", kind="embed", items=[{"id": "a"}], params={}),
    "cancel": make("cancel", job_id=None),
    "shutdown": make("shutdown"),
    "ping": make("ping", nonce="n1"),
}
VALID_EVENTS: dict[str, dict[str, Any]] = {
    "hello": make(
        "hello", protocol=1, worker_id="0", pid=1234, python="3.11.7", device="cpu", capabilities=["embed"]
    ),
    "ready": make("ready", kind="embed", load_seconds=1.5, memory_bytes=0),
    "progress": make("progress", job_id="j1", item_id="a", done=1, total=2.5),
    "item_done": make("item_done", job_id="j1", item_id="a", result={}, seconds=0),
    "item_failed": make("item_failed", job_id="j1", item_id="a", code="bad_input", reason="no file"),
    "heartbeat": make("heartbeat", busy=False),
    "error": make("error", code="load", message="failed", fatal=True),
    "bye": make("bye", reason="shutdown"),
}


def line_of(message: Any) -> bytes:
    """``message`` as a protocol line without its newline (any JSON value, valid message or not)."""
    return encode(message).removesuffix(b"\n")


def raises_protocol_error(line: bytes, schema: Schema) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        decode(line, schema)
    return caught.value


def test_every_message_type_has_an_example() -> None:
    assert set(VALID_REQUESTS) == set(REQUESTS)
    assert set(VALID_EVENTS) == set(EVENTS)


@pytest.mark.parametrize(
    ("message", "schema"),
    [(m, REQUESTS) for m in VALID_REQUESTS.values()] + [(m, EVENTS) for m in VALID_EVENTS.values()],
    ids=[*VALID_REQUESTS, *VALID_EVENTS],
)
def test_valid_examples_decode(message: dict[str, Any], schema: Schema) -> None:
    assert decode(line_of(message), schema) == message


def test_make_puts_the_type_first_and_keeps_fields() -> None:
    assert make("ping", nonce="x") == {"type": "ping", "nonce": "x"}
    assert next(iter(make("bye", reason="r"))) == "type"


def test_round_trip_with_non_ascii_text() -> None:
    message = make(
        "job",
        job_id="测试 数据",
        kind="embed",
        items=[{"id": "1", "path": "D:/视频 clips/テスト é.wav"}],
        params={"note": "测试 数据"},
    )
    line = encode(message)
    assert "测试 数据".encode() in line  # readable UTF-8, not \\u escapes
    assert decode(line.removesuffix(b"\n"), REQUESTS) == message


def test_encode_is_one_compact_line() -> None:
    message = make("error", code="x", message="first line\nsecond line\r\n\tend", fatal=False)
    line = encode(message)
    assert line.endswith(b"\n")
    assert not line.endswith(b"\n\n")
    assert line.count(b"\n") == 1
    assert b"\r" not in line
    assert b", " not in line and b": " not in line  # compact separators
    assert decode(line.removesuffix(b"\n"), EVENTS) == message


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_encode_refuses_non_finite_numbers(value: float) -> None:
    with pytest.raises(ValueError):
        encode(make("progress", job_id="j", item_id="a", done=value, total=1))


def test_decode_refuses_a_line_over_the_limit() -> None:
    line = b'{"type":"bye","reason":"' + b"x" * MAX_LINE_BYTES + b'"}'
    error = raises_protocol_error(line, EVENTS)
    assert str(MAX_LINE_BYTES) in error.reason
    assert error.text == ""  # the line itself is not echoed


def test_decode_accepts_a_line_of_exactly_the_limit() -> None:
    empty = line_of(make("bye", reason=""))
    message = make("bye", reason="x" * (MAX_LINE_BYTES - len(empty)))
    line = line_of(message)
    assert len(line) == MAX_LINE_BYTES
    assert decode(line, EVENTS) == message


def test_decode_refuses_non_utf8() -> None:
    error = raises_protocol_error(b'{"type":"ping","nonce":"\xff\xfe"}', REQUESTS)
    assert "UTF-8" in error.reason
    assert "\ufffd" in error.text  # shown with replacement characters


@pytest.mark.parametrize(
    "line", [b"", b"   ", b"not json", b'{"type":"ping"', b"{'type': 'ping'}", b'{"type":"ping",}']
)
def test_decode_refuses_non_json(line: bytes) -> None:
    assert "not JSON" in raises_protocol_error(line, REQUESTS).reason


@pytest.mark.parametrize("line", [b"[]", b'["ping"]', b'"ping"', b"1", b"null", b"true"])
def test_decode_refuses_json_that_is_not_an_object(line: bytes) -> None:
    assert "not a JSON object" in raises_protocol_error(line, REQUESTS).reason


@pytest.mark.parametrize("depth", [100, 100_000])
def test_decode_refuses_deeply_nested_json_with_a_protocol_error(depth: int) -> None:
    # Untrusted input must end in ProtocolError (or a message), never in another exception.
    line = b'{"type":"ping","nonce":"n","extra":' + b"[" * depth + b"]" * depth + b"}"
    assert len(line) <= MAX_LINE_BYTES
    try:
        message = decode(line, REQUESTS)
    except ProtocolError:
        return
    assert message["nonce"] == "n"


@pytest.mark.parametrize(
    ("message", "schema"),
    [
        ({"nonce": "n"}, REQUESTS),  # no type
        ({"type": None, "nonce": "n"}, REQUESTS),
        ({"type": 3, "nonce": "n"}, REQUESTS),
        ({"type": ["ping"], "nonce": "n"}, REQUESTS),
        ({"type": "PING", "nonce": "n"}, REQUESTS),
        ({"type": "launch_missiles"}, REQUESTS),
        (VALID_EVENTS["hello"], REQUESTS),  # an event is not a request
        (VALID_REQUESTS["ping"], EVENTS),  # and the other way round
    ],
)
def test_decode_refuses_unknown_types(message: dict[str, Any], schema: Schema) -> None:
    assert "unknown message type" in raises_protocol_error(line_of(message), schema).reason


EXAMPLES: dict[str, tuple[dict[str, Any], Schema]] = {
    **{name: (message, REQUESTS) for name, message in VALID_REQUESTS.items()},
    **{name: (message, EVENTS) for name, message in VALID_EVENTS.items()},
}


@pytest.mark.parametrize(
    ("name", "field"),
    [(name, field) for name, (_, schema) in EXAMPLES.items() for field in schema[name]],
)
def test_decode_refuses_a_missing_required_field(name: str, field: str) -> None:
    example, schema = EXAMPLES[name]
    message = {key: value for key, value in example.items() if key != field}
    error = raises_protocol_error(line_of(message), schema)
    assert repr(field) in error.reason


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({**VALID_EVENTS["hello"], "protocol": True}, "protocol"),  # bool is not an int here
        ({**VALID_EVENTS["hello"], "protocol": "1"}, "protocol"),
        ({**VALID_EVENTS["hello"], "pid": 1.5}, "pid"),
        ({**VALID_EVENTS["hello"], "pid": None}, "pid"),
        ({**VALID_EVENTS["hello"], "capabilities": {}}, "capabilities"),
        ({**VALID_EVENTS["ready"], "memory_bytes": False}, "memory_bytes"),
        ({**VALID_EVENTS["ready"], "load_seconds": True}, "load_seconds"),  # nor a number
        ({**VALID_EVENTS["progress"], "done": "1"}, "done"),
        ({**VALID_EVENTS["item_done"], "result": []}, "result"),
        ({**VALID_EVENTS["heartbeat"], "busy": 0}, "busy"),  # an int is not a bool
        ({**VALID_EVENTS["heartbeat"], "busy": "false"}, "busy"),
        ({**VALID_EVENTS["error"], "fatal": None}, "fatal"),
        ({**VALID_EVENTS["bye"], "reason": 1}, "reason"),
    ],
)
def test_decode_refuses_wrong_types_in_events(message: dict[str, Any], field: str) -> None:
    error = raises_protocol_error(line_of(message), EVENTS)
    assert repr(field) in error.reason
    assert message["type"] in error.reason


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({**VALID_REQUESTS["job"], "items": {"id": "a"}}, "items"),
        ({**VALID_REQUESTS["job"], "params": None}, "params"),
        ({**VALID_REQUESTS["job"], "job_id": 1}, "job_id"),
        ({**VALID_REQUESTS["cancel"], "job_id": 7}, "job_id"),
        ({**VALID_REQUESTS["ping"], "nonce": True}, "nonce"),
    ],
)
def test_decode_refuses_wrong_types_in_requests(message: dict[str, Any], field: str) -> None:
    assert repr(field) in raises_protocol_error(line_of(message), REQUESTS).reason


def test_optional_string_accepts_a_string_and_null() -> None:
    assert decode(line_of(make("cancel", job_id="j1")), REQUESTS)["job_id"] == "j1"
    assert decode(line_of(make("cancel", job_id=None)), REQUESTS)["job_id"] is None


def test_numbers_accept_int_and_float() -> None:
    for done in (0, 3, 0.25):
        assert decode(line_of({**VALID_EVENTS["progress"], "done": done}), EVENTS)["done"] == done


def test_decode_accepts_extra_fields() -> None:
    message = {**VALID_EVENTS["heartbeat"], "gpu_memory": 123, "新": {"nested": [1, 2]}}
    assert decode(line_of(message), EVENTS) == message


def test_protocol_error_text_is_truncated() -> None:
    garbage = "x" * 5000
    error = raises_protocol_error(garbage.encode(), EVENTS)
    assert error.text == protocol.truncate(garbage)
    assert error.text.startswith("x" * 200)
    assert "5000 characters" in error.text
    assert len(error.text) < 250
    assert len(str(error)) < 400


def test_protocol_error_text_of_an_invalid_message_is_truncated() -> None:
    message = make("bye", reason=7, padding="y" * 10_000)
    error = raises_protocol_error(line_of(message), EVENTS)
    assert len(error.text) < 250
    assert error.text.startswith('{"type":"bye"')


def test_protocol_error_is_a_value_error() -> None:
    assert issubclass(ProtocolError, ValueError)
    error = ProtocolError("reason only")
    assert str(error) == "reason only"
    assert error.text == ""


@pytest.mark.parametrize(("length", "kept"), [(0, 0), (199, 199), (200, 200), (201, 200)])
def test_truncate(length: int, kept: int) -> None:
    text = "字" * length
    short = protocol.truncate(text)
    assert short.startswith(text[:kept])
    if length <= 200:
        assert short == text
    else:
        assert short == f"{text[:200]}… ({length} characters)"


def test_decoded_messages_are_plain_json() -> None:
    # What decode returns can be passed on (for example through a Qt signal) and encoded again.
    for message in [*VALID_REQUESTS.values(), *VALID_EVENTS.values()]:
        assert json.loads(encode(message)) == message


def test_decode_refuses_nan_and_infinity_from_a_worker() -> None:
    import pytest as _pytest

    for literal in (b"NaN", b"Infinity", b"-Infinity"):
        line = b'{"type":"progress","job_id":"j","item_id":"i","done":' + literal + b',"total":1}'
        with _pytest.raises(protocol.ProtocolError, match="not JSON"):
            protocol.decode(line, protocol.EVENTS)
