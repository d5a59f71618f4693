// SPDX-License-Identifier: GPL-2.0
/*
 * hsk TCP core: segment arrival (RFC 9293 3.10.7.2 and 3.10.7.4) with the
 * RFC 5961 blind attack defences and RFC 7323 PAWS, and the ACK side of
 * congestion control and loss recovery (RFC 5681, RFC 6582, RFC 6675,
 * RFC 3042).
 */
#include "hsk_internal.h"

/* States in which our SYN has been acknowledged (RFC 9293 3.3.2). */
static bool hsk_synchronized(const struct hsk_tcb *tcb)
{
	return tcb->state >= HSK_STATE_ESTABLISHED &&
	       tcb->state < HSK_STATE_MAX;
}

/* States in which the peer may still send data (its FIN not received). */
static bool hsk_rcv_open(const struct hsk_tcb *tcb)
{
	return tcb->state == HSK_STATE_ESTABLISHED ||
	       tcb->state == HSK_STATE_FIN_WAIT_1 ||
	       tcb->state == HSK_STATE_FIN_WAIT_2;
}

static bool hsk_fin_acked(const struct hsk_tcb *tcb)
{
	return (tcb->flags & HSK_TF_FIN_SENT) &&
	       hsk_seq_after(tcb->snd_una, tcb->fin_seq);
}

/* Smallest power of two shift that lets the window field span the buffer. */
static u8 hsk_pick_wscale(u32 rcv_buf)
{
	u8 ws = 0;

	while (ws < HSK_WSCALE_MAX && (rcv_buf >> ws) > HSK_MAX_WIN)
		ws++;
	return ws;
}

/* RFC 6928 initial window, or one segment if the SYN-ACK was lost. */
static u32 hsk_initial_cwnd(const struct hsk_tcb *tcb)
{
	u32 mss = hsk_mss_eff(tcb);

	if (tcb->flags & HSK_TF_SYNACK_RTX)
		return mss;
	return min_t(u32, 10 * mss, max_t(u32, 2 * mss, 14600));
}

/**
 * hsk_listen_input() - a segment for a listener without a connection
 * @p: listener and new connection parameters
 * @seg: the segment
 * @tcb: filled in if a connection is to be created; may be on the stack
 *	(it holds no pointers and may be copied)
 * @act: action list
 *
 * RFC 9293 3.10.7.2: RST is dropped; anything with ACK (SYN-ACK included)
 * is answered with <SEQ=SEG.ACK><CTL=RST>; a SYN without FIN creates a
 * connection in SYN-RECEIVED and is answered with a SYN-ACK. Data on the
 * SYN is not accepted, only the SYN is acknowledged, so that no state is
 * committed before the peer proved it can receive (no TFO). Everything else
 * (FIN, NULL, Xmas and SYN+FIN probes) is dropped silently.
 *
 * If the shell then cannot create the connection (backlog full, no
 * memory) it discards @act and nothing has happened.
 *
 * Return: 1 if @tcb describes a new connection, 0 otherwise.
 */
int hsk_listen_input(const struct hsk_listen_params *p,
		     const struct hsk_seg *seg, struct hsk_tcb *tcb,
		     struct hsk_actions *act)
{
	const struct hsk_opts *o = &seg->opts;
	u32 now = p->now_ms;
	u16 peer_mss;

	if (seg->flags & HSK_TCP_RST) {
		act->drop = HSK_DROP_LISTEN_RST;
		return 0;
	}
	if (seg->flags & HSK_TCP_ACK) {
		hsk_send_rst(seg->ack, act);
		act->drop = HSK_DROP_LISTEN_ACK;
		return 0;
	}
	if (!(seg->flags & HSK_TCP_SYN)) {
		act->drop = HSK_DROP_LISTEN_NO_SYN;
		return 0;
	}
	if (seg->flags & HSK_TCP_FIN) {
		act->drop = HSK_DROP_LISTEN_SYN_FIN;
		return 0;
	}

	memset(tcb, 0, sizeof(*tcb));
	tcb->cfg = p->cfg;
	tcb->state = HSK_STATE_LISTEN;
	tcb->mode = p->mode <= HSK_MODE_MAX ? (u8)p->mode : HSK_MODE_DISCARD;
	tcb->rcv_buf = p->rcv_buf ? min_t(u32, p->rcv_buf, HSK_RCV_BUF_MAX) :
		       HSK_RCV_BUF_DEFAULT;
	tcb->rcv_mss = max_t(u16, p->mss ? p->mss : HSK_MSS_DEFAULT,
			     HSK_MSS_MIN);
	peer_mss = p->default_mss ? p->default_mss : HSK_MSS_DEFAULT;
	/* An MSS option of 0 is meaningless; treat it as absent, like Linux */
	if ((o->present & HSK_OPT_MSS) && o->mss)
		peer_mss = o->mss;
	tcb->snd_mss = max_t(u16, min_t(u16, peer_mss, tcb->rcv_mss),
			     HSK_MSS_MIN);

	tcb->iss = p->iss;
	tcb->irs = seg->seq;
	tcb->snd_una = p->iss;
	tcb->snd_nxt = p->iss + 1;
	tcb->rcv_nxt = seg->seq + 1;
	tcb->rcv_adv = tcb->rcv_nxt;
	/* The window of a SYN is never scaled (RFC 7323 2.2) */
	tcb->snd_wnd = seg->wnd;
	tcb->max_snd_wnd = seg->wnd;
	tcb->snd_wl1 = seg->seq;
	tcb->snd_wl2 = p->iss;
	tcb->ts_offset = p->ts_offset;

	if (o->present & HSK_OPT_WSCALE) {
		tcb->flags |= HSK_TF_WSCALE;
		tcb->snd_wscale = o->wscale;
		tcb->rcv_wscale = hsk_pick_wscale(tcb->rcv_buf);
	}
	if (o->present & HSK_OPT_SACK_PERM)
		tcb->flags |= HSK_TF_SACK_OK;
	if (o->present & HSK_OPT_TS) {
		tcb->flags |= HSK_TF_TS;
		tcb->ts_recent = o->tsval;
		tcb->ts_recent_stamp = now;
	}

