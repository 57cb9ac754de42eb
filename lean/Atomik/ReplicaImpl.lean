module

public import Atomik.Replica

public section

set_option autoImplicit false

/-!
# The replica as the Python runs it

`Atomik.Replica` is the abstract replica: a table and the list of applied identifiers. This module
is the algorithm of `atomik.replica.Replica`: per origin a contiguous watermark and a bounded set of
out-of-order sequence numbers, a reorder window `maxPending`, an epoch, the table's width and size,
`receive` returning the error the Python raises, the `next_seq` rule of local writes, digests,
`missing_for` and `prune`. The refinement theorems carry the abstract convergence laws over to it.

Representation: Python's watermark `w` (`-1` for none) is `next = w + 1` here (every `seq < next`
was applied); Python's dicts with defaults are functions of the origin. A packet's `width` is the
width the message declares; its delta is typed at the receiver's width.
-/

namespace Atomik

namespace ReplicaImpl

/-- Python `d[o] = v` on a per-origin map with a default. Python: atomik.replica.Replica._mark. -/
@[expose] noncomputable def setAt {α : Type} (f : Nat → α) (o : Nat) (v : α) : Nat → α :=
  fun o' => if o' = o then v else f o'

/-- Reading the origin just set gives the value set. Python: atomik.replica.Replica._mark. -/
theorem setAt_same {α : Type} (f : Nat → α) (o : Nat) (v : α) : setAt f o v o = v := by
  simp [setAt]

/-- Setting one origin leaves every other origin as it was. Python: atomik.replica.Replica._mark. -/
theorem setAt_of_ne {α : Type} (f : Nat → α) (o o' : Nat) (v : α) (h : o' ≠ o) :
    setAt f o v o' = f o' := by
  simp [setAt, h]

/-- A message as sent: Python's `DeltaMessage(origin, epoch, seq, addr, width, delta)`. Python: atomik.wire.DeltaMessage. -/
structure Packet (w : Nat) where
  /-- The replica that wrote it. -/
  origin : Nat
  /-- The epoch it was written in. -/
  epoch : Nat
  /-- Its sequence number at its origin. -/
  seq : Nat
  /-- The address it is for. -/
  addr : Nat
  /-- The width it declares. -/
  width : Nat
  /-- The delta. -/
  delta : BitVec w

namespace Packet

/-- The abstract message a packet carries. Python: atomik.wire.DeltaMessage. -/
@[expose] noncomputable def msg {w : Nat} (p : Packet w) : Message w := ⟨p.origin, p.seq, p.addr, p.delta⟩

end Packet

/-- The exception kinds: `WidthError`, `AddressError`, `EpochError`, `ReorderWindowError`, a local write past seq 2^64 - 1 (`RangeError`), `prune([])` (`PruneError`), a seen id with another content (`ConflictError`). Python: atomik.replica. -/
inductive Error where
  /-- `WidthError`: the message's width is not the table's. -/
  | width
  /-- `AddressError`: the address is outside the table. -/
  | address
  /-- `EpochError`: a message or digest of another epoch. -/
  | epoch
  /-- `ReorderWindowError`: the message is `maxPending` or more past its origin's watermark. -/
  | window
  /-- `RangeError`: a local write would need a seq that does not fit 64 bits. -/
  | exhausted
  /-- `PruneError`: `prune` was given no peer digest. -/
  | noPeers
  /-- `ConflictError`: a message whose id was already applied with another address or delta. -/
  | conflict

/-- The per-origin part of `_mark`: advance the watermark over the out-of-order set while the next seq is in it. Python: atomik.replica.Replica._mark. -/
@[expose] noncomputable def advance : Nat → Nat → List Nat → Nat × List Nat
  | 0, n, a => (n, a)
  | k + 1, n, a => if n ∈ a then advance k (n + 1) (a.erase n) else (n, a)

/-- Mark `s` applied for one origin with watermark `n` (every seq below it applied) and out-of-order set `a`. Python: atomik.replica.Replica._mark. -/
@[expose] noncomputable def markSeq (n : Nat) (a : List Nat) (s : Nat) : Nat × List Nat :=
  if s < n then (n, a) else if s = n then advance a.length (n + 1) a else (n, s :: a)

/-- The state of a Python `Replica`. Python: atomik.replica.Replica. -/
structure State (w : Nat) where
  /-- `replica_id`. -/
  id : Nat
  /-- `epoch`. -/
  epoch : Nat
  /-- `num_contexts`. -/
  size : Nat
  /-- `max_pending`. -/
  maxPending : Nat
  /-- The table. -/
  table : Table w
  /-- Per origin, Python's watermark plus one. -/
  next : Nat → Nat
  /-- Per origin, the applied seqs above the watermark. -/
  ahead : Nat → List Nat
  /-- `next_seq`. -/
  nextSeq : Nat
  /-- The stored messages (served by `missing_for`). -/
  store : List (Packet w)

namespace State

variable {w : Nat}

/-- A replica with a table and no message applied. Python: atomik.replica.Replica.from_table. -/
@[expose] noncomputable def init (id epoch size maxPending : Nat) (t : Table w) : State w :=
  { id := id, epoch := epoch, size := size, maxPending := maxPending, table := t,
    next := fun _ => 0, ahead := fun _ => [], nextSeq := 0, store := [] }

/-- Whether `(o, s)` was applied: below the watermark or in the out-of-order set. Python: atomik.replica.Replica.seen. -/
@[expose] def seen (r : State w) (o s : Nat) : Prop := s < r.next o ∨ s ∈ r.ahead o

/-- `seen` is decided as the Python decides it. Python: atomik.replica.Replica.seen. -/
noncomputable instance decSeen (r : State w) (o s : Nat) : Decidable (r.seen o s) :=
  inferInstanceAs (Decidable (s < r.next o ∨ s ∈ r.ahead o))

/-- Apply a message: XOR its delta in, mark its id, store it, and move `next_seq` past an own message. Python: atomik.replica.Replica._apply. -/
@[expose] noncomputable def apply (r : State w) (p : Packet w) : State w :=
  { id := r.id, epoch := r.epoch, size := r.size, maxPending := r.maxPending,
    table := r.table.accum p.addr p.delta,
    next := setAt r.next p.origin (markSeq (r.next p.origin) (r.ahead p.origin) p.seq).1,
    ahead := setAt r.ahead p.origin (markSeq (r.next p.origin) (r.ahead p.origin) p.seq).2,
    nextSeq := if p.origin = r.id ∧ r.nextSeq ≤ p.seq then p.seq + 1 else r.nextSeq,
    store := r.store ++ [p] }

/-- The checks of `receive`, in the Python's order: width, address, epoch, window. Python: atomik.replica.Replica.check. -/
@[expose] noncomputable def check (r : State w) (p : Packet w) : Option Error :=
  if p.width ≠ w then some .width
  else if r.size ≤ p.addr then some .address
  else if p.epoch ≠ r.epoch then some .epoch
  else if r.next p.origin + r.maxPending ≤ p.seq ∧ ¬ r.seen p.origin p.seq then some .window
  else none

/-- A stored message has the id of `p` but another address or delta (the Python compares `p` with the stored message of its id). Python: atomik.replica.Replica._duplicate. -/
@[expose] def conflicts (r : State w) (p : Packet w) : Prop :=
  ∃ q ∈ r.store, q.origin = p.origin ∧ q.seq = p.seq ∧ (q.addr ≠ p.addr ∨ q.delta ≠ p.delta)

/-- `conflicts` is decided by a scan of the store. Python: atomik.replica.Replica._duplicate. -/
noncomputable instance decConflicts (r : State w) (p : Packet w) : Decidable (r.conflicts p) :=
  inferInstanceAs (Decidable (∃ q ∈ r.store,
    q.origin = p.origin ∧ q.seq = p.seq ∧ (q.addr ≠ p.addr ∨ q.delta ≠ p.delta)))

/-- `receive`: the error raised, or the new replica and whether the message was applied; a seen id is compared with the stored message only then (a new message pays nothing). Python: atomik.replica.Replica.receive. -/
@[expose] noncomputable def receive (r : State w) (p : Packet w) : Except Error (State w × Bool) :=
  match r.check p with
  | some e => .error e
  | none =>
    if r.seen p.origin p.seq then (if r.conflicts p then .error .conflict else .ok (r, false))
    else .ok (r.apply p, true)

/-- The replica after `receive`, whether it raised or not. Python: atomik.replica.Replica.receive. -/
@[expose] noncomputable def step (r : State w) (p : Packet w) : State w :=
  if (r.check p).isNone = true ∧ ¬ r.seen p.origin p.seq then r.apply p else r

/-- Receive packets in turn, each rejected one changing nothing and the rest still received. Python: atomik.replica.Replica.receive_all. -/
@[expose] noncomputable def receiveAll : State w → List (Packet w) → State w
  | r, [] => r
  | r, p :: ps => (r.step p).receiveAll ps

/-- The packets of a delivery that passed the checks (applied or duplicates), in order. Python: atomik.replica.Replica.receive_all. -/
@[expose] noncomputable def passed : State w → List (Packet w) → List (Packet w)
  | _, [] => []
  | r, p :: ps =>
    if (r.check p).isNone = true then p :: (r.step p).passed ps else (r.step p).passed ps

/-- The packets of a delivery that were rejected, with their errors (what `receive_all` reports). Python: atomik.replica.Replica.receive_all. -/
@[expose] noncomputable def rejected : State w → List (Packet w) → List (Packet w × Error)
  | _, [] => []
  | r, p :: ps =>
    match r.check p with
    | some e => (p, e) :: (r.step p).rejected ps
    | none => (r.step p).rejected ps

/-- The largest seq plus one: seqs are u64. Python: atomik.wire.DeltaMessage. -/
@[expose] noncomputable def seqLimit : Nat := 2 ^ 64

/-- The message a local write sends. Python: atomik.replica.Replica._emit. -/
@[expose] noncomputable def emitted (r : State w) (addr : Nat) (d : BitVec w) : Packet w :=
  ⟨r.id, r.epoch, r.nextSeq, addr, w, d⟩

/-- `accum`: XOR `d` in at `addr` locally, returning the new replica and the message. Python: atomik.replica.Replica.accum. -/
@[expose] noncomputable def accum (r : State w) (addr : Nat) (d : BitVec w) :
    Except Error (State w × Packet w) :=
  if r.size ≤ addr then .error .address
  else if seqLimit ≤ r.nextSeq then .error .exhausted
  else .ok (r.apply (r.emitted addr d), r.emitted addr d)

