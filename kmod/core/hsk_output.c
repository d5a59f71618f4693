// SPDX-License-Identifier: GPL-2.0
/*
 * hsk TCP core: sending from the echo queue, our FIN, retransmission
 * (RFC 6298, RFC 5681, RFC 6582, RFC 6675), zero window probing and timer
 * expiry.
 */
#include "hsk_internal.h"

/* States in which our FIN has not been sent yet, so new data may go out. */
static bool hsk_snd_open(const struct hsk_tcb *tcb)
{
	return tcb->state == HSK_STATE_ESTABLISHED ||
	       tcb->state == HSK_STATE_CLOSE_WAIT;
}

/* States that may have data or a FIN in flight. */
static bool hsk_snd_busy(const struct hsk_tcb *tcb)
{
	return hsk_snd_open(tcb) || tcb->state == HSK_STATE_FIN_WAIT_1 ||
	       tcb->state == HSK_STATE_CLOSING ||
	       tcb->state == HSK_STATE_LAST_ACK;
}

/*
 * A slot for a segment that carries an acknowledgment anyway: it replaces
 * a pure ACK queued by the same event, which would say nothing more.
 */
static struct hsk_tx *hsk_tx_alloc_piggyback(struct hsk_actions *act)
{
	struct hsk_tx *tx;

	if (act->nsegs && act->segs[act->nsegs - 1].kind == HSK_TX_ACK) {
		tx = &act->segs[act->nsegs - 1];
		memset(tx, 0, sizeof(*tx));
		return tx;
	}
	return hsk_tx_alloc(act);
}

/* Doubling that saturates at the configured maximum instead of wrapping. */
static u32 hsk_backoff(const struct hsk_tcb *tcb, u32 base, unsigned int n)
{
	u32 v = hsk_rto_clamp(tcb, base);

	while (n-- && v < tcb->cfg.rto_max_ms)
		v = hsk_rto_clamp(tcb, v > U32_MAX / 2 ? U32_MAX : v * 2);
	return v;
}

/*
 * Fill a segment carrying [seq, seq + len) of the queue and maybe our FIN.
 * PSH marks the end of what is queued (RFC 9293 3.9.1.2: the data the
 * "application" handed over so far). URG stays on until the peer has
 * acknowledged the urgent octets; the pointer is capped at 0xffff and
 * then pulled along by later segments (RFC 6093).
 */
static void hsk_tx_fill(struct hsk_tcb *tcb, u32 now, struct hsk_tx *tx,
			u32 seq, u32 len, bool fin)
{
	tx->seq = seq;
	tx->data_off = seq - tcb->snd_una;
	tx->data_len = len;
	if (fin)
		tx->flags |= HSK_TCP_FIN;
	if (len && seq + len == tcb->snd_una + tcb->sndq)
		tx->flags |= HSK_TCP_PSH;
	if ((tcb->flags & HSK_TF_SND_UP) && hsk_seq_before(seq, tcb->snd_up)) {
		tx->flags |= HSK_TCP_URG;
		tx->urp = (u16)min_t(u32, tcb->snd_up - seq, 0xffff);
	}
	hsk_tx_set_ack(tcb, now, tx);
}

/* Our FIN takes the next sequence number; the state follows it. */
static void hsk_fin_sent(struct hsk_tcb *tcb, struct hsk_actions *act)
{
	tcb->fin_seq = tcb->snd_nxt;
	tcb->snd_nxt++;
	tcb->flags |= HSK_TF_FIN_SENT;
	if (tcb->state == HSK_STATE_ESTABLISHED)
		hsk_set_state(tcb, HSK_STATE_FIN_WAIT_1, act);
	else
		hsk_set_state(tcb, HSK_STATE_LAST_ACK, act);
}

/*
 * Resend from @seq (inside [SND.UNA, SND.NXT)) one segment's worth, but
 * no more than @max octets of sequence space (the hole it fills; our FIN
 * counts as one). Karn: a round trip measurement running across a
 * retransmission could end with the ACK of either copy, so it is
 * abandoned (timestamps need no such care).
 */
static int hsk_retransmit(struct hsk_tcb *tcb, u32 now, u32 seq, u32 max,
			  struct hsk_actions *act)
{
	u32 end = hsk_data_end(tcb), len = 0;
	struct hsk_tx *tx;
	bool fin;

