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

/-- Load a list of (address, value) pairs one after the other, so for a repeated address the last value wins. Python: AtomikTable.load_batch. -/
@[expose] noncomputable def loadBatch {w : Nat} : Table w → List (Nat × BitVec w) → Table w
  | t, [] => t
  | t, (a, v) :: ops => loadBatch (t.load a v) ops

/-- The (address, delta) pairs below address `n` whose delta from the state of `t₁` to that of `t₂` is non-zero. Python: AtomikTable.diff. -/
@[expose] noncomputable def diff {w : Nat} (t₁ t₂ : Table w) : Nat → List (Nat × BitVec w)
  | 0 => []
  | n + 1 =>
    if Delta.computeDelta (t₁.read n) (t₂.read n) = 0#w then diff t₁ t₂ n
    else (n, Delta.computeDelta (t₁.read n) (t₂.read n)) :: diff t₁ t₂ n

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

/-- A batch of loads is its first load followed by the rest of the batch. Python: AtomikTable.load_batch. -/
theorem loadBatch_cons {w : Nat} (t : Table w) (a : Nat) (v : BitVec w) (ops : List (Nat × BitVec w)) :
    t.loadBatch ((a, v) :: ops) = (t.load a v).loadBatch ops := by
  rfl

/-- Loading a concatenation is loading the first part, then the second. Python: AtomikTable.load_batch. -/
theorem loadBatch_append {w : Nat} (t : Table w) (ops₁ ops₂ : List (Nat × BitVec w)) :
    t.loadBatch (ops₁ ++ ops₂) = (t.loadBatch ops₁).loadBatch ops₂ := by
  induction ops₁ generalizing t with
  | nil => rfl
  | cons op ops ih =>
    obtain ⟨a, v⟩ := op
    simp only [List.cons_append, loadBatch]
    exact ih _

