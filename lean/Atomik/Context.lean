module

public import Atomik.Delta

public section

set_option autoImplicit false

/-!
# Contexts

A context keeps the `reference` state last loaded and the `accumulator`, the composition of every
delta accumulated since. Reading is one XOR, whatever the number of deltas: this module proves that
it equals the sequential replay of those deltas, and states every law of the context operations.
-/

namespace Atomik

/-- A delta-state context: the reference state and the accumulated delta. Python: AtomikContext. -/
structure Context (w : Nat) where
  /-- The state last loaded (or swapped in). -/
  reference : BitVec w
  /-- The composition of the deltas accumulated since. -/
  accumulator : BitVec w

namespace Context

/-- Loading a value makes it the reference and clears the accumulator. Python: AtomikContext.load. -/
@[expose] def load {w : Nat} (_c : Context w) (v : BitVec w) : Context w := ⟨v, 0#w⟩

/-- Accumulating a delta composes it into the accumulator. Python: AtomikContext.accum. -/
@[expose] def accum {w : Nat} (c : Context w) (d : BitVec w) : Context w :=
  ⟨c.reference, c.accumulator ^^^ d⟩

/-- The current state: the reference with the accumulator applied. Python: AtomikContext.read. -/
@[expose] def read {w : Nat} (c : Context w) : BitVec w := c.reference ^^^ c.accumulator

/-- Swapping makes the current state the new reference and clears the accumulator. Python: AtomikContext.swap. -/
@[expose] def swap {w : Nat} (c : Context w) : Context w := ⟨c.read, 0#w⟩

/-- Rolling back a delta accumulates it again, which cancels it. Python: AtomikContext.rollback. -/
@[expose] def rollback {w : Nat} (c : Context w) (d : BitVec w) : Context w := c.accum d

/-- Merging keeps the first reference and composes both accumulators. Python: AtomikContext.merge. -/
@[expose] def merge {w : Nat} (c₁ c₂ : Context w) : Context w :=
  ⟨c₁.reference, c₁.accumulator ^^^ c₂.accumulator⟩

/-- Accumulating a list of deltas one after the other. Python: AtomikContext.accum_many. -/
@[expose] def accumAll {w : Nat} : Context w → List (BitVec w) → Context w
  | c, [] => c
  | c, d :: ds => accumAll (c.accum d) ds

/-- The sequential replay of a list of deltas from a starting state, the O(n) baseline. Python: atomik.context.replay. -/
@[expose] def replay {w : Nat} : BitVec w → List (BitVec w) → BitVec w
  | v, [] => v
  | v, d :: ds => replay (Delta.applyDelta v d) ds

