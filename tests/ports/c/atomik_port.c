/* The C protocol shell: a sample atomik port is this file plus a backend (atomik_backend.h).
 *
 * The shell speaks the oracle protocol v1 (spec/oracle.md): it reads one JSON request per line on
 * stdin and writes one JSON response per line on stdout; it parses the protocol's compact subset
 * ("Compact subset": one object whose values are strings without escapes, integers,
 * true/false/null, or arrays nested at most two deep; anything else is bad_json), checks every
 * field (types, word formats, widths, names, addresses, ranges, lengths, merge's reference) in
 * the documented validation order, answers errors, and calls the backend with valid input only.
 * hello announces the backend's ops, widths and max_table (atomik_backend_caps); an op the
 * backend does not list is unknown_op. To port your library, implement atomik_backend.h and link
 * it with this file; atomik_backend.c is the sample library.
 *
 * Build: cc -O2 -std=c11 -o atomik_port atomik_port.c atomik_backend.c
 * Planted bugs for the runner's sensitivity tests (-DATOMIK_MUTANT=n, here the shell's checks):
 * 1 range check off by one, 5 merge skips the reference check, 8 a wide value's top word is not
 * range-checked, 9 an out-of-range value is masked to its width instead of rejected. The
 * backend's are listed in atomik_backend.c (-DATOMIK_BUGGY, 2, 3, 4, 6, 7; -DATOMIK_CORE64).
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

#include "atomik_backend.h"

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
static uint64_t fitted(uint64_t v, int w, const char *what) { V x = {{0}}; x.w[0] = v; fitv(&x, w, what); return x.w[0]; }
static void vxor(V *a, const V *b, int w) { for (int i = 0; i < nwords(w); i++) a->w[i] ^= b->w[i]; }
static int veq(const V *a, const V *b, int w) { return !memcmp(a->w, b->w, 8 * nwords(w)); }
static int width(void) {
  long long w = geti("width");
  if (w < 1 || w > MAXW) fail("width", "width must be in 1..%d", MAXW);
  if (!atomik_backend_caps()->has_width((int)w)) fail("width", "width %lld is not one this port supports", w);
  return (int)w;
}
static void *must_alloc(size_t n) { void *q = malloc(n); if (!q) exit(3); return q; }
static void pword(uint64_t v) { put("\"0x%016llx\"", (unsigned long long)v); }
static void pv(const V *v, int w) {
  if (w <= 64) { pword(v->w[0]); return; }
  put("[");
  for (int i = 0; i < nwords(w); i++) { put(i ? "," : ""); pword(v->w[i]); }
  put("]");
}

/* ------------------------------------------------------------------ session objects */
typedef struct { char name[33]; int kind, w; void *h; long long n; } Obj;
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
static void ctx_state(Obj *o) {
  V r = {{0}}, a = {{0}}; atomik_ctx_get(o->h, r.w, a.w);
  V s = r; vxor(&s, &a, o->w);
  put("{\"accumulator\":"); pv(&a, o->w); put(",\"reference\":"); pv(&r, o->w); put(",\"state\":"); pv(&s, o->w); put("}");
}
static void addr_state(Obj *t, long long i) {
  uint64_t r, a; atomik_table_get(t->h, i, &r, &a);
  put("{\"accumulator\":"); pword(a); put(",\"addr\":%lld,\"reference\":", i); pword(r);
  put(",\"state\":"); pword(r ^ a); put("}");
}
static long long addr(Obj *t, long long a) { if (a < 0 || a >= t->n) fail("address", "address out of range"); return a; }

