module

public import Atomik.Context

public section

set_option autoImplicit false

/-!
# Tables

A table holds one context per address. Operations at one address leave every other address alone,
a batch of accumulations scattered over addresses equals the same accumulations done one by one in
any order, and restoring a snapshot gives back every state it recorded.
-/

namespace Atomik

/-- A table of contexts indexed by address. Python: AtomikTable. -/
structure Table (w : Nat) where
  /-- The context stored at each address. -/
  get : Nat → Context w

namespace Table

/-- A table whose every context reads zero. Python: AtomikTable. -/
@[expose] noncomputable def empty (w : Nat) : Table w := ⟨fun _ => ⟨0#w, 0#w⟩⟩

/-- Change the context at one address with `f`, leaving the others alone. Python: AtomikTable. -/
@[expose] noncomputable def update {w : Nat} (t : Table w) (a : Nat) (f : Context w → Context w) : Table w :=
  ⟨fun b => if b = a then f (t.get b) else t.get b⟩

/-- Load a value at one address. Python: AtomikTable.load. -/
@[expose] noncomputable def load {w : Nat} (t : Table w) (a : Nat) (v : BitVec w) : Table w :=
  t.update a (fun c => c.load v)

/-- Accumulate a delta at one address. Python: AtomikTable.accum. -/
@[expose] noncomputable def accum {w : Nat} (t : Table w) (a : Nat) (d : BitVec w) : Table w :=
  t.update a (fun c => c.accum d)

/-- The current state at one address. Python: AtomikTable.read. -/
@[expose] noncomputable def read {w : Nat} (t : Table w) (a : Nat) : BitVec w := (t.get a).read

/-- Roll back a delta at one address, which accumulates it again. Python: AtomikTable.rollback. -/
@[expose] noncomputable def rollback {w : Nat} (t : Table w) (a : Nat) (d : BitVec w) : Table w :=
  t.update a (fun c => c.rollback d)

/-- Swap the context at one address. Python: AtomikTable.swap. -/
@[expose] noncomputable def swap {w : Nat} (t : Table w) (a : Nat) : Table w := t.update a Context.swap

/-- Accumulate a list of (address, delta) pairs one after the other. Python: AtomikTable.accum. -/
@[expose] noncomputable def accumSeq {w : Nat} : Table w → List (Nat × BitVec w) → Table w
  | t, [] => t
  | t, (a, d) :: ops => accumSeq (t.accum a d) ops

/-- The deltas of a batch addressed to one address, in batch order. Python: AtomikTable.accum_batch. -/
@[expose] noncomputable def deltasAt {w : Nat} : List (Nat × BitVec w) → Nat → List (BitVec w)
  | [], _ => []
  | (b, d) :: ops, a => if b = a then d :: deltasAt ops a else deltasAt ops a

/-- A batch of accumulations scattered over addresses: each address accumulates its own deltas. Python: AtomikTable.accum_batch. -/
@[expose] noncomputable def accumBatch {w : Nat} (t : Table w) (ops : List (Nat × BitVec w)) : Table w :=
  ⟨fun a => (t.get a).accumAll (deltasAt ops a)⟩

/-- The current states at a list of addresses. Python: AtomikTable.read_batch. -/
@[expose] noncomputable def readBatch {w : Nat} (t : Table w) : List Nat → List (BitVec w)
  | [] => []
  | a :: addrs => t.read a :: readBatch t addrs

/-- The (address, state) pairs of the non-zero states below address `n`. Python: AtomikTable.snapshot. -/
@[expose] noncomputable def snapshot {w : Nat} (t : Table w) : Nat → List (Nat × BitVec w)
  | 0 => []
  | n + 1 => if t.read n = 0#w then snapshot t n else (n, t.read n) :: snapshot t n

/-- The state a snapshot records for an address, zero when it records none. Python: AtomikTable.restore. -/
@[expose] noncomputable def restoreValue {w : Nat} : List (Nat × BitVec w) → Nat → BitVec w
  | [], _ => 0#w
  | (b, v) :: s, a => if b = a then v else restoreValue s a

/-- The table whose contexts are loaded with the states a snapshot records. Python: AtomikTable.restore. -/
@[expose] noncomputable def restore {w : Nat} (s : List (Nat × BitVec w)) : Table w :=
  ⟨fun a => ⟨restoreValue s a, 0#w⟩⟩

/-! ## Independence of addresses -/