/-- `put`: make `addr` read `v` locally (the delta `read addr ^^^ v`). Python: atomik.replica.Replica.put. -/
@[expose] noncomputable def put (r : State w) (addr : Nat) (v : BitVec w) :
    Except Error (State w × Packet w) :=
  r.accum addr (Delta.computeDelta (r.table.read addr) v)

/-- The invariant of every reachable replica. Python: atomik.replica.Replica. -/
structure Inv (r : State w) : Prop where
  /-- The out-of-order sets hold each seq once (Python: a set). -/
  nodup : ∀ o, (r.ahead o).Nodup
  /-- Every out-of-order seq is above the watermark plus one. -/
  gt : ∀ o, ∀ s ∈ r.ahead o, r.next o < s
  /-- Every out-of-order seq of another origin is within the window. -/
  lt : ∀ o, o ≠ r.id → ∀ s ∈ r.ahead o, s < r.next o + r.maxPending
  /-- Every applied own seq is below `next_seq`. -/
  own : ∀ s, r.seen r.id s → s < r.nextSeq
  /-- Every stored message is marked applied. -/
  stored : ∀ p ∈ r.store, r.seen p.origin p.seq

/-- A message of the right width, inside the table and of the replica's epoch. Python: atomik.replica.Replica.check. -/
@[expose] def Good (r : State w) (p : Packet w) : Prop :=
  p.width = w ∧ p.addr < r.size ∧ p.epoch = r.epoch

/-- A message every replica with these parameters rejects, whatever it has applied. Python: atomik.replica.Replica.check. -/
@[expose] def Bad (r : State w) (p : Packet w) : Prop :=
  p.width ≠ w ∨ r.size ≤ p.addr ∨ p.epoch ≠ r.epoch

/-- The implementation state `r` represents the abstract replica `a`: same table, and "seen?" answers the same. Python: atomik.replica.Replica. -/
@[expose] def Refines (r : State w) (a : Replica w) : Prop :=
  r.table = a.table ∧ ∀ o s, r.seen o s ↔ (o, s) ∈ a.seen

end State

/-- What a replica reports having applied: per origin the watermark (plus one) and the out-of-order set. Python: atomik.replica.Digest. -/
structure Digest where
  /-- The epoch of the replica that made it. -/
  epoch : Nat
  /-- Per origin, the watermark plus one. -/
  next : Nat → Nat
  /-- Per origin, the applied seqs above the watermark. -/
  ahead : Nat → List Nat

namespace Digest

/-- Whether the replica that made the digest had applied `(o, s)`. Python: atomik.replica.Digest.covers. -/
@[expose] def covers (d : Digest) (o s : Nat) : Prop := s < d.next o ∨ s ∈ d.ahead o

/-- `covers` is decided as the Python decides it. Python: atomik.replica.Digest.covers. -/
noncomputable instance decCovers (d : Digest) (o s : Nat) : Decidable (d.covers o s) :=
  inferInstanceAs (Decidable (s < d.next o ∨ s ∈ d.ahead o))

end Digest

namespace State

variable {w : Nat}

/-- The digest of a replica. Python: atomik.replica.Replica.digest. -/
@[expose] noncomputable def digest (r : State w) : Digest := ⟨r.epoch, r.next, r.ahead⟩

/-- The stored messages a peer with digest `d` lacks (an `EpochError` for another epoch). Python: atomik.replica.Replica.missing_for. -/
@[expose] noncomputable def missingFor (r : State w) (d : Digest) : Except Error (List (Packet w)) :=
  if d.epoch = r.epoch then .ok (r.store.filter (fun p => !decide (d.covers p.origin p.seq)))
  else .error .epoch

/-- Forget the stored messages every given digest of this epoch covers; no digest is an error. Python: atomik.replica.Replica.prune. -/
@[expose] noncomputable def prune (r : State w) (ds : List Digest) : Except Error (State w) :=
  if ds.isEmpty = true then .error .noPeers
  else .ok { r with
    store := r.store.filter (fun p => !decide (∀ d ∈ ds, d.epoch = r.epoch ∧ d.covers p.origin p.seq)) }

/-! ## Field lemmas -/

/-- Applying a message keeps the replica id. Python: atomik.replica.Replica._apply. -/
theorem apply_id (r : State w) (p : Packet w) : (r.apply p).id = r.id := rfl
/-- Applying a message keeps the epoch. Python: atomik.replica.Replica._apply. -/
theorem apply_epoch (r : State w) (p : Packet w) : (r.apply p).epoch = r.epoch := rfl
/-- Applying a message keeps the table size. Python: atomik.replica.Replica._apply. -/
theorem apply_size (r : State w) (p : Packet w) : (r.apply p).size = r.size := rfl
/-- Applying a message keeps the reorder window. Python: atomik.replica.Replica._apply. -/
theorem apply_maxPending (r : State w) (p : Packet w) : (r.apply p).maxPending = r.maxPending := rfl
/-- Applying a message XORs its delta at its address. Python: atomik.replica.Replica._apply. -/
theorem apply_table (r : State w) (p : Packet w) :
    (r.apply p).table = r.table.accum p.addr p.delta := rfl
/-- Applying a message marks its seq in its origin's watermark. Python: atomik.replica.Replica._apply. -/
theorem apply_next (r : State w) (p : Packet w) :
    (r.apply p).next = setAt r.next p.origin (markSeq (r.next p.origin) (r.ahead p.origin) p.seq).1 :=
  rfl
/-- Applying a message marks its seq in its origin's out-of-order set. Python: atomik.replica.Replica._apply. -/
theorem apply_ahead (r : State w) (p : Packet w) :
    (r.apply p).ahead = setAt r.ahead p.origin (markSeq (r.next p.origin) (r.ahead p.origin) p.seq).2 :=
  rfl
/-- Applying one's own message with a seq at or above next_seq moves next_seq past it. Python: atomik.replica.Replica._apply. -/
theorem apply_nextSeq (r : State w) (p : Packet w) :
    (r.apply p).nextSeq = if p.origin = r.id ∧ r.nextSeq ≤ p.seq then p.seq + 1 else r.nextSeq := rfl
/-- Applying a message stores it. Python: atomik.replica.Replica._apply. -/
theorem apply_store (r : State w) (p : Packet w) : (r.apply p).store = r.store ++ [p] := rfl

end State

/-! ## The watermark and the out-of-order set -/

/-- Advancing the watermark keeps the answer to "seen?" for every seq. Python: atomik.replica.Replica._mark. -/
theorem advance_seen (k n : Nat) (a : List Nat) (t : Nat) :
    (t < (advance k n a).1 ∨ t ∈ (advance k n a).2) ↔ (t < n ∨ t ∈ a) := by
  induction k generalizing n a with
  | zero => simp [advance]
  | succ k ih =>
    by_cases hn : n ∈ a
    · simp only [advance, hn, ↓reduceIte]
      rw [ih]
      by_cases ht : t = n
      · constructor
        · intro _; exact Or.inr (by rw [ht]; exact hn)
        · intro _; exact Or.inl (by omega)
      · rw [List.mem_erase_of_ne ht]
        constructor
        · rintro (h | h)
          · exact Or.inl (by omega)
          · exact Or.inr h
        · rintro (h | h)
          · exact Or.inl (by omega)
          · exact Or.inr h
    · simp [advance, hn]

/-- Advancing never lowers the watermark. Python: atomik.replica.Replica._mark. -/
theorem advance_le (k n : Nat) (a : List Nat) : n ≤ (advance k n a).1 := by
  induction k generalizing n a with
  | zero => simp [advance]
  | succ k ih =>
    by_cases hn : n ∈ a
    · simp only [advance, hn, ↓reduceIte]
      exact Nat.le_trans (Nat.le_succ n) (ih _ _)
    · simp [advance, hn]

/-- Advancing only removes seqs from the out-of-order set. Python: atomik.replica.Replica._mark. -/
theorem advance_sublist (k n : Nat) (a : List Nat) : (advance k n a).2.Sublist a := by
  induction k generalizing n a with
  | zero => simp only [advance]; exact List.Sublist.refl a
  | succ k ih =>
    by_cases hn : n ∈ a
    · simp only [advance, hn, ↓reduceIte]
      exact (ih _ _).trans (List.erase_sublist ..)
    · simp only [advance, hn, ↓reduceIte]
      exact List.Sublist.refl a

/-- With enough steps, advancing stops at a watermark whose next seq is not in the set. Python: atomik.replica.Replica._mark. -/
theorem advance_not_mem (k n : Nat) (a : List Nat) (h : a.length ≤ k) :
    (advance k n a).1 ∉ (advance k n a).2 := by
  induction k generalizing n a with
  | zero =>
    have ha : a = [] := List.eq_nil_of_length_eq_zero (by omega)
    subst ha
    simp [advance]
  | succ k ih =>
    by_cases hn : n ∈ a
    · simp only [advance, hn, ↓reduceIte]
      apply ih
      rw [List.length_erase_of_mem hn]
      omega
    · simp [advance, hn]

/-- After advancing, every out-of-order seq is above the watermark plus one. Python: atomik.replica.Replica._mark. -/
theorem advance_gt (k n : Nat) (a : List Nat) (hnd : a.Nodup) (hge : ∀ s ∈ a, n ≤ s)
    (hk : a.length ≤ k) : ∀ s ∈ (advance k n a).2, (advance k n a).1 < s := by
  induction k generalizing n a with
  | zero =>
    have ha : a = [] := List.eq_nil_of_length_eq_zero (by omega)
    subst ha
    simp [advance]
  | succ k ih =>
    by_cases hn : n ∈ a
    · simp only [advance, hn, ↓reduceIte]
      apply ih
      · exact hnd.sublist (List.erase_sublist ..)
      · intro s hs
        rw [hnd.mem_erase_iff] at hs
        have := hge s hs.2
        have := hs.1
        omega
      · rw [List.length_erase_of_mem hn]
        omega
    · simp only [advance, hn, ↓reduceIte]
      intro s hs
      have h1 := hge s hs
      have h2 : s ≠ n := fun h => hn (h ▸ hs)
      omega

