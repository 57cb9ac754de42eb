module

public import Atomik.Table

public section

set_option autoImplicit false

/-!
# The event log

The model of `atomik.eventlog.EventLog` as Python stores it: the position of the first kept event
(`offset`), the events already truncated (`base`) and the kept events (`events`), each event an
(address, delta) pair. Python keeps the truncated events folded per address in a dict
(`LogSnapshot.accumulators`, non-zero values only); here `base` is the list of those events, and
everything Python reads from the dict is its per-address composition (`baseFoldAt`) or the
composition of all of it (`baseFold`) — the two things the dict's normal form preserves.

Truncation is invisible to `fold` and `replay`: `log.replay(ctx)` replays the whole history,
truncated part included (`replay_truncate`). Continuing from a snapshot context means
accumulating only the kept events (`read_replay_snapshot`); replaying the log onto a snapshot
context applies the snapshotted prefix a second time (`read_replay_truncate_snapshotContext`).
-/

namespace Atomik

/-- An event log as Python stores it. Python: atomik.eventlog.EventLog. -/
structure EventLog (w : Nat) where
  /-- The position of the first kept event. Python: EventLog.offset. -/
  offset : Nat
  /-- The truncated events, as (address, delta) pairs. Python: the base LogSnapshot's accumulators. -/
  base : List (Nat × BitVec w)
  /-- The kept events, oldest first, as (address, delta) pairs. Python: EventLog.events. -/
  events : List (Nat × BitVec w)

/-- A snapshot of a log: a position and the events before it. Python: atomik.eventlog.LogSnapshot. -/
structure LogSnapshot (w : Nat) where
  /-- The position the snapshot covers up to. Python: LogSnapshot.offset. -/
  offset : Nat
  /-- The events before that position, as (address, delta) pairs. Python: LogSnapshot.accumulators. -/
  accumulators : List (Nat × BitVec w)

namespace EventLog

/-- A new log. Python: EventLog(width). -/
@[expose] noncomputable def empty (w : Nat) : EventLog w := ⟨0, [], []⟩

/-- The number of events ever appended, kept or truncated. Python: len(log). -/
@[expose] noncomputable def length {w : Nat} (L : EventLog w) : Nat := L.offset + L.events.length

/-- Append an event. Python: EventLog.record(addr, delta). -/
@[expose] noncomputable def append {w : Nat} (L : EventLog w) (a : Nat) (d : BitVec w) : EventLog w :=
  ⟨L.offset, L.base, L.events ++ [(a, d)]⟩

/-- The deltas of the kept events, in log order. Python: EventLog.deltas(). -/
@[expose] noncomputable def deltas {w : Nat} (L : EventLog w) : List (BitVec w) := L.events.map Prod.snd

/-- The deltas of the kept events at one address, in log order. Python: EventLog.deltas(addr). -/
@[expose] noncomputable def deltasAt {w : Nat} (L : EventLog w) (a : Nat) : List (BitVec w) :=
  Table.deltasAt L.events a

/-- The composition of every truncated delta. Python: EventLog._base_fold(None). -/
@[expose] noncomputable def baseFold {w : Nat} (L : EventLog w) : BitVec w :=
  Delta.composeAll (L.base.map Prod.snd)

/-- The composition of the truncated deltas at one address. Python: EventLog._base_fold(addr). -/
@[expose] noncomputable def baseFoldAt {w : Nat} (L : EventLog w) (a : Nat) : BitVec w :=
  Delta.composeAll (Table.deltasAt L.base a)

/-- The composition of every delta ever appended (truncated ones through the base). Python: EventLog.fold(). -/
@[expose] noncomputable def fold {w : Nat} (L : EventLog w) : BitVec w :=
  L.baseFold ^^^ Delta.composeAll L.deltas

/-- The composition of every delta ever appended at one address: its accumulator. Python: EventLog.fold(addr). -/
@[expose] noncomputable def foldAt {w : Nat} (L : EventLog w) (a : Nat) : BitVec w :=
  L.baseFoldAt a ^^^ Delta.composeAll (L.deltasAt a)

