"""The exception hierarchy and the validation rules shared by every public function."""

import numpy as np
import pytest

import atomik
from atomik import errors


def test_hierarchy_value_and_type_idioms() -> None:
    for cls in (
        errors.WidthError,
        errors.RangeError,
        errors.ShapeError,
        errors.SnapshotError,
        errors.EpochError,
        errors.ReferenceMismatchError,
        errors.FrameError,
    ):
        assert issubclass(cls, errors.AtomikError)
        assert issubclass(cls, ValueError)
    assert issubclass(errors.AtomikTypeError, TypeError)
    assert issubclass(errors.AddressError, IndexError)
    for cls in (
        errors.FrameLengthError,
        errors.FrameVersionError,
        errors.FrameChecksumError,
        errors.FrameFieldError,
    ):
        assert issubclass(cls, errors.FrameError)


def test_every_error_is_exported() -> None:
    for name in errors.__all__:
        assert getattr(atomik, name) is getattr(errors, name)


def test_range_message_says_expected_and_got() -> None:
    with pytest.raises(errors.RangeError) as info:
        atomik.compose(0x1FF, 0, width=8)
    msg = str(info.value)
    assert "0x1ff" in msg and "width 8" in msg and "0x100" in msg


def test_negative_value_message() -> None:
    with pytest.raises(ValueError, match="-1 does not fit width 8"):
        atomik.compose(-1, 0, width=8)


@pytest.mark.parametrize("bad", [True, False, 1.0, np.float64(2.0), "3", None, np.bool_(True)])
def test_non_int_values_are_type_errors(bad: object) -> None:
    with pytest.raises(errors.AtomikTypeError):
        atomik.compose(bad, 0, width=8)  # type: ignore[call-overload]


def test_numpy_ints_are_accepted() -> None:
    assert atomik.compose(np.uint8(3), np.int64(5), width=8) == 6


@pytest.mark.parametrize("bad", [0, -3])
def test_width_below_one(bad: int) -> None:
    with pytest.raises(errors.WidthError, match="width must be an int >= 1"):
        atomik.compose(0, 0, width=bad)


@pytest.mark.parametrize("bad", [8.0, True, "8", None])
def test_width_of_wrong_type(bad: object) -> None:
    with pytest.raises(errors.WidthError):
        atomik.AtomikContext(width=bad)  # type: ignore[arg-type]


EDGE_WIDTHS = [1, 63, 64, 65, 127, 128, 129, 1000]


def _rows(value: int, width: int) -> np.ndarray:
    from atomik._check import int_to_words, words_for

    return int_to_words(value, words_for(width)).reshape(1, words_for(width))