	tcb->ssthresh = HSK_SSTHRESH_INIT;
	tcb->recover = p->iss;	/* RFC 6582 3.2 step 1 */
	tcb->rto = hsk_rto_clamp(tcb, HSK_RTO_INIT_MS);
	tcb->idle_stamp = now;

	hsk_set_state(tcb, HSK_STATE_SYN_RECEIVED, act);
	hsk_send_synack(tcb, now, act);
	tcb->flags |= HSK_TF_RTT_TIMING;
	tcb->rtt_seq = tcb->snd_nxt;
	tcb->rtt_start = now;
	hsk_timer_arm(tcb, HSK_TIMER_RTX, now + tcb->rto, act);
	return 1;
}

/* RFC 9293 3.10.7.4 "first": the four cases of the acceptability test */
static bool hsk_seq_ok(const struct hsk_tcb *tcb, const struct hsk_seg *seg)
{
	u32 wnd = hsk_rcv_wnd(tcb);
	u32 len = seg->len;

	if (seg->flags & HSK_TCP_SYN)
		len++;
	if (seg->flags & HSK_TCP_FIN)
		len++;
	if (!len) {
		/*
		 * RFC 9293 wants RCV.NXT =< SEG.SEQ < RCV.NXT + RCV.WND, but a
		 * sender that filled our window sends its ACKs at the right
		 * edge (Linux's tcp_acceptable_seq()): while a hole keeps
		 * RCV.NXT below the edge, those ACKs, often the only ones
		 * acknowledging our echo data, would all be dropped. Accept
		 * the edge itself, as Linux's tcp_sequence() does.
		 */
		return hsk_seq_in_window(seg->seq, tcb->rcv_nxt, wnd + 1);
	}
	if (!wnd)
		return false;
	return hsk_seq_in_window(seg->seq, tcb->rcv_nxt, wnd) ||
	       hsk_seq_in_window(seg->seq + len - 1, tcb->rcv_nxt, wnd);
}

/*
 * RFC 9293 3.10.7.4: with the receive window zero "special allowance
 * should be made to accept valid ACKs". A peer probing our zero window
 * sends at RCV.NXT - 1 (Linux's tcp_xmit_probe_skb()), so the segment is
 * not acceptable, but its ACK is the peer's latest. In echo mode the
 * window is closed by our own unacknowledged echo, and the probes may be
 * all the peer sends: dropping their ACKs left only our RTO, backed off,
 * to learn what the peer holds (a stall of minutes under heavy loss). So
 * the ACK of such a probe is taken when it acknowledges new data; one
 * that does not is no duplicate ACK and only gets its reply.
 */
static bool hsk_probe_acks(const struct hsk_tcb *tcb,
			   const struct hsk_seg *seg)
{
	return hsk_synchronized(tcb) && hsk_rcv_wnd(tcb) == 0 && !seg->len &&
	       (seg->flags & (HSK_TCP_SYN | HSK_TCP_FIN | HSK_TCP_RST |
			      HSK_TCP_ACK)) == HSK_TCP_ACK &&
	       seg->seq == tcb->rcv_nxt - 1 &&
	       hsk_seq_after(seg->ack, tcb->snd_una) &&
	       hsk_seq_leq(seg->ack, tcb->snd_nxt);
}

/*
 * "send an ACK and drop" for a segment that failed a check. Replies to pure
 * ACKs and SYNs are rate limited (nothing is lost if one is skipped), those
 * to data are not, since the sender needs them to make progress.
 */
static void hsk_reject_ack(struct hsk_tcb *tcb, u32 now,
			   const struct hsk_seg *seg, struct hsk_actions *act)
{
	if ((seg->flags & HSK_TCP_SYN) ||
	    (!seg->len && !(seg->flags & HSK_TCP_FIN)))
		hsk_send_oow_ack(tcb, now, HSK_TX_DUPACK, act);
	else
		hsk_send_ack(tcb, now, HSK_TX_DUPACK, act);
}

/* A round trip sample from the timestamp echo or from the timed segment. */
static void hsk_ack_rtt(struct hsk_tcb *tcb, u32 now,
			const struct hsk_seg *seg)
{
	u32 rtt;

	if ((tcb->flags & HSK_TF_TS) && (seg->opts.present & HSK_OPT_TS)) {
		/* An echo from the future is forged or broken; ignore it */
		rtt = hsk_tsval(tcb, now) - seg->opts.tsecr;
		if ((s32)rtt >= 0)
			hsk_rtt_sample(tcb, rtt);
		tcb->flags &= ~HSK_TF_RTT_TIMING;
		return;
	}
	if ((tcb->flags & HSK_TF_RTT_TIMING) &&
	    hsk_seq_geq(seg->ack, tcb->rtt_seq)) {
		hsk_rtt_sample(tcb, now - tcb->rtt_start);
		tcb->flags &= ~HSK_TF_RTT_TIMING;
	}
}

/* RFC 9293 3.10.7.4 "fifth", SND.WL1/SND.WL2 rule, RFC 7323 2.3 scaling */
static void hsk_wnd_update(struct hsk_tcb *tcb, const struct hsk_seg *seg,
			   struct hsk_actions *act)
{
	if (!hsk_seq_before(tcb->snd_wl1, seg->seq) &&
	    !(tcb->snd_wl1 == seg->seq && hsk_seq_geq(seg->ack, tcb->snd_wl2)))
		return;
	tcb->snd_wnd = (u32)seg->wnd << tcb->snd_wscale;
	tcb->snd_wl1 = seg->seq;
	tcb->snd_wl2 = seg->ack;
	tcb->max_snd_wnd = max_t(u32, tcb->max_snd_wnd, tcb->snd_wnd);
	if (tcb->snd_wnd) {
		tcb->persist_backoff = 0;
		if (tcb->timers & BIT(HSK_TIMER_PERSIST)) {
			hsk_timer_cancel(tcb, HSK_TIMER_PERSIST, act);
			act->flags |= HSK_ACT_OUTPUT;
		}
	}
}

