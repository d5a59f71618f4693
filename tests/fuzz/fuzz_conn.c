// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_conn: one whole connection of the hsk core driven by the fuzzer.
 *
 * The input (encoding in fuzz_conn.h) picks the listener's parameters, the
 * SYN, then a sequence of events: segments whose sequence and
 * acknowledgment numbers are mostly taken relative to the connection's
 * RCV.NXT / SND.NXT / SND.UNA (so that they get past the acceptability
 * tests and deep into the state machine), timer expiries, time passing,
 * CLOSE, ABORT and bare output runs.
 *
 * Around the tcb sits a model of the kernel shell that follows the
 * contract at the top of hsk_core.h to the letter: the send queue with
 * acked/deliver, the hsk_output() loop with HSK_ACT_MORE, its own copy of
 * the pending timers, transitions, counters and HSK_ACT_FREE. The queue is
 * modelled by position rather than content: it holds the peer's octets
 * [q_head, q_head + q_len) of the peer's sequence space, which is enough to
 * prove that the echo is the peer's byte stream, in order, without gaps.
 * Out-of-order octets kept beyond the queue are modelled the same way, as
 * ranges of the peer's sequence space written at their place: octets that
 * join the queue without a delivery must be found there.
 *
 * After every event the invariants below are checked; a violation
 * abort()s, which libFuzzer reports as a crash. HSK_FUZZ_TRACE=1 in the
 * environment logs every event and segment (see the README of this
 * directory for turning a crash into a readable trace).
 */
#include "fuzz.h"
#include "fuzz_conn.h"

int hsk_fuzz_trace;

enum call { C_INPUT, C_TIMEOUT, C_CLOSE, C_ABORT, C_OUTPUT };

#define HSK_FUZZ_KEPT_MAX	16

struct shell {
	struct hsk_listen_params p;
	struct hsk_tcb tcb;
	u32 now;
	bool freed;

	/* the timers the shell has pending, as it was told */
	u8 timers;
	u32 deadline[HSK_TIMER_MAX];

	/* the echo send queue: the peer's octets [q_head, q_head + q_len) */
	u32 q_head;
	u32 q_len;

	/* out-of-order octets kept beyond the queue: peer sequence ranges */
	struct hsk_sack_block kept[HSK_FUZZ_KEPT_MAX];
	unsigned int nkept;
	bool renege;		/* this segment's store fails */

	/* what was sent so far */
	u32 snd_hi;		/* highest sequence number sent + 1 */
	u32 edge_max;		/* highest right window edge advertised */
	bool edge_valid;
	u32 last_tsval;		/* our latest TSval, which the peer echoes */
	u64 rx_bytes;		/* payload octets accepted in order */

	/* the peer */
	u32 peer_ts;
	struct hsk_seg last;	/* for FZ_OP_REPEAT */
	bool have_last;

	unsigned int events;
};

/* What one event sent, to compare with its counters. */
struct tally {
	u32 kinds[HSK_TX_PROBE + 1];
	u32 data_bytes;
	u32 nsegs;
};

static const char *const kind_names[] = {
	"SYNACK", "ACK", "DUPACK", "CHALLENGE", "RST", "DATA", "RETRANS",
	"PROBE",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	hsk_fuzz_trace = getenv("HSK_FUZZ_TRACE") != NULL;
	return 0;
}

static const char *flags_str(u8 f, char *buf)
{
	static const char n[] = "FSRPAUEC";
	int i, j = 0;

	for (i = 0; i < 8; i++)
		if (f & (1 << i))
			buf[j++] = n[i];
	if (!j)
		buf[j++] = '-';
	buf[j] = 0;
	return buf;
}

static void trace_seg(const char *what, const struct hsk_seg *s)
{
	char fb[9];

	FZ_TRACE("  %s %s seq %u ack %u len %u wnd %u urp %u opts 0x%x "
		 "mss %u ws %u ts %u/%u\n", what, flags_str(s->flags, fb),
		 s->seq, s->ack, s->len, s->wnd, s->urp, s->opts.present,
		 s->opts.mss, s->opts.wscale, s->opts.tsval, s->opts.tsecr);
}

static void trace_tx(const struct hsk_tx *tx)
{
	char fb[9];

	FZ_TRACE("    -> %s %s seq %u ack %u off %u len %u wnd %u urp %u "
		 "opts 0x%x\n", tx->kind <= HSK_TX_PROBE ?
		 kind_names[tx->kind] : "?", flags_str(tx->flags, fb),
		 tx->seq, tx->ack, tx->data_off, tx->data_len, tx->wnd,
		 tx->urp, tx->opts);
}

/* ---- the shape of a tcb ------------------------------------------------ */

static u32 mss_eff(const struct hsk_tcb *t)
{
	return (t->flags & HSK_TF_TS) ? t->snd_mss - HSK_TS_OPT_SPACE :
					t->snd_mss;
}

static bool synchronized(const struct hsk_tcb *t)
{
	return t->state >= HSK_STATE_ESTABLISHED &&
	       t->state < HSK_STATE_MAX;
}

static bool snd_open(const struct hsk_tcb *t)
{
	return t->state == HSK_STATE_ESTABLISHED ||
	       t->state == HSK_STATE_CLOSE_WAIT;
}

static bool echoing(const struct hsk_tcb *t)
{
	return t->mode == HSK_MODE_ECHO && !(t->flags & HSK_TF_CLOSE_REQ);
}

static bool fin_acked(const struct hsk_tcb *t)
{
	return (t->flags & HSK_TF_FIN_SENT) &&
	       hsk_seq_after(t->snd_una, t->fin_seq);
}

/* The peer's FIN was taken in exactly these states. */
static bool peer_fin(const struct hsk_tcb *t)
{
	return t->state == HSK_STATE_CLOSE_WAIT ||
	       t->state == HSK_STATE_CLOSING ||
	       t->state == HSK_STATE_LAST_ACK ||
	       t->state == HSK_STATE_TIME_WAIT;
}

static u32 data_end(const struct hsk_tcb *t)
{
	return (t->flags & HSK_TF_FIN_SENT) ? t->fin_seq : t->snd_nxt;
}

static u32 rcv_wnd(const struct hsk_tcb *t)
{
	return hsk_seq_after(t->rcv_adv, t->rcv_nxt) ?
	       t->rcv_adv - t->rcv_nxt : 0;
}

static u32 max_u32(u32 a, u32 b)
{
	return a > b ? a : b;
}

static u32 min_u32(u32 a, u32 b)
{
	return a < b ? a : b;
}

/*
 * Invariants of a live connection between events. The first block is
 * what the data structures promise, the second what the RFCs do, the
 * third liveness: every state that waits for something has a timer that
 * ends the wait.
 */
/* Whether the shell stored every peer octet of [start, end) beyond the queue */
static bool kept_covers(const struct shell *sh, u32 start, u32 end)
{
	unsigned int i;
	bool moved = true;

	while (moved && hsk_seq_before(start, end)) {
		moved = false;
		for (i = 0; i < sh->nkept; i++) {
			const struct hsk_sack_block *k = &sh->kept[i];

			if (hsk_seq_leq(k->start, start) &&
			    hsk_seq_after(k->end, start)) {
				start = k->end;
				moved = true;
			}
		}
	}
	return !hsk_seq_before(start, end);
}

/* The shell stores [start, end): merge it into the kept ranges. */
static void kept_add(struct shell *sh, u32 start, u32 end)
{
	unsigned int i = 0;

	while (i < sh->nkept) {
		struct hsk_sack_block *k = &sh->kept[i];

		if (hsk_seq_after(k->start, end) ||
		    hsk_seq_before(k->end, start)) {
			i++;
			continue;
		}
		if (hsk_seq_before(k->start, start))
			start = k->start;
		if (hsk_seq_after(k->end, end))
			end = k->end;
		*k = sh->kept[--sh->nkept];
		i = 0;
	}
	CHECK(sh->nkept < HSK_FUZZ_KEPT_MAX, "%u ranges kept", sh->nkept);
	sh->kept[sh->nkept].start = start;
	sh->kept[sh->nkept++].end = end;
}

/* Forget what the queue (ending at peer octet @qend) has reached. */
static void kept_trim(struct shell *sh, u32 qend)
{
	unsigned int i = 0;

	while (i < sh->nkept) {
		struct hsk_sack_block *k = &sh->kept[i];

		if (hsk_seq_leq(k->end, qend)) {
			*k = sh->kept[--sh->nkept];
			continue;
		}
		if (hsk_seq_before(k->start, qend))
			k->start = qend;
		i++;
	}
}