/-- Python's replay: accumulate the base fold as one delta, then every kept delta. Python: EventLog.replay(ctx). -/
@[expose] noncomputable def replay {w : Nat} (L : EventLog w) (c : Context w) : Context w :=
  (c.accum L.baseFold).accumAll L.deltas

/-- Python's replay at one address. Python: EventLog.replay(ctx, addr). -/
@[expose] noncomputable def replayAt {w : Nat} (L : EventLog w) (c : Context w) (a : Nat) : Context w :=
  (c.accum (L.baseFoldAt a)).accumAll (L.deltasAt a)

/-- The log cut after its first `n` events (base kept). Python: the prefix log inside EventLog.snapshot_context. -/
@[expose] noncomputable def prefixLog {w : Nat} (L : EventLog w) (n : Nat) : EventLog w :=
  ⟨L.offset, L.base, L.events.take (n - L.offset)⟩

/-- The snapshot at position `n`, or `none` (Python: SnapshotError) outside `offset ≤ n ≤ length`. Python: EventLog.snapshot(n). -/
@[expose] noncomputable def snapshot {w : Nat} (L : EventLog w) (n : Nat) : Option (LogSnapshot w) :=
  if L.offset ≤ n ∧ n ≤ L.length then some ⟨n, L.base ++ L.events.take (n - L.offset)⟩ else none

/-- Drop the events before position `n` into the base, or `none` (Python: SnapshotError, log unchanged) outside `offset ≤ n ≤ length`. Python: EventLog.truncate(log.snapshot(n)). -/
@[expose] noncomputable def truncate {w : Nat} (L : EventLog w) (n : Nat) : Option (EventLog w) :=
  if L.offset ≤ n ∧ n ≤ L.length then
    some ⟨n, L.base ++ L.events.take (n - L.offset), L.events.drop (n - L.offset)⟩
  else none

/-- The clean context after replaying the first `n` events onto `c`, or `none` (SnapshotError). Python: EventLog.snapshot_context(ctx, n). -/
@[expose] noncomputable def snapshotContext {w : Nat} (L : EventLog w) (c : Context w) (n : Nat) :
    Option (Context w) :=
  if L.offset ≤ n ∧ n ≤ L.length then some ((L.prefixLog n).replay c).swap else none

/-- The fold at one address obtained from a snapshot and the kept events after it. Python: EventLog.replay_from(snap). -/
@[expose] noncomputable def replayFromAt {w : Nat} (L : EventLog w) (s : LogSnapshot w) (a : Nat) : BitVec w :=
  Delta.composeAll (Table.deltasAt s.accumulators a) ^^^
    Delta.composeAll (Table.deltasAt (L.events.drop (s.offset - L.offset)) a)

/-- Accumulate the whole fold into a table. Python: EventLog.apply_to(table). -/
@[expose] noncomputable def applyTo {w : Nat} (L : EventLog w) (t : Table w) : Table w :=
  t.accumBatch (L.base ++ L.events)

/-! ## Lemmas on lists of events -/

/-- The deltas of a joined list at an address are those of each part. Python: EventLog.deltas(addr). -/
theorem deltasAt_append {w : Nat} (l₁ l₂ : List (Nat × BitVec w)) (a : Nat) :
    Table.deltasAt (l₁ ++ l₂) a = Table.deltasAt l₁ a ++ Table.deltasAt l₂ a := by
  induction l₁ with
  | nil => simp [Table.deltasAt]
  | cons p ps ih =>
    obtain ⟨b, d⟩ := p
    by_cases h : b = a <;> simp [Table.deltasAt, h, ih]

/-- Splitting a list of events anywhere keeps the composition of its deltas. Python: EventLog.truncate. -/
theorem composeAll_take_drop {w : Nat} (l : List (Nat × BitVec w)) (k : Nat) :
    Delta.composeAll ((l.take k).map Prod.snd) ^^^ Delta.composeAll ((l.drop k).map Prod.snd) =
      Delta.composeAll (l.map Prod.snd) := by
  have h := Delta.composeAll_append ((l.take k).map Prod.snd) ((l.drop k).map Prod.snd)
  rw [← List.map_append, List.take_append_drop] at h
  rw [h]
  rfl

