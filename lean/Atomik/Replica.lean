module

public import Atomik.Table

public section

set_option autoImplicit false

/-!
# Replicas and messages

A message carries one delta for one address, identified by its origin and sequence number. A
replica applies each message once, skipping any whose identifier it has seen. Replicas that receive
the same set of well-formed messages, in any order and with any duplicates, reach the same table.
Without the deduplication a duplicated message would revert its own update: that negative result is
stated here too, as is the value two concurrent writes converge to.
-/

namespace Atomik

/-- A message: one delta for one address, identified by origin and sequence number. Python: atomik.replica.DeltaMessage. -/
structure Message (w : Nat) where
  /-- The replica that produced the message. -/
  origin : Nat
  /-- The message's sequence number at its origin. -/
  seq : Nat
  /-- The address the delta is for. -/
  addr : Nat
  /-- The delta. -/
  delta : BitVec w

namespace Message

/-- The identifier of a message: its origin and sequence number. Python: atomik.replica.DeltaMessage. -/
@[expose] noncomputable def id {w : Nat} (m : Message w) : Nat × Nat := (m.origin, m.seq)

/-- The message a replica sends when it writes the value `v` at an address of its table `t`. Python: atomik.replica.Replica.put. -/
@[expose] noncomputable def put {w : Nat} (t : Table w) (origin seq addr : Nat) (v : BitVec w) : Message w :=
  ⟨origin, seq, addr, Delta.computeDelta (t.read addr) v⟩

end Message

namespace Table

/-- Apply a message's delta to a table, without any deduplication. Python: AtomikTable.accum. -/
@[expose] noncomputable def deliver {w : Nat} (t : Table w) (m : Message w) : Table w := t.accum m.addr m.delta

/-- Apply a list of messages in turn, without any deduplication. Python: AtomikTable.accum. -/
@[expose] noncomputable def deliverAll {w : Nat} : Table w → List (Message w) → Table w
  | t, [] => t
  | t, m :: ms => deliverAll (t.deliver m) ms

end Table

/-- A replica: its table and the identifiers of the messages it has applied. Python: atomik.replica.Replica. -/
structure Replica (w : Nat) where
  /-- The replica's table. -/
  table : Table w
  /-- The identifiers of the messages already applied. -/
  seen : List (Nat × Nat)

namespace Replica

/-- A replica that starts from a table and has applied no message. Python: atomik.replica.Replica. -/
@[expose] noncomputable def init {w : Nat} (t : Table w) : Replica w := ⟨t, []⟩

/-- Receive a message: apply it unless a message with its identifier was applied before. Python: atomik.replica.Replica.receive. -/
@[expose] noncomputable def receive {w : Nat} (r : Replica w) (m : Message w) : Replica w :=
  if m.id ∈ r.seen then r else ⟨r.table.deliver m, m.id :: r.seen⟩

/-- Receive a list of messages in turn. Python: atomik.replica.Replica.receive. -/
@[expose] noncomputable def receiveAll {w : Nat} : Replica w → List (Message w) → Replica w
  | r, [] => r
  | r, m :: ms => receiveAll (r.receive m) ms

/-- A list of messages is well formed when one identifier always names one message. Python: atomik.replica.Replica.receive. -/
@[expose] noncomputable def WellFormed {w : Nat} (ms : List (Message w)) : Prop :=
  ∀ m₁ ∈ ms, ∀ m₂ ∈ ms, m₁.id = m₂.id → m₁ = m₂

/-- Two lists of messages hold the same set of messages, whatever their order and repetitions. Python: atomik.replica.Replica.receive. -/
@[expose] noncomputable def SameSet {w : Nat} (ms₁ ms₂ : List (Message w)) : Prop := ∀ m, m ∈ ms₁ ↔ m ∈ ms₂

/-- The messages of a list that a replica which has seen `seen` actually applies, in order. Python: atomik.replica.Replica.receive. -/
@[expose] noncomputable def fresh {w : Nat} : List (Nat × Nat) → List (Message w) → List (Message w)
  | _, [] => []
  | seen, m :: ms => if m.id ∈ seen then fresh seen ms else m :: fresh (m.id :: seen) ms

/-! ## Deduplication -/

/-- Receiving a message whose identifier was seen before changes nothing. Python: atomik.replica.Replica.receive. -/
theorem receive_of_mem {w : Nat} (r : Replica w) (m : Message w) (h : m.id ∈ r.seen) :
    r.receive m = r := by
  simp [receive, h]

/-- Receiving a message with a new identifier applies its delta at its address. Python: atomik.replica.Replica.receive. -/
theorem table_receive_of_not_mem {w : Nat} (r : Replica w) (m : Message w) (h : m.id ∉ r.seen) :
    (r.receive m).table = r.table.accum m.addr m.delta := by
  simp [receive, h, Table.deliver]

