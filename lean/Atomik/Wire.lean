module

public section

set_option autoImplicit false

/-!
# Bytes: little-endian words, CRC32C and the v1 wire frame

The model of `atomik/wire.py` (and of the word layout `atomik._check` uses for wide values) as
functions over lists of bytes (`List (BitVec 8)`, first byte first).

* `toLE b k n` is the `k` little-endian digits of `n` in base `2^b`; `ofLE` reads them back. Wide
  values travel as `toWords` (⌈w/64⌉ 64-bit words, the top word holding only the bits below `w`)
  and as `toBytes` (⌈w/8⌉ bytes); XOR commutes with both (`toWords_xor`, `toBytes_xor`), so a
  word-wise kernel computes the bit-vector XOR.
* `crc32c` is the reflected Castagnoli CRC, bit by bit (check value `crc32c_check`).
* `encode` / `decode` are the single-message frame, with the decoder's checks in the order the
  Python code makes them and the same error kinds (`Err`). Theorems: `decode_encode` (round trip),
  `encode_of_decode` (canonicity: the only bytes that decode to `m` are `encode m`),
  `length_encode` (frame size), and the error theorems for a wrong magic, version, kind, length,
  checksum and field range.
* `encodeSparse` / `decodeSparse` are the sparse delta (`atomik.delta.SparseDelta`): round trip
  (`decodeSparse_encodeSparse`), canonicity (`encodeSparse_of_decodeSparse`), size
  (`length_encodeSparse`), and the errors (`decodeSparse_encodeSparse_field`,
  `decodeSparse_append`, `decodeSparse_short`). Its dense side as the code computes it:
  `Sparse.toDense` (`to_dense`), `fromDense` (`from_dense`), `applySparse` (`apply_sparse`), with
  `applySparse_eq_xor` (applying is the byte-wise XOR with the dense delta), `applySparse_shape`,
  `applySparse_fromDense`, `toDense_fromDense` (dense round trip), `fromDense_valid`,
  `fromDense_toDense` (the sparse form is unique) and `length_toDense`. `fromDenseWords` is
  `from_dense` on a uint64 array (length `8 * size`, the words as they are):
  `fromDenseWords_eq_fromDense` (it is the bytes path on the words' little-endian bytes, through
  `denseWords_wordsBytes`), `fromDenseWords_valid`, `toDense_fromDenseWords`. The words
  `from_dense` reads are the fingerprint's chunks: `denseWords_eq_chunksAux`,
  `denseWords_eq_chunks64`.
-/

namespace Atomik.Wire

/-- A byte string, first byte first. Python: bytes. -/
abbrev Bytes := List (BitVec 8)

/-! ## Little-endian digits -/

/-- The `k` little-endian digits of `n` in base `2^b` (so `n` is reduced modulo `2^(b*k)`). Python: int.to_bytes(k, "little") for b = 8, atomik._check.int_to_words for b = 64. -/
@[expose] def toLE (b : Nat) : Nat → Nat → List (BitVec b)
  | 0, _ => []
  | k + 1, n => BitVec.ofNat b n :: toLE b k (n / 2 ^ b)

/-- The number whose little-endian digits in base `2^b` are the list. Python: int.from_bytes(bs, "little"), atomik._check.words_to_int. -/
@[expose] def ofLE {b : Nat} : List (BitVec b) → Nat
  | [] => 0
  | x :: xs => x.toNat + 2 ^ b * ofLE xs

/-- Read a `k`-byte little-endian field off the front of a byte string: its value and the rest. Python: struct.unpack_from. -/
@[expose] noncomputable def readLE (k : Nat) (bs : Bytes) : Nat × Bytes := (ofLE (bs.take k), bs.drop k)

/-- The digit list has exactly `k` digits. Python: int.to_bytes. -/
theorem length_toLE (b k n : Nat) : (toLE b k n).length = k := by
  induction k generalizing n with
  | zero => rfl
  | succ k ih => simp [toLE, ih]

/-- Reading the digits back gives the number reduced modulo `(2^b)^k`. Python: int.from_bytes. -/
theorem ofLE_toLE (b k n : Nat) : ofLE (toLE b k n) = n % (2 ^ b) ^ k := by
  induction k generalizing n with
  | zero => simp [toLE, ofLE, Nat.pow_zero, Nat.mod_one]
  | succ k ih =>
    simp only [toLE, ofLE, ih, BitVec.toNat_ofNat]
    rw [Nat.pow_succ, Nat.mul_comm ((2 ^ b) ^ k) (2 ^ b), Nat.mod_mul]

/-- A number below `2^(b*k)` survives the digit round trip. Python: int.from_bytes. -/
theorem ofLE_toLE_of_lt {b k n : Nat} (h : n < 2 ^ (b * k)) : ofLE (toLE b k n) = n := by
  rw [ofLE_toLE, ← Nat.pow_mul]
  exact Nat.mod_eq_of_lt h

/-- A list of `k` digits denotes a number below `(2^b)^k`. Python: int.from_bytes. -/
theorem ofLE_lt {b : Nat} (xs : List (BitVec b)) : ofLE xs < (2 ^ b) ^ xs.length := by
  induction xs with
  | nil => simp [ofLE]
  | cons x xs ih =>
    simp only [ofLE, List.length_cons, Nat.pow_succ]
    have hx : x.toNat < 2 ^ b := x.isLt
    have h1 : ofLE xs + 1 ≤ (2 ^ b) ^ xs.length := ih
    calc x.toNat + 2 ^ b * ofLE xs < 2 ^ b + 2 ^ b * ofLE xs := Nat.add_lt_add_right hx _
      _ = 2 ^ b * (ofLE xs + 1) := by rw [Nat.mul_add, Nat.mul_one, Nat.add_comm]
      _ ≤ 2 ^ b * (2 ^ b) ^ xs.length := Nat.mul_le_mul_left _ h1
      _ = (2 ^ b) ^ xs.length * 2 ^ b := Nat.mul_comm _ _

/-- Writing the value of a digit list with as many digits gives the list back: the encoding is canonical. Python: int.to_bytes. -/
theorem toLE_ofLE {b : Nat} (xs : List (BitVec b)) : toLE b xs.length (ofLE xs) = xs := by
  induction xs with
  | nil => rfl
  | cons x xs ih =>
    simp only [List.length_cons, toLE, ofLE]
    have hx : x.toNat < 2 ^ b := x.isLt
    have h1 : BitVec.ofNat b (x.toNat + 2 ^ b * ofLE xs) = x := by
      apply BitVec.eq_of_toNat_eq
      simp only [BitVec.toNat_ofNat, Nat.add_mul_mod_self_left, Nat.mod_eq_of_lt hx]
    have h2 : (x.toNat + 2 ^ b * ofLE xs) / 2 ^ b = ofLE xs := by
      rw [Nat.add_mul_div_left _ _ (Nat.two_pow_pos b), Nat.div_eq_of_lt hx, Nat.zero_add]
    rw [h1, h2, ih]

/-- XOR of two numbers, digit by digit. Python: numpy's word-wise `^` on uint64 arrays. -/
theorem toLE_xor (b k m n : Nat) :
    toLE b k (m ^^^ n) = List.zipWith (· ^^^ ·) (toLE b k m) (toLE b k n) := by
  induction k generalizing m n with
  | zero => rfl
  | succ k ih =>
    simp only [toLE, List.zipWith_cons_cons]
    have hd : (m ^^^ n) / 2 ^ b = (m / 2 ^ b) ^^^ (n / 2 ^ b) := by
      apply Nat.eq_of_testBit_eq
      intro i
      simp only [← Nat.shiftRight_eq_div_pow, Nat.testBit_shiftRight, Nat.testBit_xor]
    have h0 : BitVec.ofNat b (m ^^^ n) = BitVec.ofNat b m ^^^ BitVec.ofNat b n := by
      apply BitVec.eq_of_toNat_eq
      simp only [BitVec.toNat_ofNat, BitVec.toNat_xor, Nat.xor_mod_two_pow]
    rw [h0, hd, ih]

/-- Reading a `k`-byte field written by `toLE` gives the value (reduced) and the rest. Python: struct.unpack_from. -/
theorem readLE_toLE_append (k n : Nat) (rest : Bytes) :
    readLE k (toLE 8 k n ++ rest) = (n % (2 ^ 8) ^ k, rest) := by
  simp only [readLE, List.take_left' (length_toLE 8 k n), List.drop_left' (length_toLE 8 k n),
    ofLE_toLE]

/-- A field read off a long enough string, written back, rebuilds the string. Python: struct.pack. -/
theorem readLE_split (k : Nat) (bs : Bytes) (h : k ≤ bs.length) (rest : Bytes)
    (hr : rest = (readLE k bs).2) : toLE 8 k (readLE k bs).1 ++ rest = bs := by
  subst hr
  simp only [readLE]
  have hl : (bs.take k).length = k := by simp [List.length_take]; omega
  have e := toLE_ofLE (bs.take k)
  rw [hl] at e
  rw [e, List.take_append_drop]

/-- What is left after reading a field. Python: struct.unpack_from's offset. -/
theorem length_readLE_snd (k : Nat) (bs : Bytes) : (readLE k bs).2.length = bs.length - k := by
  simp [readLE]

/-! ## Wide values as words and bytes -/

/-- The little-endian 64-bit words of a `w`-bit value: ⌈w/64⌉ words, the top one holding only the bits below `w`. Python: atomik._check.int_to_words. -/
@[expose] def toWords {w : Nat} (x : BitVec w) : List (BitVec 64) := toLE 64 ((w + 63) / 64) x.toNat

/-- The `w`-bit value of a word list, if it has ⌈w/64⌉ words and no bit at or above `w` (the top word masked). Python: atomik._check.check_rows_fit then words_to_int. -/
@[expose] noncomputable def ofWords (w : Nat) (ws : List (BitVec 64)) : Option (BitVec w) :=
  if ws.length = (w + 63) / 64 ∧ ofLE ws < 2 ^ w then some (BitVec.ofNat w (ofLE ws)) else none

