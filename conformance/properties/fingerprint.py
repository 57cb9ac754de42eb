"""Hand-written checks for ``Atomik.Fingerprint`` on real byte buffers and the tracked
``Fingerprint`` object (``update_chunk``, ``changed``)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from atomik.conformance.registry import checks
from atomik.fingerprint import Fingerprint, chunk_words, fingerprint


def _buffer_and_chunk(data: Any) -> tuple[bytes, int, int, int]:
    buf = data.draw(st.binary(min_size=1, max_size=100), label="buf")
    words = [int(x) for x in chunk_words(buf)]
    i = data.draw(st.integers(0, len(words) - 1), label="index")
    tail = len(buf) - 8 * i
    bits = 64 if tail >= 8 else 8 * tail  # the last chunk of a short buffer is zero-padded
    new = data.draw(st.integers(0, (1 << bits) - 1), label="new")
    return buf, i, words[i], new


def _with_chunk(buf: bytes, i: int, new: int) -> bytes:
    n = min(8, len(buf) - 8 * i)
    return buf[: 8 * i] + new.to_bytes(8, "little")[:n] + buf[8 * i + n :]


@checks("Atomik.Fingerprint.updateChunk_ofChunks")
def tracked_update_chunk_equals_recompute(data: Any) -> None:
    """Fingerprint.update_chunk after one chunk changes equals fingerprint() of the new buffer."""
    buf, i, old, new = _buffer_and_chunk(data)
    fp = Fingerprint()
    fp.load(buf)
    left, right = fp.update_chunk(i, old, new), fingerprint(_with_chunk(buf, i, new))
    assert left == right, (left, right)


@checks("Atomik.Fingerprint.ofChunks_ne_of_ne")
def changed_detects_single_chunk(data: Any) -> None:
    """Any change of one chunk of a buffer makes Fingerprint.changed true."""
    buf, i, old, new = _buffer_and_chunk(data)
    fp = Fingerprint()
    fp.load(buf)
    fp.update(_with_chunk(buf, i, new))
    left, right = fp.changed, old != new
    assert left == right, (left, right)


@checks("Atomik.Fingerprint.updateChunk_ne")
def tracked_update_changes(data: Any) -> None:
    """An update_chunk that really changes a chunk flips Fingerprint.changed."""
    buf, i, old, new = _buffer_and_chunk(data)
    fp = Fingerprint()
    fp.load(buf)
    fp.update_chunk(i, old, new)
    left, right = fp.changed, old != new
    assert left == right, (left, right)
