/* The backend interface of the C protocol shell (atomik_port.c).
 *
 * A library that wants to be held to the atomik oracle implements these functions; the shell
 * owns everything else: JSON parsing (the compact subset), field types and formats, widths,
 * names, addresses, ranges, lengths, the reference check of merge, the error codes and their
 * precedence (spec/oracle.md, "Validation order"). Every call below gets valid input only:
 * widths the backend announced, values that fit their width, addresses inside the table, merges
 * of contexts with the same width and reference. A value of width w is ceil(w / 64) 64-bit words,
 * least significant first. The backend never reports errors (it may exit on out-of-memory).
 */
#ifndef ATOMIK_BACKEND_H
#define ATOMIK_BACKEND_H
#include <stddef.h>
#include <stdint.h>

#define ATOMIK_MAX_WIDTH 4096
#define ATOMIK_MAX_WORDS (ATOMIK_MAX_WIDTH / 64)

typedef struct {
  const char *implementation;   /* "name" in hello */
  const char *const *ops;       /* NULL-terminated, sorted; include "hello" and "reset" */
  const char *widths_json;      /* hello's "widths", e.g. "[64]" or "[[1,4096]]" */
  int (*has_width)(int w);      /* the same set as a predicate */
  int max_width;                /* the largest of them */
  long long max_table;          /* largest table size (<= 65536) */
} atomik_caps;

const atomik_caps *atomik_backend_caps(void);

/* delta algebra (out may alias an input) */
void atomik_compose(int w, const uint64_t *a, const uint64_t *b, uint64_t *out);
void atomik_compute(int w, const uint64_t *old_state, const uint64_t *new_state, uint64_t *out);
void atomik_apply(int w, const uint64_t *state, const uint64_t *delta, uint64_t *out);

/* contexts */
void *atomik_ctx_new(int w, const uint64_t *initial);
void atomik_ctx_free(void *c);
void atomik_ctx_load(void *c, const uint64_t *value);
void atomik_ctx_accum(void *c, const uint64_t *delta);
void atomik_ctx_rollback(void *c, const uint64_t *delta);
void atomik_ctx_swap(void *c);
void atomik_ctx_merge(void *c, void *other);  /* same width and reference; other may be c */
void atomik_ctx_get(const void *c, uint64_t *reference, uint64_t *accumulator);

/* tables of n entries, widths 1..64 */
void *atomik_table_new(int w, long long n);
void atomik_table_free(void *t);
void atomik_table_load(void *t, long long addr, uint64_t value);
void atomik_table_accum(void *t, long long addr, uint64_t delta);
void atomik_table_rollback(void *t, long long addr, uint64_t delta);
void atomik_table_swap(void *t, long long addr);
void atomik_table_get(const void *t, long long addr, uint64_t *reference, uint64_t *accumulator);
void atomik_table_accum_batch(void *t, const long long *addrs, const uint64_t *deltas, int n);
void atomik_table_load_batch(void *t, const long long *addrs, const uint64_t *values, int n);

/* fingerprints */
uint64_t atomik_fingerprint(const uint8_t *data, size_t n);
uint64_t atomik_fingerprint_update(uint64_t fp, uint64_t old_chunk, uint64_t new_chunk);
#endif
