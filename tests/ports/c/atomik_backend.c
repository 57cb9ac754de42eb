/* The sample backend: delta-state algebra in plain C behind atomik_backend.h (valid input only;
 * the shell atomik_port.c does the protocol and every check).
 *
 * -DATOMIK_CORE64: a width-64-only library with only contexts (ctx.new/load/accum/read).
 * -DATOMIK_BUGGY: rollback ignores a delta whose top bit is set.
 * -DATOMIK_MUTANT=n (the backend's planted bugs): 2 batch accumulate overwrites, 3 swap keeps the
 * accumulator, 4 fingerprint reads the tail chunk big-endian, 6 merge moves the deltas (clears
 * the other's accumulator), 7 batch accumulate drops repeated addresses. The shell holds 1, 5,
 * 8 and 9 (checks).
 */
#ifndef ATOMIK_MUTANT
#define ATOMIK_MUTANT 0
#endif
#include "atomik_backend.h"
#include <stdlib.h>
#include <string.h>

typedef struct { int w, n; uint64_t ref[ATOMIK_MAX_WORDS], acc[ATOMIK_MAX_WORDS]; } Ctx;
typedef struct { int w; long long n; uint64_t *ref, *acc; } Table;

static int nw(int w) { return (w + 63) / 64; }
static void *must(void *p) { if (!p) exit(3); return p; }

#ifdef ATOMIK_CORE64
static const char *const OPS[] = {"ctx.accum", "ctx.load", "ctx.new", "ctx.read", "hello", "reset", NULL};
static int has_width(int w) { return w == 64; }
static const atomik_caps CAPS = {"atomik-c-sample", OPS, "[64]", has_width, 64, 65536};
#else
static const char *const OPS[] = {"ctx.accum", "ctx.accum_many", "ctx.is_clean", "ctx.load", "ctx.merge",
  "ctx.new", "ctx.read", "ctx.rollback", "ctx.state", "ctx.swap", "delta.apply", "delta.compose",
  "delta.compose_all", "delta.compute", "fingerprint", "fingerprint.update_chunk", "hello", "reset",
  "table.accum", "table.accum_batch", "table.load", "table.load_batch", "table.new", "table.read",
  "table.read_batch", "table.rollback", "table.swap", NULL};
static int has_width(int w) { return w >= 1 && w <= ATOMIK_MAX_WIDTH; }
static const atomik_caps CAPS = {"atomik-c-sample", OPS, "[[1,4096]]", has_width, ATOMIK_MAX_WIDTH, 65536};
#endif
const atomik_caps *atomik_backend_caps(void) { return &CAPS; }

static void xor_into(int w, const uint64_t *a, const uint64_t *b, uint64_t *out) {
  for (int i = 0; i < nw(w); i++) out[i] = a[i] ^ b[i];
}
void atomik_compose(int w, const uint64_t *a, const uint64_t *b, uint64_t *out) { xor_into(w, a, b, out); }
void atomik_compute(int w, const uint64_t *o, const uint64_t *n, uint64_t *out) { xor_into(w, o, n, out); }
void atomik_apply(int w, const uint64_t *s, const uint64_t *d, uint64_t *out) { xor_into(w, s, d, out); }

void *atomik_ctx_new(int w, const uint64_t *initial) {
  Ctx *c = must(calloc(1, sizeof *c));
  c->w = w; c->n = nw(w); memcpy(c->ref, initial, 8 * c->n);
  return c;
}
void atomik_ctx_free(void *c) { free(c); }
void atomik_ctx_load(void *p, const uint64_t *v) { Ctx *c = p; memcpy(c->ref, v, 8 * c->n); memset(c->acc, 0, sizeof c->acc); }
void atomik_ctx_accum(void *p, const uint64_t *d) { Ctx *c = p; xor_into(c->w, c->acc, d, c->acc); }
void atomik_ctx_rollback(void *p, const uint64_t *d) {
  Ctx *c = p;
#ifdef ATOMIK_BUGGY
  if ((d[(c->w - 1) / 64] >> ((c->w - 1) % 64)) & 1) return; /* the planted bug */
#endif
  xor_into(c->w, c->acc, d, c->acc);
}
void atomik_ctx_swap(void *p) {
  Ctx *c = p; xor_into(c->w, c->ref, c->acc, c->ref);
  if (ATOMIK_MUTANT != 3) memset(c->acc, 0, sizeof c->acc);
}
void atomik_ctx_merge(void *p, void *q) {
  Ctx *c = p, *o = q; xor_into(c->w, c->acc, o->acc, c->acc);
  if (ATOMIK_MUTANT == 6 && o != c) memset(o->acc, 0, sizeof o->acc);
}
void atomik_ctx_get(const void *p, uint64_t *ref, uint64_t *acc) {
  const Ctx *c = p; memcpy(ref, c->ref, 8 * c->n); memcpy(acc, c->acc, 8 * c->n);
}

void *atomik_table_new(int w, long long n) {
  Table *t = must(calloc(1, sizeof *t));
  t->w = w; t->n = n; t->ref = must(calloc(n, 8)); t->acc = must(calloc(n, 8));
  return t;
}
void atomik_table_free(void *p) { Table *t = p; free(t->ref); free(t->acc); free(t); }
void atomik_table_load(void *p, long long a, uint64_t v) { Table *t = p; t->ref[a] = v; t->acc[a] = 0; }
void atomik_table_accum(void *p, long long a, uint64_t d) { Table *t = p; t->acc[a] ^= d; }
void atomik_table_rollback(void *p, long long a, uint64_t d) { Table *t = p; t->acc[a] ^= d; }
void atomik_table_swap(void *p, long long a) { Table *t = p; t->ref[a] ^= t->acc[a]; t->acc[a] = 0; }
void atomik_table_get(const void *p, long long a, uint64_t *ref, uint64_t *acc) {
  const Table *t = p; *ref = t->ref[a]; *acc = t->acc[a];
}
void atomik_table_accum_batch(void *p, const long long *addrs, const uint64_t *d, int n) {
  Table *t = p;
  for (int i = 0; i < n; i++) {
    if (ATOMIK_MUTANT == 7) { int dup = 0; for (int j = 0; j < i; j++) dup |= addrs[j] == addrs[i]; if (dup) continue; }
    t->acc[addrs[i]] = ATOMIK_MUTANT == 2 ? d[i] : t->acc[addrs[i]] ^ d[i];
  }
}
void atomik_table_load_batch(void *p, const long long *addrs, const uint64_t *v, int n) {
  for (int i = 0; i < n; i++) atomik_table_load(p, addrs[i], v[i]);
}

uint64_t atomik_fingerprint(const uint8_t *data, size_t n) {
  uint64_t fp = 0;
  for (size_t b = 0; b < n; b++) {
    size_t pos = b % 8;  /* byte b, little-endian in its 8-byte chunk */
    if (ATOMIK_MUTANT == 4 && b >= n - n % 8) pos = 7 - pos;
    fp ^= (uint64_t)data[b] << (8 * pos);
  }
  return fp;
}
uint64_t atomik_fingerprint_update(uint64_t fp, uint64_t o, uint64_t n) { return fp ^ o ^ n; }
