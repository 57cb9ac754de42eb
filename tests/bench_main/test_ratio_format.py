"""Benchmark ratios print in plain digits (no exponent), three significant ones."""

from __future__ import annotations

import pytest

from atomik.benchmark.report import fmt_ratio


@pytest.mark.parametrize(("ratio", "text"), [
    (3030.2, "3,030×"), (1.58e5, "158,000×"), (1133421.0, "1,130,000×"), (36.44, "36.4×"),
    (1.354, "1.35×"), (0.4321, "0.432×"), (999.6, "1,000×"),
])
def test_ratio_in_plain_digits(ratio: float, text: str) -> None:
    assert fmt_ratio(ratio) == text
    assert "e+" not in fmt_ratio(ratio * 1e6)
