"""Hand-written checks of ``Atomik.Wire.decodeAny`` (either frame kind) against ``atomik.wire``.

``decode_any`` reads the kind byte: a batch frame when it says so, otherwise a single message.
The checks feed it real frames of both kinds and frames one edit away from them (so acceptance
and rejection both happen often), and hold it to the Lean statements.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from atomik.conformance.properties.wire import (
    _message,
    _messages,
    _near_canonical,
    _near_canonical_batch,
)
from atomik.conformance.registry import checks
from atomik.errors import FrameError
from atomik.wire import decode, decode_any, decode_batch, encode, encode_batch


@checks("Atomik.Wire.decodeAny_encode")
def decode_any_reads_a_message_frame(data: Any) -> None:
    """decode_any of a single-message frame is the list of that one message."""
    m = _message(data)
    assert list(decode_any(encode(m))) == [m]


@checks("Atomik.Wire.decodeAny_encodeBatch")
def decode_any_reads_a_batch_frame(data: Any) -> None:
    """decode_any of a batch frame is its messages in order (the empty batch and a batch of one
    included: a batch of one is not read as a single message)."""
    msgs = _messages(data)
    assert list(decode_any(encode_batch(msgs))) == msgs


@checks("Atomik.Wire.encode_or_encodeBatch_of_decodeAny")
def decode_any_accepts_only_canonical_frames(data: Any) -> None:
    """Whatever decode_any accepts is the encoding of its answer: one message's frame, or the
    batch frame of the list; and it answers as decode or decode_batch would (frames one edit
    away from either kind)."""
    f = _near_canonical(data) if data.draw(st.booleans(), label="single") \
        else _near_canonical_batch(data)
    try:
        ms = list(decode_any(f))
    except FrameError as exc:
        fn = decode_batch if len(f) >= 3 and f[2] == 2 else decode
        try:
            fn(f)
        except FrameError as exc2:
            assert type(exc2) is type(exc), (type(exc2), type(exc))
        else:
            raise AssertionError(f"decode_any refused what {fn.__name__} accepts") from exc
        return
    assert (len(ms) == 1 and encode(ms[0]) == f) or encode_batch(ms) == f, (f.hex(), ms)