/* SYN-RECEIVED with an acceptable ACK: the handshake is complete. */
static void hsk_establish(struct hsk_tcb *tcb, u32 now,
			  const struct hsk_seg *seg, struct hsk_actions *act)
{
	tcb->snd_una = seg->ack;
	tcb->snd_wnd = (u32)seg->wnd << tcb->snd_wscale;
	tcb->snd_wl1 = seg->seq;
	tcb->snd_wl2 = seg->ack;
	tcb->max_snd_wnd = max_t(u32, tcb->max_snd_wnd, tcb->snd_wnd);

	if (tcb->flags & HSK_TF_SYNACK_RTX)
		tcb->rto = hsk_rto_clamp(tcb, HSK_RTO_SYN_LOST_MS);
	/*
	 * After a retransmitted SYN-ACK the ACK may echo the TSval of an
	 * earlier one: a peer whose own ACK was lost answers the copy with
	 * a challenge ACK, which echoes the TS.Recent of the first. Its
	 * "round trip" is then the SYN-ACK timeout, a second or more, and
	 * as the first sample it would set SRTT to it and the RTO to three
	 * times that, decaying only over dozens of round trips. Karn's rule,
	 * applied to timestamps: only the echo of the latest SYN-ACK counts;
	 * else the RTO stays at 3 s until data is timed (RFC 6298 5.7).
	 */
	if (!(tcb->flags & HSK_TF_SYNACK_RTX) || !(tcb->flags & HSK_TF_TS) ||
	    !(seg->opts.present & HSK_OPT_TS) ||
	    !hsk_seq_before(seg->opts.tsecr, hsk_tsval(tcb, tcb->rtt_start)))
		hsk_ack_rtt(tcb, now, seg);
	tcb->cwnd = hsk_initial_cwnd(tcb);
	tcb->rtx_count = 0;
	hsk_timer_cancel(tcb, HSK_TIMER_RTX, act);
	hsk_set_state(tcb, HSK_STATE_ESTABLISHED, act);
	act->cnt[HSK_CNT_ESTABLISHED]++;
	tcb->idle_stamp = now;
	if (tcb->cfg.idle_ms)
		hsk_timer_arm(tcb, HSK_TIMER_IDLE, now + tcb->cfg.idle_ms, act);
	if (tcb->flags & HSK_TF_CLOSE_REQ)
		act->flags |= HSK_ACT_OUTPUT;
}

/* RFC 5681 slow start (RFC 3465 with L = 1) and congestion avoidance */
static void hsk_cwnd_grow(struct hsk_tcb *tcb, u32 acked)
{
	u32 mss = hsk_mss_eff(tcb);

	if (tcb->cwnd < tcb->ssthresh)
		tcb->cwnd += min_t(u32, acked, mss);
	else
		tcb->cwnd += max_t(u32, 1, mss * mss / tcb->cwnd);
	tcb->cwnd = min_t(u32, tcb->cwnd, HSK_CWND_MAX);
}

/*
 * RFC 5681 section 2: a duplicate ACK (a) finds data outstanding, (b)
 * carries no data, (c) has neither SYN nor FIN, (d) acknowledges exactly
 * SND.UNA and (e) repeats the window of the ACK before it.
 */
static bool hsk_is_dupack(const struct hsk_tcb *tcb, const struct hsk_seg *seg)
{
	return tcb->snd_nxt != tcb->snd_una && !seg->len &&
	       !(seg->flags & (HSK_TCP_SYN | HSK_TCP_FIN)) &&
	       seg->ack == tcb->snd_una &&
	       ((u32)seg->wnd << tcb->snd_wscale) == tcb->snd_wnd;
}

/* cwnd + @inc, saturating at HSK_CWND_MAX. Return: what was added. */
static u32 hsk_cwnd_add(struct hsk_tcb *tcb, u32 inc)
{
	u32 old = min_t(u32, tcb->cwnd, HSK_CWND_MAX);

	tcb->cwnd = old + min_t(u32, inc, HSK_CWND_MAX - old);
	return tcb->cwnd - old;
}

/*
 * In RFC 6675 recovery the congestion window proper is ssthresh and data
 * may be sent while the octets presumed in the network (pipe) stay below
 * it. cwnd says the same in terms of SND.UNA: it is what pipe leaves of
 * ssthresh, plus everything in flight that pipe does not count (SACKed or
 * lost), so that "FlightSize <= cwnd" holds for new data as always.
 */
static void hsk_sack_cwnd(struct hsk_tcb *tcb)
{
	u32 mss = hsk_mss_eff(tcb), flight = tcb->snd_nxt - tcb->snd_una;
	u32 pipe = hsk_sack_pipe(tcb, tcb->rtx_nxt), w;

	w = tcb->ssthresh + flight;
	w = w > pipe ? w - pipe : 0;
	tcb->cwnd = min_t(u32, max_t(u32, w, mss), HSK_CWND_MAX);
}

/*
 * RFC 5681 3.2 steps 2 and 3 with RFC 6582 3.2 step 2, or RFC 6675
 * section 5 step 4: the loss is taken as real. ssthresh comes from the
 * FlightSize without what limited transmit sent: all data beyond the
 * congestion window proper, cwnd less its loan, went out on that loan.
 * The retransmission of the first segment is left to hsk_output(), so
 * that it carries the latest acknowledgment (and, the clock being the
 * same, the TSval noted here for Eifel). With SACK information at hand
 * the recovery is RFC 6675's, else NewReno's.
 */
static void hsk_fast_retransmit(struct hsk_tcb *tcb, u32 now,
				struct hsk_actions *act)
{
	u32 mss = hsk_mss_eff(tcb), flight = tcb->snd_nxt - tcb->snd_una;

