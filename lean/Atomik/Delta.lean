module

public section

set_option autoImplicit false

/-!
# Deltas

A state of width `w` is a `BitVec w`; a change to it is a *delta* of the same width, and every
operation on deltas is bitwise XOR. This module states the group laws of deltas, their behaviour
over lists, and the relation between states and the deltas that connect them.
-/

namespace Atomik.Delta

/-- Composing two deltas is their bitwise XOR. Python: atomik.delta.compose. -/
@[expose] def compose {w : Nat} (a b : BitVec w) : BitVec w := a ^^^ b

/-- The composition of a list of deltas, zero for the empty list. Python: atomik.delta.compose_all. -/
@[expose] def composeAll {w : Nat} : List (BitVec w) → BitVec w
  | [] => 0#w
  | d :: ds => d ^^^ composeAll ds

/-- The delta that turns the state `old` into the state `new`. Python: atomik.delta.compute_delta. -/
@[expose] def computeDelta {w : Nat} (old new : BitVec w) : BitVec w := old ^^^ new

/-- The state reached by applying the delta `d` to the state `s`. Python: atomik.delta.apply_delta. -/
@[expose] def applyDelta {w : Nat} (s d : BitVec w) : BitVec w := s ^^^ d

/-! ## Group laws -/

/-- Composition of deltas is associative. Python: atomik.delta.compose. -/
theorem compose_assoc {w : Nat} (a b c : BitVec w) :
    compose (compose a b) c = compose a (compose b c) := by
  simp only [compose]
  exact BitVec.xor_assoc a b c

/-- Composition of deltas is commutative. Python: atomik.delta.compose. -/
theorem compose_comm {w : Nat} (a b : BitVec w) : compose a b = compose b a := by
  simp only [compose]
  exact BitVec.xor_comm a b

/-- Composing with the zero delta on the right changes nothing. Python: atomik.delta.compose. -/
theorem compose_zero {w : Nat} (a : BitVec w) : compose a 0#w = a := by
  simp [compose]

/-- Composing with the zero delta on the left changes nothing. Python: atomik.delta.compose. -/
theorem zero_compose {w : Nat} (a : BitVec w) : compose 0#w a = a := by
  simp [compose]

/-- Every delta is its own inverse: composing it with itself gives zero. Python: atomik.delta.compose. -/
theorem compose_self {w : Nat} (a : BitVec w) : compose a a = 0#w := by
  simp [compose]

/-- Composing a delta twice onto another cancels out. Python: atomik.delta.compose. -/
theorem compose_cancel_left {w : Nat} (a b : BitVec w) : compose a (compose a b) = b := by
  simp only [compose]
  rw [← BitVec.xor_assoc, BitVec.xor_self, BitVec.zero_xor]

/-- Composition with a fixed delta is injective, so equal results mean equal inputs. Python: atomik.delta.compose. -/
theorem compose_right_inj {w : Nat} (a b c : BitVec w) : compose a b = compose a c ↔ b = c := by
  simp only [compose]
  exact BitVec.xor_right_inj a

/-- Two deltas compose to zero exactly when they are equal, so the inverse of a delta is unique. Python: atomik.delta.compose. -/
theorem compose_eq_zero_iff {w : Nat} (a b : BitVec w) : compose a b = 0#w ↔ a = b := by
  simp only [compose]
  exact BitVec.xor_eq_zero_iff

/-- A delta that leaves some delta unchanged under composition is the zero delta, so the identity is unique. Python: atomik.delta.compose. -/
theorem compose_eq_self_iff {w : Nat} (a e : BitVec w) : compose a e = a ↔ e = 0#w := by
  simp only [compose]
  constructor
  · intro h
    have h' : a ^^^ e = a ^^^ 0#w := by rw [BitVec.xor_zero]; exact h
    exact (BitVec.xor_right_inj a).mp h'
  · intro h
    rw [h, BitVec.xor_zero]

/-- The equation `compose a b = c` has the unique solution `b = compose a c`. Python: atomik.delta.compose. -/
theorem compose_eq_iff {w : Nat} (a b c : BitVec w) : compose a b = c ↔ b = compose a c := by
  simp only [compose]
  constructor
  · intro h
    rw [← h, ← BitVec.xor_assoc, BitVec.xor_self, BitVec.zero_xor]
  · intro h
    rw [h, ← BitVec.xor_assoc, BitVec.xor_self, BitVec.zero_xor]

