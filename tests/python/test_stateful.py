"""Model-based tests: random operation sequences on AtomikContext and AtomikTable against a
plain-Python model that keeps the full history (the event-sourcing baseline)."""

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from atomik import AtomikContext, AtomikTable, replay

W = 16
VAL = st.integers(0, 2**W - 1)
ADDR = st.integers(0, 3)


class ContextMachine(RuleBasedStateMachine):
    """An AtomikContext against (reference, list of deltas since the last load/swap)."""

    def __init__(self) -> None:
        super().__init__()
        self.ctx = AtomikContext(W)
        self.ref = 0
        self.history: list[int] = []

    @rule(v=VAL)
    def load(self, v: int) -> None:
        self.ctx.load(v)
        self.ref, self.history = v, []

    @rule(d=VAL)
    def accum(self, d: int) -> None:
        self.ctx.accum(d)
        self.history.append(d)

    @rule(ds=st.lists(VAL, max_size=5))
    def accum_many(self, ds: list[int]) -> None:
        self.ctx.accum_many(ds)
        self.history += ds

    @rule()
    def rollback_last(self) -> None:
        if self.history:
            d = self.history.pop()  # the model forgets the delta; the context XORs it again
            self.ctx.rollback(d)

    @rule()
    def swap(self) -> None:
        state = replay(self.ref, self.history, width=W)
        assert self.ctx.swap() == state
        self.ref, self.history = state, []

    @rule()
    def snapshot_round_trip(self) -> None:
        assert AtomikContext.from_snapshot(self.ctx.snapshot()) == self.ctx

    @invariant()
    def reads_like_replay(self) -> None:
        assert self.ctx.read() == replay(self.ref, self.history, width=W)
        assert self.ctx.reference == self.ref


class TableMachine(RuleBasedStateMachine):
    """An AtomikTable against a dict of current states."""

    def __init__(self) -> None:
        super().__init__()
        self.table = AtomikTable(4, W)
        self.model = {a: 0 for a in range(4)}

    @rule(a=ADDR, v=VAL)
    def load(self, a: int, v: int) -> None:
        self.table.load(a, v)
        self.model[a] = v

    @rule(a=ADDR, d=VAL)
    def accum(self, a: int, d: int) -> None:
        self.table.accum(a, d)
        self.model[a] ^= d

    @rule(ops=st.lists(st.tuples(ADDR, VAL), max_size=6))
    def accum_batch(self, ops: list[tuple[int, int]]) -> None:
        self.table.accum_batch([a for a, _ in ops], [d for _, d in ops])
        for a, d in ops:
            self.model[a] ^= d

    @rule(a=ADDR)
    def swap(self, a: int) -> None:
        assert self.table.swap(a) == self.model[a]

    @rule()
    def restore_snapshot(self) -> None:
        self.table = AtomikTable.restore(self.table.snapshot())

    @invariant()
    def reads_match(self) -> None:
        assert [int(x) for x in self.table.read_batch([0, 1, 2, 3])] == [
            self.model[a] for a in range(4)
        ]


TestContextMachine = ContextMachine.TestCase
TestContextMachine.settings = settings(max_examples=40, stateful_step_count=20, deadline=None)
TestTableMachine = TableMachine.TestCase
TestTableMachine.settings = settings(max_examples=40, stateful_step_count=20, deadline=None)