	if (hsk_seq_before(seq, end))
		len = min_t(u32, min_t(u32, end - seq, hsk_mss_eff(tcb)), max);
	fin = (tcb->flags & HSK_TF_FIN_SENT) && seq + len == tcb->fin_seq &&
	      len < max;
	if (!len && !fin)
		return 0;
	tx = hsk_tx_alloc_piggyback(act);
	if (!tx)
		return 0;
	tx->kind = HSK_TX_RETRANS;
	hsk_tx_fill(tcb, now, tx, seq, len, fin);
	act->cnt[HSK_CNT_RETRANS]++;
	tcb->rtx_nxt = seq + len + fin;
	tcb->rtx_mark = tcb->snd_nxt;
	tcb->flags &= ~HSK_TF_RTT_TIMING;
	return 1;
}

/*
 * RFC 8985 7.2: a tail loss probe is scheduled when data is in flight, no
 * loss recovery is under way, no earlier probe is unanswered and a round
 * trip has been measured. It needs SACK, which turns the peer's answer to
 * the probe into a fast recovery instead of a lone duplicate ACK.
 */
static bool hsk_tlp_ok(const struct hsk_tcb *tcb)
{
	return (tcb->flags & HSK_TF_SACK_OK) &&
	       (tcb->flags & HSK_TF_RTT_VALID) &&
	       !(tcb->flags & (HSK_TF_RECOVERY | HSK_TF_FAST_RECOVERY)) &&
	       !(tcb->tlp & HSK_TLP_OUT) && !tcb->rtx_count &&
	       tcb->snd_nxt != tcb->snd_una;
}

/**
 * hsk_rtx_arm() - (re)start the retransmission timer for data in flight
 * @tcb: connection
 * @now: current time
 * @act: action list
 *
 * RFC 6298 5.1 and 5.3. Where a tail loss probe may go out (RFC 8985
 * 7.2) the timer first fires after the probe timeout, two smoothed round
 * trips, if that comes before the RTO: a lost last segment of a flight
 * draws no duplicate ACK, and without the probe costs a whole RTO, its
 * backoff and a congestion window of one segment. The ACK of a single
 * segment in flight may be delayed by the peer (RFC 8985 WCDelAckT): the
 * timeout allows for that unless timestamps are there to tell a spurious
 * probe and none has been so far; many peers acknowledge at once, and
 * waiting for a delayed ACK that never comes would make the probe no
 * faster than the RTO on a path with a short round trip.
 */
void hsk_rtx_arm(struct hsk_tcb *tcb, u32 now, struct hsk_actions *act)
{
	u32 when = tcb->rto, pto;

	tcb->tlp &= ~HSK_TLP_ARMED;
	if (hsk_tlp_ok(tcb)) {
		pto = max_t(u32, tcb->srtt8 >> 2, HSK_TLP_MIN_MS);
		if (tcb->snd_nxt - tcb->snd_una <= hsk_mss_eff(tcb) &&
		    ((tcb->tlp & HSK_TLP_DELACK) || !(tcb->flags & HSK_TF_TS)))
			pto += HSK_TLP_DELACK_MS;
		if (pto < when) {
			when = pto;
			tcb->tlp |= HSK_TLP_ARMED;
		}
	}
	hsk_timer_arm(tcb, HSK_TIMER_RTX, now + when, act);
}

/*
 * RFC 8985 7.3: the probe timeout expired. Resend the last segment in
 * flight (new data would have gone out already if the windows allowed
 * it), so that the peer's ACK, with SACK blocks if anything before it is
 * missing, starts the recovery that a lost tail could not. The RTO
 * follows if even that goes unanswered.
 */
static void hsk_tlp_probe(struct hsk_tcb *tcb, u32 now,
			  struct hsk_actions *act)
{
	u32 end = hsk_data_end(tcb), seq;

	seq = end - min_t(u32, end - tcb->snd_una, hsk_mss_eff(tcb));
	if (hsk_retransmit(tcb, now, seq, tcb->snd_nxt - seq, act)) {
		tcb->tlp |= HSK_TLP_OUT;
		tcb->tlp_high = tcb->snd_nxt;
		tcb->tlp_tsval = hsk_tsval(tcb, now);
	}
	hsk_rtx_arm(tcb, now, act);
}