/-- Splitting a list of events anywhere keeps the composition of its deltas at each address. Python: EventLog.truncate. -/
theorem composeAll_deltasAt_take_drop {w : Nat} (l : List (Nat × BitVec w)) (k a : Nat) :
    Delta.composeAll (Table.deltasAt (l.take k) a) ^^^
        Delta.composeAll (Table.deltasAt (l.drop k) a) =
      Delta.composeAll (Table.deltasAt l a) := by
  have h := Delta.composeAll_append (Table.deltasAt (l.take k) a) (Table.deltasAt (l.drop k) a)
  rw [← deltasAt_append, List.take_append_drop] at h
  rw [h]
  rfl

/-- Cutting at `n` and then at a later `m` composes to cutting at `m`. Python: EventLog.snapshot_context after EventLog.truncate. -/
theorem composeAll_take_drop_take {w : Nat} (l : List (Nat × BitVec w)) (o n m : Nat)
    (hon : o ≤ n) (hnm : n ≤ m) :
    Delta.composeAll ((l.take (n - o)).map Prod.snd) ^^^
        Delta.composeAll (((l.drop (n - o)).take (m - n)).map Prod.snd) =
      Delta.composeAll ((l.take (m - o)).map Prod.snd) := by
  have e1 : (l.drop (n - o)).take (m - n) = (l.take (m - o)).drop (n - o) := by
    rw [List.drop_take]
    congr 1
    omega
  have e2 : l.take (n - o) = (l.take (m - o)).take (n - o) := by
    rw [List.take_take, Nat.min_eq_left (show n - o ≤ m - o by omega)]
  rw [e1, e2, composeAll_take_drop]

/-! ## Appending, folding, replaying -/

/-- A new log folds to zero. Python: EventLog(width).fold(). -/
theorem fold_empty (w : Nat) : (EventLog.empty w).fold = 0#w := by
  simp [empty, fold, baseFold, deltas, Delta.composeAll]

/-- Appending an event adds one to the length. Python: EventLog.record returns the old length. -/
theorem length_append {w : Nat} (L : EventLog w) (a : Nat) (d : BitVec w) :
    (L.append a d).length = L.length + 1 := by
  simp only [append, length, List.length_append, List.length_singleton]
  omega

/-- Appending an event composes its delta into the fold. Python: EventLog.fold(). -/
theorem fold_append {w : Nat} (L : EventLog w) (a : Nat) (d : BitVec w) :
    (L.append a d).fold = L.fold ^^^ d := by
  simp only [append, fold, baseFold, deltas, List.map_append, List.map_cons, List.map_nil,
    Delta.composeAll_append, Delta.composeAll_singleton, Delta.compose, BitVec.xor_assoc]

/-- Appending an event composes its delta into its own address's fold. Python: EventLog.fold(addr). -/
theorem foldAt_append_self {w : Nat} (L : EventLog w) (a : Nat) (d : BitVec w) :
    (L.append a d).foldAt a = L.foldAt a ^^^ d := by
  simp [append, foldAt, baseFoldAt, deltasAt, deltasAt_append, Table.deltasAt,
    Delta.composeAll_append, Delta.compose, Delta.composeAll, BitVec.xor_assoc]

/-- Appending an event leaves every other address's fold alone. Python: EventLog.fold(addr). -/
theorem foldAt_append_of_ne {w : Nat} (L : EventLog w) (a b : Nat) (d : BitVec w) (h : a ≠ b) :
    (L.append a d).foldAt b = L.foldAt b := by
  simp [append, foldAt, baseFoldAt, deltasAt, deltasAt_append, Table.deltasAt, h]

/-- The fold does not depend on the order of the kept events. Python: EventLog.fold(). -/
theorem fold_perm {w : Nat} (L : EventLog w) (es : List (Nat × BitVec w)) (h : L.events.Perm es) :
    (EventLog.mk L.offset L.base es).fold = L.fold := by
  simp only [fold, baseFold, deltas]
  rw [Delta.composeAll_perm (L.events.map Prod.snd) (es.map Prod.snd) (h.map Prod.snd)]