/-- Marking an unseen seq adds exactly it to what is seen. Python: atomik.replica.Replica._mark. -/
theorem markSeq_seen (n : Nat) (a : List Nat) (s t : Nat) (hs : n ≤ s) :
    (t < (markSeq n a s).1 ∨ t ∈ (markSeq n a s).2) ↔ (t = s ∨ t < n ∨ t ∈ a) := by
  unfold markSeq
  have h1 : ¬ s < n := by omega
  rw [if_neg h1]
  by_cases h2 : s = n
  · rw [if_pos h2, advance_seen]
    constructor
    · rintro (h | h)
      · by_cases hts : t = s
        · exact Or.inl hts
        · exact Or.inr (Or.inl (by omega))
      · exact Or.inr (Or.inr h)
    · rintro (h | h | h)
      · exact Or.inl (by omega)
      · exact Or.inl (by omega)
      · exact Or.inr h
  · rw [if_neg h2]
    dsimp only
    rw [List.mem_cons]
    constructor
    · rintro (h | h | h)
      · exact Or.inr (Or.inl h)
      · exact Or.inl h
      · exact Or.inr (Or.inr h)
    · rintro (h | h | h)
      · exact Or.inr (Or.inl h)
      · exact Or.inl h
      · exact Or.inr (Or.inr h)

/-- Marking never lowers the watermark. Python: atomik.replica.Replica._mark. -/
theorem markSeq_le (n : Nat) (a : List Nat) (s : Nat) : n ≤ (markSeq n a s).1 := by
  unfold markSeq
  by_cases h1 : s < n
  · rw [if_pos h1]; exact Nat.le_refl n
  · rw [if_neg h1]
    by_cases h2 : s = n
    · rw [if_pos h2]; exact Nat.le_trans (Nat.le_succ n) (advance_le _ _ _)
    · rw [if_neg h2]; exact Nat.le_refl n

/-- After marking, every out-of-order seq is the marked one or was out of order before. Python: atomik.replica.Replica._mark. -/
theorem markSeq_mem (n : Nat) (a : List Nat) (s t : Nat) (ht : t ∈ (markSeq n a s).2) :
    t = s ∨ t ∈ a := by
  unfold markSeq at ht
  by_cases h1 : s < n
  · rw [if_pos h1] at ht; exact Or.inr ht
  · rw [if_neg h1] at ht
    by_cases h2 : s = n
    · rw [if_pos h2] at ht; exact Or.inr ((advance_sublist _ _ _).subset ht)
    · rw [if_neg h2] at ht
      exact List.mem_cons.mp ht

/-- Marking an unseen seq keeps the out-of-order set free of repeats. Python: atomik.replica.Replica._mark. -/
theorem markSeq_nodup (n : Nat) (a : List Nat) (s : Nat) (hnd : a.Nodup) (hsa : s ∉ a) :
    (markSeq n a s).2.Nodup := by
  unfold markSeq
  by_cases h1 : s < n
  · rw [if_pos h1]; exact hnd
  · rw [if_neg h1]
    by_cases h2 : s = n
    · rw [if_pos h2]; exact hnd.sublist (advance_sublist _ _ _)
    · rw [if_neg h2]; exact List.nodup_cons.mpr ⟨hsa, hnd⟩

/-- Marking an unseen seq keeps every out-of-order seq above the watermark plus one. Python: atomik.replica.Replica._mark. -/
theorem markSeq_gt (n : Nat) (a : List Nat) (s : Nat) (hnd : a.Nodup) (hgt : ∀ t ∈ a, n < t)
    (hs : n ≤ s) : ∀ t ∈ (markSeq n a s).2, (markSeq n a s).1 < t := by
  unfold markSeq
  have h1 : ¬ s < n := by omega
  rw [if_neg h1]
  by_cases h2 : s = n
  · rw [if_pos h2]
    apply advance_gt _ _ _ hnd _ (Nat.le_refl _)
    intro t ht
    have := hgt t ht
    omega
  · rw [if_neg h2]
    dsimp only
    intro t ht
    rcases List.mem_cons.mp ht with h | h
    · omega
    · exact hgt t h

/-- A set of seqs without repeats inside a range of `k` seqs holds at most `k` of them (the memory bound of an out-of-order set). Python: atomik.replica.Replica.pending. -/
theorem length_le_of_nodup_range (k : Nat) : ∀ (lo : Nat) (l : List Nat), l.Nodup →
    (∀ s ∈ l, lo ≤ s ∧ s < lo + k) → l.length ≤ k := by
  induction k with
  | zero =>
    intro lo l _ h
    cases l with
    | nil => exact Nat.le_refl 0
    | cons a t =>
      obtain ⟨h1, h2⟩ := h a (List.mem_cons_self ..)
      omega
  | succ k ih =>
    intro lo l hnd h
    have h1 : (l.erase (lo + k)).length ≤ k := by
      apply ih lo _ (hnd.sublist (List.erase_sublist ..))
      intro s hs
      rw [hnd.mem_erase_iff] at hs
      have h3 := h s hs.2
      have h4 := hs.1
      omega
    by_cases hm : lo + k ∈ l
    · rw [List.length_erase_of_mem hm] at h1
      have := List.length_pos_of_mem hm
      omega
    · rw [List.erase_of_not_mem hm] at h1
      omega

namespace State

variable {w : Nat}

/-! ## Refinement: the watermark representation answers "seen?" as the set of applied ids -/

/-- Applying an unseen message adds exactly its identifier to what is seen. Python: atomik.replica.Replica._apply. -/
theorem seen_apply (r : State w) (p : Packet w) (hp : ¬ r.seen p.origin p.seq) (o s : Nat) :
    (r.apply p).seen o s ↔ (o = p.origin ∧ s = p.seq) ∨ r.seen o s := by
  have hle : r.next p.origin ≤ p.seq := Nat.le_of_not_lt (fun h => hp (Or.inl h))
  by_cases ho : o = p.origin
  · subst ho
    unfold seen
    rw [apply_next, apply_ahead, setAt_same, setAt_same, markSeq_seen _ _ _ _ hle]
    constructor
    · rintro (h | h)
      · exact Or.inl ⟨rfl, h⟩
      · exact Or.inr h
    · rintro (⟨_, h⟩ | h)
      · exact Or.inl h
      · exact Or.inr h
  · unfold seen
    rw [apply_next, apply_ahead, setAt_of_ne _ _ _ _ ho, setAt_of_ne _ _ _ _ ho]
    constructor
    · intro h; exact Or.inr h
    · rintro (⟨h, _⟩ | h)
      · exact absurd h ho
      · exact h

/-- `step` is either no change or applying an unseen message that passed the checks. Python: atomik.replica.Replica.receive. -/
theorem step_cases (r : State w) (p : Packet w) :
    r.step p = r ∨ (r.check p = none ∧ ¬ r.seen p.origin p.seq ∧ r.step p = r.apply p) := by
  unfold step
  by_cases h : (r.check p).isNone = true ∧ ¬ r.seen p.origin p.seq
  · rw [if_pos h]
    exact Or.inr ⟨Option.isNone_iff_eq_none.mp h.1, h.2, rfl⟩
  · rw [if_neg h]
    exact Or.inl rfl

/-- What is seen stays seen. Python: atomik.replica.Replica.receive. -/
theorem seen_step (r : State w) (p : Packet w) (o s : Nat) (h : r.seen o s) :
    (r.step p).seen o s := by
  rcases step_cases r p with hs | ⟨_, hns, hs⟩
  · rw [hs]; exact h
  · rw [hs, seen_apply r p hns]; exact Or.inr h

/-- `step` keeps the id, epoch, size and window. Python: atomik.replica.Replica.receive. -/
theorem step_params (r : State w) (p : Packet w) :
    (r.step p).id = r.id ∧ (r.step p).epoch = r.epoch ∧ (r.step p).size = r.size ∧
      (r.step p).maxPending = r.maxPending := by
  rcases step_cases r p with hs | ⟨_, _, hs⟩
  · rw [hs]; exact ⟨rfl, rfl, rfl, rfl⟩
  · rw [hs]; exact ⟨rfl, rfl, rfl, rfl⟩

/-- What passed the checks is the message of the right width, address, epoch and window. Python: atomik.replica.Replica.check. -/
theorem check_eq_none_iff (r : State w) (p : Packet w) :
    r.check p = none ↔ (p.width = w ∧ p.addr < r.size ∧ p.epoch = r.epoch ∧
      (p.seq < r.next p.origin + r.maxPending ∨ r.seen p.origin p.seq)) := by
  unfold check
  by_cases h1 : p.width ≠ w
  · rw [if_pos h1]
    constructor
    · intro h; cases h
    · intro h; exact absurd h.1 h1
  · rw [if_neg h1]
    by_cases h2 : r.size ≤ p.addr
    · rw [if_pos h2]
      constructor
      · intro h; cases h
      · intro h; exact absurd h.2.1 (by omega)
    · rw [if_neg h2]
      by_cases h3 : p.epoch ≠ r.epoch
      · rw [if_pos h3]
        constructor
        · intro h; cases h
        · intro h; exact absurd h.2.2.1 h3
      · rw [if_neg h3]
        by_cases h4 : r.next p.origin + r.maxPending ≤ p.seq ∧ ¬ r.seen p.origin p.seq
        · rw [if_pos h4]
          constructor
          · intro h; cases h
          · rintro ⟨_, _, _, h | h⟩
            · exact absurd h4.1 (by omega)
            · exact absurd h h4.2
        · rw [if_neg h4]
          constructor
          · intro _
            refine ⟨by omega, by omega, by omega, ?_⟩
            by_cases hs : r.seen p.origin p.seq
            · exact Or.inr hs
            · have : ¬ r.next p.origin + r.maxPending ≤ p.seq := fun hle => h4 ⟨hle, hs⟩
              exact Or.inl (by omega)
          · intro _; rfl

/-! ## A rejected message changes nothing -/

/-- A message that fails a check changes nothing, and `receive` raises that error. Python: atomik.replica.Replica.receive. -/
theorem step_of_check_eq_some (r : State w) (p : Packet w) (e : Error) (h : r.check p = some e) :
    r.step p = r ∧ r.receive p = .error e := by
  have hn : ¬ ((r.check p).isNone = true ∧ ¬ r.seen p.origin p.seq) := by
    rintro ⟨hn, _⟩
    rw [h] at hn
    cases hn
  constructor
  · unfold step
    rw [if_neg hn]
  · unfold receive
    rw [h] <;> rfl

/-- `receive` raises `WidthError` exactly for a message of another width (and then changes nothing). Python: atomik.replica.Replica.receive. -/
theorem check_eq_width_iff (r : State w) (p : Packet w) :
    r.check p = some .width ↔ p.width ≠ w := by
  unfold check
  by_cases h1 : p.width ≠ w
  · rw [if_pos h1]; exact ⟨fun _ => h1, fun _ => rfl⟩
  · rw [if_neg h1]
    constructor
    · intro h
      split at h
      · cases h
      · split at h
        · cases h
        · split at h
          · cases h
          · cases h
    · intro h; exact absurd h h1

