/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Environment of the hsk TCP core.
 *
 * The core is built both as kernel code and as ordinary userspace C or C++
 * (unit tests, fuzzing). Everything it takes from its surroundings goes
 * through this header, so that the core's .c files never test __KERNEL__
 * and cannot grow a dependency that only one of the two builds has.
 */
#ifndef _HSK_TYPES_H
#define _HSK_TYPES_H

#ifdef __KERNEL__

#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/types.h>

#else /* !__KERNEL__ */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Same widths as the kernel's asm-generic/int-ll64.h on every Linux arch. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;

#ifndef BIT
#define BIT(nr)			(1UL << (nr))
#endif

#ifndef likely
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#endif

#ifndef U8_MAX
#define U8_MAX			((u8)~0U)
#endif

#ifndef U32_MAX
#define U32_MAX			((u32)~0U)
#endif

#ifndef DIV_ROUND_UP
#define DIV_ROUND_UP(n, d)	({ __typeof__(d) __d = (d); \
				   ((n) + __d - 1) / __d; })
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr)		(sizeof(arr) / sizeof((arr)[0]))
#endif

/*
 * C++ has std::min/std::max; function-like macros of the same name would
 * break the standard library headers the tests include.
 */
#ifndef __cplusplus
#define min_t(type, a, b)	({ type __a = (a); type __b = (b); \
				   __a < __b ? __a : __b; })
#define max_t(type, a, b)	({ type __a = (a); type __b = (b); \
				   __a > __b ? __a : __b; })
#endif

#endif /* __KERNEL__ */

/*
 * Network byte order accessors for raw header bytes. Byte-wise, so they
 * need neither alignment nor an endianness test, and mean the same in
 * both builds.
 */
static inline u16 hsk_get_be16(const u8 *p)
{
	return (u16)((p[0] << 8) | p[1]);
}

static inline u32 hsk_get_be32(const u8 *p)
{
	return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3];
}

static inline void hsk_put_be16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

static inline void hsk_put_be32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24);
	p[1] = (u8)(v >> 16);
	p[2] = (u8)(v >> 8);
	p[3] = (u8)v;
}

#endif /* _HSK_TYPES_H */