/-- For a positive width, composing with the all-ones delta changes every value. Python: atomik.delta.compose. -/
theorem compose_allOnes_ne {w : Nat} (a : BitVec w) (h : 0 < w) :
    compose a (BitVec.allOnes w) ≠ a := by
  intro heq
  have h1 := (compose_eq_self_iff a (BitVec.allOnes w)).mp heq
  have h2 := congrArg (fun x => BitVec.getLsbD x 0) h1
  simp [h] at h2

/-! ## Lists of deltas -/

/-- The composition of no deltas is the zero delta. Python: atomik.delta.compose_all. -/
theorem composeAll_nil {w : Nat} : composeAll ([] : List (BitVec w)) = 0#w := by
  simp [composeAll]

/-- Composing a list is composing its head with the composition of its tail. Python: atomik.delta.compose_all. -/
theorem composeAll_cons {w : Nat} (d : BitVec w) (ds : List (BitVec w)) :
    composeAll (d :: ds) = compose d (composeAll ds) := by
  simp [composeAll, compose]

/-- The composition of a one-element list is its element. Python: atomik.delta.compose_all. -/
theorem composeAll_singleton {w : Nat} (d : BitVec w) : composeAll [d] = d := by
  simp [composeAll]

/-- Composing a concatenation is composing the compositions of the two parts. Python: atomik.delta.compose_all. -/
theorem composeAll_append {w : Nat} (l₁ l₂ : List (BitVec w)) :
    composeAll (l₁ ++ l₂) = compose (composeAll l₁) (composeAll l₂) := by
  induction l₁ with
  | nil => simp [composeAll, compose]
  | cons d ds ih =>
    simp only [List.cons_append, composeAll]
    rw [ih]
    simp only [compose, BitVec.xor_assoc]

/-- The composition of a list does not depend on the order of its deltas. Python: atomik.delta.compose_all. -/
theorem composeAll_perm {w : Nat} (l₁ l₂ : List (BitVec w)) (h : l₁.Perm l₂) :
    composeAll l₁ = composeAll l₂ := by
  induction h with
  | nil => rfl
  | cons x _ ih => simp only [composeAll, ih]
  | swap x y l =>
    simp only [composeAll]
    rw [← BitVec.xor_assoc, ← BitVec.xor_assoc, BitVec.xor_comm x y]
  | trans _ _ ih₁ ih₂ => exact ih₁.trans ih₂

/-- A delta that appears twice anywhere in a list cancels itself out of the composition. Python: atomik.delta.compose_all. -/
theorem composeAll_cancel_pair {w : Nat} (l₁ l₂ l₃ : List (BitVec w)) (d : BitVec w) :
    composeAll (l₁ ++ [d] ++ l₂ ++ [d] ++ l₃) = composeAll (l₁ ++ l₂ ++ l₃) := by
  have key : ∀ x y z : BitVec w, x ^^^ d ^^^ y ^^^ d ^^^ z = x ^^^ y ^^^ z := by
    intro x y z
    rw [BitVec.xor_assoc x d y, BitVec.xor_comm d y, ← BitVec.xor_assoc x y d,
      BitVec.xor_assoc (x ^^^ y) d d, BitVec.xor_self, BitVec.xor_zero]
  simp only [composeAll_append, composeAll_singleton, compose]
  exact key _ _ _

/-- A list of deltas applied twice over composes to zero. Python: atomik.delta.compose_all. -/
theorem composeAll_append_self {w : Nat} (ds : List (BitVec w)) :
    composeAll (ds ++ ds) = 0#w := by
  rw [composeAll_append]
  exact compose_self _

/-- A delta repeated an even number of times composes to zero. Python: atomik.delta.compose_all. -/
theorem composeAll_replicate_even {w : Nat} (n : Nat) (d : BitVec w) :
    composeAll (List.replicate (2 * n) d) = 0#w := by
  induction n with
  | zero => simp [composeAll]
  | succ n ih =>
    rw [show 2 * (n + 1) = 2 * n + 1 + 1 by omega]
    simp only [List.replicate, composeAll, ih, BitVec.xor_zero, BitVec.xor_self]

/-- A delta repeated an odd number of times composes to itself. Python: atomik.delta.compose_all. -/
theorem composeAll_replicate_odd {w : Nat} (n : Nat) (d : BitVec w) :
    composeAll (List.replicate (2 * n + 1) d) = d := by
  simp only [List.replicate, composeAll, composeAll_replicate_even, BitVec.xor_zero]