	flight = min_t(u32, flight,
		       tcb->cwnd - min_t(u32, tcb->lt_infl, tcb->cwnd));
	tcb->undo_ssthresh = 0;
	if (tcb->flags & HSK_TF_TS) {
		/* RFC 4015 step 1 and RFC 3522 step 1 */
		tcb->undo_ssthresh = max_t(u32, flight, tcb->ssthresh);
		tcb->undo_tsval = hsk_tsval(tcb, now);
	}
	tcb->ssthresh = max_t(u32, flight / 2, 2 * mss);
	tcb->cwnd = tcb->ssthresh;
	tcb->lt_infl = 0;
	/* This recovery answers any loss the probe may have found */
	tcb->tlp &= ~HSK_TLP_OUT;
	tcb->recover = tcb->snd_nxt;
	tcb->flags |= HSK_TF_FAST_RECOVERY | HSK_TF_RTX_HEAD;
	tcb->flags &= ~(HSK_TF_PARTIAL_ACK | HSK_TF_SACK_RECOVERY);
	if ((tcb->flags & HSK_TF_SACK_OK) && tcb->nsacked) {
		tcb->flags |= HSK_TF_SACK_RECOVERY;
		tcb->rtx_nxt = tcb->snd_una;
		tcb->rescue_rxt = tcb->snd_una;
		hsk_sack_cwnd(tcb);
	} else {
		hsk_cwnd_add(tcb, 3 * mss);
	}
	act->flags |= HSK_ACT_OUTPUT;
}

/*
 * Duplicate ACKs that start a fast retransmit: DupThresh, or with early
 * retransmit (RFC 5827, byte based) one less than the segments in flight,
 * when fewer than DupThresh + 1 are and no new data can go out to draw
 * more duplicates. A single segment keeps DupThresh: its only "duplicate"
 * would be a duplicated ACK.
 */
static u32 hsk_dupthresh(const struct hsk_tcb *tcb)
{
	u32 mss = hsk_mss_eff(tcb), flight = tcb->snd_nxt - tcb->snd_una;
	u32 oseg = DIV_ROUND_UP(flight, mss), unsent = hsk_unsent(tcb);
	u32 usable = 0;

	if (oseg < 2 || oseg > HSK_DUPTHRESH)
		return HSK_DUPTHRESH;
	if (hsk_seq_after(tcb->snd_una + tcb->snd_wnd, tcb->snd_nxt))
		usable = tcb->snd_una + tcb->snd_wnd - tcb->snd_nxt;
	if (unsent && !(tcb->flags & HSK_TF_FIN_SENT) &&
	    usable >= min_t(u32, unsent, mss))
		return HSK_DUPTHRESH;	/* limited transmit's turn */
	return oseg - 1;
}

/*
 * A duplicate ACK. In NewReno fast recovery it means one more segment has
 * left the network (RFC 5681 3.2 step 4); RFC 6675 recovery counts with
 * pipe instead. Outside recovery the first ones lend limited transmit
 * (RFC 3042) one segment of window each, and the DupThresh-th, or SACK
 * information that shows SND.UNA lost (RFC 6675 5 step 2), starts a fast
 * retransmit; unless SND.UNA has not passed recover: the loss would then
 * be one the last recovery has answered already (RFC 6582 3.2 step 2, the
 * "careful" variant; after a timeout, the duplicates that go-back-N draws
 * look just like this).
 */
static void hsk_dupack(struct hsk_tcb *tcb, u32 now, struct hsk_actions *act)
{
	u32 mss = hsk_mss_eff(tcb);

	if (tcb->dupacks < U8_MAX)
		tcb->dupacks++;
	if (tcb->flags & HSK_TF_FAST_RECOVERY) {
		if (!(tcb->flags & HSK_TF_SACK_RECOVERY))
			hsk_cwnd_add(tcb, mss);
		act->flags |= HSK_ACT_OUTPUT;
		return;
	}
	if (hsk_seq_before(tcb->snd_una, tcb->recover))
		return;
	if (tcb->dupacks >= hsk_dupthresh(tcb) ||
	    hsk_seq_after(hsk_sack_lost_end(tcb), tcb->snd_una)) {
		hsk_fast_retransmit(tcb, now, act);
	} else {
		tcb->lt_infl += hsk_cwnd_add(tcb, mss);
		act->flags |= HSK_ACT_OUTPUT;
	}
}

/*
 * Eifel (RFC 3522): the first ACK of new data after a fast retransmit
 * tells from its timestamp echo which copy reached the peer first. An
 * echo older than the retransmission means the original arrived, only
 * late (reordering): the reduction is undone as RFC 4015 step 5 says,
 * cwnd = FlightSize + min(bytes acked, IW), ssthresh = pipe_prev, and
 * the recovery ends with nothing more resent. Return: true if undone.
 */
static bool hsk_eifel(struct hsk_tcb *tcb, const struct hsk_seg *seg,
		      u32 acked)
{
	u32 mss = hsk_mss_eff(tcb), flight = tcb->snd_nxt - tcb->snd_una;
	u32 prev = tcb->undo_ssthresh;

	if (!prev)
		return false;
	tcb->undo_ssthresh = 0;
	if (!(tcb->flags & HSK_TF_FAST_RECOVERY) ||
	    !(seg->opts.present & HSK_OPT_TS) ||
	    !hsk_seq_before(seg->opts.tsecr, tcb->undo_tsval))
		return false;
	tcb->ssthresh = prev;
	tcb->cwnd = flight + min_t(u32, acked, hsk_initial_cwnd(tcb));
	tcb->cwnd = min_t(u32, max_t(u32, tcb->cwnd, mss), HSK_CWND_MAX);
	tcb->lt_infl = 0;
	tcb->recover = tcb->snd_una;
	tcb->flags &= ~(HSK_TF_FAST_RECOVERY | HSK_TF_PARTIAL_ACK |
			HSK_TF_SACK_RECOVERY | HSK_TF_RTX_HEAD);
	return true;
}

/*
 * Congestion control for an ACK of @acked new octets. Outside fast
 * recovery limited transmit gives its loan back and the window grows. In
 * fast recovery a full ACK, one that covers recover, deflates the window
 * to min(ssthresh, FlightSize + SMSS) (RFC 6582 3.2 step 3, the first
 * choice, which cannot burst) and ends it (RFC 6675 5 (A) too). In
 * NewReno recovery a partial ACK has the next hole resent and deflates
 * the window by what it acknowledged, less one segment for the
 * retransmission; in RFC 6675 recovery the scoreboard and pipe decide.
 *
 * Return: true if the retransmission timer is to be restarted: on every
 * ACK (RFC 6298 5.3) except the NewReno partial ACKs after the first (RFC
 * 6582, "Impatient": a window with many losses falls back to the timeout
 * and go-back-N rather than resending one segment per round trip).
 */
