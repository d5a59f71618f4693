/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Input encoding of fuzz_conn, shared with the seed generator (mkcorpus.c).
 *
 * The reader yields zeros once the input is used up, and every encoding
 * below is chosen so that zeros mean the "ordinary" thing (an ACK at
 * RCV.NXT acknowledging SND.NXT with a full window and valid timestamps),
 * so short inputs already make a sensible conversation.
 *
 *   input    := params listen-seg{1..4} event*
 *
 *   params   := P0 [rcv_buf extra] [mss extra] P1 [cfg extras]
 *               now:u32 iss:u32 ts_offset:u32
 *     P0 bits 0-1  mode (3: an invalid mode number, taken as discard)
 *        bits 2-4  rcv_buf, FZ_BUF_*
 *        bits 5-7  our MSS, FZ_MSS_*
 *     P1 bit  0    rto_min_ms = 1 + u16 % 60000
 *        bit  1    rto_max_ms = rto_min_ms + 10 * u16
 *        bit  2    time_wait_ms = 1 + u32 % 600000
 *        bit  3    idle_ms = u32 % 86400001
 *        bit  4    oow_ack_interval_ms = u16 % 2001
 *        bit  5    synack_retries = u8 % 16
 *        bit  6    retries = u8 % 16
 *        bit  7    default_mss = u16 (else HSK_MSS_DEFAULT)
 *
 *   listen-seg := flags(^SYN) seq:u32 [ack:u32 if ACK] wndsel lensel optsel
 *                 [extras] [urp:u16 if URG]
 *     repeated until hsk_listen_input() creates the connection (at most
 *     FZ_LISTEN_TRIES times, else the input ends there)
 *
 *   event    := op [operands]
 *     op & 15 < FZ_OP_SEG_MAX   a segment: see below; with
 *                   FZ_SEG_RENEGE the shell cannot keep its out-of-order
 *                   data and calls hsk_ofo_renege()
 *     FZ_OP_TIME    advance the clock; op >> 4: FZ_TIME_*
 *     FZ_OP_TIMER   expiry of timer (op >> 4) & 3; bit 6 of op: spurious
 *                   (at the current time, possibly before its deadline)
 *     FZ_OP_MUX     the kernel shell's multiplexed timer: hsk_timeout()
 *                   for every pending kind, at the current time
 *     FZ_OP_CLOSE   hsk_close()
 *     FZ_OP_ABORT   hsk_abort()
 *     FZ_OP_OUTPUT  just the output loop
 *     FZ_OP_REPEAT  the previous segment again (a network duplicate)
 *
 *   segment  := op flags(^ACK) seqsel acksel wndsel lensel optsel [extras]
 *               [urp:u16 if URG]
 *     extras are read in the order len, seq, ack, wnd, options
 */
#ifndef HSK_FUZZ_CONN_H
#define HSK_FUZZ_CONN_H

#define FZ_LISTEN_TRIES	4
#define FZ_DEAD_EVENTS	8	/* calls tried on a freed tcb */

/* P0 bits 2-4 */
enum {
	FZ_BUF_64K,		/* 65536, the kernel's HSK_SNDQ_SIZE on x86 */
	FZ_BUF_DEFAULT,		/* 0: HSK_RCV_BUF_DEFAULT */
	FZ_BUF_TINY,		/* 1 + u8 */
	FZ_BUF_U16,		/* 1 + u16 */
	FZ_BUF_U32,		/* u32, clamped by the core */
	FZ_BUF_MAX,		/* HSK_RCV_BUF_MAX */
	FZ_BUF_HUGE,		/* 0xffffffff */
	FZ_BUF_MEDIUM,		/* 1 + (u16 << 4) */
};

/* P0 bits 5-7 */
enum {
	FZ_MSS_1460,
	FZ_MSS_ZERO,		/* 0: HSK_MSS_DEFAULT */
	FZ_MSS_U16,
	FZ_MSS_TINY,		/* 1 + u8, raised to HSK_MSS_MIN */
	FZ_MSS_65535,
	FZ_MSS_536,
	FZ_MSS_1220,
	FZ_MSS_JUMBO,		/* 8960 */
};

#define FZ_P1_RTO_MIN	0x01
#define FZ_P1_RTO_MAX	0x02
#define FZ_P1_TIME_WAIT	0x04
#define FZ_P1_IDLE	0x08
#define FZ_P1_OOW	0x10
#define FZ_P1_SYNACK	0x20
#define FZ_P1_RETRIES	0x40
#define FZ_P1_DEF_MSS	0x80

/* event opcodes (low nibble of op) */
#define FZ_OP_SEG_MAX	9	/* 0..8: a segment */
#define FZ_OP_TIME	9
#define FZ_OP_TIMER	10
#define FZ_OP_MUX	11
#define FZ_OP_CLOSE	12
#define FZ_OP_ABORT	13
#define FZ_OP_OUTPUT	14
#define FZ_OP_REPEAT	15