static void check_tcb(const struct shell *sh)
{
	const struct hsk_tcb *t = &sh->tcb;
	u32 flight, unsent = 0, i;

	CHECK(t->state > HSK_STATE_LISTEN && t->state < HSK_STATE_MAX,
	      "state %u on a live connection", t->state);
	CHECK(t->mode <= HSK_MODE_MAX, "mode %u", t->mode);
	CHECK(t->rcv_buf >= 1 && t->rcv_buf <= HSK_RCV_BUF_MAX, "rcv_buf %u",
	      t->rcv_buf);
	CHECK(t->sndq <= t->rcv_buf, "sndq %u > rcv_buf %u", t->sndq,
	      t->rcv_buf);
	CHECK(t->mode == HSK_MODE_ECHO || !t->sndq, "sndq %u in mode %u",
	      t->sndq, t->mode);
	CHECK(sh->q_len == t->sndq, "shell queue %u octets, tcb->sndq %u",
	      sh->q_len, t->sndq);
	CHECK(t->snd_wscale <= HSK_WSCALE_MAX &&
	      t->rcv_wscale <= HSK_WSCALE_MAX, "wscale %u/%u", t->snd_wscale,
	      t->rcv_wscale);
	CHECK((t->flags & HSK_TF_WSCALE) || (!t->snd_wscale && !t->rcv_wscale),
	      "window scaling without the option");
	CHECK(t->rcv_mss >= HSK_MSS_MIN && t->snd_mss >= HSK_MSS_MIN &&
	      t->snd_mss <= t->rcv_mss, "snd_mss %u rcv_mss %u", t->snd_mss,
	      t->rcv_mss);
	CHECK(t->rto >= t->cfg.rto_min_ms && t->rto <= t->cfg.rto_max_ms,
	      "rto %u outside [%u, %u]", t->rto, t->cfg.rto_min_ms,
	      t->cfg.rto_max_ms);
	CHECK(t->rtx_count <= max_u32(t->cfg.retries, t->cfg.synack_retries),
	      "rtx_count %u", t->rtx_count);
	CHECK(t->probes <= t->cfg.retries, "probes %u", t->probes);
	CHECK(t->snd_wnd <= (HSK_MAX_WIN << t->snd_wscale) &&
	      t->max_snd_wnd >= t->snd_wnd, "snd_wnd %u max_snd_wnd %u",
	      t->snd_wnd, t->max_snd_wnd);

	/* sequence space: sending */
	CHECK(hsk_seq_leq(t->snd_una, t->snd_nxt), "snd_una %u > snd_nxt %u",
	      t->snd_una, t->snd_nxt);
	CHECK(t->snd_nxt == sh->snd_hi, "snd_nxt %u, but %u was sent",
	      t->snd_nxt, sh->snd_hi);
	flight = t->snd_nxt - t->snd_una;
	if (t->flags & HSK_TF_FIN_SENT) {
		CHECK(t->fin_seq + 1 == t->snd_nxt, "fin_seq %u snd_nxt %u",
		      t->fin_seq, t->snd_nxt);
		CHECK(t->flags & HSK_TF_CLOSE_REQ, "FIN without CLOSE");
	}
	if (t->state == HSK_STATE_SYN_RECEIVED) {
		CHECK(t->snd_una == t->iss && t->snd_nxt == t->iss + 1 &&
		      !t->sndq, "SYN-RECEIVED: una %u nxt %u sndq %u iss %u",
		      t->snd_una, t->snd_nxt, t->sndq, t->iss);
		CHECK(!(t->flags & HSK_TF_FIN_SENT), "FIN in SYN-RECEIVED");
	} else {
		CHECK(hsk_seq_after(t->snd_una, t->iss), "synchronized, but "
		      "SYN not acknowledged");
		CHECK(t->cwnd >= mss_eff(t) && t->cwnd <= HSK_RCV_BUF_MAX,
		      "cwnd %u", t->cwnd);
		if (fin_acked(t)) {
			CHECK(!t->sndq && t->snd_una == t->snd_nxt,
			      "FIN acknowledged with %u octets queued, una %u "
			      "nxt %u", t->sndq, t->snd_una, t->snd_nxt);
		} else {
			CHECK(hsk_seq_leq(t->snd_una, data_end(t)) &&
			      data_end(t) - t->snd_una <= t->sndq,
			      "in flight %u > queued %u",
			      data_end(t) - t->snd_una, t->sndq);
			unsent = t->sndq - (data_end(t) - t->snd_una);
		}
	}
	switch (t->state) {
	case HSK_STATE_FIN_WAIT_1:
	case HSK_STATE_CLOSING:
	case HSK_STATE_LAST_ACK:
		CHECK((t->flags & HSK_TF_FIN_SENT) && !fin_acked(t),
		      "state %s: our FIN not in flight",
		      hsk_state_name(t->state));
		break;
	case HSK_STATE_FIN_WAIT_2:
	case HSK_STATE_TIME_WAIT:
		CHECK(fin_acked(t), "state %s: our FIN not acknowledged",
		      hsk_state_name(t->state));
		break;
	default:
		CHECK(!(t->flags & HSK_TF_FIN_SENT), "state %s with FIN sent",
		      hsk_state_name(t->state));
		break;
	}

#ifdef HSK_SACK_BLOCKS_MAX
	/* the SACK scoreboard, as documented at struct hsk_tcb */
	CHECK(t->nsacked <= HSK_SACK_SCORE, "nsacked %u", t->nsacked);
	CHECK((t->flags & HSK_TF_SACK_OK) ||
	      (!t->nsacked && !(t->flags & HSK_TF_SACK_RECOVERY)),
	      "SACK state without SACK-permitted");
	for (i = 0; i < t->nsacked; i++) {
		const struct hsk_sack_block *b = &t->sacked[i];

		CHECK(hsk_seq_before(b->start, b->end) &&
		      hsk_seq_geq(b->start, t->snd_una) &&
		      hsk_seq_leq(b->end, data_end(t)),
		      "SACKed range %u [%u, %u) outside [SND.UNA %u, %u)", i,
		      b->start, b->end, t->snd_una, data_end(t));
		if (i)
			CHECK(hsk_seq_before(t->sacked[i - 1].end, b->start),
			      "SACKed ranges %u and %u overlap, touch or are "
			      "out of order", i - 1, i);
	}
#endif

	/* out-of-order data kept, as documented at struct hsk_tcb */
	CHECK(t->nofo <= HSK_OFO_MAX, "nofo %u", t->nofo);
	for (i = 0; i < t->nofo; i++) {
		const struct hsk_sack_block *b = &t->ofo[i];
		u32 j;

		CHECK(hsk_seq_after(b->start, t->rcv_nxt) &&
		      hsk_seq_before(b->start, b->end) &&
		      hsk_seq_leq(b->end, t->rcv_adv),
		      "out-of-order range %u [%u, %u) outside (RCV.NXT %u, "
		      "%u]", i, b->start, b->end, t->rcv_nxt, t->rcv_adv);
		for (j = 0; j < i; j++)
			CHECK(hsk_seq_before(t->ofo[j].end, b->start) ||
			      hsk_seq_before(b->end, t->ofo[j].start),
			      "out-of-order ranges %u and %u overlap or touch",
			      j, i);
		if (echoing(t)) {
			CHECK(t->sndq + (b->end - t->rcv_nxt) <= t->rcv_buf,
			      "out-of-order range %u ends beyond the buffer",
			      i);
			CHECK(kept_covers(sh, b->start, b->end),
			      "out-of-order range %u [%u, %u) never stored", i,
			      b->start, b->end);
		}
	}

	/* the echo is the peer's stream moved into our sequence space */
	if (t->mode == HSK_MODE_ECHO && synchronized(t) && !fin_acked(t))
		CHECK(t->snd_una - t->iss == sh->q_head - t->irs,
		      "queue head at peer octet %u, SND.UNA %u: echo out of "
		      "step", sh->q_head - t->irs, t->snd_una - t->iss);

	/* sequence space: receiving */
	CHECK((u32)(t->irs + 1 + sh->rx_bytes + peer_fin(t)) == t->rcv_nxt,
	      "rcv_nxt %u, but IRS %u + %llu octets + FIN %d", t->rcv_nxt,
	      t->irs, (unsigned long long)sh->rx_bytes, peer_fin(t));
	CHECK(hsk_seq_geq(t->rcv_adv, t->rcv_nxt), "rcv_adv %u < rcv_nxt %u "
	      "(state %s, mode %u)", t->rcv_adv, t->rcv_nxt,
	      hsk_state_name(t->state), t->mode);
	CHECK(rcv_wnd(t) <= min_u32(t->rcv_buf, HSK_MAX_WIN << t->rcv_wscale),
	      "receive window %u, buffer %u", rcv_wnd(t), t->rcv_buf);
	if (echoing(t))
		CHECK(rcv_wnd(t) + t->sndq <= t->rcv_buf, "window %u promised "
		      "with %u of %u octets queued", rcv_wnd(t), t->sndq,
		      t->rcv_buf);
	if (t->mode == HSK_MODE_TARPIT)
		CHECK(!rcv_wnd(t), "tarpit with window %u", rcv_wnd(t));
	if (sh->edge_valid)
		CHECK(hsk_seq_leq(sh->edge_max, t->rcv_adv), "advertised edge "
		      "%u beyond rcv_adv %u", sh->edge_max, t->rcv_adv);

	/* timers, as the shell knows them and as the tcb does */
	CHECK(sh->timers == t->timers, "shell timers 0x%x, tcb 0x%x",
	      sh->timers, t->timers);
	for (i = 0; i < HSK_TIMER_MAX; i++)
		if (t->timers & BIT(i))
			CHECK(sh->deadline[i] == t->timer_expires[i],
			      "timer %u deadline %u, tcb %u", i,
			      sh->deadline[i], t->timer_expires[i]);
	{
		/* what a shell that multiplexes the timers would arm */
		u32 first = 0;
		bool any = hsk_timer_next(t, &first);

		CHECK(any == !!t->timers, "hsk_timer_next() %d, timers 0x%x",
		      any, t->timers);
		for (i = 0; any && i < HSK_TIMER_MAX; i++)
			if (t->timers & BIT(i))
				CHECK(!hsk_time_before(t->timer_expires[i],
						       first),
				      "hsk_timer_next() %u, but timer %u is "
				      "due at %u", first, i,
				      t->timer_expires[i]);
	}
	CHECK(t->cfg.idle_ms || !(t->timers & BIT(HSK_TIMER_IDLE)),
	      "idle timer without idle_ms");
	CHECK(!(t->timers & BIT(HSK_TIMER_TIMEWAIT)) ==
	      (t->state != HSK_STATE_TIME_WAIT),
	      "TIME-WAIT timer 0x%x in %s", t->timers,
	      hsk_state_name(t->state));

	/* liveness */
	if (t->state == HSK_STATE_TIME_WAIT)
		CHECK(!(t->timers & (BIT(HSK_TIMER_RTX) |
				     BIT(HSK_TIMER_PERSIST) |
				     BIT(HSK_TIMER_IDLE))),
		      "TIME-WAIT with timers 0x%x", t->timers);
	if (flight)
		CHECK(t->timers & BIT(HSK_TIMER_RTX), "%u in flight (state %s) "
		      "without a retransmission timer", flight,
		      hsk_state_name(t->state));
	if (snd_open(t) && !flight && unsent)
		CHECK(t->timers & (BIT(HSK_TIMER_RTX) | BIT(HSK_TIMER_PERSIST)),
		      "%u octets wait for a window without a persist timer",
		      unsent);
	if (snd_open(t) && !flight && !unsent)
		CHECK(!(t->flags & HSK_TF_CLOSE_REQ), "CLOSE requested, "
		      "nothing queued, FIN not sent");
	if (t->cfg.idle_ms && synchronized(t) &&
	    t->state != HSK_STATE_TIME_WAIT)
		CHECK(t->timers & BIT(HSK_TIMER_IDLE), "idle_ms %u in %s "
		      "without idle timer", t->cfg.idle_ms,
		      hsk_state_name(t->state));
}

