/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Modular (RFC 1982 style) comparison of TCP sequence numbers and of the
 * core's 32-bit millisecond clock. Both wrap, so "less than" only means
 * "less than by under 2^31".
 */
#ifndef _HSK_SEQ_H
#define _HSK_SEQ_H

#include "hsk_types.h"

/* a < b */
static inline bool hsk_seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

/* a > b */
static inline bool hsk_seq_after(u32 a, u32 b)
{
	return hsk_seq_before(b, a);
}

/* a <= b */
static inline bool hsk_seq_leq(u32 a, u32 b)
{
	return !hsk_seq_after(a, b);
}

/* a >= b */
static inline bool hsk_seq_geq(u32 a, u32 b)
{
	return !hsk_seq_before(a, b);
}

/*
 * lo <= seq <= hi. Computed as an unsigned distance from lo so that it also
 * holds for ranges wider than 2^31, which the RFC 5961 ACK test can build.
 */
static inline bool hsk_seq_between(u32 seq, u32 lo, u32 hi)
{
	return seq - lo <= hi - lo;
}

/* start <= seq < start + len, i.e. seq falls in a window of len octets */
static inline bool hsk_seq_in_window(u32 seq, u32 start, u32 len)
{
	return seq - start < len;
}

/* The millisecond clock wraps like sequence numbers do. */
static inline bool hsk_time_before(u32 a, u32 b)
{
	return hsk_seq_before(a, b);
}

#endif /* _HSK_SEQ_H */
