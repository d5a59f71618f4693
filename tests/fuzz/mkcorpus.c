// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the generated seeds of the fuzz corpus ("make seeds"):
 *
 *   mkcorpus DIR    writes DIR/fuzz_parse/seed-* and DIR/fuzz_conn/seed-*
 *
 * Each seed is a small, meaningful input in the encoding of its harness
 * (fuzz_parse.c, fuzz_conn.h): TCP headers with every option kind, well
 * formed and malformed, for the parser; whole conversations (handshake,
 * echo, close in every order, resets, retransmission, probes, PAWS,
 * urgent data, timers) for the connection. Other files in the corpus
 * (crash-*, regression inputs, merged inputs) are left alone.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hsk_core.h"
#include "fuzz_conn.h"

struct buf {
	u8 b[4096];
	size_t n;
};

static const char *outdir;

static void put8(struct buf *b, unsigned int v)
{
	if (b->n >= sizeof(b->b)) {
		fprintf(stderr, "mkcorpus: seed too long\n");
		exit(1);
	}
	b->b[b->n++] = (u8)v;
}

static void put16(struct buf *b, unsigned int v)
{
	put8(b, v >> 8);
	put8(b, v);
}

static void put32(struct buf *b, u32 v)
{
	put16(b, v >> 16);
	put16(b, v);
}

static void putn(struct buf *b, const u8 *p, size_t n)
{
	while (n--)
		put8(b, *p++);
}

static void emit(const char *harness, const char *name, const struct buf *b)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, harness);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/seed-%s", outdir, harness, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b->b, 1, b->n, f) != b->n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* ---- fuzz_parse ---------------------------------------------------------- */

/*
 * A parse seed: control octet (avail/seg_len/option length choices),
 * their parameters a, b, c, then the header: fixed part with @flags and
 * data offset from @opt_len (rounded up, or forced by @doff if non-zero),
 * the options, then @payload octets.
 */
static void parse_seed(const char *name, u8 ctl, u8 a, u8 b16, u16 c,
		       u8 flags, unsigned int doff, const u8 *opt,
		       unsigned int opt_len, unsigned int payload)
{
	struct buf b = { .n = 0 };
	unsigned int i, hl = (20 + opt_len + 3) / 4;

	if (doff)
		hl = doff;
	put8(&b, ctl);
	put8(&b, a);
	put8(&b, b16);
	put16(&b, c);
	put16(&b, 40000);		/* source port */
	put16(&b, 7);			/* destination port */
	put32(&b, 0x01020304);		/* seq */
	put32(&b, 0xa0b0c0d0);		/* ack */
	put8(&b, hl << 4);
	put8(&b, flags);
	put16(&b, 29200);		/* window */
	put16(&b, 0);			/* checksum */
	put16(&b, 0);			/* urgent pointer */
	putn(&b, opt, opt_len);
	for (i = 20 + opt_len; i < hl * 4; i++)
		put8(&b, 0);
	for (i = 0; i < payload; i++)
		put8(&b, 'a' + i % 26);
	emit("fuzz_parse", name, &b);
}

#define P(name, ctl, flags, ...)					\
	do {								\
		static const u8 o[] = { __VA_ARGS__ };			\
		parse_seed(name, ctl, 0, 0, 0, flags, 0, o, sizeof(o), 0); \
	} while (0)