/* ---- segments we send --------------------------------------------------- */

/* What hsk_write_header() makes of @tx must parse back to @tx. */
static void check_wire(const struct hsk_tx *tx)
{
	u8 buf[HSK_TCP_MAX_HDR_LEN];
	unsigned int hlen = hsk_write_header(tx, 7, 40000, buf);
	struct hsk_seg s;

	CHECK(hlen <= HSK_TCP_MAX_HDR_LEN && hlen % 4 == 0, "hlen %u", hlen);
	CHECK(!hsk_parse_header(buf, hlen, hlen + tx->data_len, &s),
	      "our own %s segment does not parse", kind_names[tx->kind]);
	CHECK(s.seq == tx->seq && s.ack == tx->ack && s.flags == tx->flags &&
	      s.wnd == tx->wnd && s.urp == tx->urp && s.len == tx->data_len,
	      "header does not read back");
	CHECK(s.opts.present == tx->opts, "options 0x%x read back as 0x%x",
	      tx->opts, s.opts.present);
}

/*
 * SACK blocks (RFC 2018): only when negotiated, the kept ranges in their
 * order (the most recent first), all of them on a pure ACK as far as the
 * option space goes, and never so many that a segment outgrows the MSS.
 */
static void check_tx_sack(const struct hsk_tcb *t, const struct hsk_tx *tx)
{
	u32 n = (tx->opts & HSK_OPT_SACK) ? tx->nsack : 0, i;
	u32 cap = (tx->opts & HSK_OPT_TS) ? 3 : 4;

	CHECK(!(tx->opts & HSK_OPT_SACK) || tx->nsack,
	      "SACK option without blocks");
	CHECK(!n || (t->flags & HSK_TF_SACK_OK), "SACK blocks not negotiated");
	CHECK(n <= t->nofo && n <= cap, "%u SACK blocks, %u ranges kept", n,
	      t->nofo);
	CHECK(hsk_tx_opts_len(tx) <= HSK_TCP_MAX_OPT_LEN, "options %u",
	      hsk_tx_opts_len(tx));
	CHECK(tx->data_len + hsk_tx_opts_len(tx) <= t->snd_mss,
	      "%u octets + %u of options, snd_mss %u", tx->data_len,
	      hsk_tx_opts_len(tx), t->snd_mss);
	for (i = 0; i < n; i++)
		CHECK(tx->sack[i].start == t->ofo[i].start &&
		      tx->sack[i].end == t->ofo[i].end,
		      "SACK block %u [%u, %u), kept range [%u, %u)", i,
		      tx->sack[i].start, tx->sack[i].end, t->ofo[i].start,
		      t->ofo[i].end);
	if ((tx->kind == HSK_TX_ACK || tx->kind == HSK_TX_DUPACK ||
	     tx->kind == HSK_TX_CHALLENGE) && (t->flags & HSK_TF_SACK_OK))
		CHECK(n == min_u32(t->nofo, cap), "pure ACK with %u SACK "
		      "blocks, %u ranges kept", n, t->nofo);
}

static void check_tx(struct shell *sh, const struct hsk_tx *tx,
		     const struct hsk_tcb *pre, struct tally *ta)
{
	const struct hsk_tcb *t = &sh->tcb;
	u32 len = tx->data_len, fin = !!(tx->flags & HSK_TCP_FIN), edge, ws;

	trace_tx(tx);
	CHECK(tx->kind <= HSK_TX_PROBE, "segment kind %u", tx->kind);
	ta->kinds[tx->kind]++;
	ta->nsegs++;
	check_wire(tx);

	if (tx->kind == HSK_TX_RST) {
		CHECK(tx->flags == HSK_TCP_RST && !len && !tx->opts &&
		      !tx->wnd && !tx->urp, "RST with more than RST");
		return;
	}
	CHECK(!(tx->flags & ~(HSK_TCP_FIN | HSK_TCP_SYN | HSK_TCP_ACK |
			      HSK_TCP_PSH | HSK_TCP_URG)) &&
	      (tx->flags & HSK_TCP_ACK), "%s with flags 0x%x",
	      kind_names[tx->kind], tx->flags);
	CHECK(hsk_seq_geq(tx->ack, pre->rcv_nxt) &&
	      hsk_seq_leq(tx->ack, t->rcv_nxt), "ack %u outside [%u, %u]",
	      tx->ack, pre->rcv_nxt, t->rcv_nxt);
	if (t->flags & HSK_TF_TS) {
		CHECK(tx->opts & HSK_OPT_TS, "%s without timestamps",
		      kind_names[tx->kind]);
		CHECK(tx->tsval == sh->now + t->ts_offset,
		      "TSval %u, clock says %u", tx->tsval,
		      sh->now + t->ts_offset);
		CHECK(tx->tsecr == t->ts_recent, "TSecr %u, TS.Recent %u",
		      tx->tsecr, t->ts_recent);
		sh->last_tsval = tx->tsval;
	} else {
		CHECK(!(tx->opts & HSK_OPT_TS), "timestamps not negotiated");
	}

	if (tx->kind == HSK_TX_SYNACK) {
		u32 win = t->mode == HSK_MODE_TARPIT ? 0 :
			  min_u32(t->rcv_buf, HSK_MAX_WIN);

		CHECK(tx->flags == (HSK_TCP_SYN | HSK_TCP_ACK) && !len &&
		      tx->seq == t->iss && tx->ack == t->irs + 1 &&
		      t->state == HSK_STATE_SYN_RECEIVED,
		      "SYN-ACK seq %u ack %u in %s", tx->seq, tx->ack,
		      hsk_state_name(t->state));
		CHECK(tx->wnd == win, "SYN-ACK window %u, expected %u", tx->wnd,
		      win);
		CHECK((tx->opts & HSK_OPT_MSS) && tx->mss == t->rcv_mss,
		      "SYN-ACK MSS");
		CHECK(!(tx->opts & HSK_OPT_WSCALE) == !(t->flags & HSK_TF_WSCALE)
		      && tx->wscale <= HSK_WSCALE_MAX &&
		      (!(tx->opts & HSK_OPT_WSCALE) ||
		       tx->wscale == t->rcv_wscale), "SYN-ACK window scale");
		CHECK(!(tx->opts & HSK_OPT_SACK_PERM) ==
		      !(t->flags & HSK_TF_SACK_OK), "SYN-ACK SACK-permitted");
		ws = 0;
	} else {
		CHECK(!(tx->flags & HSK_TCP_SYN) &&
		      !(tx->opts & ~(HSK_OPT_TS | HSK_OPT_SACK)),
		      "%s with SYN or options 0x%x", kind_names[tx->kind],
		      tx->opts);
		ws = t->rcv_wscale;
	}
	check_tx_sack(t, tx);

	/* The right edge never moves left by a full scaling unit or more */
	edge = tx->ack + ((u32)tx->wnd << ws);
	if (t->mode == HSK_MODE_TARPIT)
		CHECK(!tx->wnd, "tarpit offered window %u", tx->wnd);
	CHECK(hsk_seq_leq(edge, t->rcv_adv), "edge %u beyond rcv_adv %u", edge,
	      t->rcv_adv);
	/*
	 * A SYN-ACK's window cannot be scaled (RFC 7323 2.2), so one that is
	 * resent after a scaled ACK (e.g. to a PAWS failure in SYN-RECEIVED)
	 * may say less; a peer takes no window from a SYN it ignores.
	 */
	if (sh->edge_valid && tx->kind != HSK_TX_SYNACK)
		CHECK(hsk_seq_geq(edge + (1U << ws) - 1, sh->edge_max),
		      "window shrank: edge %u after %u (ack %u wnd %u << %u)",
		      edge, sh->edge_max, tx->ack, tx->wnd, ws);
	/*
	 * Receiver side silly window avoidance (RFC 9293 3.8.6.2.2): an open
	 * window's right edge moves right only in steps of at least
	 * min(buffer / 2, MSS), less what window scaling rounds off.
	 */
	if (sh->edge_valid && tx->kind != HSK_TX_SYNACK && tx->wnd &&
	    hsk_seq_after(edge, sh->edge_max))
		CHECK(edge - sh->edge_max + (1U << ws) - 1 >=
		      min_u32(t->rcv_buf / 2, t->rcv_mss),
		      "window edge crept from %u to %u (buffer %u, MSS %u, "
		      "scale %u)", sh->edge_max, edge, t->rcv_buf, t->rcv_mss,
		      ws);
	if (!sh->edge_valid || hsk_seq_after(edge, sh->edge_max))
		sh->edge_max = edge;
	sh->edge_valid = true;

	switch (tx->kind) {
	case HSK_TX_SYNACK:
		break;
	case HSK_TX_ACK:
	case HSK_TX_DUPACK:
	case HSK_TX_CHALLENGE:
		CHECK(tx->flags == HSK_TCP_ACK && !len && !tx->urp,
		      "%s with more than an ACK", kind_names[tx->kind]);
		CHECK(tx->seq == sh->snd_hi, "%s seq %u, SND.NXT %u",
		      kind_names[tx->kind], tx->seq, sh->snd_hi);
		break;
	case HSK_TX_DATA:
		CHECK(len || fin, "empty data segment");
		CHECK(tx->seq == sh->snd_hi, "new data at %u, SND.NXT was %u",
		      tx->seq, sh->snd_hi);
		CHECK(snd_open(pre) || snd_open(t) ||
		      (t->flags & HSK_TF_FIN_SENT), "data in %s",
		      hsk_state_name(t->state));
		if (len) {
			CHECK(hsk_seq_leq(tx->seq + len,
					  t->snd_una + t->snd_wnd),
			      "data to %u beyond the peer's window %u + %u",
			      tx->seq + len, t->snd_una, t->snd_wnd);
			CHECK(tx->seq + len - t->snd_una <= t->cwnd,
			      "flight %u beyond cwnd %u",
			      tx->seq + len - t->snd_una, t->cwnd);
		}
		ta->data_bytes += len;
		sh->snd_hi = tx->seq + len + fin;
		break;
	case HSK_TX_RETRANS:
		CHECK(len || fin, "empty retransmission");
		CHECK(hsk_seq_geq(tx->seq, t->snd_una) &&
		      hsk_seq_leq(tx->seq + len + fin, sh->snd_hi),
		      "retransmission [%u, %u) outside [%u, %u)", tx->seq,
		      tx->seq + len + fin, t->snd_una, sh->snd_hi);
		break;
	case HSK_TX_PROBE:
		CHECK(tx->flags == HSK_TCP_ACK && !len &&
		      tx->seq == t->snd_una - 1 && !t->snd_wnd,
		      "probe seq %u una %u wnd %u", tx->seq, t->snd_una,
		      t->snd_wnd);
		break;
	default:
		CHECK(0, "%s segment on a connection", kind_names[tx->kind]);
	}

	if (len) {
		CHECK(t->mode == HSK_MODE_ECHO, "data in mode %u", t->mode);
		CHECK(tx->data_off <= sh->q_len &&
		      len <= sh->q_len - tx->data_off,
		      "payload [%u, +%u) beyond the queue of %u", tx->data_off,
		      len, sh->q_len);
		CHECK(tx->seq == t->snd_una + tx->data_off,
		      "seq %u but data_off %u from SND.UNA %u", tx->seq,
		      tx->data_off, t->snd_una);
		CHECK(len + hsk_tx_opts_len(tx) <= t->snd_mss,
		      "%u octets + options in a segment, snd_mss %u", len,
		      t->snd_mss);
		CHECK(len <= mss_eff(t), "len %u > effective MSS", len);
		CHECK(tx->seq - t->iss == sh->q_head + tx->data_off - t->irs,
		      "echoes peer octet %u at our octet %u",
		      sh->q_head + tx->data_off - t->irs, tx->seq - t->iss);
		CHECK(!(tx->flags & HSK_TCP_PSH) ==
		      (tx->seq + len != t->snd_una + t->sndq),
		      "PSH wrong: [%u, +%u) of a queue ending at %u", tx->seq,
		      len, t->snd_una + t->sndq);
		if ((t->flags & HSK_TF_SND_UP) &&
		    hsk_seq_before(tx->seq, t->snd_up))
			CHECK(tx->flags & HSK_TCP_URG, "urgent data without URG");
	} else {
		CHECK(!(tx->flags & HSK_TCP_PSH), "PSH without data");
	}
	if (tx->flags & HSK_TCP_URG)
		CHECK(tx->urp && (t->flags & HSK_TF_SND_UP) &&
		      tx->urp == min_u32(t->snd_up - tx->seq, 0xffff),
		      "urgent pointer %u at %u, SND.UP %u", tx->urp, tx->seq,
		      t->snd_up);
	else
		CHECK(!tx->urp, "urgent pointer without URG");
	if (fin)
		CHECK((tx->kind == HSK_TX_DATA || tx->kind == HSK_TX_RETRANS) &&
		      (t->flags & HSK_TF_FIN_SENT) &&
		      tx->seq + len == t->fin_seq, "FIN at %u, fin_seq %u",
		      tx->seq + len, t->fin_seq);
}

