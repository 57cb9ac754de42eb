"""The per-event timing: alternating short rounds, each side's quietest round compared."""

from __future__ import annotations

from collections.abc import Callable

from atomik.benchmark.measure import _cmp, interleaved, interleaved_fresh
from atomik.benchmark.report import table_lines


def _work(n: int) -> int:
    total = 0
    for i in range(n):
        total ^= i
    return total


def test_interleaved_gives_both_sides_the_same_rounds_and_orders_their_stats() -> None:
    o, p = interleaved(lambda: _work(10), lambda: _work(200), rounds=20, round_ns=20_000)
    for side in (o, p):
        assert side["min_ns"] <= side["median_ns"] <= side["max_ns"]
        assert side["rounds"] == 20
    assert o["calls_per_round"] == p["calls_per_round"] >= 1
    # twenty times the work is slower in its quietest round too
    assert p["min_ns"] > 3 * o["min_ns"]


def test_interleaved_fresh_builds_each_side_anew_every_round_and_times_each_chunk() -> None:
    built: list[str] = []

    def make(name: str, n: int) -> list[Callable[[], object]]:
        built.append(name)
        return [lambda: _work(n), lambda: _work(2 * n)]

    o, p = interleaved_fresh(lambda: make("o", 100), lambda: make("p", 3000), 100, rounds=6)
    assert built.count("o") == built.count("p") == 7  # one warm-up each, then one per round
    assert o["n"] == p["n"] == 100 and o["rounds"] == 6 and o["chunks"] == p["chunks"] == 2
    # the sum of each chunk's quietest round is at most the quietest whole round
    assert o["min_ns"] <= o["median_ns"] <= o["max_ns"]
    assert p["min_ns"] > 3 * o["min_ns"]


def test_ratio_compares_the_named_statistic_and_the_table_says_which() -> None:
    ours = {"min_ns": 10.0, "median_ns": 40.0, "max_ns": 90.0}
    peer = {"min_ns": 20.0, "median_ns": 20.0, "max_ns": 25.0}
    c = _cmp("case", "ours", ours, "peer", peer, stat="min_ns")
    assert c["ratio"] == 2.0 and c["stat"] == "min_ns"
    assert _cmp("case", "ours", ours, "peer", peer)["ratio"] == 0.5  # the median by default
    assert "stat" not in _cmp("case", "ours", ours, "peer", peer)
    row = {"rows": [{"title": "t", "comparisons": [c]}]}
    (line,) = table_lines(row)
    assert line[3] == "10 ns (min)" and line[5] == "20 ns (min)"