/-- A batch of loads leaves the context of an address it does not load unchanged. Python: AtomikTable.load_batch. -/
theorem get_loadBatch_of_not_mem {w : Nat} (t : Table w) (ops : List (Nat × BitVec w)) (a : Nat)
    (h : ∀ u : BitVec w, (a, u) ∉ ops) : (t.loadBatch ops).get a = t.get a := by
  induction ops generalizing t with
  | nil => rfl
  | cons op ops ih =>
    obtain ⟨b, x⟩ := op
    have hb : a ≠ b := by
      intro e
      subst e
      exact h x (by simp)
    have h' : ∀ u : BitVec w, (a, u) ∉ ops := fun u hu => h u (List.mem_cons_of_mem _ hu)
    simp only [loadBatch]
    rw [ih _ h']
    simp only [load, update, if_neg hb]

/-- After a batch of loads an address reads the value of the last load addressed to it. Python: AtomikTable.load_batch. -/
theorem read_loadBatch_last {w : Nat} (t : Table w) (ops₁ ops₂ : List (Nat × BitVec w)) (a : Nat)
    (v : BitVec w) (h : ∀ u : BitVec w, (a, u) ∉ ops₂) :
    (t.loadBatch (ops₁ ++ (a, v) :: ops₂)).read a = v := by
  rw [loadBatch_append, loadBatch_cons]
  simp only [read]
  rw [get_loadBatch_of_not_mem _ _ _ h]
  simp [load, update, Context.read_load]

/-- After a batch of loads every address it loads has a clean accumulator. Python: AtomikTable.load_batch. -/
theorem isClean_loadBatch {w : Nat} (t : Table w) (ops₁ ops₂ : List (Nat × BitVec w)) (a : Nat)
    (v : BitVec w) : ((t.loadBatch (ops₁ ++ (a, v) :: ops₂)).get a).isClean = true := by
  have keep : ∀ (u : Table w) (ops : List (Nat × BitVec w)), (u.get a).isClean = true →
      ((u.loadBatch ops).get a).isClean = true := by
    intro u ops hu
    induction ops generalizing u with
    | nil => exact hu
    | cons op ops ih =>
      obtain ⟨b, x⟩ := op
      simp only [loadBatch]
      apply ih
      by_cases hb : a = b
      · subst hb
        simp [load, update, Context.load, Context.isClean]
      · simp only [load, update, if_neg hb]
        exact hu
  rw [loadBatch_append, loadBatch_cons]
  apply keep
  simp [load, update, Context.load, Context.isClean]

/-! ## Differences between tables -/

/-- A pair is in the diff exactly when its address is below the bound and its delta is the non-zero delta between the two states there. Python: AtomikTable.diff. -/
theorem mem_diff {w : Nat} (t₁ t₂ : Table w) (n a : Nat) (d : BitVec w) :
    (a, d) ∈ t₁.diff t₂ n ↔
      a < n ∧ d = Delta.computeDelta (t₁.read a) (t₂.read a) ∧ d ≠ 0#w := by
  induction n with
  | zero => simp [diff]
  | succ n ih =>
    simp only [diff]
    split
    · rename_i hz
      rw [ih]
      constructor
      · rintro ⟨ha, hd, hne⟩
        exact ⟨by omega, hd, hne⟩
      · rintro ⟨ha, hd, hne⟩
        refine ⟨?_, hd, hne⟩
        by_cases han : a = n
        · subst han
          exact absurd (hd.trans hz) hne
        · omega
    · rename_i hz
      rw [List.mem_cons, ih, Prod.mk.injEq]
      constructor
      · rintro (⟨rfl, rfl⟩ | ⟨ha, hd, hne⟩)
        · exact ⟨by omega, rfl, hz⟩
        · exact ⟨by omega, hd, hne⟩
      · rintro ⟨ha, hd, hne⟩
        by_cases han : a = n
        · left
          exact ⟨han, by rw [hd, han]⟩
        · right
          exact ⟨by omega, hd, hne⟩

/-- Applying the diff to the first table makes every address below the bound read as in the second. Python: AtomikTable.diff. -/
theorem read_accumBatch_diff {w : Nat} (t₁ t₂ : Table w) (n a : Nat) (h : a < n) :
    (t₁.accumBatch (t₁.diff t₂ n)).read a = t₂.read a := by
  have above : ∀ m : Nat, m ≤ a → Table.deltasAt (t₁.diff t₂ m) a = [] := by
    intro m hm
    induction m with
    | zero => simp [diff, deltasAt]
    | succ m ih =>
      have hma : m ≠ a := by omega
      simp only [diff]
      split
      · exact ih (by omega)
      · simp only [deltasAt, if_neg hma]
        exact ih (by omega)
  have sent : Delta.composeAll (Table.deltasAt (t₁.diff t₂ n) a) =
      Delta.computeDelta (t₁.read a) (t₂.read a) := by
    induction n with
    | zero => exact absurd h (by omega)
    | succ n ih =>
      simp only [diff]
      by_cases han : a = n
      · subst han
        split
        · rename_i hz
          rw [above _ (Nat.le_refl _), Delta.composeAll_nil, hz]
        · simp only [deltasAt]
          rw [if_pos trivial, Delta.composeAll_cons, above _ (Nat.le_refl _), Delta.composeAll_nil,
            Delta.compose_zero]
      · have hna : n ≠ a := fun e => han e.symm
        have ih' := ih (by omega)
        split
        · exact ih'
        · simp only [deltasAt, if_neg hna]
          exact ih'
  rw [read_accumBatch, sent]
  exact Delta.applyDelta_computeDelta (t₁.read a) (t₂.read a)

/-- Applying the diff to the first table leaves every address from the bound on unchanged. Python: AtomikTable.diff. -/
theorem read_accumBatch_diff_of_le {w : Nat} (t₁ t₂ : Table w) (n a : Nat) (h : n ≤ a) :
    (t₁.accumBatch (t₁.diff t₂ n)).read a = t₁.read a := by
  have hnil : Table.deltasAt (t₁.diff t₂ n) a = [] := by
    induction n with
    | zero => simp [diff, deltasAt]
    | succ n ih =>
      have hna : n ≠ a := by omega
      simp only [diff]
      split
      · exact ih (by omega)
      · simp only [deltasAt, if_neg hna]
        exact ih (by omega)
  rw [read_accumBatch, hnil, Delta.composeAll_nil, BitVec.xor_zero]

/-- The diff of a table with itself is empty. Python: AtomikTable.diff. -/
theorem diff_self {w : Nat} (t : Table w) (n : Nat) : t.diff t n = [] := by
  induction n with
  | zero => simp [diff]
  | succ n ih => simp [diff, Delta.computeDelta_self, ih]

/-- The diff from `t₁` to `t₂` holds the same deltas as the diff from `t₂` to `t₁`. Python: AtomikTable.diff. -/
theorem diff_comm {w : Nat} (t₁ t₂ : Table w) (n : Nat) : t₁.diff t₂ n = t₂.diff t₁ n := by
  induction n with
  | zero => simp [diff]
  | succ n ih => simp only [diff, ih, Delta.computeDelta_comm (t₁.read n) (t₂.read n)]

/-- The diff is empty exactly when the two tables read the same at every address below the bound. Python: AtomikTable.diff. -/
theorem diff_eq_nil_iff {w : Nat} (t₁ t₂ : Table w) (n : Nat) :
    t₁.diff t₂ n = [] ↔ ∀ a : Nat, a < n → t₁.read a = t₂.read a := by
  induction n with
  | zero => simp [diff]
  | succ n ih =>
    simp only [diff]
    split
    · rename_i hz
      rw [ih]
      constructor
      · intro hall a ha
        by_cases han : a = n
        · subst han
          exact (Delta.computeDelta_eq_zero_iff _ _).1 hz
        · exact hall a (by omega)
      · intro hall a ha
        exact hall a (by omega)
    · rename_i hz
      constructor
      · intro hnil
        exact absurd hnil (List.cons_ne_nil _ _)
      · intro hall
        exact absurd ((Delta.computeDelta_eq_zero_iff _ _).2 (hall n (by omega))) hz

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