static void collect(struct shell *sh, struct hsk_actions *act,
		    const struct hsk_tcb *pre, struct tally *ta)
{
	unsigned int i;

	CHECK(act->nsegs <= HSK_ACT_MAX_SEGS, "nsegs %u", act->nsegs);
	for (i = 0; i < act->nsegs; i++)
		check_tx(sh, &act->segs[i], pre, ta);
}

/* ---- the shell: steps 3 to 7 of the contract ---------------------------- */

static bool legal_transition(u8 from, u8 to)
{
	static const u16 next[HSK_STATE_MAX] = {
		[HSK_STATE_LISTEN] = BIT(HSK_STATE_SYN_RECEIVED),
		[HSK_STATE_SYN_RECEIVED] = BIT(HSK_STATE_ESTABLISHED) |
					   BIT(HSK_STATE_CLOSED),
		[HSK_STATE_ESTABLISHED] = BIT(HSK_STATE_FIN_WAIT_1) |
					  BIT(HSK_STATE_CLOSE_WAIT) |
					  BIT(HSK_STATE_CLOSED),
		[HSK_STATE_FIN_WAIT_1] = BIT(HSK_STATE_FIN_WAIT_2) |
					 BIT(HSK_STATE_CLOSING) |
					 BIT(HSK_STATE_TIME_WAIT) |
					 BIT(HSK_STATE_CLOSED),
		[HSK_STATE_FIN_WAIT_2] = BIT(HSK_STATE_TIME_WAIT) |
					 BIT(HSK_STATE_CLOSED),
		[HSK_STATE_CLOSE_WAIT] = BIT(HSK_STATE_LAST_ACK) |
					 BIT(HSK_STATE_CLOSED),
		[HSK_STATE_CLOSING] = BIT(HSK_STATE_TIME_WAIT) |
				      BIT(HSK_STATE_CLOSED),
		[HSK_STATE_LAST_ACK] = BIT(HSK_STATE_CLOSED),
		[HSK_STATE_TIME_WAIT] = BIT(HSK_STATE_CLOSED),
	};

	return from < HSK_STATE_MAX && to < HSK_STATE_MAX &&
	       (next[from] & BIT(to));
}

static void finish(struct shell *sh, struct hsk_actions *act,
		   const struct hsk_tcb *pre, const struct hsk_seg *seg,
		   enum call c)
{
	struct hsk_tcb *t = &sh->tcb;
	struct tally ta = { { 0 }, 0, 0 };
	struct hsk_actions again;
	struct hsk_tcb copy;
	unsigned int i, rounds, est;
	u8 cur;

	CHECK(!(act->flags & HSK_ACT_MORE), "a core call other than "
	      "hsk_output() filled the segment list: segments were lost");
	CHECK(act->drop < HSK_DROP_MAX && act->drop != HSK_DROP_MALFORMED,
	      "drop %u", act->drop);
	CHECK(c == C_INPUT || !act->drop, "drop %u without a segment",
	      act->drop);

	/* step 3: the send queue */
	CHECK(act->acked <= sh->q_len, "acked %u of a %u octet queue",
	      act->acked, sh->q_len);
	sh->q_head += act->acked;
	sh->q_len -= act->acked;
	if (c == C_INPUT && t->mode == HSK_MODE_ECHO && echoing(pre))
		CHECK(act->deliver_len <= act->cnt[HSK_CNT_RX_BYTES] &&
		      (act->deliver_len || !act->cnt[HSK_CNT_RX_BYTES]),
		      "%u octets accepted, %u delivered",
		      act->cnt[HSK_CNT_RX_BYTES], act->deliver_len);
	else
		CHECK(!act->deliver_len && !act->store_len, "delivery of %u, "
		      "store of %u octets (mode %u, call %d)",
		      act->deliver_len, act->store_len, t->mode, c);
	CHECK(!(act->deliver_len && act->store_len), "delivery and store");
	if (act->store_len) {
		u32 at = seg->seq + act->store_off - sh->q_head;

		CHECK(act->store_off <= seg->len &&
		      act->store_len <= seg->len - act->store_off,
		      "store [%u, +%u) of a %u octet payload",
		      act->store_off, act->store_len, seg->len);
		CHECK(act->store_at == at && at > sh->q_len,
		      "store of peer octet %u at queue offset %u (expected "
		      "%u), the queue has %u", seg->seq + act->store_off -
		      t->irs, act->store_at, at, sh->q_len);
		CHECK(act->store_at + act->store_len <= t->rcv_buf,
		      "store [%u, +%u) beyond the buffer of %u",
		      act->store_at, act->store_len, t->rcv_buf);
		CHECK(act->cnt[HSK_CNT_OFO_QUEUED] == 1, "store not counted");
		if (sh->renege) {
			hsk_ofo_renege(t, act);
			CHECK(!t->nofo && !act->store_len &&
			      act->drop == HSK_DROP_OOO &&
			      !act->cnt[HSK_CNT_OFO_QUEUED],
			      "hsk_ofo_renege() left nofo %u store %u drop %u",
			      t->nofo, act->store_len, act->drop);
		} else {
			kept_add(sh, seg->seq + act->store_off,
				 seg->seq + act->store_off + act->store_len);
		}
	}
	if (act->deliver_len) {
		CHECK(act->deliver_at == sh->q_len, "delivery at queue offset "
		      "%u, the queue has %u", act->deliver_at, sh->q_len);
		CHECK(act->deliver_off <= seg->len &&
		      act->deliver_len <= seg->len - act->deliver_off,
		      "delivery [%u, +%u) of a %u octet payload",
		      act->deliver_off, act->deliver_len, seg->len);
		CHECK(seg->seq + act->deliver_off == sh->q_head + sh->q_len,
		      "delivery of peer octet %u, the queue ends at %u",
		      seg->seq + act->deliver_off - t->irs,
		      sh->q_head + sh->q_len - t->irs);
		CHECK(act->deliver_len <= t->rcv_buf - sh->q_len,
		      "delivery of %u octets overflows the buffer (%u of %u "
		      "used)", act->deliver_len, sh->q_len, t->rcv_buf);
		sh->q_len += act->deliver_len;
	}
	if (c == C_INPUT && t->mode == HSK_MODE_ECHO && echoing(pre) &&
	    act->cnt[HSK_CNT_RX_BYTES] > act->deliver_len) {
		/* kept octets that the delivery brought in order */
		u32 more = act->cnt[HSK_CNT_RX_BYTES] - act->deliver_len;
		u32 from = sh->q_head + sh->q_len;

		CHECK(kept_covers(sh, from, from + more), "%u octets from peer "
		      "octet %u joined the queue, but were never stored", more,
		      from - t->irs);
		sh->q_len += more;
	}
	kept_trim(sh, sh->q_head + sh->q_len);
	sh->rx_bytes += act->cnt[HSK_CNT_RX_BYTES];