/*
 * New data within the peer's window and @room more octets of flight, or
 * our FIN. @force skips sender side silly window avoidance (its "override
 * timeout" is the persist timer).
 */
static int hsk_send_new(struct hsk_tcb *tcb, u32 now, bool force, u32 room,
			struct hsk_actions *act)
{
	u32 mss = hsk_mss_eff(tcb), unsent, usable, len;
	struct hsk_tx *tx;
	bool fin;

	if (!hsk_snd_open(tcb) || (tcb->flags & HSK_TF_FIN_SENT))
		return 0;

	unsent = hsk_unsent(tcb);
	if (!unsent) {
		if (!(tcb->flags & HSK_TF_CLOSE_REQ))
			return 0;
		/* A FIN needs no buffer at the peer: send it in any window */
		tx = hsk_tx_alloc_piggyback(act);
		if (!tx)
			return 0;
		tx->kind = HSK_TX_DATA;
		hsk_tx_fill(tcb, now, tx, tcb->snd_nxt, 0, true);
		hsk_fin_sent(tcb, act);
		goto sent;
	}

	usable = 0;
	if (hsk_seq_after(tcb->snd_una + tcb->snd_wnd, tcb->snd_nxt))
		usable = tcb->snd_una + tcb->snd_wnd - tcb->snd_nxt;
	len = min_t(u32, min_t(u32, unsent, mss), min_t(u32, usable, room));
	if (!len)
		return 0;
	/* RFC 9293 3.8.6.2.1: full segment, all we have, or half a window */
	if (!force && len < mss && len < unsent &&
	    len < tcb->max_snd_wnd / 2)
		return 0;

	tx = hsk_tx_alloc_piggyback(act);
	if (!tx)
		return 0;
	fin = (tcb->flags & HSK_TF_CLOSE_REQ) && len == unsent;
	tx->kind = HSK_TX_DATA;
	hsk_tx_fill(tcb, now, tx, tcb->snd_nxt, len, fin);
	tcb->snd_nxt += len;
	act->cnt[HSK_CNT_TX_BYTES] += len;
	if (fin)
		hsk_fin_sent(tcb, act);
	/* Karn: time one segment at a time; timestamps time all of them */
	if (!(tcb->flags & (HSK_TF_RTT_TIMING | HSK_TF_TS))) {
		tcb->flags |= HSK_TF_RTT_TIMING;
		tcb->rtt_seq = tcb->snd_nxt;
		tcb->rtt_start = now;
	}
sent:
	/* RFC 6298 5.1; a probe timeout counts from the last segment sent */
	if (!(tcb->timers & BIT(HSK_TIMER_RTX)) || (tcb->tlp & HSK_TLP_ARMED))
		hsk_rtx_arm(tcb, now, act);
	return 1;
}

/*
 * RFC 6675 5 (C): while pipe leaves a segment of the congestion window
 * (ssthresh during the recovery), send what NextSeg() picks: (1) a lost
 * hole, (2) new data, (3) a hole below the highest SACKed octet, (4) once
 * per recovery, a rescue of the highest outstanding octet. Holes are
 * resent in order from HighRxt (tcb->rtx_nxt) up; a rescue leaves it.
 */
static int hsk_sack_output(struct hsk_tcb *tcb, u32 now,
			   struct hsk_actions *act)
{
	u32 mss = hsk_mss_eff(tcb), flight = tcb->snd_nxt - tcb->snd_una;
	u32 pipe = hsk_sack_pipe(tcb, tcb->rtx_nxt), room, seq, len, high;
	int n;

