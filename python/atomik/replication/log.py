"""The durable log: a replica whose every applied message is first appended to a file.

:class:`PersistentTable` is a :class:`~atomik.replication.replica.Replica` backed by an append-only
file of v1 single-message frames (``spec/wire-format.md``; each carries its CRC32C), after a small
header and an optional snapshot (``spec/replication.md`` section "Log file"). Every message the
replica applies -- its own writes and what it receives -- is written to the file *before* it is
applied (write-ahead), so the file always holds at least what the replica acknowledged (subject to
the fsync policy).

Opening an existing file recovers: the snapshot, then every record, deduplicated by
``(origin, seq)`` (replay is idempotent: a record whose id is already covered changes nothing).
A *torn tail* -- fewer bytes than one record at the end, what a crash in the middle of an append
leaves -- is truncated. Any complete record that fails to decode (bad CRC, bad field, another
epoch) is *corruption*: opening raises :class:`LogCorruptionError` and does not modify the file,
unless ``salvage=True``, which drops the bad records (listed in :attr:`PersistentTable.recovery`)
and rewrites the file atomically. Dropped messages can be fetched again from peers by
anti-entropy.

fsync policies (``fsync=``): ``"always"`` (fsync after every record: nothing acknowledged is lost
on power failure; one fsync per write), ``"every:N"`` (fsync after every N records: up to N-1
acknowledged records can be lost on power failure, never on a process crash), ``"close"`` (fsync
on :meth:`~PersistentTable.flush`/:meth:`~PersistentTable.close` only: fastest; everything since
the last flush can be lost on power failure). With anything but ``"always"``, do not send a local
write to peers before it is durable (:meth:`PersistentTable.flush`), or after a power failure the
replica may reuse a ``seq`` a peer already holds for another delta.

One process, one writer: opening takes an exclusive lock (``flock`` on ``<path>.lock``, which
records the holder); a second open while it is held raises :class:`LogLockedError` naming the
holder. Recovery refuses what would fork history: a record whose ``(origin, seq)`` was already
applied with *different* content (:class:`LogConflictError`; ``salvage=True`` keeps the first
and reports the second in :attr:`PersistentTable.recovery`), and a snapshot whose ``next_seq``
is not above every ``seq`` of the node's own origin it records (the next write would reuse an id
peers hold). A compaction that fails part-way (after its rename, say, when the directory fsync
raises) leaves the table *failed*: every later write raises :class:`LogFailedError` until the log
is reopened, so nothing is acknowledged into a file recovery will not read.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from atomik._check import check_addr, check_value
from atomik.errors import AtomikError, AtomikTypeError, FrameError
from atomik.replication.digest import Digest
from atomik.replication.replica import DEFAULT_MAX_PENDING, Replica
from atomik.table import AtomikTable
from atomik.wire import DeltaMessage, crc32c, decode, encode, frame_size

__all__ = [
    "LOG_MAGIC",
    "LOG_VERSION",
    "LogClosedError",
    "LogConfigError",
    "LogConflictError",
    "LogCorruptionError",
    "LogError",
    "LogFailedError",
    "LogLockedError",
    "LogMismatchError",
    "PersistentTable",
    "Recovery",
]

LOG_MAGIC = b"ATOMIKLG"
LOG_VERSION = 1
_HEADER = struct.Struct("<8sBBHIIIQ")  # magic, version, flags, width, n, replica, epoch, snap len
_CRC = struct.Struct("<I")
HEADER_SIZE = _HEADER.size + _CRC.size  # 36
_SNAP_HEAD = struct.Struct("<QI")  # next_seq, number of entries
_U32 = struct.Struct("<I")
_ORIGIN = struct.Struct("<IqI")  # origin, watermark, number of ahead seqs
_U64 = struct.Struct("<Q")
_TEMP_SUFFIX = ".compact-tmp"


class LogError(AtomikError):
    """Base class of durable-log errors."""


class LogCorruptionError(LogError, ValueError):
    """The log holds bytes that are not a valid header, snapshot or record (and are not a torn
    tail). The file was not modified."""


class LogMismatchError(LogError, ValueError):
    """The log on disk belongs to another table (width, size, replica id or epoch differ)."""


class LogConfigError(LogError, ValueError):
    """An invalid option, e.g. an unknown fsync policy."""


class LogClosedError(LogError):
    """An operation on a closed :class:`PersistentTable`."""


class LogFailedError(LogClosedError):
    """A write after a failed compaction: the file on disk may not be the one the table was
    appending to, so the table refuses writes until the log is reopened (recovery reads the file
    that is there)."""


class LogLockedError(LogError):
    """The log is open elsewhere (another :class:`PersistentTable`, in this process or another):
    two writers would hand out the same ids for different deltas."""


class LogConflictError(LogCorruptionError):
    """The log holds two different records with one ``(origin, seq)``: replaying both would fork
    the history peers see. File not modified (``salvage=True`` keeps the first)."""


@dataclass(frozen=True, slots=True)
class Recovery:
    """What opening the log found and did."""

    created: bool
    snapshot: bool
    records: int
    applied: int
    duplicates: int
    truncated_bytes: int
    salvaged: tuple[tuple[int, str], ...]
    removed_temp: bool


def _parse_policy(fsync: object) -> int:
    """``"always"`` -> 1, ``"every:N"`` -> N, ``"close"`` -> 0."""
    if not isinstance(fsync, str):
        raise AtomikTypeError(f"fsync must be a str, got {type(fsync).__name__}")
    if fsync == "always":
        return 1
    if fsync == "close":
        return 0
    if fsync.startswith("every:") and fsync[6:].isdigit() and int(fsync[6:]) >= 1:
        return int(fsync[6:])
    raise LogConfigError(f'fsync must be "always", "every:N" (N >= 1) or "close", got {fsync!r}')


def _fsync_dir(path: Path) -> None:
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file, fsync it, rename it over ``path``, fsync the directory."""
    tmp = path.with_name(path.name + _TEMP_SUFFIX)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    _fsync_dir(path)