static bool hsk_ack_cc(struct hsk_tcb *tcb, const struct hsk_seg *seg,
		       u32 acked)
{
	u32 mss = hsk_mss_eff(tcb), flight = tcb->snd_nxt - tcb->snd_una;
	bool first;

	tcb->dupacks = 0;
	if (hsk_eifel(tcb, seg, acked))
		return true;
	if (!(tcb->flags & HSK_TF_FAST_RECOVERY)) {
		tcb->cwnd = max_t(u32, tcb->cwnd - min_t(u32, tcb->lt_infl,
							 tcb->cwnd), mss);
		tcb->lt_infl = 0;
		hsk_cwnd_grow(tcb, acked);
		return true;
	}
	if (hsk_seq_geq(tcb->snd_una, tcb->recover)) {
		tcb->cwnd = min_t(u32, tcb->ssthresh,
				  max_t(u32, flight, mss) + mss);
		tcb->flags &= ~(HSK_TF_FAST_RECOVERY | HSK_TF_PARTIAL_ACK |
				HSK_TF_SACK_RECOVERY);
		return true;
	}
	if (tcb->flags & HSK_TF_SACK_RECOVERY)
		return true;
	tcb->cwnd -= min_t(u32, acked, tcb->cwnd);
	if (acked >= mss)
		tcb->cwnd += mss;
	tcb->cwnd = max_t(u32, tcb->cwnd, mss);
	tcb->flags |= HSK_TF_RTX_HEAD;
	first = !(tcb->flags & HSK_TF_PARTIAL_ACK);
	tcb->flags |= HSK_TF_PARTIAL_ACK;
	return first;
}

/*
 * RFC 8985 7.4: the probe and all before it are acknowledged, and no
 * recovery began in between. Either the probe repaired a lost segment on
 * its own, a loss that the congestion window must answer as a fast
 * recovery would (ssthresh halved, cwnd down to it), or the original
 * arrived too and the probe was spurious. Timestamps tell: an ACK caused
 * by the original echoes a TSval older than the probe's (RFC 7323 4.3);
 * the peer then most likely delayed its ACK, which later probes of a
 * single segment allow for. Without timestamps the loss is assumed.
 */
static void hsk_tlp_done(struct hsk_tcb *tcb, const struct hsk_seg *seg)
{
	u32 mss = hsk_mss_eff(tcb);

	tcb->tlp &= ~HSK_TLP_OUT;
	if ((tcb->flags & HSK_TF_TS) && (seg->opts.present & HSK_OPT_TS) &&
	    hsk_seq_before(seg->opts.tsecr, tcb->tlp_tsval)) {
		tcb->tlp |= HSK_TLP_DELACK;
		return;
	}
	tcb->ssthresh = max_t(u32, tcb->cwnd / 2, 2 * mss);
	tcb->cwnd = tcb->ssthresh;
}

/*
 * After the peer acknowledged echoed data the buffer has room again. If
 * the window we advertised had nearly closed, tell the peer now instead of
 * leaving it to its persist timer (the condition Linux uses: the window at
 * least doubles and was at most half open).
 */
static bool hsk_want_window_update(const struct hsk_tcb *tcb)
{
	u32 cur = hsk_rcv_wnd(tcb);
	u32 free = hsk_rcv_free(tcb);
	u32 full = min_t(u32, tcb->rcv_buf, HSK_MAX_WIN << tcb->rcv_wscale);

	if (tcb->mode == HSK_MODE_TARPIT)
		return false;
	return free > cur && free - cur >= hsk_sws_thresh(tcb) &&
	       cur <= full / 2 && free / 2 >= cur;
}

/* ACK processing of a synchronized connection; false if it was dropped. */
static bool hsk_ack_synced(struct hsk_tcb *tcb, u32 now,
			   const struct hsk_seg *seg, struct hsk_actions *act,
			   bool *need_ack)
{
	bool restart, fresh, dup;
	u32 acked, data;

	if (hsk_seq_after(seg->ack, tcb->snd_nxt)) {
		hsk_send_oow_ack(tcb, now, HSK_TX_DUPACK, act);
		act->drop = HSK_DROP_ACK_UNSENT;
		return false;
	}
	if (!hsk_seq_between(seg->ack, tcb->snd_una - tcb->max_snd_wnd,
			     tcb->snd_nxt)) {
		hsk_send_oow_ack(tcb, now, HSK_TX_CHALLENGE, act);
		act->drop = HSK_DROP_ACK_TOO_OLD;
		return false;
	}
	tcb->probes = 0;
	/* An old duplicate ACK is ignored, window included (RFC 9293) */
	if (hsk_seq_before(seg->ack, tcb->snd_una))
		return true;

	if (hsk_seq_after(seg->ack, tcb->snd_una)) {
		acked = seg->ack - tcb->snd_una;
		data = acked;
		if ((tcb->flags & HSK_TF_FIN_SENT) &&
		    hsk_seq_after(seg->ack, tcb->fin_seq))
			data--;
		data = min_t(u32, data, tcb->sndq);
		tcb->sndq -= data;
		act->acked += data;
		tcb->snd_una = seg->ack;
		tcb->rtx_count = 0;
		hsk_ack_rtt(tcb, now, seg);
		hsk_sack_trim(tcb);
		/* RFC 6675: new SACK information makes a duplicate, too */
		fresh = hsk_sack_update(tcb, seg);
		restart = hsk_ack_cc(tcb, seg, acked);
		if ((tcb->flags & HSK_TF_SND_UP) &&
		    hsk_seq_geq(tcb->snd_una, tcb->snd_up))
			tcb->flags &= ~HSK_TF_SND_UP;
		if ((tcb->flags & HSK_TF_RECOVERY) &&
		    hsk_seq_geq(tcb->snd_una, tcb->recover))
			tcb->flags &= ~HSK_TF_RECOVERY;
		/* No recovery is open below SND.UNA: keep recover in reach */
		if (hsk_seq_before(tcb->recover, tcb->snd_una))
			tcb->recover = tcb->snd_una;
		if ((tcb->tlp & HSK_TLP_OUT) &&
		    hsk_seq_geq(tcb->snd_una, tcb->tlp_high))
			hsk_tlp_done(tcb, seg);
		/* RFC 6298 5.2 and 5.3 */
		if (tcb->snd_una == tcb->snd_nxt)
			hsk_timer_cancel(tcb, HSK_TIMER_RTX, act);
		else if (restart)
			hsk_rtx_arm(tcb, now, act);
		tcb->idle_stamp = now;
		act->flags |= HSK_ACT_OUTPUT;
		if (data && hsk_echoing(tcb) && hsk_want_window_update(tcb))
			*need_ack = true;
		dup = fresh;
	} else {
		fresh = hsk_sack_update(tcb, seg);
		dup = fresh || hsk_is_dupack(tcb, seg);
	}
	if (dup)
		hsk_dupack(tcb, now, act);
	if (tcb->flags & HSK_TF_SACK_RECOVERY)
		hsk_sack_cwnd(tcb);
	hsk_wnd_update(tcb, seg, act);
	return true;
}