#define FZ_TIMER_SPURIOUS	0x40	/* in op, with FZ_OP_TIMER */
#define FZ_SEG_RENEGE		0x80	/* in op, with a segment */

/* FZ_OP_TIME: op >> 4 */
enum {
	FZ_TIME_U8,		/* + u8 ms, firing due timers */
	FZ_TIME_U16,		/* + u16 ms */
	FZ_TIME_SECONDS,	/* + u16 s */
	FZ_TIME_NEXT,		/* to the earliest pending deadline */
	FZ_TIME_PAWS,		/* + 24 days + u8 ms (RFC 7323 5.5) */
	FZ_TIME_U32,		/* + u32 % 2^31 ms */
	FZ_TIME_LATE,		/* + u16 ms without firing (a late shell) */
	FZ_TIME_RTO,		/* + the current RTO */
};

/* seqsel & 7: SEG.SEQ */
enum {
	FZ_SEQ_NXT,		/* RCV.NXT */
	FZ_SEQ_S8,		/* RCV.NXT + s8 */
	FZ_SEQ_S16,		/* RCV.NXT + s16 */
	FZ_SEQ_OLD,		/* RCV.NXT - len (a retransmission) */
	FZ_SEQ_EDGE,		/* right edge of our window + s8 */
	FZ_SEQ_PREV,		/* RCV.NXT - 1 (keep-alive like) */
	FZ_SEQ_IRS,		/* IRS + s16 */
	FZ_SEQ_RAW,		/* u32 */
};

/* acksel & 7: SEG.ACK */
enum {
	FZ_ACK_NXT,		/* SND.NXT */
	FZ_ACK_UNA,		/* SND.UNA */
	FZ_ACK_PART,		/* SND.UNA + u16 % (flight + 1) */
	FZ_ACK_NXT_S8,		/* SND.NXT + s8 */
	FZ_ACK_OLD,		/* SND.UNA - MAX.SND.WND + s8 (RFC 5961 5) */
	FZ_ACK_UNA_S16,		/* SND.UNA + s16 */
	FZ_ACK_ISS,		/* ISS + s8 */
	FZ_ACK_RAW,		/* u32 */
};

/* wndsel & 3: window field */
enum {
	FZ_WND_MAX,		/* 65535 */
	FZ_WND_ZERO,
	FZ_WND_U16,
	FZ_WND_U8,
};

/* lensel & 7: payload length */
enum {
	FZ_LEN_ZERO,
	FZ_LEN_U8,
	FZ_LEN_U16,
	FZ_LEN_MSS,		/* our advertised MSS */
	FZ_LEN_WND,		/* exactly the receive window left */
	FZ_LEN_WND_MORE,	/* window + 1 + u8 */
	FZ_LEN_ONE,
	FZ_LEN_BIG,		/* 65536 + u16 (GRO) */
};

/*
 * optsel: options. For a connection segment the timestamp mode "auto"
 * means: present with the peer's next TSval and our last TSval as echo
 * if timestamps were negotiated, absent otherwise. On the listener's SYN
 * "auto" means absent and every other mode present.
 */
#define FZ_OPT_TS_MASK	0x03
#define FZ_OPT_TS_AUTO	0x00
#define FZ_OPT_TS_NONE	0x01
#define FZ_OPT_TS_OLD	0x02	/* TSval = last - 1 - u8 */
#define FZ_OPT_TS_RAW	0x03	/* TSval u32, TSecr u32 */
#define FZ_OPT_MSS	0x04	/* MSS u16 */
#define FZ_OPT_WS	0x08	/* window scale u8 (clamped to 14 as parsed) */
#define FZ_OPT_SACKP	0x10
#define FZ_OPT_SACK	0x20	/* 1 + (u8 & 3) blocks, then per block
				 * (cores that keep the edges) a selector
				 * u8, FZ_SACK_*, and its operands */
#define FZ_OPT_TSINC_SHIFT 6	/* bits 6-7: TSval step in auto mode */
enum {
	FZ_TSINC_ZERO,		/* same TSval */
	FZ_TSINC_ONE,
	FZ_TSINC_U8,
	FZ_TSINC_U32,		/* anything, maybe "older" */
};

/* SACK block selector & 3 */
enum {
	FZ_SACK_FLIGHT,		/* SND.UNA + [u16, u16] % (flight + 1), sorted */
	FZ_SACK_MSS,		/* SND.UNA + MSS * (u8 % 16), MSS * (1 + u8 % 4) long */
	FZ_SACK_BELOW,		/* SND.UNA - u16, u16 long (D-SACK, stale) */
	FZ_SACK_RAW,		/* u32 start, u32 end */
};

#endif /* HSK_FUZZ_CONN_H */
