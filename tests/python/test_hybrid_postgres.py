"""The hybrid on PostgreSQL: a real server started by the test (Debian package ``postgresql``),
or a skip that says what is missing."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("eventsourcing", reason="eventsourcing is not installed (extra 'hybrid')")
pytest.importorskip("psycopg", reason="psycopg is not installed (extra 'hybrid': psycopg[pool])")
pytest.importorskip("psycopg_pool", reason="psycopg_pool is not installed (psycopg[pool])")

from atomik.replication.hybrid import Hybrid, Register


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def postgres() -> Iterator[dict[str, str]]:
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if initdb is None or pg_ctl is None:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    prefix: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root: run it as the postgres user
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL as 'postgres'")
        prefix = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="atomik-pg-"))
    root.chmod(0o777)
    data, port = root / "data", _free_port()
    try:
        subprocess.run([*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "postgres"],
                       check=True, capture_output=True, timeout=120)
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-w", "-l", str(root / "log"), "-o",
                        f"-k {root} -p {port} -c listen_addresses=''", "start"],
                       check=True, capture_output=True, timeout=120)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"could not start a PostgreSQL server: {e}")
    import psycopg

    with psycopg.connect(host=str(root), port=port, user="postgres", dbname="postgres",
                         autocommit=True) as conn:
        conn.execute("CREATE DATABASE atomik_hybrid")
    try:
        yield {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": "atomik_hybrid",
            "POSTGRES_HOST": str(root),
            "POSTGRES_PORT": str(port),
            "POSTGRES_USER": "postgres",
            "POSTGRES_PASSWORD": "",
        }
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=120)
        shutil.rmtree(root, ignore_errors=True)


def test_hybrid_on_postgres(postgres: dict[str, str], tmp_path: Path) -> None:
    regs = [Register(a) for a in range(8)]
    with Hybrid(tmp_path, 8, 64, env=postgres, replica_id=1) as h:
        h.save(*regs)
        for i in range(40):
            r = regs[(i * 5) % 8]
            r.changed(addr=r.addr, delta=(i + 1) * 0x9E3779B97F4A7C15 % (1 << 64), note=f"e{i}",
                      author="pg")
            h.save(r)
        assert len(h.store) == 48
        assert len(h.project(limit=20)) == 20
    # restart: resumes at the logged position
    with Hybrid(tmp_path, 8, 64, env=postgres, replica_id=1) as h:
        assert (h.position, h.table.recovery.duplicates) == (20, 0)
        assert [m.seq for m in h.project()] == list(range(20, 48))
        fold = h.store.fold_all()
        assert h.read_all() == [fold.get(a, 0) for a in range(8)]
        assert [e.event.note for e in h.audit(5)][:2] == ["e1", "e9"]
        assert h.value_at(5, 10) == h.store.to_eventlog(10).fold(5)
        rebuilt = h.rebuild(tmp_path / "rebuilt.log")
        assert rebuilt.read_all() == h.read_all()
        rebuilt.close()
