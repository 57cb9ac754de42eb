//! The Rust protocol shell: `serve(backend)` speaks the atomik oracle protocol v1
//! (spec/oracle.md) on stdin/stdout for a [`Backend`] that only ever gets valid input.
//!
//! The shell owns the protocol: JSON lines, field types and word formats, widths, names, lookups,
//! addresses, ranges, lengths, merge's width and reference checks, the error codes and their
//! precedence (spec/oracle.md, "Validation order"). The backend owns the algebra. A value of
//! width `w` is `ceil(w / 64)` 64-bit words, least significant first. No dependencies.

use std::io::{self, BufRead, Write};

pub const MAX_WIDTH: i128 = 4096;
pub const MAX_TABLE: i128 = 65536;
const MAX_NAMES: usize = 256;
const MAX_LINE: usize = 1 << 20;

/// What a library implements to be served by the shell. Handles are the backend's own numbers.
pub trait Backend {
    fn implementation(&self) -> &str;
    /// Every op it supports (with "hello" and "reset"); any other op is `unknown_op`.
    fn ops(&self) -> &[&'static str];
    /// hello's "widths", e.g. `[64]` or `[[1,4096]]`, and the same set as a predicate.
    fn widths_json(&self) -> &str;
    fn has_width(&self, w: u32) -> bool;
    fn max_width(&self) -> u32;
    fn max_table(&self) -> i64;
    fn reset(&mut self);
    fn compose(&self, w: u32, a: &[u64], b: &[u64]) -> Vec<u64>;
    fn compute(&self, w: u32, old: &[u64], new: &[u64]) -> Vec<u64>;
    fn apply(&self, w: u32, state: &[u64], delta: &[u64]) -> Vec<u64>;
    fn ctx_new(&mut self, w: u32, initial: &[u64]) -> usize;
    fn ctx_load(&mut self, c: usize, value: &[u64]);
    fn ctx_accum(&mut self, c: usize, delta: &[u64]);
    fn ctx_rollback(&mut self, c: usize, delta: &[u64]);
    fn ctx_swap(&mut self, c: usize);
    /// Same width and reference (checked by the shell); `other` may be `c`.
    fn ctx_merge(&mut self, c: usize, other: usize);
    /// (reference, accumulator)
    fn ctx_get(&self, c: usize) -> (Vec<u64>, Vec<u64>);
    fn table_new(&mut self, w: u32, n: usize) -> usize;
    fn table_load(&mut self, t: usize, addr: usize, value: u64);
    fn table_accum(&mut self, t: usize, addr: usize, delta: u64);
    fn table_rollback(&mut self, t: usize, addr: usize, delta: u64);
    fn table_swap(&mut self, t: usize, addr: usize);
    fn table_get(&self, t: usize, addr: usize) -> (u64, u64);
    fn table_accum_batch(&mut self, t: usize, addrs: &[usize], deltas: &[u64]);
    fn table_load_batch(&mut self, t: usize, addrs: &[usize], values: &[u64]);
    fn fingerprint(&self, data: &[u8]) -> u64;
    fn fingerprint_update(&self, fp: u64, old: u64, new: u64) -> u64;
}

// ------------------------------------------------------------------------------------- JSON
#[derive(Clone, Debug)]
enum J {
    Null,
    Bool,
    Int(i128),
    Float,
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

struct P<'a> {
    s: &'a [u8],
    i: usize,
    depth: usize,
}

impl<'a> P<'a> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\r' | b'\n') {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn lit(&mut self, word: &str) -> Option<()> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Some(())
        } else {
            None
        }
    }
    fn string(&mut self) -> Option<String> {
        self.i += 1; // the opening quote
        let mut out = String::new();
        loop {
            let c = *self.s.get(self.i)?;
            self.i += 1;
            match c {
                b'"' => return Some(out),
                b'\\' => {
                    let e = *self.s.get(self.i)?;
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hex = std::str::from_utf8(self.s.get(self.i..self.i + 4)?).ok()?;
                            self.i += 4;
                            out.push(
                                char::from_u32(u32::from_str_radix(hex, 16).ok()?)
                                    .unwrap_or('\u{fffd}'),
                            );
                        }
                        _ => return None,
                    }
                }
                c if c < 0x20 => return None,
                _ => {
                    // copy one UTF-8 sequence
                    let start = self.i - 1;
                    let mut end = self.i;
                    while end < self.s.len() && (self.s[end] & 0xC0) == 0x80 {
                        end += 1;
                    }
                    out.push_str(std::str::from_utf8(&self.s[start..end]).ok()?);
                    self.i = end;
                }
            }
        }
    }
    fn number(&mut self) -> Option<J> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let digits = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if self.i == digits || (self.s[digits] == b'0' && self.i - digits > 1) {
            return None;
        }
        let mut float = false;
        if self.peek() == Some(b'.') {
            float = true;
            self.i += 1;
            let f = self.i;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
            if self.i == f {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e') | Some(b'E')) {
            float = true;
            self.i += 1;
            if matches!(self.peek(), Some(b'+') | Some(b'-')) {
                self.i += 1;
            }
            let e = self.i;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
            if self.i == e {
                return None;
            }
        }
        if float {
            return Some(J::Float);
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        // Beyond i128 the value is out of every range anyway: clamp, keeping the sign.
        Some(J::Int(text.parse::<i128>().unwrap_or(
            if text.starts_with('-') {
                i128::MIN
            } else {
                i128::MAX
            },
        )))
    }
    fn value(&mut self) -> Option<J> {
        self.ws();
        self.depth += 1;
        if self.depth > 64 {
            return None;
        }
        let v = match self.peek()? {
            b'{' => {
                self.i += 1;
                let mut fields = Vec::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        if self.peek() != Some(b'"') {
                            return None;
                        }
                        let k = self.string()?;
                        self.ws();
                        if self.peek() != Some(b':') {
                            return None;
                        }
                        self.i += 1;
                        let v = self.value()?;
                        fields.push((k, v));
                        self.ws();
                        match self.peek()? {
                            b',' => self.i += 1,
                            b'}' => {
                                self.i += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                J::Obj(fields)
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                } else {
                    loop {
                        items.push(self.value()?);
                        self.ws();
                        match self.peek()? {
                            b',' => self.i += 1,
                            b']' => {
                                self.i += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                J::Arr(items)
            }
            b'"' => J::Str(self.string()?),
            b't' => self.lit("true").map(|_| J::Bool)?,
            b'f' => self.lit("false").map(|_| J::Bool)?,
            b'n' => self.lit("null").map(|_| J::Null)?,
            _ => self.number()?,
        };
        self.depth -= 1;
        Some(v)
    }
}

fn parse(line: &str) -> Option<J> {
    let mut p = P {
        s: line.as_bytes(),
        i: 0,
        depth: 0,
    };
    let v = p.value()?;
    p.ws();
    (p.i == p.s.len()).then_some(v)
}

fn esc(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ------------------------------------------------------------------------------------- the shell
struct Fail(&'static str, String);
type R<T> = Result<T, Fail>;
fn fail<T>(code: &'static str, msg: impl Into<String>) -> R<T> {
    Err(Fail(code, msg.into()))
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Ctx,
    Table,
}
struct Obj {
    name: String,
    kind: Kind,
    w: u32,
    h: usize,
    n: usize,
}

fn nwords(w: u32) -> usize {
    w.div_ceil(64) as usize
}
fn word_json(x: u64) -> String {
    format!("\"0x{x:016x}\"")
}
fn value_json(v: &[u64], w: u32) -> String {
    if w <= 64 {
        word_json(v[0])
    } else {
        format!(
            "[{}]",
            v.iter()
                .map(|x| word_json(*x))
                .collect::<Vec<_>>()
                .join(",")
        )
    }
}
fn state_json(r: &[u64], a: &[u64], w: u32) -> String {
    let s: Vec<u64> = r.iter().zip(a).map(|(x, y)| x ^ y).collect();
    format!(
        "{{\"accumulator\":{},\"reference\":{},\"state\":{}}}",
        value_json(a, w),
        value_json(r, w),
        value_json(&s, w)
    )
}

struct Shell<B: Backend> {
    b: B,
    objs: Vec<Obj>,
}

struct Req<'a>(&'a [(String, J)]);
impl<'a> Req<'a> {
    fn get(&self, k: &str) -> Option<&'a J> {
        self.0
            .iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v)
    }
    fn field(&self, k: &str) -> R<&'a J> {
        match self.get(k) {
            Some(v) => Ok(v),
            None => fail("bad_request", format!("missing field {k}")),
        }
    }
    fn int(&self, k: &str) -> R<i128> {
        match self.field(k)? {
            J::Int(i) => Ok(*i),
            _ => fail("bad_request", format!("{k} must be a JSON integer")),
        }
    }
    fn list(&self, k: &str) -> R<&'a [J]> {
        match self.field(k)? {
            J::Arr(v) => Ok(v),
            _ => fail("bad_request", format!("{k} must be a JSON array")),
        }
    }
}

fn word(j: &J, what: &str) -> R<u64> {
    if let J::Str(s) = j {
        let b = s.as_bytes();
        if b.len() == 18
            && s.starts_with("0x")
            && b[2..]
                .iter()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
        {
            return Ok(u64::from_str_radix(&s[2..], 16).unwrap());
        }
    }
    fail(
        "bad_request",
        format!("{what} must be a word \"0x\" + 16 lowercase hex digits"),
    )
}
fn value(j: &J, w: u32, what: &str) -> R<Vec<u64>> {
    if w <= 64 {
        return Ok(vec![word(j, what)?]);
    }
    let n = nwords(w);
    match j {
        J::Arr(items) if items.len() == n => items.iter().map(|x| word(x, what)).collect(),
        J::Arr(_) => fail(
            "width_mismatch",
            format!("{what} for width {w} must have {n} words"),
        ),
        _ => fail(
            "bad_request",
            format!("{what} for width {w} must be a list of {n} words"),
        ),
    }
}
fn fits(v: &[u64], w: u32, what: &str) -> R<()> {
    let r = w - 64 * (nwords(w) as u32 - 1);
    if r < 64 && v[v.len() - 1] >> r != 0 {
        return fail("range", format!("{what} does not fit width {w}"));
    }
    Ok(())
}

impl<B: Backend> Shell<B> {
    fn width(&self, q: &Req) -> R<u32> {
        let w = q.int("width")?;
        if !(1..=MAX_WIDTH).contains(&w) {
            return fail("width", format!("width must be in 1..{MAX_WIDTH}"));
        }
        if !self.b.has_width(w as u32) {
            return fail("width", format!("width {w} is not one this port supports"));
        }
        Ok(w as u32)
    }
    fn new_name(&self, q: &Req) -> R<String> {
        let ok = |s: &str| {
            (1..=32).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
        };
        let name = match q.field("name")? {
            J::Str(s) if ok(s) => s.clone(),
            _ => return fail("bad_request", "name must match [A-Za-z0-9_]{1,32}"),
        };
        if self.objs.iter().any(|o| o.name == name) {
            return fail("name_taken", format!("an object named {name} exists"));
        }
        if self.objs.len() >= MAX_NAMES {
            return fail(
                "range",
                format!("a session holds at most {MAX_NAMES} objects"),
            );
        }
        Ok(name)
    }
    fn lookup(&self, q: &Req, kind: Kind, k: &str) -> R<usize> {
        if let J::Str(s) = q.field(k)? {
            if let Some(i) = self
                .objs
                .iter()
                .position(|o| &o.name == s && o.kind == kind)
            {
                return Ok(i);
            }
        }
        fail(
            "unknown_object",
            format!(
                "no {} with that name",
                if kind == Kind::Ctx {
                    "context"
                } else {
                    "table"
                }
            ),
        )
    }
    fn values(&self, q: &Req, k: &str, w: u32) -> R<Vec<Vec<u64>>> {
        let vs = q
            .list(k)?
            .iter()
            .map(|x| value(x, w, k))
            .collect::<R<Vec<_>>>()?;
        for v in &vs {
            fits(v, w, k)?;
        }
        Ok(vs)
    }
    fn addrs(&self, q: &Req) -> R<Vec<i128>> {
        q.list("addrs")?
            .iter()
            .map(|a| match a {
                J::Int(i) => Ok(*i),
                _ => fail("bad_request", "addrs must be integers"),
            })
            .collect()
    }
    fn address(&self, t: &Obj, a: i128) -> R<usize> {
        if a < 0 || a >= t.n as i128 {
            return fail("address", "address out of range");
        }
        Ok(a as usize)
    }
    fn ctx_state(&self, i: usize) -> String {
        let o = &self.objs[i];
        let (r, a) = self.b.ctx_get(o.h);
        state_json(&r, &a, o.w)
    }
    fn addr_state(&self, i: usize, a: usize) -> String {
        let t = &self.objs[i];
        let (r, x) = self.b.table_get(t.h, a);
        format!(
            "{{\"accumulator\":{},\"addr\":{a},\"reference\":{},\"state\":{}}}",
            word_json(x),
            word_json(r),
            word_json(r ^ x)
        )
    }

    fn dispatch(&mut self, op: &str, q: &Req) -> R<String> {
        if !self.b.ops().contains(&op) {
            return fail("unknown_op", format!("unknown op {op}"));
        }
        match op {
            "hello" => {
                let ops = self
                    .b
                    .ops()
                    .iter()
                    .map(|o| esc(o))
                    .collect::<Vec<_>>()
                    .join(",");
                Ok(format!(
                    "{{\"implementation\":{},\"max_table\":{},\"max_width\":{},\"ops\":[{ops}],\"protocol\":1,\"widths\":{}}}",
                    esc(self.b.implementation()),
                    self.b.max_table(),
                    self.b.max_width(),
                    self.b.widths_json()
                ))
            }
            "reset" => {
                self.objs.clear();
                self.b.reset();
                Ok("null".into())
            }
            "delta.compose" | "delta.compute" | "delta.apply" => {
                let (k1, k2) = match op {
                    "delta.compose" => ("a", "b"),
                    "delta.compute" => ("old", "new"),
                    _ => ("state", "delta"),
                };
                let w = self.width(q)?;
                let a = value(q.field(k1)?, w, k1)?;
                let b = value(q.field(k2)?, w, k2)?;
                fits(&a, w, k1)?;
                fits(&b, w, k2)?;
                let out = match op {
                    "delta.compose" => self.b.compose(w, &a, &b),
                    "delta.compute" => self.b.compute(w, &a, &b),
                    _ => self.b.apply(w, &a, &b),
                };
                Ok(value_json(&out, w))
            }
            "delta.compose_all" => {
                let w = self.width(q)?;
                let mut acc = vec![0u64; nwords(w)];
                for d in self.values(q, "deltas", w)? {
                    acc = self.b.compose(w, &acc, &d);
                }
                Ok(value_json(&acc, w))
            }
            "ctx.new" => {
                let w = self.width(q)?;
                let name = self.new_name(q)?;
                let init = match q.get("initial") {
                    Some(j) => value(j, w, "initial")?,
                    None => vec![0u64; nwords(w)],
                };
                fits(&init, w, "initial")?;
                let h = self.b.ctx_new(w, &init);
                self.objs.push(Obj {
                    name,
                    kind: Kind::Ctx,
                    w,
                    h,
                    n: 0,
                });
                Ok(self.ctx_state(self.objs.len() - 1))
            }
            "table.new" => {
                let w = self.width(q)?;
                if w > 64 {
                    return fail("width", "tables hold widths 1..64");
                }
                let n = q.int("size")?;
                let max = self.b.max_table().min(MAX_TABLE as i64) as i128;
                if n < 1 || n > max {
                    return fail("range", format!("size must be in 1..{max}"));
                }
                let name = self.new_name(q)?;
                let h = self.b.table_new(w, n as usize);
                self.objs.push(Obj {
                    name,
                    kind: Kind::Table,
                    w,
                    h,
                    n: n as usize,
                });
                Ok(format!("{{\"size\":{n},\"width\":{w}}}"))
            }
            _ if op.starts_with("ctx.") => {
                let i = self.lookup(q, Kind::Ctx, "name")?;
                let (w, h) = (self.objs[i].w, self.objs[i].h);
                let verb = &op[4..];
                match verb {
                    "load" | "accum" | "rollback" => {
                        let key = if verb == "load" { "value" } else { "delta" };
                        let v = value(q.field(key)?, w, key)?;
                        fits(&v, w, key)?;
                        match verb {
                            "load" => self.b.ctx_load(h, &v),
                            "accum" => self.b.ctx_accum(h, &v),
                            _ => self.b.ctx_rollback(h, &v),
                        }
                    }
                    "accum_many" => {
                        for d in self.values(q, "deltas", w)? {
                            self.b.ctx_accum(h, &d);
                        }
                    }
                    "read" => {
                        let (r, a) = self.b.ctx_get(h);
                        let s: Vec<u64> = r.iter().zip(&a).map(|(x, y)| x ^ y).collect();
                        return Ok(value_json(&s, w));
                    }
                    "is_clean" => {
                        let (_, a) = self.b.ctx_get(h);
                        return Ok(if a.iter().all(|x| *x == 0) {
                            "true"
                        } else {
                            "false"
                        }
                        .into());
                    }
                    "swap" => self.b.ctx_swap(h),
                    "merge" => {
                        let j = self.lookup(q, Kind::Ctx, "other")?;
                        if self.objs[j].w != w {
                            return fail(
                                "width_mismatch",
                                "cannot merge contexts of different widths",
                            );
                        }
                        if self.b.ctx_get(h).0 != self.b.ctx_get(self.objs[j].h).0 {
                            return fail("reference_mismatch", "merge expects a shared reference");
                        }
                        self.b.ctx_merge(h, self.objs[j].h);
                    }
                    _ => {} // "state"
                }
                Ok(self.ctx_state(i))
            }
            _ if op.starts_with("table.") => {
                let i = self.lookup(q, Kind::Table, "name")?;
                let verb = &op[6..];
                let (w, h) = (self.objs[i].w, self.objs[i].h);
                match verb {
                    "accum_batch" | "load_batch" | "read_batch" => {
                        let raw = self.addrs(q)?;
                        let key = if verb == "accum_batch" {
                            "deltas"
                        } else {
                            "values"
                        };
                        let xs = if verb == "read_batch" {
                            Vec::new()
                        } else {
                            q.list(key)?
                                .iter()
                                .map(|x| word(x, key))
                                .collect::<R<Vec<_>>>()?
                        };
                        let addrs = raw
                            .iter()
                            .map(|a| self.address(&self.objs[i], *a))
                            .collect::<R<Vec<_>>>()?;
                        if verb == "read_batch" {
                            let out: Vec<String> = addrs
                                .iter()
                                .map(|a| {
                                    let (r, x) = self.b.table_get(h, *a);
                                    word_json(r ^ x)
                                })
                                .collect();
                            return Ok(format!("[{}]", out.join(",")));
                        }
                        for x in &xs {
                            fits(&[*x], w, key)?;
                        }
                        if addrs.len() != xs.len() {
                            return fail(
                                "shape",
                                format!("addrs and {key} must have the same length"),
                            );
                        }
                        if verb == "accum_batch" {
                            self.b.table_accum_batch(h, &addrs, &xs);
                        } else {
                            self.b.table_load_batch(h, &addrs, &xs);
                        }
                        Ok("null".into())
                    }
                    _ => {
                        let a = q.int("addr")?;
                        let key = match verb {
                            "load" => Some("value"),
                            "accum" | "rollback" => Some("delta"),
                            _ => None,
                        };
                        let x = match key {
                            Some(k) => word(q.field(k)?, k)?,
                            None => 0,
                        };
                        let a = self.address(&self.objs[i], a)?;
                        if let Some(k) = key {
                            fits(&[x], w, k)?;
                        }
                        match verb {
                            "read" => {
                                let (r, v) = self.b.table_get(h, a);
                                return Ok(word_json(r ^ v));
                            }
                            "load" => self.b.table_load(h, a, x),
                            "accum" => self.b.table_accum(h, a, x),
                            "rollback" => self.b.table_rollback(h, a, x),
                            _ => self.b.table_swap(h, a),
                        }
                        Ok(self.addr_state(i, a))
                    }
                }
            }
            "fingerprint" => {
                let data = match q.field("data")? {
                    J::Str(s)
                        if s.len() % 2 == 0
                            && s.bytes()
                                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)) =>
                    {
                        s
                    }
                    _ => {
                        return fail(
                            "bad_request",
                            "data must be an even-length lowercase hex string",
                        )
                    }
                };
                let bytes: Vec<u8> = (0..data.len())
                    .step_by(2)
                    .map(|k| u8::from_str_radix(&data[k..k + 2], 16).unwrap())
                    .collect();
                Ok(word_json(self.b.fingerprint(&bytes)))
            }
            "fingerprint.update_chunk" => {
                let fp = word(q.field("fp")?, "fp")?;
                let old = word(q.field("old")?, "old")?;
                let new = word(q.field("new")?, "new")?;
                Ok(word_json(self.b.fingerprint_update(fp, old, new)))
            }
            _ => fail("unknown_op", format!("unknown op {op}")),
        }
    }

    fn answer(&mut self, line: &str) -> String {
        let err = |id: &str, code: &str, msg: &str| {
            format!(
                "{{\"error\":{{\"code\":\"{code}\",\"message\":{}}},\"id\":{id},\"ok\":false}}",
                esc(msg)
            )
        };
        if line.len() > MAX_LINE {
            return err("null", "bad_json", "line too long");
        }
        let fields = match parse(line) {
            Some(J::Obj(f)) => f,
            Some(_) => return err("null", "bad_json", "a request must be a JSON object"),
            None => return err("null", "bad_json", "not valid JSON"),
        };
        let q = Req(&fields);
        let id = match q.get("id") {
            Some(J::Int(i)) => i.to_string(),
            Some(J::Str(s)) => esc(s),
            _ => "null".into(),
        };
        let res = (|| {
            if let Some(v) = q.get("v") {
                if !matches!(v, J::Int(1)) {
                    return fail(
                        "unsupported_version",
                        "protocol version not supported (this is 1)",
                    );
                }
            }
            let op = match q.get("op") {
                Some(J::Str(s)) => s.clone(),
                _ => return fail("bad_request", "op must be a string"),
            };
            self.dispatch(&op, &q)
        })();
        match res {
            Ok(result) => format!("{{\"id\":{id},\"ok\":true,\"result\":{result}}}"),
            Err(Fail(code, msg)) => err(&id, code, &msg),
        }
    }
}

/// Serve stdin to stdout until end of input.
pub fn serve<B: Backend>(backend: B) {
    let mut shell = Shell {
        b: backend,
        objs: Vec::new(),
    };
    let stdin = io::stdin();
    let mut out = io::stdout().lock();
    let mut buf = Vec::new();
    let mut input = stdin.lock();
    loop {
        buf.clear();
        match input.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            continue;
        }
        let _ = writeln!(out, "{}", shell.answer(line));
        let _ = out.flush();
    }
}