	if (hsk_sack_lost_rtx(tcb)) {
		/* resent holes are holes again, and out of pipe */
		tcb->rtx_nxt = tcb->snd_una;
		tcb->rtx_mark = tcb->snd_nxt;
		pipe = hsk_sack_pipe(tcb, tcb->rtx_nxt);
	}
	if (pipe >= tcb->ssthresh || tcb->ssthresh - pipe < mss)
		return 0;
	if (hsk_sack_next_rtx(tcb, true, &seq, &len))
		return hsk_retransmit(tcb, now, seq, len, act);
	room = min_t(u32, tcb->cwnd > flight ? tcb->cwnd - flight : 0,
		     tcb->ssthresh - pipe);
	n = hsk_send_new(tcb, now, false, room, act);
	if (n || (act->flags & HSK_ACT_MORE))
		return n;
	if (hsk_sack_next_rtx(tcb, false, &seq, &len))
		return hsk_retransmit(tcb, now, seq, len, act);
	if (!hsk_seq_after(tcb->snd_una, tcb->rescue_rxt) ||
	    !hsk_sack_rescue(tcb, &seq, &len))
		return 0;
	high = tcb->rtx_nxt;
	n = hsk_retransmit(tcb, now, seq, len, act);
	tcb->rtx_nxt = high;
	if (n)
		tcb->rescue_rxt = tcb->recover;
	return n;
}

/*
 * One segment: first a fast retransmission (RFC 5681 3.2 step 3, RFC 6582
 * partial ACK), which is sent whatever the congestion window says, or the
 * rest of an RTO recovery (go-back-N over what the peer has not SACKed);
 * then what RFC 6675 recovery picks, or new data within the peer's window
 * and the congestion window, then our FIN. @force skips sender side silly
 * window avoidance.
 */
static int hsk_output_one(struct hsk_tcb *tcb, u32 now, bool force,
			  struct hsk_actions *act)
{
	u32 flight = tcb->snd_nxt - tcb->snd_una, seq, len;

	if (tcb->flags & HSK_TF_RTX_HEAD) {
		seq = hsk_sack_hole(tcb, tcb->snd_una, &len);
		if (hsk_retransmit(tcb, now, seq, len, act)) {
			tcb->flags &= ~HSK_TF_RTX_HEAD;
			/* RFC 6675 5 (4.3): no rescue before this is ACKed */
			tcb->rescue_rxt = tcb->rtx_nxt;
			return 1;
		}
		if (act->flags & HSK_ACT_MORE)
			return 0;	/* no slot: on the next call */
		tcb->flags &= ~HSK_TF_RTX_HEAD;	/* nothing left to resend */
	}
	if (tcb->flags & HSK_TF_RECOVERY) {
		if (hsk_seq_before(tcb->rtx_nxt, tcb->snd_una))
			tcb->rtx_nxt = tcb->snd_una;
		tcb->rtx_nxt = hsk_sack_hole(tcb, tcb->rtx_nxt, &len);
		if (hsk_seq_geq(tcb->rtx_nxt, tcb->recover)) {
			tcb->flags &= ~HSK_TF_RECOVERY;
		} else {
			/* Go-back-N: what is resent is all that is in flight */
			if (tcb->rtx_nxt - tcb->snd_una -
			    hsk_sack_sacked_below(tcb, tcb->rtx_nxt) >=
			    tcb->cwnd)
				return 0;
			return hsk_retransmit(tcb, now, tcb->rtx_nxt, len, act);
		}
	}
	if (tcb->flags & HSK_TF_SACK_RECOVERY)
		return hsk_sack_output(tcb, now, act);
	return hsk_send_new(tcb, now, force,
			    tcb->cwnd > flight ? tcb->cwnd - flight : 0, act);
}

/**
 * hsk_output() - send what the queue, the windows and the state allow
 * @tcb: connection
 * @now: current time
 * @act: action list; segments are appended, a pure ACK that the same
 *	event queued last is replaced by the first data segment
 *
 * Call after every other core call (see hsk_core.h). Stops when the
 * segment list is full and sets HSK_ACT_MORE: the shell transmits, empties
 * the list and calls again. Arms the persist timer when data waits for a
 * window that is closed (or too small to be worth using) with nothing in
 * flight to bring an ACK.
 *
 * Return: number of segments appended.
 */
int hsk_output(struct hsk_tcb *tcb, u32 now, struct hsk_actions *act)
{
	int n = 0;

	if (!hsk_snd_busy(tcb))
		return 0;
	while (hsk_output_one(tcb, now, false, act) > 0)
		n++;
	if (hsk_snd_open(tcb) && tcb->snd_una == tcb->snd_nxt &&
	    hsk_unsent(tcb) &&
	    !(tcb->timers & (BIT(HSK_TIMER_RTX) | BIT(HSK_TIMER_PERSIST))))
		hsk_timer_arm(tcb, HSK_TIMER_PERSIST,
			      now + hsk_backoff(tcb, tcb->rto,
						tcb->persist_backoff), act);
	return n;
}

