"""The outbox and the durable node without a broker: a transport that fails on demand, the
published mark's edge cases, and bad input to the new transports (clear errors, no change)."""

from __future__ import annotations

from pathlib import Path

import pytest

from atomik.errors import AtomikTypeError
from atomik.replication.log import LogConfigError, PersistentTable
from atomik.replication.transport import DurableNode, InProcessHub, ShardedRedisTransport, pump
from atomik.wire import decode_any


class Flaky:
    """An InProcessHub endpoint whose send raises ConnectionError while ``down``."""

    def __init__(self, hub: InProcessHub, name: str) -> None:
        self.ep = hub.endpoint(name)
        self.down = False
        self.sent: list[bytes] = []

    def send(self, frame: bytes) -> None:
        if self.down:
            raise ConnectionError("broker down")
        self.sent.append(frame)
        self.ep.send(frame)

    def peek(self, max_count: int | None = None) -> list[tuple[object, bytes | None]]:
        if self.down:
            raise ConnectionError("broker down")
        return self.ep.peek(max_count)

    def advance(self, cursor: object) -> None:
        self.ep.advance(cursor)

    def poll(self, max_count: int | None = None) -> list[bytes]:
        return self.ep.poll(max_count)


def test_writes_while_down_are_sent_in_order_once_up(tmp_path: Path) -> None:
    hub = InProcessHub()
    fa = Flaky(hub, "a")
    a = DurableNode(PersistentTable(tmp_path / "a.log", 8, 16, replica_id=1), fa)
    b_log = PersistentTable(tmp_path / "b.log", 8, 16, replica_id=2)
    eb = hub.endpoint("b")
    a.put(0, 1)
    fa.down = True
    ms = [a.put(i % 8, i + 2) for i in range(5)]
    assert a.pending == 5 and a.publish_failures == 5 and a.log.published == 0
    assert a.flush_outbox() == 0 and a.publish_failures == 6  # still down: kept, counted
    fa.down = False
    assert a.flush_outbox() == 5 and a.pending == 0 and a.log.published == ms[-1].seq
    # the five went out as one batch frame, oldest first
    assert [m.seq for m in decode_any(fa.sent[-1])] == [m.seq for m in ms]
    assert a.flush_outbox() == 0 and len(fa.sent) == 2  # nothing twice once marked
    res = pump(b_log.replica, eb)
    assert res.applied == 6 and b_log.read_all() == a.log.read_all()
    a.log.close()
    b_log.close()


def test_a_failure_that_is_not_transient_propagates(tmp_path: Path) -> None:
    class Broken(Flaky):
        def send(self, frame: bytes) -> None:
            raise ValueError("a bug, not an outage")

    a = DurableNode(PersistentTable(tmp_path / "a.log", 4, 8, replica_id=1),
                    Broken(InProcessHub(), "a"))
    with pytest.raises(ValueError, match="a bug"):
        a.put(1, 3)
    assert a.log.read(1) == 3 and a.pending == 1  # logged (acknowledged once put returns)
    a.log.close()


def test_published_mark_edges(tmp_path: Path) -> None:
    p = tmp_path / "n.log"
    log = PersistentTable(p, 4, 8, replica_id=3)
    assert log.published == -1 and log.outbox() == []
    ms = [log.put(i, i + 1) for i in range(3)]
    assert log.outbox() == ms
    with pytest.raises(AtomikTypeError):
        log.mark_published(True)  # type: ignore[arg-type]
    with pytest.raises(LogConfigError):
        log.mark_published(3)  # not issued yet
    assert log.published == -1 and not log.published_path.exists()  # nothing changed
    log.mark_published(1)
    log.mark_published(0)  # never backwards
    assert log.published == 1 and log.outbox() == ms[2:]
    log.close()
    log = PersistentTable(p, 4, 8, replica_id=3)
    assert log.published == 1 and log.outbox() == ms[2:]  # kept beside the log
    log.close()
    log.published_path.write_text("published 99\n")  # ahead of every issued seq: ignored
    log = PersistentTable(p, 4, 8, replica_id=3)
    assert log.published == -1 and len(log.outbox()) == 3
    log.close()
    log.published_path.write_bytes(b"\xff\xfe garbage")
    log = PersistentTable(p, 4, 8, replica_id=3)
    assert log.published == -1
    log.mark_published(2)
    log.close()
    p.unlink()  # a new log at the same path: the old mark must not hide its writes
    log = PersistentTable(p, 4, 8, replica_id=3)
    assert log.published == -1 and not log.published_path.exists()
    m = log.put(0, 9)
    assert log.outbox() == [m]
    log.close()


def test_bad_input_to_the_new_transports(tmp_path: Path) -> None:
    with pytest.raises(AtomikTypeError):
        DurableNode(object(), InProcessHub().endpoint("x"))  # type: ignore[arg-type]
    client = object()  # never contacted: without a group nothing is sent at construction
    with pytest.raises(AtomikTypeError):
        ShardedRedisTransport(client, "t{x}", "a", 8, 2)
    with pytest.raises(AtomikTypeError):
        ShardedRedisTransport(client, "t", "a", 8, 0)
    with pytest.raises(ValueError):
        ShardedRedisTransport(client, "t", "a", 4, 5)
    t = ShardedRedisTransport(client, "t", "a", 10, 3)
    assert [t.shard_of(a) for a in range(10)] == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert t.keys == ["atomik:{t:0}", "atomik:{t:1}", "atomik:{t:2}"]
    with pytest.raises(AtomikTypeError):
        t.advance((3, b"0-1"))
    with pytest.raises(AtomikTypeError):
        t.send("not bytes")  # type: ignore[arg-type]