/-- `receive` raises `AddressError` exactly for a message of the right width outside the table. Python: atomik.replica.Replica.receive. -/
theorem check_eq_address_iff (r : State w) (p : Packet w) :
    r.check p = some .address ↔ (p.width = w ∧ r.size ≤ p.addr) := by
  unfold check
  by_cases h1 : p.width ≠ w
  · rw [if_pos h1]
    constructor
    · intro h; cases h
    · intro h; exact absurd h.1 h1
  · rw [if_neg h1]
    by_cases h2 : r.size ≤ p.addr
    · rw [if_pos h2]; exact ⟨fun _ => ⟨by omega, h2⟩, fun _ => rfl⟩
    · rw [if_neg h2]
      constructor
      · intro h
        split at h
        · cases h
        · split at h
          · cases h
          · cases h
      · intro h; exact absurd h.2 h2

/-- `receive` raises `EpochError` exactly for a message of another epoch that passes the width and address checks. Python: atomik.replica.Replica.receive. -/
theorem check_eq_epoch_iff (r : State w) (p : Packet w) :
    r.check p = some .epoch ↔ (p.width = w ∧ p.addr < r.size ∧ p.epoch ≠ r.epoch) := by
  unfold check
  by_cases h1 : p.width ≠ w
  · rw [if_pos h1]
    constructor
    · intro h; cases h
    · intro h; exact absurd h.1 h1
  · rw [if_neg h1]
    by_cases h2 : r.size ≤ p.addr
    · rw [if_pos h2]
      constructor
      · intro h; cases h
      · intro h; exact absurd h.2.1 (by omega)
    · rw [if_neg h2]
      by_cases h3 : p.epoch ≠ r.epoch
      · rw [if_pos h3]; exact ⟨fun _ => ⟨by omega, by omega, h3⟩, fun _ => rfl⟩
      · rw [if_neg h3]
        constructor
        · intro h
          split at h
          · cases h
          · cases h
        · intro h; exact absurd h.2.2 h3

/-- `receive` raises `ReorderWindowError` exactly for an otherwise valid unseen message `maxPending` or more past its origin's watermark. Python: atomik.replica.Replica.receive. -/
theorem check_eq_window_iff (r : State w) (p : Packet w) :
    r.check p = some .window ↔ (p.width = w ∧ p.addr < r.size ∧ p.epoch = r.epoch ∧
      r.next p.origin + r.maxPending ≤ p.seq ∧ ¬ r.seen p.origin p.seq) := by
  unfold check
  by_cases h1 : p.width ≠ w
  · rw [if_pos h1]
    constructor
    · intro h; cases h
    · intro h; exact absurd h.1 h1
  · rw [if_neg h1]
    by_cases h2 : r.size ≤ p.addr
    · rw [if_pos h2]
      constructor
      · intro h; cases h
      · intro h; exact absurd h.2.1 (by omega)
    · rw [if_neg h2]
      by_cases h3 : p.epoch ≠ r.epoch
      · rw [if_pos h3]
        constructor
        · intro h; cases h
        · intro h; exact absurd h.2.2.1 h3
      · rw [if_neg h3]
        by_cases h4 : r.next p.origin + r.maxPending ≤ p.seq ∧ ¬ r.seen p.origin p.seq
        · rw [if_pos h4]; exact ⟨fun _ => ⟨by omega, by omega, by omega, h4⟩, fun _ => rfl⟩
        · rw [if_neg h4]
          constructor
          · intro h; cases h
          · intro h; exact absurd h.2.2.2 h4

/-- A bad message (other width, outside the table, other epoch) is rejected by every replica with these parameters. Python: atomik.replica.Replica.check. -/
theorem check_of_bad (r : State w) (p : Packet w) (h : r.Bad p) : (r.check p).isNone = false := by
  unfold check
  rcases h with h | h | h
  · rw [if_pos h] <;> rfl
  · by_cases h1 : p.width ≠ w
    · rw [if_pos h1] <;> rfl
    · rw [if_neg h1, if_pos h] <;> rfl
  · by_cases h1 : p.width ≠ w
    · rw [if_pos h1] <;> rfl
    · rw [if_neg h1]
      by_cases h2 : r.size ≤ p.addr
      · rw [if_pos h2] <;> rfl
      · rw [if_neg h2, if_pos h] <;> rfl

/-- A bad message changes nothing. Python: atomik.replica.Replica.receive. -/
theorem step_of_bad (r : State w) (p : Packet w) (h : r.Bad p) : r.step p = r := by
  have hn : ¬ ((r.check p).isNone = true ∧ ¬ r.seen p.origin p.seq) := by
    rintro ⟨hn, _⟩
    rw [check_of_bad r p h] at hn
    cases hn
  unfold step
  rw [if_neg hn]

/-! ## Deliveries -/

/-- Receiving a delivery joined is receiving the first part, then the second. Python: atomik.replica.Replica.receive_all. -/
theorem receiveAll_append (r : State w) (ps₁ ps₂ : List (Packet w)) :
    r.receiveAll (ps₁ ++ ps₂) = (r.receiveAll ps₁).receiveAll ps₂ := by
  induction ps₁ generalizing r with
  | nil => rfl
  | cons p ps ih =>
    simp only [List.cons_append, receiveAll]
    exact ih _

/-- The packets that pass in a joined delivery are those of the first part, then those of the second. Python: atomik.replica.Replica.receive_all. -/
theorem passed_append (r : State w) (ps₁ ps₂ : List (Packet w)) :
    r.passed (ps₁ ++ ps₂) = r.passed ps₁ ++ (r.receiveAll ps₁).passed ps₂ := by
  induction ps₁ generalizing r with
  | nil => rfl
  | cons p ps ih =>
    simp only [List.cons_append, passed, receiveAll]
    by_cases h : (r.check p).isNone = true
    · rw [if_pos h, if_pos h, ih, List.cons_append]
    · rw [if_neg h, if_neg h, ih]

/-- Nothing is lost: every packet of a delivery either passed or is reported rejected. Python: atomik.replica.Replica.receive_all. -/
theorem length_passed_add_rejected (r : State w) (ps : List (Packet w)) :
    (r.passed ps).length + (r.rejected ps).length = ps.length := by
  induction ps generalizing r with
  | nil => rfl
  | cons p ps ih =>
    have ih' := ih (r.step p)
    cases hc : r.check p with
    | none =>
      have e1 : r.passed (p :: ps) = p :: (r.step p).passed ps := by simp [passed, hc]
      have e2 : r.rejected (p :: ps) = (r.step p).rejected ps := by simp [rejected, hc]
      rw [e1, e2, List.length_cons, List.length_cons]
      omega
    | some e =>
      have e1 : r.passed (p :: ps) = (r.step p).passed ps := by simp [passed, hc]
      have e2 : r.rejected (p :: ps) = (p, e) :: (r.step p).rejected ps := by simp [rejected, hc]
      rw [e1, e2, List.length_cons, List.length_cons]
      omega

/-- A bad message anywhere in a delivery changes nothing: `[bad, good]` and `[good, bad]` leave the same replica. Python: atomik.replica.Replica.receive_all. -/
theorem receiveAll_bad (r : State w) (ps₁ ps₂ : List (Packet w)) (p : Packet w) (h : r.Bad p) :
    r.receiveAll (ps₁ ++ p :: ps₂) = r.receiveAll (ps₁ ++ ps₂) := by
  induction ps₁ generalizing r with
  | nil =>
    simp only [List.nil_append, receiveAll]
    rw [step_of_bad r p h]
  | cons q qs ih =>
    simp only [List.cons_append, receiveAll]
    apply ih
    obtain ⟨_, he, hs, _⟩ := step_params r q
    unfold Bad at h ⊢
    rw [he, hs]
    exact h

/-- The implementation refines the abstract replica on a message that passes the checks. Python: atomik.replica.Replica.receive. -/
theorem refines_step (r : State w) (a : Replica w) (p : Packet w) (h : r.Refines a)
    (hc : r.check p = none) : (r.step p).Refines (a.receive p.msg) := by
  by_cases hs : r.seen p.origin p.seq
  · have hmem : p.msg.id ∈ a.seen := (h.2 _ _).mp hs
    rw [Replica.receive_of_mem a p.msg hmem]
    have hst : r.step p = r := by
      unfold step
      rw [if_neg (fun hh => hh.2 hs)]
    rw [hst]
    exact h
  · have hmem : p.msg.id ∉ a.seen := fun hh => hs ((h.2 _ _).mpr hh)
    have hst : r.step p = r.apply p := by
      unfold step
      rw [if_pos ⟨by simp [hc], hs⟩]
    have hrecv : a.receive p.msg = ⟨a.table.deliver p.msg, p.msg.id :: a.seen⟩ := by
      unfold Replica.receive
      rw [if_neg hmem]
    rw [hst, hrecv]
    constructor
    · show r.table.accum p.addr p.delta = a.table.accum p.msg.addr p.msg.delta
      rw [h.1] <;> rfl
    · intro o s
      rw [seen_apply r p hs, h.2 o s]
      show _ ↔ (o, s) ∈ (p.origin, p.seq) :: a.seen
      rw [List.mem_cons, Prod.mk.injEq]

/-- Refinement of a whole delivery: the implementation after any delivery (rejected packets included) represents the abstract replica that received the packets which passed. Python: atomik.replica.Replica.receive_all. -/
theorem refines_receiveAll (ps : List (Packet w)) :
    ∀ (r : State w) (a : Replica w), r.Refines a →
      (r.receiveAll ps).Refines (a.receiveAll ((r.passed ps).map Packet.msg)) := by
  induction ps with
  | nil => intro r a h; exact h
  | cons p ps ih =>
    intro r a h
    simp only [receiveAll, passed]
    by_cases hc : (r.check p).isNone = true
    · rw [if_pos hc, List.map_cons]
      simp only [Replica.receiveAll]
      exact ih _ _ (refines_step r a p h (Option.isNone_iff_eq_none.mp hc))
    · have hst : r.step p = r := by
        unfold step
        rw [if_neg (fun hh => hc hh.1)]
      rw [if_neg hc, hst]
      exact ih r a h

/-- A fresh replica represents the abstract replica that has seen nothing. Python: atomik.replica.Replica.from_table. -/
theorem refines_init (id epoch size maxPending : Nat) (t : Table w) :
    (init id epoch size maxPending t).Refines (Replica.init t) := by
  refine ⟨rfl, ?_⟩
  intro o s
  simp [init, seen, Replica.init]

