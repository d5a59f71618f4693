/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hsk TCP core: the RFC 9293 state machine, RFC 5961 and RFC 7323 checks,
 * RFC 6298 retransmission timing, RFC 5681 congestion control with fast
 * retransmit, NewReno (RFC 6582) or SACK based (RFC 6675) loss recovery
 * and limited transmit (RFC 3042) of the hsk TCP endpoint, as pure
 * functions.
 *
 * The core owns no memory, takes no locks, reads no clock and touches no
 * skb: every call gets a segment (or a timer expiry, or a command) plus the
 * current time, updates the struct hsk_tcb it is given and describes in a
 * struct hsk_actions what the caller (the "shell") must do. The same files
 * build into the kernel module and into userspace tests and fuzzers.
 *
 * Contract with the shell
 * -----------------------
 * Per event (one received segment, one timer expiry, one command) the
 * shell, holding the connection's lock:
 *
 *  1. hsk_actions_init(&act);
 *  2. calls exactly one of hsk_listen_input(), hsk_input(), hsk_timeout(),
 *     hsk_close(), hsk_abort();
 *  3. updates the send queue: drops act.acked octets from its head, then
 *     copies octets [deliver_off, deliver_off + deliver_len) of the
 *     received segment's payload to queue offset deliver_at, and octets
 *     [store_off, store_off + store_len) to queue offset store_at (see
 *     below); if the latter cannot be kept, calls hsk_ofo_renege();
 *  4. unless act.flags has HSK_ACT_FREE, calls hsk_output(): it is cheap
 *     when there is nothing to send, and it sends echo data, our FIN and
 *     the rest of a loss recovery;
 *  5. builds and transmits act.segs[0..nsegs) in order; the payload of a
 *     segment is data_len octets at offset data_off of the send queue as
 *     updated in step 3. If act.flags has HSK_ACT_MORE, the list was full:
 *     set act.nsegs = 0, clear HSK_ACT_MORE and go back to step 4;
 *  6. applies, once, what accumulated over steps 2-5: timer arms and
 *     cancels (a kind is never in both), act.cnt[] increments, act.drop,
 *     act.trans[] state changes;
 *  7. if act.flags has HSK_ACT_FREE: unlinks the connection, stops its
 *     timers and frees it after an RCU grace period. The tcb is then in
 *     CLOSED, and any further core call on it does nothing.
 *
 * hsk_listen_input() works on a tcb that may live on the stack: if it
 * returns 1, allocate the connection, copy the tcb into it and insert it
 * before step 3; if that fails (backlog, memory), throw the actions away.
 *
 * A timer arm means "(re)start this timer for act.timer_expires[kind]"
 * (e.g. mod_timer() at jiffies + msecs_to_jiffies(expires - now)); a
 * cancel may be a plain timer_delete() under the lock. An expiry that
 * races with either is recognised by hsk_timeout() and is harmless.
 *
 * The send queue (echo mode only) holds the octets from SND.UNA onwards:
 * sent but unacknowledged, then not yet sent. The core keeps its length in
 * tcb->sndq and never lets it exceed tcb->rcv_buf, so a buffer of
 * tcb->rcv_buf octets allocated with the connection can always take a
 * delivery. A shell that cannot store a delivery must hsk_abort().
 *
 * Out-of-order data (echo mode) is kept in the same buffer, beyond the
 * queue, at the place it will have once the hole before it is filled:
 * offset sndq + (SEG.SEQ - RCV.NXT). The core accepts it only within
 * tcb->rcv_buf - tcb->sndq octets of RCV.NXT, so it always fits, and
 * when the hole is filled it just counts those octets into tcb->sndq:
 * they are in order where they are. A shell that cannot keep a store
 * calls hsk_ofo_renege(), which drops the segment after all.
 *
 * Time is a u32 millisecond clock (e.g. jiffies_to_msecs(jiffies)) that may
 * wrap; all deadlines are absolute values of that clock. The TCP timestamp
 * clock is the same clock plus a per connection random offset (RFC 7323
 * section 5.4, RFC 6528 style).
 */
#ifndef _HSK_CORE_H
#define _HSK_CORE_H

#include "hsk_types.h"
#include <linux/hsk.h>