/-- A context is clean when nothing has been accumulated since the last load or swap. Python: AtomikContext.is_clean. -/
@[expose] def isClean {w : Nat} (c : Context w) : Bool := decide (c.accumulator = 0#w)

/-! ## Single operations -/

/-- The current state is the reference composed with the accumulator. Python: AtomikContext.read. -/
theorem read_eq {w : Nat} (c : Context w) : c.read = c.reference ^^^ c.accumulator := by
  simp [read]

/-- After loading a value the context reads that value. Python: AtomikContext.load. -/
theorem read_load {w : Nat} (c : Context w) (v : BitVec w) : (c.load v).read = v := by
  simp [load, read]

/-- Loading a value clears the accumulator. Python: AtomikContext.load. -/
theorem accumulator_load {w : Nat} (c : Context w) (v : BitVec w) :
    (c.load v).accumulator = 0#w := by
  simp [load]

/-- Accumulating a delta applies it to the current state. Python: AtomikContext.accum. -/
theorem read_accum {w : Nat} (c : Context w) (d : BitVec w) : (c.accum d).read = c.read ^^^ d := by
  simp only [accum, read, BitVec.xor_assoc]

/-- Accumulating a delta leaves the reference untouched. Python: AtomikContext.accum. -/
theorem reference_accum {w : Nat} (c : Context w) (d : BitVec w) :
    (c.accum d).reference = c.reference := by
  simp [accum]

/-- Swapping does not change the current state. Python: AtomikContext.swap. -/
theorem read_swap {w : Nat} (c : Context w) : c.swap.read = c.read := by
  simp [swap, read]

/-- After a swap the context is clean. Python: AtomikContext.swap. -/
theorem isClean_swap {w : Nat} (c : Context w) : c.swap.isClean = true := by
  simp [swap, isClean]

/-- Swapping twice is the same as swapping once. Python: AtomikContext.swap. -/
theorem swap_swap {w : Nat} (c : Context w) : c.swap.swap = c.swap := by
  simp [swap, read]

/-- Accumulating two deltas in turn is accumulating their composition. Python: AtomikContext.accum. -/
theorem accum_accum {w : Nat} (c : Context w) (a b : BitVec w) :
    (c.accum a).accum b = c.accum (a ^^^ b) := by
  simp [accum, BitVec.xor_assoc]

/-- The order in which two deltas are accumulated does not matter. Python: AtomikContext.accum. -/
theorem accum_comm {w : Nat} (c : Context w) (a b : BitVec w) :
    (c.accum a).accum b = (c.accum b).accum a := by
  rw [accum_accum, accum_accum, BitVec.xor_comm a b]

/-- Accumulating the zero delta changes nothing. Python: AtomikContext.accum. -/
theorem accum_zero {w : Nat} (c : Context w) : c.accum 0#w = c := by
  cases c
  simp [accum]

/-- Rolling back a delta undoes accumulating it. Python: AtomikContext.rollback. -/
theorem rollback_accum {w : Nat} (c : Context w) (d : BitVec w) : (c.accum d).rollback d = c := by
  cases c
  simp [rollback, accum, BitVec.xor_assoc]

/-- A context is clean exactly when its accumulator is zero. Python: AtomikContext.is_clean. -/
theorem isClean_iff {w : Nat} (c : Context w) : c.isClean = true ↔ c.accumulator = 0#w := by
  simp [isClean]

/-- A clean context reads its reference. Python: AtomikContext.is_clean. -/
theorem read_of_isClean {w : Nat} (c : Context w) (h : c.isClean = true) :
    c.read = c.reference := by
  simp [isClean] at h
  simp [read, h]

/-- Accumulating a delta leaves the context clean exactly when the delta equals the accumulator. Python: AtomikContext.is_clean. -/
theorem isClean_accum_iff {w : Nat} (c : Context w) (d : BitVec w) :
    (c.accum d).isClean = true ↔ d = c.accumulator := by
  simp only [isClean, accum, decide_eq_true_eq, BitVec.xor_eq_zero_iff]
  exact eq_comm

/-! ## Lists of deltas and the replay baseline -/

/-- Accumulating a list of deltas is accumulating their composition once. Python: AtomikContext.accum_many. -/
theorem accumAll_eq {w : Nat} (c : Context w) (ds : List (BitVec w)) :
    c.accumAll ds = c.accum (Delta.composeAll ds) := by
  induction ds generalizing c with
  | nil => simp [accumAll, Delta.composeAll, accum_zero]
  | cons d ds ih =>
    simp only [accumAll, Delta.composeAll]
    rw [ih, accum_accum]

/-- After accumulating a list of deltas the context reads its old state with their composition applied. Python: AtomikContext.accum_many. -/
theorem read_accumAll {w : Nat} (c : Context w) (ds : List (BitVec w)) :
    (c.accumAll ds).read = c.read ^^^ Delta.composeAll ds := by
  rw [accumAll_eq, read_accum]

/-- Accumulating a list of deltas gives the same context in any order. Python: AtomikContext.accum_many. -/
theorem accumAll_perm {w : Nat} (c : Context w) (ds₁ ds₂ : List (BitVec w)) (h : ds₁.Perm ds₂) :
    c.accumAll ds₁ = c.accumAll ds₂ := by
  rw [accumAll_eq, accumAll_eq, Delta.composeAll_perm ds₁ ds₂ h]

/-- Accumulating a concatenation is accumulating the first part, then the second. Python: AtomikContext.accum_many. -/
theorem accumAll_append {w : Nat} (c : Context w) (ds₁ ds₂ : List (BitVec w)) :
    c.accumAll (ds₁ ++ ds₂) = (c.accumAll ds₁).accumAll ds₂ := by
  induction ds₁ generalizing c with
  | nil => rfl
  | cons d ds ih => simp only [List.cons_append, accumAll, ih]

/-- Accumulating the same list of deltas a second time restores the context, which undoes a batch. Python: AtomikContext.accum_many. -/
theorem accumAll_accumAll_self {w : Nat} (c : Context w) (ds : List (BitVec w)) :
    (c.accumAll ds).accumAll ds = c := by
  rw [accumAll_eq, accumAll_eq, accum_accum, BitVec.xor_self, accum_zero]

/-- Replaying a list of deltas from a state gives that state with their composition applied. Python: atomik.context.replay. -/
theorem replay_eq {w : Nat} (v : BitVec w) (ds : List (BitVec w)) :
    Context.replay v ds = v ^^^ Delta.composeAll ds := by
  induction ds generalizing v with
  | nil => simp [replay, Delta.composeAll]
  | cons d ds ih => simp only [replay, Delta.composeAll, ih, Delta.applyDelta, BitVec.xor_assoc]

/-- The constant-time read after a list of deltas equals the sequential replay of that list. Python: AtomikContext.read. -/
theorem read_accumAll_eq_replay {w : Nat} (c : Context w) (ds : List (BitVec w)) :
    (c.accumAll ds).read = Context.replay c.read ds := by
  rw [read_accumAll, replay_eq]

/-- After loading a value and accumulating any list of deltas, the read equals replaying the list from that value. Python: AtomikContext.read. -/
theorem read_accumAll_load {w : Nat} (c : Context w) (v : BitVec w) (ds : List (BitVec w)) :
    ((c.load v).accumAll ds).read = Context.replay v ds := by
  rw [read_accumAll_eq_replay, read_load]

/-- Replaying a concatenation is replaying the second part from the result of the first. Python: atomik.context.replay. -/
theorem replay_append {w : Nat} (v : BitVec w) (ds₁ ds₂ : List (BitVec w)) :
    Context.replay v (ds₁ ++ ds₂) = Context.replay (Context.replay v ds₁) ds₂ := by
  induction ds₁ generalizing v with
  | nil => rfl
  | cons d ds ih => simp only [List.cons_append, replay, ih]

/-- Replaying a list of deltas gives the same state in any order. Python: atomik.context.replay. -/
theorem replay_perm {w : Nat} (v : BitVec w) (ds₁ ds₂ : List (BitVec w)) (h : ds₁.Perm ds₂) :
    Context.replay v ds₁ = Context.replay v ds₂ := by
  rw [replay_eq, replay_eq, Delta.composeAll_perm ds₁ ds₂ h]

/-! ## Merging -/

/-- A merged context reads the first context's state with the second accumulator applied. Python: AtomikContext.merge. -/
theorem read_merge {w : Nat} (c₁ c₂ : Context w) :
    (c₁.merge c₂).read = c₁.read ^^^ c₂.accumulator := by
  simp [merge, read, BitVec.xor_assoc]

/-- Merging two contexts loaded with the same value equals accumulating both delta lists into one. Python: AtomikContext.merge. -/
theorem merge_accumAll_load {w : Nat} (c₁ c₂ : Context w) (v : BitVec w)
    (ds₁ ds₂ : List (BitVec w)) :
    ((c₁.load v).accumAll ds₁).merge ((c₂.load v).accumAll ds₂) =
      (c₁.load v).accumAll (ds₁ ++ ds₂) := by
  simp only [accumAll_eq, Delta.composeAll_append]
  simp [merge, load, accum, Delta.compose]

/-- Merging is associative. Python: AtomikContext.merge. -/
theorem merge_assoc {w : Nat} (c₁ c₂ c₃ : Context w) :
    (c₁.merge c₂).merge c₃ = c₁.merge (c₂.merge c₃) := by
  simp [merge, BitVec.xor_assoc]

/-- Merging two contexts that share a reference gives the same context in either order. Python: AtomikContext.merge. -/
theorem merge_comm {w : Nat} (c₁ c₂ : Context w) (h : c₁.reference = c₂.reference) :
    c₁.merge c₂ = c₂.merge c₁ := by
  cases c₁ with
  | mk r₁ a₁ =>
    cases c₂ with
    | mk r₂ a₂ =>
      have h' : r₁ = r₂ := h
      subst h'
      simp only [merge]
      congr 1
      exact BitVec.xor_comm a₁ a₂

/-- Merging in a freshly loaded context changes nothing. Python: AtomikContext.merge. -/
theorem merge_load {w : Nat} (c c' : Context w) (v : BitVec w) : c.merge (c'.load v) = c := by
  cases c
  simp [merge, load]

end Context

end Atomik
