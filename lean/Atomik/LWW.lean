module

public section

set_option autoImplicit false

/-!
# Last-writer-wins registers

The model of `atomik/replication/lww.py`, definition by definition: per-address lists of stamps and
values (the Python's `_stamps` and `_values`), a Lamport clock, the validation of a write, `receive`
(the clock passes the write's clock; the write is kept iff its stamp `(clock, origin)` is
lexicographically greater than the stored one), `put` (a local write stamped past the stored one)
and `read`. The theorems: a duplicate changes nothing, receives commute, any order of the same
writes (duplicates included) gives the same registers when no two writes share a stamp with
different contents, a register holds the write with the largest stamp received at its address, and
the Lamport rule (the clock passes every received clock, a local write wins locally).

The Python's ints may be negative, where the model's `Nat` fields cannot: the Python rejects a
negative address, value, origin or clock, which the model rules out by its types.
-/

namespace Atomik

namespace LWW

/-- Python's tuple comparison `s < t` on stamps `(clock, origin)`: by clock, ties broken by origin. Python: tuple.__lt__. -/
@[expose] def stampLt (s t : Int × Int) : Prop := s.1 < t.1 ∨ (s.1 = t.1 ∧ s.2 < t.2)

instance (s t : Int × Int) : Decidable (stampLt s t) :=
  inferInstanceAs (Decidable (s.1 < t.1 ∨ (s.1 = t.1 ∧ s.2 < t.2)))

/-- A register write: `value` at `addr`, stamped `(clock, origin)`. Python: LWWWrite. -/
structure Write where
  /-- The replica that made the write. -/
  origin : Nat
  /-- Its Lamport clock. -/
  clock : Nat
  /-- The register it writes. -/
  addr : Nat
  /-- The value it writes. -/
  value : Nat

/-- The stamp of a write: its Lamport clock, ties broken by origin. Python: LWWWrite.stamp. -/
@[expose] noncomputable def Write.stamp (w : Write) : Int × Int := ((w.clock : Int), (w.origin : Int))

/-- Why a call is refused: an address outside the table, a value too wide, an origin or replica id of 33 bits or more, no registers, a zero width. Python: AddressError, RangeError, WidthError. -/
inductive Error where
  | addr
  | value
  | origin
  | numContexts
  | width

/-- The registers: the replica id, the number of registers, the width, the Lamport clock, and per address the value and the stamp of the write it keeps. Python: LWWRegisters. -/
structure Regs where
  /-- The replica id stamped on local writes. -/
  id : Nat
  /-- The number of registers. -/
  n : Nat
  /-- The width of the values in bits. -/
  width : Nat
  /-- The Lamport clock. -/
  clock : Nat
  /-- The value of each register. -/
  values : List Nat
  /-- The stamp of each register's write; `(-1, -1)` before any. -/
  stamps : List (Int × Int)

namespace Regs

/-- Registers all reading 0 with stamp `(-1, -1)`, after the constructor's validation. Python: LWWRegisters.__init__. -/
@[expose] noncomputable def create (id n width : Nat) : Except Error Regs :=
  if 2 ^ 32 ≤ id then .error .origin
  else if n < 1 then .error .numContexts
  else if width < 1 then .error .width
  else .ok ⟨id, n, width, 0, List.replicate n 0, List.replicate n (-1, -1)⟩

/-- The lists hold one entry per register. -/
@[expose] abbrev WF (r : Regs) : Prop := r.stamps.length = r.n ∧ r.values.length = r.n

/-- The stamp of the write kept at an address. Python: LWWRegisters._stamps[a]. -/
@[expose] noncomputable def stampAt (r : Regs) (a : Nat) : Int × Int := (r.stamps[a]?).getD (-1, -1)

/-- The value kept at an address. Python: LWWRegisters._values[a]. -/
@[expose] noncomputable def valueAt (r : Regs) (a : Nat) : Nat := (r.values[a]?).getD 0

/-- The first reason a write is refused, in the Python's order: address, value, origin. Python: LWWRegisters.receive. -/
@[expose] noncomputable def check (r : Regs) (w : Write) : Option Error :=
  if r.n ≤ w.addr then some .addr
  else if 2 ^ r.width ≤ w.value then some .value
  else if 2 ^ 32 ≤ w.origin then some .origin
  else none

/-- An accepted write: the clock passes the write's clock, and the write is kept iff its stamp is greater than the stored one. Python: LWWRegisters.receive. -/
@[expose] noncomputable def apply (r : Regs) (w : Write) : Regs :=
  if stampLt (r.stampAt w.addr) w.stamp then
    { r with clock := max r.clock (w.clock + 1),
             values := r.values.set w.addr w.value,
             stamps := r.stamps.set w.addr w.stamp }
  else { r with clock := max r.clock (w.clock + 1) }

/-- Receive a write: refused (state unchanged) or accepted, with whether it was kept. Python: LWWRegisters.receive. -/
@[expose] noncomputable def receive (r : Regs) (w : Write) : Except Error (Bool × Regs) :=
  match r.check w with
  | some e => .error e
  | none => .ok (decide (stampLt (r.stampAt w.addr) w.stamp), r.apply w)

/-- The clock of a local write at an address: the clock, raised past the stored stamp's clock. Python: LWWRegisters.put. -/
@[expose] noncomputable def putClock (r : Regs) (a : Nat) : Nat := max r.clock ((r.stampAt a).1 + 1).toNat

/-- The registers with their clock set. Python: LWWRegisters._clock. -/
@[expose] noncomputable def withClock (r : Regs) (c : Nat) : Regs := { r with clock := c }

/-- Write a value locally: the clock passes the stored stamp's clock, the write is stamped `(clock, id)`, the clock ticks, and the write is received; returns it. Python: LWWRegisters.put. -/
@[expose] noncomputable def put (r : Regs) (a v : Nat) : Except Error (Write × Regs) :=
  if r.n ≤ a then .error .addr
  else if 2 ^ r.width ≤ v then .error .value
  else
    match (r.withClock (r.putClock a + 1)).receive ⟨r.id, r.putClock a, a, v⟩ with
    | .error e => .error e
    | .ok (_, r') => .ok (⟨r.id, r.putClock a, a, v⟩, r')

/-- The value of the newest write at an address (0 if none). Python: LWWRegisters.read. -/
@[expose] noncomputable def read (r : Regs) (a : Nat) : Except Error Nat :=
  if r.n ≤ a then .error .addr else .ok (r.valueAt a)

/-- Receive writes one after the other, stopping at the first refused one. Python: LWWRegisters.receive. -/
@[expose] noncomputable def receiveAll : Regs → List Write → Except Error Regs
  | r, [] => .ok r
  | r, w :: ws =>
    match r.receive w with
    | .error e => .error e
    | .ok (_, r') => r'.receiveAll ws

/-- Apply accepted writes one after the other. Python: LWWRegisters.receive. -/
@[expose] noncomputable def applyAll : Regs → List Write → Regs
  | r, [] => r
  | r, w :: ws => (r.apply w).applyAll ws

end Regs

/-! ## The stamp order -/

/-- No stamp is older than itself. -/
theorem stampLt_irrefl (s : Int × Int) : ¬ stampLt s s := by
  obtain ⟨a, b⟩ := s
  simp only [stampLt]
  omega

/-- The stamp order is transitive. -/
theorem stampLt_trans {s t u : Int × Int} (h₁ : stampLt s t) (h₂ : stampLt t u) : stampLt s u := by
  obtain ⟨a, b⟩ := s
  obtain ⟨c, d⟩ := t
  obtain ⟨e, f⟩ := u
  simp only [stampLt] at *
  omega

/-- Two stamps are equal or one is older: the order is total, as on Python tuples. -/
theorem stampLt_total (s t : Int × Int) : stampLt s t ∨ s = t ∨ stampLt t s := by
  obtain ⟨a, b⟩ := s
  obtain ⟨c, d⟩ := t
  simp only [stampLt, Prod.mk.injEq]
  omega

/-- Stamps neither older than the other are equal. -/
theorem stamp_eq_of_not_lt {s t : Int × Int} (h₁ : ¬ stampLt s t) (h₂ : ¬ stampLt t s) : s = t := by
  rcases stampLt_total s t with h | h | h
  · exact absurd h h₁
  · exact h
  · exact absurd h h₂

/-- Not older is transitive. -/
theorem stampLe_trans {s t u : Int × Int} (h₁ : ¬ stampLt t s) (h₂ : ¬ stampLt u t) : ¬ stampLt u s := by
  obtain ⟨a, b⟩ := s
  obtain ⟨c, d⟩ := t
  obtain ⟨e, f⟩ := u
  simp only [stampLt] at *
  omega

/-- A stamp a write raised a register to is not older than the register's. -/
theorem stampLe_ite (x s : Int × Int) (p : Prop) [Decidable p] :
    ¬ stampLt (if p ∧ stampLt x s then s else x) x := by
  by_cases h : p ∧ stampLt x s
  · rw [if_pos h]
    intro h'
    exact stampLt_irrefl x (stampLt_trans h.2 h')
  · rw [if_neg h]
    exact stampLt_irrefl x

/-- Two conditional raises of a stamp commute. -/
theorem stamp_raise_comm (x s₁ s₂ : Int × Int) (p₁ p₂ : Prop) [Decidable p₁] [Decidable p₂] :
    (if p₂ ∧ stampLt (if p₁ ∧ stampLt x s₁ then s₁ else x) s₂ then s₂
      else if p₁ ∧ stampLt x s₁ then s₁ else x) =
    (if p₁ ∧ stampLt (if p₂ ∧ stampLt x s₂ then s₂ else x) s₁ then s₁
      else if p₂ ∧ stampLt x s₂ then s₂ else x) := by
  by_cases hp₁ : p₁ <;> by_cases hp₂ : p₂ <;>
    by_cases h1 : stampLt x s₁ <;> by_cases h2 : stampLt x s₂ <;>
    by_cases h3 : stampLt s₁ s₂ <;> by_cases h4 : stampLt s₂ s₁ <;>
    simp only [hp₁, hp₂, h1, h2, h3, h4, and_true, and_false, ↓reduceIte] <;>
    first
      | rfl
      | exact absurd (stampLt_trans h3 h4) (stampLt_irrefl _)
      | exact absurd (stampLt_trans h1 h3) h2
      | exact absurd (stampLt_trans h2 h4) h1
      | exact stamp_eq_of_not_lt h4 h3
      | exact stamp_eq_of_not_lt h3 h4

/-- Two conditional writes of a value, raised by their stamps, commute when equal stamps at one address carry equal values. -/
theorem value_raise_comm (x s₁ s₂ : Int × Int) (y v₁ v₂ : Nat) (p₁ p₂ : Prop)
    [Decidable p₁] [Decidable p₂] (h : p₁ → p₂ → s₁ = s₂ → v₁ = v₂) :
    (if p₂ ∧ stampLt (if p₁ ∧ stampLt x s₁ then s₁ else x) s₂ then v₂
      else if p₁ ∧ stampLt x s₁ then v₁ else y) =
    (if p₁ ∧ stampLt (if p₂ ∧ stampLt x s₂ then s₂ else x) s₁ then v₁
      else if p₂ ∧ stampLt x s₂ then v₂ else y) := by
  by_cases hp₁ : p₁ <;> by_cases hp₂ : p₂ <;>
    by_cases h1 : stampLt x s₁ <;> by_cases h2 : stampLt x s₂ <;>
    by_cases h3 : stampLt s₁ s₂ <;> by_cases h4 : stampLt s₂ s₁ <;>
    simp only [hp₁, hp₂, h1, h2, h3, h4, and_true, and_false, ↓reduceIte] <;>
    first
      | rfl
      | exact absurd (stampLt_trans h3 h4) (stampLt_irrefl _)
      | exact absurd (stampLt_trans h1 h3) h2
      | exact absurd (stampLt_trans h2 h4) h1
      | exact h hp₁ hp₂ (stamp_eq_of_not_lt h3 h4)
      | exact (h hp₁ hp₂ (stamp_eq_of_not_lt h3 h4)).symm

/-- A conditional raise of a stamp applied twice is applied once. -/
theorem stamp_raise_idem (x s : Int × Int) (p : Prop) [Decidable p] :
    (if p ∧ stampLt (if p ∧ stampLt x s then s else x) s then s
      else if p ∧ stampLt x s then s else x) = (if p ∧ stampLt x s then s else x) := by
  by_cases h : p ∧ stampLt x s
  · simp only [h, ↓reduceIte, true_and, stampLt_irrefl, and_false]
  · simp only [h, ↓reduceIte]

/-- A raised stamp is not older than the raising one, where the raise applies. -/
theorem stamp_raise_ge (x s : Int × Int) (p : Prop) [Decidable p] (hp : p) :
    ¬ stampLt (if p ∧ stampLt x s then s else x) s := by
  by_cases h : stampLt x s
  · rw [if_pos (And.intro hp h)]; exact stampLt_irrefl s
  · rw [if_neg (fun hh : p ∧ stampLt x s => h hh.2)]; exact h

/-- A conditional write of a value applied twice is applied once. -/
theorem value_raise_idem (x s : Int × Int) (y v : Nat) (p : Prop) [Decidable p] :
    (if p ∧ stampLt (if p ∧ stampLt x s then s else x) s then v
      else if p ∧ stampLt x s then v else y) = (if p ∧ stampLt x s then v else y) := by
  by_cases h : p ∧ stampLt x s
  · simp only [h, ↓reduceIte, true_and, stampLt_irrefl, and_false]
  · simp only [h, ↓reduceIte]

namespace Regs

/-! ## One write -/

/-- Accepting a write leaves the replica id alone. -/
@[simp] theorem apply_id (r : Regs) (w : Write) : (r.apply w).id = r.id := by
  unfold apply; split <;> rfl

/-- Accepting a write leaves the number of registers alone. -/
@[simp] theorem apply_n (r : Regs) (w : Write) : (r.apply w).n = r.n := by
  unfold apply; split <;> rfl

/-- Accepting a write leaves the width alone. -/
@[simp] theorem apply_width (r : Regs) (w : Write) : (r.apply w).width = r.width := by
  unfold apply; split <;> rfl

/-- Accepting a write moves the clock past the write's clock. -/
@[simp] theorem apply_clock (r : Regs) (w : Write) : (r.apply w).clock = max r.clock (w.clock + 1) := by
  unfold apply; split <;> rfl

/-- Whether a write is refused does not depend on the writes accepted before it. -/
@[simp] theorem check_apply (r : Regs) (w w' : Write) : (r.apply w').check w = r.check w := by
  simp only [check, apply_n, apply_width]

/-- Accepting a write at a valid address keeps one entry per register. -/
theorem wf_apply (r : Regs) (w : Write) (hr : r.WF) : (r.apply w).WF := by
  unfold apply
  split
  · simp only [WF, List.length_set]; exact hr
  · exact hr

/-- The stamp an accepted write leaves at an address: its own if it is at that address and newer, the old one otherwise. -/
theorem apply_stampAt (r : Regs) (w : Write) (b : Nat) (hr : r.WF) (ha : w.addr < r.n) :
    (r.apply w).stampAt b =
      if b = w.addr ∧ stampLt (r.stampAt b) w.stamp then w.stamp else r.stampAt b := by
  by_cases hb : b = w.addr
  · subst hb
    by_cases hlt : stampLt (r.stampAt w.addr) w.stamp
    · have hc : w.addr = w.addr ∧ stampLt (r.stampAt w.addr) w.stamp := And.intro rfl hlt
      unfold apply
      rw [if_pos hlt, if_pos hc]
      have hl : w.addr < r.stamps.length := by rw [hr.1]; exact ha
      simp [stampAt, hl]
    · have hc : ¬ (w.addr = w.addr ∧ stampLt (r.stampAt w.addr) w.stamp) := fun h => hlt h.2
      unfold apply
      rw [if_neg hlt, if_neg hc]
      rfl
  · have hne : w.addr ≠ b := fun h => hb h.symm
    have hc : ¬ (b = w.addr ∧ stampLt (r.stampAt b) w.stamp) := fun h => hb h.1
    unfold apply
    rw [if_neg hc]
    split
    · simp [stampAt, List.getElem?_set_ne hne]
    · rfl

/-- The value an accepted write leaves at an address: its own if it is at that address and newer, the old one otherwise. -/
theorem apply_valueAt (r : Regs) (w : Write) (b : Nat) (hr : r.WF) (ha : w.addr < r.n) :
    (r.apply w).valueAt b =
      if b = w.addr ∧ stampLt (r.stampAt b) w.stamp then w.value else r.valueAt b := by
  by_cases hb : b = w.addr
  · subst hb
    by_cases hlt : stampLt (r.stampAt w.addr) w.stamp
    · have hc : w.addr = w.addr ∧ stampLt (r.stampAt w.addr) w.stamp := And.intro rfl hlt
      unfold apply
      rw [if_pos hlt, if_pos hc]
      have hl : w.addr < r.values.length := by rw [hr.2]; exact ha
      simp [valueAt, hl]
    · have hc : ¬ (w.addr = w.addr ∧ stampLt (r.stampAt w.addr) w.stamp) := fun h => hlt h.2
      unfold apply
      rw [if_neg hlt, if_neg hc]
      rfl
  · have hne : w.addr ≠ b := fun h => hb h.symm
    have hc : ¬ (b = w.addr ∧ stampLt (r.stampAt b) w.stamp) := fun h => hb h.1
    unfold apply
    rw [if_neg hc]
    split
    · simp [valueAt, List.getElem?_set_ne hne]
    · rfl

/-- Registers with one entry per address are equal when their fields, stamps and values agree. -/
theorem ext_at {r r' : Regs} (hr : r.WF) (hr' : r'.WF) (hid : r.id = r'.id) (hn : r.n = r'.n)
    (hw : r.width = r'.width) (hc : r.clock = r'.clock)
    (hs : ∀ b, b < r.n → r.stampAt b = r'.stampAt b)
    (hv : ∀ b, b < r.n → r.valueAt b = r'.valueAt b) : r = r' := by
  obtain ⟨id, n, width, clock, values, stamps⟩ := r
  obtain ⟨id', n', width', clock', values', stamps'⟩ := r'
  simp only [WF] at hr hr'
  obtain rfl : id = id' := hid
  obtain rfl : n = n' := hn
  obtain rfl : width = width' := hw
  obtain rfl : clock = clock' := hc
  have hs' : stamps = stamps' := by
    apply List.ext_getElem (by rw [hr.1, hr'.1])
    intro b h₁ h₂
    have hb : b < n := by rw [← hr.1]; exact h₁
    have := hs b hb
    simpa [stampAt, List.getElem?_eq_getElem h₁, List.getElem?_eq_getElem h₂] using this
  have hv' : values = values' := by
    apply List.ext_getElem (by rw [hr.2, hr'.2])
    intro b h₁ h₂
    have hb : b < n := by rw [← hr.2]; exact h₁
    have := hv b hb
    simpa [valueAt, List.getElem?_eq_getElem h₁, List.getElem?_eq_getElem h₂] using this
  subst hs' hv'
  rfl

/-- Accepting the same write twice is accepting it once. -/
theorem apply_idem (r : Regs) (w : Write) (hr : r.WF) (ha : w.addr < r.n) :
    (r.apply w).apply w = r.apply w := by
  have hr₁ := wf_apply r w hr
  have ha₁ : w.addr < (r.apply w).n := by rw [apply_n]; exact ha
  apply ext_at (wf_apply _ _ hr₁) hr₁ (by simp) (by simp) (by simp)
  · simp only [apply_clock]; omega
  · intro b _
    rw [apply_stampAt _ _ b hr₁ ha₁, apply_stampAt _ _ b hr ha]
    exact stamp_raise_idem _ _ _
  · intro b _
    rw [apply_valueAt _ _ b hr₁ ha₁, apply_stampAt _ _ b hr ha, apply_valueAt _ _ b hr ha]
    exact value_raise_idem _ _ _ _ _

/-- Two accepted writes commute when they do not share a stamp with different contents. -/
theorem apply_comm (r : Regs) (w₁ w₂ : Write) (hr : r.WF) (h₁ : w₁.addr < r.n)
    (h₂ : w₂.addr < r.n) (hc : w₁.stamp = w₂.stamp → w₁ = w₂) :
    (r.apply w₁).apply w₂ = (r.apply w₂).apply w₁ := by
  have hr₁ := wf_apply r w₁ hr
  have hr₂ := wf_apply r w₂ hr
  have h₂' : w₂.addr < (r.apply w₁).n := by rw [apply_n]; exact h₂
  have h₁' : w₁.addr < (r.apply w₂).n := by rw [apply_n]; exact h₁
  apply ext_at (wf_apply _ _ hr₁) (wf_apply _ _ hr₂) (by simp) (by simp) (by simp)
  · simp only [apply_clock]; omega
  · intro b _
    rw [apply_stampAt _ _ b hr₁ h₂', apply_stampAt _ _ b hr h₁, apply_stampAt _ _ b hr₂ h₁',
      apply_stampAt _ _ b hr h₂]
    exact stamp_raise_comm _ _ _ _ _
  · intro b _
    rw [apply_valueAt _ _ b hr₁ h₂', apply_stampAt _ _ b hr h₁, apply_valueAt _ _ b hr h₁,
      apply_valueAt _ _ b hr₂ h₁', apply_stampAt _ _ b hr h₂, apply_valueAt _ _ b hr h₂]
    exact value_raise_comm _ _ _ _ _ _ _ _ (fun _ _ hs => by rw [hc hs])

/-! ## Receiving one write -/

/-- A write is refused exactly when its address is outside the table, its value does not fit the width, or its origin has 33 bits or more. -/
theorem check_eq_none (r : Regs) (w : Write) :
    r.check w = none ↔ w.addr < r.n ∧ w.value < 2 ^ r.width ∧ w.origin < 2 ^ 32 := by
  unfold check
  by_cases h1 : r.n ≤ w.addr <;> by_cases h2 : 2 ^ r.width ≤ w.value <;>
    by_cases h3 : 2 ^ 32 ≤ w.origin <;> simp [h1, h2, h3] <;> omega

/-- A refused write changes nothing: receive returns an error (and no new registers) exactly when the write fails validation. -/
theorem receive_error_iff (r : Regs) (w : Write) :
    (∃ e, r.receive w = .error e) ↔ ¬ (w.addr < r.n ∧ w.value < 2 ^ r.width ∧ w.origin < 2 ^ 32) := by
  rw [← check_eq_none]
  unfold receive
  cases r.check w with
  | none => simp
  | some e => simp

/-- An accepted write is the state change `apply`, and reports whether it was kept. -/
theorem receive_ok (r : Regs) (w : Write) (h : r.check w = none) :
    r.receive w = .ok (decide (stampLt (r.stampAt w.addr) w.stamp), r.apply w) := by
  simp only [receive, h]

/-- A write received a second time is not kept and changes nothing. -/
theorem receive_idem (r r' : Regs) (w : Write) (k : Bool) (hr : r.WF)
    (h : r.receive w = .ok (k, r')) : r'.receive w = .ok (false, r') := by
  cases hck : r.check w with
  | some e => simp [receive, hck] at h
  | none =>
    rw [receive_ok r w hck] at h
    cases h
    have ha : w.addr < r.n := ((check_eq_none r w).1 hck).1
    have hck' : (r.apply w).check w = none := by rw [check_apply]; exact hck
    rw [receive_ok (r.apply w) w hck', apply_idem r w hr ha, apply_stampAt r w w.addr hr ha,
      decide_eq_false (stamp_raise_ge (r.stampAt w.addr) w.stamp (w.addr = w.addr) rfl)]

/-- After receiving a write the clock is past the write's clock and has not gone back (the Lamport rule). -/
theorem receive_clock (r r' : Regs) (w : Write) (k : Bool) (h : r.receive w = .ok (k, r')) :
    w.clock < r'.clock ∧ r.clock ≤ r'.clock := by
  cases hck : r.check w with
  | some e => simp [receive, hck] at h
  | none =>
    rw [receive_ok r w hck] at h
    cases h
    simp only [apply_clock]
    omega

/-- Receiving two valid writes in either order gives the same registers when they do not share a stamp with different contents. -/
theorem receive_comm (r : Regs) (w₁ w₂ : Write) (hr : r.WF) (h₁ : r.check w₁ = none)
    (h₂ : r.check w₂ = none) (hc : w₁.stamp = w₂.stamp → w₁ = w₂) :
    r.receiveAll [w₁, w₂] = r.receiveAll [w₂, w₁] := by
  have ha₁ := ((check_eq_none r w₁).1 h₁).1
  have ha₂ := ((check_eq_none r w₂).1 h₂).1
  simp only [receiveAll, receive_ok r w₁ h₁, receive_ok r w₂ h₂,
    receive_ok (r.apply w₁) w₂ (by rw [check_apply]; exact h₂),
    receive_ok (r.apply w₂) w₁ (by rw [check_apply]; exact h₁)]
  rw [apply_comm r w₁ w₂ hr ha₁ ha₂ hc]

/-! ## Many writes -/

/-- Accepted writes keep one entry per register. -/
theorem wf_applyAll (l : List Write) : ∀ (r : Regs), r.WF → (r.applyAll l).WF := by
  induction l with
  | nil => intro r hr; exact hr
  | cons w ws ih => intro r hr; exact ih _ (wf_apply r w hr)

/-- Accepted writes leave the number of registers alone. -/
@[simp] theorem applyAll_n (l : List Write) : ∀ (r : Regs), (r.applyAll l).n = r.n := by
  induction l with
  | nil => intro r; rfl
  | cons w ws ih => intro r; simp only [applyAll, ih, apply_n]

/-- Receiving writes succeeds exactly when each passes validation, and then is accepting them in order. -/
theorem receiveAll_eq_ok (l : List Write) : ∀ (r r' : Regs),
    r.receiveAll l = .ok r' ↔ (∀ w ∈ l, r.check w = none) ∧ r' = r.applyAll l := by
  induction l with
  | nil =>
    intro r r'
    simp only [receiveAll, applyAll]
    constructor
    · intro h; cases h; exact ⟨fun w hw => by simp at hw, rfl⟩
    · intro h; rw [h.2]
  | cons w ws ih =>
    intro r r'
    cases hck : r.check w with
    | some e =>
      simp only [receiveAll, receive, hck]
      constructor
      · intro h; cases h
      · intro h
        have := h.1 w (by simp)
        rw [hck] at this
        cases this
    | none =>
      simp only [receiveAll, receive_ok r w hck, applyAll]
      rw [ih (r.apply w) r']
      simp [hck]

/-- Any two orders of the same writes (duplicates included) give the same registers, when every write is valid and no two share a stamp with different contents. -/
theorem applyAll_perm {l₁ l₂ : List Write} (h : l₁.Perm l₂) : ∀ (r : Regs), r.WF →
    (∀ w ∈ l₁, w.addr < r.n) → (∀ w₁ ∈ l₁, ∀ w₂ ∈ l₁, w₁.stamp = w₂.stamp → w₁ = w₂) →
    r.applyAll l₁ = r.applyAll l₂ := by
  induction h with
  | nil => intro r _ _ _; rfl
  | cons x _ ih =>
    intro r hr ha hc
    simp only [applyAll]
    exact ih _ (wf_apply r x hr) (fun w hw => by rw [apply_n]; exact ha w (by simp [hw]))
      (fun a ha' b hb => hc a (by simp [ha']) b (by simp [hb]))
  | swap x y l =>
    intro r hr ha hc
    simp only [applyAll]
    rw [apply_comm r y x hr (ha y (by simp)) (ha x (by simp)) (hc y (by simp) x (by simp))]
  | trans h₁₂ _ ih₁ ih₂ =>
    intro r hr ha hc
    rw [ih₁ r hr ha hc]
    exact ih₂ r hr (fun w hw => ha w (h₁₂.mem_iff.2 hw))
      (fun a ha' b hb => hc a (h₁₂.mem_iff.2 ha') b (h₁₂.mem_iff.2 hb))

/-- Receiving the same writes in any two orders (duplicates included) gives the same registers, values and stamps, when no two writes share a stamp with different contents. -/
theorem receiveAll_perm {l₁ l₂ : List Write} (h : l₁.Perm l₂) (r r₁ : Regs) (hr : r.WF)
    (hc : ∀ w₁ ∈ l₁, ∀ w₂ ∈ l₁, w₁.stamp = w₂.stamp → w₁ = w₂)
    (h₁ : r.receiveAll l₁ = .ok r₁) : r.receiveAll l₂ = .ok r₁ := by
  obtain ⟨hv, rfl⟩ := (receiveAll_eq_ok l₁ r r₁).1 h₁
  rw [receiveAll_eq_ok]
  refine ⟨fun w hw => hv w (h.mem_iff.2 hw), ?_⟩
  exact applyAll_perm h r hr (fun w hw => ((check_eq_none r w).1 (hv w hw)).1) hc

/-- A register's stamp never goes back. -/
theorem applyAll_stampAt_mono (l : List Write) : ∀ (r : Regs) (b : Nat), r.WF →
    (∀ w ∈ l, w.addr < r.n) → ¬ stampLt ((r.applyAll l).stampAt b) (r.stampAt b) := by
  induction l with
  | nil => intro r b _ _; exact stampLt_irrefl _
  | cons w ws ih =>
    intro r b hr ha
    simp only [applyAll]
    have hw : w.addr < r.n := ha w (by simp)
    have h₁ := ih (r.apply w) b (wf_apply r w hr)
      (fun w' hw' => by rw [apply_n]; exact ha w' (by simp [hw']))
    have h₂ : ¬ stampLt ((r.apply w).stampAt b) (r.stampAt b) := by
      rw [apply_stampAt r w b hr hw]
      exact stampLe_ite _ _ _
    exact stampLe_trans h₂ h₁

/-- A register's stamp is not older than any write received at its address. -/
theorem applyAll_stampAt_ge (l : List Write) : ∀ (r : Regs), r.WF →
    (∀ w ∈ l, w.addr < r.n) → ∀ w ∈ l, ¬ stampLt ((r.applyAll l).stampAt w.addr) w.stamp := by
  induction l with
  | nil => intro r _ _ w hw; simp at hw
  | cons w ws ih =>
    intro r hr ha w' hw'
    simp only [applyAll]
    have hw : w.addr < r.n := ha w (by simp)
    have ha' : ∀ u ∈ ws, u.addr < (r.apply w).n :=
      fun u hu => by rw [apply_n]; exact ha u (by simp [hu])
    rcases List.mem_cons.1 hw' with heq | hmem
    · rw [heq]
      have h₁ := applyAll_stampAt_mono ws (r.apply w) w.addr (wf_apply r w hr) ha'
      have h₂ : ¬ stampLt ((r.apply w).stampAt w.addr) w.stamp := by
        rw [apply_stampAt r w w.addr hr hw]
        exact stamp_raise_ge (r.stampAt w.addr) w.stamp (w.addr = w.addr) rfl
      exact stampLe_trans h₂ h₁
    · exact ih (r.apply w) (wf_apply r w hr) ha' w' hmem

/-- A register holds its initial stamp and value, or the stamp and value of a write received at its address. -/
theorem applyAll_from (l : List Write) : ∀ (r : Regs) (b : Nat), r.WF → (∀ w ∈ l, w.addr < r.n) →
    ((r.applyAll l).stampAt b = r.stampAt b ∧ (r.applyAll l).valueAt b = r.valueAt b) ∨
    ∃ w ∈ l, w.addr = b ∧ (r.applyAll l).stampAt b = w.stamp ∧ (r.applyAll l).valueAt b = w.value := by
  induction l with
  | nil => intro r b _ _; left; exact ⟨rfl, rfl⟩
  | cons w ws ih =>
    intro r b hr ha
    simp only [applyAll]
    have hw : w.addr < r.n := ha w (by simp)
    rcases ih (r.apply w) b (wf_apply r w hr)
        (fun u hu => by rw [apply_n]; exact ha u (by simp [hu])) with ⟨hs, hv⟩ | ⟨u, hu, hub, hs, hv⟩
    · rw [hs, hv, apply_stampAt r w b hr hw, apply_valueAt r w b hr hw]
      by_cases hk : b = w.addr ∧ stampLt (r.stampAt b) w.stamp
      · right
        exact ⟨w, by simp, hk.1.symm, by rw [if_pos hk], by rw [if_pos hk]⟩
      · left
        exact ⟨by rw [if_neg hk], by rw [if_neg hk]⟩
    · right
      exact ⟨u, by simp [hu], hub, hs, hv⟩

/-- A register holds the value of the write with the largest stamp received at its address, when that stamp beats the register's initial one and no two writes share a stamp with different contents. -/
theorem receiveAll_read_max (l : List Write) (r r' : Regs) (w : Write) (hr : r.WF)
    (h : r.receiveAll l = .ok r')
    (hc : ∀ w₁ ∈ l, ∀ w₂ ∈ l, w₁.stamp = w₂.stamp → w₁ = w₂)
    (hw : w ∈ l) (hmax : ∀ u ∈ l, u.addr = w.addr → ¬ stampLt w.stamp u.stamp)
    (hinit : stampLt (r.stampAt w.addr) w.stamp) : r'.read w.addr = .ok w.value := by
  obtain ⟨hv, rfl⟩ := (receiveAll_eq_ok l r r').1 h
  have ha : ∀ u ∈ l, u.addr < r.n := fun u hu => ((check_eq_none r u).1 (hv u hu)).1
  have hge := applyAll_stampAt_ge l r hr ha w hw
  have hwa : ¬ (r.applyAll l).n ≤ w.addr := by rw [applyAll_n]; exact Nat.not_le.2 (ha w hw)
  unfold read
  rw [if_neg hwa]
  rcases applyAll_from l r w.addr hr ha with ⟨hs, _⟩ | ⟨u, hu, hua, hs, hval⟩
  · rw [hs] at hge
    exact absurd hinit hge
  · rw [hs] at hge
    have hu' : u = w := hc u hu w hw (stamp_eq_of_not_lt (hmax u hu hua) hge).symm
    rw [hval, hu']

/-- A register no received write addresses keeps its value. -/
theorem receiveAll_read_other (l : List Write) (r r' : Regs) (b : Nat) (hr : r.WF)
    (h : r.receiveAll l = .ok r') (hb : ∀ w ∈ l, w.addr ≠ b) : r'.read b = r.read b := by
  obtain ⟨hv, rfl⟩ := (receiveAll_eq_ok l r r').1 h
  have ha : ∀ u ∈ l, u.addr < r.n := fun u hu => ((check_eq_none r u).1 (hv u hu)).1
  unfold read
  rw [applyAll_n]
  rcases applyAll_from l r b hr ha with ⟨_, hval⟩ | ⟨u, hu, hua, _, _⟩
  · rw [hval]
  · exact absurd hua (hb u hu)

/-- After receiving writes the clock is past every received write's clock. -/
theorem receiveAll_clock (l : List Write) : ∀ (r r' : Regs), r.receiveAll l = .ok r' →
    r.clock ≤ r'.clock ∧ ∀ w ∈ l, w.clock < r'.clock := by
  induction l with
  | nil =>
    intro r r' h
    simp only [receiveAll, Except.ok.injEq] at h
    subst h
    simp
  | cons w ws ih =>
    intro r r' h
    cases hck : r.check w with
    | some e => simp [receiveAll, receive, hck] at h
    | none =>
      simp only [receiveAll, receive_ok r w hck] at h
      have h₁ := ih _ _ h
      have h₂ := receive_clock r (r.apply w) w _ (receive_ok r w hck)
      refine ⟨Nat.le_trans h₂.2 h₁.1, ?_⟩
      intro u hu
      rcases List.mem_cons.1 hu with rfl | hmem
      · exact Nat.lt_of_lt_of_le h₂.1 h₁.1
      · exact h₁.2 u hmem

/-! ## Local writes and the initial registers -/

/-- A successful local write is the write `(clock past the stored stamp, id)` at a valid address, received by the registers with the clock ticked past it. -/
theorem put_ok (r r' : Regs) (a v : Nat) (w : Write) (h : r.put a v = .ok (w, r')) :
    a < r.n ∧ w = ⟨r.id, r.putClock a, a, v⟩ ∧
      r' = (r.withClock (r.putClock a + 1)).apply w := by
  unfold put at h
  by_cases h1 : r.n ≤ a
  · rw [if_pos h1] at h; cases h
  · rw [if_neg h1] at h
    by_cases h2 : 2 ^ r.width ≤ v
    · rw [if_pos h2] at h; cases h
    · rw [if_neg h2] at h
      cases hck : (r.withClock (r.putClock a + 1)).check ⟨r.id, r.putClock a, a, v⟩ with
      | some e => simp [receive, hck] at h
      | none =>
        rw [receive_ok _ _ hck] at h
        simp only at h
        cases h
        exact ⟨Nat.lt_of_not_le h1, rfl, rfl⟩

/-- A local write is stamped after the register's stored stamp, at the address and with the value asked, and carries the replica's id. -/
theorem put_stamp_gt (r r' : Regs) (a v : Nat) (w : Write) (h : r.put a v = .ok (w, r')) :
    stampLt (r.stampAt a) w.stamp ∧ w.addr = a ∧ w.value = v ∧ w.origin = r.id ∧ r.clock ≤ w.clock := by
  obtain ⟨_, rfl, _⟩ := put_ok r r' a v w h
  have hle := Int.self_le_toNat ((r.stampAt a).1 + 1)
  have hmax : (((r.stampAt a).1 + 1).toNat : Int) ≤ ((r.putClock a : Nat) : Int) :=
    Int.ofNat_le.2 (Nat.le_max_right _ _)
  refine ⟨?_, rfl, rfl, rfl, Nat.le_max_left _ _⟩
  simp only [stampLt, Write.stamp]
  left
  omega

/-- A local write wins locally: afterwards its address holds its stamp and reads its value, and the clock is past its clock. -/
theorem put_wins (r r' : Regs) (a v : Nat) (w : Write) (hr : r.WF) (h : r.put a v = .ok (w, r')) :
    r'.stampAt a = w.stamp ∧ r'.read a = .ok v ∧ w.clock < r'.clock := by
  have hlt := (put_stamp_gt r r' a v w h).1
  obtain ⟨ha, rfl, rfl⟩ := put_ok r r' a v w h
  have hr₁ : (r.withClock (r.putClock a + 1)).WF := hr
  have ha₁ : (⟨r.id, r.putClock a, a, v⟩ : Write).addr < (r.withClock (r.putClock a + 1)).n := ha
  have hc : a = (⟨r.id, r.putClock a, a, v⟩ : Write).addr ∧
      stampLt ((r.withClock (r.putClock a + 1)).stampAt a)
        (⟨r.id, r.putClock a, a, v⟩ : Write).stamp := ⟨rfl, hlt⟩
  refine ⟨?_, ?_, ?_⟩
  · rw [apply_stampAt _ _ a hr₁ ha₁]
    split
    · rfl
    · rename_i hn; exact absurd hc hn
  · unfold read
    split
    · rename_i hn; simp [withClock] at hn; omega
    · rw [apply_valueAt _ _ a hr₁ ha₁]
      split
      · rfl
      · rename_i hn; exact absurd hc hn
  · simp only [apply_clock, withClock]
    omega

/-- New registers, if the constructor accepts its arguments, hold one entry per address, and every address reads 0. -/
theorem create_read (id n width : Nat) (r : Regs) (h : create id n width = .ok r) :
    r.WF ∧ r.n = n ∧ r.id = id ∧ r.clock = 0 ∧ ∀ b, b < n → r.read b = .ok 0 := by
  unfold create at h
  by_cases h1 : 2 ^ 32 ≤ id
  · rw [if_pos h1] at h; cases h
  · rw [if_neg h1] at h
    by_cases h2 : n < 1
    · rw [if_pos h2] at h; cases h
    · rw [if_neg h2] at h
      by_cases h3 : width < 1
      · rw [if_pos h3] at h; cases h
      · rw [if_neg h3] at h
        cases h
        refine ⟨by simp [WF], rfl, rfl, rfl, ?_⟩
        intro b hb
        simp [read, valueAt, hb, Nat.not_le.2 hb]

/-! ## The clock stays ahead of every stored stamp -/

/-- Every stored stamp's clock is below the registers' clock. -/
@[expose] abbrev ClockAhead (r : Regs) : Prop := ∀ b, (r.stampAt b).1 < (r.clock : Int)

/-- Accepting a write keeps the clock ahead of every stored stamp. -/
theorem clockAhead_apply (r : Regs) (w : Write) (hr : r.WF) (ha : w.addr < r.n)
    (h : r.ClockAhead) : (r.apply w).ClockAhead := by
  intro b
  rw [apply_stampAt r w b hr ha, apply_clock]
  split
  · simp only [Write.stamp]
    exact Int.ofNat_lt.2 (by omega)
  · exact Int.lt_of_lt_of_le (h b) (Int.ofNat_le.2 (Nat.le_max_left _ _))

/-- Receiving a write keeps the clock ahead of every stored stamp. -/
theorem clockAhead_receive (r r' : Regs) (w : Write) (k : Bool) (hr : r.WF) (h : r.ClockAhead)
    (hrec : r.receive w = .ok (k, r')) : r'.ClockAhead := by
  cases hck : r.check w with
  | some e => simp [receive, hck] at hrec
  | none =>
    rw [receive_ok r w hck] at hrec
    cases hrec
    exact clockAhead_apply r w hr ((check_eq_none r w).1 hck).1 h

/-- On registers whose clock is ahead of every stored stamp, a local write is stamped with the clock itself: put's raise past the stored stamp changes nothing. -/
theorem putClock_of_clockAhead (r : Regs) (a : Nat) (h : r.ClockAhead) : r.putClock a = r.clock := by
  have ha := h a
  have hle : ((r.stampAt a).1 + 1).toNat ≤ r.clock := by omega
  exact Nat.max_eq_left hle

/-- A local write keeps the clock ahead of every stored stamp. -/
theorem clockAhead_put (r r' : Regs) (a v : Nat) (w : Write) (hr : r.WF) (h : r.ClockAhead)
    (hp : r.put a v = .ok (w, r')) : r'.ClockAhead := by
  obtain ⟨ha, rfl, rfl⟩ := put_ok r r' a v w hp
  apply clockAhead_apply (r.withClock (r.putClock a + 1)) ⟨r.id, r.putClock a, a, v⟩ hr ha
  intro b
  have hb := h b
  have hle : r.clock ≤ r.putClock a := Nat.le_max_left _ _
  have : (r.clock : Int) ≤ ((r.putClock a + 1 : Nat) : Int) := Int.ofNat_le.2 (by omega)
  exact Int.lt_of_lt_of_le hb this

/-- New registers have their clock ahead of every stored stamp. -/
theorem clockAhead_create (id n width : Nat) (r : Regs) (h : create id n width = .ok r) :
    r.ClockAhead := by
  unfold create at h
  by_cases h1 : 2 ^ 32 ≤ id
  · rw [if_pos h1] at h; cases h
  · rw [if_neg h1] at h
    by_cases h2 : n < 1
    · rw [if_pos h2] at h; cases h
    · rw [if_neg h2] at h
      by_cases h3 : width < 1
      · rw [if_pos h3] at h; cases h
      · rw [if_neg h3] at h
        cases h
        intro b
        simp only [stampAt]
        by_cases hb : b < n
        · simp [hb]
        · simp [hb]

/-! ## Replicas converge -/

/-- Accepting a write changes values and stamps as a function of the values and stamps alone (not of the id or the clock). -/
theorem apply_congr (r s : Regs) (w : Write) (hv : r.values = s.values) (hs : r.stamps = s.stamps) :
    (r.apply w).values = (s.apply w).values ∧ (r.apply w).stamps = (s.apply w).stamps := by
  have hst : r.stampAt w.addr = s.stampAt w.addr := by simp only [stampAt, hs]
  unfold apply
  rw [hst]
  by_cases h : stampLt (s.stampAt w.addr) w.stamp
  · rw [if_pos h, if_pos h]
    simp only [hv, hs, and_self]
  · rw [if_neg h, if_neg h]
    exact ⟨hv, hs⟩

/-- Accepting the same writes changes values and stamps as a function of the values and stamps alone. -/
theorem applyAll_congr (l : List Write) : ∀ (r s : Regs), r.values = s.values → r.stamps = s.stamps →
    (r.applyAll l).values = (s.applyAll l).values ∧ (r.applyAll l).stamps = (s.applyAll l).stamps := by
  induction l with
  | nil => intro r s hv hs; exact ⟨hv, hs⟩
  | cons w ws ih =>
    intro r s hv hs
    have h := apply_congr r s w hv hs
    simp only [applyAll]
    exact ih (r.apply w) (s.apply w) h.1 h.2

/-- Two replicas (any ids and clocks) that hold the same values and stamps and receive the same writes in any two orders, duplicates included, hold the same values and stamps, when no two writes share a stamp with different contents. -/
theorem receiveAll_converge {l₁ l₂ : List Write} (h : l₁.Perm l₂) (r₁ r₂ r₁' r₂' : Regs)
    (hr₂ : r₂.WF) (hv : r₁.values = r₂.values) (hs : r₁.stamps = r₂.stamps)
    (hc : ∀ w₁ ∈ l₁, ∀ w₂ ∈ l₁, w₁.stamp = w₂.stamp → w₁ = w₂)
    (h₁ : r₁.receiveAll l₁ = .ok r₁') (h₂ : r₂.receiveAll l₂ = .ok r₂') :
    r₁'.values = r₂'.values ∧ r₁'.stamps = r₂'.stamps := by
  obtain ⟨_, rfl⟩ := (receiveAll_eq_ok l₁ r₁ r₁').1 h₁
  obtain ⟨hv₂, rfl⟩ := (receiveAll_eq_ok l₂ r₂ r₂').1 h₂
  have ha : ∀ w ∈ l₁, w.addr < r₂.n := fun w hw => ((check_eq_none r₂ w).1 (hv₂ w (h.mem_iff.1 hw))).1
  rw [← applyAll_perm h r₂ hr₂ ha hc]
  exact applyAll_congr l₁ r₁ r₂ hv hs

/-- An error from a local write means an address outside the table, a value too wide, or a replica id of 33 bits or more. -/
theorem put_error_iff (r : Regs) (a v : Nat) :
    (∃ e, r.put a v = .error e) ↔ ¬ (a < r.n ∧ v < 2 ^ r.width ∧ r.id < 2 ^ 32) := by
  unfold put
  by_cases h1 : r.n ≤ a
  · rw [if_pos h1]
    simp only [Except.error.injEq, exists_eq', true_iff]
    omega
  · rw [if_neg h1]
    by_cases h2 : 2 ^ r.width ≤ v
    · rw [if_pos h2]
      simp only [Except.error.injEq, exists_eq', true_iff]
      omega
    · rw [if_neg h2]
      by_cases h3 : 2 ^ 32 ≤ r.id
      · have hck : (r.withClock (r.putClock a + 1)).check ⟨r.id, r.putClock a, a, v⟩ = some .origin := by
          simp [check, withClock, h1, h2, h3]
        simp only [receive, hck, Except.error.injEq, exists_eq', true_iff]
        omega
      · have hck : (r.withClock (r.putClock a + 1)).check ⟨r.id, r.putClock a, a, v⟩ = none := by
          simp [check, withClock, h1, h2, h3]
        rw [receive_ok _ _ hck]
        simp only [reduceCtorEq, exists_false, false_iff, Classical.not_not]
        omega

end Regs

end LWW

end Atomik