/* ------------------------------------------------------------------ ops */
static void op_binary(const char *k1, const char *k2, void (*fn)(int, const uint64_t *, const uint64_t *, uint64_t *)) {
  int w = width(); V a, b, out = {{0}};
  getv(&need(k1)->v, w, k1, &a); getv(&need(k2)->v, w, k2, &b);
  fitv(&a, w, k1); fitv(&b, w, k2); fn(w, a.w, b.w, out.w); pv(&out, w);
}
static V vals[1024];
static int values(const char *k, int w) {  /* every format first, then every range */
  int n; Tok *t = arr(k, &n);
  if (n > 1024) fail("range", "at most 1024 values per request");
  for (int i = 0; i < n; i++) getv(&t[i], w, k, &vals[i]);
  for (int i = 0; i < n; i++) fitv(&vals[i], w, k);
  return n;
}
static const char *const *ops(void) { return atomik_backend_caps()->ops; }
static void dispatch(const char *op) {
  int known = 0;
  for (int i = 0; ops()[i]; i++) known |= !strcmp(op, ops()[i]);
  if (!known) fail("unknown_op", "unknown op");
  if (!strcmp(op, "hello")) {
    const atomik_caps *c = atomik_backend_caps();
    put("{\"implementation\":\"%s\",\"max_table\":%lld,\"max_width\":%d,\"ops\":[", c->implementation, c->max_table, c->max_width);
    for (int i = 0; ops()[i]; i++) put("%s\"%s\"", i ? "," : "", ops()[i]);
    put("],\"protocol\":1,\"widths\":%s}", c->widths_json);
  } else if (!strcmp(op, "reset")) {
    for (int i = 0; i < nobj; i++) { if (objs[i].kind == CTX) atomik_ctx_free(objs[i].h); else atomik_table_free(objs[i].h); }
    nobj = 0; put("null");
  } else if (!strcmp(op, "delta.compose")) op_binary("a", "b", atomik_compose);
  else if (!strcmp(op, "delta.compute")) op_binary("old", "new", atomik_compute);
  else if (!strcmp(op, "delta.apply")) op_binary("state", "delta", atomik_apply);
  else if (!strcmp(op, "delta.compose_all")) {
    int w = width(), n = values("deltas", w); V x = {{0}};
    for (int i = 0; i < n; i++) atomik_compose(w, x.w, vals[i].w, x.w);
    pv(&x, w);
  } else if (!strcmp(op, "ctx.new")) {
    int w = width(); const char *name = newname(); V init = {{0}}; Field *f = get("initial");
    if (f) { getv(&f->v, w, "initial", &init); fitv(&init, w, "initial"); }
    Obj *o = &objs[nobj++]; memset(o, 0, sizeof *o);
    strcpy(o->name, name); o->kind = CTX; o->w = w; o->h = atomik_ctx_new(w, init.w); ctx_state(o);
  } else if (!strncmp(op, "ctx.", 4)) {
    const char *m = op + 4; Obj *o = lookup("name", CTX); int w = o->w; V d;
    if (!strcmp(m, "load")) { getv(&need("value")->v, w, "value", &d); fitv(&d, w, "value"); atomik_ctx_load(o->h, d.w); }
    else if (!strcmp(m, "accum")) { getv(&need("delta")->v, w, "delta", &d); fitv(&d, w, "delta"); atomik_ctx_accum(o->h, d.w); }
    else if (!strcmp(m, "rollback")) { getv(&need("delta")->v, w, "delta", &d); fitv(&d, w, "delta"); atomik_ctx_rollback(o->h, d.w); }
    else if (!strcmp(m, "read") || !strcmp(m, "is_clean")) {
      V r = {{0}}, a = {{0}}; atomik_ctx_get(o->h, r.w, a.w);
      if (m[0] == 'i') { V z = {{0}}; put(veq(&a, &z, w) ? "true" : "false"); return; }
      vxor(&r, &a, w); pv(&r, w); return;
    } else if (!strcmp(m, "swap")) atomik_ctx_swap(o->h);
    else if (!strcmp(m, "merge")) {
      Obj *b = lookup("other", CTX);
      if (b->w != w) fail("width_mismatch", "cannot merge contexts of different widths");
      V r1 = {{0}}, r2 = {{0}}, a = {{0}}; atomik_ctx_get(o->h, r1.w, a.w); atomik_ctx_get(b->h, r2.w, a.w);
      if (ATOMIK_MUTANT != 5 && !veq(&r1, &r2, w)) fail("reference_mismatch", "merge expects a shared reference");
      atomik_ctx_merge(o->h, b->h);
    } else if (!strcmp(m, "accum_many")) { int n = values("deltas", w); for (int i = 0; i < n; i++) atomik_ctx_accum(o->h, vals[i].w); }
    ctx_state(o);
  } else if (!strcmp(op, "table.new")) {
    long long w = geti("width");
    if (w < 1 || w > 64 || !atomik_backend_caps()->has_width((int)w)) fail("width", "tables hold widths 1..64 (of the port's widths)");
    long long n = geti("size");
    if (n < 1 || n > MAXT || n > atomik_backend_caps()->max_table) fail("range", "size must be in 1..%lld", atomik_backend_caps()->max_table);
    const char *name = newname();
    Obj *o = &objs[nobj++]; memset(o, 0, sizeof *o);
    strcpy(o->name, name); o->kind = TABLE; o->w = (int)w; o->n = n; o->h = atomik_table_new((int)w, n);
    put("{\"size\":%lld,\"width\":%lld}", n, w);
  } else if (!strncmp(op, "table.", 6)) {
    const char *m = op + 6; Obj *t = lookup("name", TABLE);
    if (!strcmp(m, "accum_batch") || !strcmp(m, "load_batch") || !strcmp(m, "read_batch")) {
      static long long as[1024]; static uint64_t xs[1024];
      int na, nv = 0; Tok *a = arr("addrs", &na), *v = NULL; const char *vk = m[0] == 'a' ? "deltas" : "values";
      if (na > 1024) fail("range", "at most 1024 addresses per request");
      for (int i = 0; i < na; i++) if (a[i].t != T_INT) fail("bad_request", "addrs must be integers");
      if (m[0] != 'r') { v = arr(vk, &nv); for (int i = 0; i < nv; i++) word(&v[i], vk); }
      for (int i = 0; i < na; i++) as[i] = addr(t, a[i].i);
      if (m[0] == 'r') {
        put("[");
        for (int i = 0; i < na; i++) { uint64_t r, x; atomik_table_get(t->h, as[i], &r, &x); put(i ? "," : ""); pword(r ^ x); }
        put("]"); return;
      }
      if (nv > 1024) fail("range", "at most 1024 values per request");
      for (int i = 0; i < nv; i++) xs[i] = fitted(word(&v[i], vk), t->w, vk);
      if (na != nv) fail("shape", "addrs and %s must have the same length", vk);
      if (m[0] == 'a') atomik_table_accum_batch(t->h, as, xs, na); else atomik_table_load_batch(t->h, as, xs, na);
      put("null"); return;
    }
    long long i = geti("addr"); uint64_t x = 0;
    const char *vk = !strcmp(m, "load") ? "value" : (!strcmp(m, "accum") || !strcmp(m, "rollback")) ? "delta" : NULL;
    if (vk) x = word(&need(vk)->v, vk);
    addr(t, i);
    if (vk) x = fitted(x, t->w, vk);
    if (!strcmp(m, "read")) { uint64_t r, a; atomik_table_get(t->h, i, &r, &a); pword(r ^ a); return; }
    if (!strcmp(m, "load")) atomik_table_load(t->h, i, x);
    else if (!strcmp(m, "swap")) atomik_table_swap(t->h, i);
    else if (!strcmp(m, "accum")) atomik_table_accum(t->h, i, x);
    else atomik_table_rollback(t->h, i, x);
    addr_state(t, i);
  } else if (!strcmp(op, "fingerprint")) {
    Field *f = need("data"); size_t n = f->v.t == T_STR ? strlen(f->v.s) : 1;
    if (f->v.t != T_STR || n % 2) fail("bad_request", "data must be an even-length lowercase hex string");
    uint8_t *bytes = must_alloc(n / 2 + 1);
    for (size_t i = 0; i < n; i++) {
      char c = f->v.s[i]; int d = isdigit((unsigned char)c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
      if (d < 0) { free(bytes); fail("bad_request", "data must be an even-length lowercase hex string"); }
      if (i % 2 == 0) bytes[i / 2] = (uint8_t)(d << 4); else bytes[i / 2] |= (uint8_t)d;
    }
    uint64_t fp = atomik_fingerprint(bytes, n / 2); free(bytes); pword(fp);
  } else if (!strcmp(op, "fingerprint.update_chunk")) {
    uint64_t a = word(&need("fp")->v, "fp"), b = word(&need("old")->v, "old"), c = word(&need("new")->v, "new");
    pword(atomik_fingerprint_update(a, b, c));
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