#ifdef __cplusplus
extern "C" {
#endif

/* TCP header: flag bits of octet 13 */
#define HSK_TCP_FIN		0x01
#define HSK_TCP_SYN		0x02
#define HSK_TCP_RST		0x04
#define HSK_TCP_PSH		0x08
#define HSK_TCP_ACK		0x10
#define HSK_TCP_URG		0x20
#define HSK_TCP_ECE		0x40
#define HSK_TCP_CWR		0x80

#define HSK_TCP_HDR_LEN		20	/* without options */
#define HSK_TCP_MAX_HDR_LEN	60	/* data offset 15 */
#define HSK_TCP_MAX_OPT_LEN	40

/* TCP option kinds */
#define HSK_TCPOPT_EOL		0
#define HSK_TCPOPT_NOP		1
#define HSK_TCPOPT_MSS		2
#define HSK_TCPOPT_WSCALE	3
#define HSK_TCPOPT_SACK_PERM	4
#define HSK_TCPOPT_SACK		5
#define HSK_TCPOPT_TS		8

/* struct hsk_opts.present and struct hsk_tx.opts bits */
#define HSK_OPT_MSS		0x01
#define HSK_OPT_WSCALE		0x02
#define HSK_OPT_SACK_PERM	0x04
#define HSK_OPT_TS		0x08
#define HSK_OPT_SACK		0x10

#define HSK_TS_OPT_SPACE	12	/* NOP, NOP, kind 8 of length 10 */
#define HSK_SACK_BLOCKS_MAX	4	/* 2 + 4 * 8 octets fill the option area */
#define HSK_WSCALE_MAX		14	/* RFC 7323 section 2.3 */
#define HSK_MAX_WIN		65535U
#define HSK_RCV_BUF_MAX		(HSK_MAX_WIN << HSK_WSCALE_MAX)
#define HSK_RCV_BUF_DEFAULT	HSK_MAX_WIN
#define HSK_MSS_DEFAULT		536	/* RFC 9293 3.7.1, IPv4 */
#define HSK_MSS_DEFAULT_V6	1220	/* RFC 9293 3.7.1, IPv6 */
/* Floor for a peer's MSS, as Linux: tiny segments only amplify work. */
#define HSK_MSS_MIN		48
#define HSK_RTO_INIT_MS		1000	/* RFC 6298 2.1 */
#define HSK_RTO_SYN_LOST_MS	3000	/* RFC 6298 5.7 */
/*
 * RFC 8985 tail loss probe: the floor of the probe timeout (about two
 * round trips), and what it adds when a single segment is in flight to a
 * peer that may delay its ACK (RFC 8985 WCDelAckT).
 */
#define HSK_TLP_MIN_MS		10
#define HSK_TLP_DELACK_MS	200
/* RFC 7323 5.5: TS.Recent is invalid after 24 days idle */
#define HSK_PAWS_IDLE_MS	(24U * 24 * 60 * 60 * 1000)

/**
 * enum hsk_state - TCP connection states (RFC 9293 3.3.2)
 * @HSK_STATE_CLOSED: no connection; a tcb in this state is being freed
 * @HSK_STATE_LISTEN: only reported as the origin of the first transition
 * @HSK_STATE_SYN_RECEIVED: SYN received, SYN-ACK sent
 * @HSK_STATE_ESTABLISHED: handshake complete
 * @HSK_STATE_FIN_WAIT_1: our FIN sent, not acknowledged, no peer FIN yet
 * @HSK_STATE_FIN_WAIT_2: our FIN acknowledged, waiting for the peer's FIN
 * @HSK_STATE_CLOSE_WAIT: peer's FIN received, ours not sent yet
 * @HSK_STATE_CLOSING: both FINs sent, ours not acknowledged yet
 * @HSK_STATE_LAST_ACK: peer's FIN received, ours sent, not acknowledged
 * @HSK_STATE_TIME_WAIT: both FINs acknowledged, waiting 2 MSL
 * @HSK_STATE_MAX: number of states
 */
enum hsk_state {
	HSK_STATE_CLOSED,
	HSK_STATE_LISTEN,
	HSK_STATE_SYN_RECEIVED,
	HSK_STATE_ESTABLISHED,
	HSK_STATE_FIN_WAIT_1,
	HSK_STATE_FIN_WAIT_2,
	HSK_STATE_CLOSE_WAIT,
	HSK_STATE_CLOSING,
	HSK_STATE_LAST_ACK,
	HSK_STATE_TIME_WAIT,
	HSK_STATE_MAX
};

/**
 * enum hsk_timer - per connection timers
 * @HSK_TIMER_RTX: retransmission of SYN-ACK, data or FIN (RFC 6298)
 * @HSK_TIMER_PERSIST: zero window probe (RFC 9293 3.8.6.1)
 * @HSK_TIMER_TIMEWAIT: 2 MSL in TIME-WAIT
 * @HSK_TIMER_IDLE: no progress for hsk_cfg.idle_ms
 * @HSK_TIMER_MAX: number of timers
 */
enum hsk_timer {
	HSK_TIMER_RTX,
	HSK_TIMER_PERSIST,
	HSK_TIMER_TIMEWAIT,
	HSK_TIMER_IDLE,
	HSK_TIMER_MAX
};

/**
 * enum hsk_drop - why (part of) a received segment was discarded
 * @HSK_DROP_NONE: the segment was used
 * @HSK_DROP_MALFORMED: bad header or options (hsk_parse_header() failed;
 *	set by the shell, listed here so that all reasons share one enum)
 * @HSK_DROP_CLOSED: the connection is already closed
 * @HSK_DROP_LISTEN_RST: RST to a listener
 * @HSK_DROP_LISTEN_ACK: ACK to a listener, answered with RST
 * @HSK_DROP_LISTEN_NO_SYN: neither SYN, ACK nor RST (FIN, NULL, Xmas scans)
 * @HSK_DROP_LISTEN_SYN_FIN: SYN together with FIN
 * @HSK_DROP_NO_TS: timestamps negotiated but the segment has none
 * @HSK_DROP_PAWS: timestamp older than TS.Recent (RFC 7323 PAWS)
 * @HSK_DROP_NOT_ACCEPTABLE: sequence number outside the receive window
 * @HSK_DROP_RST_OUT_OF_WINDOW: RST outside the receive window
 * @HSK_DROP_RST_CHALLENGE: RST in window but not at RCV.NXT (RFC 5961 3)
 * @HSK_DROP_SYN_CHALLENGE: SYN on a synchronized connection (RFC 5961 4)
 * @HSK_DROP_SYN_RESET: new SYN in SYN-RECEIVED: half-open connection freed
 * @HSK_DROP_DUP_SYN: retransmitted SYN in SYN-RECEIVED (SYN-ACK resent)
 * @HSK_DROP_NO_ACK: ACK bit off
 * @HSK_DROP_BAD_ACK: unacceptable ACK in SYN-RECEIVED, answered with RST
 * @HSK_DROP_ACK_UNSENT: SEG.ACK > SND.NXT
 * @HSK_DROP_ACK_TOO_OLD: SEG.ACK < SND.UNA - MAX.SND.WND (RFC 5961 5)
 * @HSK_DROP_OOO: data beyond RCV.NXT (out of order) that could not be
 *	kept: no room for another range, or no buffer
 * @HSK_DROP_WINDOW: data beyond the receive window (e.g. zero window probe)
 * @HSK_DROP_MAX: number of reasons
 */
enum hsk_drop {
	HSK_DROP_NONE,
	HSK_DROP_MALFORMED,
	HSK_DROP_CLOSED,
	HSK_DROP_LISTEN_RST,
	HSK_DROP_LISTEN_ACK,
	HSK_DROP_LISTEN_NO_SYN,
	HSK_DROP_LISTEN_SYN_FIN,
	HSK_DROP_NO_TS,
	HSK_DROP_PAWS,
	HSK_DROP_NOT_ACCEPTABLE,
	HSK_DROP_RST_OUT_OF_WINDOW,
	HSK_DROP_RST_CHALLENGE,
	HSK_DROP_SYN_CHALLENGE,
	HSK_DROP_SYN_RESET,
	HSK_DROP_DUP_SYN,
	HSK_DROP_NO_ACK,
	HSK_DROP_BAD_ACK,
	HSK_DROP_ACK_UNSENT,
	HSK_DROP_ACK_TOO_OLD,
	HSK_DROP_OOO,
	HSK_DROP_WINDOW,
	HSK_DROP_MAX
};

/**
 * enum hsk_counter - event counters, reported as deltas in hsk_actions.cnt
 * @HSK_CNT_ESTABLISHED: handshakes completed
 * @HSK_CNT_RESET_RX: connections reset by a valid RST
 * @HSK_CNT_RST_TX: RST segments sent
 * @HSK_CNT_CHALLENGE_ACK: RFC 5961 challenge ACKs sent
 * @HSK_CNT_ACK_RATELIMITED: challenge or out of window ACKs suppressed
 * @HSK_CNT_RETRANS: data or FIN segments retransmitted (after a timeout,
 *	by fast retransmit or for a NewReno partial ACK)
 * @HSK_CNT_SYNACK_RETRANS: SYN-ACKs retransmitted
 * @HSK_CNT_SYNACK_TIMEOUT: half-open connections given up
 * @HSK_CNT_RTO_TIMEOUT: connections aborted after too many retransmissions
 *	or unanswered window probes
 * @HSK_CNT_PERSIST_PROBE: zero window probes sent
 * @HSK_CNT_IDLE_TIMEOUT: idle timer expiries (first: close, second: abort)
 * @HSK_CNT_RX_BYTES: payload octets accepted in order
 * @HSK_CNT_TX_BYTES: payload octets sent for the first time
 * @HSK_CNT_URG_BYTES: accepted octets that were urgent
 * @HSK_CNT_OFO_QUEUED: out-of-order segments kept
 * @HSK_CNT_MAX: number of counters
 */
enum hsk_counter {
	HSK_CNT_ESTABLISHED,
	HSK_CNT_RESET_RX,
	HSK_CNT_RST_TX,
	HSK_CNT_CHALLENGE_ACK,
	HSK_CNT_ACK_RATELIMITED,
	HSK_CNT_RETRANS,
	HSK_CNT_SYNACK_RETRANS,
	HSK_CNT_SYNACK_TIMEOUT,
	HSK_CNT_RTO_TIMEOUT,
	HSK_CNT_PERSIST_PROBE,
	HSK_CNT_IDLE_TIMEOUT,
	HSK_CNT_RX_BYTES,
	HSK_CNT_TX_BYTES,
	HSK_CNT_URG_BYTES,
	HSK_CNT_OFO_QUEUED,
	HSK_CNT_MAX
};

/**
 * enum hsk_tx_kind - why a segment is sent (for tracing and tests)
 * @HSK_TX_SYNACK: SYN-ACK, first or retransmitted
 * @HSK_TX_ACK: acknowledgment of accepted data/FIN, or window update;
 *	hsk_output() replaces it with a data segment that carries the same
 *	acknowledgment
 * @HSK_TX_DUPACK: acknowledgment of an unacceptable, old or out of order
 *	segment (RFC 9293 "send an ACK and drop")
 * @HSK_TX_CHALLENGE: RFC 5961 challenge ACK
 * @HSK_TX_RST: reset
 * @HSK_TX_DATA: new data and/or FIN
 * @HSK_TX_RETRANS: retransmitted data and/or FIN (timeout, fast
 *	retransmit or NewReno partial ACK)
 * @HSK_TX_PROBE: zero window probe
 */
enum hsk_tx_kind {
	HSK_TX_SYNACK,
	HSK_TX_ACK,
	HSK_TX_DUPACK,
	HSK_TX_CHALLENGE,
	HSK_TX_RST,
	HSK_TX_DATA,
	HSK_TX_RETRANS,
	HSK_TX_PROBE
};

/**
 * struct hsk_sack_block - octets [start, end) of our sequence space that
 *	the peer holds beyond its cumulative acknowledgment (RFC 2018)
 * @start: left edge
 * @end: right edge (first octet after the block)
 */
struct hsk_sack_block {
	u32 start;
	u32 end;
};

/**
 * struct hsk_opts - TCP options of a received segment
 * @present: HSK_OPT_* bits of the options found
 * @mss: MSS option value (0 if absent)
 * @wscale: window scale shift, already clamped to HSK_WSCALE_MAX
 * @sack_blocks: number of SACK blocks
 * @tsval: timestamp value (valid with HSK_OPT_TS)
 * @tsecr: timestamp echo reply (valid with HSK_OPT_TS)
 * @sack: the first @sack_blocks SACK blocks, as received (not validated)
 */
struct hsk_opts {
	u8 present;
	u8 wscale;
	u8 sack_blocks;
	u16 mss;
	u32 tsval;
	u32 tsecr;
	struct hsk_sack_block sack[HSK_SACK_BLOCKS_MAX];
};

/**
 * struct hsk_seg - a received TCP segment, header fields in host order
 * @sport: source port
 * @dport: destination port
 * @seq: SEG.SEQ
 * @ack: SEG.ACK (meaningful with HSK_TCP_ACK)
 * @len: payload octets (SEG.LEN without SYN and FIN)
 * @hdr_len: TCP header length including options (payload offset)
 * @wnd: window field as received, not scaled
 * @urp: urgent pointer field
 * @flags: HSK_TCP_* bits
 * @opts: parsed options
 */
struct hsk_seg {
	u16 sport;
	u16 dport;
	u32 seq;
	u32 ack;
	u32 len;
	u16 hdr_len;
	u16 wnd;
	u16 urp;
	u8 flags;
	struct hsk_opts opts;
};

/**
 * struct hsk_cfg - tunables, copied into each connection when it is created
 * @rto_min_ms: lower bound of the retransmission timeout
 * @rto_max_ms: upper bound of the retransmission timeout and of backoff
 * @time_wait_ms: TIME-WAIT duration (2 MSL)
 * @idle_ms: close a connection without progress for this long, abort it
 *	after as long again; 0 disables
 * @oow_ack_interval_ms: at most one challenge ACK or ACK to an
 *	unacceptable pure ACK per this interval per connection; 0 disables
 *	(the shell may then rate limit HSK_TX_CHALLENGE itself)
 * @synack_retries: SYN-ACK retransmissions before a half-open connection
 *	is dropped
 * @retries: retransmissions of the same data, or unanswered window probes,
 *	before the connection is aborted
 */
struct hsk_cfg {
	u32 rto_min_ms;
	u32 rto_max_ms;
	u32 time_wait_ms;
	u32 idle_ms;
	u32 oow_ack_interval_ms;
	u8 synack_retries;
	u8 retries;
};

/**
 * struct hsk_listen_params - what hsk_listen_input() needs from the shell
 * @cfg: tunables for the new connection
 * @mode: enum hsk_mode of the listener
 * @now_ms: current time
 * @iss: initial send sequence number, from a keyed hash (RFC 6528)
 * @ts_offset: random offset of this connection's timestamp clock
 * @rcv_buf: receive buffer (echo: send queue) size in octets; it sets the
 *	window and our window scale. 0 means HSK_RCV_BUF_DEFAULT; values above
 *	HSK_RCV_BUF_MAX are clamped
 * @mss: our MSS from the route MTU (MTU - IP header - 20); advertised in
 *	the SYN-ACK and upper bound of the segments we send
 * @default_mss: peer MSS to assume without an MSS option (HSK_MSS_DEFAULT
 *	or HSK_MSS_DEFAULT_V6); 0 means HSK_MSS_DEFAULT
 */
struct hsk_listen_params {
	struct hsk_cfg cfg;
	u32 mode;
	u32 now_ms;
	u32 iss;
	u32 ts_offset;
	u32 rcv_buf;
	u16 mss;
	u16 default_mss;
};

/* struct hsk_tcb.flags */
#define HSK_TF_TS		0x0001	/* timestamps negotiated */
#define HSK_TF_WSCALE		0x0002	/* window scaling negotiated */
#define HSK_TF_SACK_OK		0x0004	/* SACK-permitted exchanged */
#define HSK_TF_CLOSE_REQ	0x0008	/* send FIN after the queued data */
#define HSK_TF_FIN_SENT		0x0010	/* our FIN has sequence fin_seq */
#define HSK_TF_RTT_TIMING	0x0020	/* timing rtt_seq since rtt_start */
#define HSK_TF_RTT_VALID	0x0040	/* srtt8/rttvar4 hold a sample */
#define HSK_TF_SYNACK_RTX	0x0080	/* the SYN-ACK was retransmitted */
#define HSK_TF_RECOVERY		0x0100	/* RTO: resending [rtx_nxt, recover) */
#define HSK_TF_RCV_UP		0x0200	/* rcv_up is valid */
#define HSK_TF_SND_UP		0x0400	/* snd_up is valid */
#define HSK_TF_OOW_STAMP	0x0800	/* last_oow_ack is valid */
#define HSK_TF_FAST_RECOVERY	0x1000	/* loss recovery by ACKs until recover */
#define HSK_TF_RTX_HEAD		0x2000	/* resend the segment at SND.UNA */
#define HSK_TF_PARTIAL_ACK	0x4000	/* NewReno recovery saw a partial ACK */
#define HSK_TF_SACK_RECOVERY	0x8000	/* the recovery is RFC 6675's */

/*
 * tcb->tlp: the RTX timer is the probe timeout; a probe is unanswered;
 * the peer was seen to delay an ACK (a probe turned out spurious), or
 * cannot be seen to (no timestamps), so a lone segment waits longer.
 */
#define HSK_TLP_ARMED		0x01
#define HSK_TLP_OUT		0x02
#define HSK_TLP_DELACK		0x04

/* Out-of-order ranges a connection keeps above RCV.NXT (RFC 2018 reports) */
#define HSK_OFO_MAX		4

/* Duplicate ACKs that signal a loss (RFC 5681 3.2, DupThresh of RFC 6675) */
#define HSK_DUPTHRESH		3
/* SACKed ranges a connection remembers (the highest are forgotten first) */
#define HSK_SACK_SCORE		8

/**
 * struct hsk_tcb - transmission control block of one connection
 * @cfg: tunables, from the listener at creation
 * @state: enum hsk_state; change only through hsk_set_state()
 * @mode: enum hsk_mode
 * @snd_wscale: shift applied to the peer's window field
 * @rcv_wscale: shift applied to our window field
 * @flags: HSK_TF_* bits
 * @snd_mss: largest segment (payload + TCP options) we send
 * @rcv_mss: MSS we advertised
 * @rtx_count: SYN-ACK retransmissions, or RTO expiries without progress
 * @probes: window probes sent without an ACK in between
 * @persist_backoff: doublings of the persist interval
 * @timers: BIT(enum hsk_timer) of the timers the shell has pending
 * @dupacks: duplicate ACKs (RFC 5681, or RFC 6675: new SACK information)
 *	since SND.UNA last moved
 * @nsacked: valid entries in @sacked
 * @nofo: valid entries in @ofo
 * @tlp: HSK_TLP_* bits (RFC 8985 tail loss probe)
 * @iss: initial send sequence number
 * @irs: initial receive sequence number
 * @snd_una: SND.UNA
 * @snd_nxt: SND.NXT (highest sequence sent + 1; not rewound on loss)
 * @snd_wnd: SND.WND, scaled
 * @snd_wl1: SND.WL1
 * @snd_wl2: SND.WL2
 * @max_snd_wnd: largest SND.WND seen (MAX.SND.WND of RFC 5961)
 * @snd_up: SND.UP: first octet after the urgent data we echo
 * @fin_seq: sequence number of our FIN (with HSK_TF_FIN_SENT)
 * @sndq: octets in the send queue from SND.UNA (echo mode)
 * @cwnd: congestion window (RFC 5681): what may be in flight, including
 *	the fast recovery inflation and @lt_infl
 * @ssthresh: slow start threshold
 * @lt_infl: part of @cwnd lent to limited transmit (RFC 3042) by the first
 *	duplicate ACKs; taken back when they end
 * @rtx_nxt: next sequence to resend during RTO recovery; in fast
 *	recovery, the end of the last retransmission (RFC 6675 HighRxt + 1)
 * @rescue_rxt: RFC 6675 RescueRxt + 1
 * @rtx_mark: SND.NXT when the latest hole was resent in SACK recovery:
 *	SACKed octets above it were sent after that copy
 * @undo_ssthresh: pipe_prev of RFC 4015 while a fast retransmit may still
 *	turn out spurious (timestamps only), else 0
 * @undo_tsval: RetransmitTS of RFC 3522: TSval of that fast retransmit
 * @tlp_high: SND.NXT when the tail loss probe went out (RFC 8985
 *	TLPRxtOut's TLPHighRxt), with HSK_TLP_OUT
 * @tlp_tsval: TSval of that probe, to tell a spurious one (timestamps)
 * @recover: SND.NXT when the last fast or RTO recovery began (RFC 6582
 *	"recover"); ISS before any, and pulled along behind SND.UNA
 * @rcv_nxt: RCV.NXT
 * @rcv_adv: right edge of the window we advertised (RCV.NXT + RCV.WND)
 * @rcv_up: RCV.UP: first octet after the peer's urgent data
 * @rcv_buf: receive buffer size
 * @srtt8: smoothed RTT in ms, times 8
 * @rttvar4: RTT variation in ms, times 4
 * @rto: current retransmission timeout in ms, including backoff
 * @rtt_seq: sequence whose acknowledgment ends the RTT measurement
 * @rtt_start: time the measured segment was sent; with timestamps, in
 *	SYN-RECEIVED, the time the latest SYN-ACK was sent
 * @ts_offset: added to the clock to form our TSval
 * @ts_recent: TS.Recent
 * @ts_recent_stamp: time TS.Recent was set
 * @last_ack_sent: Last.ACK.sent of RFC 7323
 * @last_oow_ack: time of the last rate limited ACK
 * @idle_stamp: time of the last progress (data in, or data acknowledged)
 * @timer_expires: deadline of each pending timer
 * @sacked: the SACK scoreboard: ranges the peer reported holding, within
 *	[SND.UNA, end of data sent), ascending, disjoint and not adjacent
 * @ofo: out-of-order data received: ranges of the peer's sequence space
 *	above RCV.NXT, disjoint and not adjacent, the most recently changed
 *	first (the order of our SACK blocks, RFC 2018 section 4)
 */
struct hsk_tcb {
	struct hsk_cfg cfg;
	u8 state;
	u8 mode;
	u8 snd_wscale;
	u8 rcv_wscale;
	u16 flags;
	u16 snd_mss;
	u16 rcv_mss;
	u8 rtx_count;
	u8 probes;
	u8 persist_backoff;
	u8 timers;
	u8 dupacks;
	u8 nsacked;
	u8 nofo;
	u8 tlp;
	u32 iss;
	u32 irs;
	u32 snd_una;
	u32 snd_nxt;
	u32 snd_wnd;
	u32 snd_wl1;
	u32 snd_wl2;
	u32 max_snd_wnd;
	u32 snd_up;
	u32 fin_seq;
	u32 sndq;
	u32 cwnd;
	u32 ssthresh;
	u32 lt_infl;
	u32 rtx_nxt;
	u32 rescue_rxt;
	u32 rtx_mark;
	u32 undo_ssthresh;
	u32 undo_tsval;
	u32 tlp_high;
	u32 tlp_tsval;
	u32 recover;
	u32 rcv_nxt;
	u32 rcv_adv;
	u32 rcv_up;
	u32 rcv_buf;
	u32 srtt8;
	u32 rttvar4;
	u32 rto;
	u32 rtt_seq;
	u32 rtt_start;
	u32 ts_offset;
	u32 ts_recent;
	u32 ts_recent_stamp;
	u32 last_ack_sent;
	u32 last_oow_ack;
	u32 idle_stamp;
	u32 timer_expires[HSK_TIMER_MAX];
	struct hsk_sack_block sacked[HSK_SACK_SCORE];
	struct hsk_sack_block ofo[HSK_OFO_MAX];
};

/**
 * struct hsk_tx - a segment for the shell to build and send
 * @seq: sequence number
 * @ack: acknowledgment number (meaningful with HSK_TCP_ACK)
 * @tsval: TSval (with HSK_OPT_TS)
 * @tsecr: TSecr (with HSK_OPT_TS)
 * @data_off: payload starts this many octets after SND.UNA in the send
 *	queue (SND.UNA after this event's act.acked octets were dropped)
 * @data_len: payload length
 * @wnd: window field, already scaled down
 * @urp: urgent pointer (with HSK_TCP_URG)
 * @mss: MSS option value (with HSK_OPT_MSS)
 * @flags: HSK_TCP_* bits
 * @opts: HSK_OPT_* options to write; hsk_write_header() lays them out
 * @wscale: window scale option value (with HSK_OPT_WSCALE)
 * @kind: enum hsk_tx_kind
 * @nsack: number of SACK blocks (with HSK_OPT_SACK)
 * @sack: SACK blocks to write, in order (with HSK_OPT_SACK)
 */
struct hsk_tx {
	u32 seq;
	u32 ack;
	u32 tsval;
	u32 tsecr;
	u32 data_off;
	u32 data_len;
	u16 wnd;
	u16 urp;
	u16 mss;
	u8 flags;
	u8 opts;
	u8 wscale;
	u8 kind;
	u8 nsack;
	struct hsk_sack_block sack[HSK_SACK_BLOCKS_MAX];
};

/**
 * struct hsk_trans - one state change
 * @from: enum hsk_state before
 * @to: enum hsk_state after
 */
struct hsk_trans {
	u8 from;
	u8 to;
};

#define HSK_ACT_MAX_SEGS	4
#define HSK_ACT_MAX_TRANS	4

/* struct hsk_actions.flags */
#define HSK_ACT_FREE		0x01	/* the connection is closed: free it */
#define HSK_ACT_MORE		0x02	/* segs is full: flush, call again */
#define HSK_ACT_OUTPUT		0x04	/* hsk_output() has something to do */

/**
 * struct hsk_actions - what the shell must do after a core call
 * @segs: segments to transmit, in order
 * @nsegs: number of valid entries in @segs
 * @ntrans: number of valid entries in @trans
 * @drop: enum hsk_drop for the received segment
 * @flags: HSK_ACT_* bits
 * @trans: state changes, in order
 * @deliver_off: offset in the received payload of the octets to append to
 *	the send queue
 * @deliver_len: number of octets to append (0: nothing)
 * @deliver_at: where they go: offset from SND.UNA in the send queue (after
 *	@acked octets were dropped)
 * @store_off: offset in the received payload of out-of-order octets to
 *	keep beyond the send queue
 * @store_len: number of octets to keep (0: nothing)
 * @store_at: where they go: offset from SND.UNA, past tcb->sndq
 * @acked: octets to drop from the head of the send queue
 * @timer_arm: BIT(enum hsk_timer) of timers to (re)arm
 * @timer_cancel: BIT(enum hsk_timer) of timers to cancel
 * @timer_expires: absolute deadline of each timer in @timer_arm
 * @cnt: counter increments, indexed by enum hsk_counter
 */
struct hsk_actions {
	struct hsk_tx segs[HSK_ACT_MAX_SEGS];
	u8 nsegs;
	u8 ntrans;
	u8 drop;
	u8 flags;
	struct hsk_trans trans[HSK_ACT_MAX_TRANS];
	u32 deliver_off;
	u32 deliver_len;
	u32 deliver_at;
	u32 store_off;
	u32 store_len;
	u32 store_at;
	u32 acked;
	u8 timer_arm;
	u8 timer_cancel;
	u32 timer_expires[HSK_TIMER_MAX];
	u32 cnt[HSK_CNT_MAX];
};

/* hsk_wire.c */
int hsk_parse_options(const u8 *opt, unsigned int len, struct hsk_opts *o);
int hsk_parse_header(const u8 *hdr, unsigned int avail, unsigned int seg_len,
		     struct hsk_seg *s);
unsigned int hsk_tx_opts_len(const struct hsk_tx *tx);
unsigned int hsk_write_header(const struct hsk_tx *tx, u16 sport, u16 dport,
			      u8 *buf);

/* hsk_tcb.c */
void hsk_cfg_init(struct hsk_cfg *cfg);
void hsk_actions_init(struct hsk_actions *act);
const char *hsk_state_name(unsigned int state);
void hsk_set_state(struct hsk_tcb *tcb, enum hsk_state state,
		   struct hsk_actions *act);
bool hsk_timer_next(const struct hsk_tcb *tcb, u32 *expires);
int hsk_close(struct hsk_tcb *tcb, struct hsk_actions *act);
void hsk_abort(struct hsk_tcb *tcb, struct hsk_actions *act);

/* hsk_input.c */
int hsk_listen_input(const struct hsk_listen_params *p,
		     const struct hsk_seg *seg, struct hsk_tcb *tcb,
		     struct hsk_actions *act);
void hsk_input(struct hsk_tcb *tcb, u32 now, const struct hsk_seg *seg,
	       struct hsk_actions *act);
void hsk_ofo_renege(struct hsk_tcb *tcb, struct hsk_actions *act);

/* hsk_output.c */
int hsk_output(struct hsk_tcb *tcb, u32 now, struct hsk_actions *act);
void hsk_timeout(struct hsk_tcb *tcb, enum hsk_timer timer, u32 now,
		 struct hsk_actions *act);

#ifdef __cplusplus
}
#endif

#endif /* _HSK_CORE_H */
