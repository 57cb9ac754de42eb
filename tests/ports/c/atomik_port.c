/* A sample atomik port in C (libc only) speaking the oracle protocol v1 (spec/oracle.md).
 *
 * Reads one JSON request per line on stdin, writes one JSON response per line on stdout.
 * Supports widths 1..4096 (contexts and delta ops; tables 1..64), the delta, ctx, table and
 * fingerprint ops (not wire.*: it answers unknown_op, and says so in hello). It parses the
 * protocol's compact subset (spec/oracle.md, "Compact subset"): one flat object whose values are
 * strings without escapes, integers, true/false/null, or arrays (nested at most two deep) of
 * those. Anything else is answered bad_json.
 *
 * Build: cc -O2 -std=c11 -o atomik_port atomik_port.c
 * Built with -DATOMIK_BUGGY it carries a planted bug (rollback ignores a delta whose top bit is
 * set) that the differential runner must find: python -m atomik.conformance.port -- ./buggy
 * Built with -DATOMIK_CORE64 it is a width-64-only port with only ctx.new/load/accum/read (and
 * hello/reset), the shape of many real C, Rust and RTL cores, and says so in hello.
 * Other planted bugs, one per -DATOMIK_MUTANT=n, measure what the runner catches (tests only):
 * 1 range check off by one, 2 batch accumulate overwrites, 3 swap keeps the accumulator,
 * 4 fingerprint reads the tail chunk big-endian, 5 merge skips the reference check,
 * 6 merge moves the deltas (clears the other's accumulator), 7 batch accumulate drops repeated
 * addresses, 8 a wide value's top word is not range-checked, 9 an out-of-range value is masked
 * to its width instead of rejected.
 */
#ifndef ATOMIK_MUTANT
#define ATOMIK_MUTANT 0
#endif
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { T_STR = 1, T_INT, T_BOOL, T_NULL, T_ARR, T_OTHER };
typedef struct { int t; char *s; long long i; int first, n; } Tok;
typedef struct { char *key; Tok v; } Field;
#define MAXF 32
#define MAXI 65536
#define MAXW 4096
#define MAXT 65536
static Field F[MAXF];
static int nf;
static Tok items[MAXI];
static int nitems;
static char *p;

static void ws(void) { while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++; }
static int pstr(char **out) {
  if (*p != '"') return 0;
  char *s = ++p;
  while (*p && *p != '"') { if (*p == '\\') return 0; p++; }
  if (!*p) return 0;
  *p++ = 0; *out = s; return 1;
}
static int pval(Tok *t, int depth);
static int parr(Tok *t, int depth) {  /* p is at '['; items are stored contiguously */
  Tok tmp[4096]; int n = 0;
  if (depth > 2) return 0;
  p++; t->t = T_ARR; ws();
  if (*p == ']') p++;
  else for (;;) {
    if (n == 4096 || !pval(&tmp[n++], depth + 1)) return 0;
    ws();
    if (*p == ',') { p++; continue; }
    if (*p == ']') { p++; break; }
    return 0;
  }
  if (nitems + n > MAXI) return 0;
  t->first = nitems; t->n = n;
  memcpy(&items[nitems], tmp, n * sizeof *tmp); nitems += n;
  return 1;
}
static int pval(Tok *t, int depth) {
  ws();
  if (*p == '[') return parr(t, depth);
  if (*p == '"') { t->t = T_STR; return pstr(&t->s); }
  if (*p == '-' || isdigit((unsigned char)*p)) {
    char *e; errno = 0;
    t->i = strtoll(p, &e, 10);  /* overflow clamps, which keeps every range error a range error */
    if (e == p) return 0;
    t->t = T_INT;
    if (*e == '.' || *e == 'e' || *e == 'E') { t->t = T_OTHER; strtod(p, &e); }
    p = e; return 1;
  }
  if (!strncmp(p, "true", 4)) { t->t = T_BOOL; t->i = 1; p += 4; return 1; }
  if (!strncmp(p, "false", 5)) { t->t = T_BOOL; t->i = 0; p += 5; return 1; }
  if (!strncmp(p, "null", 4)) { t->t = T_NULL; p += 4; return 1; }
  return 0;
}
static int parse(char *line) {
  p = line; nf = 0; nitems = 0; ws();
  if (*p++ != '{') return 0;
  ws();
  if (*p == '}') { p++; ws(); return *p == 0; }
  for (;;) {
    ws();
    if (nf == MAXF) return 0;
    Field *f = &F[nf++];
    if (!pstr(&f->key)) return 0;
    ws(); if (*p++ != ':') return 0; ws();
    if (!pval(&f->v, 1)) return 0;
    ws();
    if (*p == ',') { p++; continue; }
    if (*p == '}') { p++; break; }
    return 0;
  }
  ws(); return *p == 0;
}