	/* steps 4 and 5: the output loop */
	if (!(act->flags & HSK_ACT_FREE)) {
		for (rounds = 0;; rounds++) {
			hsk_output(t, sh->now, act);
			if (!(act->flags & HSK_ACT_MORE))
				break;
			CHECK(act->nsegs == HSK_ACT_MAX_SEGS,
			      "MORE with %u segments", act->nsegs);
			CHECK(rounds < 100000000, "output loop does not end");
			collect(sh, act, pre, &ta);
			act->nsegs = 0;
			act->flags &= ~HSK_ACT_MORE;
		}
	}
	collect(sh, act, pre, &ta);
	CHECK(!(act->flags & HSK_ACT_MORE), "MORE with FREE");

	/* step 6: timers */
	for (i = 0; i < HSK_TIMER_MAX; i++) {
		CHECK(!((act->timer_arm & act->timer_cancel) & BIT(i)),
		      "timer %u armed and cancelled", i);
		if (act->timer_arm & BIT(i)) {
			u32 d = act->timer_expires[i];

			CHECK(!hsk_time_before(d, sh->now) &&
			      d - sh->now <= 86400000U + 1000000U,
			      "timer %u armed for %u at %u", i, d, sh->now);
			sh->timers |= BIT(i);
			sh->deadline[i] = d;
		}
		if (act->timer_cancel & BIT(i))
			sh->timers &= ~BIT(i);
	}
	CHECK(!(act->timer_arm & ~(BIT(HSK_TIMER_MAX) - 1)) &&
	      !(act->timer_cancel & ~(BIT(HSK_TIMER_MAX) - 1)),
	      "unknown timer bits");

	/* step 6: transitions */
	CHECK(act->ntrans <= HSK_ACT_MAX_TRANS, "ntrans %u", act->ntrans);
	cur = pre->state;
	for (i = 0; i < act->ntrans; i++) {
		CHECK(act->trans[i].from == cur, "transition %u from %s, state "
		      "was %s", i, hsk_state_name(act->trans[i].from),
		      hsk_state_name(cur));
		CHECK(legal_transition(cur, act->trans[i].to),
		      "illegal transition %s -> %s", hsk_state_name(cur),
		      hsk_state_name(act->trans[i].to));
		FZ_TRACE("    %s -> %s\n", hsk_state_name(cur),
			 hsk_state_name(act->trans[i].to));
		cur = act->trans[i].to;
	}
	CHECK(cur == t->state, "transitions end in %s, state is %s "
	      "(transitions lost)", hsk_state_name(cur),
	      hsk_state_name(t->state));

	/* step 6: counters against what was seen */
	CHECK(act->cnt[HSK_CNT_RST_TX] == ta.kinds[HSK_TX_RST],
	      "RST_TX %u, %u RSTs sent", act->cnt[HSK_CNT_RST_TX],
	      ta.kinds[HSK_TX_RST]);
	CHECK(act->cnt[HSK_CNT_CHALLENGE_ACK] == ta.kinds[HSK_TX_CHALLENGE],
	      "CHALLENGE_ACK %u, %u sent", act->cnt[HSK_CNT_CHALLENGE_ACK],
	      ta.kinds[HSK_TX_CHALLENGE]);
	CHECK(act->cnt[HSK_CNT_RETRANS] == ta.kinds[HSK_TX_RETRANS],
	      "RETRANS %u, %u sent", act->cnt[HSK_CNT_RETRANS],
	      ta.kinds[HSK_TX_RETRANS]);
	CHECK(act->cnt[HSK_CNT_PERSIST_PROBE] == ta.kinds[HSK_TX_PROBE],
	      "PERSIST_PROBE %u, %u sent", act->cnt[HSK_CNT_PERSIST_PROBE],
	      ta.kinds[HSK_TX_PROBE]);
	CHECK(act->cnt[HSK_CNT_SYNACK_RETRANS] ==
	      ta.kinds[HSK_TX_SYNACK] - (pre->state == HSK_STATE_LISTEN),
	      "SYNACK_RETRANS %u, %u SYN-ACKs sent",
	      act->cnt[HSK_CNT_SYNACK_RETRANS], ta.kinds[HSK_TX_SYNACK]);
	CHECK(act->cnt[HSK_CNT_TX_BYTES] == ta.data_bytes,
	      "TX_BYTES %u, %u sent", act->cnt[HSK_CNT_TX_BYTES],
	      ta.data_bytes);
	CHECK(act->cnt[HSK_CNT_URG_BYTES] <= act->cnt[HSK_CNT_RX_BYTES],
	      "more urgent octets than octets");
	est = 0;
	for (i = 0; i < act->ntrans; i++)
		est += act->trans[i].to == HSK_STATE_ESTABLISHED;
	CHECK(act->cnt[HSK_CNT_ESTABLISHED] == est,
	      "ESTABLISHED counted %u, entered %u times",
	      act->cnt[HSK_CNT_ESTABLISHED], est);
	if (act->cnt[HSK_CNT_RESET_RX])
		CHECK(t->state == HSK_STATE_CLOSED, "reset, but %s",
		      hsk_state_name(t->state));

	/* step 7 */
	CHECK(!(act->flags & HSK_ACT_FREE) == (t->state != HSK_STATE_CLOSED),
	      "FREE flag %d in state %s", !!(act->flags & HSK_ACT_FREE),
	      hsk_state_name(t->state));
	if (act->flags & HSK_ACT_FREE) {
		CHECK(!t->timers && !act->timer_arm, "freed with timers 0x%x",
		      t->timers);
		sh->freed = true;
		sh->timers = 0;
		FZ_TRACE("  freed\n");
		return;
	}
	check_tcb(sh);

	/* The loop ran until there was nothing left: another run is idle */
	copy = *t;
	hsk_actions_init(&again);
	hsk_output(&copy, sh->now, &again);
	CHECK(!again.nsegs && !again.flags && !again.timer_arm &&
	      !again.timer_cancel && !again.ntrans,
	      "hsk_output() found more to do right after the loop: %u "
	      "segments, flags 0x%x, arm 0x%x", again.nsegs, again.flags,
	      again.timer_arm);
}

/* A core call on a freed connection must do nothing at all. */
static void dead_call(struct shell *sh, enum call c,
		      const struct hsk_seg *seg, enum hsk_timer kind)
{
	struct hsk_tcb before = sh->tcb;
	struct hsk_actions act, zero;
	int r;

	hsk_actions_init(&act);
	switch (c) {
	case C_INPUT:
		hsk_input(&sh->tcb, sh->now, seg, &act);
		CHECK(act.drop == HSK_DROP_CLOSED, "drop %u on a closed tcb",
		      act.drop);
		act.drop = 0;
		break;
	case C_TIMEOUT:
		hsk_timeout(&sh->tcb, kind, sh->now, &act);
		break;
	case C_CLOSE:
		r = hsk_close(&sh->tcb, &act);
		CHECK(r == -ENOTCONN, "hsk_close() on a closed tcb: %d", r);
		break;
	case C_ABORT:
		hsk_abort(&sh->tcb, &act);
		break;
	case C_OUTPUT:
		break;
	}
	r = hsk_output(&sh->tcb, sh->now, &act);
	CHECK(!r, "hsk_output() on a closed tcb: %d", r);
	memset(&zero, 0, sizeof(zero));
	CHECK(!memcmp(&act, &zero, sizeof(act)),
	      "a call on a freed tcb produced actions (%u segments, flags "
	      "0x%x)", act.nsegs, act.flags);
	CHECK(!memcmp(&before, &sh->tcb, sizeof(before)),
	      "a call on a freed tcb changed it");
}

/*
 * RFC 9293 3.10.7.4 "first, check sequence number", from the RFC's table
 * rather than from the core: SEG.LEN counts SYN and FIN, RCV.WND is what
 * is left of the advertised window. Plus the allowance documented at
 * hsk_input(): with a zero window a segment at exactly RCV.NXT still has
 * its control bits processed; and a segment without data or control bits
 * may sit at the right edge itself (hsk_seq_ok(), as Linux).
 */