/* Queued octets count for the receive window only while we echo them. */
static u32 hsk_rcv_room(const struct hsk_tcb *tcb)
{
	u32 wnd = hsk_rcv_wnd(tcb);

	if (tcb->mode == HSK_MODE_TARPIT)
		return 0;
	if (hsk_echoing(tcb))
		return min_t(u32, wnd, tcb->rcv_buf - tcb->sndq);
	return wnd;
}

/*
 * Out-of-order data [start, end), within the window: merge it with the
 * ranges it overlaps or touches and put the result first, as the most
 * recent (RFC 2018 section 4). One pass suffices because the ranges kept
 * are disjoint and not adjacent. Return: false if it would take a range
 * more than there is room for.
 */
static bool hsk_ofo_add(struct hsk_tcb *tcb, u32 start, u32 end)
{
	struct hsk_sack_block keep[HSK_OFO_MAX], *b;
	unsigned int i, n = 0;

	for (i = 0; i < tcb->nofo; i++) {
		b = &tcb->ofo[i];
		if (hsk_seq_after(b->start, end) ||
		    hsk_seq_before(b->end, start)) {
			keep[n++] = *b;
			continue;
		}
		if (hsk_seq_before(b->start, start))
			start = b->start;
		if (hsk_seq_after(b->end, end))
			end = b->end;
	}
	if (n == HSK_OFO_MAX)
		return false;
	tcb->ofo[0].start = start;
	tcb->ofo[0].end = end;
	memcpy(&tcb->ofo[1], keep, n * sizeof(keep[0]));
	tcb->nofo = (u8)(n + 1);
	return true;
}

/*
 * RCV.NXT has moved: ranges it reached are in order now. Return: how far
 * they carried it beyond where it was.
 */
static u32 hsk_ofo_advance(struct hsk_tcb *tcb)
{
	u32 start = tcb->rcv_nxt;
	unsigned int i = 0;

	while (i < tcb->nofo) {
		struct hsk_sack_block *b = &tcb->ofo[i];

		if (hsk_seq_after(b->start, tcb->rcv_nxt)) {
			i++;
			continue;
		}
		if (hsk_seq_after(b->end, tcb->rcv_nxt))
			tcb->rcv_nxt = b->end;
		tcb->nofo--;
		memmove(b, b + 1, (tcb->nofo - i) * sizeof(*b));
		i = 0;	/* the new RCV.NXT may reach a range passed over */
	}
	return tcb->rcv_nxt - start;
}

/*
 * An in-window segment beyond RCV.NXT: keep what fits of it, so that the
 * retransmission of the hole completes the data at once, and report it
 * in SACK blocks. In echo mode the octets go to the buffer at their final
 * place, which the room test keeps within it; otherwise only the range is
 * remembered. Return: true if it was kept.
 */
static bool hsk_rcv_ofo(struct hsk_tcb *tcb, const struct hsk_seg *seg,
			struct hsk_actions *act)
{
	u32 off = seg->seq - tcb->rcv_nxt, room = hsk_rcv_room(tcb), len;

	if (off >= room)
		return false;
	len = min_t(u32, seg->len, room - off);
	if (!hsk_ofo_add(tcb, seg->seq, seg->seq + len))
		return false;
	if (hsk_echoing(tcb)) {
		act->store_off = 0;
		act->store_len = len;
		act->store_at = tcb->sndq + off;
	}
	if (len < seg->len)
		act->drop = HSK_DROP_WINDOW;
	act->cnt[HSK_CNT_OFO_QUEUED]++;
	return true;
}

/**
 * hsk_ofo_renege() - the shell could not keep out-of-order data
 * @tcb: connection
 * @act: the actions of the event that asked for act->store_len octets
 *	to be kept
 *
 * Forgets every out-of-order range, as RFC 2018 section 8 allows, takes
 * the SACK blocks out of the segments the event queued and drops the
 * segment. A shell keeps out-of-order data in the same buffer as its send
 * queue, so it can only fail before it has ever kept any: nothing
 * reported earlier is lost.
 */
void hsk_ofo_renege(struct hsk_tcb *tcb, struct hsk_actions *act)
{
	unsigned int i;

	tcb->nofo = 0;
	for (i = 0; i < act->nsegs; i++) {
		act->segs[i].opts &= ~HSK_OPT_SACK;
		act->segs[i].nsack = 0;
	}
	act->store_len = 0;
	act->drop = HSK_DROP_OOO;
	if (act->cnt[HSK_CNT_OFO_QUEUED])
		act->cnt[HSK_CNT_OFO_QUEUED]--;
}

/*
 * "seventh, process the segment text": take the in-order part that fits,
 * and the out-of-order data it brings in order. Out-of-order data within
 * the window is kept; either way it draws an immediate (duplicate) ACK,
 * with SACK blocks, for the sender's loss recovery.
 * Sets *new_data if octets were taken; any payload is acknowledged.
 * Return: true if all of the payload is now below RCV.NXT, so that a FIN
 * behind it is in order.
 */
