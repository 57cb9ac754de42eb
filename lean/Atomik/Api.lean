module

public import Atomik.Table

public section

set_option autoImplicit false

/-!
# The public API as observed

What the Python API does beyond the functional model of `Atomik.Context` and `Atomik.Table`:
`swap` with an argument, the table snapshot in Python's own format (`(reference, accumulator)`
pairs) and its exact restore, the `delta_count` a context keeps next to the model, and the
acceptance rule of every validating boundary, stated over a model of the raw input (Python ints,
`uint64` words, rows of little-endian words) rather than over `BitVec`.
-/

namespace Atomik

/-! ## Swap with an argument -/

namespace Context

/-- Swapping in a given reference: it becomes the reference, the accumulator is cleared. Python: AtomikContext.swap(new_reference). -/
@[expose] noncomputable def swapTo {w : Nat} (_c : Context w) (v : BitVec w) : Context w := ⟨v, 0#w⟩

/-- After swapping in a reference the context reads it, whatever it read before. Python: AtomikContext.swap(new_reference). -/
theorem read_swapTo {w : Nat} (c : Context w) (v : BitVec w) : (c.swapTo v).read = v := by
  simp [swapTo, read]

/-- Swapping in a reference leaves the context clean. Python: AtomikContext.swap(new_reference). -/
theorem isClean_swapTo {w : Nat} (c : Context w) (v : BitVec w) : (c.swapTo v).isClean = true := by
  simp [swapTo, isClean]

/-- Swapping in the current state is the swap without argument. Python: AtomikContext.swap(ctx.read()). -/
theorem swapTo_read {w : Nat} (c : Context w) : c.swapTo c.read = c.swap := by
  simp [swapTo, swap]

/-- Swapping in a reference is loading it. Python: AtomikContext.swap(v) and AtomikContext.load(v). -/
theorem swapTo_eq_load {w : Nat} (c : Context w) (v : BitVec w) : c.swapTo v = c.load v := by
  simp [swapTo, load]

/-- Swapping in a reference discards the accumulated deltas: the new state is the old one with the delta to the argument applied. Python: AtomikContext.swap(new_reference). -/
theorem read_swapTo_eq_applyDelta {w : Nat} (c : Context w) (v : BitVec w) :
    (c.swapTo v).read = Delta.applyDelta c.read (Delta.computeDelta c.read v) := by
  rw [read_swapTo, Delta.applyDelta_computeDelta]

end Context

namespace Table

/-- Swap in a given reference at one address. Python: AtomikTable.swap(addr, new_reference). -/
@[expose] noncomputable def swapTo {w : Nat} (t : Table w) (a : Nat) (v : BitVec w) : Table w :=
  t.update a (fun c => c.swapTo v)

/-- After swapping in a reference at an address, that address reads it. Python: AtomikTable.swap(addr, new_reference). -/
theorem read_swapTo {w : Nat} (t : Table w) (a : Nat) (v : BitVec w) : (t.swapTo a v).read a = v := by
  simp [swapTo, update, read, Context.swapTo, Context.read]

/-- Swapping in a reference at one address leaves every other address alone. Python: AtomikTable.swap(addr, new_reference). -/
theorem read_swapTo_of_ne {w : Nat} (t : Table w) (a b : Nat) (v : BitVec w) (h : a ≠ b) :
    (t.swapTo a v).read b = t.read b := by
  simp [swapTo, update, read, Ne.symm h]

/-! ## Snapshots in Python's format -/

/-- The (address, (reference, accumulator)) entries below `n` whose reference or accumulator is non-zero. Python: AtomikTable.snapshot()["entries"]. -/
@[expose] noncomputable def snapshotPairs {w : Nat} (t : Table w) : Nat → List (Nat × (BitVec w × BitVec w))
  | 0 => []
  | n + 1 =>
    if (t.get n).reference = 0#w ∧ (t.get n).accumulator = 0#w then snapshotPairs t n
    else (n, ((t.get n).reference, (t.get n).accumulator)) :: snapshotPairs t n