static bool rfc_acceptable(const struct hsk_tcb *t, const struct hsk_seg *s)
{
	u32 wnd = rcv_wnd(t), len = s->len;
	u64 first, last;

	if (s->flags & HSK_TCP_SYN)
		len++;
	if (s->flags & HSK_TCP_FIN)
		len++;
	/* distances from RCV.NXT, done in 64 bits */
	first = (u32)(s->seq - t->rcv_nxt);
	if (!len)
		return first <= wnd;
	if (!wnd)
		return s->seq == t->rcv_nxt;
	last = (u32)(s->seq + len - 1 - t->rcv_nxt);
	return first < wnd || last < wnd;
}

/*
 * Nothing of an unacceptable segment is used: at most an ACK (or challenge
 * ACK) goes back. Exceptions, all decided before the sequence test: RST
 * (RFC 5961 3.2 has its own window rule), the retransmitted SYN in
 * SYN-RECEIVED, in TIME-WAIT the retransmitted FIN that restarts the
 * timer, and the probe just below a zero window whose ACK acknowledges new
 * data (RFC 9293 3.10.7.4, "accept valid ACKs"): that ACK alone is taken.
 * Conversely an acceptable segment is never dropped as unacceptable.
 */
static void check_acceptability(const struct hsk_tcb *pre,
				const struct hsk_tcb *t,
				const struct hsk_seg *s,
				const struct hsk_actions *act)
{
	bool ok = rfc_acceptable(pre, s);

	if (act->drop == HSK_DROP_NOT_ACCEPTABLE)
		CHECK(!ok, "acceptable segment dropped as unacceptable "
		      "(seq %u len %u, RCV.NXT %u RCV.WND %u)", s->seq, s->len,
		      pre->rcv_nxt, rcv_wnd(pre));
	if (ok || (s->flags & HSK_TCP_RST) ||
	    act->drop == HSK_DROP_DUP_SYN || act->drop == HSK_DROP_NO_TS ||
	    act->drop == HSK_DROP_PAWS)
		return;
	if (pre->state == HSK_STATE_TIME_WAIT && act->drop == HSK_DROP_NONE &&
	    (s->flags & HSK_TCP_FIN) && s->seq + s->len + 1 == pre->rcv_nxt)
		return;
	if (!rcv_wnd(pre) && !s->len && s->seq == pre->rcv_nxt - 1 &&
	    pre->state >= HSK_STATE_ESTABLISHED &&
	    (s->flags & (HSK_TCP_SYN | HSK_TCP_FIN | HSK_TCP_RST |
			 HSK_TCP_ACK)) == HSK_TCP_ACK &&
	    hsk_seq_after(s->ack, pre->snd_una) &&
	    hsk_seq_leq(s->ack, pre->snd_nxt)) {
		CHECK(t->rcv_nxt == pre->rcv_nxt && !act->deliver_len,
		      "a zero window probe moved RCV.NXT or delivered data");
		return;
	}
	CHECK(act->drop == HSK_DROP_NOT_ACCEPTABLE ||
	      act->drop == HSK_DROP_SYN_CHALLENGE, "unacceptable segment "
	      "(seq %u len %u flags 0x%x, RCV.NXT %u RCV.WND %u) not dropped: "
	      "drop %u", s->seq, s->len, s->flags, pre->rcv_nxt, rcv_wnd(pre),
	      act->drop);
	CHECK(t->state == pre->state && t->rcv_nxt == pre->rcv_nxt &&
	      t->snd_una == pre->snd_una && t->snd_wnd == pre->snd_wnd &&
	      !((t->flags ^ pre->flags) & ~HSK_TF_OOW_STAMP) &&
	      !act->deliver_len && !act->acked,
	      "an unacceptable segment changed the connection");
}

/* ---- events ------------------------------------------------------------- */

static void ev_input(struct shell *sh, const struct hsk_seg *seg)
{
	struct hsk_actions act;
	struct hsk_tcb pre;

	sh->last = *seg;
	sh->have_last = true;
	trace_seg("in", seg);
	if (sh->freed) {
		dead_call(sh, C_INPUT, seg, HSK_TIMER_RTX);
		return;
	}
	pre = sh->tcb;
	hsk_actions_init(&act);
	hsk_input(&sh->tcb, sh->now, seg, &act);
	FZ_TRACE("    drop %u, %s\n", act.drop, hsk_state_name(sh->tcb.state));
	check_acceptability(&pre, &sh->tcb, seg, &act);
	finish(sh, &act, &pre, seg, C_INPUT);
}

static void ev_timeout(struct shell *sh, enum hsk_timer kind)
{
	struct hsk_actions act;
	struct hsk_tcb pre;

	FZ_TRACE("  timer %u at %u (deadline %u, %s)\n", kind, sh->now,
		 sh->tcb.timer_expires[kind],
		 (sh->timers & BIT(kind)) ? "pending" : "not pending");
	/* it fired, so the shell no longer has it pending */
	sh->timers &= ~BIT(kind);
	if (sh->freed) {
		dead_call(sh, C_TIMEOUT, NULL, kind);
		return;
	}
	pre = sh->tcb;
	hsk_actions_init(&act);
	hsk_timeout(&sh->tcb, kind, sh->now, &act);
	finish(sh, &act, &pre, NULL, C_TIMEOUT);
}

static void ev_command(struct shell *sh, enum call c)
{
	struct hsk_actions act;
	struct hsk_tcb pre;
	int r;

	FZ_TRACE("  %s\n", c == C_CLOSE ? "close" : c == C_ABORT ? "abort" :
		 "output");
	if (sh->freed) {
		dead_call(sh, c, NULL, HSK_TIMER_RTX);
		return;
	}
	pre = sh->tcb;
	hsk_actions_init(&act);
	if (c == C_CLOSE) {
		r = hsk_close(&sh->tcb, &act);
		CHECK(r == 0 || r == -EALREADY, "hsk_close() %d in %s", r,
		      hsk_state_name(pre.state));
		CHECK(!r == (!(pre.flags & HSK_TF_CLOSE_REQ) &&
			     (pre.state == HSK_STATE_SYN_RECEIVED ||
			      snd_open(&pre))),
		      "hsk_close() %d in %s", r, hsk_state_name(pre.state));
	} else if (c == C_ABORT) {
		hsk_abort(&sh->tcb, &act);
		CHECK(sh->tcb.state == HSK_STATE_CLOSED, "alive after abort");
	}
	finish(sh, &act, &pre, NULL, c);
}

/* Let the clock run to @t, firing due timers in deadline order. */
static void run_until(struct shell *sh, u32 t)
{
	unsigned int n;

	for (n = 0;; n++) {
		int k = -1, i;
		u32 best = 0;

		for (i = 0; i < HSK_TIMER_MAX; i++) {
			if (!(sh->timers & BIT(i)) ||
			    hsk_time_before(t, sh->deadline[i]))
				continue;
			if (k < 0 || hsk_time_before(sh->deadline[i], best)) {
				k = i;
				best = sh->deadline[i];
			}
		}
		if (k < 0)
			break;
		CHECK(n < 10000, "timer storm: %u expiries before %u", n, t);
		if (hsk_time_before(sh->now, best))
			sh->now = best;
		ev_timeout(sh, (enum hsk_timer)k);
	}
	if (hsk_time_before(sh->now, t))
		sh->now = t;
}

/* ---- decoding ----------------------------------------------------------- */

static u32 decode_len(const struct hsk_tcb *t, struct fz *f, u8 sel)
{
	switch (sel & 7) {
	case FZ_LEN_ZERO:
		return 0;
	case FZ_LEN_U8:
		return fz_u8(f);
	case FZ_LEN_U16:
		return fz_u16(f);
	case FZ_LEN_MSS:
		return t->rcv_mss;
	case FZ_LEN_WND:
		return rcv_wnd(t);
	case FZ_LEN_WND_MORE:
		return rcv_wnd(t) + 1 + fz_u8(f);
	case FZ_LEN_ONE:
		return 1;
	default:
		return 65536 + fz_u16(f);
	}
}

static u16 decode_wnd(struct fz *f, u8 sel)
{
	switch (sel & 3) {
	case FZ_WND_MAX:
		return 0xffff;
	case FZ_WND_ZERO:
		return 0;
	case FZ_WND_U16:
		return fz_u16(f);
	default:
		return fz_u8(f);
	}
}

/*
 * The edges of the SACK blocks (cores that keep them): mostly ranges of
 * what is in flight, so that they build a scoreboard, sometimes stale or
 * D-SACK like ranges below SND.UNA, or anything at all.
 */
static void decode_sack(struct shell *sh, struct fz *f, struct hsk_opts *o)
{
#ifdef HSK_SACK_BLOCKS_MAX
	const struct hsk_tcb *t = &sh->tcb;
	u32 una = t->snd_una, flight = t->snd_nxt - t->snd_una;
	u32 mss = mss_eff(t), a, b;
	unsigned int i;

	for (i = 0; i < o->sack_blocks && i < HSK_SACK_BLOCKS_MAX; i++) {
		switch (fz_u8(f) & 3) {
		case FZ_SACK_FLIGHT:
			a = fz_u16(f) % (flight + 1);
			b = fz_u16(f) % (flight + 1);
			o->sack[i].start = una + min_u32(a, b);
			o->sack[i].end = una + max_u32(a, b);
			break;
		case FZ_SACK_MSS:
			a = fz_u8(f);
			b = fz_u8(f);
			o->sack[i].start = una + mss * (a % 16);
			o->sack[i].end = o->sack[i].start + mss * (1 + b % 4);
			break;
		case FZ_SACK_BELOW:
			o->sack[i].start = una - fz_u16(f);
			o->sack[i].end = o->sack[i].start + fz_u16(f);
			break;
		default:
			o->sack[i].start = fz_u32(f);
			o->sack[i].end = fz_u32(f);
			break;
		}
	}
#else
	(void)sh;
	(void)f;
	(void)o;
#endif
}