/* ------------------------------------------------------------------ output and errors */
static char *out; static size_t olen, ocap;
static void put(const char *fmt, ...) {
  va_list ap; va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap); va_end(ap);
  if (olen + n + 1 > ocap) { ocap = (olen + n + 1) * 2; out = realloc(out, ocap); if (!out) exit(3); }
  va_start(ap, fmt); vsnprintf(out + olen, n + 1, fmt, ap); va_end(ap);
  olen += n;
}
static jmp_buf J; static const char *ecode; static char emsg[160];
static void fail(const char *code, const char *fmt, ...) {
  va_list ap; va_start(ap, fmt); vsnprintf(emsg, sizeof emsg, fmt, ap); va_end(ap);
  ecode = code; longjmp(J, 1);
}
static Field *get(const char *k) { for (int i = nf - 1; i >= 0; i--) if (!strcmp(F[i].key, k)) return &F[i]; return NULL; }
static Field *need(const char *k) { Field *f = get(k); if (!f) fail("bad_request", "missing field %s", k); return f; }
static long long geti(const char *k) {
  Field *f = need(k); if (f->v.t != T_INT) fail("bad_request", "%s must be a JSON integer", k); return f->v.i;
}
static Tok *arr(const char *k, int *n) {
  Field *f = need(k); if (f->v.t != T_ARR) fail("bad_request", "%s must be a JSON array", k);
  *n = f->v.n; return &items[f->v.first];
}
static uint64_t word(Tok *t, const char *what) {
  if (t->t != T_STR || strlen(t->s) != 18 || t->s[0] != '0' || t->s[1] != 'x') goto bad;
  for (int i = 2; i < 18; i++) if (!isdigit((unsigned char)t->s[i]) && !(t->s[i] >= 'a' && t->s[i] <= 'f')) goto bad;
  return strtoull(t->s + 2, NULL, 16);
bad: fail("bad_request", "%s must be a word 0x + 16 lowercase hex digits", what); return 0;
}
/* A value of up to 4096 bits: 64 words, least significant first. */
#define NW 64
typedef struct { uint64_t w[NW]; } V;
static int nwords(int w) { return (w + 63) / 64; }
static void getv(Tok *t, int w, const char *what, V *out) {  /* format only: no range check */
  memset(out, 0, sizeof *out);
  if (w <= 64) { out->w[0] = word(t, what); return; }
  if (t->t != T_ARR) fail("bad_request", "%s for width %d must be a list of words", what, w);
  if (t->n != nwords(w)) fail("width_mismatch", "%s for width %d must have %d words", what, w, nwords(w));
  for (int i = 0; i < t->n; i++) out->w[i] = word(&items[t->first + i], what);
}
static void fitv(V *v, int w, const char *what) {
  int top = nwords(w) - 1, r = w - 64 * top;  /* bits used in the top word: 1..64 */
  if (ATOMIK_MUTANT == 1) r += r < 64;
  if (ATOMIK_MUTANT == 8 && w > 64) return;
  if (r < 64 && (v->w[top] >> r)) {
    if (ATOMIK_MUTANT == 9) { v->w[top] &= (1ULL << r) - 1; return; }
    fail("range", "%s does not fit width %d", what, w);
  }
}
static void fit(uint64_t v, int w, const char *what) { V x = {{0}}; x.w[0] = v; fitv(&x, w, what); }
static uint64_t fitted(uint64_t v, int w, const char *what) { V x = {{0}}; x.w[0] = v; fitv(&x, w, what); return x.w[0]; }
static void vxor(V *a, const V *b, int w) { for (int i = 0; i < nwords(w); i++) a->w[i] ^= b->w[i]; }
static int vzero(const V *a, int w) { for (int i = 0; i < nwords(w); i++) if (a->w[i]) return 0; return 1; }
static int veq(const V *a, const V *b, int w) { return !memcmp(a->w, b->w, 8 * nwords(w)); }
static int width(void) {
  long long w = geti("width");
  if (w < 1 || w > MAXW) fail("width", "width must be in 1..%d", MAXW);
#ifdef ATOMIK_CORE64
  if (w != 64) fail("width", "this port supports width 64 only");
#endif
  return (int)w;
}
static void pword(uint64_t v) { put("\"0x%016llx\"", (unsigned long long)v); }
static void pv(const V *v, int w) {
  if (w <= 64) { pword(v->w[0]); return; }
  put("[");
  for (int i = 0; i < nwords(w); i++) { put(i ? "," : ""); pword(v->w[i]); }
  put("]");
}