/* RFC 6298 5.4-5.7 for the SYN-ACK; RFC 9293 R2 with synack_retries. */
static void hsk_rtx_synack(struct hsk_tcb *tcb, u32 now,
			   struct hsk_actions *act)
{
	if (tcb->rtx_count >= tcb->cfg.synack_retries) {
		act->cnt[HSK_CNT_SYNACK_TIMEOUT]++;
		hsk_set_state(tcb, HSK_STATE_CLOSED, act);
		return;
	}
	tcb->rtx_count++;
	tcb->flags |= HSK_TF_SYNACK_RTX;
	tcb->flags &= ~HSK_TF_RTT_TIMING;
	hsk_send_synack(tcb, now, act);
	act->cnt[HSK_CNT_SYNACK_RETRANS]++;
	tcb->rto = hsk_backoff(tcb, tcb->rto, 1);
	hsk_timer_arm(tcb, HSK_TIMER_RTX, now + tcb->rto, act);
}

/*
 * RFC 6298 5.4-5.6 and RFC 5681 3.1 (equation 4, loss window). A timeout
 * ends fast recovery and moves recover up to SND.NXT (RFC 6582 3.2 step
 * 4), so that the duplicate ACKs which resent data draws from the peer
 * cannot start a fast retransmit (step 2).
 */
static void hsk_rtx_data(struct hsk_tcb *tcb, u32 now,
			 struct hsk_actions *act)
{
	u32 mss = hsk_mss_eff(tcb), flight = tcb->snd_nxt - tcb->snd_una;
	u32 ssthresh, seq, len;

	if (!flight)
		return;
	if (tcb->rtx_count >= tcb->cfg.retries) {
		act->cnt[HSK_CNT_RTO_TIMEOUT]++;
		hsk_abort(tcb, act);
		return;
	}
	/*
	 * Repeated timeouts of the same data keep ssthresh (RFC 5681). So
	 * does a timeout in fast recovery, where the loss was answered
	 * already, unless equation 4 asks for less. The SACK scoreboard
	 * spares the resending of what the peer holds; should the peer have
	 * dropped it after all (RFC 2018 section 8), the next timeout finds
	 * the scoreboard cleared.
	 */
	if (!tcb->rtx_count) {
		ssthresh = max_t(u32, flight / 2, 2 * mss);
		if (tcb->flags & HSK_TF_FAST_RECOVERY)
			ssthresh = min_t(u32, ssthresh, tcb->ssthresh);
		tcb->ssthresh = ssthresh;
	} else {
		tcb->nsacked = 0;
	}
	tcb->cwnd = mss;
	tcb->lt_infl = 0;
	tcb->dupacks = 0;
	tcb->undo_ssthresh = 0;
	tcb->tlp &= HSK_TLP_DELACK;
	tcb->rtx_count++;
	tcb->rto = hsk_backoff(tcb, tcb->rto, 1);
	tcb->flags &= ~(HSK_TF_RTT_TIMING | HSK_TF_FAST_RECOVERY |
			HSK_TF_PARTIAL_ACK | HSK_TF_RTX_HEAD |
			HSK_TF_SACK_RECOVERY);
	tcb->flags |= HSK_TF_RECOVERY;
	tcb->recover = tcb->snd_nxt;
	seq = hsk_sack_hole(tcb, tcb->snd_una, &len);
	hsk_retransmit(tcb, now, seq, len, act);
	hsk_timer_arm(tcb, HSK_TIMER_RTX, now + tcb->rto, act);
}

/*
 * RFC 9293 3.8.6.1 and RFC 1122 4.2.2.17: keep probing a zero window for
 * as long as the peer answers. The probe is a zero-length segment one
 * below SND.UNA, which any receiver must answer with an ACK carrying its
 * current window, without our sequence space moving.
 */