/* Options as hsk_parse_options() would deliver them. */
static void decode_opts(struct shell *sh, struct fz *f, u8 sel, bool syn,
			struct hsk_seg *s)
{
	struct hsk_opts *o = &s->opts;
	unsigned int space = 0, ts = sel & FZ_OPT_TS_MASK;
	u32 base, inc;
	u8 v;

	if (sel & FZ_OPT_MSS) {
		o->present |= HSK_OPT_MSS;
		o->mss = fz_u16(f);
		space += 4;
	}
	if (sel & FZ_OPT_WS) {
		o->present |= HSK_OPT_WSCALE;
		v = fz_u8(f);
		o->wscale = v > HSK_WSCALE_MAX ? HSK_WSCALE_MAX : v;
		space += 3;
	}
	if (sel & FZ_OPT_SACKP) {
		o->present |= HSK_OPT_SACK_PERM;
		space += 2;
	}
	if (syn) {
		if (ts != FZ_OPT_TS_AUTO) {
			o->present |= HSK_OPT_TS;
			o->tsval = fz_u32(f);
			o->tsecr = fz_u32(f);
		}
	} else {
		switch (ts) {
		case FZ_OPT_TS_AUTO:
			if (!(sh->tcb.flags & HSK_TF_TS))
				break;
			base = sh->peer_ts;
			if (hsk_seq_after(sh->tcb.ts_recent, base))
				base = sh->tcb.ts_recent;
			switch (sel >> FZ_OPT_TSINC_SHIFT) {
			case FZ_TSINC_ZERO:
				inc = 0;
				break;
			case FZ_TSINC_ONE:
				inc = 1;
				break;
			case FZ_TSINC_U8:
				inc = fz_u8(f);
				break;
			default:
				inc = fz_u32(f);
				break;
			}
			sh->peer_ts = base + inc;
			o->present |= HSK_OPT_TS;
			o->tsval = sh->peer_ts;
			o->tsecr = sh->last_tsval;
			break;
		case FZ_OPT_TS_NONE:
			break;
		case FZ_OPT_TS_OLD:
			o->present |= HSK_OPT_TS;
			o->tsval = sh->peer_ts - 1 - fz_u8(f);
			o->tsecr = sh->last_tsval;
			break;
		default:
			o->present |= HSK_OPT_TS;
			o->tsval = fz_u32(f);
			o->tsecr = fz_u32(f);
			break;
		}
	}
	if (o->present & HSK_OPT_TS)
		space += 10;
	if (sel & FZ_OPT_SACK) {
		o->present |= HSK_OPT_SACK;
		o->sack_blocks = 1 + (fz_u8(f) & 3);
		/* the option area is 40 octets */
		while (o->sack_blocks > 1 &&
		       space + 2 + 8 * o->sack_blocks > HSK_TCP_MAX_OPT_LEN)
			o->sack_blocks--;
		space += 2 + 8 * o->sack_blocks;
		decode_sack(sh, f, o);
	}
	s->hdr_len = (u16)(HSK_TCP_HDR_LEN + ((space + 3) & ~3U));
}

static void decode_seg(struct shell *sh, struct fz *f, struct hsk_seg *s)
{
	const struct hsk_tcb *t = &sh->tcb;
	u8 flags = fz_u8(f) ^ HSK_TCP_ACK;
	u8 seqsel = fz_u8(f), acksel = fz_u8(f), wndsel = fz_u8(f);
	u8 lensel = fz_u8(f), optsel = fz_u8(f);
	u32 flight = t->snd_nxt - t->snd_una;

	memset(s, 0, sizeof(*s));
	s->sport = 40000;
	s->dport = 7;
	s->flags = flags;
	s->len = decode_len(t, f, lensel);
	switch (seqsel & 7) {
	case FZ_SEQ_NXT:
		s->seq = t->rcv_nxt;
		break;
	case FZ_SEQ_S8:
		s->seq = t->rcv_nxt + (u32)(s32)(s8)fz_u8(f);
		break;
	case FZ_SEQ_S16:
		s->seq = t->rcv_nxt + (u32)(s32)(s16)fz_u16(f);
		break;
	case FZ_SEQ_OLD:
		s->seq = t->rcv_nxt - s->len;
		break;
	case FZ_SEQ_EDGE:
		s->seq = t->rcv_adv + (u32)(s32)(s8)fz_u8(f);
		break;
	case FZ_SEQ_PREV:
		s->seq = t->rcv_nxt - 1;
		break;
	case FZ_SEQ_IRS:
		s->seq = t->irs + (u32)(s32)(s16)fz_u16(f);
		break;
	default:
		s->seq = fz_u32(f);
		break;
	}
	switch (acksel & 7) {
	case FZ_ACK_NXT:
		s->ack = t->snd_nxt;
		break;
	case FZ_ACK_UNA:
		s->ack = t->snd_una;
		break;
	case FZ_ACK_PART:
		s->ack = t->snd_una + (u32)fz_u16(f) % (flight + 1);
		break;
	case FZ_ACK_NXT_S8:
		s->ack = t->snd_nxt + (u32)(s32)(s8)fz_u8(f);
		break;
	case FZ_ACK_OLD:
		s->ack = t->snd_una - t->max_snd_wnd +
			 (u32)(s32)(s8)fz_u8(f);
		break;
	case FZ_ACK_UNA_S16:
		s->ack = t->snd_una + (u32)(s32)(s16)fz_u16(f);
		break;
	case FZ_ACK_ISS:
		s->ack = t->iss + (u32)(s32)(s8)fz_u8(f);
		break;
	default:
		s->ack = fz_u32(f);
		break;
	}
	s->wnd = decode_wnd(f, wndsel);
	decode_opts(sh, f, optsel, false, s);
	if (flags & HSK_TCP_URG)
		s->urp = fz_u16(f);
}

static void decode_syn(struct shell *sh, struct fz *f, struct hsk_seg *s)
{
	u8 flags = fz_u8(f) ^ HSK_TCP_SYN;
	u8 wndsel, lensel, optsel;

	memset(s, 0, sizeof(*s));
	s->sport = 40000;
	s->dport = 7;
	s->flags = flags;
	s->seq = fz_u32(f);
	if (flags & HSK_TCP_ACK)
		s->ack = fz_u32(f);
	wndsel = fz_u8(f);
	lensel = fz_u8(f);
	optsel = fz_u8(f);
	s->len = (lensel & 7) == FZ_LEN_ZERO ? 0 :
		 (lensel & 7) == FZ_LEN_U8 ? fz_u8(f) : fz_u16(f);
	s->wnd = decode_wnd(f, wndsel);
	decode_opts(sh, f, optsel, true, s);
	if (flags & HSK_TCP_URG)
		s->urp = fz_u16(f);
}

static void decode_params(struct fz *f, struct hsk_listen_params *p)
{
	u8 p0 = fz_u8(f), p1;
	struct hsk_cfg *c = &p->cfg;

	memset(p, 0, sizeof(*p));
	p->mode = p0 & 3;
	switch ((p0 >> 2) & 7) {
	case FZ_BUF_64K:
		p->rcv_buf = 65536;
		break;
	case FZ_BUF_DEFAULT:
		p->rcv_buf = 0;
		break;
	case FZ_BUF_TINY:
		p->rcv_buf = 1 + fz_u8(f);
		break;
	case FZ_BUF_U16:
		p->rcv_buf = 1 + fz_u16(f);
		break;
	case FZ_BUF_U32:
		p->rcv_buf = fz_u32(f);
		break;
	case FZ_BUF_MAX:
		p->rcv_buf = HSK_RCV_BUF_MAX;
		break;
	case FZ_BUF_HUGE:
		p->rcv_buf = 0xffffffffU;
		break;
	default:
		p->rcv_buf = 1 + ((u32)fz_u16(f) << 4);
		break;
	}
	switch (p0 >> 5) {
	case FZ_MSS_1460:
		p->mss = 1460;
		break;
	case FZ_MSS_ZERO:
		p->mss = 0;
		break;
	case FZ_MSS_U16:
		p->mss = fz_u16(f);
		break;
	case FZ_MSS_TINY:
		p->mss = (u16)(1 + fz_u8(f));
		break;
	case FZ_MSS_65535:
		p->mss = 65535;
		break;
	case FZ_MSS_536:
		p->mss = 536;
		break;
	case FZ_MSS_1220:
		p->mss = 1220;
		break;
	default:
		p->mss = 8960;
		break;
	}

	/* within the ranges the netlink interface accepts */
	p1 = fz_u8(f);
	hsk_cfg_init(c);
	if (p1 & FZ_P1_RTO_MIN)
		c->rto_min_ms = 1 + fz_u16(f) % 60000;
	if (p1 & FZ_P1_RTO_MAX)
		c->rto_max_ms = c->rto_min_ms + 10 * (u32)fz_u16(f);
	if (c->rto_max_ms < c->rto_min_ms)
		c->rto_max_ms = c->rto_min_ms;
	if (p1 & FZ_P1_TIME_WAIT)
		c->time_wait_ms = 1 + fz_u32(f) % 600000;
	if (p1 & FZ_P1_IDLE)
		c->idle_ms = fz_u32(f) % 86400001;
	if (p1 & FZ_P1_OOW)
		c->oow_ack_interval_ms = fz_u16(f) % 2001;
	if (p1 & FZ_P1_SYNACK)
		c->synack_retries = fz_u8(f) % 16;
	if (p1 & FZ_P1_RETRIES)
		c->retries = fz_u8(f) % 16;
	p->default_mss = HSK_MSS_DEFAULT;
	if (p1 & FZ_P1_DEF_MSS)
		p->default_mss = fz_u16(f);
	p->now_ms = fz_u32(f);
	p->iss = fz_u32(f);
	p->ts_offset = fz_u32(f);
}