def _lock(path: Path) -> int:
    """Take the exclusive lock of the log at ``path``; return the lock file's descriptor."""
    lock = path.with_name(path.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise LogLockedError(
            f"{path} is open in another PersistentTable (lock {lock} held by {holder}); "
            "close it first: two writers would issue the same ids for different deltas"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()}\n".encode(), 0)
    return fd


def _value_bytes(width: int) -> int:
    return (width + 7) // 8


class PersistentTable:
    """A durable replica: ``num_contexts`` contexts of ``width`` bits, logged to ``path``.

    Reads and writes go through the same API as :class:`~atomik.replication.replica.Replica`
    (``put``, ``accum``, ``receive``, ``digest``, ``missing_for``, ...); :attr:`replica` is the live
    replica, and anything applied through it is logged first.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        num_contexts: int,
        width: int = 64,
        fsync: str = "always",
        *,
        replica_id: int,
        epoch: int = 0,
        salvage: bool = False,
        max_pending: int = DEFAULT_MAX_PENDING,
    ) -> None:
        """Open (recovering) or create the log at ``path``; see the module docstring.

        ``replica_id`` has no default: two nodes that kept one would drop each other's writes as
        duplicates (same ids, different deltas).
        """
        self._every = _parse_policy(fsync)
        self._policy = fsync
        if not isinstance(salvage, bool):
            raise AtomikTypeError(f"salvage must be a bool, got {type(salvage).__name__}")
        self._path = Path(os.fspath(path))
        self._replica = Replica(
            replica_id, num_contexts, width, epoch=epoch, max_pending=max_pending
        )
        if self._replica.table.width > 0xFFFF:
            raise LogConfigError("the log format holds widths up to 65535")
        self._frame = frame_size(width)
        self._fd = -1
        self._failed: str | None = None
        self._unsynced = 0
        self._lock_fd = _lock(self._path)
        try:
            self.recovery = self._recover(salvage)
            self._fd = os.open(self._path, os.O_WRONLY | os.O_APPEND)
        except BaseException:
            self._unlock()
            raise
        self._size = self._durable = os.fstat(self._fd).st_size
        self._replica._sink = self._append
        self._published = self._load_published()

    # ----------------------------------------------------------------- file format
    def _header(self, snap_len: int) -> bytes:
        r = self._replica
        body = _HEADER.pack(
            LOG_MAGIC,
            LOG_VERSION,
            0,
            self._frame_width(),
            r.table.num_contexts,
            r.replica_id,
            r.epoch,
            snap_len,
        )
        return body + _CRC.pack(crc32c(body))

    def _frame_width(self) -> int:
        return self._replica._table.width

    def _snapshot_bytes(self) -> bytes:
        r = self._replica
        t = r._table
        nb = _value_bytes(t.width)
        snap = t.snapshot()["entries"]
        parts = [_SNAP_HEAD.pack(r.next_seq, len(snap))]
        for addr in sorted(snap):
            ref, acc = snap[addr]
            parts.append(_U32.pack(addr) + ref.to_bytes(nb, "little") + acc.to_bytes(nb, "little"))
        water, ahead = r.watermarks(), r.pending()
        parts.append(_U32.pack(len(water)))
        for o in sorted(water):
            seqs = sorted(ahead.get(o, ()))
            parts.append(_ORIGIN.pack(o, water[o], len(seqs)))
            parts += [_U64.pack(s) for s in seqs]
        body = b"".join(parts)
        return body + _CRC.pack(crc32c(body))

    def _load_snapshot(self, block: memoryview) -> None:
        """Parse a CRC-checked snapshot block into the (fresh) replica."""
        r = self._replica
        t = r._table
        nb = _value_bytes(t.width)
        try:
            next_seq, count = _SNAP_HEAD.unpack_from(block, 0)
            off = _SNAP_HEAD.size
            if count * (4 + 2 * nb) > len(block) - off:
                raise struct.error(f"{count} entries cannot fit in {len(block)} bytes")
            prev_addr = -1
            for _ in range(count):
                (addr,) = _U32.unpack_from(block, off)
                off += 4
                ref = int.from_bytes(block[off : off + nb], "little")
                acc = int.from_bytes(block[off + nb : off + 2 * nb], "little")
                if len(block[off : off + 2 * nb]) != 2 * nb:
                    raise struct.error("entry cut short")
                off += 2 * nb
                # canonical (what _snapshot_bytes writes): addresses strictly increasing, so none
                # is listed twice, and only non-zero entries
                if addr <= prev_addr:
                    raise struct.error(f"address {addr} after address {prev_addr}: not increasing")
                if ref == 0 and acc == 0:
                    raise struct.error(f"address {addr}: an all-zero entry is never written")
                prev_addr = addr
                a = check_addr(addr, t.num_contexts)
                t.load(a, check_value(ref, t.width, "reference"))
                t.accum(a, check_value(acc, t.width, "accumulator"))
            (origins,) = _U32.unpack_from(block, off)
            off += 4
            prev_origin = -1
            for _ in range(origins):
                o, w, k = _ORIGIN.unpack_from(block, off)
                off += _ORIGIN.size
                if off + 8 * k > len(block):
                    raise struct.error(f"origin {o}: {k} ahead seqs cut short")
                seqs = [_U64.unpack_from(block, off + 8 * i)[0] for i in range(k)]
                off += 8 * k
                if o <= prev_origin:
                    raise struct.error(f"origin {o} after origin {prev_origin}: not increasing")
                prev_origin = o
                if w < -1 or any(s <= w + 1 for s in seqs):
                    raise struct.error(f"origin {o}: watermark {w} and ahead seqs inconsistent")
                if any(a >= b for a, b in itertools.pairwise(seqs)):
                    raise struct.error(f"origin {o}: ahead seqs not strictly increasing")
                if w >= 0:
                    r._water[o] = w
                if seqs:
                    r._ahead[o] = set(seqs)
            if off != len(block):
                raise struct.error(f"{len(block) - off} trailing bytes")
        except (struct.error, AtomikError) as e:
            raise LogCorruptionError(
                f"{self._path}: snapshot block is malformed ({e}); file not modified"
            ) from None
        own = r.replica_id
        issued = max([r._water.get(own, -1), *r._ahead.get(own, ())])
        if next_seq <= issued:
            raise LogCorruptionError(
                f"{self._path}: snapshot next_seq {next_seq} is not above seq {issued} of this "
                f"node's own origin {own}, which it records as applied: the next write would "
                "reuse an id peers hold; file not modified"
            )
        r._next_seq = next_seq

    def _recover(self, salvage: bool) -> Recovery:
        removed_temp = False
        tmp = self._path.with_name(self._path.name + _TEMP_SUFFIX)
        if tmp.exists():  # an interrupted compaction; the log itself is intact (rename is atomic)
            tmp.unlink()
            removed_temp = True
        if not self._path.exists():
            _atomic_write(self._path, self._header(0))
            return Recovery(True, False, 0, 0, 0, 0, (), removed_temp)
        data = memoryview(self._path.read_bytes())
        n = len(data)
        where = str(self._path)
        if n < HEADER_SIZE:
            raise LogCorruptionError(
                f"{where}: {n} bytes, shorter than the {HEADER_SIZE}-byte header; file not modified"
            )
        (stored,) = _CRC.unpack_from(data, _HEADER.size)
        fields = _HEADER.unpack_from(data, 0)
        if fields[0] != LOG_MAGIC:
            raise LogCorruptionError(f"{where}: not an atomik log (magic {bytes(fields[0])!r})")
        if stored != crc32c(data[: _HEADER.size]):
            raise LogCorruptionError(f"{where}: header CRC32C mismatch; file not modified")
        _, version, flags, width, num, rid, epoch, snap_len = fields
        if version != LOG_VERSION:
            raise LogCorruptionError(f"{where}: log version {version}, expected {LOG_VERSION}")
        if flags != 0:
            raise LogCorruptionError(
                f"{where}: header flags byte 0x{flags:02x}, expected 0 (no flags are defined); "
                "file not modified"
            )
        r = self._replica
        want = (r.table.width, r.table.num_contexts, r.replica_id, r.epoch)
        if (width, num, rid, epoch) != want:
            raise LogMismatchError(
                f"{where} holds width={width}, num_contexts={num}, replica_id={rid}, "
                f"epoch={epoch}; opened with width={want[0]}, num_contexts={want[1]}, "
                f"replica_id={want[2]}, epoch={want[3]}"
            )
        off = HEADER_SIZE
        if snap_len:
            end = off + snap_len
            if end > n or snap_len < _CRC.size:
                raise LogCorruptionError(
                    f"{where}: snapshot of {snap_len} bytes does not fit; file not modified"
                )
            block = data[off : end - _CRC.size]
            (scrc,) = _CRC.unpack_from(data, end - _CRC.size)
            if scrc != crc32c(block):
                raise LogCorruptionError(f"{where}: snapshot CRC32C mismatch; file not modified")
            self._load_snapshot(block)
            off = end
        good: list[DeltaMessage] = []
        good_at: list[int] = []
        bad: list[tuple[int, str]] = []
        f = self._frame
        while n - off >= f:
            try:
                m = decode(data[off : off + f])
                if m.epoch != epoch or m.width != width or m.addr >= num:
                    raise FrameError(
                        f"record for epoch {m.epoch}, width {m.width}, address {m.addr} "
                        f"in a log of epoch {epoch}, width {width}, {num} contexts"
                    )
                good.append(m)
                good_at.append(off)
            except FrameError as e:
                bad.append((off, str(e)))
            off += f
        torn = n - off
        if bad and not salvage:
            first, why = bad[0]
            raise LogCorruptionError(
                f"{where}: {len(bad)} corrupted record(s), the first at byte {first}: {why}. "
                "File not modified. Open with salvage=True to drop them (then repair from peers "
                "by anti-entropy)."
            )
        applied = dups = 0
        conflicts: list[tuple[int, str]] = []
        for i, m in enumerate(good):
            if r.seen(m.origin, m.seq):
                prior = r._store.get(m.origin, {}).get(m.seq)
                if prior is not None and prior != m:
                    conflicts.append((good_at[i], f"record {m.id} differs from the first with "
                                      f"that id ({prior.addr}, {prior.delta:#x}) vs "
                                      f"({m.addr}, {m.delta:#x})"))
                    continue
                r._store.setdefault(m.origin, {})[m.seq] = m  # already covered: keep to serve
                dups += 1
            else:
                r._apply(m)
                applied += 1
        if conflicts and not salvage:
            at, why = conflicts[0]
            raise LogConflictError(
                f"{where}: {len(conflicts)} record(s) reuse an id with other content, the first "
                f"at byte {at}: {why}. File not modified. Open with salvage=True to keep the "
                "first record of each id."
            )
        bad += conflicts
        if bad:
            r._sink = None
            self._rewrite(r.messages())
        elif torn:
            fd = os.open(self._path, os.O_WRONLY)
            try:
                os.ftruncate(fd, n - torn)
                os.fsync(fd)
            finally:
                os.close(fd)
        return Recovery(
            False, bool(snap_len), len(good), applied, dups, torn, tuple(bad), removed_temp
        )

    def _rewrite(self, keep: Iterable[DeltaMessage]) -> int:
        """Atomically replace the file by header + snapshot of the current state + ``keep``."""
        snap = self._snapshot_bytes()
        records = b"".join(encode(m) for m in keep)
        data = self._header(len(snap)) + snap + records
        _atomic_write(self._path, data)
        return len(data)

    # ----------------------------------------------------------------- appending
    def _append(self, msg: DeltaMessage) -> None:
        self._check_open()
        frame = encode(msg)
        try:
            written = os.write(self._fd, frame)
            if written != len(frame):
                raise OSError(f"short write: {written} of {len(frame)} bytes")
            self._unsynced += 1
            if self._every and self._unsynced >= self._every:
                os.fsync(self._fd)
                self._unsynced = 0
                self._durable = self._size + len(frame)
        except OSError:
            os.ftruncate(self._fd, self._size)  # leave no partial record behind; not applied
            raise
        self._size += len(frame)

    def flush(self) -> None:
        """fsync now: everything applied so far is durable when this returns."""
        self._check_open()
        os.fsync(self._fd)
        self._unsynced = 0
        self._durable = self._size

    def close(self) -> None:
        """fsync and close the file, and release the lock (idempotent)."""
        try:
            if self._fd >= 0:
                self.flush()
                os.close(self._fd)
                self._fd = -1
                self._replica._sink = self._append  # still raises LogClosedError
        finally:
            self._unlock()

    def abandon(self) -> None:
        """Close the file *without* fsync, as a killed process would (for crash tests)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        self._unlock()

    def _unlock(self) -> None:
        if self._lock_fd >= 0:
            os.close(self._lock_fd)  # closing the descriptor releases the flock
            self._lock_fd = -1

    def compact(self, peers: Iterable[Digest] | None = None) -> int:
        """Rewrite the log as a snapshot (state, watermarks, next seq) plus the messages peers
        may still need, atomically (temp file, fsync, rename, fsync the directory); return the
        new file size.

        ``peers=None`` keeps every stored message (so anti-entropy can still serve them); given
        the digests of all peers, keeps only messages some peer lacks and forgets the rest in
        memory too (:meth:`Replica.prune`).
        """
        self._check_open()
        if peers is not None:
            self._replica.prune(peers)
        try:
            size = self._rewrite(self._replica.messages())
            os.close(self._fd)
            self._fd = -1
            self._fd = os.open(self._path, os.O_WRONLY | os.O_APPEND)
        except BaseException as e:
            # The file at the path may now be the new one (renamed, its directory entry maybe
            # not durable) or the old one: appending to either could acknowledge writes that
            # recovery will not read. Refuse every write until the log is reopened.
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
            self._failed = f"compaction failed ({type(e).__name__}: {e})"
            raise
        self._size = self._durable = size
        self._unsynced = 0
        return size

    def _check_open(self) -> None:
        if self._failed is not None:
            raise LogFailedError(
                f"{self._path}: {self._failed}; nothing was applied. Reopen the log (recovery "
                "reads the file that is there) before writing again"
            )
        if self._fd < 0:
            raise LogClosedError(f"{self._path} is closed")

    def __enter__(self) -> PersistentTable:
        """Use as a context manager: closes (with fsync) on exit."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the log."""
        self.close()

    # ----------------------------------------------------------------- bootstrap
    def export_image(self) -> bytes:
        """A log image of the current state for a late joiner: header and snapshot (table,
        watermarks, out-of-order seqs), no records. See :meth:`bootstrap`."""
        self._check_open()
        snap = self._snapshot_bytes()
        return self._header(len(snap)) + snap

    @classmethod
    def bootstrap(
        cls,
        path: str | os.PathLike[str],
        image: bytes,
        num_contexts: int,
        width: int = 64,
        fsync: str = "always",
        *,
        replica_id: int,
        epoch: int = 0,
        max_pending: int = DEFAULT_MAX_PENDING,
    ) -> PersistentTable:
        """Create the log of a new node at ``path`` from a peer's :meth:`export_image`: it starts
        with the peer's state and watermarks (so it neither needs nor asks for the messages
        they cover, which the peer may have pruned and the stream trimmed), then catches up on
        the rest by anti-entropy. ``path`` must not exist. The image is checked as recovery
        checks a log (CRCs, a canonical snapshot, the table's shape and epoch); the new node's
        next seq is above every seq of its own origin the image records (a node re-joining
        under its old id does not reuse an id). Bad images raise :class:`LogCorruptionError` or
        :class:`LogMismatchError` and create nothing."""
        target = Path(os.fspath(path))
        if not isinstance(image, bytes | bytearray | memoryview):
            raise AtomikTypeError(f"image must be bytes, got {type(image).__name__}")
        data = bytes(image)
        if target.exists():
            raise LogConfigError(f"{target} exists: bootstrap creates a new log")
        if len(data) < HEADER_SIZE or data[:8] != LOG_MAGIC:
            raise LogCorruptionError("not a log image (too short or bad magic)")
        fields = _HEADER.unpack_from(data, 0)
        if _CRC.unpack_from(data, _HEADER.size)[0] != crc32c(data[: _HEADER.size]):
            raise LogCorruptionError("log image header CRC32C mismatch")
        src_id, snap_len = fields[5], fields[7]
        if len(data) != HEADER_SIZE + snap_len:
            raise LogCorruptionError(
                f"log image of {len(data)} bytes; its header announces {HEADER_SIZE + snap_len}"
            )
        check = target.with_name(target.name + ".bootstrap-check")
        check.unlink(missing_ok=True)
        check.write_bytes(data)
        try:  # validate exactly as recovery would, as the exporting node
            src = cls(check, num_contexts, width, "close", replica_id=src_id, epoch=epoch,
                      max_pending=max_pending)
            src.abandon()
        finally:
            check.unlink(missing_ok=True)
            check.with_name(check.name + ".lock").unlink(missing_ok=True)
        r = src._replica
        own = [r.watermarks().get(replica_id, -1), *r.pending().get(replica_id, ())]
        node = cls(target, num_contexts, width, fsync, replica_id=replica_id, epoch=epoch,
                   max_pending=max_pending)
        try:
            body = bytearray(data[HEADER_SIZE : HEADER_SIZE + snap_len - _CRC.size])
            _SNAP_HEAD.pack_into(body, 0, max(own) + 1, _SNAP_HEAD.unpack_from(body, 0)[1])
            snap = bytes(body) + _CRC.pack(crc32c(bytes(body)))
            node.abandon()
            _atomic_write(target, node._header(len(snap)) + snap)
        except BaseException:
            node.abandon()
            target.unlink(missing_ok=True)
            raise
        return cls(target, num_contexts, width, fsync, replica_id=replica_id, epoch=epoch,
                   max_pending=max_pending)

    # ----------------------------------------------------------------- outbox
    @property
    def published_path(self) -> Path:
        """The outbox mark: ``<path>.outbox``, the highest own seq known to be published."""
        return self._path.with_name(self._path.name + ".outbox")

    def _load_published(self) -> int:
        mark = self.published_path
        if self.recovery.created:  # a new log: a mark left by an older one says nothing
            mark.unlink(missing_ok=True)
            return -1
        try:
            text = mark.read_text()
        except (OSError, UnicodeDecodeError):
            return -1
        parts = text.split()
        if len(parts) == 2 and parts[0] == "published" and parts[1].lstrip("-").isdigit():
            seq = int(parts[1])
            if -1 <= seq < self._replica.next_seq:
                return seq
        return -1  # unreadable or impossible: republish everything (receivers deduplicate)

    @property
    def published(self) -> int:
        """The highest seq of this node's own writes marked published (-1: none)."""
        return self._published

    def outbox(self) -> list[DeltaMessage]:
        """This node's own writes above the published mark, in seq order: what to (re)publish.

        The writes themselves are the log's records (logged before ``put`` returns); only the
        mark is kept beside the log. A stale or lost mark makes the outbox longer, never shorter:
        a write is republished, and receivers drop the copy by ``(origin, seq)``.
        """
        r = self._replica
        own = r._store.get(r.replica_id, {})
        return [own[s] for s in range(self._published + 1, r.next_seq) if s in own]

    def mark_published(self, seq: int) -> None:
        """Record that every own write up to ``seq`` reached the transport. The mark file is
        replaced atomically (rename) but not fsynced: after a power failure it may be older,
        which republishes (duplicates are harmless), never newer."""
        self._check_open()
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise AtomikTypeError(f"seq must be an int, got {type(seq).__name__}")
        if not -1 <= seq < self._replica.next_seq:
            raise LogConfigError(
                f"seq {seq} is not an issued seq of this node (next seq {self._replica.next_seq})"
            )
        if seq <= self._published:
            return
        mark = self.published_path
        tmp = mark.with_name(mark.name + ".tmp")
        tmp.write_text(f"published {seq}\n")
        os.replace(tmp, mark)
        self._published = seq

    # ----------------------------------------------------------------- replica API
    @property
    def replica(self) -> Replica:
        """The live replica; whatever it applies is logged first."""
        return self._replica

    @property
    def path(self) -> Path:
        """The log file."""
        return self._path

    @property
    def fsync_policy(self) -> str:
        """The fsync policy given at open."""
        return self._policy

    @property
    def size(self) -> int:
        """Bytes written to the file (some may not be durable yet)."""
        return self._size

    @property
    def durable_size(self) -> int:
        """Bytes known to be on stable storage (fsynced)."""
        return self._durable

    def put(self, addr: int, value: int) -> DeltaMessage:
        """:meth:`Replica.put`, logged first."""
        if self._failed is not None or self._fd < 0:
            self._check_open()  # raises
        return self._replica.put(addr, value)

    def accum(self, addr: int, delta: int) -> DeltaMessage:
        """:meth:`Replica.accum`, logged first."""
        self._check_open()
        return self._replica.accum(addr, delta)

    def receive(self, msg: DeltaMessage) -> bool:
        """:meth:`Replica.receive`; an applied message is logged first, a duplicate is not."""
        self._check_open()
        return self._replica.receive(msg)

    def receive_all(self, msgs: Iterable[DeltaMessage]) -> int:
        """:meth:`Replica.receive_all`, each applied message logged first."""
        self._check_open()
        return self._replica.receive_all(msgs)

    def read(self, addr: int) -> int:
        """The state at ``addr``."""
        return self._replica.read(addr)

    def read_all(self) -> list[int]:
        """Every address's state."""
        return self._replica.read_all()

    def digest(self) -> Digest:
        """:meth:`Replica.digest`."""
        return self._replica.digest()

    def missing_for(self, digest: Digest) -> list[DeltaMessage]:
        """:meth:`Replica.missing_for`."""
        return self._replica.missing_for(digest)

    @property
    def table(self) -> AtomikTable:
        """A copy of the table."""
        return self._replica.table

    def __repr__(self) -> str:
        state = "closed" if self._fd < 0 else f"{self._size} bytes"
        return f"PersistentTable({str(self._path)!r}, {self._replica!r}, {state})"


if __name__ == "__main__":
    from atomik.replication.log_inspect import main

    raise SystemExit(main())
