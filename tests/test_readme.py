"""The README names real theorems: every name it cites exists in lean/ (checked on the text)."""

from __future__ import annotations

import re
from pathlib import Path

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
