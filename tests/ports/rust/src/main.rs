//! The sample Rust port: the protocol shell (`atomik_shell::serve`) over a small backend.
//!   cargo build --release && target/release/atomik_port
//! ATOMIK_RUST_MUTANT=batch-drops-repeats plants a bug (a batch accumulate skips an address it
//! has already seen in the same batch) that the default fuzz run must find.
use atomik_shell::{serve, Backend};

struct Ctx {
    reference: Vec<u64>,
    accumulator: Vec<u64>,
}
struct Table {
    reference: Vec<u64>,
    accumulator: Vec<u64>,
}

struct Sample {
    ctxs: Vec<Ctx>,
    tables: Vec<Table>,
    drop_repeats: bool,
}

const OPS: &[&str] = &[
    "ctx.accum",
    "ctx.accum_many",
    "ctx.is_clean",
    "ctx.load",
    "ctx.merge",
    "ctx.new",
    "ctx.read",
    "ctx.rollback",
    "ctx.state",
    "ctx.swap",
    "delta.apply",
    "delta.compose",
    "delta.compose_all",
    "delta.compute",
    "fingerprint",
    "fingerprint.update_chunk",
    "hello",
    "reset",
    "table.accum",
    "table.accum_batch",
    "table.load",
    "table.load_batch",
    "table.new",
    "table.read",
    "table.read_batch",
    "table.rollback",
    "table.swap",
];

fn xor(a: &[u64], b: &[u64]) -> Vec<u64> {
    a.iter().zip(b).map(|(x, y)| x ^ y).collect()
}

impl Backend for Sample {
    fn implementation(&self) -> &str {
        "atomik-rust-sample"
    }
    fn ops(&self) -> &[&'static str] {
        OPS
    }
    fn widths_json(&self) -> &str {
        "[[1,4096]]"
    }
    fn has_width(&self, w: u32) -> bool {
        (1..=4096).contains(&w)
    }
    fn max_width(&self) -> u32 {
        4096
    }
    fn max_table(&self) -> i64 {
        65536
    }
    fn reset(&mut self) {
        self.ctxs.clear();
        self.tables.clear();
    }
    fn compose(&self, _w: u32, a: &[u64], b: &[u64]) -> Vec<u64> {
        xor(a, b)
    }
    fn compute(&self, _w: u32, old: &[u64], new: &[u64]) -> Vec<u64> {
        xor(old, new)
    }
    fn apply(&self, _w: u32, state: &[u64], delta: &[u64]) -> Vec<u64> {
        xor(state, delta)
    }
    fn ctx_new(&mut self, _w: u32, initial: &[u64]) -> usize {
        self.ctxs.push(Ctx {
            reference: initial.to_vec(),
            accumulator: vec![0; initial.len()],
        });
        self.ctxs.len() - 1
    }
    fn ctx_load(&mut self, c: usize, value: &[u64]) {
        let c = &mut self.ctxs[c];
        c.reference = value.to_vec();
        c.accumulator.iter_mut().for_each(|x| *x = 0);
    }
    fn ctx_accum(&mut self, c: usize, delta: &[u64]) {
        let c = &mut self.ctxs[c];
        c.accumulator = xor(&c.accumulator, delta);
    }
    fn ctx_rollback(&mut self, c: usize, delta: &[u64]) {
        self.ctx_accum(c, delta); // XOR is self-inverse
    }
    fn ctx_swap(&mut self, c: usize) {
        let c = &mut self.ctxs[c];
        c.reference = xor(&c.reference, &c.accumulator);
        c.accumulator.iter_mut().for_each(|x| *x = 0);
    }
    fn ctx_merge(&mut self, c: usize, other: usize) {
        let add = self.ctxs[other].accumulator.clone();
        self.ctx_accum(c, &add);
    }
    fn ctx_get(&self, c: usize) -> (Vec<u64>, Vec<u64>) {
        (
            self.ctxs[c].reference.clone(),
            self.ctxs[c].accumulator.clone(),
        )
    }
    fn table_new(&mut self, _w: u32, n: usize) -> usize {
        self.tables.push(Table {
            reference: vec![0; n],
            accumulator: vec![0; n],
        });
        self.tables.len() - 1
    }
    fn table_load(&mut self, t: usize, a: usize, value: u64) {
        self.tables[t].reference[a] = value;
        self.tables[t].accumulator[a] = 0;
    }
    fn table_accum(&mut self, t: usize, a: usize, delta: u64) {
        self.tables[t].accumulator[a] ^= delta;
    }
    fn table_rollback(&mut self, t: usize, a: usize, delta: u64) {
        self.tables[t].accumulator[a] ^= delta;
    }
    fn table_swap(&mut self, t: usize, a: usize) {
        let t = &mut self.tables[t];
        t.reference[a] ^= t.accumulator[a];
        t.accumulator[a] = 0;
    }
    fn table_get(&self, t: usize, a: usize) -> (u64, u64) {
        (self.tables[t].reference[a], self.tables[t].accumulator[a])
    }
    fn table_accum_batch(&mut self, t: usize, addrs: &[usize], deltas: &[u64]) {
        for (i, (a, d)) in addrs.iter().zip(deltas).enumerate() {
            if self.drop_repeats && addrs[..i].contains(a) {
                continue; // the planted bug
            }
            self.tables[t].accumulator[*a] ^= d;
        }
    }
    fn table_load_batch(&mut self, t: usize, addrs: &[usize], values: &[u64]) {
        for (a, v) in addrs.iter().zip(values) {
            self.table_load(t, *a, *v);
        }
    }
    fn fingerprint(&self, data: &[u8]) -> u64 {
        data.iter()
            .enumerate()
            .fold(0, |fp, (i, b)| fp ^ (u64::from(*b) << (8 * (i % 8))))
    }
    fn fingerprint_update(&self, fp: u64, old: u64, new: u64) -> u64 {
        fp ^ old ^ new
    }
}

fn main() {
    let drop_repeats = std::env::var("ATOMIK_RUST_MUTANT").as_deref() == Ok("batch-drops-repeats");
    serve(Sample {
        ctxs: Vec::new(),
        tables: Vec::new(),
        drop_repeats,
    });
}