static bool hsk_rcv_data(struct hsk_tcb *tcb, u32 now,
			 const struct hsk_seg *seg, struct hsk_actions *act,
			 bool *need_ack, bool *new_data)
{
	u32 skip, avail, take, urg, adv, start = tcb->rcv_nxt;

	*need_ack = true;
	if (hsk_seq_after(seg->seq, tcb->rcv_nxt)) {
		if (!hsk_rcv_ofo(tcb, seg, act))
			act->drop = HSK_DROP_OOO;
		return false;
	}
	skip = tcb->rcv_nxt - seg->seq;
	if (skip >= seg->len)
		return true;
	avail = seg->len - skip;
	take = min_t(u32, avail, hsk_rcv_room(tcb));
	if (take) {
		*new_data = true;
		tcb->rcv_nxt += take;
		adv = take + hsk_ofo_advance(tcb);
		if ((tcb->flags & HSK_TF_RCV_UP) &&
		    hsk_seq_after(tcb->rcv_up, start)) {
			urg = min_t(u32, adv, tcb->rcv_up - start);
			act->cnt[HSK_CNT_URG_BYTES] += urg;
		}
		if (hsk_echoing(tcb)) {
			act->deliver_off = skip;
			act->deliver_len = take;
			act->deliver_at = tcb->sndq;
			tcb->sndq += adv;
			act->flags |= HSK_ACT_OUTPUT;
			/*
			 * The echo is the same octet stream shifted from the
			 * peer's sequence space into ours, so the urgent
			 * mark moves along: it covers the urgent octets
			 * queued so far.
			 */
			if ((tcb->flags & HSK_TF_RCV_UP) &&
			    hsk_seq_after(tcb->rcv_up, start)) {
				urg = start + min_t(u32, adv,
						    tcb->rcv_up - start);
				tcb->snd_up = urg - tcb->irs + tcb->iss;
				tcb->flags |= HSK_TF_SND_UP;
			}
		}
		act->cnt[HSK_CNT_RX_BYTES] += adv;
		tcb->idle_stamp = now;
	}
	if (take < avail) {
		act->drop = HSK_DROP_WINDOW;
		return false;
	}
	return true;
}

/* "eighth, check the FIN bit", for a FIN that is in order */
static void hsk_rcv_fin(struct hsk_tcb *tcb, u32 now, struct hsk_actions *act)
{
	tcb->rcv_nxt++;
	/* Nothing can follow the FIN: what a broken peer sent beyond it goes */
	tcb->nofo = 0;
	switch (tcb->state) {
	case HSK_STATE_ESTABLISHED:
		hsk_set_state(tcb, HSK_STATE_CLOSE_WAIT, act);
		/* Every mode's "application" closes once the peer has */
		tcb->flags |= HSK_TF_CLOSE_REQ;
		act->flags |= HSK_ACT_OUTPUT;
		break;
	case HSK_STATE_FIN_WAIT_1:
		/* Our FIN is unacknowledged, or we would be in FIN-WAIT-2 */
		hsk_set_state(tcb, HSK_STATE_CLOSING, act);
		break;
	case HSK_STATE_FIN_WAIT_2:
		hsk_enter_time_wait(tcb, now, act);
		break;
	default:
		break;
	}
}

/*
 * Checks that come before the sequence number test: the duplicate SYN of
 * a peer that lost our SYN-ACK, the timestamp rules and RST. Return: true
 * if the segment was consumed.
 */
static bool hsk_input_early(struct hsk_tcb *tcb, u32 now,
			    const struct hsk_seg *seg, struct hsk_actions *act)
{
	const struct hsk_opts *o = &seg->opts;
	u8 f = seg->flags;
	bool ts_fresh;
	u32 wnd;

	if (tcb->state == HSK_STATE_SYN_RECEIVED &&
	    (f & (HSK_TCP_SYN | HSK_TCP_RST | HSK_TCP_ACK)) == HSK_TCP_SYN &&
	    seg->seq == tcb->irs) {
		if ((tcb->flags & HSK_TF_TS) && (o->present & HSK_OPT_TS) &&
		    hsk_seq_geq(o->tsval, tcb->ts_recent)) {
			tcb->ts_recent = o->tsval;
			tcb->ts_recent_stamp = now;
		}
		if (hsk_oow_allow(tcb, now, act)) {
			hsk_send_synack(tcb, now, act);
			act->cnt[HSK_CNT_SYNACK_RETRANS]++;
		}
		act->drop = HSK_DROP_DUP_SYN;
		return true;
	}

	if ((tcb->flags & HSK_TF_TS) && !(f & HSK_TCP_RST)) {
		/* RFC 7323 3.2: SHOULD drop silently, MUST NOT abort */
		if (!(o->present & HSK_OPT_TS)) {
			act->drop = HSK_DROP_NO_TS;
			return true;
		}
		/* RFC 7323 5.3 R1, with the 24 day rule of 5.5 */
		ts_fresh = now - tcb->ts_recent_stamp < HSK_PAWS_IDLE_MS;
		if (ts_fresh && hsk_seq_before(o->tsval, tcb->ts_recent)) {
			hsk_reject_ack(tcb, now, seg, act);
			act->drop = HSK_DROP_PAWS;
			return true;
		}
	}

	if (f & HSK_TCP_RST) {
		/* RFC 5961 3.2: only the exact RCV.NXT resets */
		wnd = max_t(u32, hsk_rcv_wnd(tcb), 1);
		if (!hsk_seq_in_window(seg->seq, tcb->rcv_nxt, wnd)) {
			act->drop = HSK_DROP_RST_OUT_OF_WINDOW;
		} else if (seg->seq != tcb->rcv_nxt) {
			hsk_send_oow_ack(tcb, now, HSK_TX_CHALLENGE, act);
			act->drop = HSK_DROP_RST_CHALLENGE;
		} else {
			/* In SYN-RECEIVED: back to LISTEN, i.e. forget it */
			act->cnt[HSK_CNT_RESET_RX]++;
			hsk_set_state(tcb, HSK_STATE_CLOSED, act);
		}
		return true;
	}
	return false;
}