/-- Every address of a new table reads zero. Python: AtomikTable. -/
theorem read_empty (w a : Nat) : (Table.empty w).read a = 0#w := by
  simp [empty, read, Context.read]

/-- After loading a value at an address, that address reads the value. Python: AtomikTable.load. -/
theorem read_load {w : Nat} (t : Table w) (a : Nat) (v : BitVec w) : (t.load a v).read a = v := by
  simp [load, update, read, Context.read_load]

/-- Loading at one address leaves every other address unchanged. Python: AtomikTable.load. -/
theorem read_load_of_ne {w : Nat} (t : Table w) (a b : Nat) (v : BitVec w) (h : a ≠ b) :
    (t.load a v).read b = t.read b := by
  simp [load, update, read, Ne.symm h]

/-- Accumulating a delta at an address applies it to that address's state. Python: AtomikTable.accum. -/
theorem read_accum {w : Nat} (t : Table w) (a : Nat) (d : BitVec w) :
    (t.accum a d).read a = t.read a ^^^ d := by
  simp [accum, update, read, Context.read_accum]

/-- Accumulating at one address leaves every other address unchanged. Python: AtomikTable.accum. -/
theorem read_accum_of_ne {w : Nat} (t : Table w) (a b : Nat) (d : BitVec w) (h : a ≠ b) :
    (t.accum a d).read b = t.read b := by
  simp [accum, update, read, Ne.symm h]

/-- Swapping an address changes the state of no address. Python: AtomikTable.swap. -/
theorem read_swap {w : Nat} (t : Table w) (a b : Nat) : (t.swap a).read b = t.read b := by
  simp only [swap, update, read]
  by_cases h : b = a <;> simp [h, Context.read_swap]

/-- Accumulating the zero delta at an address changes nothing. Python: AtomikTable.accum. -/
theorem accum_zero {w : Nat} (t : Table w) (a : Nat) : t.accum a 0#w = t := by
  cases t with
  | mk g =>
    simp only [accum, update, Table.mk.injEq]
    funext x
    by_cases hx : x = a <;> simp [hx, Context.accum_zero]

/-- Two accumulations give the same table in either order, at the same or at different addresses. Python: AtomikTable.accum. -/
theorem accum_comm {w : Nat} (t : Table w) (a b : Nat) (d e : BitVec w) :
    (t.accum a d).accum b e = (t.accum b e).accum a d := by
  cases t with
  | mk g =>
    simp only [accum, update, Table.mk.injEq]
    funext x
    by_cases hxa : x = a
    · subst hxa
      by_cases hxb : x = b
      · subst hxb
        simp [Context.accum_comm]
      · simp [hxb]
    · by_cases hxb : x = b
      · subst hxb
        simp [hxa]
      · simp [hxa, hxb]

/-- Two accumulations at one address equal one accumulation of their composition. Python: AtomikTable.accum. -/
theorem accum_accum {w : Nat} (t : Table w) (a : Nat) (d e : BitVec w) :
    (t.accum a d).accum a e = t.accum a (d ^^^ e) := by
  cases t with
  | mk g =>
    simp only [accum, update, Table.mk.injEq]
    funext x
    by_cases hx : x = a <;> simp [hx, Context.accum_accum]

/-- Rolling back a delta at an address undoes accumulating it there. Python: AtomikTable.rollback. -/
theorem rollback_accum {w : Nat} (t : Table w) (a : Nat) (d : BitVec w) :
    (t.accum a d).rollback a d = t := by
  have h : ∀ u : Table w, u.rollback a d = u.accum a d := by
    intro u
    simp [rollback, accum, Context.rollback]
  rw [h, accum_accum, BitVec.xor_self, accum_zero]

/-! ## Batches -/

/-- A scattered batch of accumulations equals the same accumulations done one by one. Python: AtomikTable.accum_batch. -/
theorem accumBatch_eq_accumSeq {w : Nat} (t : Table w) (ops : List (Nat × BitVec w)) :
    t.accumBatch ops = t.accumSeq ops := by
  induction ops generalizing t with
  | nil =>
    cases t
    simp [accumBatch, accumSeq, deltasAt, Context.accumAll]
  | cons op ops ih =>
    obtain ⟨a, d⟩ := op
    simp only [accumSeq]
    rw [← ih]
    cases t with
    | mk g =>
      simp only [accumBatch, accum, update, Table.mk.injEq]
      funext x
      by_cases hx : x = a
      · subst hx
        simp [deltasAt, Context.accumAll]
      · simp [deltasAt, hx, Ne.symm hx]

