"""The README names real theorems: every name it cites exists in lean/ (checked on the text)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from atomik.conformance.extract import extract_tree

REPO = Path(__file__).resolve().parents[1]


def cited_theorems(text: str) -> list[str]:
    """Full names cited in the headline section; a bare name after a full one is in its module."""
    section = text.split("## Headline theorems", 1)[1].split("\n## ", 1)[0]
    names: list[str] = []
    for bullet in re.split(r"\n- ", section):
        module = None
        for token in re.findall(r"`([^`]+)`", bullet):
            full = re.fullmatch(r"(Atomik\.[A-Z]\w*)\.(\w+)", token)
            if full:
                module = full.group(1)
                names.append(token)
            elif module and re.fullmatch(r"[a-z]\w*", token):
                names.append(f"{module}.{token}")
    return names


def test_every_theorem_the_readme_cites_exists() -> None:
    known = {t.name for t in extract_tree(REPO / "lean")}
    cited = cited_theorems((REPO / "README.md").read_text())
    assert len(cited) >= 10, cited
    missing = [name for name in cited if name not in known]
    assert not missing, missing


def test_readme_benchmark_block_is_generated_from_the_committed_run(tmp_path: Path) -> None:
    from atomik.benchmark import README_BEGIN, README_END, readme_block, update_readme

    results = json.loads((REPO / "reports" / "benchmark" / "results.json").read_text())
    text = (REPO / "README.md").read_text()
    block = README_BEGIN + text.split(README_BEGIN, 1)[1].split(README_END, 1)[0] + README_END
    assert block == readme_block(results), (
        "README's benchmark block is stale: run python -m atomik.benchmark --readme"
    )
    # the writer replaces only the block, and refuses a file without one
    doc = tmp_path / "R.md"
    doc.write_text(f"before\n{README_BEGIN}\nold\n{README_END}\nafter\n")
    assert update_readme(doc, results)
    assert doc.read_text() == f"before\n{readme_block(results)}\nafter\n"
    assert not update_readme(doc, results)
    (tmp_path / "none.md").write_text("no block\n")
    with pytest.raises(SystemExit, match="no benchmark block"):
        update_readme(tmp_path / "none.md", results)


def python_blocks(text: str) -> list[str]:
    """Every fenced ```python block of a markdown text, in order."""
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_every_python_block_of_the_readme_runs() -> None:
    """The quick start is code a user pastes: each block runs on its own, asserts included."""
    blocks = python_blocks((REPO / "README.md").read_text())
    assert len(blocks) >= 4, "the README quick start lost its code"
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"README.md python block {i + 1}", "exec"), {})
        except Exception as e:  # pragma: no cover - the message says which block
            raise AssertionError(f"README python block {i + 1} fails: {e!r}\n{block}") from e


def test_python_blocks_finds_code_and_a_failing_block_fails() -> None:
    assert python_blocks("x\n```python\nassert 1\n```\n```sh\nls\n```\n") == ["assert 1\n"]
    with pytest.raises(AssertionError):
        exec(compile(python_blocks("```python\nassert 1 == 2\n```")[0], "b", "exec"), {})