/-- Convergence as the Python runs it: replicas that represent the same abstract replica (e.g. fresh from one table, whatever their ids and windows) and end up having accepted the same set of well-formed messages read the same table, whatever the order, the duplicates and the rejected messages mixed in. Python: atomik.replica.Replica.receive_all. -/
theorem table_receiveAll_of_sameSet (r₁ r₂ : State w) (a : Replica w) (h₁ : r₁.Refines a)
    (h₂ : r₂.Refines a) (ps₁ ps₂ : List (Packet w))
    (hwf : Replica.WellFormed ((r₁.passed ps₁).map Packet.msg))
    (hsame : Replica.SameSet ((r₁.passed ps₁).map Packet.msg) ((r₂.passed ps₂).map Packet.msg)) :
    (r₁.receiveAll ps₁).table = (r₂.receiveAll ps₂).table := by
  rw [(refines_receiveAll ps₁ r₁ a h₁).1, (refines_receiveAll ps₂ r₂ a h₂).1]
  exact Replica.table_receiveAll_of_sameSet a _ _ hwf hsame

/-! ## The invariant -/

/-- A fresh replica satisfies the invariant. Python: atomik.replica.Replica.from_table. -/
theorem inv_init (id epoch size maxPending : Nat) (t : Table w) :
    (init id epoch size maxPending t).Inv := by
  refine ⟨?_, ?_, ?_, ?_, ?_⟩
  · intro o; exact List.nodup_nil
  · intro o s hs; simp [init] at hs
  · intro o _ s hs; simp [init] at hs
  · intro s hs; simp [init, seen] at hs
  · intro p hp; simp [init] at hp

/-- Applying an unseen message within the window (the window is not checked for own messages) keeps the invariant. Python: atomik.replica.Replica._apply. -/
theorem inv_apply (r : State w) (p : Packet w) (hinv : r.Inv) (hp : ¬ r.seen p.origin p.seq)
    (hw : p.origin ≠ r.id → p.seq < r.next p.origin + r.maxPending) : (r.apply p).Inv := by
  have hle : r.next p.origin ≤ p.seq := Nat.le_of_not_lt (fun h => hp (Or.inl h))
  have hsa : p.seq ∉ r.ahead p.origin := fun h => hp (Or.inr h)
  refine ⟨?_, ?_, ?_, ?_, ?_⟩
  · intro o
    rw [apply_ahead]
    by_cases ho : o = p.origin
    · subst ho; rw [setAt_same]; exact markSeq_nodup _ _ _ (hinv.nodup _) hsa
    · rw [setAt_of_ne _ _ _ _ ho]; exact hinv.nodup o
  · intro o
    rw [apply_ahead, apply_next]
    by_cases ho : o = p.origin
    · subst ho; rw [setAt_same, setAt_same]
      exact markSeq_gt _ _ _ (hinv.nodup _) (hinv.gt _) hle
    · rw [setAt_of_ne _ _ _ _ ho, setAt_of_ne _ _ _ _ ho]; exact hinv.gt o
  · intro o hoid s hs
    rw [apply_ahead] at hs
    rw [apply_next, apply_maxPending]
    rw [apply_id] at hoid
    by_cases ho : o = p.origin
    · subst ho
      rw [setAt_same] at hs
      rw [setAt_same]
      have hm := markSeq_le (r.next p.origin) (r.ahead p.origin) p.seq
      rcases markSeq_mem _ _ _ _ hs with h | h
      · have := hw hoid; omega
      · have := hinv.lt p.origin hoid s h; omega
    · rw [setAt_of_ne _ _ _ _ ho] at hs
      rw [setAt_of_ne _ _ _ _ ho]
      exact hinv.lt o hoid s hs
  · intro s hs
    rw [apply_id, seen_apply r p hp] at hs
    rw [apply_nextSeq]
    by_cases hc : p.origin = r.id ∧ r.nextSeq ≤ p.seq
    · rw [if_pos hc]
      rcases hs with ⟨_, h⟩ | h
      · omega
      · have := hinv.own s h; omega
    · rw [if_neg hc]
      rcases hs with ⟨h1, h2⟩ | h
      · have : ¬ r.nextSeq ≤ p.seq := fun hh => hc ⟨h1.symm, hh⟩
        omega
      · exact hinv.own s h
  · intro q hq
    rw [apply_store, List.mem_append] at hq
    rw [seen_apply r p hp]
    rcases hq with h | h
    · exact Or.inr (hinv.stored q h)
    · rw [List.mem_singleton] at h
      subst h
      exact Or.inl ⟨rfl, rfl⟩

/-- Receiving keeps the invariant, whatever the message. Python: atomik.replica.Replica.receive. -/
theorem inv_step (r : State w) (p : Packet w) (hinv : r.Inv) : (r.step p).Inv := by
  rcases step_cases r p with hs | ⟨hc, hns, hs⟩
  · rw [hs]; exact hinv
  · rw [hs]
    apply inv_apply r p hinv hns
    intro _
    rcases ((check_eq_none_iff r p).mp hc).2.2.2 with h | h
    · exact h
    · exact absurd h hns

/-- Receiving a delivery keeps the invariant. Python: atomik.replica.Replica.receive_all. -/
theorem inv_receiveAll (ps : List (Packet w)) : ∀ (r : State w), r.Inv → (r.receiveAll ps).Inv := by
  induction ps with
  | nil => intro r h; exact h
  | cons p ps ih => intro r h; exact ih _ (inv_step r p h)

/-- The memory bound: the out-of-order set of another origin holds fewer than `maxPending` seqs. Python: atomik.replica.Replica.receive. -/
theorem length_ahead_lt (r : State w) (hinv : r.Inv) (o : Nat) (ho : o ≠ r.id)
    (hmp : 1 ≤ r.maxPending) : (r.ahead o).length < r.maxPending := by
  have hle := length_le_of_nodup_range (r.maxPending - 1) (r.next o + 1) (r.ahead o)
    (hinv.nodup o) (by
      intro s hs
      have := hinv.gt o s hs
      have := hinv.lt o ho s hs
      omega)
  omega

/-- A seen seq at or below the watermark plus one is below it (the out-of-order set lies above). Python: atomik.replica.Replica.seen. -/
theorem lt_next_of_seen (r : State w) (hinv : r.Inv) (o s : Nat) (h : r.seen o s)
    (hle : s ≤ r.next o) : s < r.next o := by
  rcases h with h | h
  · exact h
  · have := hinv.gt o s h; omega

/-- The watermark never goes down. Python: atomik.replica.Replica.receive. -/
theorem next_le_step (r : State w) (p : Packet w) (o : Nat) : r.next o ≤ (r.step p).next o := by
  rcases step_cases r p with hs | ⟨_, hns, hs⟩
  · rw [hs]; exact Nat.le_refl _
  · rw [hs, apply_next]
    by_cases ho : o = p.origin
    · subst ho; rw [setAt_same]; exact markSeq_le _ _ _
    · rw [setAt_of_ne _ _ _ _ ho]; exact Nat.le_refl _

/-- The watermark never goes down over a delivery. Python: atomik.replica.Replica.receive_all. -/
theorem next_le_receiveAll (ps : List (Packet w)) :
    ∀ (r : State w) (o : Nat), r.next o ≤ (r.receiveAll ps).next o := by
  induction ps with
  | nil => intro r o; exact Nat.le_refl _
  | cons p ps ih => intro r o; exact Nat.le_trans (next_le_step r p o) (ih _ o)

/-- What is seen stays seen over a delivery. Python: atomik.replica.Replica.receive_all. -/
theorem seen_receiveAll (ps : List (Packet w)) :
    ∀ (r : State w) (o s : Nat), r.seen o s → (r.receiveAll ps).seen o s := by
  induction ps with
  | nil => intro r o s h; exact h
  | cons p ps ih => intro r o s h; exact ih _ o s (seen_step r p o s h)

/-- A delivery keeps the id, epoch, size and window. Python: atomik.replica.Replica.receive_all. -/
theorem receiveAll_params (ps : List (Packet w)) : ∀ (r : State w),
    (r.receiveAll ps).id = r.id ∧ (r.receiveAll ps).epoch = r.epoch ∧
      (r.receiveAll ps).size = r.size ∧ (r.receiveAll ps).maxPending = r.maxPending := by
  induction ps with
  | nil => intro r; exact ⟨rfl, rfl, rfl, rfl⟩
  | cons p ps ih =>
    intro r
    obtain ⟨a1, a2, a3, a4⟩ := ih (r.step p)
    obtain ⟨b1, b2, b3, b4⟩ := step_params r p
    exact ⟨a1.trans b1, a2.trans b2, a3.trans b3, a4.trans b4⟩

/-! ## The window during anti-entropy -/

/-- A valid message at most one past its origin's watermark never trips the window (`maxPending ≥ 1`), and afterwards the watermark is past it. Python: atomik.replica.Replica.receive. -/
theorem step_of_le_next (r : State w) (p : Packet w) (hinv : r.Inv) (hmp : 1 ≤ r.maxPending)
    (hg : r.Good p) (hle : p.seq ≤ r.next p.origin) :
    r.check p = none ∧ p.seq < (r.step p).next p.origin := by
  have hc : r.check p = none :=
    (check_eq_none_iff r p).mpr ⟨hg.1, hg.2.1, hg.2.2, Or.inl (by omega)⟩
  refine ⟨hc, ?_⟩
  by_cases hs : r.seen p.origin p.seq
  · have hst : r.step p = r := by
      unfold step
      rw [if_neg (fun hh => hh.2 hs)]
    rw [hst]
    exact lt_next_of_seen r hinv _ _ hs hle
  · have hst : r.step p = r.apply p := by
      unfold step
      rw [if_pos ⟨by simp [hc], hs⟩]
    have hinv' : (r.apply p).Inv := by
      apply inv_apply r p hinv hs
      intro _; omega
    have hseen : (r.apply p).seen p.origin p.seq := (seen_apply r p hs _ _).mpr (Or.inl ⟨rfl, rfl⟩)
    have hmono : r.next p.origin ≤ (r.apply p).next p.origin := by
      rw [apply_next, setAt_same]; exact markSeq_le _ _ _
    rw [hst]
    exact lt_next_of_seen _ hinv' _ _ hseen (Nat.le_trans hle hmono)