static void hsk_persist(struct hsk_tcb *tcb, u32 now, struct hsk_actions *act)
{
	struct hsk_tx *tx;

	if (!hsk_snd_open(tcb) || tcb->snd_una != tcb->snd_nxt ||
	    !hsk_unsent(tcb))
		return;
	if (tcb->probes >= tcb->cfg.retries) {
		act->cnt[HSK_CNT_RTO_TIMEOUT]++;
		hsk_abort(tcb, act);
		return;
	}
	if (tcb->snd_wnd) {
		/* A window too small for silly window avoidance: use it */
		hsk_output_one(tcb, now, true, act);
		return;
	}
	tx = hsk_tx_alloc(act);
	if (!tx)
		return;
	tx->kind = HSK_TX_PROBE;
	tx->seq = tcb->snd_una - 1;
	hsk_tx_set_ack(tcb, now, tx);
	act->cnt[HSK_CNT_PERSIST_PROBE]++;
	tcb->probes++;
	if (tcb->persist_backoff < 31)
		tcb->persist_backoff++;
	hsk_timer_arm(tcb, HSK_TIMER_PERSIST,
		      now + hsk_backoff(tcb, tcb->rto, tcb->persist_backoff),
		      act);
}

/*
 * No progress for idle_ms: close gracefully; if even that makes no
 * progress for another idle_ms (peer gone, or holding a zero window),
 * abort.
 */
static void hsk_idle(struct hsk_tcb *tcb, u32 now, struct hsk_actions *act)
{
	u32 due = tcb->idle_stamp + tcb->cfg.idle_ms;

	if (!tcb->cfg.idle_ms)
		return;
	if (hsk_time_before(now, due)) {
		hsk_timer_arm(tcb, HSK_TIMER_IDLE, due, act);
		return;
	}
	act->cnt[HSK_CNT_IDLE_TIMEOUT]++;
	if (hsk_snd_open(tcb) && !(tcb->flags & HSK_TF_CLOSE_REQ)) {
		hsk_close(tcb, act);
		tcb->idle_stamp = now;
		hsk_timer_arm(tcb, HSK_TIMER_IDLE, now + tcb->cfg.idle_ms, act);
		return;
	}
	hsk_abort(tcb, act);
}

/**
 * hsk_timeout() - a timer expired
 * @tcb: connection
 * @timer: which timer
 * @now: current time
 * @act: action list
 *
 * An expiry that lost a race with a cancel is ignored, one that lost a
 * race with a re-arm (or a multiplexed timer that is not due) is re-armed
 * for the recorded deadline; the shell need not prevent either. The idle
 * timer is armed once and pushed forward lazily here, so progress never
 * costs a timer operation.
 */
void hsk_timeout(struct hsk_tcb *tcb, enum hsk_timer timer, u32 now,
		 struct hsk_actions *act)
{
	if ((unsigned int)timer >= HSK_TIMER_MAX ||
	    !(tcb->timers & BIT(timer)))
		return;
	if (hsk_time_before(now, tcb->timer_expires[timer])) {
		hsk_timer_arm(tcb, timer, tcb->timer_expires[timer], act);
		return;
	}
	tcb->timers &= ~BIT(timer);

	switch (timer) {
	case HSK_TIMER_RTX:
		if (tcb->state == HSK_STATE_SYN_RECEIVED) {
			hsk_rtx_synack(tcb, now, act);
		} else if (!hsk_snd_busy(tcb)) {
			break;
		} else if (tcb->tlp & HSK_TLP_ARMED) {
			/* A recovery begun since then brings its own repair */
			tcb->tlp &= ~HSK_TLP_ARMED;
			if (hsk_tlp_ok(tcb))
				hsk_tlp_probe(tcb, now, act);
			else if (tcb->snd_nxt != tcb->snd_una)
				hsk_rtx_arm(tcb, now, act);
		} else {
			hsk_rtx_data(tcb, now, act);
		}
		break;
	case HSK_TIMER_PERSIST:
		hsk_persist(tcb, now, act);
		break;
	case HSK_TIMER_TIMEWAIT:
		if (tcb->state == HSK_STATE_TIME_WAIT)
			hsk_set_state(tcb, HSK_STATE_CLOSED, act);
		break;
	case HSK_TIMER_IDLE:
		hsk_idle(tcb, now, act);
		break;
	default:
		break;
	}
}
