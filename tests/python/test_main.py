"""python -m atomik: the tour runs and shows each result it claims."""

import io

from rich.console import Console

from atomik.__main__ import tour


def test_tour_output() -> None:
    buf = io.StringIO()
    tour(Console(file=buf, width=120))
    out = buf.getvalue()
    assert "rollback(0x00ff)" in out and "swap() -> 0x1f00" in out
    assert "Converged: True" in out
    assert "reads 0x0000 instead of 0x1234" in out
    assert "changed = True" in out


def test_help_and_version_do_not_print_the_tour(capsys: object) -> None:
    import pytest

    import atomik
    from atomik.__main__ import main

    cases = (("--version", f"atomik {atomik.__version__}"), ("--help", "usage: atomik"))
    for flag, expect in cases:
        with pytest.raises(SystemExit) as e:
            main([flag])
        assert e.value.code == 0
        out = capsys.readouterr().out  # type: ignore[attr-defined]
        assert expect in out and "Converged" not in out, out