/* ------------------------------------------------------------------ session objects */
typedef struct { char name[33]; int kind, w; V ref, acc; uint64_t *tref, *tacc; long long n; } Obj;
enum { CTX = 1, TABLE = 2 };
static Obj objs[256]; static int nobj;
static Obj *lookup(const char *key, int kind) {
  Field *f = need(key);
  if (f->v.t == T_STR) for (int i = 0; i < nobj; i++)
    if (objs[i].kind == kind && !strcmp(objs[i].name, f->v.s)) return &objs[i];
  fail("unknown_object", "no %s with that name", kind == CTX ? "context" : "table"); return NULL;
}
static const char *newname(void) {
  Field *f = need("name"); size_t n = f->v.t == T_STR ? strlen(f->v.s) : 0;
  if (n < 1 || n > 32) fail("bad_request", "name must match [A-Za-z0-9_]{1,32}");
  for (size_t i = 0; i < n; i++) if (!isalnum((unsigned char)f->v.s[i]) && f->v.s[i] != '_') fail("bad_request", "name must match [A-Za-z0-9_]{1,32}");
  for (int i = 0; i < nobj; i++) if (!strcmp(objs[i].name, f->v.s)) fail("name_taken", "an object with that name exists");
  if (nobj >= 256) fail("range", "a session holds at most 256 objects");
  return f->v.s;
}
static void state(const V *ref, const V *acc, int w) {
  V s = *ref; vxor(&s, acc, w);
  put("{\"accumulator\":"); pv(acc, w); put(",\"reference\":"); pv(ref, w); put(",\"state\":"); pv(&s, w); put("}");
}
static long long addr(Obj *t, long long a) { if (a < 0 || a >= t->n) fail("address", "address out of range"); return a; }

/* ------------------------------------------------------------------ ops */
static void op_binary(const char *k1, const char *k2) {
  int w = width(); V a, b;
  getv(&need(k1)->v, w, k1, &a); getv(&need(k2)->v, w, k2, &b);
  fitv(&a, w, k1); fitv(&b, w, k2); vxor(&a, &b, w); pv(&a, w);
}
static V xor_values(const char *k, int w) {
  int n; Tok *t = arr(k, &n); V acc = {{0}}, v;
  for (int i = 0; i < n; i++) getv(&t[i], w, k, &v);
  for (int i = 0; i < n; i++) { getv(&t[i], w, k, &v); fitv(&v, w, k); vxor(&acc, &v, w); }
  return acc;
}
#ifdef ATOMIK_CORE64
static const char *OPS[] = {"ctx.accum", "ctx.load", "ctx.new", "ctx.read", "hello", "reset", NULL};
#define WIDTHS "[64]"
#else
static const char *OPS[] = {"ctx.accum", "ctx.accum_many", "ctx.is_clean", "ctx.load", "ctx.merge",
  "ctx.new", "ctx.read", "ctx.rollback", "ctx.state", "ctx.swap", "delta.apply", "delta.compose",
  "delta.compose_all", "delta.compute", "fingerprint", "fingerprint.update_chunk", "hello", "reset",
  "table.accum", "table.accum_batch", "table.load", "table.load_batch", "table.new", "table.read",
  "table.read_batch", "table.rollback", "table.swap", NULL};