static void parse_seeds(void)
{
	static const u8 none[1];
	const u8 S = HSK_TCP_SYN, A = HSK_TCP_ACK, PA = HSK_TCP_PSH | A;

	parse_seed("plain-syn", 0, 0, 0, 0, S, 0, none, 0, 0);
	parse_seed("plain-ack-payload", 1 << 2, 0, 0, 1000, PA, 0, none, 0,
		   16);
	/* Linux's SYN: MSS, SACK-permitted, timestamps, NOP, window scale */
	P("linux-syn", 0, S, 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0,
	  0, 0, 1, 3, 3, 7);
	P("linux-ack-ts", 0, A, 1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 1);
	P("mss", 0, S, 2, 4, 0x05, 0xb4);
	P("mss-zero", 0, S, 2, 4, 0, 0);
	P("wscale-14", 0, S, 3, 3, 14, 0);
	P("wscale-15-clamped", 0, S, 3, 3, 15, 0);
	P("wscale-255", 0, S, 3, 3, 255, 0);
	P("sackperm", 0, S, 1, 1, 4, 2);
	P("sack-1", 0, A, 1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 9);
	P("sack-2", 0, A, 1, 1, 5, 18, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 20,
	  0, 0, 0, 29);
	P("sack-4", 0, A, 5, 34, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4,
	  4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 8, 0, 0);
	P("sack-3-ts", 0, A, 1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 5, 26, 0, 0,
	  0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6);
	P("ts", 0, A, 8, 10, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0);
	P("eol-then-garbage", 0, A, 1, 0, 0xff, 0xff, 0xff);
	P("unknown-kind", 0, A, 30, 6, 1, 2, 3, 4, 1, 1);
	P("unknown-kind-253-exp", 0, S, 253, 4, 0xf9, 0x89);
	P("nops-40", 0, A, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
	P("repeated-mss", 0, S, 2, 4, 1, 0, 2, 4, 2, 0);
	P("all-options-40", 0, S, 2, 4, 5, 0xb4, 3, 3, 7, 4, 2, 8, 10, 0, 0,
	  0, 1, 0, 0, 0, 0, 5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0,
	  0, 4);
	/* malformed */
	P("bad-len-0", 0, A, 30, 0, 0, 0);
	P("bad-len-1", 0, A, 30, 1, 0, 0);
	P("bad-past-end", 0, A, 1, 1, 30, 9);
	P("bad-no-len-octet", 0, A, 1, 1, 1, 2);
	P("bad-mss-len-3", 0, S, 2, 3, 5, 0);
	P("bad-ws-len-4", 0, S, 3, 4, 7, 0);
	P("bad-sackperm-len-3", 0, S, 4, 3, 0, 0);
	P("bad-ts-len-8", 0, A, 8, 8, 0, 0, 0, 1, 0, 0);
	P("bad-sack-len-11", 0, A, 5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0);
	P("bad-sack-len-42", 0, A, 1, 1, 5, 42, 0, 0);
	parse_seed("bad-doff-4", 0, 0, 0, 0, A, 4, none, 0, 0);
	parse_seed("doff-15-nops", 0, 0, 0, 0, A, 15, none, 0, 0);
	parse_seed("truncated-avail", 1, 8, 0, 0, S, 0, none, 0, 0);
	parse_seed("hlen-beyond-seg", 2 << 2, 0, 0, 22, S, 8, none, 0, 0);
	parse_seed("short-avail-prefix", 2, 19, 0, 0, A, 0, none, 0, 0);
	parse_seed("seg-len-huge", 3 << 2, 0, 1, 0, PA, 0, none, 0, 4);
	parse_seed("options-only-len", 7 << 4, 0, 2, 0, S, 0, none, 0, 0);
}

/* ---- fuzz_conn ----------------------------------------------------------- */

/* default listener: echo, 64 KiB, MSS 1460, default cfg, given clocks */
static void params(struct buf *b, u8 p0, u8 p1, u32 now, u32 iss)
{
	put8(b, p0);
	put8(b, p1);
	put32(b, now);
	put32(b, iss);
	put32(b, 0x1000);		/* ts_offset */
}

/* SYN without options, window 65535 */
static void syn(struct buf *b, u32 seq)
{
	put8(b, 0);			/* flags ^ SYN: SYN */
	put32(b, seq);
	put8(b, FZ_WND_MAX);
	put8(b, FZ_LEN_ZERO);
	put8(b, FZ_OPT_TS_AUTO);	/* on a SYN: no timestamps */
}

/* SYN with MSS 1460, window scale @ws, SACK-permitted and timestamps */
static void syn_opts(struct buf *b, u32 seq, u8 ws)
{
	put8(b, 0);
	put32(b, seq);
	put8(b, FZ_WND_MAX);
	put8(b, FZ_LEN_ZERO);
	put8(b, FZ_OPT_TS_RAW | FZ_OPT_MSS | FZ_OPT_WS | FZ_OPT_SACKP);
	put16(b, 1460);
	put8(b, ws);
	put32(b, 5000);			/* TSval */
	put32(b, 0);			/* TSecr */
}

/*
 * A segment with the given selectors; the ACK flag is implied (flags are
 * XORed with it), so @flags = 0 is a pure ACK. Extras follow via put*().
 */
static void seg(struct buf *b, u8 flags, u8 seqsel, u8 acksel, u8 wndsel,
		u8 lensel, u8 optsel)
{
	put8(b, 0);			/* op: segment */
	put8(b, flags);
	put8(b, seqsel);
	put8(b, acksel);
	put8(b, wndsel);
	put8(b, lensel);
	put8(b, optsel);
}

/* ACK of everything, at RCV.NXT, window 65535, auto timestamps +1 */
static void ack(struct buf *b)
{
	seg(b, 0, FZ_SEQ_NXT, FZ_ACK_NXT, FZ_WND_MAX, FZ_LEN_ZERO,
	    FZ_TSINC_ONE << FZ_OPT_TSINC_SHIFT);
}

/* @n octets in order, acknowledging everything */
static void data(struct buf *b, u16 n)
{
	seg(b, HSK_TCP_PSH, FZ_SEQ_NXT, FZ_ACK_NXT, FZ_WND_MAX, FZ_LEN_U16,
	    FZ_TSINC_ONE << FZ_OPT_TSINC_SHIFT);
	put16(b, n);
}

static void fin(struct buf *b)
{
	seg(b, HSK_TCP_FIN, FZ_SEQ_NXT, FZ_ACK_NXT, FZ_WND_MAX, FZ_LEN_ZERO,
	    FZ_TSINC_ONE << FZ_OPT_TSINC_SHIFT);
}

static void op(struct buf *b, u8 v)
{
	put8(b, v);
}

static void advance_s(struct buf *b, u16 seconds)
{
	put8(b, FZ_OP_TIME | FZ_TIME_SECONDS << 4);
	put16(b, seconds);
}

static void advance_ms(struct buf *b, u16 ms)
{
	put8(b, FZ_OP_TIME | FZ_TIME_U16 << 4);
	put16(b, ms);
}

static void fire(struct buf *b, enum hsk_timer k)
{
	put8(b, FZ_OP_TIMER | k << 4);
}

/* params + SYN + handshake ACK, echo mode */
static void established(struct buf *b, u8 p0, u8 p1)
{
	params(b, p0, p1, 100000, 1000000);
	syn(b, 5000);
	ack(b);
}

static void conn_seeds(void)
{
	struct buf b;
	int i;

#define NEW() (b.n = 0)
#define EMIT(name) emit("fuzz_conn", name, &b)

	NEW();
	params(&b, 0, 0, 100000, 1000000);
	syn(&b, 5000);
	EMIT("syn-only");

	NEW();
	established(&b, 0, 0);
	EMIT("handshake");

	NEW();
	params(&b, 0, 0, 100000, 1000000);
	syn_opts(&b, 5000, 7);
	ack(&b);
	data(&b, 3000);
	ack(&b);
	EMIT("handshake-all-options-echo");

	NEW();
	established(&b, 0, 0);
	data(&b, 100);
	ack(&b);
	EMIT("echo-small");

	NEW();
	established(&b, 0, 0);
	for (i = 0; i < 6; i++)
		data(&b, 1460);
	for (i = 0; i < 6; i++)
		ack(&b);
	EMIT("echo-bulk");

	NEW();
	established(&b, HSK_MODE_DISCARD, 0);
	data(&b, 5000);
	data(&b, 5000);
	fin(&b);
	ack(&b);
	EMIT("discard-data-fin");

	NEW();
	established(&b, HSK_MODE_TARPIT, 0);
	data(&b, 10);
	advance_s(&b, 300);
	EMIT("tarpit");

	/* peer closes: CLOSE-WAIT, our FIN, LAST-ACK, CLOSED */
	NEW();
	established(&b, 0, 0);
	data(&b, 50);
	fin(&b);
	ack(&b);
	EMIT("passive-close");

	/* we close: FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT, CLOSED */
	NEW();
	established(&b, 0, 0);
	op(&b, FZ_OP_CLOSE);
	ack(&b);
	fin(&b);
	advance_s(&b, 61);
	EMIT("active-close-time-wait");

	/* simultaneous: our FIN, theirs before the ACK: CLOSING */
	NEW();
	established(&b, 0, 0);
	op(&b, FZ_OP_CLOSE);
	seg(&b, HSK_TCP_FIN, FZ_SEQ_NXT, FZ_ACK_UNA, FZ_WND_MAX, FZ_LEN_ZERO,
	    0);
	ack(&b);
	fin(&b);			/* retransmitted FIN in TIME-WAIT */
	advance_s(&b, 61);
	EMIT("simultaneous-close");

	/* FIN together with data and the ACK of our FIN */
	NEW();
	established(&b, 0, 0);
	data(&b, 20);
	op(&b, FZ_OP_CLOSE);
	seg(&b, HSK_TCP_FIN | HSK_TCP_PSH, FZ_SEQ_NXT, FZ_ACK_NXT, FZ_WND_MAX,
	    FZ_LEN_U8, 0);
	put8(&b, 33);
	EMIT("fin-data-ack");

	NEW();
	established(&b, 0, 0);
	seg(&b, HSK_TCP_RST | HSK_TCP_ACK, FZ_SEQ_NXT, FZ_ACK_NXT, FZ_WND_MAX,
	    FZ_LEN_ZERO, 0);
	EMIT("rst-exact");

	NEW();
	established(&b, 0, 0);
	seg(&b, HSK_TCP_RST | HSK_TCP_ACK, FZ_SEQ_S8, FZ_ACK_NXT, FZ_WND_MAX,
	    FZ_LEN_ZERO, 0);
	put8(&b, 5);
	seg(&b, HSK_TCP_RST | HSK_TCP_ACK, FZ_SEQ_RAW, FZ_ACK_NXT, FZ_WND_MAX,
	    FZ_LEN_ZERO, 0);
	put32(&b, 0x80000000);
	EMIT("rst-challenge-and-outside");

	NEW();
	params(&b, 0, 0, 100000, 1000000);
	syn(&b, 5000);
	seg(&b, HSK_TCP_RST | HSK_TCP_ACK, FZ_SEQ_NXT, FZ_ACK_NXT, FZ_WND_MAX,
	    FZ_LEN_ZERO, 0);
	EMIT("rst-syn-received");

	NEW();
	established(&b, 0, 0);
	seg(&b, HSK_TCP_SYN | HSK_TCP_ACK, FZ_SEQ_NXT, FZ_ACK_NXT, FZ_WND_MAX,
	    FZ_LEN_ZERO, 0);
	seg(&b, HSK_TCP_SYN | HSK_TCP_ACK, FZ_SEQ_IRS, FZ_ACK_NXT, FZ_WND_MAX,
	    FZ_LEN_ZERO, 0);
	put16(&b, 0);
	EMIT("syn-challenge");

	/* the peer lost our SYN-ACK and resends its SYN */
	NEW();
	params(&b, 0, 0, 100000, 1000000);
	syn(&b, 5000);
	seg(&b, HSK_TCP_SYN | HSK_TCP_ACK, FZ_SEQ_IRS, FZ_ACK_NXT, FZ_WND_MAX,
	    FZ_LEN_ZERO, 0);
	put16(&b, 0);
	ack(&b);
	EMIT("dup-syn");

	/* SYN-ACK retransmitted until synack_retries (2) gives up */
	NEW();
	put8(&b, 0);			/* P1's extras come right after it */
	put8(&b, FZ_P1_SYNACK);
	put8(&b, 2);
	put32(&b, 100000);
	put32(&b, 1000000);
	put32(&b, 0x1000);
	syn(&b, 5000);
	for (i = 0; i < 4; i++)
		op(&b, FZ_OP_TIME | FZ_TIME_NEXT << 4);
	EMIT("synack-timeout");

	/* an ACK for something else in SYN-RECEIVED: RST */
	NEW();
	params(&b, 0, 0, 100000, 1000000);
	syn(&b, 5000);
	seg(&b, 0, FZ_SEQ_NXT, FZ_ACK_NXT_S8, FZ_WND_MAX, FZ_LEN_ZERO, 0);
	put8(&b, 10);
	ack(&b);
	EMIT("bad-ack-syn-received");

	/* lost echo: RTO, retransmission, recovery */
	NEW();
	established(&b, 0, 0);
	for (i = 0; i < 4; i++)
		data(&b, 1460);
	fire(&b, HSK_TIMER_RTX);
	seg(&b, 0, FZ_SEQ_NXT, FZ_ACK_PART, FZ_WND_MAX, FZ_LEN_ZERO, 0);
	put16(&b, 1460);
	fire(&b, HSK_TIMER_RTX);
	ack(&b);
	EMIT("rto-recovery");

	/*
	 * Three duplicate ACKs (same window, no data): limited transmit,
	 * fast retransmit, NewReno partial ACK, then the full ACK
	 */
	NEW();
	established(&b, 0, 0);
	for (i = 0; i < 8; i++)
		data(&b, 1460);
	for (i = 0; i < 4; i++)
		seg(&b, 0, FZ_SEQ_NXT, FZ_ACK_UNA, FZ_WND_MAX, FZ_LEN_ZERO, 0);
	seg(&b, 0, FZ_SEQ_NXT, FZ_ACK_PART, FZ_WND_MAX, FZ_LEN_ZERO, 0);
	put16(&b, 2920);
	seg(&b, 0, FZ_SEQ_NXT, FZ_ACK_UNA, FZ_WND_MAX, FZ_LEN_ZERO, 0);
	seg(&b, 0, FZ_SEQ_NXT, FZ_ACK_PART, FZ_WND_MAX, FZ_LEN_ZERO, 0);
	put16(&b, 1460);
	ack(&b);
	EMIT("fast-retransmit-partial-ack");

	/* nobody answers: retries (3) exhausted, RST */
	NEW();
	put8(&b, 0);
	put8(&b, FZ_P1_RETRIES | FZ_P1_RTO_MIN);
	put16(&b, 199);			/* rto_min 200 ms */
	put8(&b, 3);
	put32(&b, 100000);
	put32(&b, 1000000);
	put32(&b, 0x1000);
	syn(&b, 5000);
	ack(&b);
	data(&b, 500);
	for (i = 0; i < 5; i++)
		op(&b, FZ_OP_TIME | FZ_TIME_NEXT << 4);
	EMIT("rto-abort");

	/* the peer's window closes: persist probes, then it opens */
	NEW();
	established(&b, 0, 0);
	seg(&b, HSK_TCP_PSH, FZ_SEQ_NXT, FZ_ACK_NXT, FZ_WND_ZERO, FZ_LEN_U16,
	    0);
	put16(&b, 800);
	for (i = 0; i < 3; i++)
		op(&b, FZ_OP_TIME | FZ_TIME_NEXT << 4);
	seg(&b, 0, FZ_SEQ_NXT, FZ_ACK_NXT, FZ_WND_U8, FZ_LEN_ZERO, 0);
	put8(&b, 100);
	op(&b, FZ_OP_TIME | FZ_TIME_NEXT << 4);
	ack(&b);
	EMIT("zero-window-persist");

	/* urgent data is echoed urgent */
	NEW();
	established(&b, 0, 0);
	seg(&b, HSK_TCP_PSH | HSK_TCP_URG, FZ_SEQ_NXT, FZ_ACK_NXT, FZ_WND_MAX,
	    FZ_LEN_U8, 0);
	put8(&b, 10);
	put16(&b, 3);
	ack(&b);
	EMIT("urgent");

	/* timestamps: an old TSval (PAWS), then 24 days of silence */
	NEW();
	params(&b, 0, 0, 100000, 1000000);
	syn_opts(&b, 5000, 2);
	ack(&b);
	seg(&b, HSK_TCP_PSH, FZ_SEQ_NXT, FZ_ACK_NXT, FZ_WND_MAX, FZ_LEN_U8,
	    FZ_OPT_TS_OLD);
	put8(&b, 10);
	put8(&b, 3);
	seg(&b, 0, FZ_SEQ_NXT, FZ_ACK_NXT, FZ_WND_MAX, FZ_LEN_ZERO,
	    FZ_OPT_TS_NONE);
	op(&b, FZ_OP_TIME | FZ_TIME_PAWS << 4);
	put8(&b, 1);
	seg(&b, 0, FZ_SEQ_NXT, FZ_ACK_NXT, FZ_WND_MAX, FZ_LEN_ZERO,
	    FZ_OPT_TS_OLD);
	put8(&b, 100);
	EMIT("paws");

	/* out of order, then beyond the window, then the gap filled */
	NEW();
	established(&b, 0, 0);
	seg(&b, HSK_TCP_PSH, FZ_SEQ_S16, FZ_ACK_NXT, FZ_WND_MAX, FZ_LEN_U16,
	    0);
	put16(&b, 100);
	put16(&b, 100);
	seg(&b, HSK_TCP_PSH, FZ_SEQ_EDGE, FZ_ACK_NXT, FZ_WND_MAX, FZ_LEN_U8,
	    0);
	put8(&b, 10);
	put8(&b, 0);
	seg(&b, HSK_TCP_PSH, FZ_SEQ_NXT, FZ_ACK_NXT, FZ_WND_MAX, FZ_LEN_WND_MORE,
	    0);
	put8(&b, 50);
	ack(&b);
	EMIT("ooo-and-window");

	/* a 1 octet buffer, then window updates as the echo drains */
	NEW();
	put8(&b, FZ_BUF_TINY << 2);
	put8(&b, 0);			/* rcv_buf 1 + 0 */
	put8(&b, 0);
	put32(&b, 100000);
	put32(&b, 1000000);
	put32(&b, 0x1000);
	syn(&b, 5000);
	ack(&b);
	for (i = 0; i < 4; i++) {
		data(&b, 1);
		ack(&b);
	}
	EMIT("tiny-buffer");

	/* window scale 14 with the largest buffer, GRO sized segments */
	NEW();
	put8(&b, FZ_BUF_MAX << 2);
	put8(&b, 0);
	put32(&b, 100000);
	put32(&b, 1000000);
	put32(&b, 0x1000);
	syn_opts(&b, 5000, 14);
	ack(&b);
	seg(&b, HSK_TCP_PSH, FZ_SEQ_NXT, FZ_ACK_NXT, FZ_WND_MAX, FZ_LEN_BIG, 0);
	put16(&b, 4000);
	ack(&b);
	EMIT("wscale-14-gro");

	/* sequence numbers and the clock wrap around */
	NEW();
	params(&b, 0, 0, 0xfffffc00, 0xfffffff0);
	syn(&b, 0xfffffffa);
	ack(&b);
	data(&b, 1000);
	advance_s(&b, 2);
	ack(&b);
	EMIT("wraparound");

	/* the smallest MSS with timestamps */
	NEW();
	put8(&b, FZ_MSS_TINY << 5);
	put8(&b, 0);			/* MSS 1, raised to 48 */
	put8(&b, 0);
	put32(&b, 100000);
	put32(&b, 1000000);
	put32(&b, 0x1000);
	syn_opts(&b, 5000, 0);
	ack(&b);
	data(&b, 500);
	ack(&b);
	EMIT("tiny-mss-ts");

	/* idle timeout: close after idle_ms, abort after twice that */
	NEW();
	put8(&b, 0);
	put8(&b, FZ_P1_IDLE);
	put32(&b, 5000);
	put32(&b, 100000);
	put32(&b, 1000000);
	put32(&b, 0x1000);
	syn(&b, 5000);
	ack(&b);
	advance_s(&b, 6);
	advance_s(&b, 6);
	EMIT("idle-timeout");

	NEW();
	established(&b, 0, 0);
	data(&b, 100);
	op(&b, FZ_OP_ABORT);
	data(&b, 1);			/* on a freed tcb */
	op(&b, FZ_OP_MUX);
	EMIT("abort");

	/* the listener: RST, ACK, FIN, SYN+FIN, then a SYN */
	NEW();
	params(&b, 0, 0, 100000, 1000000);
	put8(&b, HSK_TCP_SYN | HSK_TCP_RST);	/* RST */
	put32(&b, 1);
	put8(&b, 0);
	put8(&b, 0);
	put8(&b, 0);
	put8(&b, HSK_TCP_SYN | HSK_TCP_ACK);	/* ACK */
	put32(&b, 2);
	put32(&b, 77);
	put8(&b, 0);
	put8(&b, 0);
	put8(&b, 0);
	put8(&b, HSK_TCP_FIN);			/* SYN+FIN */
	put32(&b, 3);
	put8(&b, 0);
	put8(&b, 0);
	put8(&b, 0);
	syn(&b, 5000);
	ack(&b);
	EMIT("listener-probes");

	/* ACK of unsent data, and one older than the window (RFC 5961 5) */
	NEW();
	established(&b, 0, 0);
	seg(&b, 0, FZ_SEQ_NXT, FZ_ACK_NXT_S8, FZ_WND_MAX, FZ_LEN_ZERO, 0);
	put8(&b, 100);
	seg(&b, 0, FZ_SEQ_NXT, FZ_ACK_OLD, FZ_WND_MAX, FZ_LEN_ZERO, 0);
	put8(&b, 0x80);
	EMIT("bad-acks");

	/* the kernel's multiplexed timer and spurious expiries */
	NEW();
	established(&b, 0, 0);
	data(&b, 100);
	op(&b, FZ_OP_MUX);
	op(&b, FZ_OP_TIMER | FZ_TIMER_SPURIOUS | HSK_TIMER_RTX << 4);
	op(&b, FZ_OP_TIMER | FZ_TIMER_SPURIOUS | HSK_TIMER_PERSIST << 4);
	op(&b, FZ_OP_TIME | FZ_TIME_RTO << 4);
	op(&b, FZ_OP_MUX);
	ack(&b);
	EMIT("timers-mux-spurious");

	/* a network duplicate of every segment */
	NEW();
	established(&b, 0, 0);
	op(&b, FZ_OP_REPEAT);
	data(&b, 300);
	op(&b, FZ_OP_REPEAT);
	fin(&b);
	op(&b, FZ_OP_REPEAT);
	ack(&b);
	op(&b, FZ_OP_REPEAT);
	EMIT("duplicates");

	/* SACK blocks and a zero MSS option on ordinary segments */
	NEW();
	params(&b, 0, 0, 100000, 1000000);
	put8(&b, 0);
	put32(&b, 5000);
	put8(&b, FZ_WND_MAX);
	put8(&b, FZ_LEN_ZERO);
	put8(&b, FZ_OPT_MSS | FZ_OPT_SACKP);
	put16(&b, 0);
	ack(&b);
	data(&b, 2000);
	seg(&b, 0, FZ_SEQ_NXT, FZ_ACK_PART, FZ_WND_MAX, FZ_LEN_ZERO,
	    FZ_OPT_SACK);
	put16(&b, 536);
	put8(&b, 3);			/* 4 blocks */
#ifdef HSK_SACK_BLOCKS_MAX
	put8(&b, FZ_SACK_FLIGHT);
	put16(&b, 600);
	put16(&b, 1000);
	put8(&b, FZ_SACK_BELOW);	/* D-SACK */
	put16(&b, 100);
	put16(&b, 50);
	put8(&b, FZ_SACK_MSS);
	put8(&b, 3);
	put8(&b, 0);
	put8(&b, FZ_SACK_RAW);
	put32(&b, 1);
	put32(&b, 0x80000001);
#endif
	ack(&b);
	EMIT("sack-mss-zero");

#ifdef HSK_SACK_BLOCKS_MAX
	/*
	 * RFC 6675 recovery: ten segments in flight, the peer SACKs the
	 * 3rd, 5th and 7th (lost: 1st, 2nd, 4th, 6th), resends fill the
	 * holes one ACK at a time
	 */
	NEW();
	params(&b, 0, 0, 100000, 1000000);
	put8(&b, 0);
	put32(&b, 5000);
	put8(&b, FZ_WND_MAX);
	put8(&b, FZ_LEN_ZERO);
	put8(&b, FZ_OPT_MSS | FZ_OPT_SACKP);
	put16(&b, 1000);
	ack(&b);
	for (i = 0; i < 10; i++) {	/* data that acknowledges nothing */
		seg(&b, HSK_TCP_PSH, FZ_SEQ_NXT, FZ_ACK_UNA, FZ_WND_MAX,
		    FZ_LEN_U16, 0);
		put16(&b, 1000);
	}
	for (i = 0; i < 3; i++) {
		seg(&b, 0, FZ_SEQ_NXT, FZ_ACK_UNA, FZ_WND_MAX, FZ_LEN_ZERO,
		    FZ_OPT_SACK);
		put8(&b, i);		/* i + 1 blocks */
		put8(&b, FZ_SACK_MSS);
		put8(&b, 2);
		put8(&b, 0);
		if (i >= 1) {
			put8(&b, FZ_SACK_MSS);
			put8(&b, 4);
			put8(&b, 0);
		}
		if (i >= 2) {
			put8(&b, FZ_SACK_MSS);
			put8(&b, 6);
			put8(&b, 0);
		}
	}
	for (i = 0; i < 3; i++) {	/* partial ACKs */
		seg(&b, 0, FZ_SEQ_NXT, FZ_ACK_PART, FZ_WND_MAX, FZ_LEN_ZERO,
		    FZ_OPT_SACK);
		put16(&b, 1000 * (2 * i + 2));
		put8(&b, 0);
		put8(&b, FZ_SACK_MSS);
		put8(&b, 6 - 2 * i);
		put8(&b, 0);
	}
	op(&b, FZ_OP_TIME | FZ_TIME_RTO << 4);
	ack(&b);
	EMIT("sack-recovery");

	/* more disjoint SACKed ranges than the scoreboard holds */
	NEW();
	params(&b, 0, 0, 100000, 1000000);
	put8(&b, 0);
	put32(&b, 5000);
	put8(&b, FZ_WND_MAX);
	put8(&b, FZ_LEN_ZERO);
	put8(&b, FZ_OPT_SACKP);
	ack(&b);
	seg(&b, HSK_TCP_PSH, FZ_SEQ_NXT, FZ_ACK_UNA, FZ_WND_MAX, FZ_LEN_U16,
	    0);
	put16(&b, 1000);
	for (i = 0; i < 3; i++) {
		int k;

		seg(&b, 0, FZ_SEQ_NXT, FZ_ACK_UNA, FZ_WND_MAX, FZ_LEN_ZERO,
		    FZ_OPT_SACK);
		put8(&b, 3);		/* 4 blocks of one octet each */
		for (k = 0; k < 4; k++) {
			put8(&b, FZ_SACK_FLIGHT);
			put16(&b, 2 * (4 * i + k) + 1);
			put16(&b, 2 * (4 * i + k) + 2);
		}
	}
	ack(&b);
	EMIT("sack-scoreboard-full");
#endif

	/* close while the queue drains through a small window */
	NEW();
	established(&b, 0, 0);
	seg(&b, HSK_TCP_PSH, FZ_SEQ_NXT, FZ_ACK_NXT, FZ_WND_U8, FZ_LEN_U16,
	    0);
	put16(&b, 3000);
	put8(&b, 200);
	op(&b, FZ_OP_CLOSE);
	for (i = 0; i < 5; i++) {
		seg(&b, 0, FZ_SEQ_NXT, FZ_ACK_NXT, FZ_WND_U8, FZ_LEN_ZERO, 0);
		put8(&b, 200);
		advance_ms(&b, 1100);	/* the persist timer overrides SWS */
	}
	EMIT("close-small-window");

	/* CLOSE before the handshake completes: the FIN waits for it */
	NEW();
	params(&b, 0, 0, 100000, 1000000);
	syn(&b, 5000);
	op(&b, FZ_OP_CLOSE);
	op(&b, FZ_OP_CLOSE);
	ack(&b);
	ack(&b);
	EMIT("close-in-syn-received");

	/* our FIN is lost: retransmitted alone */
	NEW();
	established(&b, 0, 0);
	op(&b, FZ_OP_CLOSE);
	fire(&b, HSK_TIMER_RTX);
	fire(&b, HSK_TIMER_RTX);
	ack(&b);
	fin(&b);
	EMIT("fin-retransmit");

	/* discard with timestamps, window scaling and an invalid mode number */
	NEW();
	params(&b, 3, 0, 100000, 1000000);
	syn_opts(&b, 5000, 3);
	ack(&b);
	data(&b, 4000);
	fin(&b);
	EMIT("invalid-mode");

	/* tarpit: the peer's FIN in the zero window */
	NEW();
	established(&b, HSK_MODE_TARPIT, 0);
	fin(&b);
	ack(&b);
	EMIT("tarpit-fin");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) && errno != EEXIST) {
		perror(outdir);
		return 1;
	}
	parse_seeds();
	conn_seeds();
	return 0;
}