/-- Python's replay is one accumulation of the whole fold. Python: EventLog.replay(ctx). -/
theorem replay_eq {w : Nat} (L : EventLog w) (c : Context w) : L.replay c = c.accum L.fold := by
  simp only [replay, fold, Context.accumAll_eq, Context.accum_accum]

/-- Python's replay at an address is one accumulation of that address's fold. Python: EventLog.replay(ctx, addr). -/
theorem replayAt_eq {w : Nat} (L : EventLog w) (c : Context w) (a : Nat) :
    L.replayAt c a = c.accum (L.foldAt a) := by
  simp only [replayAt, foldAt, Context.accumAll_eq, Context.accum_accum]

/-- After replaying a log, a context reads its old state with the fold applied. Python: EventLog.replay(ctx). -/
theorem read_replay {w : Nat} (L : EventLog w) (c : Context w) :
    (L.replay c).read = c.read ^^^ L.fold := by
  rw [replay_eq, Context.read_accum]

/-- After replaying one address, a context reads its old state with that address's fold applied. Python: EventLog.replay(ctx, addr). -/
theorem read_replayAt {w : Nat} (L : EventLog w) (c : Context w) (a : Nat) :
    (L.replayAt c a).read = c.read ^^^ L.foldAt a := by
  rw [replayAt_eq, Context.read_accum]

/-- Replaying a log onto a freshly loaded context leaves exactly the fold in the accumulator. Python: EventLog.replay(ctx). -/
theorem accumulator_replay_load {w : Nat} (L : EventLog w) (c : Context w) (v : BitVec w) :
    (L.replay (c.load v)).accumulator = L.fold := by
  rw [replay_eq]
  simp [Context.load, Context.accum]

/-- Applying a log to a table accumulates each address's fold there. Python: EventLog.apply_to(table). -/
theorem read_applyTo {w : Nat} (L : EventLog w) (t : Table w) (a : Nat) :
    (L.applyTo t).read a = t.read a ^^^ L.foldAt a := by
  simp only [applyTo, Table.read_accumBatch, deltasAt_append, Delta.composeAll_append,
    Delta.compose, foldAt, baseFoldAt, deltasAt]

/-! ## Snapshots and truncation -/

/-- A snapshot position is accepted exactly when it lies in the kept log. Python: EventLog.snapshot raises SnapshotError otherwise. -/
theorem snapshot_isSome_iff {w : Nat} (L : EventLog w) (n : Nat) :
    (L.snapshot n).isSome = true ↔ L.offset ≤ n ∧ n ≤ L.length := by
  unfold EventLog.snapshot
  by_cases hb : L.offset ≤ n ∧ n ≤ L.length
  · rw [if_pos hb]
    exact ⟨fun _ => hb, fun _ => rfl⟩
  · rw [if_neg hb]
    exact ⟨fun h => by simp at h, fun h => absurd h hb⟩

/-- Truncation is accepted exactly at a position in the kept log. Python: EventLog.truncate(log.snapshot(n)) raises SnapshotError otherwise. -/
theorem truncate_isSome_iff {w : Nat} (L : EventLog w) (n : Nat) :
    (L.truncate n).isSome = true ↔ L.offset ≤ n ∧ n ≤ L.length := by
  unfold EventLog.truncate
  by_cases hb : L.offset ≤ n ∧ n ≤ L.length
  · rw [if_pos hb]
    exact ⟨fun _ => hb, fun _ => rfl⟩
  · rw [if_neg hb]
    exact ⟨fun h => by simp at h, fun h => absurd h hb⟩