#define WIDTHS "[[1,4096]]"
#endif
static void dispatch(const char *op) {
  int known = 0;
  for (int i = 0; OPS[i]; i++) known |= !strcmp(op, OPS[i]);
  if (!known) fail("unknown_op", "unknown op");
  if (!strcmp(op, "hello")) {
    put("{\"implementation\":\"atomik-c-sample\",\"max_table\":%d,\"max_width\":%d,\"ops\":[", MAXT,
        WIDTHS[1] == '6' ? 64 : MAXW);
    for (int i = 0; OPS[i]; i++) put("%s\"%s\"", i ? "," : "", OPS[i]);
    put("],\"protocol\":1,\"widths\":%s}", WIDTHS);
  } else if (!strcmp(op, "reset")) {
    for (int i = 0; i < nobj; i++) { free(objs[i].tref); free(objs[i].tacc); }
    nobj = 0; put("null");
  } else if (!strcmp(op, "delta.compose")) op_binary("a", "b");
  else if (!strcmp(op, "delta.compute")) op_binary("old", "new");
  else if (!strcmp(op, "delta.apply")) op_binary("state", "delta");
  else if (!strcmp(op, "delta.compose_all")) { int w = width(); V x = xor_values("deltas", w); pv(&x, w); }
  else if (!strcmp(op, "ctx.new")) {
    int w = width(); const char *name = newname(); V init = {{0}}; Field *f = get("initial");
    if (f) { getv(&f->v, w, "initial", &init); fitv(&init, w, "initial"); }
    Obj *o = &objs[nobj++]; memset(o, 0, sizeof *o);
    strcpy(o->name, name); o->kind = CTX; o->w = w; o->ref = init; state(&o->ref, &o->acc, w);
  } else if (!strncmp(op, "ctx.", 4)) {
    const char *m = op + 4; Obj *o = lookup("name", CTX); int w = o->w; V d;
    if (!strcmp(m, "load")) { getv(&need("value")->v, w, "value", &d); fitv(&d, w, "value"); o->ref = d; memset(&o->acc, 0, sizeof o->acc); }
    else if (!strcmp(m, "accum")) { getv(&need("delta")->v, w, "delta", &d); fitv(&d, w, "delta"); vxor(&o->acc, &d, w); }
    else if (!strcmp(m, "rollback")) {
      getv(&need("delta")->v, w, "delta", &d); fitv(&d, w, "delta");
#ifdef ATOMIK_BUGGY
      if ((d.w[(w - 1) / 64] >> ((w - 1) % 64)) & 1) memset(&d, 0, sizeof d); /* the planted bug */
#endif
      vxor(&o->acc, &d, w);
    } else if (!strcmp(m, "read")) { V s = o->ref; vxor(&s, &o->acc, w); pv(&s, w); return; }
    else if (!strcmp(m, "swap")) { vxor(&o->ref, &o->acc, w); if (ATOMIK_MUTANT != 3) memset(&o->acc, 0, sizeof o->acc); }
    else if (!strcmp(m, "merge")) {
      Obj *b = lookup("other", CTX);
      if (b->w != w) fail("width_mismatch", "cannot merge contexts of different widths");
      if (ATOMIK_MUTANT != 5 && !veq(&b->ref, &o->ref, w)) fail("reference_mismatch", "merge expects a shared reference");
      vxor(&o->acc, &b->acc, w);
      if (ATOMIK_MUTANT == 6 && b != o) memset(&b->acc, 0, sizeof b->acc);
    } else if (!strcmp(m, "accum_many")) { d = xor_values("deltas", w); vxor(&o->acc, &d, w); }
    else if (!strcmp(m, "is_clean")) { put(vzero(&o->acc, w) ? "true" : "false"); return; }
    state(&o->ref, &o->acc, w);
  } else if (!strcmp(op, "table.new")) {
    long long w = geti("width");
    if (w < 1 || w > 64) fail("width", "tables hold widths 1..64");
    long long n = geti("size");
    if (n < 1 || n > MAXT) fail("range", "size must be in 1..%d", MAXT);
    const char *name = newname();
    Obj *o = &objs[nobj]; memset(o, 0, sizeof *o);
    o->tref = calloc(n, 8); o->tacc = calloc(n, 8); if (!o->tref || !o->tacc) exit(3);
    strcpy(o->name, name); o->kind = TABLE; o->w = (int)w; o->n = n; nobj++;
    put("{\"size\":%lld,\"width\":%lld}", n, w);
  } else if (!strncmp(op, "table.", 6)) {
    const char *m = op + 6; Obj *t = lookup("name", TABLE);
    if (!strcmp(m, "accum_batch") || !strcmp(m, "load_batch") || !strcmp(m, "read_batch")) {
      int na, nv = 0; Tok *a = arr("addrs", &na), *v = NULL; const char *vk = m[0] == 'a' ? "deltas" : "values";
      for (int i = 0; i < na; i++) if (a[i].t != T_INT) fail("bad_request", "addrs must be integers");
      if (m[0] != 'r') { v = arr(vk, &nv); for (int i = 0; i < nv; i++) word(&v[i], vk); }
      for (int i = 0; i < na; i++) addr(t, a[i].i);
      if (m[0] == 'r') {
        put("[");
        for (int i = 0; i < na; i++) { put(i ? "," : ""); pword(t->tref[a[i].i] ^ t->tacc[a[i].i]); }
        put("]"); return;
      }
      for (int i = 0; i < nv; i++) fit(word(&v[i], vk), t->w, vk);
      if (na != nv) fail("shape", "addrs and %s must have the same length", vk);
      for (int i = 0; i < na; i++) {
        uint64_t x = fitted(word(&v[i], vk), t->w, vk);
        if (ATOMIK_MUTANT == 7 && m[0] == 'a') { int dup = 0; for (int j = 0; j < i; j++) dup |= a[j].i == a[i].i; if (dup) continue; }
        if (m[0] == 'a') t->tacc[a[i].i] = ATOMIK_MUTANT == 2 ? x : t->tacc[a[i].i] ^ x; else { t->tref[a[i].i] = x; t->tacc[a[i].i] = 0; }
      }
      put("null"); return;
    }
    long long i = geti("addr"); uint64_t x = 0;
    const char *vk = !strcmp(m, "load") ? "value" : (!strcmp(m, "accum") || !strcmp(m, "rollback")) ? "delta" : NULL;
    if (vk) x = word(&need(vk)->v, vk);
    addr(t, i);
    if (vk) x = fitted(x, t->w, vk);
    if (!strcmp(m, "read")) { pword(t->tref[i] ^ t->tacc[i]); return; }
    if (!strcmp(m, "load")) { t->tref[i] = x; t->tacc[i] = 0; }
    else if (!strcmp(m, "swap")) { t->tref[i] ^= t->tacc[i]; t->tacc[i] = 0; }
    else t->tacc[i] ^= x;
    put("{\"accumulator\":"); pword(t->tacc[i]); put(",\"addr\":%lld,\"reference\":", i); pword(t->tref[i]);
    put(",\"state\":"); pword(t->tref[i] ^ t->tacc[i]); put("}");
  } else if (!strcmp(op, "fingerprint")) {
    Field *f = need("data"); size_t n = f->v.t == T_STR ? strlen(f->v.s) : 1; uint64_t fp = 0;
    if (f->v.t != T_STR || n % 2) fail("bad_request", "data must be an even-length lowercase hex string");
    for (size_t i = 0; i < n; i++) {
      char c = f->v.s[i]; int d = isdigit((unsigned char)c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
      if (d < 0) fail("bad_request", "data must be an even-length lowercase hex string");
      size_t b = i / 2, pos = b % 8;
      if (ATOMIK_MUTANT == 4 && b >= n / 2 - (n / 2) % 8) pos = 7 - pos;
      fp ^= (uint64_t)d << (pos * 8 + (i % 2 ? 0 : 4)); /* byte i/2, little-endian in its chunk */
    }
    pword(fp);
  } else if (!strcmp(op, "fingerprint.update_chunk")) {
    uint64_t a = word(&need("fp")->v, "fp"), b = word(&need("old")->v, "old"), c = word(&need("new")->v, "new");
    pword(a ^ b ^ c);
  }
}

int main(void) {
  char *line = NULL; size_t cap = 0; ssize_t len;
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  while ((len = getline(&line, &cap, stdin)) != -1) {
    char *s = line; while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
    if (!*s) continue;
    olen = 0; put("");
    char id[48] = "null";
    if (!parse(line)) { ecode = "bad_json"; snprintf(emsg, sizeof emsg, "not a request in the compact JSON subset"); goto error; }
    Field *fid = get("id");
    if (fid && fid->v.t == T_INT) snprintf(id, sizeof id, "%lld", fid->v.i);
    else if (fid && fid->v.t == T_STR && strlen(fid->v.s) < 40) snprintf(id, sizeof id, "\"%s\"", fid->v.s);
    if (setjmp(J)) goto error;
    Field *fv = get("v");
    if (fv && (fv->v.t != T_INT || fv->v.i != 1)) fail("unsupported_version", "protocol version not supported (this is 1)");
    Field *fop = get("op");
    if (!fop || fop->v.t != T_STR) fail("bad_request", "op must be a string");
    put("{\"id\":%s,\"ok\":true,\"result\":", id);
    dispatch(fop->v.s);
    put("}\n"); fputs(out, stdout); fflush(stdout); continue;
  error:
    printf("{\"error\":{\"code\":\"%s\",\"message\":\"%s\"},\"id\":%s,\"ok\":false}\n", ecode, emsg, id);
    fflush(stdout);
  }
  free(line);
  return 0;
}
