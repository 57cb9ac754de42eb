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