/* ---- the listener ------------------------------------------------------- */

/* hsk_listen_input() said no: at most a RST, nothing else. */
static void check_stateless(const struct hsk_seg *seg,
			    const struct hsk_actions *act)
{
	unsigned int i;

	CHECK(act->nsegs <= 1 && !act->ntrans && !act->flags &&
	      !act->timer_arm && !act->timer_cancel && !act->deliver_len &&
	      !act->acked, "listener refused a segment but did things");
	CHECK(act->drop >= HSK_DROP_LISTEN_RST &&
	      act->drop <= HSK_DROP_LISTEN_SYN_FIN, "listener drop %u",
	      act->drop);
	if (act->nsegs) {
		CHECK((seg->flags & HSK_TCP_ACK) && !(seg->flags & HSK_TCP_RST),
		      "RST for a segment without ACK or with RST");
		CHECK(act->segs[0].kind == HSK_TX_RST &&
		      act->segs[0].flags == HSK_TCP_RST &&
		      act->segs[0].seq == seg->ack && !act->segs[0].data_len,
		      "listener reply is not <SEQ=SEG.ACK><CTL=RST>");
		check_wire(&act->segs[0]);
	}
	for (i = 0; i < HSK_CNT_MAX; i++)
		CHECK(act->cnt[i] == (i == HSK_CNT_RST_TX ? act->nsegs : 0U),
		      "listener counted %u in counter %u", act->cnt[i], i);
}

static bool do_listen(struct shell *sh, const struct hsk_seg *seg)
{
	struct hsk_actions act;
	struct hsk_tcb tcb, pre;
	const struct hsk_tcb *t = &sh->tcb;
	u16 peer_mss;
	int r;

	trace_seg("listen", seg);
	sh->p.now_ms = sh->now;
	/* the shell's tcb may be uninitialised stack */
	memset(&tcb, 0xa5, sizeof(tcb));
	hsk_actions_init(&act);
	r = hsk_listen_input(&sh->p, seg, &tcb, &act);
	CHECK(r == 0 || r == 1, "hsk_listen_input() %d", r);
	CHECK(!r == (!(seg->flags & HSK_TCP_SYN) ||
		     (seg->flags & (HSK_TCP_RST | HSK_TCP_ACK | HSK_TCP_FIN))),
	      "hsk_listen_input() %d for flags 0x%x", r, seg->flags);
	if (!r) {
		check_stateless(seg, &act);
		return false;
	}

	/* the shell allocates the connection and copies the tcb in */
	sh->tcb = tcb;
	CHECK(t->state == HSK_STATE_SYN_RECEIVED && !act.drop,
	      "new connection in %s, drop %u", hsk_state_name(t->state),
	      act.drop);
	CHECK(t->irs == seg->seq && t->rcv_nxt == seg->seq + 1 &&
	      t->iss == sh->p.iss, "IRS/ISS");
	CHECK(t->rcv_buf == (sh->p.rcv_buf ?
			     min_u32(sh->p.rcv_buf, HSK_RCV_BUF_MAX) :
			     HSK_RCV_BUF_DEFAULT), "rcv_buf %u from %u",
	      t->rcv_buf, sh->p.rcv_buf);
	CHECK(t->mode == (sh->p.mode <= HSK_MODE_MAX ? sh->p.mode :
			  HSK_MODE_DISCARD), "mode %u from %u", t->mode,
	      sh->p.mode);
	peer_mss = sh->p.default_mss ? sh->p.default_mss : HSK_MSS_DEFAULT;
	if ((seg->opts.present & HSK_OPT_MSS) && seg->opts.mss)
		peer_mss = seg->opts.mss;
	CHECK(t->snd_mss == max_u32(min_u32(peer_mss, t->rcv_mss),
				    HSK_MSS_MIN), "snd_mss %u, peer %u ours %u",
	      t->snd_mss, peer_mss, t->rcv_mss);
	CHECK(!(t->flags & HSK_TF_WSCALE) ==
	      !(seg->opts.present & HSK_OPT_WSCALE) &&
	      !(t->flags & HSK_TF_TS) == !(seg->opts.present & HSK_OPT_TS) &&
	      !(t->flags & HSK_TF_SACK_OK) ==
	      !(seg->opts.present & HSK_OPT_SACK_PERM), "negotiation");
	if (t->flags & HSK_TF_WSCALE)
		/* the field spans the buffer but for the scaling remainder */
		CHECK(((t->rcv_buf >> t->rcv_wscale) <= HSK_MAX_WIN ||
		       t->rcv_wscale == HSK_WSCALE_MAX) &&
		      (!t->rcv_wscale ||
		       (t->rcv_buf >> (t->rcv_wscale - 1)) > HSK_MAX_WIN),
		      "rcv_wscale %u for a buffer of %u", t->rcv_wscale,
		      t->rcv_buf);

	sh->q_head = t->irs + 1;
	sh->q_len = 0;
	sh->snd_hi = t->iss + 1;
	sh->peer_ts = seg->opts.tsval;
	pre = *t;
	pre.state = HSK_STATE_LISTEN;
	pre.rcv_nxt = t->rcv_nxt;
	finish(sh, &act, &pre, seg, C_INPUT);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct shell *sh = calloc(1, sizeof(*sh));
	struct hsk_seg seg;
	unsigned int tries, dead = 0;
	bool up = false;
	u32 next;
	u8 op;

	CHECK(sh != NULL, "out of memory");
	decode_params(&f, &sh->p);
	sh->now = sh->p.now_ms;
	FZ_TRACE("params: mode %u rcv_buf %u mss %u/%u rto %u-%u tw %u "
		 "idle %u oow %u retries %u/%u now %u iss %u tsoff %u\n",
		 sh->p.mode, sh->p.rcv_buf, sh->p.mss, sh->p.default_mss,
		 sh->p.cfg.rto_min_ms, sh->p.cfg.rto_max_ms,
		 sh->p.cfg.time_wait_ms, sh->p.cfg.idle_ms,
		 sh->p.cfg.oow_ack_interval_ms, sh->p.cfg.synack_retries,
		 sh->p.cfg.retries, sh->now, sh->p.iss, sh->p.ts_offset);

	for (tries = 0; tries < FZ_LISTEN_TRIES; tries++) {
		if (tries && fz_empty(&f))
			break;
		decode_syn(sh, &f, &seg);
		if (do_listen(sh, &seg)) {
			up = true;
			break;
		}
	}

	while (up && !fz_empty(&f)) {
		if (sh->freed && ++dead > FZ_DEAD_EVENTS)
			break;
		sh->events++;
		op = fz_u8(&f);
		FZ_TRACE("event %u: op 0x%02x, %s, now %u\n", sh->events, op,
			 hsk_state_name(sh->tcb.state), sh->now);
		if ((op & 15) < FZ_OP_SEG_MAX) {
			decode_seg(sh, &f, &seg);
			sh->renege = op & FZ_SEG_RENEGE;
			ev_input(sh, &seg);
			sh->renege = false;
			continue;
		}
		switch (op & 15) {
		case FZ_OP_TIME:
			switch (op >> 4) {
			case FZ_TIME_U8:
				run_until(sh, sh->now + fz_u8(&f));
				break;
			case FZ_TIME_U16:
				run_until(sh, sh->now + fz_u16(&f));
				break;
			case FZ_TIME_SECONDS:
				run_until(sh, sh->now + 1000 * (u32)fz_u16(&f));
				break;
			case FZ_TIME_NEXT:
				if (!sh->freed && hsk_timer_next(&sh->tcb, &next))
					run_until(sh, next);
				break;
			case FZ_TIME_PAWS:
				run_until(sh, sh->now + HSK_PAWS_IDLE_MS +
					  fz_u8(&f));
				break;
			case FZ_TIME_U32:
				run_until(sh, sh->now +
					  (fz_u32(&f) & 0x7fffffffU));
				break;
			case FZ_TIME_LATE:
				sh->now += fz_u16(&f);
				break;
			case FZ_TIME_RTO:
				run_until(sh, sh->now + sh->tcb.rto);
				break;
			default:
				run_until(sh, sh->now + 1);
				break;
			}
			break;
		case FZ_OP_TIMER: {
			enum hsk_timer k = (enum hsk_timer)((op >> 4) & 3);

			if (!(op & FZ_TIMER_SPURIOUS) &&
			    (sh->timers & BIT(k)))
				run_until(sh, sh->deadline[k]);
			else
				ev_timeout(sh, k);
			break;
		}
		case FZ_OP_MUX: {
			u8 pending = sh->tcb.timers;
			unsigned int k;

			if (sh->freed) {
				ev_timeout(sh, HSK_TIMER_RTX);
				break;
			}
			/* the kernel's one timer: every kind, one event each */
			for (k = 0; k < HSK_TIMER_MAX && !sh->freed; k++)
				if (pending & BIT(k))
					ev_timeout(sh, (enum hsk_timer)k);
			break;
		}
		case FZ_OP_CLOSE:
			ev_command(sh, C_CLOSE);
			break;
		case FZ_OP_ABORT:
			ev_command(sh, C_ABORT);
			break;
		case FZ_OP_OUTPUT:
			ev_command(sh, C_OUTPUT);
			break;
		default:
			if (sh->have_last) {
				seg = sh->last;
				ev_input(sh, &seg);
			}
			break;
		}
	}
	FZ_TRACE("end: %s after %u events\n",
		 sh->freed ? "freed" : hsk_state_name(sh->tcb.state),
		 sh->events);
	free(sh);
	return 0;
}