/-- The little-endian bytes of a `w`-bit value: ⌈w/8⌉ bytes, the last one holding only the bits below `w`. Python: int.to_bytes((w + 7) // 8, "little"). -/
@[expose] def toBytes {w : Nat} (x : BitVec w) : Bytes := toLE 8 ((w + 7) / 8) x.toNat

/-- The `w`-bit value of a byte list, if it has ⌈w/8⌉ bytes and no bit at or above `w`. Python: int.from_bytes with the range check of atomik.wire. -/
@[expose] noncomputable def ofBytes (w : Nat) (bs : Bytes) : Option (BitVec w) :=
  if bs.length = (w + 7) / 8 ∧ ofLE bs < 2 ^ w then some (BitVec.ofNat w (ofLE bs)) else none

/-- A `w`-bit value fits in ⌈w/64⌉ 64-bit words. Python: atomik._check.words_for. -/
theorem two_pow_le_words (w : Nat) : 2 ^ w ≤ (2 ^ 64) ^ ((w + 63) / 64) := by
  rw [← Nat.pow_mul]
  exact Nat.pow_le_pow_right (by decide) (by omega)

/-- A `w`-bit value fits in ⌈w/8⌉ bytes. Python: atomik.wire (the delta's byte count). -/
theorem two_pow_le_bytes (w : Nat) : 2 ^ w ≤ (2 ^ 8) ^ ((w + 7) / 8) := by
  rw [← Nat.pow_mul]
  exact Nat.pow_le_pow_right (by decide) (by omega)

/-- A `w`-bit value has ⌈w/64⌉ words. Python: atomik._check.words_for. -/
theorem length_toWords {w : Nat} (x : BitVec w) : (toWords x).length = (w + 63) / 64 := by
  simp [toWords, length_toLE]

/-- The words of a value denote the value. Python: atomik._check.words_to_int. -/
theorem ofLE_toWords {w : Nat} (x : BitVec w) : ofLE (toWords x) = x.toNat := by
  simp only [toWords, ofLE_toLE]
  exact Nat.mod_eq_of_lt (Nat.lt_of_lt_of_le x.isLt (two_pow_le_words w))

/-- Words to value to words: the round trip. Python: words_to_int(int_to_words(x)). -/
theorem ofWords_toWords {w : Nat} (x : BitVec w) : ofWords w (toWords x) = some x := by
  simp [ofWords, length_toWords, ofLE_toWords, x.isLt]

/-- Canonicity: the only words accepted as the value `x` are `toWords x` (no extra word, no bit above the width). Python: atomik._check.check_rows_fit. -/
theorem toWords_of_ofWords {w : Nat} (ws : List (BitVec 64)) (x : BitVec w)
    (h : ofWords w ws = some x) : toWords x = ws := by
  simp only [ofWords] at h
  split at h
  · rename_i hc
    obtain ⟨hl, hlt⟩ := hc
    cases h
    simp only [toWords, BitVec.toNat_ofNat, Nat.mod_eq_of_lt hlt]
    rw [← hl]
    exact toLE_ofLE ws
  · cases h

/-- XOR commutes with the word encoding, so a word-wise kernel computes the bit-vector XOR. Python: atomik.kernels (2-D uint64 XOR). -/
theorem toWords_xor {w : Nat} (x y : BitVec w) :
    toWords (x ^^^ y) = List.zipWith (· ^^^ ·) (toWords x) (toWords y) := by
  simp only [toWords, BitVec.toNat_xor, toLE_xor]

/-- A `w`-bit value has ⌈w/8⌉ bytes. Python: int.to_bytes. -/
theorem length_toBytes {w : Nat} (x : BitVec w) : (toBytes x).length = (w + 7) / 8 := by
  simp [toBytes, length_toLE]

/-- Bytes to value to bytes: the round trip. Python: int.from_bytes(int.to_bytes(x)). -/
theorem ofBytes_toBytes {w : Nat} (x : BitVec w) : ofBytes w (toBytes x) = some x := by
  have hv : ofLE (toBytes x) = x.toNat := by
    simp only [toBytes, ofLE_toLE]
    exact Nat.mod_eq_of_lt (Nat.lt_of_lt_of_le x.isLt (two_pow_le_bytes w))
  simp [ofBytes, length_toBytes, hv, x.isLt]

/-- Canonicity of the byte encoding. Python: the delta range check of atomik.wire. -/
theorem toBytes_of_ofBytes {w : Nat} (bs : Bytes) (x : BitVec w)
    (h : ofBytes w bs = some x) : toBytes x = bs := by
  simp only [ofBytes] at h
  split at h
  · rename_i hc
    obtain ⟨hl, hlt⟩ := hc
    cases h
    simp only [toBytes, BitVec.toNat_ofNat, Nat.mod_eq_of_lt hlt]
    rw [← hl]
    exact toLE_ofLE bs
  · cases h

/-- XOR commutes with the byte encoding. Python: atomik.delta on bytes-like states. -/
theorem toBytes_xor {w : Nat} (x y : BitVec w) :
    toBytes (x ^^^ y) = List.zipWith (· ^^^ ·) (toBytes x) (toBytes y) := by
  simp only [toBytes, BitVec.toNat_xor, toLE_xor]

/-- A byte string cut into 64-bit little-endian chunks, the last one zero-padded: `n` chunks. Python: atomik.fingerprint (chunking). -/
@[expose] noncomputable def chunksAux : Nat → Bytes → List (BitVec 64)
  | 0, _ => []
  | n + 1, bs => BitVec.ofNat 64 (ofLE (bs.take 8)) :: chunksAux n (bs.drop 8)

/-- A byte string as its ⌈len/8⌉ zero-padded little-endian 64-bit chunks. Python: atomik.fingerprint.fingerprint's chunking. -/
@[expose] noncomputable def chunks64 (bs : Bytes) : List (BitVec 64) := chunksAux ((bs.length + 7) / 8) bs

/-! ## CRC32C -/

/-- The reflected Castagnoli polynomial. Python: the crc32c package. -/
@[expose] def crcPoly : BitVec 32 := 0x82F63B78#32

/-- One bit step of the reflected CRC. Python: the crc32c package. -/
@[expose] def crcBit (c : BitVec 32) : BitVec 32 :=
  if c.getLsbD 0 then (c >>> 1) ^^^ crcPoly else c >>> 1

/-- One byte step of the reflected CRC: XOR the byte in, then eight bit steps. Python: the crc32c package. -/
@[expose] def crcByte (c : BitVec 32) (x : BitVec 8) : BitVec 32 :=
  crcBit (crcBit (crcBit (crcBit (crcBit (crcBit (crcBit (crcBit (c ^^^ x.setWidth 32))))))))

/-- CRC32C (Castagnoli, reflected, init and final XOR all ones). Python: atomik.wire.crc32c. -/
@[expose] def crc32c (bs : Bytes) : BitVec 32 := bs.foldl crcByte (BitVec.allOnes 32) ^^^ BitVec.allOnes 32

set_option maxRecDepth 20000 in
/-- The CRC32C check value: the ASCII bytes `123456789` give `0xE3069283`. -/
example : crc32c [0x31#8, 0x32#8, 0x33#8, 0x34#8, 0x35#8, 0x36#8, 0x37#8, 0x38#8, 0x39#8] =
    0xE3069283#32 := by decide

/-! ## The single-message frame -/

/-- The fields of a delta message as the frame carries them. Python: atomik.wire.DeltaMessage. -/
structure Msg where
  /-- u32. -/
  origin : Nat
  /-- u32. -/
  epoch : Nat
  /-- u64. -/
  seq : Nat
  /-- u32. -/
  addr : Nat
  /-- u16, at least 1. -/
  width : Nat
  /-- below `2^width`. -/
  delta : Nat

/-- Messages are equal when their fields are. The instance is exposed (a derived one is not), so
that `decide` in another module (the generated vectors) can unfold it. -/
@[expose] instance Msg.decEq : DecidableEq Msg := fun a b =>
  if h : a.origin = b.origin ∧ a.epoch = b.epoch ∧ a.seq = b.seq ∧ a.addr = b.addr ∧
      a.width = b.width ∧ a.delta = b.delta then
    isTrue (by
      cases a
      cases b
      simp only [Msg.mk.injEq]
      exact h)
  else isFalse (fun e => h (by subst e; exact ⟨rfl, rfl, rfl, rfl, rfl, rfl⟩))

/-- The field ranges a message must meet. Python: DeltaMessage.__post_init__. -/
@[expose] def Msg.Valid (m : Msg) : Prop :=
  m.origin < 2 ^ 32 ∧ m.epoch < 2 ^ 32 ∧ m.seq < 2 ^ 64 ∧ m.addr < 2 ^ 32 ∧ 0 < m.width ∧
    m.width < 2 ^ 16 ∧ m.delta < 2 ^ m.width

/-- Every field fits the bytes the frame gives it (weaker than `Valid`: width 0 or a delta above its width still fit). -/
@[expose] def Msg.Fits (m : Msg) : Prop :=
  m.origin < 2 ^ 32 ∧ m.epoch < 2 ^ 32 ∧ m.seq < 2 ^ 64 ∧ m.addr < 2 ^ 32 ∧
    m.width < 2 ^ 16 ∧ m.delta < 2 ^ (8 * ((m.width + 7) / 8))

/-- Why a frame is refused. Python: FrameLengthError, FrameVersionError, FrameChecksumError, FrameFieldError. -/
inductive Err where
  | length
  | version
  | checksum
  | field

/-- An error's index. -/
@[expose] def Err.toNat : Err → Nat
  | .length => 0
  | .version => 1
  | .checksum => 2
  | .field => 3

/-- Errors are equal when their indices are (an exposed instance, for `decide` in other modules). -/
@[expose] instance Err.decEq : DecidableEq Err := fun a b =>
  if h : a.toNat = b.toNat then
    isTrue (by cases a <;> cases b <;> first | rfl | (simp [Err.toNat] at h))
  else isFalse (fun e => h (by subst e; rfl))

/-- A decoder's answer. Python: a value, or one of the frame errors raised. -/
inductive Result (α : Type) where
  | ok (a : α)
  | error (e : Err)

/-- Results are equal when they are both values or both errors and those are equal (an exposed
instance, for `decide` in other modules). -/
@[expose] instance Result.decEq {α : Type} [DecidableEq α] : DecidableEq (Result α) := fun r s =>
  match r, s with
  | .ok a, .ok b => if h : a = b then isTrue (h ▸ rfl) else isFalse (fun x => h (by cases x; rfl))
  | .error e, .error f =>
    if h : e = f then isTrue (h ▸ rfl) else isFalse (fun x => h (by cases x; rfl))
  | .ok _, .error _ => isFalse (fun x => by cases x)
  | .error _, .ok _ => isFalse (fun x => by cases x)

/-- Bytes of a `width`-bit delta. Python: atomik.wire._delta_bytes. -/
@[expose] def nbytes (width : Nat) : Nat := (width + 7) / 8

/-- The magic byte. Python: atomik.wire.MAGIC. -/
@[expose] def magic : BitVec 8 := 0xA7#8
/-- The version byte. Python: atomik.wire.VERSION. -/
@[expose] def version : BitVec 8 := 1#8
/-- The kind byte of a single-message frame. Python: atomik.wire.KIND_MESSAGE. -/
@[expose] def kindMessage : BitVec 8 := 1#8
/-- The kind byte of a batch frame. Python: atomik.wire.KIND_BATCH. -/
@[expose] def kindBatch : BitVec 8 := 2#8

/-- A record: the five fixed fields (22 bytes) and the delta bytes. Python: atomik.wire._record. -/
@[expose] noncomputable def record (m : Msg) : Bytes :=
  toLE 8 4 m.origin ++ (toLE 8 4 m.epoch ++ (toLE 8 8 m.seq ++ (toLE 8 4 m.addr ++
    (toLE 8 2 m.width ++ toLE 8 (nbytes m.width) m.delta))))

/-- Parse a record off the front of a byte string (total: short input reads as zero-padded). Python: atomik.wire._parse_record without its range checks. -/
@[expose] noncomputable def parseRecord (r : Bytes) : Msg × Bytes :=
  let p1 := readLE 4 r
  let p2 := readLE 4 p1.2
  let p3 := readLE 8 p2.2
  let p4 := readLE 4 p3.2
  let p5 := readLE 2 p4.2
  let p6 := readLE (nbytes p5.1) p5.2
  (⟨p1.1, p2.1, p3.1, p4.1, p5.1, p6.1⟩, p6.2)

/-- The range checks of a parsed record. Python: atomik.wire._parse_record (width 0, delta too wide). -/
@[expose] def checkMsg (m : Msg) : Result Msg :=
  if m.width = 0 then .error .field
  else if 2 ^ m.width ≤ m.delta then .error .field
  else .ok m

/-- The 4 little-endian CRC32C bytes of a body. Python: atomik.wire._CRC.pack(crc32c(body)). -/
@[expose] def crcBytes (body : Bytes) : Bytes := toLE 8 4 (crc32c body).toNat

/-- Append the CRC32C of a body. Python: atomik.wire._seal. -/
@[expose] noncomputable def sealFrame (body : Bytes) : Bytes := body ++ crcBytes body

/-- A v1 single-message frame. Python: atomik.wire.encode. -/
@[expose] noncomputable def encode (m : Msg) : Bytes := sealFrame (magic :: version :: kindMessage :: record m)

/-- The size of a single-message frame for a width. Python: atomik.wire.frame_size. -/
@[expose] def frameSize (width : Nat) : Nat := 29 + nbytes width

/-- Decode a v1 single-message frame, checking in the order of the Python decoder: length ≥ 3,
magic and version, kind, length ≥ 29, exact length from the width field, CRC32C, field ranges.
Python: atomik.wire.decode. -/
@[expose] noncomputable def decode : Bytes → Result Msg
  | x0 :: x1 :: x2 :: rest =>
    if x0 ≠ magic then .error .version
    else if x1 ≠ version then .error .version
    else if x2 ≠ kindMessage then .error .field
    else if rest.length < 26 then .error .length
    else if rest.length ≠ 26 + nbytes (ofLE ((rest.drop 20).take 2)) then .error .length
    else if ofLE (rest.drop (rest.length - 4)) ≠
        (crc32c (x0 :: x1 :: x2 :: rest.take (rest.length - 4))).toNat then .error .checksum
    else checkMsg (parseRecord (rest.take (rest.length - 4))).1
  | _ => .error .length

/-! ### Layout lemmas -/

/-- A record is 22 bytes and the delta bytes. Python: atomik.wire._record. -/
theorem length_record (m : Msg) : (record m).length = 22 + nbytes m.width := by
  simp only [record, List.length_append, length_toLE]
  omega

/-- The size of a frame is `frameSize` of its width. Python: atomik.wire.frame_size. -/
theorem length_encode (m : Msg) : (encode m).length = frameSize m.width := by
  simp only [encode, sealFrame, crcBytes, List.length_append, List.length_cons, length_record, length_toLE,
    frameSize]
  omega

/-- A valid message fits its frame fields. -/
theorem Msg.Valid.fits {m : Msg} (h : m.Valid) : m.Fits := by
  obtain ⟨ho, he, hs, ha, _, hw, hd⟩ := h
  exact ⟨ho, he, hs, ha, hw, Nat.lt_of_lt_of_le hd (by
    have := two_pow_le_bytes m.width
    rw [← Nat.pow_mul] at this
    exact this)⟩

/-- Parsing a record written from fitting fields gives the fields back and the rest. Python: atomik.wire._parse_record. -/
theorem parseRecord_record (m : Msg) (rest : Bytes) (h : m.Fits) :
    parseRecord (record m ++ rest) = (m, rest) := by
  cases m with
  | mk o e s a w d =>
    obtain ⟨ho, he, hs, ha, hw, hd⟩ := h
    have ho' : o % (2 ^ 8) ^ 4 = o := Nat.mod_eq_of_lt ho
    have he' : e % (2 ^ 8) ^ 4 = e := Nat.mod_eq_of_lt he
    have hs' : s % (2 ^ 8) ^ 8 = s := Nat.mod_eq_of_lt hs
    have ha' : a % (2 ^ 8) ^ 4 = a := Nat.mod_eq_of_lt ha
    have hw' : w % (2 ^ 8) ^ 2 = w := Nat.mod_eq_of_lt hw
    have hd' : d % (2 ^ 8) ^ nbytes w = d := by
      rw [← Nat.pow_mul]; exact Nat.mod_eq_of_lt hd
    simp only [parseRecord, record, List.append_assoc, readLE_toLE_append, ho', he', hs', ha',
      hw', hd']

/-- The width field sits at bytes 20 and 21 of a record. Python: atomik.wire._WIDTH_OFFSET. -/
theorem width_parseRecord (r : Bytes) :
    (parseRecord r).1.width = ofLE ((r.drop 20).take 2) := by
  simp [parseRecord, readLE, List.drop_drop]

/-- What a record parse leaves. -/
theorem length_parseRecord_snd (r : Bytes) :
    (parseRecord r).2.length = r.length - 22 - nbytes (parseRecord r).1.width := by
  simp only [parseRecord, length_readLE_snd]
  omega

/-- A record parsed off a string long enough for it, written back, rebuilds the string. Python: atomik.wire._record. -/
theorem record_parseRecord (r : Bytes)
    (h : 22 + nbytes (parseRecord r).1.width ≤ r.length) :
    record (parseRecord r).1 ++ (parseRecord r).2 = r := by
  simp only [parseRecord] at h ⊢
  simp only [record, List.append_assoc]
  refine readLE_split _ _ ?_ _ (readLE_split _ _ ?_ _ (readLE_split _ _ ?_ _
    (readLE_split _ _ ?_ _ (readLE_split _ _ ?_ _ (readLE_split _ _ ?_ _ rfl)))))
  all_goals ((try simp only [length_readLE_snd]); omega)

/-! ### Round trip and canonicity -/

/-- Decoding a frame built from fitting fields runs the range checks on exactly those fields. Python: atomik.wire.decode. -/
theorem decode_encode_eq_checkMsg (m : Msg) (h : m.Fits) : decode (encode m) = checkMsg m := by
  have hw : m.width < 2 ^ 16 := h.2.2.2.2.1
  have hlen : (record m ++ crcBytes (magic :: version :: kindMessage :: record m)).length =
      26 + nbytes m.width := by
    simp only [crcBytes, List.length_append, length_record, length_toLE]; omega
  have htake : (record m ++ crcBytes (magic :: version :: kindMessage :: record m)).take
      (26 + nbytes m.width - 4) = record m :=
    List.take_left' (by rw [length_record]; omega)
  have hdrop : (record m ++ crcBytes (magic :: version :: kindMessage :: record m)).drop
      (26 + nbytes m.width - 4) = crcBytes (magic :: version :: kindMessage :: record m) :=
    List.drop_left' (by rw [length_record]; omega)
  have hwidth : ofLE (((record m ++ crcBytes (magic :: version :: kindMessage :: record m)).drop
      20).take 2) = m.width := by
    have e := width_parseRecord (record m ++ crcBytes (magic :: version :: kindMessage :: record m))
    rw [parseRecord_record m _ h] at e
    exact e.symm
  have hcrc : ofLE (crcBytes (magic :: version :: kindMessage :: record m)) =
      (crc32c (magic :: version :: kindMessage :: record m)).toNat :=
    ofLE_toLE_of_lt (crc32c _).isLt
  have hp : (parseRecord (record m)).1 = m := by
    have e := parseRecord_record m [] h
    rw [List.append_nil] at e
    rw [e]
  have h26 : ¬ (26 + nbytes m.width < 26) := by omega
  simp only [encode, sealFrame, List.cons_append, decode]
  rw [hlen, hwidth, htake, hdrop, hcrc, hp]
  simp [h26]

/-- Round trip: a valid message decodes back from its frame. Python: atomik.wire.decode(encode(m)). -/
theorem decode_encode (m : Msg) (h : m.Valid) : decode (encode m) = .ok m := by
  rw [decode_encode_eq_checkMsg m h.fits]
  obtain ⟨_, _, _, _, hw0, _, hd⟩ := h
  have h1 : m.width ≠ 0 := by omega
  have h2 : ¬ (2 ^ m.width ≤ m.delta) := by omega
  simp [checkMsg, h1, h2]

/-- A frame with width 0, or a delta with bits above its width, is refused with a field error even with a valid CRC. Python: atomik.wire._parse_record. -/
theorem decode_encode_field (m : Msg) (h : m.Fits) (hbad : m.width = 0 ∨ 2 ^ m.width ≤ m.delta) :
    decode (encode m) = .error .field := by
  rw [decode_encode_eq_checkMsg m h]
  simp only [checkMsg]
  rcases hbad with h0 | h1
  · simp [h0]
  · by_cases h0 : m.width = 0
    · simp [h0]
    · simp [h0, h1]

/-- Canonicity: the only byte string that decodes to `m` is `encode m`. Python: atomik.wire.decode accepts only canonical frames. -/
theorem encode_of_decode (b : Bytes) (m : Msg) (h : decode b = .ok m) : encode m = b := by
  rcases b with _ | ⟨x0, _ | ⟨x1, _ | ⟨x2, rest⟩⟩⟩
  · simp [decode] at h
  · simp [decode] at h
  · simp [decode] at h
  simp only [decode] at h
  split at h
  · cases h
  rename_i h0
  split at h
  · cases h
  rename_i h1
  split at h
  · cases h
  rename_i h2
  split at h
  · cases h
  rename_i h3
  split at h
  · cases h
  rename_i h4
  split at h
  · cases h
  rename_i h5
  have h0 := Decidable.of_not_not h0
  have h1 := Decidable.of_not_not h1
  have h2 := Decidable.of_not_not h2
  have h4 := Decidable.of_not_not h4
  have h5 := Decidable.of_not_not h5
  obtain ⟨P, hP⟩ : ∃ P, parseRecord (rest.take (rest.length - 4)) = P := ⟨_, rfl⟩
  rw [hP] at h
  have hbody : (rest.take (rest.length - 4)).length = rest.length - 4 := by
    simp only [List.length_take]; omega
  have hw : P.1.width = ofLE ((rest.drop 20).take 2) := by
    rw [← hP, width_parseRecord, List.drop_take, List.take_take]
    congr 2
    omega
  have hrec : record P.1 ++ P.2 = rest.take (rest.length - 4) := by
    have e := record_parseRecord (rest.take (rest.length - 4)) (by rw [hP, hbody, hw]; omega)
    rw [hP] at e
    exact e
  have hnil : P.2 = [] := by
    apply List.eq_nil_of_length_eq_zero
    rw [← hP, length_parseRecord_snd, hP, hbody, hw]
    omega
  rw [hnil, List.append_nil] at hrec
  simp only [checkMsg] at h
  split at h
  · cases h
  split at h
  · cases h
  cases h
  have hd4 : (rest.drop (rest.length - 4)).length = 4 := by simp only [List.length_drop]; omega
  have hcrcb : crcBytes (x0 :: x1 :: x2 :: rest.take (rest.length - 4)) =
      rest.drop (rest.length - 4) := by
    simp only [crcBytes]
    rw [← h5]
    have e := toLE_ofLE (rest.drop (rest.length - 4))
    rw [hd4] at e
    exact e
  subst h0 h1 h2
  simp only [encode, sealFrame]
  rw [hrec, hcrcb, List.cons_append, List.cons_append, List.cons_append, List.take_append_drop]

/-- A frame with one more byte after it is refused with a length error. Python: atomik.wire.decode (trailing bytes). -/
theorem decode_encode_append (m : Msg) (h : m.Fits) (x : BitVec 8) (extra : Bytes) :
    decode (encode m ++ x :: extra) = .error .length := by
  have hw : m.width < 2 ^ 16 := h.2.2.2.2.1
  have hlen : (record m ++ crcBytes (magic :: version :: kindMessage :: record m) ++
      x :: extra).length = 27 + nbytes m.width + extra.length := by
    simp only [crcBytes, List.length_append, List.length_cons, length_record, length_toLE]; omega
  have hwidth : ofLE (((record m ++ crcBytes (magic :: version :: kindMessage :: record m) ++
      x :: extra).drop 20).take 2) = m.width := by
    have e := width_parseRecord
      (record m ++ (crcBytes (magic :: version :: kindMessage :: record m) ++ x :: extra))
    rw [parseRecord_record m _ h, ← List.append_assoc] at e
    exact e.symm
  have h26 : ¬ (27 + nbytes m.width + extra.length < 26) := by omega
  have hne : 27 + nbytes m.width + extra.length ≠ 26 + nbytes m.width := by omega
  simp only [encode, sealFrame, List.cons_append, decode]
  rw [hlen, hwidth, if_pos hne]
  simp [h26]

/-- A frame cut short by at least one byte is refused with a length error. Python: atomik.wire.decode (truncated frames). -/
theorem decode_take_encode (m : Msg) (h : m.Fits) (n : Nat) (hn : n < frameSize m.width) :
    decode ((encode m).take n) = .error .length := by
  have hw : m.width < 2 ^ 16 := h.2.2.2.2.1
  rcases Nat.lt_or_ge n 3 with h3 | h3
  · rcases n with _ | _ | _ | n
    · rfl
    · simp only [encode, sealFrame, List.cons_append, List.take_succ_cons, List.take_zero]; rfl
    · simp only [encode, sealFrame, List.cons_append, List.take_succ_cons, List.take_zero]; rfl
    · omega
  obtain ⟨k, rfl⟩ : ∃ k, n = k + 3 := ⟨n - 3, by omega⟩
  have hk : k < 26 + nbytes m.width := by simp only [frameSize] at hn; omega
  have hlen : ((record m ++ crcBytes (magic :: version :: kindMessage :: record m)).take k).length
      = k := by
    simp only [List.length_take, crcBytes, List.length_append, length_record, length_toLE]; omega
  simp only [encode, sealFrame, List.cons_append, List.take_succ_cons, decode]
  rw [hlen]
  by_cases hs : k < 26
  · rw [if_pos hs]
    simp
  · have hwidth : ofLE ((((record m ++ crcBytes (magic :: version :: kindMessage :: record m)).take
        k).drop 20).take 2) = m.width := by
      have e := width_parseRecord (record m ++ crcBytes (magic :: version :: kindMessage :: record m))
      rw [parseRecord_record m _ h] at e
      rw [List.drop_take, List.take_take, show min 2 (k - 20) = 2 by omega]
      exact e.symm
    have hne : k ≠ 26 + nbytes m.width := by omega
    rw [if_neg hs, hwidth, if_pos hne]
    simp

/-- A frame whose magic byte is not `0xA7` is refused with a version error. Python: atomik.wire._check_prefix. -/
theorem decode_bad_magic (m : Msg) (x : BitVec 8) (hx : x ≠ magic) :
    decode (x :: (encode m).tail) = .error .version := by
  simp [encode, sealFrame, decode, hx]

/-- A frame whose version byte is not 1 is refused with a version error. Python: atomik.wire._check_prefix. -/
theorem decode_bad_version (m : Msg) (x : BitVec 8) (hx : x ≠ version) :
    decode (magic :: x :: (encode m).tail.tail) = .error .version := by
  simp [encode, sealFrame, decode, hx]

/-- A batch (or any other kind) byte in a single-message frame is refused with a field error. Python: atomik.wire._check_prefix. -/
theorem decode_bad_kind (m : Msg) (x : BitVec 8) (hx : x ≠ kindMessage) :
    decode (magic :: version :: x :: (encode m).tail.tail.tail) = .error .field := by
  simp [decode, hx]

/-- Any 4-byte trailer but the right CRC32C is refused with a checksum error. Python: atomik.wire._check_crc. -/
theorem decode_bad_checksum (m : Msg) (h : m.Fits) (c : Bytes) (hc : c.length = 4)
    (hne : c ≠ crcBytes (magic :: version :: kindMessage :: record m)) :
    decode (magic :: version :: kindMessage :: (record m ++ c)) = .error .checksum := by
  have hw : m.width < 2 ^ 16 := h.2.2.2.2.1
  have hlen : (record m ++ c).length = 26 + nbytes m.width := by
    simp only [List.length_append, length_record, hc]; omega
  have htake : (record m ++ c).take (26 + nbytes m.width - 4) = record m :=
    List.take_left' (by rw [length_record]; omega)
  have hdrop : (record m ++ c).drop (26 + nbytes m.width - 4) = c :=
    List.drop_left' (by rw [length_record]; omega)
  have hwidth : ofLE (((record m ++ c).drop 20).take 2) = m.width := by
    have e := width_parseRecord (record m ++ c)
    rw [parseRecord_record m c h] at e
    exact e.symm
  have hcrc : ofLE c ≠ (crc32c (magic :: version :: kindMessage :: record m)).toNat := by
    intro e
    apply hne
    simp only [crcBytes]
    rw [← e]
    have t := toLE_ofLE c
    rw [hc] at t
    exact t.symm
  have h26 : ¬ (26 + nbytes m.width < 26) := by omega
  simp only [decode]
  rw [hlen, hwidth, htake, hdrop, if_pos hcrc]
  simp [h26]

/-! ## The batch frame -/

/-- The records of a list of messages, back to back. Python: atomik.wire.encode_batch's records. -/
@[expose] noncomputable def records : List Msg → Bytes
  | [] => []
  | m :: ms => record m ++ records ms

/-- A v1 batch frame. Python: atomik.wire.encode_batch. -/
@[expose] noncomputable def encodeBatch (ms : List Msg) : Bytes :=
  sealFrame (magic :: version :: kindBatch :: (toLE 8 4 ms.length ++ records ms))

/-- Walk `n` records by their width fields, as the Python decoder does before the CRC check:
the records' bytes and what follows, or `none` if a record is cut short. Python: the offset loop of atomik.wire.decode_batch. -/
@[expose] noncomputable def walk : Nat → Bytes → Option (List Bytes × Bytes)
  | 0, bs => some ([], bs)
  | n + 1, bs =>
    if bs.length < 22 then none
    else if bs.length < 22 + nbytes (ofLE ((bs.drop 20).take 2)) then none
    else match walk n (bs.drop (22 + nbytes (ofLE ((bs.drop 20).take 2)))) with
      | none => none
      | some p => some (bs.take (22 + nbytes (ofLE ((bs.drop 20).take 2))) :: p.1, p.2)

/-- The range checks of every record, in order: the first failing one's error. Python: the parse loop of atomik.wire.decode_batch. -/
@[expose] noncomputable def checkAll : List Bytes → Result (List Msg)
  | [] => .ok []
  | r :: rs =>
    match checkMsg (parseRecord r).1 with
    | .error e => .error e
    | .ok m =>
      match checkAll rs with
      | .error e => .error e
      | .ok ms => .ok (m :: ms)

/-- Decode a v1 batch frame, checking in the order of the Python decoder: length ≥ 3, magic and
version, kind, length ≥ 11, a count the bytes can hold, each record's length from its width field,
no bytes left over, CRC32C, then each record's field ranges. Python: atomik.wire.decode_batch. -/
@[expose] noncomputable def decodeBatch : Bytes → Result (List Msg)
  | x0 :: x1 :: x2 :: rest =>
    if x0 ≠ magic then .error .version
    else if x1 ≠ version then .error .version
    else if x2 ≠ kindBatch then .error .field
    else if rest.length < 8 then .error .length
    else if ofLE (rest.take 4) * 22 > rest.length - 8 then .error .length
    else
      match walk (ofLE (rest.take 4)) ((rest.drop 4).take (rest.length - 8)) with
      | none => .error .length
      | some p =>
        if p.2 ≠ [] then .error .length
        else if ofLE (rest.drop (rest.length - 4)) ≠
            (crc32c (x0 :: x1 :: x2 :: rest.take (rest.length - 4))).toNat then .error .checksum
        else checkAll p.1
  | _ => .error .length

/-- The records of `n` messages take at least `22 n` bytes. Python: atomik.wire.decode_batch's count bound. -/
theorem length_records (ms : List Msg) :
    22 * ms.length ≤ (records ms).length := by
  induction ms with
  | nil => simp [records]
  | cons m ms ih =>
    simp only [records, List.length_append, length_record, List.length_cons]
    omega

/-- Walking the records of fitting messages finds exactly their records. Python: the offset loop of atomik.wire.decode_batch. -/
theorem walk_records (ms : List Msg) (h : ∀ m ∈ ms, m.Fits) (rest : Bytes) :
    walk ms.length (records ms ++ rest) = some (ms.map record, rest) := by
  induction ms with
  | nil => simp [walk, records]
  | cons m ms ih =>
    have hm : m.Fits := h m (by simp)
    have hms : ∀ m' ∈ ms, m'.Fits := fun m' hm' => h m' (by simp [hm'])
    have hwidth : ofLE (((record m ++ (records ms ++ rest)).drop 20).take 2) = m.width := by
      have e := width_parseRecord (record m ++ (records ms ++ rest))
      rw [parseRecord_record m _ hm] at e
      exact e.symm
    have hl : (record m).length = 22 + nbytes m.width := length_record m
    have hlen : ¬ ((record m ++ (records ms ++ rest)).length < 22) := by
      simp only [List.length_append, hl]; omega
    have hlen2 : ¬ ((record m ++ (records ms ++ rest)).length < 22 + nbytes m.width) := by
      simp only [List.length_append, hl]; omega
    simp only [List.length_cons, records, List.append_assoc, walk]
    rw [hwidth, if_neg hlen, if_neg hlen2, List.drop_left' hl, ih hms, List.take_left' hl]
    simp

/-- The range checks of the records of valid messages pass, giving the messages. Python: the parse loop of atomik.wire.decode_batch. -/
theorem checkAll_records (ms : List Msg) (h : ∀ m ∈ ms, m.Valid) :
    checkAll (ms.map record) = .ok ms := by
  induction ms with
  | nil => rfl
  | cons m ms ih =>
    have hm : m.Valid := h m (by simp)
    have hms : ∀ m' ∈ ms, m'.Valid := fun m' hm' => h m' (by simp [hm'])
    have hp : (parseRecord (record m)).1 = m := by
      have e := parseRecord_record m [] hm.fits
      rw [List.append_nil] at e
      rw [e]
    have hc : checkMsg m = .ok m := by
      obtain ⟨_, _, _, _, hw0, _, hd⟩ := hm
      have h1 : m.width ≠ 0 := by omega
      have h2 : ¬ (2 ^ m.width ≤ m.delta) := by omega
      simp [checkMsg, h1, h2]
    simp only [List.map_cons, checkAll, hp, hc, ih hms]