/-- Accumulations done one by one give the same table in any order. Python: AtomikTable.accum. -/
theorem accumSeq_perm {w : Nat} (t : Table w) (ops₁ ops₂ : List (Nat × BitVec w))
    (h : ops₁.Perm ops₂) : t.accumSeq ops₁ = t.accumSeq ops₂ := by
  induction h generalizing t with
  | nil => rfl
  | cons op _ ih =>
    obtain ⟨a, d⟩ := op
    simp only [accumSeq]
    exact ih _
  | swap op₁ op₂ l =>
    obtain ⟨a, d⟩ := op₁
    obtain ⟨b, e⟩ := op₂
    simp only [accumSeq]
    rw [accum_comm]
  | trans _ _ ih₁ ih₂ => exact (ih₁ t).trans (ih₂ t)

/-- A batch gives the same table in any order of its entries. Python: AtomikTable.accum_batch. -/
theorem accumBatch_perm {w : Nat} (t : Table w) (ops₁ ops₂ : List (Nat × BitVec w))
    (h : ops₁.Perm ops₂) : t.accumBatch ops₁ = t.accumBatch ops₂ := by
  rw [accumBatch_eq_accumSeq, accumBatch_eq_accumSeq, accumSeq_perm t ops₁ ops₂ h]

/-- Accumulating a concatenation one by one is accumulating the first part, then the second. Python: AtomikTable.accum. -/
theorem accumSeq_append {w : Nat} (t : Table w) (ops₁ ops₂ : List (Nat × BitVec w)) :
    t.accumSeq (ops₁ ++ ops₂) = (t.accumSeq ops₁).accumSeq ops₂ := by
  induction ops₁ generalizing t with
  | nil => rfl
  | cons op ops ih =>
    obtain ⟨a, d⟩ := op
    simp only [List.cons_append, accumSeq]
    exact ih _

/-- After a batch, each address reads its old state with the composition of the deltas sent to it applied. Python: AtomikTable.accum_batch. -/
theorem read_accumBatch {w : Nat} (t : Table w) (ops : List (Nat × BitVec w)) (a : Nat) :
    (t.accumBatch ops).read a = t.read a ^^^ Delta.composeAll (Table.deltasAt ops a) := by
  simp only [accumBatch, read]
  exact Context.read_accumAll _ _

/-- Reading a list of addresses reads each address in turn. Python: AtomikTable.read_batch. -/
theorem readBatch_cons {w : Nat} (t : Table w) (a : Nat) (addrs : List Nat) :
    t.readBatch (a :: addrs) = t.read a :: t.readBatch addrs := by
  simp [readBatch]

/-! ## Snapshots -/

/-- Restoring a snapshot taken below address `n` gives zero at every address from `n` on. Python: AtomikTable.restore. -/
theorem read_restore_snapshot_of_le {w : Nat} (t : Table w) (n a : Nat) (h : n ≤ a) :
    (Table.restore (t.snapshot n)).read a = 0#w := by
  induction n with
  | zero => simp [restore, read, snapshot, restoreValue, Context.read]
  | succ n ih =>
    have ih' := ih (by omega)
    have hna : n ≠ a := by omega
    simp only [snapshot]
    split
    · exact ih'
    · simp only [restore, read, restoreValue, if_neg hna] at ih' ⊢
      exact ih'

/-- Restoring a snapshot taken below address `n` gives back the state of every address below `n`. Python: AtomikTable.restore. -/
theorem read_restore_snapshot {w : Nat} (t : Table w) (n a : Nat) (h : a < n) :
    (Table.restore (t.snapshot n)).read a = t.read a := by
  induction n with
  | zero => exact absurd h (by omega)
  | succ n ih =>
    by_cases ha : a = n
    · subst ha
      simp only [snapshot]
      split
      · rename_i hz
        rw [read_restore_snapshot_of_le _ _ _ (Nat.le_refl _)]
        exact hz.symm
      · simp [restore, read, restoreValue, Context.read]
    · have ih' := ih (by omega)
      have hna : n ≠ a := fun e => ha e.symm
      simp only [snapshot]
      split
      · exact ih'
      · simp only [restore, read, restoreValue, if_neg hna] at ih' ⊢
        exact ih'

end Table

end Atomik