/-- The context an entry list gives an address: its recorded pair, a zero context when none. Python: the entry loop of AtomikTable.restore. -/
@[expose] noncomputable def restoreEntry {w : Nat} : List (Nat × (BitVec w × BitVec w)) → Nat → Context w
  | [], _ => ⟨0#w, 0#w⟩
  | (b, (r, x)) :: s, a => if b = a then ⟨r, x⟩ else restoreEntry s a

/-- The table restored from (address, (reference, accumulator)) entries. Python: AtomikTable.restore. -/
@[expose] noncomputable def restorePairs {w : Nat} (s : List (Nat × (BitVec w × BitVec w))) : Table w :=
  ⟨fun a => restoreEntry s a⟩

/-- Two tables with the same context at every address are equal. Python: AtomikTable.__eq__. -/
theorem ext_get {w : Nat} (t₁ t₂ : Table w) (h : ∀ a : Nat, t₁.get a = t₂.get a) : t₁ = t₂ := by
  cases t₁ with
  | mk g₁ =>
    cases t₂ with
    | mk g₂ =>
      simp only [Table.mk.injEq]
      funext a
      exact h a

/-- A context whose reference and accumulator are zero is the zero context. Python: AtomikTable.snapshot omits it. -/
theorem context_eq_zero {w : Nat} (c : Context w) (h₁ : c.reference = 0#w) (h₂ : c.accumulator = 0#w) :
    c = ⟨0#w, 0#w⟩ := by
  cases c
  simp_all

/-- An entry is in the snapshot exactly when its address is below the bound, its pair is that address's (reference, accumulator), and the pair is not zero. Python: AtomikTable.snapshot. -/
theorem mem_snapshotPairs {w : Nat} (t : Table w) (n a : Nat) (p : BitVec w × BitVec w) :
    (a, p) ∈ t.snapshotPairs n ↔
      a < n ∧ p = ((t.get a).reference, (t.get a).accumulator) ∧ ¬ (p.1 = 0#w ∧ p.2 = 0#w) := by
  induction n with
  | zero => simp [snapshotPairs]
  | succ n ih =>
    simp only [snapshotPairs]
    split
    · rename_i hz
      rw [ih]
      constructor
      · rintro ⟨ha, hp, hne⟩
        exact ⟨by omega, hp, hne⟩
      · rintro ⟨ha, hp, hne⟩
        refine ⟨?_, hp, hne⟩
        by_cases han : a = n
        · subst han
          subst hp
          exact absurd hz hne
        · omega
    · rename_i hz
      rw [List.mem_cons, ih, Prod.mk.injEq]
      constructor
      · rintro (⟨rfl, rfl⟩ | ⟨ha, hp, hne⟩)
        · exact ⟨by omega, rfl, hz⟩
        · exact ⟨by omega, hp, hne⟩
      · rintro ⟨ha, hp, hne⟩
        by_cases han : a = n
        · left
          exact ⟨han, by rw [hp, han]⟩
        · right
          exact ⟨by omega, hp, hne⟩

/-- Restoring the entries of a snapshot below `n` gives each address below `n` its exact context and every other address the zero context. Python: AtomikTable.restore(t.snapshot()). -/
theorem restoreEntry_snapshotPairs {w : Nat} (t : Table w) (n a : Nat) :
    restoreEntry (t.snapshotPairs n) a = if a < n then t.get a else ⟨0#w, 0#w⟩ := by
  induction n with
  | zero => simp [snapshotPairs, restoreEntry]
  | succ n ih =>
    simp only [snapshotPairs]
    split
    · rename_i hz
      rw [ih]
      by_cases han : a = n
      · rw [han, if_neg (Nat.lt_irrefl n), if_pos (Nat.lt_succ_self n)]
        exact (context_eq_zero (t.get n) hz.1 hz.2).symm
      · by_cases hlt : a < n
        · rw [if_pos hlt, if_pos (by omega)]
        · rw [if_neg hlt, if_neg (by omega)]
    · simp only [restoreEntry]
      by_cases han : n = a
      · rw [if_pos han, if_pos (show a < n + 1 by omega), ← han]
      · rw [if_neg han, ih]
        by_cases hlt : a < n
        · rw [if_pos hlt, if_pos (by omega)]
        · rw [if_neg hlt, if_neg (by omega)]

/-- Restoring a table's snapshot gives back exactly that table (every reference and accumulator), for a table of `n` addresses (nothing stored from `n` on). Python: AtomikTable.restore(t.snapshot()) == t. -/
theorem restorePairs_snapshotPairs {w : Nat} (t : Table w) (n : Nat)
    (h : ∀ a : Nat, n ≤ a → t.get a = ⟨0#w, 0#w⟩) :
    Table.restorePairs (t.snapshotPairs n) = t := by
  apply ext_get
  intro a
  show restoreEntry (t.snapshotPairs n) a = t.get a
  rw [restoreEntry_snapshotPairs]
  by_cases ha : a < n
  · rw [if_pos ha]
  · rw [if_neg ha]
    exact (h a (by omega)).symm

end Table

/-! ## The delta count, next to the model -/

/-- A context with Python's `delta_count` beside it. Python: AtomikContext (its `_delta_count`). -/
structure Counted (w : Nat) where
  /-- The model's context (what `AtomikContext.__eq__` compares). -/
  ctx : Context w
  /-- The number of deltas accumulated since the last load or swap. Python: AtomikContext.delta_count. -/
  count : Nat

namespace Counted

/-- Accumulate one delta and count it. Python: AtomikContext.accum. -/
@[expose] noncomputable def accum {w : Nat} (c : Counted w) (d : BitVec w) : Counted w :=
  ⟨c.ctx.accum d, c.count + 1⟩

/-- Accumulate many deltas, counting each. Python: AtomikContext.accum_many. -/
@[expose] noncomputable def accumMany {w : Nat} (c : Counted w) (ds : List (BitVec w)) : Counted w :=
  ⟨c.ctx.accumAll ds, c.count + ds.length⟩

/-- Load a value and reset the count. Python: AtomikContext.load. -/
@[expose] noncomputable def load {w : Nat} (c : Counted w) (v : BitVec w) : Counted w :=
  ⟨c.ctx.load v, 0⟩

/-- Swap and reset the count. Python: AtomikContext.swap. -/
@[expose] noncomputable def swap {w : Nat} (c : Counted w) : Counted w := ⟨c.ctx.swap, 0⟩

/-- Merge: compose the accumulators and add the counts. Python: AtomikContext.merge. -/
@[expose] noncomputable def merge {w : Nat} (c₁ c₂ : Counted w) : Counted w :=
  ⟨c₁.ctx.merge c₂.ctx, c₁.count + c₂.count⟩

/-- Accumulating many deltas is accumulating them one by one, count included. Python: AtomikContext.accum_many and AtomikContext.accum. -/
theorem accumMany_eq_foldl {w : Nat} (c : Counted w) (ds : List (BitVec w)) :
    c.accumMany ds = ds.foldl Counted.accum c := by
  induction ds generalizing c with
  | nil => cases c; simp [accumMany, Context.accumAll]
  | cons d ds ih =>
    rw [List.foldl_cons, ← ih]
    simp only [accumMany, accum, Context.accumAll, List.length_cons]
    congr 1
    omega

/-- Accumulating the zero delta counts one delta and leaves the model's context unchanged, which is why equality of contexts ignores the count. Python: AtomikContext.accum(0). -/
theorem accum_zero {w : Nat} (c : Counted w) :
    (c.accum 0#w).ctx = c.ctx ∧ (c.accum 0#w).count = c.count + 1 := by
  exact ⟨Context.accum_zero c.ctx, rfl⟩

/-- The count after accumulating many deltas grows by their number. Python: AtomikContext.delta_count. -/
theorem count_accumMany {w : Nat} (c : Counted w) (ds : List (BitVec w)) :
    (c.accumMany ds).count = c.count + ds.length := rfl

/-- The count after a merge is the sum of the counts. Python: AtomikContext.merge. -/
theorem count_merge {w : Nat} (c₁ c₂ : Counted w) : (c₁.merge c₂).count = c₁.count + c₂.count := rfl

end Counted

/-! ## Validation at the boundary, over the raw input -/

namespace Boundary

/-- A quotient by a power of two is zero exactly below that power. Python: the `>>` of every range check. -/
theorem div_two_pow_eq_zero_iff (x t : Nat) : x / 2 ^ t = 0 ↔ x < 2 ^ t := by
  constructor
  · intro h
    apply Nat.lt_of_not_le
    intro hle
    have := Nat.div_pos hle (Nat.two_pow_pos t)
    omega
  · exact Nat.div_eq_of_lt

/-- Python's scalar check: an int is accepted when it is not negative and shifting it right by the width leaves zero. Python: atomik._check.check_value. -/
@[expose] noncomputable def checkValue (w : Nat) (v : Int) : Option (BitVec w) :=
  if v < 0 ∨ v.toNat >>> w ≠ 0 then none else some (BitVec.ofNat w v.toNat)

/-- A negative int is rejected at every width. Python: check_value raises RangeError. -/
theorem checkValue_neg (w : Nat) (v : Int) (h : v < 0) : checkValue w v = none := by
  simp [checkValue, h]

/-- A non-negative int is accepted exactly when it is below `2 ^ w`: `2 ^ w - 1` is the largest accepted, `2 ^ w` the smallest rejected. Python: check_value. -/
theorem checkValue_isSome_iff (w n : Nat) : (checkValue w (n : Int)).isSome = true ↔ n < 2 ^ w := by
  unfold checkValue
  have hn : ¬ ((n : Int) < 0) := by omega
  have ht : (n : Int).toNat = n := by simp
  rw [ht, Nat.shiftRight_eq_div_pow]
  by_cases hlt : n < 2 ^ w
  · have h0 : n / 2 ^ w = 0 := (div_two_pow_eq_zero_iff n w).2 hlt
    have hc : ¬ ((n : Int) < 0 ∨ n / 2 ^ w ≠ 0) := by
      intro hc
      cases hc with
      | inl h => exact hn h
      | inr h => exact h h0
    rw [if_neg hc]
    exact ⟨fun _ => hlt, fun _ => rfl⟩
  · have h0 : n / 2 ^ w ≠ 0 := fun h => hlt ((div_two_pow_eq_zero_iff n w).1 h)
    rw [if_pos (Or.inr h0)]
    exact ⟨fun h => by simp at h, fun h => absurd h hlt⟩

/-- An accepted int is kept exactly (nothing is masked). Python: check_value returns the value. -/
theorem checkValue_toNat (w n : Nat) (b : BitVec w) (h : checkValue w (n : Int) = some b) :
    b.toNat = n := by
  unfold checkValue at h
  have ht : (n : Int).toNat = n := by simp
  rw [ht] at h
  by_cases hc : (n : Int) < 0 ∨ n >>> w ≠ 0
  · rw [if_pos hc] at h
    cases h
  · rw [if_neg hc] at h
    injection h with h
    subst h
    have h0 : n >>> w = 0 := by
      apply Classical.byContradiction
      intro hne
      exact hc (Or.inr hne)
    rw [Nat.shiftRight_eq_div_pow, div_two_pow_eq_zero_iff] at h0
    rw [BitVec.toNat_ofNat, Nat.mod_eq_of_lt h0]

/-- Python's element check of a 1-D `uint64` array: accepted when the width is 64 or more, or when shifting the word right by the width leaves zero. Python: atomik._check.check_array_fits. -/
@[expose] noncomputable def wordFits (w x : Nat) : Bool := decide (64 ≤ w) || x >>> w == 0

/-- A `uint64` word passes the array check exactly when it is below `2 ^ w`, at every width. Python: check_array_fits. -/
theorem wordFits_iff (w x : Nat) (hx : x < 2 ^ 64) : wordFits w x = true ↔ x < 2 ^ w := by
  unfold wordFits
  by_cases hw : 64 ≤ w
  · have hp : 2 ^ 64 ≤ 2 ^ w := Nat.pow_le_pow_right (by decide) hw
    rw [decide_eq_true hw, Bool.true_or]
    exact ⟨fun _ => Nat.lt_of_lt_of_le hx hp, fun _ => rfl⟩
  · rw [decide_eq_false hw, Bool.false_or, beq_iff_eq, Nat.shiftRight_eq_div_pow]
    exact div_two_pow_eq_zero_iff x w

/-- A 1-D `uint64` array is accepted for a width of at most 64 whose every word passes the check. Python: AtomikContext.accum_many and the table batches with a 1-D array. -/
@[expose] noncomputable def arrayFits (w : Nat) (xs : List Nat) : Bool := decide (w ≤ 64) && xs.all (wordFits w)

/-- A 1-D `uint64` array is accepted exactly when the width is at most 64 and every element is below `2 ^ w`. Python: accum_many with a 1-D array (ShapeError above 64 bits, RangeError on a value that does not fit). -/
theorem arrayFits_iff (w : Nat) (xs : List Nat) (hx : ∀ x ∈ xs, x < 2 ^ 64) :
    arrayFits w xs = true ↔ w ≤ 64 ∧ ∀ x ∈ xs, x < 2 ^ w := by
  unfold arrayFits
  simp only [Bool.and_eq_true, decide_eq_true_eq, List.all_eq_true]
  constructor
  · rintro ⟨hw, hall⟩
    exact ⟨hw, fun x hm => (wordFits_iff w x (hx x hm)).1 (hall x hm)⟩
  · rintro ⟨hw, hall⟩
    exact ⟨hw, fun x hm => (wordFits_iff w x (hx x hm)).2 (hall x hm)⟩

/-- The number of 64-bit words of a `w`-bit value. Python: atomik._check.words_for. -/
@[expose] noncomputable def wordsFor (w : Nat) : Nat := (w + 63) / 64

/-- The bits of the top word of a `w`-bit value. Python: top_bits in atomik._check.check_rows_fit. -/
@[expose] noncomputable def topBits (w : Nat) : Nat := w - 64 * (wordsFor w - 1)

/-- The value of little-endian 64-bit words. Python: atomik._check.words_to_int. -/
@[expose] noncomputable def wordsToNat : List Nat → Nat
  | [] => 0
  | x :: xs => x + 2 ^ 64 * wordsToNat xs

/-- Python's check of one row of a 2-D array, given as its lower words and its top word: the row has `wordsFor w` words, and the top word passes unless the top word is full. Python: atomik._check.check_rows_fit. -/
@[expose] noncomputable def rowFits (w : Nat) (lo : List Nat) (top : Nat) : Bool :=
  (lo.length + 1 == wordsFor w) && (decide (64 ≤ topBits w) || top >>> topBits w == 0)

/-- A value below `B` plus `B` times `top` is below `B` times `T` exactly when `top` is below `T`. Python: the top-word check of check_rows_fit. -/
theorem lt_mul_iff (lo B top T : Nat) (hlo : lo < B) : lo + B * top < B * T ↔ top < T := by
  constructor
  · intro h
    apply Nat.lt_of_not_le
    intro hT
    have := Nat.mul_le_mul (Nat.le_refl B) hT
    omega
  · intro h
    have h1 : B * (top + 1) ≤ B * T := Nat.mul_le_mul (Nat.le_refl B) h
    rw [Nat.mul_add, Nat.mul_one] at h1
    omega

/-- Little-endian words each below `2 ^ 64` make a value below `2 ^ (64 * length)`. Python: words_to_int. -/
theorem wordsToNat_lt (l : List Nat) (h : ∀ x ∈ l, x < 2 ^ 64) : wordsToNat l < 2 ^ (64 * l.length) := by
  induction l with
  | nil => simp [wordsToNat]
  | cons x xs ih =>
    have hx : x < 2 ^ 64 := h x (List.mem_cons_self ..)
    have hxs := ih (fun y hy => h y (List.mem_cons_of_mem x hy))
    have hp : 2 ^ (64 * (xs.length + 1)) = 2 ^ 64 * 2 ^ (64 * xs.length) := by
      rw [Nat.mul_add, Nat.mul_one, Nat.pow_add, Nat.mul_comm (2 ^ (64 * xs.length)) (2 ^ 64)]
    simp only [wordsToNat, List.length_cons, hp]
    exact (lt_mul_iff x (2 ^ 64) (wordsToNat xs) (2 ^ (64 * xs.length)) hx).2 hxs

/-- The top word of a row counts `2 ^ (64 * k)` times, `k` the number of words below it. Python: words_to_int. -/
theorem wordsToNat_append_single (lo : List Nat) (top : Nat) :
    wordsToNat (lo ++ [top]) = wordsToNat lo + 2 ^ (64 * lo.length) * top := by
  induction lo with
  | nil => simp [wordsToNat]
  | cons x xs ih =>
    simp only [List.cons_append, wordsToNat, ih, List.length_cons, Nat.mul_add, Nat.mul_one,
      Nat.pow_add]
    rw [Nat.add_assoc, Nat.mul_comm (2 ^ (64 * xs.length)) (2 ^ 64), Nat.mul_assoc]

/-- A row of `wordsFor w` words passes Python's row check exactly when its value is below `2 ^ w`: the check is exact at every width, multiples of 64 included. Python: check_rows_fit and the 2-D accum_many. -/
theorem rowFits_iff (w : Nat) (lo : List Nat) (top : Nat) (hlen : lo.length + 1 = wordsFor w)
    (hlo : ∀ x ∈ lo, x < 2 ^ 64) (htop : top < 2 ^ 64) :
    rowFits w lo top = true ↔ wordsToNat (lo ++ [top]) < 2 ^ w := by
  have hk : 64 * lo.length < w ∧ w ≤ 64 * lo.length + 64 := by
    have h2 := hlen
    simp only [wordsFor] at h2
    omega
  have htb : topBits w = w - 64 * lo.length := by
    have h2 := hlen
    simp only [topBits, wordsFor] at h2 ⊢
    omega
  have hpow : 2 ^ w = 2 ^ (64 * lo.length) * 2 ^ (w - 64 * lo.length) := by
    rw [← Nat.pow_add]
    congr 1
    omega
  rw [wordsToNat_append_single, hpow,
    lt_mul_iff _ _ _ _ (wordsToNat_lt lo hlo)]
  unfold rowFits
  rw [hlen, htb]
  simp only [beq_self_eq_true, Bool.true_and, Bool.or_eq_true, decide_eq_true_eq, beq_iff_eq,
    Nat.shiftRight_eq_div_pow, div_two_pow_eq_zero_iff]
  constructor
  · rintro (h | h)
    · have h64 : w - 64 * lo.length = 64 := by omega
      rw [h64]
      exact htop
    · exact h
  · intro h
    exact Or.inr h

/-- Python's address check: an int address is accepted when `0 ≤ a < size`. Python: atomik._check.check_addr. -/
@[expose] noncomputable def checkAddr (size : Nat) (a : Int) : Option Nat :=
  if 0 ≤ a ∧ a < (size : Int) then some a.toNat else none

/-- An address is accepted exactly when it lies in the table, and then it is kept: `size - 1` is the largest accepted, `size` and `-1` the smallest rejected. Python: check_addr raises AddressError. -/
theorem checkAddr_eq_some_iff (size : Nat) (a : Int) (n : Nat) :
    checkAddr size a = some n ↔ a = (n : Int) ∧ n < size := by
  unfold checkAddr
  by_cases h : 0 ≤ a ∧ a < (size : Int)
  · rw [if_pos h]
    constructor
    · intro he
      injection he with he
      subst he
      have e := Int.toNat_of_nonneg h.1
      exact ⟨e.symm, by omega⟩
    · rintro ⟨rfl, _⟩
      simp
  · rw [if_neg h]
    constructor
    · intro he
      cases he
    · rintro ⟨rfl, hn⟩
      exact (h ⟨by omega, by omega⟩).elim

/-- A batch of raw (address, value) pairs for a table of `size` addresses and width `w`: accepted with the pairs it stands for, or rejected. Python: AtomikTable.accum_batch validation (lengths are equal by construction of the pairs). -/
@[expose] noncomputable def checkBatch (size w : Nat) : List (Int × Int) → Option (List (Nat × BitVec w))
  | [] => some []
  | (a, v) :: ops =>
    match checkAddr size a, checkValue w v, checkBatch size w ops with
    | some n, some b, some rest => some ((n, b) :: rest)
    | _, _, _ => none

/-- A raw batch call on a table: the new table, or the old one unchanged together with a rejection. Python: AtomikTable.accum_batch (validated first, unchanged on error). -/
@[expose] noncomputable def accumBatchRaw {w : Nat} (t : Table w) (size : Nat) (ops : List (Int × Int)) :
    Table w × Bool :=
  match checkBatch size w ops with
  | some good => (t.accumBatch good, true)
  | none => (t, false)

/-- A raw batch is accepted exactly when each of its pairs passes the address and the value check. Python: AtomikTable.accum_batch validates every pair before changing anything. -/
theorem checkBatch_isSome (size w : Nat) (ops : List (Int × Int)) :
    (checkBatch size w ops).isSome =
      ops.all (fun op => (checkAddr size op.1).isSome && (checkValue w op.2).isSome) := by
  induction ops with
  | nil => rfl
  | cons op ops ih =>
    obtain ⟨a, v⟩ := op
    simp only [checkBatch, List.all_cons, ← ih]
    cases checkAddr size a <;> cases checkValue w v <;> cases checkBatch size w ops <;> rfl

/-- An int address passes the check exactly when it lies in the table. Python: check_addr. -/
theorem checkAddr_isSome_iff (size : Nat) (a : Int) :
    (checkAddr size a).isSome = true ↔ 0 ≤ a ∧ a < (size : Int) := by
  unfold checkAddr
  by_cases h : 0 ≤ a ∧ a < (size : Int)
  · rw [if_pos h]
    exact ⟨fun _ => h, fun _ => rfl⟩
  · rw [if_neg h]
    exact ⟨fun h' => by simp at h', fun h' => absurd h' h⟩

/-- An int value passes the check exactly when it is non-negative and below `2 ^ w`. Python: check_value. -/
theorem checkValue_isSome_iff_int (w : Nat) (v : Int) :
    (checkValue w v).isSome = true ↔ 0 ≤ v ∧ v.toNat < 2 ^ w := by
  by_cases hneg : v < 0
  · rw [checkValue_neg w v hneg]
    exact ⟨fun h' => by simp at h', fun h' => absurd h'.1 (by omega)⟩
  · obtain ⟨m, rfl⟩ : ∃ m : Nat, v = (m : Int) := ⟨v.toNat, (Int.toNat_of_nonneg (by omega)).symm⟩
    rw [checkValue_isSome_iff]
    simp

/-- A raw batch is accepted exactly when every address is in the table and every value non-negative and below `2 ^ w`. Python: AtomikTable.accum_batch raises AddressError or RangeError otherwise. -/
theorem checkBatch_isSome_iff (size w : Nat) (ops : List (Int × Int)) :
    (checkBatch size w ops).isSome = true ↔
      ∀ op ∈ ops, (0 ≤ op.1 ∧ op.1 < (size : Int)) ∧ (0 ≤ op.2 ∧ op.2.toNat < 2 ^ w) := by
  rw [checkBatch_isSome, List.all_eq_true]
  simp only [Bool.and_eq_true, checkAddr_isSome_iff, checkValue_isSome_iff_int]

/-- A rejected raw batch leaves the table unchanged. Python: AtomikTable.accum_batch, unchanged on error. -/
theorem accumBatchRaw_rejected {w : Nat} (t : Table w) (size : Nat) (ops : List (Int × Int))
    (h : (accumBatchRaw t size ops).2 = false) : (accumBatchRaw t size ops).1 = t := by
  unfold accumBatchRaw at h ⊢
  cases hc : checkBatch size w ops with
  | none => rfl
  | some good => simp [hc] at h

/-- Python's batch of two columns (addresses, values): rejected when their lengths differ, otherwise the pairs they stand for are checked. Python: AtomikTable.accum_batch checks the addresses, then the values, then the lengths (ShapeError); the model says only whether the call is accepted. -/
@[expose] noncomputable def checkColumns (size w : Nat) (addrs vals : List Int) : Option (List (Nat × BitVec w)) :=
  if addrs.length = vals.length then checkBatch size w (addrs.zip vals) else none

/-- Columns of different lengths are rejected, whatever they hold. Python: accum_batch raises (ShapeError when each column alone is valid). -/
theorem checkColumns_of_length_ne (size w : Nat) (addrs vals : List Int)
    (h : addrs.length ≠ vals.length) : checkColumns size w addrs vals = none := by
  unfold checkColumns
  rw [if_neg h]

/-- For columns of one length, every zipped pair passes both checks exactly when every address and every value does. -/
theorem forall_mem_zip_checks (size w : Nat) : ∀ (addrs vals : List Int), addrs.length = vals.length →
    ((∀ op ∈ addrs.zip vals, (0 ≤ op.1 ∧ op.1 < (size : Int)) ∧ (0 ≤ op.2 ∧ op.2.toNat < 2 ^ w)) ↔
      (∀ a ∈ addrs, 0 ≤ a ∧ a < (size : Int)) ∧ (∀ v ∈ vals, 0 ≤ v ∧ v.toNat < 2 ^ w))
  | [], [], _ => by simp
  | a :: as, v :: vs, h => by
    have ih := forall_mem_zip_checks size w as vs (by simpa using h)
    simp only [List.zip_cons_cons, List.forall_mem_cons]
    rw [ih]
    constructor
    · rintro ⟨⟨ha, hv⟩, has, hvs⟩
      exact ⟨⟨ha, has⟩, hv, hvs⟩
    · rintro ⟨⟨ha, has⟩, hv, hvs⟩
      exact ⟨⟨ha, hv⟩, has, hvs⟩
  | [], _ :: _, h => by simp at h
  | _ :: _, [], h => by simp at h

/-- Two columns are accepted exactly when their lengths are equal, every address is in the table and every value is non-negative and below `2 ^ w`. Python: AtomikTable.accum_batch raises ShapeError, AddressError or RangeError otherwise. -/
theorem checkColumns_isSome_iff (size w : Nat) (addrs vals : List Int) :
    (checkColumns size w addrs vals).isSome = true ↔ addrs.length = vals.length ∧
      (∀ a ∈ addrs, 0 ≤ a ∧ a < (size : Int)) ∧ (∀ v ∈ vals, 0 ≤ v ∧ v.toNat < 2 ^ w) := by
  unfold checkColumns
  by_cases h : addrs.length = vals.length
  · rw [if_pos h, checkBatch_isSome_iff, forall_mem_zip_checks size w addrs vals h]
    exact ⟨fun h' => ⟨h, h'⟩, fun h' => h'.2⟩
  · rw [if_neg h]
    exact ⟨fun h' => by simp at h', fun h' => absurd h'.1 h⟩

end Boundary

end Atomik
