"""`python -m atomik.oracle`: the JSON-lines oracle on stdin and stdout (atomik.oracle.server)."""

from __future__ import annotations

from atomik.oracle.server import main

if __name__ == "__main__":
    raise SystemExit(main())
