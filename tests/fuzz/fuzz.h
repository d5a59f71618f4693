/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared parts of the hsk core fuzz harnesses: the entry points libFuzzer
 * (or replay.c) calls, a reader that turns the fuzzer's bytes into values
 * (zeros once the input is used up, so every prefix of an input is an
 * input too), and the check macro that reports a broken invariant.
 *
 * The harnesses are plain C and build both with clang for libFuzzer and
 * with gcc and the unit tests' warning flags for the replay binary.
 */
#ifndef HSK_FUZZ_H
#define HSK_FUZZ_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hsk_core.h"
#include "hsk_seq.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Set from the environment (HSK_FUZZ_TRACE=1): log every event. */
extern int hsk_fuzz_trace;

#define FZ_TRACE(...)							\
	do {								\
		if (hsk_fuzz_trace)					\
			fprintf(stderr, __VA_ARGS__);			\
	} while (0)

/* The fuzzer's bytes, consumed front to back. */
struct fz {
	const u8 *p;
	size_t n;
};

static inline bool fz_empty(const struct fz *f)
{
	return f->n == 0;
}

static inline u8 fz_u8(struct fz *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

static inline u16 fz_u16(struct fz *f)
{
	u16 hi = fz_u8(f);

	return (u16)((hi << 8) | fz_u8(f));
}

static inline u32 fz_u32(struct fz *f)
{
	u32 hi = fz_u16(f);

	return (hi << 16) | fz_u16(f);
}

/*
 * A violated invariant: say which, where and why, then abort() so that
 * libFuzzer (or the replay binary) reports the input as a crash.
 */
static inline void __attribute__((noreturn, format(printf, 4, 5)))
hsk_fuzz_fail(const char *file, int line, const char *expr,
	      const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\n%s:%d: invariant violated: %s\n  ", file, line,
		expr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

/* CHECK(condition, "printf format", args...): the message is required. */
#define CHECK(cond, ...)						\
	do {								\
		if (!(cond))						\
			hsk_fuzz_fail(__FILE__, __LINE__, #cond,	\
				      __VA_ARGS__);			\
	} while (0)

#endif /* HSK_FUZZ_H */