/**
 * hsk_input() - a segment for an existing connection
 * @tcb: connection (any state; CLOSED drops)
 * @now: current time
 * @seg: the segment, checksum verified, parsed by hsk_parse_header()
 * @act: action list
 *
 * RFC 9293 3.10.7.4 in its order, with RFC 5961 (RST, SYN and ACK
 * checks, challenge ACKs) and RFC 7323 (PAWS, TS.Recent) folded in.
 * Beyond the RFC text: a retransmitted SYN in SYN-RECEIVED gets the
 * SYN-ACK again; when the receive window is zero a segment at RCV.NXT
 * still has its ACK, URG, RST and FIN processed (the "special allowance"
 * of 3.10.7.4), its data is dropped and acknowledged, which answers
 * zero window probes; in TIME-WAIT a retransmitted FIN is acknowledged
 * and restarts the 2 MSL timer.
 */
void hsk_input(struct hsk_tcb *tcb, u32 now, const struct hsk_seg *seg,
	       struct hsk_actions *act)
{
	const struct hsk_opts *o = &seg->opts;
	bool need_ack = false, new_data = false, in_order = true;
	bool acceptable, probe;
	enum hsk_tx_kind kind;
	u8 f = seg->flags;

	if (tcb->state < HSK_STATE_SYN_RECEIVED ||
	    tcb->state >= HSK_STATE_MAX) {
		act->drop = HSK_DROP_CLOSED;
		return;
	}
	if (hsk_input_early(tcb, now, seg, act))
		return;

	acceptable = hsk_seq_ok(tcb, seg);
	probe = !acceptable && hsk_probe_acks(tcb, seg);
	if (!acceptable && !probe &&
	    !(hsk_rcv_wnd(tcb) == 0 && seg->seq == tcb->rcv_nxt)) {
		act->drop = HSK_DROP_NOT_ACCEPTABLE;
		if ((f & HSK_TCP_SYN) && hsk_synchronized(tcb)) {
			hsk_send_oow_ack(tcb, now, HSK_TX_CHALLENGE, act);
			act->drop = HSK_DROP_SYN_CHALLENGE;
		} else if (tcb->state == HSK_STATE_TIME_WAIT &&
			   (f & HSK_TCP_FIN) &&
			   seg->seq + seg->len + 1 == tcb->rcv_nxt) {
			hsk_send_ack(tcb, now, HSK_TX_DUPACK, act);
			hsk_enter_time_wait(tcb, now, act);
			act->drop = HSK_DROP_NONE;
		} else {
			hsk_reject_ack(tcb, now, seg, act);
		}
		return;
	}

	if (f & HSK_TCP_SYN) {
		if (tcb->state == HSK_STATE_SYN_RECEIVED) {
			/* RFC 9293: a passive open returns to LISTEN */
			act->drop = HSK_DROP_SYN_RESET;
			hsk_set_state(tcb, HSK_STATE_CLOSED, act);
		} else {
			hsk_send_oow_ack(tcb, now, HSK_TX_CHALLENGE, act);
			act->drop = HSK_DROP_SYN_CHALLENGE;
		}
		return;
	}
	if (!(f & HSK_TCP_ACK)) {
		act->drop = HSK_DROP_NO_ACK;
		return;
	}

	if (tcb->state == HSK_STATE_SYN_RECEIVED) {
		if (!hsk_seq_after(seg->ack, tcb->snd_una) ||
		    hsk_seq_after(seg->ack, tcb->snd_nxt)) {
			hsk_send_rst(seg->ack, act);
			act->drop = HSK_DROP_BAD_ACK;
			return;
		}
		hsk_establish(tcb, now, seg, act);
	} else {
		if (!hsk_ack_synced(tcb, now, seg, act, &need_ack))
			return;
		if (hsk_fin_acked(tcb)) {
			switch (tcb->state) {
			case HSK_STATE_FIN_WAIT_1:
				hsk_set_state(tcb, HSK_STATE_FIN_WAIT_2, act);
				break;
			case HSK_STATE_CLOSING:
				hsk_enter_time_wait(tcb, now, act);
				break;
			case HSK_STATE_LAST_ACK:
				hsk_set_state(tcb, HSK_STATE_CLOSED, act);
				return;
			default:
				break;
			}
		}
	}

	/* RFC 7323 4.3 R3: only from segments that passed every check */
	if ((tcb->flags & HSK_TF_TS) && (o->present & HSK_OPT_TS) &&
	    hsk_seq_leq(seg->seq, tcb->last_ack_sent) &&
	    (hsk_seq_geq(o->tsval, tcb->ts_recent) ||
	     now - tcb->ts_recent_stamp >= HSK_PAWS_IDLE_MS)) {
		tcb->ts_recent = o->tsval;
		tcb->ts_recent_stamp = now;
	}

	/* "sixth": RCV.UP only moves forward; data stays in line */
	if ((f & HSK_TCP_URG) && seg->urp && hsk_rcv_open(tcb) &&
	    (!(tcb->flags & HSK_TF_RCV_UP) ||
	     hsk_seq_after(seg->seq + seg->urp, tcb->rcv_up))) {
		tcb->rcv_up = seg->seq + seg->urp;
		tcb->flags |= HSK_TF_RCV_UP;
	}

	if (seg->len && hsk_rcv_open(tcb))
		in_order = hsk_rcv_data(tcb, now, seg, act, &need_ack,
					&new_data);

	if ((f & HSK_TCP_FIN) && in_order &&
	    seg->seq + seg->len == tcb->rcv_nxt) {
		if (hsk_rcv_open(tcb)) {
			hsk_rcv_fin(tcb, now, act);
			new_data = true;
			need_ack = true;
		} else if (tcb->state == HSK_STATE_TIME_WAIT) {
			hsk_enter_time_wait(tcb, now, act);
			need_ack = true;
		}
	}

	if (!need_ack && !probe)
		return;
	/*
	 * Payload that moved nothing (old, out of order, no room) draws a
	 * true duplicate ACK, which hsk_output() must not turn into a data
	 * segment: the sender's fast retransmit counts those.
	 */
	kind = HSK_TX_ACK;
	if (seg->len && !new_data)
		kind = HSK_TX_DUPACK;
	hsk_send_ack(tcb, now, kind, act);
}