/-- Receiving the same message twice is the same as receiving it once. Python: atomik.replica.Replica.receive. -/
theorem receive_receive {w : Nat} (r : Replica w) (m : Message w) :
    (r.receive m).receive m = r.receive m := by
  by_cases hm : m.id ∈ r.seen
  · simp [receive, hm]
  · simp [receive, hm]

/-- Receiving a list of messages joined is receiving the first list, then the second. Python: atomik.replica.Replica.receive. -/
theorem receiveAll_append {w : Nat} (r : Replica w) (ms₁ ms₂ : List (Message w)) :
    r.receiveAll (ms₁ ++ ms₂) = (r.receiveAll ms₁).receiveAll ms₂ := by
  induction ms₁ generalizing r with
  | nil => rfl
  | cons m ms ih =>
    simp only [List.cons_append, receiveAll]
    exact ih _

/-- A replica that receives a message twice ends with the table it has after receiving it once. Python: atomik.replica.Replica.receive. -/
theorem table_receiveAll_twice {w : Nat} (r : Replica w) (m : Message w) :
    (r.receiveAll [m, m]).table = (r.receiveAll [m]).table := by
  simp only [receiveAll]
  rw [receive_receive]

/-! ## Convergence -/

/-- Replicas that start alike and receive the same set of well-formed messages, in any order and with any duplicates, reach the same table. Python: atomik.replica.Replica.receive. -/
theorem table_receiveAll_of_sameSet {w : Nat} (r : Replica w) (ms₁ ms₂ : List (Message w))
    (hwf : Replica.WellFormed ms₁) (hsame : Replica.SameSet ms₁ ms₂) :
    (r.receiveAll ms₁).table = (r.receiveAll ms₂).table := by
  classical
  -- The table a replica reaches is its table with the fresh messages delivered.
  have hA : ∀ (ms : List (Message w)) (seen : List (Nat × Nat)) (t : Table w),
      ((Replica.mk t seen).receiveAll ms).table = t.deliverAll (fresh seen ms) := by
    intro ms
    induction ms with
    | nil => intro seen t; simp [receiveAll, fresh, Table.deliverAll]
    | cons m ms ih =>
      intro seen t
      by_cases hm : m.id ∈ seen
      · simp only [receiveAll, receive, fresh, hm, ↓reduceIte]
        exact ih seen t
      · simp only [receiveAll, receive, fresh, hm, ↓reduceIte, Table.deliverAll]
        exact ih (m.id :: seen) (t.deliver m)
  -- In a well-formed list, each message not yet seen is delivered exactly once.
  have hB : ∀ (ms : List (Message w)) (seen : List (Nat × Nat)), Replica.WellFormed ms →
      ∀ x : Message w, (fresh seen ms).count x = if x ∈ ms ∧ x.id ∉ seen then 1 else 0 := by
    intro ms
    induction ms with
    | nil => intro seen _ x; simp [fresh]
    | cons m ms ih =>
      intro seen hwf x
      have hwf' : Replica.WellFormed ms := fun a ha b hb hab =>
        hwf a (List.mem_cons.mpr (Or.inr ha)) b (List.mem_cons.mpr (Or.inr hb)) hab
      by_cases hm : m.id ∈ seen
      · simp only [fresh, hm, ↓reduceIte]
        rw [ih seen hwf' x]
        by_cases hxm : x = m
        · simp [hxm, hm]
        · simp [hxm]
      · simp only [fresh, hm, ↓reduceIte]
        by_cases hxm : x = m
        · simp [ih, hwf', hxm, hm]
        · by_cases hid : x.id = m.id
          · have hxms : x ∉ ms := fun hx =>
              hxm (hwf x (List.mem_cons.mpr (Or.inr hx)) m (List.mem_cons.mpr (Or.inl rfl)) hid)
            simp [ih, hwf', hxm, Ne.symm hxm, hid, hxms]
          · simp [ih, hwf', hxm, Ne.symm hxm, hid]
  -- Delivering messages without deduplication is insensitive to their order.
  have hdel : ∀ (t : Table w) (l₁ l₂ : List (Message w)), l₁.Perm l₂ →
      t.deliverAll l₁ = t.deliverAll l₂ := by
    intro t l₁ l₂ h
    induction h generalizing t with
    | nil => rfl
    | cons m _ ih =>
      simp only [Table.deliverAll]
      exact ih _
    | swap m₁ m₂ l =>
      simp only [Table.deliverAll, Table.deliver]
      rw [Table.accum_comm]
    | trans _ _ ih₁ ih₂ => exact (ih₁ t).trans (ih₂ t)
  have hwf₂ : Replica.WellFormed ms₂ := fun a ha b hb hab =>
    hwf a ((hsame a).mpr ha) b ((hsame b).mpr hb) hab
  cases r with
  | mk t seen =>
    rw [hA, hA]
    apply hdel
    rw [List.perm_iff_count]
    intro x
    simp [hB ms₁ seen hwf x, hB ms₂ seen hwf₂ x, hsame x]

/-- Replicas that receive the same well-formed messages in different orders reach the same table. Python: atomik.replica.Replica.receive. -/
theorem table_receiveAll_perm {w : Nat} (r : Replica w) (ms₁ ms₂ : List (Message w))
    (hwf : Replica.WellFormed ms₁) (h : ms₁.Perm ms₂) :
    (r.receiveAll ms₁).table = (r.receiveAll ms₂).table :=
  table_receiveAll_of_sameSet r ms₁ ms₂ hwf (fun _ => h.mem_iff)

/-- Receiving a well-formed list of messages a second time leaves the table as after the first time. Python: atomik.replica.Replica.receive. -/
theorem table_receiveAll_append_self {w : Nat} (r : Replica w) (ms : List (Message w))
    (hwf : Replica.WellFormed ms) :
    (r.receiveAll (ms ++ ms)).table = (r.receiveAll ms).table := by
  apply table_receiveAll_of_sameSet
  · intro a ha b hb hab
    exact hwf a (by simpa using ha) b (by simpa using hb) hab
  · intro m
    simp

/-! ## Without deduplication -/

/-- The negative result: delivering a message twice without deduplication restores the table it had before, undoing the update. Python: atomik.replica.Replica.receive. -/
theorem deliverAll_twice {w : Nat} (t : Table w) (m : Message w) :
    Table.deliverAll t [m, m] = t := by
  simp only [Table.deliverAll, Table.deliver]
  rw [Table.accum_accum, BitVec.xor_self, Table.accum_zero]

/-- The negative result: a message with a non-zero delta delivered twice without deduplication leaves its address reading differently from one delivery. Python: atomik.replica.Replica.receive. -/
theorem read_deliverAll_twice_ne {w : Nat} (t : Table w) (m : Message w) (h : m.delta ≠ 0#w) :
    (Table.deliverAll t [m, m]).read m.addr ≠ (Table.deliverAll t [m]).read m.addr := by
  rw [deliverAll_twice]
  simp only [Table.deliverAll, Table.deliver]
  rw [Table.read_accum]
  intro heq
  exact h ((Delta.compose_eq_self_iff _ _).mp heq.symm)

/-- Two replicas that write `x` and `y` at one address from the same table converge, in either delivery order, to the old state XOR `x` XOR `y`, which is neither written value in general. Python: atomik.replica.Replica.put. -/
theorem read_concurrent_put {w : Nat} (t : Table w) (o₁ o₂ n₁ n₂ a : Nat) (x y : BitVec w)
    (h : o₁ ≠ o₂) :
    ((Replica.init t).receiveAll [Message.put t o₁ n₁ a x, Message.put t o₂ n₂ a y]).table.read a =
        t.read a ^^^ x ^^^ y ∧
      ((Replica.init t).receiveAll [Message.put t o₂ n₂ a y, Message.put t o₁ n₁ a x]).table.read a =
        t.read a ^^^ x ^^^ y := by
  have two : ∀ m₁ m₂ : Message w, m₁.id ≠ m₂.id →
      ((Replica.init t).receiveAll [m₁, m₂]).table = (t.deliver m₁).deliver m₂ := by
    intro m₁ m₂ hne
    simp [Replica.receiveAll, Replica.receive, Replica.init, Ne.symm hne]
  have key : ∀ s u v : BitVec w, s ^^^ (s ^^^ u) ^^^ (s ^^^ v) = s ^^^ u ^^^ v := by
    intro s u v
    rw [← BitVec.xor_assoc s s u, BitVec.xor_self, BitVec.zero_xor, ← BitVec.xor_assoc u s v,
      BitVec.xor_comm u s]
  have hid : (Message.put t o₁ n₁ a x).id ≠ (Message.put t o₂ n₂ a y).id := by
    simp [Message.id, Message.put, h]
  refine ⟨?_, ?_⟩
  · rw [two _ _ hid]
    simp only [Table.deliver, Message.put, Table.read_accum, Delta.computeDelta]
    exact key _ _ _
  · rw [two _ _ (Ne.symm hid)]
    simp only [Table.deliver, Message.put, Table.read_accum, Delta.computeDelta]
    rw [key, BitVec.xor_assoc (t.read a) y x, BitVec.xor_comm y x, ← BitVec.xor_assoc]

/-- Two concurrent writes converge to a value that is not the first writer's value whenever the second writer changed the old state. Python: atomik.replica.Replica.put. -/
theorem read_concurrent_put_ne {w : Nat} (t : Table w) (o₁ o₂ n₁ n₂ a : Nat) (x y : BitVec w)
    (h : o₁ ≠ o₂) (hy : y ≠ t.read a) :
    ((Replica.init t).receiveAll [Message.put t o₁ n₁ a x, Message.put t o₂ n₂ a y]).table.read a ≠
      x := by
  rw [(read_concurrent_put t o₁ o₂ n₁ n₂ a x y h).1]
  intro heq
  apply hy
  rw [BitVec.xor_assoc, BitVec.xor_comm x y, ← BitVec.xor_assoc] at heq
  have h0 : t.read a ^^^ y = 0#w := (BitVec.xor_left_inj x).mp (heq.trans BitVec.zero_xor.symm)
  exact (BitVec.xor_eq_zero_iff.mp h0).symm

/-! ## Anti-entropy -/

/-- The identifiers of a list of messages: what a replica that holds them reports having seen. Python: atomik.replica.Replica.digest. -/
@[expose] noncomputable def ids {w : Nat} (h : List (Message w)) : List (Nat × Nat) := h.map Message.id

/-- The messages of a history whose identifiers are not in `seen`, in order: what a replica sends a peer that has seen `seen`. Python: atomik.replica.Replica.missing_for. -/
@[expose] noncomputable def missing {w : Nat} (h : List (Message w)) (seen : List (Nat × Nat)) :
    List (Message w) :=
  h.filter (fun m => decide (m.id ∉ seen))

/-- A message is sent to a peer exactly when it is in the history and the peer has not seen its identifier. Python: atomik.replica.Replica.missing_for. -/
theorem mem_missing_iff {w : Nat} (h : List (Message w)) (seen : List (Nat × Nat)) (m : Message w) :
    m ∈ missing h seen ↔ m ∈ h ∧ m.id ∉ seen := by
  simp [missing]

/-- A peer that has seen the identifier of every message of a history is sent nothing. Python: atomik.replica.Replica.missing_for. -/
theorem missing_eq_nil {w : Nat} (h : List (Message w)) (seen : List (Nat × Nat))
    (hs : ∀ m ∈ h, m.id ∈ seen) : missing h seen = [] := by
  rw [List.eq_nil_iff_forall_not_mem]
  intro m hm
  have hm' := (mem_missing_iff h seen m).mp hm
  exact hm'.2 (hs m hm'.1)

/-- Anti-entropy: two replicas that start alike, apply two histories that are well formed together, then each receive the messages of the other's history whose identifiers they have not seen, reach the same table. Python: atomik.replica.Replica.sync_with. -/
theorem table_antiEntropy {w : Nat} (r : Replica w) (h₁ h₂ : List (Message w))
    (hwf : WellFormed (h₁ ++ h₂)) :
    (r.receiveAll (h₁ ++ missing h₂ (ids h₁))).table =
      (r.receiveAll (h₂ ++ missing h₁ (ids h₂))).table := by
  -- A history joined with what it lacks of another holds exactly the messages of both.
  have hmem : ∀ (l₁ l₂ : List (Message w)), WellFormed (l₁ ++ l₂) →
      ∀ m : Message w, m ∈ l₁ ++ missing l₂ (ids l₁) ↔ m ∈ l₁ ∨ m ∈ l₂ := by
    intro l₁ l₂ hl m
    rw [List.mem_append, mem_missing_iff]
    constructor
    · intro hm
      cases hm with
      | inl h₁m => exact Or.inl h₁m
      | inr h₂m => exact Or.inr h₂m.1
    · intro hm
      cases hm with
      | inl h₁m => exact Or.inl h₁m
      | inr h₂m =>
        by_cases hid : m.id ∈ ids l₁
        · have hid' : m.id ∈ l₁.map Message.id := hid
          obtain ⟨m', hm', heq⟩ := List.mem_map.mp hid'
          have hsame : m' = m :=
            hl m' (List.mem_append.mpr (Or.inl hm')) m (List.mem_append.mpr (Or.inr h₂m)) heq
          exact Or.inl (hsame ▸ hm')
        · exact Or.inr ⟨h₂m, hid⟩
  have hwf' : WellFormed (h₂ ++ h₁) := fun a ha b hb hab =>
    hwf a (List.mem_append.mpr (Or.symm (List.mem_append.mp ha)))
      b (List.mem_append.mpr (Or.symm (List.mem_append.mp hb))) hab
  apply table_receiveAll_of_sameSet
  · intro a ha b hb hab
    exact hwf a (List.mem_append.mpr ((hmem h₁ h₂ hwf a).mp ha))
      b (List.mem_append.mpr ((hmem h₁ h₂ hwf b).mp hb)) hab
  · intro m
    rw [hmem h₁ h₂ hwf m, hmem h₂ h₁ hwf' m]
    exact Or.comm

end Replica

end Atomik
