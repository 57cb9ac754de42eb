module

public import Atomik.Context

public section

set_option autoImplicit false

/-!
# The event-log bridge

In the hybrid design a log keeps the events that carry deltas, next to the context. Folding the log
gives the accumulator, and a snapshot taken part-way through the log, followed by the replay of the
rest of the log, gives the same state as replaying the whole log.
-/

namespace Atomik

/-- A logged event that carries a delta, with its sequence number. Python: atomik.eventlog.Event. -/
structure Event (w : Nat) where
  /-- The position of the event in its log. -/
  seq : Nat
  /-- The delta the event carries. -/
  delta : BitVec w

namespace EventLog

/-- The deltas carried by a log, in log order. Python: atomik.eventlog.EventLog.deltas. -/
@[expose] noncomputable def deltas {w : Nat} (es : List (Event w)) : List (BitVec w) := es.map Event.delta

/-- The composition of all deltas in a log. Python: atomik.eventlog.EventLog.fold. -/
@[expose] noncomputable def fold {w : Nat} (es : List (Event w)) : BitVec w := Delta.composeAll (deltas es)

/-- The context reached by accumulating every delta of a log. Python: atomik.eventlog.EventLog.replay. -/
@[expose] noncomputable def replay {w : Nat} (c : Context w) (es : List (Event w)) : Context w :=
  c.accumAll (deltas es)

/-- The events of a log after its first `n`, kept once a snapshot covers the first `n`. Python: atomik.eventlog.EventLog.truncate. -/
@[expose] noncomputable def truncate {w : Nat} (es : List (Event w)) (n : Nat) : List (Event w) := es.drop n

/-- The clean context that snapshots the state after the first `n` events of a log. Python: atomik.eventlog.EventLog.snapshot. -/
@[expose] noncomputable def snapshot {w : Nat} (c : Context w) (es : List (Event w)) (n : Nat) : Context w :=
  (replay c (es.take n)).swap

/-- The fold of an empty log is zero. Python: atomik.eventlog.EventLog.fold. -/
theorem fold_nil {w : Nat} : EventLog.fold ([] : List (Event w)) = 0#w := by
  simp [fold, deltas, Delta.composeAll]

/-- Replaying a log from a freshly loaded context leaves exactly the fold of the log in the accumulator. Python: atomik.eventlog.EventLog.fold. -/
theorem accumulator_replay_load {w : Nat} (c : Context w) (v : BitVec w) (es : List (Event w)) :
    (EventLog.replay (c.load v) es).accumulator = EventLog.fold es := by
  simp only [replay, fold]
  rw [Context.accumAll_eq]
  simp [Context.load, Context.accum]

/-- After replaying a log, the context reads its old state with the fold of the log applied. Python: atomik.eventlog.EventLog.replay. -/
theorem read_replay {w : Nat} (c : Context w) (es : List (Event w)) :
    (EventLog.replay c es).read = c.read ^^^ EventLog.fold es := by
  simp only [replay, fold]
  exact Context.read_accumAll c _

/-- The fold of two logs joined is the XOR of their folds. Python: atomik.eventlog.EventLog.fold. -/
theorem fold_append {w : Nat} (es₁ es₂ : List (Event w)) :
    EventLog.fold (es₁ ++ es₂) = EventLog.fold es₁ ^^^ EventLog.fold es₂ := by
  simp only [fold, deltas, List.map_append]
  exact Delta.composeAll_append _ _

/-- The fold of a log does not depend on the order of its events. Python: atomik.eventlog.EventLog.fold. -/
theorem fold_perm {w : Nat} (es₁ es₂ : List (Event w)) (h : es₁.Perm es₂) :
    EventLog.fold es₁ = EventLog.fold es₂ := by
  simp only [fold, deltas]
  exact Delta.composeAll_perm _ _ (h.map Event.delta)

/-- Replaying two logs joined is replaying the first, then the second. Python: atomik.eventlog.EventLog.replay. -/
theorem replay_append {w : Nat} (c : Context w) (es₁ es₂ : List (Event w)) :
    EventLog.replay c (es₁ ++ es₂) = EventLog.replay (EventLog.replay c es₁) es₂ := by
  simp only [replay, deltas, List.map_append]
  exact Context.accumAll_append _ _ _

/-- A snapshot is a clean context. Python: atomik.eventlog.EventLog.snapshot. -/
theorem accumulator_snapshot {w : Nat} (c : Context w) (es : List (Event w)) (n : Nat) :
    (EventLog.snapshot c es n).accumulator = 0#w := by
  simp [snapshot, Context.swap]

/-- Truncating the log at a snapshot and replaying the rest from the snapshot gives the same state as replaying the whole log. Python: atomik.eventlog.EventLog.truncate. -/
theorem read_replay_snapshot {w : Nat} (c : Context w) (es : List (Event w)) (n : Nat) :
    (EventLog.replay (EventLog.snapshot c es n) (EventLog.truncate es n)).read =
      (EventLog.replay c es).read := by
  simp only [snapshot, truncate, read_replay, Context.read_swap]
  rw [BitVec.xor_assoc, ← fold_append, List.take_append_drop]

end EventLog

end Atomik