@pytest.mark.parametrize("w", EDGE_WIDTHS)
def test_value_boundary_every_form(w: int) -> None:
    """2**w - 1 is accepted and 2**w rejected, as an int, in a list, in a 1-D array (w <= 64) and
    in a 2-D row (when 2**w still fits the row's words); a rejected call changes nothing."""
    top = (1 << w) - 1
    c = atomik.AtomikContext(w)
    c.accum(top)
    c.accum_many([top])
    c.accum_many(_rows(top, w))
    if w <= 64:
        c.accum_many(np.array([top], dtype=np.uint64))
    assert c.accumulator == (top if w > 64 else 0) and c.delta_count == (3 if w > 64 else 4)
    before = (c.reference, c.accumulator, c.delta_count)
    calls = [lambda: c.accum(top + 1), lambda: c.accum_many([0, top + 1]),
             lambda: c.load(top + 1), lambda: c.swap(top + 1), lambda: c.accum(-1)]
    if w % 64:
        calls.append(lambda: c.accum_many(_rows(top + 1, w)))
    if w < 64:
        calls.append(lambda: c.accum_many(np.array([0, top + 1], dtype=np.uint64)))
    for call in calls:
        with pytest.raises(errors.RangeError):
            call()
        assert (c.reference, c.accumulator, c.delta_count) == before
    if w > 64:
        with pytest.raises(errors.ShapeError):
            c.accum_many(np.array([1], dtype=np.uint64))
    with pytest.raises(errors.ShapeError):
        c.accum_many(np.zeros((1, (w + 63) // 64 + 1), dtype=np.uint64))
    assert (c.reference, c.accumulator, c.delta_count) == before


@pytest.mark.parametrize("size", [1, 2, 9, 64, 65, 130])
def test_address_boundary_every_form(size: int) -> None:
    t = atomik.AtomikTable(size, 8)
    t.accum(size - 1, 1)
    t.accum_batch([size - 1], [2])
    t.accum_batch(np.array([size - 1], dtype=np.int64), np.array([4], dtype=np.uint64))
    assert t.read(size - 1) == 7
    before = t.copy()
    for call in (lambda: t.accum(size, 1), lambda: t.read(-1), lambda: t.swap(size, 0),
                 lambda: t.accum_batch([0, size], [1, 1]),
                 lambda: t.accum_batch(np.array([0, size], dtype=np.int64),
                                       np.array([1, 1], dtype=np.uint64)),
                 lambda: t.load_batch([size], [1])):
        with pytest.raises(errors.AddressError):
            call()
        assert t == before


# --------------------------------------------------------------------------- holes closed
def test_apply_sparse_rejects_encoded_bytes_as_delta() -> None:
    state = b"\0" * 8
    with pytest.raises(errors.AtomikTypeError, match="SparseDelta"):
        atomik.apply_sparse(state, atomik.encode_sparse(b"\1" * 8))  # type: ignore[arg-type]
    assert state == b"\0" * 8


def test_replica_batch_and_prune_reject_non_iterables() -> None:
    from atomik.replication.replica import Replica

    r = Replica(0, 4, 8)
    r.accum(1, 3)
    before = (r.read_all(), r.messages())
    for bad in (None, 5, "ab", b"ab"):
        with pytest.raises(errors.AtomikTypeError, match="msgs must be an iterable"):
            r.receive_all(bad)  # type: ignore[arg-type]
        with pytest.raises(errors.AtomikTypeError, match="digests must be an iterable"):
            r.prune(bad)  # type: ignore[arg-type]
    with pytest.raises(errors.AtomikTypeError):
        r.receive_all(r.messages()[0])  # type: ignore[arg-type]  # one message, not a batch
    assert (r.read_all(), r.messages()) == before


def test_digest_rejects_non_iterable_ahead_seqs() -> None:
    from atomik.replication.replica import Digest

    with pytest.raises(errors.AtomikTypeError, match="ahead seqs of origin 1"):
        Digest(0, {}, {1: 5})  # type: ignore[dict-item]
    assert Digest(0, {}, {1: [5]}).covers(1, 5)


@pytest.mark.parametrize("n", [2**63, 2**40, atomik.table.MAX_CONTEXTS + 1])
def test_table_size_limit(n: int) -> None:
    with pytest.raises(errors.SizeError, match="MAX_CONTEXTS"):
        atomik.AtomikTable(n)
    with pytest.raises(errors.SizeError, match="MAX_CONTEXTS"):
        atomik.AtomikTable.restore({"width": 8, "num_contexts": n, "entries": {}})
    assert issubclass(errors.SizeError, errors.RangeError)
    assert atomik.table.MAX_CONTEXTS == 2**32  # the wire's u32 address space


def test_context_width_limit() -> None:
    from atomik.context import MAX_CONTEXT_WIDTH

    for w in (2**40, MAX_CONTEXT_WIDTH + 1):
        with pytest.raises(errors.SizeError, match="MAX_CONTEXT_WIDTH"):
            atomik.AtomikContext(w)
        with pytest.raises(errors.SizeError, match="MAX_CONTEXT_WIDTH"):
            atomik.AtomikContext.from_snapshot({"width": w, "reference": 0, "accumulator": 0})
    ctx = atomik.AtomikContext(8)
    with pytest.raises(errors.SizeError):
        ctx.restore({"width": 2**40, "reference": 0, "accumulator": 0})
    assert ctx.width == 8
    wide = atomik.AtomikContext(MAX_CONTEXT_WIDTH)  # the limit itself is accepted
    wide.accum(1 << (MAX_CONTEXT_WIDTH - 1))
    assert wide.read() == 1 << (MAX_CONTEXT_WIDTH - 1)
