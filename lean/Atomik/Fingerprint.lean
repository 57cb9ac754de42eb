module

public import Atomik.Delta

public section

set_option autoImplicit false

/-!
# Fingerprints

A fingerprint of a buffer cut into fixed-width chunks is the XOR of all chunks. It can be updated
in constant time when one chunk changes, it detects every change of a single chunk, and it has
stated limits: changes that cancel in XOR (two chunks changed by the same delta, chunks reordered,
trailing zero chunks) go undetected.
-/

namespace Atomik.Fingerprint

/-- The fingerprint of a buffer given as its list of chunks: the XOR of all chunks. Python: atomik.fingerprint.fingerprint. -/
@[expose] def ofChunks {w : Nat} (cs : List (BitVec w)) : BitVec w := Delta.composeAll cs

/-- The fingerprint after one chunk changes from `old` to `new`, computed from the old fingerprint. Python: atomik.fingerprint.Fingerprint.update_chunk. -/
@[expose] def updateChunk {w : Nat} (fp old new : BitVec w) : BitVec w := fp ^^^ old ^^^ new

/-- The fingerprint of an empty buffer is zero. Python: atomik.fingerprint.fingerprint. -/
theorem ofChunks_nil {w : Nat} : ofChunks ([] : List (BitVec w)) = 0#w := by
  simp [ofChunks, Delta.composeAll]

/-- The fingerprint of a one-chunk buffer is that chunk. Python: atomik.fingerprint.fingerprint. -/
theorem ofChunks_singleton {w : Nat} (c : BitVec w) : ofChunks [c] = c := by
  simp only [ofChunks]
  exact Delta.composeAll_singleton c

/-- The fingerprint of two buffers joined is the XOR of their fingerprints. Python: atomik.fingerprint.fingerprint. -/
theorem ofChunks_append {w : Nat} (cs₁ cs₂ : List (BitVec w)) :
    ofChunks (cs₁ ++ cs₂) = ofChunks cs₁ ^^^ ofChunks cs₂ := by
  simp only [ofChunks]
  exact Delta.composeAll_append cs₁ cs₂

/-- Updating the fingerprint for one changed chunk equals recomputing it from scratch. Python: atomik.fingerprint.Fingerprint.update_chunk. -/
theorem updateChunk_ofChunks {w : Nat} (pre post : List (BitVec w)) (old new : BitVec w) :
    updateChunk (ofChunks (pre ++ [old] ++ post)) old new = ofChunks (pre ++ [new] ++ post) := by
  have key : ∀ p q : BitVec w, p ^^^ old ^^^ q ^^^ old ^^^ new = p ^^^ new ^^^ q := by
    intro p q
    rw [BitVec.xor_assoc p old q, BitVec.xor_comm old q, ← BitVec.xor_assoc p q old,
      BitVec.xor_assoc (p ^^^ q) old old, BitVec.xor_self, BitVec.xor_zero,
      BitVec.xor_assoc p q new, BitVec.xor_comm q new, ← BitVec.xor_assoc p new q]
  simp only [updateChunk, ofChunks, Delta.composeAll_append, Delta.composeAll_singleton,
    Delta.compose]
  exact key _ _

/-- Any change of a single chunk changes the fingerprint. Python: atomik.fingerprint.Fingerprint.changed. -/
theorem ofChunks_ne_of_ne {w : Nat} (pre post : List (BitVec w)) (old new : BitVec w)
    (h : old ≠ new) :
    ofChunks (pre ++ [old] ++ post) ≠ ofChunks (pre ++ [new] ++ post) := by
  intro heq
  apply h
  simp only [ofChunks, Delta.composeAll_append, Delta.composeAll_singleton, Delta.compose] at heq
  simp only [BitVec.xor_left_inj, BitVec.xor_right_inj] at heq
  exact heq

/-- The stated limit: changing two chunks by the same delta leaves the fingerprint unchanged, so such a change is not detected. Python: atomik.fingerprint.fingerprint. -/
theorem ofChunks_paired_change {w : Nat} (pre mid post : List (BitVec w)) (a b d : BitVec w) :
    ofChunks (pre ++ [a ^^^ d] ++ mid ++ [b ^^^ d] ++ post) =
      ofChunks (pre ++ [a] ++ mid ++ [b] ++ post) := by
  have lc : ∀ x y z : BitVec w, x ^^^ (y ^^^ z) = y ^^^ (x ^^^ z) := by
    intro x y z
    rw [← BitVec.xor_assoc, BitVec.xor_comm x y, BitVec.xor_assoc]
  simp only [ofChunks, Delta.composeAll_append, Delta.composeAll_singleton, Delta.compose,
    BitVec.xor_assoc]
  rw [BitVec.xor_right_inj, BitVec.xor_right_inj, lc d (Delta.composeAll mid), lc d b,
    ← BitVec.xor_assoc d d,
    BitVec.xor_self, BitVec.zero_xor]

/-- The stated limit: reordering the chunks leaves the fingerprint unchanged. Python: atomik.fingerprint.fingerprint. -/
theorem ofChunks_perm {w : Nat} (cs₁ cs₂ : List (BitVec w)) (h : cs₁.Perm cs₂) :
    ofChunks cs₁ = ofChunks cs₂ := by
  simp only [ofChunks]
  exact Delta.composeAll_perm cs₁ cs₂ h

/-- The stated limit: a trailing zero chunk, such as the padding of a short last word, does not change the fingerprint. Python: atomik.fingerprint.fingerprint. -/
theorem ofChunks_append_zero {w : Nat} (cs : List (BitVec w)) :
    ofChunks (cs ++ [0#w]) = ofChunks cs := by
  simp [ofChunks, Delta.composeAll_append, Delta.composeAll_singleton, Delta.compose]

/-- The stated limit: a buffer made of the same chunks twice has fingerprint zero. Python: atomik.fingerprint.fingerprint. -/
theorem ofChunks_append_self {w : Nat} (cs : List (BitVec w)) : ofChunks (cs ++ cs) = 0#w := by
  simp only [ofChunks]
  exact Delta.composeAll_append_self cs

/-- Rewriting a chunk with its own content leaves the fingerprint unchanged. Python: atomik.fingerprint.Fingerprint.update_chunk. -/
theorem updateChunk_self {w : Nat} (fp c : BitVec w) : updateChunk fp c c = fp := by
  simp only [updateChunk]
  rw [BitVec.xor_assoc, BitVec.xor_self, BitVec.xor_zero]

/-- Two successive updates of one chunk equal one update from the first content to the last. Python: atomik.fingerprint.Fingerprint.update_chunk. -/
theorem updateChunk_updateChunk {w : Nat} (fp a b c : BitVec w) :
    updateChunk (updateChunk fp a b) b c = updateChunk fp a c := by
  simp only [updateChunk]
  rw [BitVec.xor_assoc (fp ^^^ a) b b, BitVec.xor_self, BitVec.xor_zero]

/-- An update that really changes a chunk changes the fingerprint. Python: atomik.fingerprint.Fingerprint.update_chunk. -/
theorem updateChunk_ne {w : Nat} (fp old new : BitVec w) (h : old ≠ new) :
    updateChunk fp old new ≠ fp := by
  intro heq
  apply h
  simp only [updateChunk] at heq
  rw [BitVec.xor_assoc] at heq
  exact BitVec.xor_eq_zero_iff.mp ((Delta.compose_eq_self_iff fp (old ^^^ new)).mp heq)

end Atomik.Fingerprint