/-- Round trip of the batch frame: valid messages, fewer than `2^32` of them, decode back in order. Python: atomik.wire.decode_batch(encode_batch(ms)). -/
theorem decodeBatch_encodeBatch (ms : List Msg) (h : ∀ m ∈ ms, m.Valid)
    (hn : ms.length < 2 ^ 32) : decodeBatch (encodeBatch ms) = .ok ms := by
  have hf : ∀ m ∈ ms, m.Fits := fun m hm => (h m hm).fits
  have hR := length_records ms
  have hl4 : (toLE 8 4 ms.length).length = 4 := length_toLE 8 4 _
  have hlen : (toLE 8 4 ms.length ++ records ms ++ crcBytes (magic :: version :: kindBatch :: (toLE 8 4 ms.length ++ records ms))).length =
      8 + (records ms).length := by
    simp only [crcBytes, List.length_append, length_toLE]; omega
  have hcount : ofLE ((toLE 8 4 ms.length ++ records ms ++ crcBytes (magic :: version :: kindBatch :: (toLE 8 4 ms.length ++ records ms))).take 4) = ms.length := by
    rw [List.append_assoc, List.take_left' hl4]
    exact ofLE_toLE_of_lt hn
  have hbody : ((toLE 8 4 ms.length ++ records ms ++ crcBytes (magic :: version :: kindBatch :: (toLE 8 4 ms.length ++ records ms))).drop 4).take
      (8 + (records ms).length - 8) = records ms := by
    rw [List.append_assoc, List.drop_left' hl4, show 8 + (records ms).length - 8 =
      (records ms).length by omega, List.take_left' rfl]
  have htake : (toLE 8 4 ms.length ++ records ms ++ crcBytes (magic :: version :: kindBatch :: (toLE 8 4 ms.length ++ records ms))).take
      (8 + (records ms).length - 4) = toLE 8 4 ms.length ++ records ms :=
    List.take_left' (by simp only [List.length_append, hl4]; omega)
  have hdrop : (toLE 8 4 ms.length ++ records ms ++ crcBytes (magic :: version :: kindBatch :: (toLE 8 4 ms.length ++ records ms))).drop
      (8 + (records ms).length - 4) = crcBytes (magic :: version :: kindBatch :: (toLE 8 4 ms.length ++ records ms)) :=
    List.drop_left' (by simp only [List.length_append, hl4]; omega)
  have hcrc : ofLE (crcBytes (magic :: version :: kindBatch :: (toLE 8 4 ms.length ++
      records ms))) = (crc32c (magic :: version :: kindBatch :: (toLE 8 4 ms.length ++
      records ms))).toNat := ofLE_toLE_of_lt (crc32c _).isLt
  have hwalk := walk_records ms hf []
  rw [List.append_nil] at hwalk
  have h8 : ¬ (8 + (records ms).length < 8) := by omega
  have h22 : ¬ (ms.length * 22 > 8 + (records ms).length - 8) := by omega
  simp only [encodeBatch, sealFrame, List.cons_append, decodeBatch]
  rw [hlen, hcount, hbody, hwalk, htake, hdrop, hcrc, if_neg h8, if_neg h22]
  simp [checkAll_records ms h]

/-- The size of a batch frame: 11 bytes and the records. Python: atomik.wire.encode_batch. -/
theorem length_encodeBatch (ms : List Msg) :
    (encodeBatch ms).length = 11 + (records ms).length := by
  simp only [encodeBatch, sealFrame, crcBytes, List.length_append, List.length_cons, length_toLE]
  omega

/-! ### Batch canonicity and errors -/

/-- What a walk over `n` records finds: the records back to back, then the rest, are its input; there are `n` of them; each is as long as its width field says. Python: the offset loop of atomik.wire.decode_batch. -/
theorem walk_some (n : Nat) (bs : Bytes) (rs : List Bytes) (tl : Bytes)
    (h : walk n bs = some (rs, tl)) :
    rs.foldr (· ++ ·) tl = bs ∧ rs.length = n ∧
      ∀ r ∈ rs, r.length = 22 + nbytes (ofLE ((r.drop 20).take 2)) := by
  induction n generalizing bs rs tl with
  | zero =>
    have h' : some (([] : List Bytes), bs) = some (rs, tl) := h
    cases h'
    exact ⟨rfl, rfl, by simp⟩
  | succ n ih =>
    simp only [walk] at h
    split at h
    · cases h
    rename_i h1
    split at h
    · cases h
    rename_i h2
    split at h
    · cases h
    rename_i p hp
    obtain ⟨p1, p2⟩ := p
    cases h
    obtain ⟨e1, e2, e3⟩ := ih _ p1 p2 hp
    have hL : (bs.take (22 + nbytes (ofLE ((bs.drop 20).take 2)))).length =
        22 + nbytes (ofLE ((bs.drop 20).take 2)) := by
      simp only [List.length_take]; omega
    have hW : ((bs.take (22 + nbytes (ofLE ((bs.drop 20).take 2)))).drop 20).take 2 =
        (bs.drop 20).take 2 := by
      rw [List.drop_take, List.take_take,
        show min 2 (22 + nbytes (ofLE ((bs.drop 20).take 2)) - 20) = 2 by omega]
    refine ⟨?_, by simp [e2], ?_⟩
    · simp only [List.foldr_cons]
      rw [e1, List.take_append_drop]
    · intro r hr
      simp only [List.mem_cons] at hr
      rcases hr with rfl | hr
      · rw [hL, hW]
      · exact e3 r hr

/-- A message the range checks pass is the one they were given. Python: atomik.wire._parse_record. -/
theorem checkMsg_eq_ok {m m' : Msg} (h : checkMsg m = .ok m') : m' = m := by
  simp only [checkMsg] at h
  split at h
  · cases h
  split at h
  · cases h
  cases h
  rfl

/-- A record exactly as long as its width field says is the record of the message it parses to. Python: atomik.wire._record of _parse_record. -/
theorem record_parseRecord_exact (r : Bytes)
    (h : r.length = 22 + nbytes (ofLE ((r.drop 20).take 2))) : record (parseRecord r).1 = r := by
  have hw := width_parseRecord r
  have e := record_parseRecord r (by rw [hw]; omega)
  have hnil : (parseRecord r).2 = [] :=
    List.eq_nil_of_length_eq_zero (by rw [length_parseRecord_snd, hw]; omega)
  rw [hnil, List.append_nil] at e
  exact e

/-- The messages the range checks accept, recorded, are the records they were parsed from, as many. Python: the parse loop of atomik.wire.decode_batch. -/
theorem records_of_checkAll (rs : List Bytes) (ms : List Msg) (h : checkAll rs = .ok ms)
    (hl : ∀ r ∈ rs, r.length = 22 + nbytes (ofLE ((r.drop 20).take 2))) :
    records ms = rs.foldr (· ++ ·) [] ∧ ms.length = rs.length := by
  induction rs generalizing ms with
  | nil =>
    have h' : (Result.ok [] : Result (List Msg)) = .ok ms := h
    cases h'
    exact ⟨rfl, rfl⟩
  | cons r rs ih =>
    simp only [checkAll] at h
    split at h
    · cases h
    rename_i m hm
    split at h
    · cases h
    rename_i ms' hms
    cases h
    have hm' := checkMsg_eq_ok hm
    subst hm'
    obtain ⟨e1, e2⟩ := ih ms' hms (fun r' hr' => hl r' (by simp [hr']))
    refine ⟨?_, by simp [e2]⟩
    simp only [records, List.foldr_cons]
    rw [e1, record_parseRecord_exact r (hl r (by simp))]

/-- Canonicity of the batch frame: the only byte string that decodes to `ms` is `encodeBatch ms`. Python: atomik.wire.decode_batch accepts only canonical frames. -/
theorem encodeBatch_of_decodeBatch (b : Bytes) (ms : List Msg) (h : decodeBatch b = .ok ms) :
    encodeBatch ms = b := by
  rcases b with _ | ⟨x0, _ | ⟨x1, _ | ⟨x2, rest⟩⟩⟩
  · simp [decodeBatch] at h
  · simp [decodeBatch] at h
  · simp [decodeBatch] at h
  simp only [decodeBatch] at h
  split at h
  · cases h
  rename_i h0
  split at h
  · cases h
  rename_i h1
  split at h
  · cases h
  rename_i h2
  split at h
  · cases h
  rename_i h8
  split at h
  · cases h
  split at h
  · cases h
  rename_i p hp
  split at h
  · cases h
  rename_i htl
  split at h
  · cases h
  rename_i h5
  obtain ⟨rs, tl⟩ := p
  obtain ⟨hf, hn, hl⟩ := walk_some _ _ rs tl hp
  obtain ⟨hrec, hlen⟩ := records_of_checkAll rs ms h hl
  have h0 := Decidable.of_not_not h0
  have h1 := Decidable.of_not_not h1
  have h2 := Decidable.of_not_not h2
  have htl : tl = [] := Decidable.of_not_not htl
  have h5 := Decidable.of_not_not h5
  subst htl
  have h4 : (rest.take 4).length = 4 := by simp only [List.length_take]; omega
  have hcount : toLE 8 4 ms.length = rest.take 4 := by
    rw [hlen, hn]
    have e := toLE_ofLE (rest.take 4)
    rw [h4] at e
    exact e
  have hbody : toLE 8 4 ms.length ++ records ms = rest.take (rest.length - 4) := by
    rw [hcount, hrec, hf, show rest.length - 4 = 4 + (rest.length - 8) by omega]
    exact (List.take_add).symm
  have hd4 : (rest.drop (rest.length - 4)).length = 4 := by simp only [List.length_drop]; omega
  have hcrcb : crcBytes (x0 :: x1 :: x2 :: rest.take (rest.length - 4)) =
      rest.drop (rest.length - 4) := by
    simp only [crcBytes]
    rw [← h5]
    have e := toLE_ofLE (rest.drop (rest.length - 4))
    rw [hd4] at e
    exact e
  subst h0 h1 h2
  simp only [encodeBatch, sealFrame, List.cons_append]
  rw [hbody, hcrcb, List.take_append_drop]

/-- A batch of fitting messages with any 4-byte trailer but its CRC32C is refused with a checksum error. Python: atomik.wire.decode_batch. -/
theorem decodeBatch_bad_checksum (ms : List Msg) (h : ∀ m ∈ ms, m.Fits) (hn : ms.length < 2 ^ 32)
    (c : Bytes) (hc : c.length = 4)
    (hne : c ≠ crcBytes (magic :: version :: kindBatch :: (toLE 8 4 ms.length ++ records ms))) :
    decodeBatch (magic :: version :: kindBatch :: (toLE 8 4 ms.length ++ records ms ++ c)) =
      .error .checksum := by
  have hR := length_records ms
  have hl4 : (toLE 8 4 ms.length).length = 4 := length_toLE 8 4 _
  have hlen : (toLE 8 4 ms.length ++ records ms ++ c).length = 8 + (records ms).length := by
    simp only [List.length_append, length_toLE, hc]; omega
  have hcount : ofLE ((toLE 8 4 ms.length ++ records ms ++ c).take 4) = ms.length := by
    rw [List.append_assoc, List.take_left' hl4]
    exact ofLE_toLE_of_lt hn
  have hbody : ((toLE 8 4 ms.length ++ records ms ++ c).drop 4).take
      (8 + (records ms).length - 8) = records ms := by
    rw [List.append_assoc, List.drop_left' hl4, show 8 + (records ms).length - 8 =
      (records ms).length by omega, List.take_left' rfl]
  have htake : (toLE 8 4 ms.length ++ records ms ++ c).take (8 + (records ms).length - 4) =
      toLE 8 4 ms.length ++ records ms :=
    List.take_left' (by simp only [List.length_append, hl4]; omega)
  have hdrop : (toLE 8 4 ms.length ++ records ms ++ c).drop (8 + (records ms).length - 4) = c :=
    List.drop_left' (by simp only [List.length_append, hl4]; omega)
  have hcrc : ofLE c ≠
      (crc32c (magic :: version :: kindBatch :: (toLE 8 4 ms.length ++ records ms))).toNat := by
    intro e
    apply hne
    simp only [crcBytes]
    rw [← e]
    have t := toLE_ofLE c
    rw [hc] at t
    exact t.symm
  have hwalk := walk_records ms h []
  rw [List.append_nil] at hwalk
  have h8 : ¬ (8 + (records ms).length < 8) := by omega
  have h22 : ¬ (ms.length * 22 > 8 + (records ms).length - 8) := by omega
  simp only [decodeBatch]
  rw [hlen, hcount, hbody, hwalk, htake, hdrop, if_neg h8, if_neg h22]
  simp [hcrc]

/-- A batch frame whose magic byte is not `0xA7` is refused with a version error. Python: atomik.wire._check_prefix. -/
theorem decodeBatch_bad_magic (ms : List Msg) (x : BitVec 8) (hx : x ≠ magic) :
    decodeBatch (x :: (encodeBatch ms).tail) = .error .version := by
  simp [encodeBatch, sealFrame, decodeBatch, hx]

/-- A batch frame whose version byte is not 1 is refused with a version error. Python: atomik.wire._check_prefix. -/
theorem decodeBatch_bad_version (ms : List Msg) (x : BitVec 8) (hx : x ≠ version) :
    decodeBatch (magic :: x :: (encodeBatch ms).tail.tail) = .error .version := by
  simp [encodeBatch, sealFrame, decodeBatch, hx]

/-- A single-message (or any other kind) byte in a batch frame is refused with a field error. Python: atomik.wire._check_prefix. -/
theorem decodeBatch_bad_kind (ms : List Msg) (x : BitVec 8) (hx : x ≠ kindBatch) :
    decodeBatch (magic :: version :: x :: (encodeBatch ms).tail.tail.tail) = .error .field := by
  simp [decodeBatch, hx]

/-- A batch frame too short for its count and CRC is refused with a length error. Python: atomik.wire.decode_batch. -/
theorem decodeBatch_short (rest : Bytes) (h : rest.length < 8) :
    decodeBatch (magic :: version :: kindBatch :: rest) = .error .length := by
  simp [decodeBatch, h]

/-! ## The digest frame

The model of `atomik.replication.replica.Digest.encode` / `Digest.decode` (kind 0x03): `u32 epoch,
u32 count`, then per origin `u32 origin, i64 watermark, u32 k, k × u64 seq`, then the CRC32C.
A digest is modelled as its origins in frame order, each `(origin, mark, seqs)` with
`mark = watermark + 1` (0: none applied; the frame holds the watermark as an i64, −1 as all ones)
and its ahead seqs in increasing order. Theorems: `decodeDigest_encodeDigest` (round trip),
`encodeDigest_of_decodeDigest` (canonicity: no unordered origin, no unsorted or repeated ahead
seq, no ahead seq at watermark + 1), `length_encodeDigest`, and the errors
(`decodeDigest_short`, `decodeDigest_bad_magic`, `decodeDigest_bad_version`,
`decodeDigest_bad_kind`, `decodeDigest_bad_checksum`, `decodeDigest_trailing`,
`decodeDigest_encodeDigest_field`).
-/

/-- The kind byte of a digest frame. Python: atomik.replication.replica.KIND_DIGEST. -/
@[expose] def kindDigest : BitVec 8 := 3#8

/-- A digest as its frame carries it: the epoch and the origins in frame order, each
`(origin, mark, seqs)` with `mark` the watermark plus one and `seqs` the ahead seqs in increasing
order. Python: atomik.replication.replica.Digest (`sorted(watermarks)`, `watermarks[o] + 1`,
`sorted(ahead[o])`). -/
structure Digest where
  /-- u32. -/
  epoch : Nat
  /-- `(origin, watermark + 1, ahead seqs)`, by increasing origin. -/
  origins : List (Nat × Nat × List Nat)

/-- Digests are compared field by field. -/
noncomputable instance : DecidableEq Digest := fun a b =>
  decidable_of_iff (a.epoch = b.epoch ∧ a.origins = b.origins) (by cases a; cases b; simp)

/-- The 64 bits of the i64 watermark field for a mark (watermark + 1): all ones for watermark −1. Python: struct "<q" packing in Digest.encode. -/
@[expose] def wmBits (mark : Nat) : Nat := if mark = 0 then 0xFFFFFFFFFFFFFFFF else mark - 1

/-- The mark (watermark + 1) of the 64 bits of the i64 watermark field. Python: struct "<q" unpacking in Digest.decode. -/
@[expose] def markOf (v : Nat) : Nat := if v = 0xFFFFFFFFFFFFFFFF then 0 else v + 1

/-- Whether the 64 bits of the i64 watermark field denote a watermark below −1. Python: Digest.decode's `w < -1`. -/
@[expose] def wmBad (v : Nat) : Bool :=
  decide (0x8000000000000000 ≤ v) && decide (v ≠ 0xFFFFFFFFFFFFFFFF)

/-- Ahead seqs strictly increasing, each above `lo` (first the mark: a seq equal to watermark + 1 would have advanced the watermark). Python: the `low` loop of Digest.decode. -/
@[expose] def seqsOk : Nat → List Nat → Bool
  | _, [] => true
  | lo, s :: ss => decide (lo < s) && seqsOk s ss

/-- The field checks of the origins from the least origin allowed on (one above the previous): origins strictly increasing, each origin's seqs as `seqsOk`. Python: the checks of Digest.decode's origin loop. -/
@[expose] def originsOk : Nat → List (Nat × Nat × List Nat) → Bool
  | _, [] => true
  | lo, e :: es => decide (lo ≤ e.1) && seqsOk e.2.1 e.2.2 && originsOk (e.1 + 1) es

/-- Every field fits the bytes the frame gives it: u32 epoch, count, origins and seq counts, a watermark in `[-1, 2^63)` (a mark at most `2^63`), u64 seqs. Python: Digest.__post_init__. -/
@[expose] def Digest.Fits (d : Digest) : Prop :=
  d.epoch < 2 ^ 32 ∧ d.origins.length < 2 ^ 32 ∧
    ∀ e ∈ d.origins, e.1 < 2 ^ 32 ∧ e.2.1 ≤ 0x8000000000000000 ∧ e.2.2.length < 2 ^ 32 ∧
      ∀ s ∈ e.2.2, s < 2 ^ 64

/-- A canonical digest: its fields fit and its origins pass the decoder's checks. Python: what Digest.encode writes for a Digest whose ahead seqs are all above watermark + 1. -/
@[expose] def Digest.Valid (d : Digest) : Prop := d.Fits ∧ originsOk 0 d.origins = true

/-- The seqs' bytes, u64 each. Python: Digest.encode's `_U64.pack(s)`. -/
@[expose] noncomputable def seqsBytes : List Nat → Bytes
  | [] => []
  | s :: ss => toLE 8 8 s ++ seqsBytes ss

/-- One origin's bytes: `u32 origin, i64 watermark, u32 k`, the `k` seqs. Python: Digest.encode's `_DIGEST_ORIGIN.pack`. -/
@[expose] noncomputable def originBytes (e : Nat × Nat × List Nat) : Bytes :=
  toLE 8 4 e.1 ++ (toLE 8 8 (wmBits e.2.1) ++ (toLE 8 4 e.2.2.length ++ seqsBytes e.2.2))

/-- The origins' bytes, in order. Python: Digest.encode's loop. -/
@[expose] noncomputable def originsBytes : List (Nat × Nat × List Nat) → Bytes
  | [] => []
  | e :: es => originBytes e ++ originsBytes es

/-- The digest frame after its 3-byte prefix and before its CRC: `u32 epoch, u32 count`, the origins. Python: Digest.encode's body. -/
@[expose] noncomputable def digestBody (epoch : Nat) (es : List (Nat × Nat × List Nat)) : Bytes :=
  toLE 8 4 epoch ++ (toLE 8 4 es.length ++ originsBytes es)

/-- A v1 digest frame. Python: atomik.replication.replica.Digest.encode. -/
@[expose] noncomputable def encodeDigest (d : Digest) : Bytes :=
  sealFrame (magic :: version :: kindDigest :: digestBody d.epoch d.origins)

/-- Read `k` u64 seqs off a byte string: the seqs and the rest. Python: Digest.decode's seq list. -/
@[expose] noncomputable def parseSeqs : Nat → Bytes → List Nat × Bytes
  | 0, r => ([], r)
  | k + 1, r => ((readLE 8 r).1 :: (parseSeqs k (readLE 8 r).2).1, (parseSeqs k (readLE 8 r).2).2)

/-- Put a value in front of a decoded list, passing an error on. -/
@[expose] def consR {α : Type} (x : α) : Result (List α) → Result (List α)
  | .ok xs => .ok (x :: xs)
  | .error e => .error e

/-- Apply a function to a decoded value, passing an error on. -/
@[expose] def Result.map {α β : Type} (f : α → β) : Result α → Result β
  | .ok a => .ok (f a)
  | .error e => .error e

/-- Decode `n` origins off the digest body, from the least origin allowed `lo` on, checking in
the order of the Python loop: 16 bytes for the origin's head, `8 k` bytes for its seqs
(`FrameLengthError`), origin increasing, watermark not below −1, seqs (`FrameFieldError`); after
the last origin no byte may be left (`FrameLengthError`). Python: Digest.decode's origin loop. -/
@[expose] noncomputable def parseOrigins : Nat → Nat → Bytes → Result (List (Nat × Nat × List Nat))
  | 0, _, [] => .ok []
  | 0, _, _ :: _ => .error .length
  | n + 1, lo, bs =>
    if bs.length < 16 then .error .length
    else
      let o := (readLE 4 bs).1
      let v := (readLE 8 (readLE 4 bs).2).1
      let k := (readLE 4 (readLE 8 (readLE 4 bs).2).2).1
      let r := (readLE 4 (readLE 8 (readLE 4 bs).2).2).2
      if r.length < 8 * k then .error .length
      else if o < lo then .error .field
      else if wmBad v then .error .field
      else if seqsOk (markOf v) (parseSeqs k r).1 then
        consR (o, markOf v, (parseSeqs k r).1) (parseOrigins n (o + 1) (parseSeqs k r).2)
      else .error .field

/-- Decode a v1 digest frame, checking in the order of the Python decoder: at least 15 bytes,
magic and version, kind, CRC32C, then the origins (`parseOrigins`). Python:
atomik.replication.replica.Digest.decode. -/
@[expose] noncomputable def decodeDigest : Bytes → Result Digest
  | x0 :: x1 :: x2 :: rest =>
    if rest.length < 12 then .error .length
    else if x0 ≠ magic then .error .version
    else if x1 ≠ version then .error .version
    else if x2 ≠ kindDigest then .error .field
    else if ofLE (rest.drop (rest.length - 4)) ≠
        (crc32c (x0 :: x1 :: x2 :: rest.take (rest.length - 4))).toNat then .error .checksum
    else
      (parseOrigins (readLE 4 (readLE 4 (rest.take (rest.length - 4))).2).1 0
        (readLE 4 (readLE 4 (rest.take (rest.length - 4))).2).2).map
        fun es => ⟨(readLE 4 (rest.take (rest.length - 4))).1, es⟩
  | _ => .error .length

/-! ### Layout lemmas -/

/-- The watermark field of a mark at most `2^63`: it fits 64 bits, is not below −1, and reads back as the mark. Python: struct "<q". -/
theorem wmBits_facts (mark : Nat) (h : mark ≤ 0x8000000000000000) :
    wmBits mark < (2 ^ 8) ^ 8 ∧ wmBad (wmBits mark) = false ∧ markOf (wmBits mark) = mark := by
  have h64 : ((2 : Nat) ^ 8) ^ 8 = 0x10000000000000000 := by decide
  rw [h64]
  by_cases h0 : mark = 0
  · subst h0
    decide
  · have h1 : wmBits mark = mark - 1 := by rw [wmBits, if_neg h0]
    rw [h1]
    refine ⟨by omega, ?_, ?_⟩
    · have h2 : ¬ (0x8000000000000000 ≤ mark - 1) := by omega
      unfold wmBad
      rw [decide_eq_false h2]
      rfl
    · have h3 : mark - 1 ≠ 0xFFFFFFFFFFFFFFFF := by omega
      rw [markOf, if_neg h3]
      omega

/-- The watermark bits written back from the mark they decode to are the bits. Python: struct "<q". -/
theorem wmBits_markOf (v : Nat) : wmBits (markOf v) = v := by
  by_cases hv : v = 0xFFFFFFFFFFFFFFFF
  · simp [markOf, wmBits, hv]
  · simp [markOf, wmBits, hv]

/-- The seqs take 8 bytes each. Python: _U64.size. -/
theorem length_seqsBytes (ss : List Nat) : (seqsBytes ss).length = 8 * ss.length := by
  induction ss with
  | nil => rfl
  | cons s ss ih =>
    simp only [seqsBytes, List.length_append, length_toLE, ih, List.length_cons]
    omega

/-- Reading `k` seqs gives `k` seqs. Python: Digest.decode. -/
theorem length_parseSeqs (k : Nat) (r : Bytes) : (parseSeqs k r).1.length = k := by
  induction k generalizing r with
  | zero => rfl
  | succ k ih => simp only [parseSeqs, List.length_cons, ih]

/-- Seqs written as u64 read back, with what follows them. Python: Digest.decode of encode's seqs. -/
theorem parseSeqs_seqsBytes (ss : List Nat) (h : ∀ s ∈ ss, s < 2 ^ 64) (tail : Bytes) :
    parseSeqs ss.length (seqsBytes ss ++ tail) = (ss, tail) := by
  induction ss with
  | nil => rfl
  | cons s ss ih =>
    have hs : s % (2 ^ 8) ^ 8 = s := Nat.mod_eq_of_lt (h s (by simp))
    have hss : ∀ s' ∈ ss, s' < 2 ^ 64 := fun s' hs' => h s' (by simp [hs'])
    simp only [List.length_cons, parseSeqs, seqsBytes, List.append_assoc, readLE_toLE_append, hs,
      ih hss]

/-- Seqs read off at least `8 k` bytes, written back before the rest, give the bytes. Python: Digest.encode of decode's seqs. -/
theorem seqsBytes_parseSeqs (k : Nat) (r : Bytes) (h : 8 * k ≤ r.length) :
    seqsBytes (parseSeqs k r).1 ++ (parseSeqs k r).2 = r := by
  induction k generalizing r with
  | zero => rfl
  | succ k ih =>
    have h8 : 8 ≤ r.length := by omega
    have hq : 8 * k ≤ (readLE 8 r).2.length := by rw [length_readLE_snd]; omega
    simp only [parseSeqs, seqsBytes, List.append_assoc]
    rw [ih _ hq, readLE_split 8 r h8 _ rfl]

/-- The origins take 16 bytes each and 8 per seq. Python: Digest.encode. -/
theorem length_originsBytes (es : List (Nat × Nat × List Nat)) :
    (originsBytes es).length = (es.map fun e => 16 + 8 * e.2.2.length).sum := by
  induction es with
  | nil => rfl
  | cons e es ih =>
    simp only [originsBytes, originBytes, List.length_append, length_toLE, length_seqsBytes, ih,
      List.map_cons, List.sum_cons]
    omega

/-- The size of a digest frame: 15 bytes and the origins. Python: len(Digest.encode()). -/
theorem length_encodeDigest (d : Digest) :
    (encodeDigest d).length = 15 + (d.origins.map fun e => 16 + 8 * e.2.2.length).sum := by
  simp only [encodeDigest, sealFrame, crcBytes, digestBody, List.length_append, List.length_cons,
    length_toLE, length_originsBytes]
  omega

/-- One decoding step on an origin whose head fields fit: the length of its seqs, then the field checks, then the next origins. Python: one turn of Digest.decode's origin loop. -/
theorem parseOrigins_fields (n lo o v k : Nat) (r : Bytes) (ho : o < 2 ^ 32) (hv : v < 2 ^ 64)
    (hk : k < 2 ^ 32) :
    parseOrigins (n + 1) lo (toLE 8 4 o ++ (toLE 8 8 v ++ (toLE 8 4 k ++ r))) =
      if r.length < 8 * k then .error .length
      else if o < lo then .error .field
      else if wmBad v then .error .field
      else if seqsOk (markOf v) (parseSeqs k r).1 then
        consR (o, markOf v, (parseSeqs k r).1) (parseOrigins n (o + 1) (parseSeqs k r).2)
      else .error .field := by
  have ho' : o % (2 ^ 8) ^ 4 = o := Nat.mod_eq_of_lt ho
  have hv' : v % (2 ^ 8) ^ 8 = v := Nat.mod_eq_of_lt hv
  have hk' : k % (2 ^ 8) ^ 4 = k := Nat.mod_eq_of_lt hk
  have hl : ¬ ((toLE 8 4 o ++ (toLE 8 8 v ++ (toLE 8 4 k ++ r))).length < 16) := by
    simp only [List.length_append, length_toLE]; omega
  simp only [parseOrigins, readLE_toLE_append, ho', hv', hk', hl, ↓reduceIte]

/-- The origins' decoding does not depend on the least origin once none is left. -/
theorem parseOrigins_zero (lo : Nat) (T : Bytes) : parseOrigins 0 lo T = parseOrigins 0 0 T := by
  cases T <;> rfl

/-- Decoding the bytes of fitting origins followed by `T`: the origins if they pass the checks (then `T` must be empty), the field error of the first failing one otherwise. Python: Digest.decode's origin loop over Digest.encode's origins. -/
theorem parseOrigins_originsBytes (es : List (Nat × Nat × List Nat)) (lo : Nat)
    (hfit : ∀ e ∈ es, e.1 < 2 ^ 32 ∧ e.2.1 ≤ 0x8000000000000000 ∧ e.2.2.length < 2 ^ 32 ∧
      ∀ s ∈ e.2.2, s < 2 ^ 64) (T : Bytes) :
    parseOrigins es.length lo (originsBytes es ++ T) =
      if originsOk lo es = true then es.foldr consR (parseOrigins 0 0 T) else .error .field := by
  induction es generalizing lo with
  | nil => cases T <;> rfl
  | cons e es ih =>
    obtain ⟨o, mark, ss⟩ := e
    obtain ⟨ho, hm, hk, hs⟩ : o < 2 ^ 32 ∧ mark ≤ 0x8000000000000000 ∧ ss.length < 2 ^ 32 ∧
        ∀ s ∈ ss, s < 2 ^ 64 := hfit (o, mark, ss) (by simp)
    have hes : ∀ e ∈ es, e.1 < 2 ^ 32 ∧ e.2.1 ≤ 0x8000000000000000 ∧ e.2.2.length < 2 ^ 32 ∧
        ∀ s ∈ e.2.2, s < 2 ^ 64 := fun e he => hfit e (by simp [he])
    obtain ⟨hwl, hwb, hwm⟩ := wmBits_facts mark hm
    have hps := parseSeqs_seqsBytes ss hs (originsBytes es ++ T)
    have hr : ¬ ((seqsBytes ss ++ (originsBytes es ++ T)).length < 8 * ss.length) := by
      simp only [List.length_append, length_seqsBytes]; omega
    simp only [List.length_cons, originsBytes, originBytes, List.append_assoc]
    rw [parseOrigins_fields es.length lo o (wmBits mark) ss.length
      (seqsBytes ss ++ (originsBytes es ++ T)) ho hwl hk, if_neg hr, hwb, hwm, hps, ih (o + 1) hes]
    simp only [originsOk]
    by_cases h1 : lo ≤ o
    · have h1' : ¬ o < lo := by omega
      rw [if_neg h1']
      by_cases h2 : seqsOk mark ss = true
      · by_cases h3 : originsOk (o + 1) es = true
        · simp [h1, h2, h3]
        · simp [h1, h2, h3, consR]
      · simp [h2]
    · have h1' : o < lo := by omega
      rw [if_pos h1']
      simp [h1]

/-- The consed-up result of decoded origins over a good end is the origins. -/
theorem foldr_consR_ok {α : Type} (es : List α) : es.foldr consR (.ok []) = .ok es := by
  induction es with
  | nil => rfl
  | cons e es ih => simp [ih, consR]

/-- An error at the end of the origins is the result. -/
theorem foldr_consR_error {α : Type} (es : List α) (e : Err) :
    es.foldr consR (.error e) = .error e := by
  induction es with
  | nil => rfl
  | cons x es ih => simp [ih, consR]

/-- A cons of a decoded list is good only if the list is. -/
theorem consR_eq_ok {α : Type} {x : α} {r : Result (List α)} {es : List α}
    (h : consR x r = .ok es) : ∃ es', r = .ok es' ∧ es = x :: es' := by
  cases r with
  | ok es' =>
    simp only [consR] at h
    cases h
    exact ⟨es', rfl, rfl⟩
  | error e =>
    simp only [consR] at h
    cases h

/-- A mapped decoded value is good only if the value is. -/
theorem map_eq_ok {α β : Type} {f : α → β} {r : Result α} {b : β} (h : r.map f = .ok b) :
    ∃ a, r = .ok a ∧ b = f a := by
  cases r with
  | ok a =>
    simp only [Result.map] at h
    cases h
    exact ⟨a, rfl, rfl⟩
  | error e =>
    simp only [Result.map] at h
    cases h

/-- Decoding a sealed digest frame: the origins of its body, from its count field. Python: Digest.decode on a frame with a good prefix and CRC. -/
theorem decodeDigest_seal (B : Bytes) (h8 : 8 ≤ B.length) :
    decodeDigest (sealFrame (magic :: version :: kindDigest :: B)) =
      (parseOrigins (readLE 4 (readLE 4 B).2).1 0 (readLE 4 (readLE 4 B).2).2).map
        fun es => ⟨(readLE 4 B).1, es⟩ := by
  have hl4 : (crcBytes (magic :: version :: kindDigest :: B)).length = 4 := length_toLE 8 4 _
  have hlen : (B ++ crcBytes (magic :: version :: kindDigest :: B)).length = B.length + 4 := by
    rw [List.length_append, hl4]
  have htake : (B ++ crcBytes (magic :: version :: kindDigest :: B)).take (B.length + 4 - 4) = B :=
    List.take_left' (by omega)
  have hdrop : (B ++ crcBytes (magic :: version :: kindDigest :: B)).drop (B.length + 4 - 4) =
      crcBytes (magic :: version :: kindDigest :: B) :=
    List.drop_left' (by omega)
  have hcrc : ofLE (crcBytes (magic :: version :: kindDigest :: B)) =
      (crc32c (magic :: version :: kindDigest :: B)).toNat := ofLE_toLE_of_lt (crc32c _).isLt
  have h12 : ¬ (B.length + 4 < 12) := by omega
  simp only [sealFrame, List.cons_append, decodeDigest]
  rw [hlen, htake, hdrop, hcrc, if_neg h12]
  simp

/-- Decoding the frame of a fitting digest whose body is followed by `T` (resealed): the origins' checks, then `T` must be empty. Python: Digest.decode on Digest.encode's body and `T`. -/
theorem decodeDigest_body (d : Digest) (h : d.Fits) (T : Bytes) :
    decodeDigest (sealFrame (magic :: version :: kindDigest :: (digestBody d.epoch d.origins ++ T))) =
      (if originsOk 0 d.origins = true then d.origins.foldr consR (parseOrigins 0 0 T)
        else .error .field).map fun es => ⟨d.epoch, es⟩ := by
  obtain ⟨hep, hn, hfit⟩ := h
  have hB8 : 8 ≤ (digestBody d.epoch d.origins ++ T).length := by
    simp only [digestBody, List.length_append, length_toLE]; omega
  have hep' : d.epoch % (2 ^ 8) ^ 4 = d.epoch := Nat.mod_eq_of_lt hep
  have hn' : d.origins.length % (2 ^ 8) ^ 4 = d.origins.length := Nat.mod_eq_of_lt hn
  have e1 : readLE 4 (digestBody d.epoch d.origins ++ T) =
      (d.epoch, toLE 8 4 d.origins.length ++ (originsBytes d.origins ++ T)) := by
    simp only [digestBody, List.append_assoc, readLE_toLE_append, hep']
  have e2 : readLE 4 (toLE 8 4 d.origins.length ++ (originsBytes d.origins ++ T)) =
      (d.origins.length, originsBytes d.origins ++ T) := by
    simp only [readLE_toLE_append, hn']
  rw [decodeDigest_seal _ hB8, e1]
  simp only [e2]
  rw [parseOrigins_originsBytes d.origins 0 hfit T]

/-! ### Round trip, canonicity, errors -/

/-- Round trip: a valid digest decodes back from its frame. Python: Digest.decode(d.encode()) == d. -/
theorem decodeDigest_encodeDigest (d : Digest) (h : d.Valid) : decodeDigest (encodeDigest d) = .ok d := by
  have e := decodeDigest_body d h.1 []
  rw [List.append_nil, if_pos h.2, show parseOrigins 0 0 ([] : Bytes) = .ok [] from rfl,
    foldr_consR_ok] at e
  exact e

/-- A digest whose fields fit but whose origins break a check of the decoder (an origin not above the one before, an ahead seq not above the one before or not above watermark + 1) is refused with a field error, even with a valid CRC. Python: Digest.decode raises FrameFieldError. -/
theorem decodeDigest_encodeDigest_field (d : Digest) (h : d.Fits) (hbad : originsOk 0 d.origins = false) :
    decodeDigest (encodeDigest d) = .error .field := by
  have e := decodeDigest_body d h []
  rw [List.append_nil, hbad] at e
  exact e

/-- A valid digest's body with bytes after its last origin, resealed, is refused with a length error. Python: Digest.decode (trailing bytes). -/
theorem decodeDigest_trailing (d : Digest) (h : d.Valid) (x : BitVec 8) (extra : Bytes) :
    decodeDigest (sealFrame (magic :: version :: kindDigest :: (digestBody d.epoch d.origins ++ x :: extra))) =
      .error .length := by
  rw [decodeDigest_body d h.1, if_pos h.2, show parseOrigins 0 0 (x :: extra) = .error .length from rfl,
    foldr_consR_error]
  rfl

/-- Fewer than 15 bytes are refused with a length error. Python: Digest.decode (short input). -/
theorem decodeDigest_short (b : Bytes) (h : b.length < 15) : decodeDigest b = .error .length := by
  rcases b with _ | ⟨x0, _ | ⟨x1, _ | ⟨x2, rest⟩⟩⟩
  · rfl
  · rfl
  · rfl
  · have hr : rest.length < 12 := by simp only [List.length_cons] at h; omega
    simp [decodeDigest, hr]

/-- The bytes after a digest frame's first three. -/
theorem digest_tail3 (d : Digest) : (encodeDigest d).tail.tail.tail =
    digestBody d.epoch d.origins ++ crcBytes (magic :: version :: kindDigest :: digestBody d.epoch d.origins) := by
  simp only [encodeDigest, sealFrame, List.cons_append, List.tail_cons]

/-- A digest frame is long enough for its prefix, epoch, count and CRC. -/
theorem digest_tail3_length (d : Digest) : ¬ ((digestBody d.epoch d.origins ++
    crcBytes (magic :: version :: kindDigest :: digestBody d.epoch d.origins)).length < 12) := by
  simp only [digestBody, crcBytes, List.length_append, length_toLE]; omega

/-- A digest frame whose magic byte is not `0xA7` is refused with a version error. Python: Digest.decode. -/
theorem decodeDigest_bad_magic (d : Digest) (x : BitVec 8) (hx : x ≠ magic) :
    decodeDigest (x :: (encodeDigest d).tail) = .error .version := by
  simp only [encodeDigest, sealFrame, List.cons_append, List.tail_cons, decodeDigest]
  rw [if_neg (digest_tail3_length d)]
  simp [hx]

/-- A digest frame whose version byte is not 1 is refused with a version error. Python: Digest.decode. -/
theorem decodeDigest_bad_version (d : Digest) (x : BitVec 8) (hx : x ≠ version) :
    decodeDigest (magic :: x :: (encodeDigest d).tail.tail) = .error .version := by
  simp only [encodeDigest, sealFrame, List.cons_append, List.tail_cons, decodeDigest]
  rw [if_neg (digest_tail3_length d)]
  simp [hx]

/-- A frame of another kind in a digest's place is refused with a field error. Python: Digest.decode. -/
theorem decodeDigest_bad_kind (d : Digest) (x : BitVec 8) (hx : x ≠ kindDigest) :
    decodeDigest (magic :: version :: x :: (encodeDigest d).tail.tail.tail) = .error .field := by
  rw [digest_tail3]
  simp only [decodeDigest]
  rw [if_neg (digest_tail3_length d)]
  simp [hx]

/-- Any 4-byte trailer but the right CRC32C is refused with a checksum error. Python: Digest.decode. -/
theorem decodeDigest_bad_checksum (d : Digest) (c : Bytes) (hc : c.length = 4)
    (hne : c ≠ crcBytes (magic :: version :: kindDigest :: digestBody d.epoch d.origins)) :
    decodeDigest (magic :: version :: kindDigest :: (digestBody d.epoch d.origins ++ c)) =
      .error .checksum := by
  have hB : 8 ≤ (digestBody d.epoch d.origins).length := by
    simp only [digestBody, List.length_append, length_toLE]; omega
  have hlen : (digestBody d.epoch d.origins ++ c).length = (digestBody d.epoch d.origins).length + 4 := by
    rw [List.length_append, hc]
  have htake : (digestBody d.epoch d.origins ++ c).take ((digestBody d.epoch d.origins).length + 4 - 4) =
      digestBody d.epoch d.origins := List.take_left' (by omega)
  have hdrop : (digestBody d.epoch d.origins ++ c).drop ((digestBody d.epoch d.origins).length + 4 - 4) =
      c := List.drop_left' (by omega)
  have hcrc : ofLE c ≠ (crc32c (magic :: version :: kindDigest :: digestBody d.epoch d.origins)).toNat := by
    intro e
    apply hne
    simp only [crcBytes]
    rw [← e]
    have t := toLE_ofLE c
    rw [hc] at t
    exact t.symm
  have h12 : ¬ ((digestBody d.epoch d.origins).length + 4 < 12) := by omega
  simp only [decodeDigest]
  rw [hlen, htake, hdrop, if_pos hcrc, if_neg h12]
  simp

/-- Decoded origins, written back, are the bytes they were read from, and as many as the count. Python: Digest.encode of Digest.decode's origins. -/
theorem originsBytes_of_parseOrigins (n lo : Nat) (bs : Bytes) (es : List (Nat × Nat × List Nat))
    (h : parseOrigins n lo bs = .ok es) : originsBytes es = bs ∧ es.length = n := by
  induction n generalizing lo bs es with
  | zero =>
    cases bs with
    | nil =>
      have h' : (Result.ok [] : Result (List (Nat × Nat × List Nat))) = .ok es := h
      cases h'
      exact ⟨rfl, rfl⟩
    | cons x xs =>
      have h' : (Result.error .length : Result (List (Nat × Nat × List Nat))) = .ok es := h
      cases h'
  | succ n ih =>
    simp only [parseOrigins] at h
    split at h
    · cases h
    rename_i h16
    split at h
    · cases h
    rename_i h8k
    split at h
    · cases h
    split at h
    · cases h
    split at h
    · obtain ⟨es', hrec, rfl⟩ := consR_eq_ok h
      obtain ⟨ihb, ihl⟩ := ih _ _ _ hrec
      have h4 : 4 ≤ bs.length := by omega
      have h8 : 8 ≤ (readLE 4 bs).2.length := by rw [length_readLE_snd]; omega
      have h4' : 4 ≤ (readLE 8 (readLE 4 bs).2).2.length := by
        rw [length_readLE_snd, length_readLE_snd]; omega
      have hKR : 8 * (readLE 4 (readLE 8 (readLE 4 bs).2).2).1 ≤
          (readLE 4 (readLE 8 (readLE 4 bs).2).2).2.length := by omega
      refine ⟨?_, by simp [ihl]⟩
      simp only [originsBytes, originBytes, List.append_assoc]
      rw [ihb, wmBits_markOf, length_parseSeqs, seqsBytes_parseSeqs _ _ hKR,
        readLE_split 4 _ h4' _ rfl, readLE_split 8 _ h8 _ rfl, readLE_split 4 bs h4 _ rfl]
    · cases h

/-- Canonicity: the only byte string that decodes to `d` is `encodeDigest d` (origins strictly increasing, ahead seqs strictly increasing and above watermark + 1, nothing after the last origin). Python: Digest.decode accepts only what Digest.encode writes. -/
theorem encodeDigest_of_decodeDigest (b : Bytes) (d : Digest) (h : decodeDigest b = .ok d) :
    encodeDigest d = b := by
  rcases b with _ | ⟨x0, _ | ⟨x1, _ | ⟨x2, rest⟩⟩⟩
  · simp [decodeDigest] at h
  · simp [decodeDigest] at h
  · simp [decodeDigest] at h
  simp only [decodeDigest] at h
  split at h
  · cases h
  rename_i h12
  split at h
  · cases h
  rename_i h0
  split at h
  · cases h
  rename_i h1
  split at h
  · cases h
  rename_i h2
  split at h
  · cases h
  rename_i h5
  obtain ⟨es, hp, rfl⟩ := map_eq_ok h
  obtain ⟨hb, hl⟩ := originsBytes_of_parseOrigins _ _ _ _ hp
  have h0 := Decidable.of_not_not h0
  have h1 := Decidable.of_not_not h1
  have h2 := Decidable.of_not_not h2
  have h5 := Decidable.of_not_not h5
  have hR : (rest.take (rest.length - 4)).length = rest.length - 4 := by
    simp only [List.length_take]; omega
  have hA : 4 ≤ (rest.take (rest.length - 4)).length := by omega
  have hA' : 4 ≤ (readLE 4 (rest.take (rest.length - 4))).2.length := by
    rw [length_readLE_snd]; omega
  have hd4 : (rest.drop (rest.length - 4)).length = 4 := by simp only [List.length_drop]; omega
  have hcrcb : crcBytes (x0 :: x1 :: x2 :: rest.take (rest.length - 4)) =
      rest.drop (rest.length - 4) := by
    simp only [crcBytes]
    rw [← h5]
    have e := toLE_ofLE (rest.drop (rest.length - 4))
    rw [hd4] at e
    exact e
  subst h0 h1 h2
  simp only [encodeDigest, digestBody]
  rw [hl, hb, readLE_split 4 _ hA' _ rfl, readLE_split 4 _ hA _ rfl]
  simp only [sealFrame, List.cons_append]
  rw [hcrcb, List.take_append_drop]

set_option maxRecDepth 20000 in
/-- Evaluation check inside this module: the empty string decodes to a length error. -/
example : decode [] = .error .length := by decide

set_option maxRecDepth 20000 in
/-- Evaluation check inside this module: a short digest decodes to a length error. -/
example : decodeDigest [0xA7#8, 0x01#8, 0x03#8] = .error .length := by decide

set_option maxRecDepth 20000 in
/-- Evaluation check inside this module: a message frame decodes back. -/
example : decode (encode ⟨1, 2, 3, 4, 8, 5⟩) = .ok ⟨1, 2, 3, 4, 8, 5⟩ := by decide

set_option maxRecDepth 20000 in
/-- Evaluation check inside this module: a digest frame decodes back. -/
example : decodeDigest (encodeDigest ⟨7, [(2, 0, [3]), (5, 9, [])]⟩) =
    .ok ⟨7, [(2, 0, [3]), (5, 9, [])]⟩ := by decide

/-! ## Sparse deltas

The model of `atomik.delta.SparseDelta`: the byte length of a state and the non-zero 64-bit words
of a delta over it, with their indices. Encoding (little-endian): `u32 length`, `u32 count`, then
`count` entries of `u32 index, u64 word`. Theorems: `decodeSparse_encodeSparse` (round trip),
`encodeSparse_of_decodeSparse` (canonicity), `length_encodeSparse`, and the errors
(`decodeSparse_encodeSparse_field`, `decodeSparse_append`, `decodeSparse_short`). The dense side
(`Sparse.toDense`, `fromDense`, `applySparse`) and its theorems are in the subsection below.
-/

/-- A sparse delta: the state's byte length and its `(index, word)` entries. Python: atomik.delta.SparseDelta. -/
structure Sparse where
  /-- The state's length in bytes (u32). -/
  length : Nat
  /-- The non-zero words, `(index, word)`, by increasing index. -/
  entries : List (Nat × Nat)

/-- The 64-bit words of an `n`-byte state, the last one zero-padded. Python: atomik.delta (`(n + 7) // 8`). -/
@[expose] def nwords (n : Nat) : Nat := (n + 7) / 8

/-- The checks `_check_sparse` makes on the entries of an `n`-byte state, from the least index allowed (one above the previous) on: indices strictly increasing and inside the state, words non-zero, the last word with no bit beyond the state. Python: atomik.delta._check_sparse. -/
@[expose] def entriesOk (n : Nat) : Nat → List (Nat × Nat) → Bool
  | _, [] => true
  | lo, e :: es =>
    decide (lo ≤ e.1) && decide (e.1 < nwords n) && decide (e.2 ≠ 0) &&
      !(decide (e.1 + 1 = nwords n) && decide (n % 8 ≠ 0) && decide (2 ^ (8 * (n % 8)) ≤ e.2)) &&
      entriesOk n (e.1 + 1) es

/-- What `SparseDelta` accepts: a u32 length and count, u32 indices and u64 words, and the checks of `entriesOk`. Python: SparseDelta.__post_init__. -/
@[expose] def Sparse.Valid (s : Sparse) : Prop :=
  s.length < 2 ^ 32 ∧ s.entries.length < 2 ^ 32 ∧ (∀ e ∈ s.entries, e.1 < 2 ^ 32 ∧ e.2 < 2 ^ 64) ∧
    entriesOk s.length 0 s.entries = true

/-- One entry's 12 bytes: `u32 index, u64 word`. Python: atomik.delta._SPARSE_ENTRY.pack. -/
@[expose] noncomputable def entryBytes (e : Nat × Nat) : Bytes := toLE 8 4 e.1 ++ toLE 8 8 e.2

/-- The entries' bytes, in order. Python: SparseDelta.encode. -/
@[expose] noncomputable def entriesBytes : List (Nat × Nat) → Bytes
  | [] => []
  | e :: es => entryBytes e ++ entriesBytes es

/-- The encoding of a sparse delta. Python: atomik.delta.SparseDelta.encode. -/
@[expose] noncomputable def encodeSparse (s : Sparse) : Bytes :=
  toLE 8 4 s.length ++ (toLE 8 4 s.entries.length ++ entriesBytes s.entries)

/-- Read `k` entries off a byte string. Python: SparseDelta.decode (the entry loop). -/
@[expose] noncomputable def parseEntries : Nat → Bytes → List (Nat × Nat)
  | 0, _ => []
  | k + 1, r =>
    ((readLE 4 r).1, (readLE 8 (readLE 4 r).2).1) :: parseEntries k (readLE 8 (readLE 4 r).2).2

/-- Decode a sparse delta, checking in the order of the Python: at least 8 bytes, exactly `8 + 12 * count` bytes (`FrameLengthError`), then the entries (`FrameFieldError`). Python: atomik.delta.SparseDelta.decode. -/
@[expose] noncomputable def decodeSparse (bs : Bytes) : Result Sparse :=
  if bs.length < 8 then .error .length
  else if bs.length ≠ 8 + 12 * (readLE 4 (readLE 4 bs).2).1 then .error .length
  else if entriesOk (readLE 4 bs).1 0
      (parseEntries (readLE 4 (readLE 4 bs).2).1 (readLE 4 (readLE 4 bs).2).2) = true then
    .ok ⟨(readLE 4 bs).1, parseEntries (readLE 4 (readLE 4 bs).2).1 (readLE 4 (readLE 4 bs).2).2⟩
  else .error .field

/-- The entries take 12 bytes each. Python: atomik.delta._SPARSE_ENTRY.size. -/
theorem length_entriesBytes (es : List (Nat × Nat)) : (entriesBytes es).length = 12 * es.length := by
  induction es with
  | nil => rfl
  | cons e es ih =>
    simp only [entriesBytes, entryBytes, List.length_append, length_toLE, ih, List.length_cons]
    omega

/-- A sparse delta takes `8 + 12 * count` bytes. Python: SparseDelta.encoded_size. -/
theorem length_encodeSparse (s : Sparse) : (encodeSparse s).length = 8 + 12 * s.entries.length := by
  simp only [encodeSparse, List.length_append, length_toLE, length_entriesBytes]
  omega

/-- Reading `k` entries gives `k` entries. Python: SparseDelta.decode. -/
theorem length_parseEntries (k : Nat) (r : Bytes) : (parseEntries k r).length = k := by
  induction k generalizing r with
  | zero => rfl
  | succ k ih => simp only [parseEntries, List.length_cons, ih]

/-- Entries written with fitting fields read back. Python: SparseDelta.decode of encode's entries. -/
theorem parseEntries_entriesBytes (es : List (Nat × Nat))
    (h : ∀ e ∈ es, e.1 < 2 ^ 32 ∧ e.2 < 2 ^ 64) : parseEntries es.length (entriesBytes es) = es := by
  induction es with
  | nil => rfl
  | cons e es ih =>
    obtain ⟨i, w⟩ := e
    have hi : i % (2 ^ 8) ^ 4 = i := Nat.mod_eq_of_lt (h (i, w) (by simp)).1
    have hw : w % (2 ^ 8) ^ 8 = w := Nat.mod_eq_of_lt (h (i, w) (by simp)).2
    have hes : ∀ e ∈ es, e.1 < 2 ^ 32 ∧ e.2 < 2 ^ 64 := fun e he => h e (by simp [he])
    simp only [List.length_cons, parseEntries, entriesBytes, entryBytes, List.append_assoc,
      readLE_toLE_append, hi, hw, ih hes]

/-- Entries read off `12 * k` bytes, written back, give the bytes. Python: SparseDelta.encode of decode's entries. -/
theorem entriesBytes_parseEntries (k : Nat) (r : Bytes) (h : r.length = 12 * k) :
    entriesBytes (parseEntries k r) = r := by
  induction k generalizing r with
  | zero =>
    have hr : r = [] := List.eq_nil_of_length_eq_zero (by omega)
    subst hr
    rfl
  | succ k ih =>
    have h4 : 4 ≤ r.length := by omega
    have h8 : 8 ≤ (readLE 4 r).2.length := by rw [length_readLE_snd]; omega
    have hq : (readLE 8 (readLE 4 r).2).2.length = 12 * k := by
      rw [length_readLE_snd, length_readLE_snd]; omega
    simp only [parseEntries, entriesBytes, entryBytes, List.append_assoc]
    rw [ih _ hq, readLE_split 8 _ h8 _ rfl, readLE_split 4 r h4 _ rfl]

/-- The header of an encoding reads back as the length and the rest. -/
theorem readLE_encodeSparse (s : Sparse) (hn : s.length < 2 ^ 32) (tail : Bytes) :
    readLE 4 (encodeSparse s ++ tail) =
      (s.length, toLE 8 4 s.entries.length ++ (entriesBytes s.entries ++ tail)) := by
  have hn' : s.length % (2 ^ 8) ^ 4 = s.length := Nat.mod_eq_of_lt hn
  simp only [encodeSparse, List.append_assoc, readLE_toLE_append, hn']

/-- The count field reads back as the number of entries and the rest. -/
theorem readLE_count (es : List (Nat × Nat)) (hk : es.length < 2 ^ 32) (tail : Bytes) :
    readLE 4 (toLE 8 4 es.length ++ (entriesBytes es ++ tail)) = (es.length, entriesBytes es ++ tail) := by
  have hk' : es.length % (2 ^ 8) ^ 4 = es.length := Nat.mod_eq_of_lt hk
  simp only [readLE_toLE_append, hk']

/-- Decoding an encoding whose fields fit gives the entries' check: the delta if they pass, a field error if not. -/
theorem decodeSparse_encodeSparse_eq (s : Sparse) (hn : s.length < 2 ^ 32)
    (hk : s.entries.length < 2 ^ 32) (hfit : ∀ e ∈ s.entries, e.1 < 2 ^ 32 ∧ e.2 < 2 ^ 64) :
    decodeSparse (encodeSparse s) =
      if entriesOk s.length 0 s.entries = true then .ok s else .error .field := by
  obtain ⟨n, es⟩ := s
  have e1 := readLE_encodeSparse ⟨n, es⟩ hn []
  have e2 := readLE_count es hk []
  simp only [List.append_nil] at e1 e2
  have hl := length_encodeSparse ⟨n, es⟩
  have h8 : ¬ (8 + 12 * es.length < 8) := by omega
  simp only [decodeSparse, e1, e2, hl, parseEntries_entriesBytes _ hfit]
  simp [h8]

/-- Round trip: a valid sparse delta decodes back from its encoding. Python: SparseDelta.decode(s.encode()) == s. -/
theorem decodeSparse_encodeSparse (s : Sparse) (h : s.Valid) : decodeSparse (encodeSparse s) = .ok s := by
  obtain ⟨hn, hk, hfit, hok⟩ := h
  rw [decodeSparse_encodeSparse_eq s hn hk hfit, if_pos hok]

/-- Entries that break a check of `_check_sparse` are refused with a field error. Python: SparseDelta.decode raises FrameFieldError. -/
theorem decodeSparse_encodeSparse_field (s : Sparse) (hn : s.length < 2 ^ 32)
    (hk : s.entries.length < 2 ^ 32) (hfit : ∀ e ∈ s.entries, e.1 < 2 ^ 32 ∧ e.2 < 2 ^ 64)
    (hbad : entriesOk s.length 0 s.entries = false) : decodeSparse (encodeSparse s) = .error .field := by
  rw [decodeSparse_encodeSparse_eq s hn hk hfit, hbad]
  rfl

/-- Canonicity: the only bytes that decode to `s` are `encodeSparse s`. Python: SparseDelta.decode accepts only canonical encodings. -/
theorem encodeSparse_of_decodeSparse (bs : Bytes) (s : Sparse) (h : decodeSparse bs = .ok s) :
    encodeSparse s = bs := by
  simp only [decodeSparse] at h
  split at h
  · cases h
  rename_i h8
  split at h
  · cases h
  rename_i hlen
  split at h
  · cases h
    have hlen := Decidable.of_not_not hlen
    have h4 : 4 ≤ bs.length := by omega
    have h4' : 4 ≤ (readLE 4 bs).2.length := by rw [length_readLE_snd]; omega
    have hr : (readLE 4 (readLE 4 bs).2).2.length = 12 * (readLE 4 (readLE 4 bs).2).1 := by
      rw [length_readLE_snd, length_readLE_snd]; omega
    simp only [encodeSparse, length_parseEntries, entriesBytes_parseEntries _ _ hr]
    rw [readLE_split 4 _ h4' _ rfl, readLE_split 4 bs h4 _ rfl]
  · cases h

/-- An encoding with bytes after it is refused with a length error. Python: SparseDelta.decode (trailing bytes). -/
theorem decodeSparse_append (s : Sparse) (hn : s.length < 2 ^ 32) (hk : s.entries.length < 2 ^ 32)
    (x : BitVec 8) (extra : Bytes) : decodeSparse (encodeSparse s ++ x :: extra) = .error .length := by
  have e1 := readLE_encodeSparse s hn (x :: extra)
  have e2 := readLE_count s.entries hk (x :: extra)
  have hl : (encodeSparse s ++ x :: extra).length = 8 + 12 * s.entries.length + 1 + extra.length := by
    simp only [List.length_append, List.length_cons, length_encodeSparse]; omega
  have h8 : ¬ (8 + 12 * s.entries.length + 1 + extra.length < 8) := by omega
  have hne : 8 + 12 * s.entries.length + 1 + extra.length ≠ 8 + 12 * s.entries.length := by omega
  simp only [decodeSparse, e1, e2, hl]
  simp [h8, hne]

/-- Fewer than 8 bytes are refused with a length error. Python: SparseDelta.decode (short input). -/
theorem decodeSparse_short (bs : Bytes) (h : bs.length < 8) : decodeSparse bs = .error .length := by
  simp [decodeSparse, h]

/-! ### Dense form, application, and the sparse form of a dense delta

`Sparse.toDense` is `SparseDelta.to_dense` (a zero word array, each entry's word written at its
index, the array's little-endian bytes cut to the state), `applySparse` is `apply_sparse` (entry by
entry, the word's bytes that fall inside the state XORed into the slice at byte `8 * i`; `none` for
a state of another length, the Python's `ShapeError`), `fromDense` is `SparseDelta.from_dense` on
bytes (the non-zero zero-padded little-endian words, with their indices). Theorems:
`applySparse_eq_xor` (applying is the byte-wise XOR with the dense delta), `applySparse_shape`,
`applySparse_fromDense`, `toDense_fromDense` (dense round trip), `fromDense_valid` (`from_dense`
always builds a valid delta), `fromDense_toDense` (canonicity: a valid delta is the sparse form of
its dense delta), `length_toDense`. Refinement: `toDense_eq` (the word array the loop builds is
`wordsFrom`, the words the entries denote index by index). `fromDenseWords` is `from_dense` on a
1-D uint64 array: `fromDenseWords_eq_fromDense` (the bytes path on the array's `<u8` bytes),
`fromDenseWords_valid`, `toDense_fromDenseWords`; `denseWords_eq_chunksAux` and
`denseWords_eq_chunks64` (from_dense's words are the fingerprint's chunks).
-/

/-- The word array's write `arr[i] = w`. Python: SparseDelta.to_dense (the entry loop). -/
@[expose] noncomputable def setWord (ws : List Nat) (e : Nat × Nat) : List Nat := ws.set e.1 e.2

/-- Words as their little-endian bytes, 8 each. Python: numpy's `tobytes()` of a `<u8` array. -/
@[expose] noncomputable def wordsBytes : List Nat → Bytes
  | [] => []
  | w :: ws => toLE 8 8 w ++ wordsBytes ws

/-- The dense delta: a zero word array with each entry's word written at its index, its bytes cut to the state's length. Python: atomik.delta.SparseDelta.to_dense. -/
@[expose] noncomputable def Sparse.toDense (s : Sparse) : Bytes :=
  (wordsBytes (s.entries.foldl setWord (List.replicate (nwords s.length) 0))).take s.length

/-- The bytes of an entry's word that fall inside an `n`-byte state. Python: `w.to_bytes(8, "little")[: delta.length - start]` in apply_sparse. -/
@[expose] noncomputable def entryChunk (n : Nat) (e : Nat × Nat) : Bytes := (toLE 8 8 e.2).take (n - 8 * e.1)

/-- One entry applied: the slice at byte `8 * i` read little-endian, XORed with the chunk, written back. Python: the loop body of apply_sparse. -/
@[expose] noncomputable def applyEntry (n : Nat) (buf : Bytes) (e : Nat × Nat) : Bytes :=
  buf.take (8 * e.1) ++
    (toLE 8 (entryChunk n e).length
        (ofLE ((buf.drop (8 * e.1)).take (entryChunk n e).length) ^^^ ofLE (entryChunk n e)) ++
      buf.drop (8 * e.1 + (entryChunk n e).length))

/-- Apply a sparse delta to a state: `none` (the Python's ShapeError) unless the state has the delta's length, else the entries applied in order. Python: atomik.delta.apply_sparse. -/
@[expose] noncomputable def applySparse (st : Bytes) (s : Sparse) : Option Bytes :=
  if st.length = s.length then some (s.entries.foldl (applyEntry s.length) st) else none

/-- The first `k` words of a byte string, 8 bytes each read little-endian (a short last one as if zero-padded). Python: atomik.delta._dense_words. -/
@[expose] noncomputable def denseWords : Nat → Bytes → List Nat
  | 0, _ => []
  | k + 1, bs => ofLE (bs.take 8) :: denseWords k (bs.drop 8)

/-- The non-zero words with their indices, counting from `j`. Python: np.flatnonzero in SparseDelta.from_dense. -/
@[expose] noncomputable def nonzeroFrom : Nat → List Nat → List (Nat × Nat)
  | _, [] => []
  | j, w :: ws => if w = 0 then nonzeroFrom (j + 1) ws else (j, w) :: nonzeroFrom (j + 1) ws

/-- The sparse form of a dense delta given as bytes (the Python raises ShapeError beyond `2^32 - 1` bytes). Python: atomik.delta.SparseDelta.from_dense. -/
@[expose] noncomputable def fromDense (d : Bytes) : Sparse :=
  ⟨d.length, nonzeroFrom 0 (denseWords (nwords d.length) d)⟩

/-- The sparse form of a dense delta given as a 1-D uint64 array of words: `8 * size` bytes, the words taken as they are. Python: atomik.delta.SparseDelta.from_dense on a numpy array. -/
@[expose] noncomputable def fromDenseWords (ws : List Nat) : Sparse :=
  ⟨8 * ws.length, nonzeroFrom 0 ws⟩

/-- The word that sorted entries put at index `j`, read off their front (zero if none). -/
@[expose] noncomputable def headWord (j : Nat) : List (Nat × Nat) → Nat
  | [] => 0
  | e :: _ => if e.1 = j then e.2 else 0

/-- The entries after index `j`'s. -/
@[expose] noncomputable def dropWord (j : Nat) : List (Nat × Nat) → List (Nat × Nat)
  | [] => []
  | e :: es => if e.1 = j then es else e :: es

/-- The `k` words from index `j` that sorted entries denote, index by index. -/
@[expose] noncomputable def wordsFrom : Nat → Nat → List (Nat × Nat) → List Nat
  | 0, _, _ => []
  | k + 1, j, es => headWord j es :: wordsFrom k (j + 1) (dropWord j es)

/-! #### List and digit lemmas -/

/-- The digits of zero are zeros. Python: int.to_bytes of 0. -/
theorem toLE_zero (b k : Nat) : toLE b k 0 = List.replicate k 0 := by
  induction k with
  | zero => rfl
  | succ k ih =>
    simp only [toLE, Nat.zero_div, ih, List.replicate_succ]
    all_goals rfl

/-- The first `m` digits of a number are its `min m k` digits. Python: `int.to_bytes(k)[:m]`. -/
theorem take_toLE (b k m n : Nat) : (toLE b k n).take m = toLE b (min m k) n := by
  induction k generalizing m n with
  | zero => simp [toLE]
  | succ k ih =>
    cases m with
    | zero => simp [toLE]
    | succ m =>
      have hm : min (m + 1) (k + 1) = min m k + 1 := by omega
      rw [hm]
      simp only [toLE, List.take_succ_cons, ih]

/-- Digits read back and written with more digits are padded with zeros. Python: `int.from_bytes(b).to_bytes(k)`. -/
theorem toLE_ofLE_pad {b : Nat} (xs : List (BitVec b)) (k : Nat) (h : xs.length ≤ k) :
    toLE b k (ofLE xs) = xs ++ List.replicate (k - xs.length) 0 := by
  induction xs generalizing k with
  | nil => simp [ofLE, toLE_zero]
  | cons x xs ih =>
    cases k with
    | zero => exact absurd h (by simp)
    | succ k =>
      have hx : x.toNat < 2 ^ b := x.isLt
      have h1 : BitVec.ofNat b (x.toNat + 2 ^ b * ofLE xs) = x := by
        apply BitVec.eq_of_toNat_eq
        simp only [BitVec.toNat_ofNat, Nat.add_mul_mod_self_left, Nat.mod_eq_of_lt hx]
      have h2 : (x.toNat + 2 ^ b * ofLE xs) / 2 ^ b = ofLE xs := by
        rw [Nat.add_mul_div_left _ _ (Nat.two_pow_pos b), Nat.div_eq_of_lt hx, Nat.zero_add]
      have hk : xs.length ≤ k := by simp only [List.length_cons] at h; omega
      have e : k + 1 - (x :: xs).length = k - xs.length := by simp only [List.length_cons]; omega
      simp only [toLE, ofLE]
      rw [h1, h2, ih k hk, e, List.cons_append]

/-- Taking from an append. -/
theorem take_append_gen {α : Type} (l1 l2 : List α) (m : Nat) :
    (l1 ++ l2).take m = l1.take m ++ l2.take (m - l1.length) := by
  induction l1 generalizing m with
  | nil => simp
  | cons x l1 ih =>
    cases m with
    | zero => simp
    | succ m =>
      simp only [List.cons_append, List.take_succ_cons, List.length_cons, ih, Nat.add_sub_add_right]

/-- Zipping two appends whose first parts have one length. -/
theorem zipWith_append_eq {α β γ : Type} (f : α → β → γ) (a1 a2 : List α) (b1 b2 : List β)
    (h : a1.length = b1.length) :
    List.zipWith f (a1 ++ a2) (b1 ++ b2) = List.zipWith f a1 b1 ++ List.zipWith f a2 b2 := by
  induction a1 generalizing b1 with
  | nil =>
    have hb : b1 = [] := List.eq_nil_of_length_eq_zero h.symm
    subst hb
    rfl
  | cons x a1 ih =>
    cases b1 with
    | nil => exact absurd h (by simp)
    | cons y b1 =>
      have hl : a1.length = b1.length := by simp only [List.length_cons] at h; omega
      simp only [List.cons_append, List.zipWith_cons_cons, ih b1 hl]

/-- XOR with zero bytes changes nothing. -/
theorem zipWith_xor_zeros (r : Bytes) : List.zipWith (· ^^^ ·) r (List.replicate r.length 0) = r := by
  induction r with
  | nil => rfl
  | cons x r ih =>
    have hx : x ^^^ (0 : BitVec 8) = x := by
      first
        | simp
        | (apply BitVec.eq_of_toNat_eq; simp)
    simp only [List.length_cons, List.replicate_succ, List.zipWith_cons_cons, ih, hx]

/-- Writing at the position just after a prefix. -/
theorem set_length_append (pre l : List Nat) (x a : Nat) :
    (pre ++ x :: l).set pre.length a = pre ++ a :: l := by
  induction pre with
  | nil => rfl
  | cons y pre ih =>
    show y :: (pre ++ x :: l).set pre.length a = y :: (pre ++ a :: l)
    rw [ih]

/-- The write of an entry `(i, w)`. Python: `arr[i] = w`. -/
theorem setWord_pair (ws : List Nat) (i w : Nat) : setWord ws (i, w) = ws.set i w := rfl

/-- Replicas of one value, appended. -/
theorem replicate_append_replicate' {α : Type} (a b : Nat) (x : α) :
    List.replicate a x ++ List.replicate b x = List.replicate (a + b) x := by
  induction a with
  | zero => simp
  | succ a ih =>
    rw [Nat.add_right_comm, List.replicate_succ, List.replicate_succ, List.cons_append, ih]

/-- A sequence of writes keeps the array's length. Python: numpy item assignment. -/
theorem length_foldl_setWord (es : List (Nat × Nat)) (ws : List Nat) :
    (es.foldl setWord ws).length = ws.length := by
  induction es generalizing ws with
  | nil => rfl
  | cons e es ih => simp only [List.foldl_cons, ih, setWord, List.length_set]

/-- Words take 8 bytes each. Python: `tobytes()` of a `<u8` array. -/
theorem length_wordsBytes (ws : List Nat) : (wordsBytes ws).length = 8 * ws.length := by
  induction ws with
  | nil => rfl
  | cons w ws ih =>
    simp only [wordsBytes, List.length_append, length_toLE, ih, List.length_cons]
    omega

/-- The dense delta has the state's length. Python: `len(SparseDelta.to_dense()) == length`. -/
theorem length_toDense (s : Sparse) : s.toDense.length = s.length := by
  simp only [Sparse.toDense, List.length_take, length_wordsBytes, length_foldl_setWord,
    List.length_replicate, nwords]
  omega

/-- `k` words are read. Python: _dense_words. -/
theorem length_denseWords (k : Nat) : ∀ (d : Bytes), (denseWords k d).length = k := by
  induction k with
  | zero => intro d; rfl
  | succ k ih => intro d; simp only [denseWords, List.length_cons, ih]

/-! #### The entries' checks, one at a time -/

/-- A Boolean "not all three" is the proposition. -/
theorem bool_not_and3 (A B C : Prop) [Decidable A] [Decidable B] [Decidable C] :
    (!(decide A && decide B && decide C)) = true ↔ ¬(A ∧ B ∧ C) := by
  by_cases a : A <;> by_cases b : B <;> by_cases c : C <;> simp [a, b, c]

/-- What `entriesOk` asks of the first entry and of the rest. Python: _check_sparse's loop. -/
theorem entriesOk_cons (n lo : Nat) (e : Nat × Nat) (es : List (Nat × Nat)) :
    entriesOk n lo (e :: es) = true ↔ lo ≤ e.1 ∧ e.1 < nwords n ∧ e.2 ≠ 0 ∧
      ¬(e.1 + 1 = nwords n ∧ n % 8 ≠ 0 ∧ 2 ^ (8 * (n % 8)) ≤ e.2) ∧
      entriesOk n (e.1 + 1) es = true := by
  simp only [entriesOk, Bool.and_eq_true, decide_eq_true_eq]
  constructor
  · intro h
    exact ⟨h.1.1.1.1, h.1.1.1.2, h.1.1.2, (bool_not_and3 _ _ _).mp h.1.2, h.2⟩
  · intro h
    exact ⟨⟨⟨⟨h.1, h.2.1⟩, h.2.2.1⟩, (bool_not_and3 _ _ _).mpr h.2.2.2.1⟩, h.2.2.2.2⟩

/-- A lower least index allowed keeps the entries valid. -/
theorem entriesOk_mono (n lo' lo : Nat) (es : List (Nat × Nat)) (hle : lo' ≤ lo)
    (h : entriesOk n lo es = true) : entriesOk n lo' es = true := by
  cases es with
  | nil => rfl
  | cons e es =>
    rw [entriesOk_cons] at h ⊢
    exact ⟨Nat.le_trans hle h.1, h.2⟩

/-- Valid entries have their indices in `[lo, nwords n)`. -/
theorem entriesOk_mem (n : Nat) (es : List (Nat × Nat)) :
    ∀ (lo : Nat), entriesOk n lo es = true → ∀ e ∈ es, lo ≤ e.1 ∧ e.1 < nwords n := by
  induction es with
  | nil => intro lo _ e he; simp at he
  | cons x es ih =>
    intro lo h e he
    rw [entriesOk_cons] at h
    obtain ⟨h1, h2, _, _, h5⟩ := h
    rcases List.mem_cons.mp he with rfl | he
    · exact ⟨h1, h2⟩
    · obtain ⟨h3, h4⟩ := ih (x.1 + 1) h5 e he
      exact ⟨by omega, h4⟩

/-- No entry is allowed from the end of the state on. -/
theorem entriesOk_nil_of (n j : Nat) (es : List (Nat × Nat)) (h : entriesOk n j es = true)
    (hj : nwords n ≤ j) : es = [] := by
  cases es with
  | nil => rfl
  | cons e es =>
    obtain ⟨h1, h2, _⟩ := (entriesOk_cons n j e es).mp h
    exfalso
    omega

/-- An entry at index `i` puts its word there. -/
theorem headWord_cons_self (i w : Nat) (es : List (Nat × Nat)) : headWord i ((i, w) :: es) = w := by
  simp [headWord]

/-- After index `i`'s entry come the others. -/
theorem dropWord_cons_self (i w : Nat) (es : List (Nat × Nat)) : dropWord i ((i, w) :: es) = es := by
  simp [dropWord]

/-- Entries starting at another index put nothing at `j`. -/
theorem headWord_cons_ne (j : Nat) (e : Nat × Nat) (es : List (Nat × Nat)) (h : ¬e.1 = j) :
    headWord j (e :: es) = 0 := by
  simp [headWord, h]

/-- Entries starting at another index are all after `j`. -/
theorem dropWord_cons_ne (j : Nat) (e : Nat × Nat) (es : List (Nat × Nat)) (h : ¬e.1 = j) :
    dropWord j (e :: es) = e :: es := by
  simp [dropWord, h]

/-- A zero word is not stored. Python: np.flatnonzero skips it. -/
theorem nonzeroFrom_zero (j : Nat) (ws : List Nat) : nonzeroFrom j (0 :: ws) = nonzeroFrom (j + 1) ws := by
  simp [nonzeroFrom]

/-- A non-zero word is stored with its index. Python: np.flatnonzero keeps it. -/
theorem nonzeroFrom_ne (j w : Nat) (ws : List Nat) (h : ¬w = 0) :
    nonzeroFrom j (w :: ws) = (j, w) :: nonzeroFrom (j + 1) ws := by
  simp [nonzeroFrom, h]

/-- The entries after index `j` are entries of the delta. -/
theorem dropWord_mem (j : Nat) (es : List (Nat × Nat)) : ∀ e ∈ dropWord j es, e ∈ es := by
  cases es with
  | nil => intro e he; exact he
  | cons x es =>
    intro e he
    by_cases hx : x.1 = j
    · obtain ⟨i, w⟩ := x
      simp only at hx
      subst j
      rw [dropWord_cons_self] at he
      exact List.mem_cons_of_mem _ he
    · rw [dropWord_cons_ne j x es hx] at he
      exact he

/-- A stored word is a u64. -/
theorem headWord_lt (j : Nat) (es : List (Nat × Nat)) (h : ∀ e ∈ es, e.2 < 2 ^ 64) :
    headWord j es < 2 ^ 64 := by
  cases es with
  | nil => exact Nat.two_pow_pos 64
  | cons x es =>
    by_cases hx : x.1 = j
    · obtain ⟨i, w⟩ := x
      simp only at hx
      subst j
      rw [headWord_cons_self]
      exact h (i, w) (by simp)
    · rw [headWord_cons_ne j x es hx]
      exact Nat.two_pow_pos 64

/-- The last word of a state whose length is not a multiple of 8 has no bit beyond it. -/
theorem headWord_last (n j : Nat) (es : List (Nat × Nat)) (h : entriesOk n j es = true)
    (hj : j + 1 = nwords n) (h8 : ¬n % 8 = 0) : headWord j es < 2 ^ (8 * (n % 8)) := by
  cases es with
  | nil => exact Nat.two_pow_pos _
  | cons x es =>
    by_cases hx : x.1 = j
    · obtain ⟨i, w⟩ := x
      simp only at hx
      subst j
      rw [headWord_cons_self]
      obtain ⟨_, _, _, h4, _⟩ := (entriesOk_cons n i (i, w) es).mp h
      exact Nat.lt_of_not_le (fun hle => h4 ⟨hj, h8, hle⟩)
    · rw [headWord_cons_ne j x es hx]
      exact Nat.two_pow_pos _

/-- The entries after index `j` are valid from `j + 1` on. -/
theorem dropWord_ok (n j : Nat) (es : List (Nat × Nat)) (h : entriesOk n j es = true) :
    entriesOk n (j + 1) (dropWord j es) = true := by
  cases es with
  | nil => rfl
  | cons x es =>
    by_cases hx : x.1 = j
    · obtain ⟨i, w⟩ := x
      simp only at hx
      subst j
      rw [dropWord_cons_self]
      exact ((entriesOk_cons n i (i, w) es).mp h).2.2.2.2
    · rw [dropWord_cons_ne j x es hx]
      obtain ⟨h1, h2⟩ := (entriesOk_cons n j x es).mp h
      exact (entriesOk_cons n (j + 1) x es).mpr ⟨by omega, h2⟩

/-- Entries all above `j` put nothing at `j`. -/
theorem headWord_of_gt (j : Nat) (es : List (Nat × Nat)) (h : ∀ e ∈ es, j < e.1) :
    headWord j es = 0 ∧ dropWord j es = es := by
  cases es with
  | nil => exact ⟨rfl, rfl⟩
  | cons x es =>
    have hx : ¬x.1 = j := by have := h x (by simp); omega
    exact ⟨headWord_cons_ne j x es hx, dropWord_cons_ne j x es hx⟩

/-- The non-zero words' indices and values. -/
theorem nonzeroFrom_mem (ws : List Nat) :
    ∀ (j : Nat), ∀ e ∈ nonzeroFrom j ws, j ≤ e.1 ∧ e.1 < j + ws.length ∧ e.2 ∈ ws := by
  induction ws with
  | nil => intro j e he; simp [nonzeroFrom] at he
  | cons w ws ih =>
    intro j e he
    by_cases hw : w = 0
    · subst hw
      rw [nonzeroFrom_zero] at he
      obtain ⟨h1, h2, h3⟩ := ih (j + 1) e he
      exact ⟨by omega, by simp only [List.length_cons]; omega, List.mem_cons_of_mem _ h3⟩
    · rw [nonzeroFrom_ne j w ws hw] at he
      rcases List.mem_cons.mp he with rfl | he
      · exact ⟨Nat.le_refl _, by simp, by simp⟩
      · obtain ⟨h1, h2, h3⟩ := ih (j + 1) e he
        exact ⟨by omega, by simp only [List.length_cons]; omega, List.mem_cons_of_mem _ h3⟩

/-- At most one entry per word. -/
theorem length_nonzeroFrom_le (ws : List Nat) : ∀ (j : Nat), (nonzeroFrom j ws).length ≤ ws.length := by
  induction ws with
  | nil => intro j; simp [nonzeroFrom]
  | cons w ws ih =>
    intro j
    have := ih (j + 1)
    by_cases hw : w = 0
    · subst hw
      rw [nonzeroFrom_zero]
      simp only [List.length_cons]
      omega
    · rw [nonzeroFrom_ne j w ws hw]
      simp only [List.length_cons]
      omega

/-- A word read from at most 8 bytes is a u64. -/
theorem denseWords_lt (k : Nat) : ∀ (d : Bytes), ∀ w ∈ denseWords k d, w < 2 ^ 64 := by
  induction k with
  | zero => intro d w hw; simp [denseWords] at hw
  | succ k ih =>
    intro d w hw
    simp only [denseWords, List.mem_cons] at hw
    rcases hw with rfl | hw
    · have h1 := ofLE_lt (d.take 8)
      have h2 : (2 ^ 8) ^ (d.take 8).length ≤ 2 ^ 64 := by
        rw [← Nat.pow_mul]
        exact Nat.pow_le_pow_right (by decide) (by simp only [List.length_take]; omega)
      exact Nat.lt_of_lt_of_le h1 h2
    · exact ih _ w hw

/-! #### The word array: refinement and round trips -/

/-- Refinement: the loop's writes into a zero array give the words the entries denote, index by index. Python: SparseDelta.to_dense. -/
theorem foldl_setWord (n k : Nat) : ∀ (j : Nat) (es : List (Nat × Nat)) (pre : List Nat),
    entriesOk n j es = true → j + k = nwords n → pre.length = j →
    es.foldl setWord (pre ++ List.replicate k 0) = pre ++ wordsFrom k j es := by
  induction k with
  | zero =>
    intro j es pre h hk _
    rw [entriesOk_nil_of n j es h (by omega)]
    rfl
  | succ k ih =>
    intro j es pre h hk hpre
    cases es with
    | nil =>
      have := ih (j + 1) [] (pre ++ [0]) rfl (by omega) (by simp [hpre])
      simp only [List.foldl_nil, List.append_assoc, List.singleton_append] at this
      simp only [List.foldl_nil, wordsFrom, headWord, dropWord, List.replicate_succ]
      exact this
    | cons e es =>
      by_cases he : e.1 = j
      · obtain ⟨i, w⟩ := e
        simp only at he
        subst i
        have hrest := ((entriesOk_cons n j (j, w) es).mp h).2.2.2.2
        have := ih (j + 1) es (pre ++ [w]) hrest (by omega) (by simp [hpre])
        simp only [List.append_assoc, List.singleton_append] at this
        have hs : (pre ++ 0 :: List.replicate k 0).set j w = pre ++ w :: List.replicate k 0 := by
          rw [← hpre]
          exact set_length_append pre _ 0 w
        rw [List.foldl_cons, setWord_pair, List.replicate_succ, hs]
        simp only [wordsFrom, headWord_cons_self, dropWord_cons_self]
        exact this
      · obtain ⟨h1, h2⟩ := (entriesOk_cons n j e es).mp h
        have h' : entriesOk n (j + 1) (e :: es) = true :=
          (entriesOk_cons n (j + 1) e es).mpr ⟨by omega, h2⟩
        have := ih (j + 1) (e :: es) (pre ++ [0]) h' (by omega) (by simp [hpre])
        simp only [List.append_assoc, List.singleton_append] at this
        simp only [List.replicate_succ, wordsFrom, headWord_cons_ne j e es he,
          dropWord_cons_ne j e es he]
        exact this

/-- The dense delta of valid entries, from the words they denote. -/
theorem toDense_eq (s : Sparse) (h : entriesOk s.length 0 s.entries = true) :
    s.toDense = (wordsBytes (wordsFrom (nwords s.length) 0 s.entries)).take s.length := by
  have := foldl_setWord s.length (nwords s.length) 0 s.entries [] h (by omega) rfl
  simp only [List.nil_append] at this
  simp only [Sparse.toDense, this]

/-- The words that the non-zero words denote are the words. Python: SparseDelta.from_dense then to_dense. -/
theorem wordsFrom_nonzeroFrom (ws : List Nat) : ∀ (j : Nat), wordsFrom ws.length j (nonzeroFrom j ws) = ws := by
  induction ws with
  | nil => intro j; rfl
  | cons w ws ih =>
    intro j
    by_cases hw : w = 0
    · subst hw
      obtain ⟨h1, h2⟩ := headWord_of_gt j (nonzeroFrom (j + 1) ws)
        (fun e he => by have := (nonzeroFrom_mem ws (j + 1) e he).1; omega)
      simp only [List.length_cons, nonzeroFrom_zero, wordsFrom, h1, h2, ih]
    · simp only [List.length_cons, nonzeroFrom_ne j w ws hw, wordsFrom, headWord_cons_self,
        dropWord_cons_self, ih]

/-- The non-zero words of the words valid entries denote are the entries. Python: SparseDelta.to_dense then from_dense. -/
theorem nonzeroFrom_wordsFrom (n k : Nat) : ∀ (j : Nat) (es : List (Nat × Nat)),
    entriesOk n j es = true → j + k = nwords n → nonzeroFrom j (wordsFrom k j es) = es := by
  induction k with
  | zero =>
    intro j es h hk
    rw [entriesOk_nil_of n j es h (by omega)]
    rfl
  | succ k ih =>
    intro j es h hk
    cases es with
    | nil =>
      have := ih (j + 1) [] rfl (by omega)
      simp only [wordsFrom, headWord, dropWord, nonzeroFrom_zero, this]
    | cons e es =>
      by_cases he : e.1 = j
      · obtain ⟨i, w⟩ := e
        simp only at he
        subst j
        obtain ⟨_, _, hw, _, hrest⟩ := (entriesOk_cons n i (i, w) es).mp h
        have := ih (i + 1) es hrest (by omega)
        simp only [wordsFrom, headWord_cons_self, dropWord_cons_self, nonzeroFrom_ne i w _ hw, this]
      · obtain ⟨h1, h2⟩ := (entriesOk_cons n j e es).mp h
        have h' : entriesOk n (j + 1) (e :: es) = true :=
          (entriesOk_cons n (j + 1) e es).mpr ⟨by omega, h2⟩
        have := ih (j + 1) (e :: es) h' (by omega)
        simp only [wordsFrom, headWord_cons_ne j e es he, dropWord_cons_ne j e es he,
          nonzeroFrom_zero, this]

/-- A byte string's words, written back as bytes, are the string zero-padded. Python: _dense_words then tobytes. -/
theorem wordsBytes_denseWords (k : Nat) : ∀ (d : Bytes), d.length ≤ 8 * k →
    wordsBytes (denseWords k d) = d ++ List.replicate (8 * k - d.length) 0 := by
  induction k with
  | zero =>
    intro d hd
    have : d = [] := List.eq_nil_of_length_eq_zero (by omega)
    subst this
    rfl
  | succ k ih =>
    intro d hd
    have ht : (d.take 8).length ≤ 8 := by simp only [List.length_take]; omega
    have hdr : (d.drop 8).length ≤ 8 * k := by simp only [List.length_drop]; omega
    simp only [denseWords, wordsBytes]
    rw [toLE_ofLE_pad _ 8 ht, ih _ hdr]
    by_cases h8 : 8 ≤ d.length
    · have e1 : (d.take 8).length = 8 := by simp only [List.length_take]; omega
      rw [e1, Nat.sub_self, List.replicate_zero, List.append_nil, ← List.append_assoc,
        List.take_append_drop, List.length_drop]
      have e2 : 8 * k - (d.length - 8) = 8 * (k + 1) - d.length := by omega
      rw [e2]
    · have e2 : d.drop 8 = [] := List.eq_nil_of_length_eq_zero (by simp only [List.length_drop]; omega)
      have e3 : d.take 8 = d := by
        have := List.take_append_drop 8 d
        rw [e2, List.append_nil] at this
        exact this
      rw [e2, e3, List.nil_append, List.length_nil, Nat.sub_zero, List.append_assoc,
        replicate_append_replicate']
      have e4 : 8 - d.length + 8 * k = 8 * (k + 1) - d.length := by omega
      rw [e4]

/-- The words read back from the dense bytes of valid entries are the words they denote. Python: _dense_words of to_dense. -/
theorem denseWords_wordsFrom (n k : Nat) : ∀ (j : Nat) (es : List (Nat × Nat)),
    entriesOk n j es = true → (∀ e ∈ es, e.2 < 2 ^ 64) → j + k = nwords n →
    denseWords k ((wordsBytes (wordsFrom k j es)).take (n - 8 * j)) = wordsFrom k j es := by
  induction k with
  | zero => intro j es _ _ _; rfl
  | succ k ih =>
    intro j es h hfit hk
    have hN : nwords n = (n + 7) / 8 := rfl
    have hv : headWord j es < 2 ^ 64 := headWord_lt j es hfit
    have hrest := ih (j + 1) (dropWord j es) (dropWord_ok n j es h)
      (fun e he => hfit e (dropWord_mem j es e he)) (by omega)
    simp only [wordsFrom, wordsBytes, denseWords]
    rcases Nat.eq_zero_or_pos k with hk0 | hk0
    · subst hk0
      have hvl : headWord j es < 2 ^ (8 * (n - 8 * j)) := by
        by_cases h8 : n % 8 = 0
        · have e8 : n - 8 * j = 8 := by omega
          rw [e8]
          exact hv
        · have e8 : n - 8 * j = n % 8 := by omega
          rw [e8]
          exact headWord_last n j es h (by omega) h8
      simp only [wordsFrom, wordsBytes, denseWords, List.append_nil]
      rw [take_toLE, take_toLE, ofLE_toLE, show min 8 (min (n - 8 * j) 8) = n - 8 * j by omega,
        ← Nat.pow_mul, Nat.mod_eq_of_lt hvl]
    · have e1 : n - 8 * j - 8 = n - 8 * (j + 1) := by omega
      have hv' : headWord j es < 2 ^ (8 * 8) := hv
      rw [take_append_gen, take_toLE, length_toLE, show min (n - 8 * j) 8 = 8 by omega, e1,
        List.take_left' (length_toLE 8 8 _), List.drop_left' (length_toLE 8 8 _), hrest, ofLE_toLE,
        ← Nat.pow_mul, Nat.mod_eq_of_lt hv']

/-- The sparse form's entries are valid: indices increasing inside the state, words non-zero, the last one inside the state. Python: SparseDelta.from_dense's __post_init__ check passes. -/
theorem entriesOk_nonzeroFrom (n k : Nat) : ∀ (j : Nat) (d : Bytes), d.length = n - 8 * j →
    j + k = nwords n → entriesOk n j (nonzeroFrom j (denseWords k d)) = true := by
  induction k with
  | zero => intro j d _ _; rfl
  | succ k ih =>
    intro j d hd hk
    have hN : nwords n = (n + 7) / 8 := rfl
    have hrest := ih (j + 1) (d.drop 8) (by simp only [List.length_drop]; omega) (by omega)
    simp only [denseWords]
    by_cases hw : ofLE (d.take 8) = 0
    · rw [hw, nonzeroFrom_zero]
      exact entriesOk_mono n j (j + 1) _ (by omega) hrest
    · rw [nonzeroFrom_ne j _ _ hw, entriesOk_cons]
      refine ⟨Nat.le_refl _, by show j < nwords n; omega, hw, ?_, hrest⟩
      rintro ⟨h1, h2, h3⟩
      have h1' : j + 1 = nwords n := h1
      have hl : (d.take 8).length = n % 8 := by simp only [List.length_take]; omega
      have hlt := ofLE_lt (d.take 8)
      rw [hl, ← Nat.pow_mul] at hlt
      exact absurd h3 (Nat.not_le.mpr hlt)

/-! #### The theorems -/

/-- Dense round trip: the dense delta of a byte string's sparse form is the string. Python: SparseDelta.from_dense(d).to_dense() == d. -/
theorem toDense_fromDense (d : Bytes) : (fromDense d).toDense = d := by
  have hok := entriesOk_nonzeroFrom d.length (nwords d.length) 0 d (by omega) (by omega)
  rw [toDense_eq (fromDense d) hok]
  show (wordsBytes (wordsFrom (nwords d.length) 0
    (nonzeroFrom 0 (denseWords (nwords d.length) d)))).take d.length = d
  have hw := wordsFrom_nonzeroFrom (denseWords (nwords d.length) d) 0
  rw [length_denseWords] at hw
  rw [hw, wordsBytes_denseWords _ d (by unfold nwords; omega)]
  exact List.take_left' rfl

/-- The sparse form of a byte string shorter than `2^32` is a valid sparse delta. Python: SparseDelta.from_dense never raises RangeError. -/
theorem fromDense_valid (d : Bytes) (h : d.length < 2 ^ 32) : (fromDense d).Valid := by
  have hok := entriesOk_nonzeroFrom d.length (nwords d.length) 0 d (by omega) (by omega)
  have hmem := entriesOk_mem d.length _ 0 hok
  have hN : nwords d.length ≤ d.length := by unfold nwords; omega
  have hlen := length_nonzeroFrom_le (denseWords (nwords d.length) d) 0
  rw [length_denseWords] at hlen
  show d.length < 2 ^ 32 ∧ (nonzeroFrom 0 (denseWords (nwords d.length) d)).length < 2 ^ 32 ∧
    (∀ e ∈ nonzeroFrom 0 (denseWords (nwords d.length) d), e.1 < 2 ^ 32 ∧ e.2 < 2 ^ 64) ∧
    entriesOk d.length 0 (nonzeroFrom 0 (denseWords (nwords d.length) d)) = true
  refine ⟨h, by omega, ?_, hok⟩
  intro e he
  have h1 := (hmem e he).2
  have h2 := (nonzeroFrom_mem _ 0 e he).2.2
  exact ⟨by omega, denseWords_lt _ d e.2 h2⟩

/-- Canonicity: a valid sparse delta is the sparse form of its dense delta (so the sparse form is unique). Python: SparseDelta.from_dense(s.to_dense()) == s. -/
theorem fromDense_toDense (s : Sparse) (h : s.Valid) : fromDense s.toDense = s := by
  obtain ⟨n, es⟩ := s
  obtain ⟨_, _, hfit, hok⟩ := h
  have hlen : (Sparse.toDense ⟨n, es⟩).length = n := length_toDense ⟨n, es⟩
  have e : Sparse.toDense ⟨n, es⟩ = (wordsBytes (wordsFrom (nwords n) 0 es)).take n :=
    toDense_eq ⟨n, es⟩ hok
  have hd := denseWords_wordsFrom n (nwords n) 0 es hok (fun e he => (hfit e he).2) (by omega)
  have hz := nonzeroFrom_wordsFrom n (nwords n) 0 es hok (by omega)
  simp only [Nat.mul_zero, Nat.sub_zero] at hd
  unfold fromDense
  rw [hlen, e, hd, hz]

/-- One step of the loop: the entry at index `j` (if any) XORed into the `j`-th 8 bytes. -/
theorem entryChunk_pair (n i w : Nat) : entryChunk n (i, w) = toLE 8 (min (n - 8 * i) 8) w := by
  simp only [entryChunk, take_toLE]

/-- The loop body XORs the chunk into the slice at its word's position. Python: apply_sparse's loop body. -/
theorem applyEntry_eq (n : Nat) (pre r1 r2 : Bytes) (e : Nat × Nat) (hp : pre.length = 8 * e.1)
    (hr : r1.length = (entryChunk n e).length) :
    applyEntry n (pre ++ (r1 ++ r2)) e = pre ++ (List.zipWith (· ^^^ ·) r1 (entryChunk n e) ++ r2) := by
  have h1 : (pre ++ (r1 ++ r2)).take (8 * e.1) = pre := List.take_left' hp
  have h2 : (pre ++ (r1 ++ r2)).drop (8 * e.1) = r1 ++ r2 := List.drop_left' hp
  have h3 : (pre ++ (r1 ++ r2)).drop (8 * e.1 + r1.length) = r2 := by
    rw [← List.append_assoc]
    exact List.drop_left' (by simp [hp])
  have h4 : toLE 8 r1.length (ofLE (entryChunk n e)) = entryChunk n e := by
    rw [hr]
    exact toLE_ofLE _
  have h5 : toLE 8 r1.length (ofLE r1) = r1 := toLE_ofLE r1
  unfold applyEntry
  rw [h1, h2, ← hr, h3, List.take_left' rfl, toLE_xor, h5, h4]

/-- The loop over entries from index `j`: the next word's bytes XORed in, then the rest. -/
theorem foldl_applyEntry_step (n j : Nat) (es : List (Nat × Nat)) (pre r1 r2 : Bytes)
    (h : entriesOk n j es = true) (hp : pre.length = 8 * j) (hr : r1.length = min (n - 8 * j) 8) :
    es.foldl (applyEntry n) (pre ++ (r1 ++ r2)) =
      (dropWord j es).foldl (applyEntry n)
        (pre ++ (List.zipWith (· ^^^ ·) r1 (toLE 8 (min (n - 8 * j) 8) (headWord j es)) ++ r2)) := by
  have hz : List.zipWith (· ^^^ ·) r1 (toLE 8 (min (n - 8 * j) 8) 0) = r1 := by
    rw [toLE_zero, ← hr, zipWith_xor_zeros]
  cases es with
  | nil => simp only [dropWord, headWord, hz]
  | cons e es =>
    by_cases he : e.1 = j
    · obtain ⟨i, w⟩ := e
      simp only at he
      subst j
      have hr' : r1.length = (entryChunk n (i, w)).length := by
        rw [entryChunk_pair, length_toLE, hr]
      rw [headWord_cons_self, dropWord_cons_self, List.foldl_cons,
        applyEntry_eq n pre r1 r2 (i, w) hp hr', entryChunk_pair]
    · rw [headWord_cons_ne j e es he, dropWord_cons_ne j e es he, hz]

/-- The loop over entries from index `j` XORs the dense bytes from byte `8 * j` into the rest of the state. -/
theorem foldl_applyEntry (n k : Nat) : ∀ (j : Nat) (es : List (Nat × Nat)) (pre rest : Bytes),
    entriesOk n j es = true → j + k = nwords n → pre.length = min (8 * j) n →
    rest.length = n - 8 * j →
    es.foldl (applyEntry n) (pre ++ rest) =
      pre ++ List.zipWith (· ^^^ ·) rest ((wordsBytes (wordsFrom k j es)).take (n - 8 * j)) := by
  induction k with
  | zero =>
    intro j es pre rest h hk _ hr
    have hN : nwords n = (n + 7) / 8 := rfl
    rw [entriesOk_nil_of n j es h (by omega)]
    have hr0 : rest = [] := List.eq_nil_of_length_eq_zero (by omega)
    subst hr0
    simp
  | succ k ih =>
    intro j es pre rest h hk hp hr
    have hN : nwords n = (n + 7) / 8 := rfl
    have hp' : pre.length = 8 * j := by omega
    have hc : (rest.take (min (n - 8 * j) 8)).length = min (n - 8 * j) 8 := by
      simp only [List.length_take]
      omega
    have hstep := foldl_applyEntry_step n j es pre (rest.take (min (n - 8 * j) 8))
      (rest.drop (min (n - 8 * j) 8)) h hp' hc
    rw [List.take_append_drop] at hstep
    rw [hstep, ← List.append_assoc]
    have hz : (List.zipWith (· ^^^ ·) (rest.take (min (n - 8 * j) 8))
        (toLE 8 (min (n - 8 * j) 8) (headWord j es))).length = min (n - 8 * j) 8 := by
      simp only [List.length_zipWith, hc, length_toLE] <;> omega
    rw [ih (j + 1) (dropWord j es)
      (pre ++ List.zipWith (· ^^^ ·) (rest.take (min (n - 8 * j) 8))
        (toLE 8 (min (n - 8 * j) 8) (headWord j es)))
      (rest.drop (min (n - 8 * j) 8)) (dropWord_ok n j es h) (by omega)
      (by rw [List.length_append, hz]; omega) (by simp only [List.length_drop]; omega)]
    have e1 : n - 8 * j - 8 = n - 8 * (j + 1) := by omega
    have e2 := zipWith_append_eq (· ^^^ ·) (rest.take (min (n - 8 * j) 8))
      (rest.drop (min (n - 8 * j) 8)) (toLE 8 (min (n - 8 * j) 8) (headWord j es))
      ((wordsBytes (wordsFrom k (j + 1) (dropWord j es))).take (n - 8 * (j + 1)))
      (by rw [hc, length_toLE])
    rw [List.take_append_drop] at e2
    simp only [wordsFrom, wordsBytes, take_append_gen, take_toLE, length_toLE, e1, e2,
      List.append_assoc]

/-- Applying a valid sparse delta to a state of its length is the byte-wise XOR with its dense delta. Python: apply_sparse(state, s) == bytes(a ^ b for a, b in zip(state, s.to_dense())). -/
theorem applySparse_eq_xor (st : Bytes) (s : Sparse) (h : s.Valid) (hl : st.length = s.length) :
    applySparse st s = some (List.zipWith (· ^^^ ·) st s.toDense) := by
  obtain ⟨n, es⟩ := s
  obtain ⟨_, _, _, hok⟩ := h
  have hl' : st.length = n := hl
  have e : Sparse.toDense ⟨n, es⟩ = (wordsBytes (wordsFrom (nwords n) 0 es)).take n :=
    toDense_eq ⟨n, es⟩ hok
  have g := foldl_applyEntry n (nwords n) 0 es [] st hok (by omega) (by simp)
    (by simp only [Nat.mul_zero, Nat.sub_zero]; exact hl')
  simp only [List.nil_append, Nat.mul_zero, Nat.sub_zero] at g
  show (if st.length = n then some (es.foldl (applyEntry n) st) else none) =
    some (List.zipWith (· ^^^ ·) st (Sparse.toDense ⟨n, es⟩))
  rw [if_pos hl', g, e]

/-- A state of another length is refused. Python: apply_sparse raises ShapeError. -/
theorem applySparse_shape (st : Bytes) (s : Sparse) (h : st.length ≠ s.length) :
    applySparse st s = none := by
  unfold applySparse
  rw [if_neg h]

/-- Applying the sparse form of a dense delta is the byte-wise XOR with it. Python: apply_sparse(state, SparseDelta.from_dense(d)). -/
theorem applySparse_fromDense (st d : Bytes) (hd : d.length < 2 ^ 32) (hl : st.length = d.length) :
    applySparse st (fromDense d) = some (List.zipWith (· ^^^ ·) st d) := by
  rw [applySparse_eq_xor st (fromDense d) (fromDense_valid d hd) hl, toDense_fromDense]

/-! #### The array path, and the fingerprint's chunks -/

/-- Eight little-endian bytes or fewer denote a u64. Python: a `<u8` word of _dense_words or chunk_words. -/
theorem ofLE_take_eight_lt (bs : Bytes) : ofLE (bs.take 8) < 2 ^ 64 := by
  have h1 := ofLE_lt (bs.take 8)
  have h2 : (2 ^ 8) ^ (bs.take 8).length ≤ 2 ^ 64 := by
    rw [← Nat.pow_mul]
    exact Nat.pow_le_pow_right (by decide) (by simp only [List.length_take]; omega)
  exact Nat.lt_of_lt_of_le h1 h2

/-- u64 words written as their little-endian bytes read back as the same words. Python: _dense_words of an array's `astype("<u8").tobytes()` is the array. -/
theorem denseWords_wordsBytes (ws : List Nat) (h : ∀ w ∈ ws, w < 2 ^ 64) :
    denseWords ws.length (wordsBytes ws) = ws := by
  induction ws with
  | nil => rfl
  | cons w ws ih =>
    have hw : w < 2 ^ (8 * 8) := h w (by simp)
    have hws : ∀ x ∈ ws, x < 2 ^ 64 := fun x hx => h x (by simp [hx])
    simp only [List.length_cons, wordsBytes, denseWords]
    rw [List.take_left' (length_toLE 8 8 w), List.drop_left' (length_toLE 8 8 w),
      ofLE_toLE_of_lt hw, ih hws]

/-- Refinement: the array path of from_dense (length `8 * size`, the words as they are) is the bytes path on the words' little-endian bytes. Python: SparseDelta.from_dense(arr) == SparseDelta.from_dense(arr.astype("<u8").tobytes()). -/
theorem fromDenseWords_eq_fromDense (ws : List Nat) (h : ∀ w ∈ ws, w < 2 ^ 64) :
    fromDenseWords ws = fromDense (wordsBytes ws) := by
  have hn : nwords (8 * ws.length) = ws.length := by unfold nwords; omega
  unfold fromDenseWords fromDense
  rw [length_wordsBytes, hn, denseWords_wordsBytes ws h]

/-- The sparse form of a u64 array of fewer than `2^32` bytes is a valid sparse delta. Python: SparseDelta.from_dense(arr) never raises RangeError. -/
theorem fromDenseWords_valid (ws : List Nat) (h : ∀ w ∈ ws, w < 2 ^ 64) (hl : 8 * ws.length < 2 ^ 32) :
    (fromDenseWords ws).Valid := by
  rw [fromDenseWords_eq_fromDense ws h]
  exact fromDense_valid _ (by rw [length_wordsBytes]; exact hl)

/-- Dense round trip of the array path: the dense delta of an array's sparse form is the array's little-endian bytes. Python: SparseDelta.from_dense(arr).to_dense() == arr.astype("<u8").tobytes(). -/
theorem toDense_fromDenseWords (ws : List Nat) (h : ∀ w ∈ ws, w < 2 ^ 64) :
    (fromDenseWords ws).toDense = wordsBytes ws := by
  rw [fromDenseWords_eq_fromDense ws h, toDense_fromDense]

/-- from_dense's words are the fingerprint's chunks: reading `k` little-endian words as naturals is the 64-bit chunking read as naturals. Python: _dense_words(d) equals atomik.fingerprint.chunk_words(d). -/
theorem denseWords_eq_chunksAux (k : Nat) : ∀ (bs : Bytes),
    denseWords k bs = (chunksAux k bs).map BitVec.toNat := by
  induction k with
  | zero => intro bs; rfl
  | succ k ih =>
    intro bs
    simp only [denseWords, chunksAux, List.map_cons]
    rw [BitVec.toNat_ofNat, Nat.mod_eq_of_lt (ofLE_take_eight_lt bs), ih]

/-- The words from_dense reads off a byte string are its fingerprint chunks. Python: SparseDelta.from_dense(d)'s words are the non-zero ones of chunk_words(d), at their positions. -/
theorem denseWords_eq_chunks64 (bs : Bytes) :
    denseWords (nwords bs.length) bs = (chunks64 bs).map BitVec.toNat :=
  denseWords_eq_chunksAux _ bs

/-! ## Either frame kind -/

/-- Either frame kind: a batch when the kind byte says so, otherwise one message. Python: atomik.wire.decode_any. -/
@[expose] noncomputable def decodeAny (bs : Bytes) : Result (List Msg) :=
  if bs[2]? = some kindBatch then decodeBatch bs else (decode bs).map (fun m => [m])

/-- A single-message frame reads back as the list of its one message. Python: decode_any(encode(m)) == [m]. -/
theorem decodeAny_encode (m : Msg) (h : m.Valid) : decodeAny (encode m) = .ok [m] := by
  have e : (encode m)[2]? = some kindMessage := by simp [encode, sealFrame]
  unfold decodeAny
  rw [e, if_neg (by decide), decode_encode m h]
  rfl

/-- A batch frame reads back as its messages in order, a batch of one included. Python: decode_any(encode_batch(ms)) == ms. -/
theorem decodeAny_encodeBatch (ms : List Msg) (h : ∀ m ∈ ms, m.Valid) (hn : ms.length < 2 ^ 32) :
    decodeAny (encodeBatch ms) = .ok ms := by
  have e : (encodeBatch ms)[2]? = some kindBatch := by simp [encodeBatch, sealFrame]
  unfold decodeAny
  rw [if_pos e]
  exact decodeBatch_encodeBatch ms h hn

/-- What decode_any accepts is canonical: the frame of its one message, or the batch frame of its list. Python: decode_any accepts no other bytes. -/
theorem encode_or_encodeBatch_of_decodeAny (b : Bytes) (ms : List Msg) (h : decodeAny b = .ok ms) :
    (∃ m, ms = [m] ∧ encode m = b) ∨ encodeBatch ms = b := by
  unfold decodeAny at h
  by_cases hk : b[2]? = some kindBatch
  · rw [if_pos hk] at h
    exact Or.inr (encodeBatch_of_decodeBatch b ms h)
  · rw [if_neg hk] at h
    cases hd : decode b with
    | ok m =>
      rw [hd] at h
      simp only [Result.map, Result.ok.injEq] at h
      exact Or.inl ⟨m, h.symm, encode_of_decode b m hd⟩
    | error e =>
      rw [hd] at h
      simp [Result.map] at h

end Atomik.Wire