/-- A snapshot context is produced exactly at a position in the kept log. Python: EventLog.snapshot_context raises SnapshotError otherwise. -/
theorem snapshotContext_isSome_iff {w : Nat} (L : EventLog w) (c : Context w) (n : Nat) :
    (L.snapshotContext c n).isSome = true ↔ L.offset ≤ n ∧ n ≤ L.length := by
  unfold EventLog.snapshotContext
  by_cases hb : L.offset ≤ n ∧ n ≤ L.length
  · rw [if_pos hb]
    exact ⟨fun _ => hb, fun _ => rfl⟩
  · rw [if_neg hb]
    exact ⟨fun h => by simp at h, fun h => absurd h hb⟩

/-- What a successful truncation holds: its position, the base grown by the dropped events, the rest kept. Python: EventLog.truncate. -/
theorem truncate_eq {w : Nat} (L L' : EventLog w) (n : Nat) (h : L.truncate n = some L') :
    (L.offset ≤ n ∧ n ≤ L.length) ∧ L'.offset = n ∧
      L'.base = L.base ++ L.events.take (n - L.offset) ∧
      L'.events = L.events.drop (n - L.offset) := by
  unfold EventLog.truncate at h
  by_cases hb : L.offset ≤ n ∧ n ≤ L.length
  · rw [if_pos hb] at h
    injection h with h
    subst h
    exact ⟨hb, rfl, rfl, rfl⟩
  · rw [if_neg hb] at h
    cases h

/-- Truncation keeps the number of events ever appended. Python: len(log) after EventLog.truncate. -/
theorem length_truncate {w : Nat} (L L' : EventLog w) (n : Nat) (h : L.truncate n = some L') :
    L'.length = L.length := by
  obtain ⟨⟨h₁, h₂⟩, ho, _, he⟩ := truncate_eq L L' n h
  simp only [length, ho, he, List.length_drop] at h₂ ⊢
  omega

/-- Truncation does not change the fold. Python: EventLog.fold() after EventLog.truncate. -/
theorem fold_truncate {w : Nat} (L L' : EventLog w) (n : Nat) (h : L.truncate n = some L') :
    L'.fold = L.fold := by
  obtain ⟨_, _, hb, he⟩ := truncate_eq L L' n h
  simp only [fold, baseFold, deltas, hb, he, List.map_append, Delta.composeAll_append,
    Delta.compose, BitVec.xor_assoc, composeAll_take_drop]

/-- Truncation does not change any address's fold. Python: EventLog.fold(addr) after EventLog.truncate. -/
theorem foldAt_truncate {w : Nat} (L L' : EventLog w) (n : Nat) (h : L.truncate n = some L')
    (a : Nat) : L'.foldAt a = L.foldAt a := by
  obtain ⟨_, _, hb, he⟩ := truncate_eq L L' n h
  simp only [foldAt, baseFoldAt, deltasAt, hb, he, deltasAt_append, Delta.composeAll_append,
    Delta.compose, BitVec.xor_assoc, composeAll_deltasAt_take_drop]