/-! ## States and the deltas between them -/

/-- Applying the computed delta from `old` to `new` to `old` gives `new`. Python: atomik.delta.compute_delta. -/
theorem applyDelta_computeDelta {w : Nat} (old new : BitVec w) :
    applyDelta old (computeDelta old new) = new := by
  simp only [applyDelta, computeDelta]
  rw [← BitVec.xor_assoc, BitVec.xor_self, BitVec.zero_xor]

/-- The delta from `a` to `b` is the delta from `b` to `a`. Python: atomik.delta.compute_delta. -/
theorem computeDelta_comm {w : Nat} (a b : BitVec w) : computeDelta a b = computeDelta b a := by
  simp only [computeDelta]
  exact BitVec.xor_comm a b

/-- The delta from a state to itself is zero. Python: atomik.delta.compute_delta. -/
theorem computeDelta_self {w : Nat} (s : BitVec w) : computeDelta s s = 0#w := by
  simp [computeDelta]

/-- The delta from `a` to `b` composed with the delta from `b` to `c` is the delta from `a` to `c`. Python: atomik.delta.compute_delta. -/
theorem computeDelta_chain {w : Nat} (a b c : BitVec w) :
    compose (computeDelta a b) (computeDelta b c) = computeDelta a c := by
  simp only [compose, computeDelta]
  rw [BitVec.xor_assoc a b (b ^^^ c), ← BitVec.xor_assoc b b c, BitVec.xor_self, BitVec.zero_xor]

/-- The delta computed across an application of `d` is `d` itself. Python: atomik.delta.compute_delta. -/
theorem computeDelta_applyDelta {w : Nat} (s d : BitVec w) :
    computeDelta s (applyDelta s d) = d := by
  simp only [computeDelta, applyDelta]
  rw [← BitVec.xor_assoc, BitVec.xor_self, BitVec.zero_xor]

/-- The computed delta is zero exactly when the two states are equal, so every change is seen. Python: atomik.delta.compute_delta. -/
theorem computeDelta_eq_zero_iff {w : Nat} (a b : BitVec w) : computeDelta a b = 0#w ↔ a = b := by
  simp only [computeDelta]
  exact BitVec.xor_eq_zero_iff

/-- Applying the zero delta leaves a state unchanged. Python: atomik.delta.apply_delta. -/
theorem applyDelta_zero {w : Nat} (s : BitVec w) : applyDelta s 0#w = s := by
  simp [applyDelta]

/-- Applying two deltas in turn is applying their composition. Python: atomik.delta.apply_delta. -/
theorem applyDelta_applyDelta {w : Nat} (s a b : BitVec w) :
    applyDelta (applyDelta s a) b = applyDelta s (compose a b) := by
  simp only [applyDelta, compose]
  exact BitVec.xor_assoc s a b

/-- Applying the same delta a second time undoes it. Python: atomik.delta.apply_delta. -/
theorem applyDelta_applyDelta_self {w : Nat} (s d : BitVec w) :
    applyDelta (applyDelta s d) d = s := by
  simp only [applyDelta]
  rw [BitVec.xor_assoc, BitVec.xor_self, BitVec.xor_zero]

/-- Applying one delta to two states keeps distinct states distinct. Python: atomik.delta.apply_delta. -/
theorem applyDelta_left_inj {w : Nat} (s t d : BitVec w) :
    applyDelta s d = applyDelta t d ↔ s = t := by
  simp only [applyDelta]
  exact BitVec.xor_left_inj d

/-- The computed delta is the only delta that takes `s` to `t`. Python: atomik.delta.compute_delta. -/
theorem applyDelta_eq_iff {w : Nat} (s d t : BitVec w) :
    applyDelta s d = t ↔ d = computeDelta s t := by
  simp only [applyDelta, computeDelta]
  exact compose_eq_iff s d t

/-- The delta between two states reached from a common state is the composition of the two deltas applied. Python: atomik.delta.compute_delta. -/
theorem computeDelta_applyDelta_applyDelta {w : Nat} (s a b : BitVec w) :
    computeDelta (applyDelta s a) (applyDelta s b) = compose a b := by
  simp only [computeDelta, applyDelta, compose]
  rw [BitVec.xor_comm s a, BitVec.xor_assoc a s (s ^^^ b), ← BitVec.xor_assoc s s b,
    BitVec.xor_self, BitVec.zero_xor]

end Atomik.Delta