/-- An anti-entropy delivery never trips the window: the messages of one origin that the receiver lacks, sent in seq order from at or below its watermark and without a gap, all pass the checks and move the watermark past them, whatever `maxPending ≥ 1` is. Python: atomik.sync.anti_entropy_round. -/
theorem passed_of_contiguous (r : State w) (o n : Nat) (hinv : r.Inv) (hmp : 1 ≤ r.maxPending)
    (hn : n ≤ r.next o) : ∀ (k : Nat) (ps : List (Packet w)), (∀ p ∈ ps, r.Good p ∧ p.origin = o) →
      ps.map Packet.seq = (List.range' n k).filter (fun s => !decide (r.seen o s)) →
      r.passed ps = ps ∧ n + k ≤ (r.receiveAll ps).next o := by
  intro k
  induction k with
  | zero =>
    intro ps _ hmap
    rw [show (List.range' n 0).filter (fun s => !decide (r.seen o s)) = [] from rfl] at hmap
    have hnil : ps = [] := List.map_eq_nil_iff.mp hmap
    subst hnil
    exact ⟨rfl, by simp only [receiveAll]; omega⟩
  | succ k ih =>
    intro ps hps hmap
    rw [List.range'_1_concat, List.filter_append, List.map_eq_append_iff] at hmap
    obtain ⟨ps₁, ps₂, hsplit, hmap₁, hmap₂⟩ := hmap
    subst hsplit
    have hps₁ : ∀ p ∈ ps₁, r.Good p ∧ p.origin = o :=
      fun p hp => hps p (List.mem_append.mpr (Or.inl hp))
    obtain ⟨hpass₁, hnext₁⟩ := ih ps₁ hps₁ hmap₁
    have hinv₁ := inv_receiveAll ps₁ r hinv
    obtain ⟨_, he₁, hs₁, hm₁⟩ := receiveAll_params ps₁ r
    rw [passed_append, hpass₁, receiveAll_append]
    by_cases hseen : r.seen o (n + k)
    · have hf : [n + k].filter (fun s => !decide (r.seen o s)) = [] := by simp [hseen]
      rw [hf] at hmap₂
      have hnil : ps₂ = [] := List.map_eq_nil_iff.mp hmap₂
      subst hnil
      refine ⟨rfl, ?_⟩
      simp only [receiveAll]
      have hs' := seen_receiveAll ps₁ r o (n + k) hseen
      have := lt_next_of_seen _ hinv₁ o (n + k) hs' hnext₁
      omega
    · have hf : [n + k].filter (fun s => !decide (r.seen o s)) = [n + k] := by simp [hseen]
      rw [hf, List.map_eq_singleton_iff] at hmap₂
      obtain ⟨p, hp, hseq⟩ := hmap₂
      subst hp
      have hpg := hps p (List.mem_append.mpr (Or.inr (List.mem_singleton_self p)))
      have hg : (r.receiveAll ps₁).Good p := by
        unfold Good
        rw [he₁, hs₁]
        exact hpg.1
      have hmp₁ : 1 ≤ (r.receiveAll ps₁).maxPending := by rw [hm₁]; exact hmp
      have hle : p.seq ≤ (r.receiveAll ps₁).next p.origin := by rw [hpg.2]; omega
      obtain ⟨hc, hlt⟩ := step_of_le_next _ p hinv₁ hmp₁ hg hle
      constructor
      · simp only [passed]
        rw [if_pos (by simp [hc])]
      · simp only [receiveAll]
        rw [← hpg.2]
        omega

/-! ## `receive_all` receives a batch sorted by identifier -/

/-- The order `receive_all` sorts a batch into: by origin, then by seq (Python's `sort` is stable, as `mergeSort` is). Python: atomik.replica.Replica.receive_all. -/
@[expose] noncomputable def idLe (p q : Packet w) : Bool :=
  decide (p.origin < q.origin ∨ (p.origin = q.origin ∧ p.seq ≤ q.seq))

/-- `receive_all`: sort the batch by identifier, then receive it in turn. Python: atomik.replica.Replica.receive_all. -/
@[expose] noncomputable def receiveBatch (r : State w) (ps : List (Packet w)) : State w :=
  r.receiveAll (ps.mergeSort idLe)

/-- Two lists that are permutations of each other and both sorted by a relation that is antisymmetric on their elements are equal. Python: atomik.replica.Replica.receive_all. -/
theorem eq_of_perm_of_pairwise {α : Type} (R : α → α → Prop) :
    ∀ (l₁ l₂ : List α), (∀ a ∈ l₁, ∀ b ∈ l₁, R a b → R b a → a = b) →
      l₁.Pairwise R → l₂.Pairwise R → l₁.Perm l₂ → l₁ = l₂ := by
  intro l₁
  induction l₁ with
  | nil =>
    intro l₂ _ _ _ hp
    exact (List.Perm.nil_eq hp)
  | cons a t ih =>
    intro l₂ hanti h₁ h₂ hp
    cases l₂ with
    | nil => exact absurd hp.symm (fun h => List.cons_ne_nil a t (List.Perm.nil_eq h).symm)
    | cons b t' =>
      have hab : a = b := by
        by_cases hne : a = b
        · exact hne
        · have hb : b ∈ a :: t := hp.mem_iff.mpr (List.mem_cons_self ..)
          have ha : a ∈ b :: t' := hp.mem_iff.mp (List.mem_cons_self ..)
          have hbt : b ∈ t := by
            rcases List.mem_cons.mp hb with h | h
            · exact absurd h.symm hne
            · exact h
          have hat : a ∈ t' := by
            rcases List.mem_cons.mp ha with h | h
            · exact absurd h hne
            · exact h
          have r1 : R a b := (List.pairwise_cons.mp h₁).1 b hbt
          have r2 : R b a := (List.pairwise_cons.mp h₂).1 a hat
          exact hanti a (List.mem_cons_self ..) b hb r1 r2
      subst hab
      have ht : t.Perm t' := (List.perm_cons a).mp hp
      rw [ih t' (fun x hx y hy => hanti x (List.mem_cons_of_mem a hx) y (List.mem_cons_of_mem a hy))
        (List.pairwise_cons.mp h₁).2 (List.pairwise_cons.mp h₂).2 ht]

/-- The order of a batch does not matter: `receive_all` of a batch and of any reordering of it (one identifier naming one message) leave the same replica, window refusals included, so three messages of one origin in reverse order with `max_pending = 1` apply all three, as in order. Python: atomik.replica.Replica.receive_all. -/
theorem receiveBatch_perm (r : State w) (ps₁ ps₂ : List (Packet w)) (h : ps₁.Perm ps₂)
    (hwf : ∀ p ∈ ps₁, ∀ q ∈ ps₁, p.origin = q.origin → p.seq = q.seq → p = q) :
    r.receiveBatch ps₁ = r.receiveBatch ps₂ := by
  have htrans : ∀ a b c : Packet w, idLe a b = true → idLe b c = true → idLe a c = true := by
    intro a b c hab hbc
    simp only [idLe, decide_eq_true_eq] at hab hbc ⊢
    omega
  have htotal : ∀ a b : Packet w, (idLe a b || idLe b a) = true := by
    intro a b
    simp only [idLe, Bool.or_eq_true, decide_eq_true_eq]
    omega
  have hp₁ := List.mergeSort_perm ps₁ idLe
  have hp₂ := List.mergeSort_perm ps₂ idLe
  unfold receiveBatch
  rw [eq_of_perm_of_pairwise (fun a b => idLe a b = true) _ _ ?_
    (List.pairwise_mergeSort htrans htotal ps₁) (List.pairwise_mergeSort htrans htotal ps₂)
    (hp₁.trans (h.trans hp₂.symm))]
  intro a ha b hb hab hba
  have ha' : a ∈ ps₁ := hp₁.mem_iff.mp ha
  have hb' : b ∈ ps₁ := hp₁.mem_iff.mp hb
  simp only [idLe, decide_eq_true_eq] at hab hba
  exact hwf a ha' b hb' (by omega) (by omega)

/-! ## Local writes never reuse an identifier -/

/-- The seq of the next local write has not been applied (so its id is new). Python: atomik.replica.Replica.next_seq. -/
theorem not_seen_nextSeq (r : State w) (hinv : r.Inv) : ¬ r.seen r.id r.nextSeq :=
  fun h => Nat.lt_irrefl _ (hinv.own _ h)

/-- A local write sends a message with a new identifier (no stored message has it), advances `next_seq` by one and keeps the invariant; it fails only for an address outside the table or a seq past 2^64 - 1. Python: atomik.replica.Replica.accum. -/
theorem accum_fresh (r r' : State w) (addr : Nat) (d : BitVec w) (p : Packet w) (hinv : r.Inv)
    (h : r.accum addr d = .ok (r', p)) :
    ¬ r.seen p.origin p.seq ∧ (∀ q ∈ r.store, (q.origin, q.seq) ≠ (p.origin, p.seq)) ∧
      r'.nextSeq = r.nextSeq + 1 ∧ r'.Inv ∧ p.seq < seqLimit := by
  unfold accum at h
  by_cases h1 : r.size ≤ addr
  · rw [if_pos h1] at h; cases h
  · rw [if_neg h1] at h
    by_cases h2 : seqLimit ≤ r.nextSeq
    · rw [if_pos h2] at h; cases h
    · rw [if_neg h2] at h
      cases h
      have hns : ¬ r.seen r.id r.nextSeq := not_seen_nextSeq r hinv
      refine ⟨hns, ?_, ?_, ?_, by show r.nextSeq < seqLimit; omega⟩
      · intro q hq heq
        rw [Prod.mk.injEq] at heq
        have hq' := hinv.stored q hq
        rw [heq.1, heq.2] at hq'
        exact hns hq'
      · rw [apply_nextSeq]
        rw [if_pos ⟨rfl, Nat.le_refl _⟩] <;> rfl
      · exact inv_apply r _ hinv hns (fun hne => absurd rfl hne)

/-- `put` is a local write too: a new identifier, `next_seq` plus one, the invariant kept. Python: atomik.replica.Replica.put. -/
theorem put_fresh (r r' : State w) (addr : Nat) (v : BitVec w) (p : Packet w) (hinv : r.Inv)
    (h : r.put addr v = .ok (r', p)) :
    ¬ r.seen p.origin p.seq ∧ (∀ q ∈ r.store, (q.origin, q.seq) ≠ (p.origin, p.seq)) ∧
      r'.nextSeq = r.nextSeq + 1 ∧ r'.Inv ∧ p.seq < seqLimit :=
  accum_fresh r r' addr _ p hinv h

/-- Receiving one's own message with a seq at or past `next_seq` (state lost, a peer still has it) moves `next_seq` past it, so the next local write cannot reuse it. Python: atomik.replica.Replica._apply. -/
theorem nextSeq_step_own (r : State w) (p : Packet w) (hinv : r.Inv) (ho : p.origin = r.id)
    (hc : r.check p = none) : p.seq < (r.step p).nextSeq := by
  by_cases hs : r.seen p.origin p.seq
  · have hst : r.step p = r := by
      unfold step
      rw [if_neg (fun hh => hh.2 hs)]
    rw [hst]
    rw [ho] at hs
    exact hinv.own _ hs
  · have hst : r.step p = r.apply p := by
      unfold step
      rw [if_pos ⟨by simp [hc], hs⟩]
    rw [hst, apply_nextSeq]
    by_cases hle : r.nextSeq ≤ p.seq
    · rw [if_pos ⟨ho, hle⟩]; omega
    · rw [if_neg (fun hh => hle hh.2)]; omega

/-! ## Digests and `missing_for` -/

/-- A replica's digest covers exactly what it has seen. Python: atomik.replica.Replica.digest. -/
theorem covers_digest (r : State w) (o s : Nat) : r.digest.covers o s ↔ r.seen o s := Iff.rfl

/-- `missing_for` returns exactly the stored messages the digest does not cover (another epoch: `EpochError`). Python: atomik.replica.Replica.missing_for. -/
theorem mem_missingFor (r : State w) (d : Digest) (ms : List (Packet w))
    (h : r.missingFor d = .ok ms) (p : Packet w) :
    p ∈ ms ↔ p ∈ r.store ∧ ¬ d.covers p.origin p.seq := by
  unfold missingFor at h
  by_cases he : d.epoch = r.epoch
  · rw [if_pos he] at h
    cases h
    rw [List.mem_filter]
    constructor
    · rintro ⟨h1, h2⟩
      refine ⟨h1, fun hc => ?_⟩
      rw [decide_eq_true hc] at h2
      cases h2
    · rintro ⟨h1, h2⟩
      refine ⟨h1, ?_⟩
      rw [decide_eq_false h2] <;> rfl
  · rw [if_neg he] at h
    cases h

/-- `missing_for` with the digest of a peer is the abstract `missing` of the stored history against the identifiers the peer has applied: the watermark representation sends exactly what the set of ids says. Python: atomik.replica.Replica.missing_for. -/
theorem missingFor_refines (r peer : State w) (a : Replica w) (h : peer.Refines a)
    (ms : List (Packet w)) (hm : r.missingFor peer.digest = .ok ms) :
    ms.map Packet.msg = Replica.missing (r.store.map Packet.msg) a.seen := by
  unfold missingFor at hm
  by_cases he : peer.digest.epoch = r.epoch
  · rw [if_pos he] at hm
    cases hm
    unfold Replica.missing
    rw [List.filter_map]
    congr 1
    apply List.filter_congr
    intro x _
    show (!decide (peer.digest.covers x.origin x.seq)) = decide ((x.origin, x.seq) ∉ a.seen)
    by_cases hs : peer.seen x.origin x.seq
    · have h1 : peer.digest.covers x.origin x.seq := hs
      have h2 : ¬ ((x.origin, x.seq) ∉ a.seen) := fun hn => hn ((h.2 _ _).mp hs)
      rw [decide_eq_true h1, decide_eq_false h2] <;> rfl
    · have h1 : ¬ peer.digest.covers x.origin x.seq := hs
      have h2 : (x.origin, x.seq) ∉ a.seen := fun hn => hs ((h.2 _ _).mpr hn)
      rw [decide_eq_false h1, decide_eq_true h2] <;> rfl
  · rw [if_neg he] at hm
    cases hm

/-! ## When `prune` is safe -/

/-- `prune` with no digest is refused (it would forget everything). Python: atomik.replica.Replica.prune. -/
theorem prune_nil (r : State w) : r.prune [] = .error .noPeers := rfl

/-- What a successful `prune` leaves: the stored messages not covered by every digest of this epoch, the rest unchanged. Python: atomik.replica.Replica.prune. -/
theorem prune_ok (r r' : State w) (ds : List Digest) (h : r.prune ds = .ok r') :
    r'.store = r.store.filter
        (fun p => !decide (∀ d ∈ ds, d.epoch = r.epoch ∧ d.covers p.origin p.seq)) ∧
      r'.epoch = r.epoch ∧ r'.table = r.table ∧ r'.next = r.next ∧ r'.ahead = r.ahead := by
  unfold prune at h
  by_cases hn : ds.isEmpty = true
  · rw [if_pos hn] at h; cases h
  · rw [if_neg hn] at h
    cases h
    exact ⟨rfl, rfl, rfl, rfl, rfl⟩

/-- `prune` forgets exactly the stored messages every given digest of this epoch covers. Python: atomik.replica.Replica.prune. -/
theorem mem_prune (r r' : State w) (ds : List Digest) (h : r.prune ds = .ok r') (p : Packet w) :
    p ∈ r'.store ↔ p ∈ r.store ∧ ¬ ∀ d ∈ ds, d.epoch = r.epoch ∧ d.covers p.origin p.seq := by
  rw [(prune_ok r r' ds h).1, List.mem_filter]
  constructor
  · rintro ⟨h1, h2⟩
    refine ⟨h1, fun hc => ?_⟩
    rw [decide_eq_true hc] at h2
    cases h2
  · rintro ⟨h1, h2⟩
    refine ⟨h1, ?_⟩
    rw [decide_eq_false h2] <;> rfl

/-- A digest of another epoch protects everything: with one among the peers', `prune` forgets nothing. Python: atomik.replica.Replica.prune. -/
theorem prune_other_epoch (r r' : State w) (ds : List Digest) (h : r.prune ds = .ok r')
    (d : Digest) (hd : d ∈ ds) (he : d.epoch ≠ r.epoch) : r'.store = r.store := by
  rw [(prune_ok r r' ds h).1]
  apply List.filter_eq_self.mpr
  intro p _
  have hn : ¬ ∀ e ∈ ds, e.epoch = r.epoch ∧ e.covers p.origin p.seq := fun hall => he (hall d hd).1
  rw [decide_eq_false hn] <;> rfl

/-- Prune safety: after pruning with the digests of a set of peers (of any epoch), any of those peers (with its digest then or any later one covering more) is sent by `missing_for` exactly what it would have been sent without the prune, so anti-entropy among those peers is unchanged. Python: atomik.replica.Replica.prune. -/
theorem missingFor_prune (r r' : State w) (ds : List Digest) (h : r.prune ds = .ok r')
    (d : Digest) (hd : d ∈ ds) (d' : Digest)
    (hcov : ∀ o s, d.covers o s → d'.covers o s) : r'.missingFor d' = r.missingFor d' := by
  obtain ⟨hs, hre, _⟩ := prune_ok r r' ds h
  have hf : (r.store.filter (fun p => !decide (∀ d ∈ ds, d.epoch = r.epoch ∧ d.covers p.origin p.seq))).filter
        (fun p => !decide (d'.covers p.origin p.seq)) =
      r.store.filter (fun p => !decide (d'.covers p.origin p.seq)) := by
    rw [List.filter_filter]
    apply List.filter_congr
    intro x _
    by_cases hx : d'.covers x.origin x.seq
    · rw [decide_eq_true hx] <;> rfl
    · have hnall : ¬ ∀ e ∈ ds, e.epoch = r.epoch ∧ e.covers x.origin x.seq :=
        fun hall => hx (hcov _ _ (hall d hd).2)
      rw [decide_eq_false hx, decide_eq_false hnall] <;> rfl
  unfold missingFor
  rw [hre, hs, hf]

/-! ## One id, one content: conflicting duplicates -/

/-- No two stored messages share an id with different contents (address or delta). Python: atomik.replica.Replica._store. -/
@[expose] def NoFork (r : State w) : Prop :=
  ∀ p ∈ r.store, ∀ q ∈ r.store, p.origin = q.origin → p.seq = q.seq → p.addr = q.addr ∧ p.delta = q.delta

/-- `check` never raises the conflict (only the duplicate branch of `receive` does). Python: atomik.replica.Replica.check. -/
theorem check_ne_conflict (r : State w) (p : Packet w) : r.check p ≠ some .conflict := by
  intro h
  unfold check at h
  split at h
  · cases h
  · split at h
    · cases h
    · split at h
      · cases h
      · split at h
        · cases h
        · cases h

/-- The four outcomes of `receive`: a check's error; a seen id with another content (the conflict); a true duplicate (no change); a new message applied. Python: atomik.replica.Replica.receive. -/
theorem receive_cases (r : State w) (p : Packet w) :
    (∃ e, r.check p = some e ∧ r.receive p = .error e) ∨
    (r.check p = none ∧ r.seen p.origin p.seq ∧ r.conflicts p ∧ r.receive p = .error .conflict) ∨
    (r.check p = none ∧ r.seen p.origin p.seq ∧ ¬ r.conflicts p ∧ r.receive p = .ok (r, false)) ∨
    (r.check p = none ∧ ¬ r.seen p.origin p.seq ∧ r.receive p = .ok (r.apply p, true)) := by
  cases hc : r.check p with
  | some e =>
    refine Or.inl ⟨e, rfl, ?_⟩
    simp [receive, hc]
  | none =>
    by_cases hs : r.seen p.origin p.seq
    · by_cases hcf : r.conflicts p
      · exact Or.inr (Or.inl ⟨rfl, hs, hcf, by simp [receive, hc, hs, hcf]⟩)
      · exact Or.inr (Or.inr (Or.inl ⟨rfl, hs, hcf, by simp [receive, hc, hs, hcf]⟩))
    · exact Or.inr (Or.inr (Or.inr ⟨rfl, hs, by simp [receive, hc, hs]⟩))

/-- A conflict is possible only for a seen id: every stored message is marked applied, so a new message is never compared. Python: atomik.replica.Replica.receive. -/
theorem seen_of_conflicts (r : State w) (p : Packet w) (hinv : r.Inv) (h : r.conflicts p) :
    r.seen p.origin p.seq := by
  obtain ⟨q, hq, ho, hs, _⟩ := h
  have hseen := hinv.stored q hq
  rw [ho, hs] at hseen
  exact hseen

/-- `receive` raises the conflict exactly for a message that passes the checks, whose id was seen and that differs from a stored message of its id. Python: atomik.replica.Replica.receive. -/
theorem receive_eq_conflict_iff (r : State w) (p : Packet w) :
    r.receive p = .error .conflict ↔
      r.check p = none ∧ r.seen p.origin p.seq ∧ r.conflicts p := by
  rcases receive_cases r p with ⟨e, hc, hr⟩ | ⟨hc, hs, hcf, hr⟩ | ⟨hc, hs, hcf, hr⟩ | ⟨hc, hs, hr⟩
  · rw [hr]
    constructor
    · intro h
      cases h
      exact absurd hc (check_ne_conflict r p)
    · rintro ⟨h, _⟩
      rw [hc] at h
      cases h
  · rw [hr]
    exact ⟨fun _ => ⟨hc, hs, hcf⟩, fun _ => rfl⟩
  · rw [hr]
    constructor
    · intro h; cases h
    · rintro ⟨_, _, h⟩; exact absurd h hcf
  · rw [hr]
    constructor
    · intro h; cases h
    · rintro ⟨_, h, _⟩; exact absurd h hs

/-- A conflicting message changes nothing: the replica after it is the replica before. Python: atomik.replica.Replica.receive. -/
theorem step_of_conflict (r : State w) (p : Packet w) (h : r.receive p = .error .conflict) :
    r.step p = r := by
  have hs := ((receive_eq_conflict_iff r p).mp h).2.1
  unfold step
  rw [if_neg (fun hh => hh.2 hs)]

/-- In a delivery, a conflicting message changes nothing: the rest is received as without it. Python: atomik.replica.Replica.receive_all. -/
theorem receiveAll_cons_conflict (r : State w) (p : Packet w) (ps : List (Packet w))
    (h : r.receive p = .error .conflict) : r.receiveAll (p :: ps) = r.receiveAll ps := by
  simp only [receiveAll]
  rw [step_of_conflict r p h]

/-- A successful `receive` leaves the replica `step` describes. Python: atomik.replica.Replica.receive. -/
theorem receive_ok_step (r r' : State w) (p : Packet w) (b : Bool) (h : r.receive p = .ok (r', b)) :
    r' = r.step p := by
  rcases receive_cases r p with ⟨e, _, hr⟩ | ⟨_, _, _, hr⟩ | ⟨hc, hs, _, hr⟩ | ⟨hc, hs, hr⟩
  · rw [hr] at h; cases h
  · rw [hr] at h; cases h
  · rw [hr] at h
    cases h
    unfold step
    rw [if_neg (fun hh => hh.2 hs)]
  · rw [hr] at h
    cases h
    unfold step
    rw [if_pos ⟨by simp [hc], hs⟩]

/-- A message equal in address and delta to the stored message of its id is a silent duplicate (no change, not applied), also when it passes the checks. Python: atomik.replica.Replica.receive. -/
theorem receive_of_stored_same (r : State w) (p q : Packet w) (hinv : r.Inv) (hnf : r.NoFork)
    (hq : q ∈ r.store) (ho : q.origin = p.origin) (hs : q.seq = p.seq) (ha : q.addr = p.addr)
    (hd : q.delta = p.delta) (hc : r.check p = none) : r.receive p = .ok (r, false) := by
  have hseen : r.seen p.origin p.seq := by
    have h := hinv.stored q hq
    rw [ho, hs] at h
    exact h
  have hncf : ¬ r.conflicts p := by
    rintro ⟨q', hq', ho', hs', hdiff⟩
    have hsame := hnf q hq q' hq' (by rw [ho, ho']) (by rw [hs, hs'])
    rcases hdiff with h' | h'
    · exact h' (by rw [← hsame.1, ha])
    · exact h' (by rw [← hsame.2, hd])
  rcases receive_cases r p with ⟨e, hc', _⟩ | ⟨_, _, hcf, _⟩ | ⟨_, _, _, hr⟩ | ⟨_, hns, _⟩
  · rw [hc] at hc'; cases hc'
  · exact absurd hcf hncf
  · exact hr
  · exact absurd hseen hns

/-- A message that passes the checks and differs in address or delta from a stored message of its id raises the conflict. Python: atomik.replica.Replica.receive. -/
theorem receive_of_stored_ne (r : State w) (p q : Packet w) (hinv : r.Inv) (hq : q ∈ r.store)
    (ho : q.origin = p.origin) (hs : q.seq = p.seq) (hdiff : q.addr ≠ p.addr ∨ q.delta ≠ p.delta)
    (hc : r.check p = none) : r.receive p = .error .conflict := by
  have hcf : r.conflicts p := ⟨q, hq, ho, hs, hdiff⟩
  exact (receive_eq_conflict_iff r p).mpr ⟨hc, seen_of_conflicts r p hinv hcf, hcf⟩

/-- A seen id whose message is no longer stored (pruned) cannot be compared: it is a silent duplicate. Python: atomik.replica.Replica.receive. -/
theorem receive_of_seen_not_stored (r : State w) (p : Packet w) (hc : r.check p = none)
    (hs : r.seen p.origin p.seq) (hn : ∀ q ∈ r.store, ¬ (q.origin = p.origin ∧ q.seq = p.seq)) :
    r.receive p = .ok (r, false) := by
  have hncf : ¬ r.conflicts p := by
    rintro ⟨q, hq, ho, hs', _⟩
    exact hn q hq ⟨ho, hs'⟩
  rcases receive_cases r p with ⟨e, hc', _⟩ | ⟨_, _, hcf, _⟩ | ⟨_, _, _, hr⟩ | ⟨_, hns, _⟩
  · rw [hc] at hc'; cases hc'
  · exact absurd hcf hncf
  · exact hr
  · exact absurd hs hns

/-- An empty replica stores no fork. Python: atomik.replica.Replica.from_table. -/
theorem noFork_init (id epoch size maxPending : Nat) (t : Table w) :
    (init id epoch size maxPending t).NoFork := by
  intro p hp
  simp [init] at hp

/-- Applying an unseen message keeps one content per id (no stored message has its id). Python: atomik.replica.Replica._apply. -/
theorem noFork_apply (r : State w) (p : Packet w) (hinv : r.Inv) (hp : ¬ r.seen p.origin p.seq)
    (h : r.NoFork) : (r.apply p).NoFork := by
  intro a ha b hb hao has
  rw [apply_store, List.mem_append, List.mem_singleton] at ha hb
  rcases ha with ha | ha <;> rcases hb with hb | hb
  · exact h a ha b hb hao has
  · have hseen := hinv.stored a ha
    rw [hao, has, hb] at hseen
    exact absurd hseen hp
  · have hseen := hinv.stored b hb
    rw [← hao, ← has, ha] at hseen
    exact absurd hseen hp
  · rw [ha, hb]
    exact ⟨rfl, rfl⟩

/-- Receiving a message, whatever it is, keeps one content per id. Python: atomik.replica.Replica.receive. -/
theorem noFork_step (r : State w) (p : Packet w) (hinv : r.Inv) (h : r.NoFork) : (r.step p).NoFork := by
  rcases step_cases r p with hs | ⟨_, hns, hs⟩
  · rw [hs]; exact h
  · rw [hs]; exact noFork_apply r p hinv hns h

/-- A successful `receive` never leaves two stored messages with one id and different contents. Python: atomik.replica.Replica.receive. -/
theorem receive_noFork (r r' : State w) (p : Packet w) (b : Bool) (hinv : r.Inv) (h : r.NoFork)
    (hr : r.receive p = .ok (r', b)) : r'.NoFork := by
  rw [receive_ok_step r r' p b hr]
  exact noFork_step r p hinv h

/-- Any delivery keeps one content per id: by induction over the messages. Python: atomik.replica.Replica.receive_all. -/
theorem noFork_receiveAll (ps : List (Packet w)) :
    ∀ (r : State w), r.Inv → r.NoFork → (r.receiveAll ps).NoFork := by
  induction ps with
  | nil => intro r _ h; exact h
  | cons p ps ih => intro r hinv h; exact ih _ (inv_step r p hinv) (noFork_step r p hinv h)

/-- What `receive_all` reports, in order: each message `receive` raises for (a check's error or the conflict), with its error. Python: atomik.replica.Replica.receive_all. -/
@[expose] noncomputable def reported : State w → List (Packet w) → List (Packet w × Error)
  | _, [] => []
  | r, p :: ps =>
    match r.receive p with
    | .error e => (p, e) :: (r.step p).reported ps
    | .ok _ => (r.step p).reported ps

/-- Every check failure of a delivery is reported, in order, among the conflicts: `rejected` is a sublist of `reported`, by induction over the delivery. Python: atomik.replica.Replica.receive_all. -/
theorem rejected_sublist_reported (ps : List (Packet w)) :
    ∀ (r : State w), (r.rejected ps).Sublist (r.reported ps) := by
  induction ps with
  | nil => intro r; exact List.Sublist.slnil
  | cons p ps ih =>
    intro r
    rcases receive_cases r p with ⟨e, hc, hr⟩ | ⟨hc, _, _, hr⟩ | ⟨hc, _, _, hr⟩ | ⟨hc, _, hr⟩
    · simp only [rejected, reported, hc, hr]
      exact List.Sublist.cons₂ _ (ih _)
    · simp only [rejected, reported, hc, hr]
      exact List.Sublist.cons _ (ih _)
    · simp only [rejected, reported, hc, hr]
      exact ih _
    · simp only [rejected, reported, hc, hr]
      exact ih _

/-- A delivery reports at most one error per message (a rejected message is not tried again). Python: atomik.replica.Replica.receive_all. -/
theorem length_reported_le (ps : List (Packet w)) :
    ∀ (r : State w), (r.reported ps).length ≤ ps.length := by
  induction ps with
  | nil => intro r; exact Nat.le_refl _
  | cons p ps ih =>
    intro r
    rcases receive_cases r p with ⟨e, _, hr⟩ | ⟨_, _, _, hr⟩ | ⟨_, _, _, hr⟩ | ⟨_, _, hr⟩
    · simp only [reported, hr, List.length_cons]
      have := ih (r.step p); omega
    · simp only [reported, hr, List.length_cons]
      have := ih (r.step p); omega
    · simp only [reported, hr, List.length_cons]
      have := ih (r.step p); omega
    · simp only [reported, hr, List.length_cons]
      have := ih (r.step p); omega

/-- `prune` keeps one content per id (it only forgets messages). Python: atomik.replica.Replica.prune. -/
theorem noFork_prune (r r' : State w) (ds : List Digest) (h : r.prune ds = .ok r') (hnf : r.NoFork) :
    r'.NoFork := by
  intro a ha b hb
  exact hnf a ((mem_prune r r' ds h a).mp ha).1 b ((mem_prune r r' ds h b).mp hb).1

end State

end ReplicaImpl

end Atomik