/-- Truncation does not change what replaying the log gives: Python's replay covers the truncated events too. Python: EventLog.replay(ctx) after EventLog.truncate. -/
theorem replay_truncate {w : Nat} (L L' : EventLog w) (n : Nat) (h : L.truncate n = some L')
    (c : Context w) : L'.replay c = L.replay c := by
  rw [replay_eq, replay_eq, fold_truncate L L' n h]

/-- A snapshot context reads the start state with the first `n` events applied. Python: EventLog.snapshot_context. -/
theorem read_snapshotContext {w : Nat} (L : EventLog w) (c s : Context w) (n : Nat)
    (h : L.snapshotContext c n = some s) : s.read = c.read ^^^ (L.prefixLog n).fold := by
  unfold EventLog.snapshotContext at h
  by_cases hb : L.offset ≤ n ∧ n ≤ L.length
  · rw [if_pos hb] at h
    injection h with h
    subst h
    rw [Context.read_swap, read_replay]
  · rw [if_neg hb] at h
    cases h

/-- A snapshot context is clean. Python: EventLog.snapshot_context. -/
theorem accumulator_snapshot {w : Nat} (L : EventLog w) (c s : Context w) (n : Nat)
    (h : L.snapshotContext c n = some s) : s.accumulator = 0#w := by
  unfold EventLog.snapshotContext at h
  by_cases hb : L.offset ≤ n ∧ n ≤ L.length
  · rw [if_pos hb] at h
    injection h with h
    subst h
    simp [Context.swap]
  · rw [if_neg hb] at h
    cases h

/-- Truncating at `n`, then accumulating the kept deltas into the snapshot context at `n`, reads what replaying the whole log reads. Python: EventLog.truncate, then ctx.accum_many(log.deltas()). -/
theorem read_replay_snapshot {w : Nat} (L L' : EventLog w) (c s : Context w) (n : Nat)
    (h₁ : L.truncate n = some L') (h₂ : L.snapshotContext c n = some s) :
    (s.accumAll L'.deltas).read = (L.replay c).read := by
  obtain ⟨_, _, _, he⟩ := truncate_eq L L' n h₁
  rw [Context.read_accumAll, read_snapshotContext L c s n h₂, read_replay]
  simp only [prefixLog, fold, baseFold, deltas, he, BitVec.xor_assoc, composeAll_take_drop]

/-- Replaying the truncated log onto the snapshot context applies the snapshotted prefix twice: it reads the whole log's state with the prefix's fold applied again. Python: EventLog.replay(snapshot_context) after EventLog.truncate. -/
theorem read_replay_truncate_snapshotContext {w : Nat} (L L' : EventLog w) (c s : Context w)
    (n : Nat) (h₁ : L.truncate n = some L') (h₂ : L.snapshotContext c n = some s) :
    (L'.replay s).read = (L.replay c).read ^^^ (L.prefixLog n).fold := by
  rw [read_replay L' s, fold_truncate L L' n h₁, read_snapshotContext L c s n h₂, read_replay L c]
  simp only [BitVec.xor_assoc]
  rw [BitVec.xor_comm (L.prefixLog n).fold L.fold]

/-- A snapshot context at a position from the truncation point on is the same before and after truncating. Python: EventLog.snapshot_context after EventLog.truncate. -/
theorem snapshotContext_truncate {w : Nat} (L L' : EventLog w) (c : Context w) (n m : Nat)
    (h : L.truncate n = some L') (hm : n ≤ m) :
    L'.snapshotContext c m = L.snapshotContext c m := by
  obtain ⟨⟨hon, _⟩, ho, hb, he⟩ := truncate_eq L L' n h
  have hl := length_truncate L L' n h
  have hpre : (L'.prefixLog m).fold = (L.prefixLog m).fold := by
    simp only [prefixLog, fold, baseFold, deltas, hb, he, ho, List.map_append,
      Delta.composeAll_append, Delta.compose, BitVec.xor_assoc]
    rw [composeAll_take_drop_take L.events L.offset n m hon hm]
  unfold EventLog.snapshotContext
  rw [ho, hl]
  by_cases hc : L.offset ≤ m ∧ m ≤ L.length
  · have hc' : n ≤ m ∧ m ≤ L.length := ⟨hm, hc.2⟩
    rw [if_pos hc', if_pos hc, replay_eq, replay_eq, hpre]
  · have hc' : ¬ (n ≤ m ∧ m ≤ L.length) := fun h' => hc ⟨by omega, h'.2⟩
    rw [if_neg hc', if_neg hc]

/-- Starting from a snapshot and folding the kept events after it gives each address's whole fold. Python: EventLog.replay_from(log.snapshot(n)) equals EventLog.fold_all(). -/
theorem replayFromAt_snapshot {w : Nat} (L : EventLog w) (s : LogSnapshot w) (n a : Nat)
    (h : L.snapshot n = some s) : L.replayFromAt s a = L.foldAt a := by
  unfold EventLog.snapshot at h
  by_cases hb : L.offset ≤ n ∧ n ≤ L.length
  · rw [if_pos hb] at h
    injection h with h
    subst h
    simp only [replayFromAt, foldAt, baseFoldAt, deltasAt, deltasAt_append,
      Delta.composeAll_append, Delta.compose, BitVec.xor_assoc, composeAll_deltasAt_take_drop]
  · rw [if_neg hb] at h
    cases h

end EventLog

end Atomik
