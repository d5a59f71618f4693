// SPDX-License-Identifier: GPL-2.0
/*
 * hsk TCP core: connection state, timers, RTO, the receive window, control
 * segments and the user commands CLOSE and ABORT.
 */
#include "hsk_internal.h"

static const char * const hsk_state_names[HSK_STATE_MAX] = {
	[HSK_STATE_CLOSED]		= "CLOSED",
	[HSK_STATE_LISTEN]		= "LISTEN",
	[HSK_STATE_SYN_RECEIVED]	= "SYN-RECEIVED",
	[HSK_STATE_ESTABLISHED]		= "ESTABLISHED",
	[HSK_STATE_FIN_WAIT_1]		= "FIN-WAIT-1",
	[HSK_STATE_FIN_WAIT_2]		= "FIN-WAIT-2",
	[HSK_STATE_CLOSE_WAIT]		= "CLOSE-WAIT",
	[HSK_STATE_CLOSING]		= "CLOSING",
	[HSK_STATE_LAST_ACK]		= "LAST-ACK",
	[HSK_STATE_TIME_WAIT]		= "TIME-WAIT",
};

/**
 * hsk_cfg_init() - fill in the default tunables
 * @cfg: configuration to initialise
 *
 * RTO bounds follow RFC 6298 (1 s floor, which RFC 6298 2.4 requires; the
 * shell may lower it as Linux does with 200 ms), TIME-WAIT is Linux's 60 s
 * rather than RFC 9293's 4 min, since the ISS of a new incarnation comes
 * from RFC 6528 and cannot fall into the old window by accident.
 */
void hsk_cfg_init(struct hsk_cfg *cfg)
{
	cfg->rto_min_ms = 1000;
	cfg->rto_max_ms = 120000;
	cfg->time_wait_ms = 60000;
	cfg->idle_ms = 0;
	cfg->oow_ack_interval_ms = 500;
	cfg->synack_retries = 5;
	cfg->retries = 15;
}

/**
 * hsk_actions_init() - empty an action list before a core call
 * @act: action list
 */
void hsk_actions_init(struct hsk_actions *act)
{
	memset(act, 0, sizeof(*act));
}

/**
 * hsk_state_name() - RFC 9293 name of a state
 * @state: enum hsk_state value
 *
 * Return: static string, "UNKNOWN" for values out of range.
 */
const char *hsk_state_name(unsigned int state)
{
	if (state >= HSK_STATE_MAX)
		return "UNKNOWN";
	return hsk_state_names[state];
}

/**
 * hsk_set_state() - the only way a connection changes state
 * @tcb: connection
 * @state: new state
 * @act: records the (old, new) pair for the shell's events and tracepoints;
 *	entering CLOSED also cancels every timer and asks for the tcb to be
 *	freed
 */
void hsk_set_state(struct hsk_tcb *tcb, enum hsk_state state,
		   struct hsk_actions *act)
{
	unsigned int t;

	if (tcb->state == state)
		return;
	if (act->ntrans < HSK_ACT_MAX_TRANS) {
		act->trans[act->ntrans].from = tcb->state;
		act->trans[act->ntrans].to = (u8)state;
		act->ntrans++;
	}
	tcb->state = (u8)state;
	if (state == HSK_STATE_CLOSED) {
		for (t = 0; t < HSK_TIMER_MAX; t++)
			hsk_timer_cancel(tcb, (enum hsk_timer)t, act);
		act->flags |= HSK_ACT_FREE;
	}
}

/**
 * hsk_timer_next() - earliest pending deadline
 * @tcb: connection
 * @expires: set to the deadline if there is one
 *
 * For shells that multiplex all of a connection's timers onto one kernel
 * timer: arm it for this deadline and, on expiry, call hsk_timeout() for
 * every kind; kinds that are not due are re-armed by the core.
 *
 * Return: true if some timer is pending.
 */
bool hsk_timer_next(const struct hsk_tcb *tcb, u32 *expires)
{
	bool found = false;
	unsigned int t;

	for (t = 0; t < HSK_TIMER_MAX; t++) {
		if (!(tcb->timers & BIT(t)))
			continue;
		if (!found || hsk_time_before(tcb->timer_expires[t], *expires))
			*expires = tcb->timer_expires[t];
		found = true;
	}
	return found;
}

/**
 * hsk_timer_arm() - (re)arm a timer
 * @tcb: connection
 * @timer: which one
 * @expires: absolute deadline
 * @act: receives the arm request
 *
 * The tcb remembers the deadline so that hsk_timeout() can recognise an
 * expiry that raced with a re-arm or a cancel.
 */
void hsk_timer_arm(struct hsk_tcb *tcb, enum hsk_timer timer, u32 expires,
		   struct hsk_actions *act)
{
	tcb->timers |= BIT(timer);
	tcb->timer_expires[timer] = expires;
	act->timer_arm |= BIT(timer);
	act->timer_cancel &= ~BIT(timer);
	act->timer_expires[timer] = expires;
}

/**
 * hsk_timer_cancel() - stop a timer if it is pending
 * @tcb: connection
 * @timer: which one
 * @act: receives the cancel request
 */
void hsk_timer_cancel(struct hsk_tcb *tcb, enum hsk_timer timer,
		      struct hsk_actions *act)
{
	if (!(tcb->timers & BIT(timer)))
		return;
	tcb->timers &= ~BIT(timer);
	act->timer_cancel |= BIT(timer);
	act->timer_arm &= ~BIT(timer);
}

/**
 * hsk_rto_clamp() - bound a retransmission timeout by the configuration
 * @tcb: connection
 * @rto: unbounded value in ms
 *
 * Return: @rto within [rto_min_ms, rto_max_ms].
 */
u32 hsk_rto_clamp(const struct hsk_tcb *tcb, u32 rto)
{
	rto = max_t(u32, rto, tcb->cfg.rto_min_ms);
	return min_t(u32, rto, tcb->cfg.rto_max_ms);
}

/**
 * hsk_rtt_sample() - feed one round trip measurement into the RTO
 * @tcb: connection
 * @rtt: measured round trip time in ms
 *
 * RFC 6298 2.2 and 2.3 with alpha 1/8 and beta 1/4, kept as srtt * 8 and
 * rttvar * 4 so that no fraction is lost and no division is needed. A
 * fresh sample also ends any backoff (RFC 6298 5.7 and Karn).
 */
void hsk_rtt_sample(struct hsk_tcb *tcb, u32 rtt)
{
	u32 m = min_t(u32, rtt, HSK_RTT_MAX_MS);
	u32 srtt, err;

	if (!(tcb->flags & HSK_TF_RTT_VALID)) {
		tcb->srtt8 = m << 3;
		tcb->rttvar4 = m << 1;
		tcb->flags |= HSK_TF_RTT_VALID;
	} else {
		srtt = tcb->srtt8 >> 3;
		err = m > srtt ? m - srtt : srtt - m;
		tcb->rttvar4 = tcb->rttvar4 - (tcb->rttvar4 >> 2) + err;
		tcb->srtt8 = tcb->srtt8 - (tcb->srtt8 >> 3) + m;
	}
	tcb->rto = hsk_rto_clamp(tcb, (tcb->srtt8 >> 3) +
				 max_t(u32, 1, tcb->rttvar4));
}

/**
 * hsk_select_window() - window field for the next segment we send
 * @tcb: connection
 *
 * The window offered is the free buffer space, but the right edge never
 * moves left (RFC 9293 3.8.6.2.2 SHOULD NOT shrink) and only moves right
 * in steps of at least min(buffer / 2, MSS) (receiver side silly window
 * avoidance, same section). Scaling rounds the field down, which can
 * retract the edge by less than one unit; RFC 7323 2.4 allows exactly
 * that as long as everything inside the largest edge ever offered stays
 * acceptable, which is why rcv_adv only grows. Rounding up instead would
 * let the edge creep past the buffer one ACK at a time. A tarpit offers
 * zero from its SYN-ACK on, so it never shrinks either.
 *
 * Return: the value for the window field, already scaled down.
 */
u16 hsk_select_window(struct hsk_tcb *tcb)
{
	u32 free, cur, win, val, edge;

	if (tcb->mode == HSK_MODE_TARPIT) {
		/* A FIN taken into the zero window moves RCV.NXT past it. */
		if (hsk_seq_after(tcb->rcv_nxt, tcb->rcv_adv))
			tcb->rcv_adv = tcb->rcv_nxt;
		return 0;
	}
	free = hsk_rcv_free(tcb);
	cur = hsk_rcv_wnd(tcb);
	win = cur;
	if (free > cur && free - cur >= hsk_sws_thresh(tcb))
		win = free;
	val = min_t(u32, win >> tcb->rcv_wscale, HSK_MAX_WIN);

	edge = tcb->rcv_nxt + (val << tcb->rcv_wscale);
	if (hsk_seq_after(edge, tcb->rcv_adv))
		tcb->rcv_adv = edge;
	return (u16)val;
}

/**
 * hsk_tx_alloc() - next free segment slot
 * @act: action list
 *
 * Return: zeroed slot, or NULL (and HSK_ACT_MORE set) if the list is full.
 */
struct hsk_tx *hsk_tx_alloc(struct hsk_actions *act)
{
	struct hsk_tx *tx;

	if (act->nsegs >= HSK_ACT_MAX_SEGS) {
		act->flags |= HSK_ACT_MORE;
		return NULL;
	}
	tx = &act->segs[act->nsegs++];
	memset(tx, 0, sizeof(*tx));
	return tx;
}

/*
 * RFC 2018 section 4: while out-of-order data is held, every ACK reports
 * it, the block of the latest segment first, then the other blocks, the
 * most recent first. As many as the option space takes (three next to
 * timestamps, four without) and, on a data segment, as many as leave its
 * payload within the MSS.
 */
static void hsk_tx_sack(const struct hsk_tcb *tcb, struct hsk_tx *tx)
{
	u32 used = tx->data_len, room, n;

	if (tx->opts & HSK_OPT_TS)
		used += HSK_TS_OPT_SPACE;
	room = min_t(u32, tcb->snd_mss > used ? tcb->snd_mss - used : 0,
		     HSK_TCP_MAX_OPT_LEN - (used - tx->data_len));
	/* NOP, NOP, kind, length, then 8 octets per block */
	n = room >= 4 ? (room - 4) / 8 : 0;
	n = min_t(u32, min_t(u32, n, tcb->nofo), HSK_SACK_BLOCKS_MAX);
	if (!n)
		return;
	memcpy(tx->sack, tcb->ofo, n * sizeof(tx->sack[0]));
	tx->nsack = (u8)n;
	tx->opts |= HSK_OPT_SACK;
}

/**
 * hsk_tx_set_ack() - fill the fields every non-RST segment carries
 * @tcb: connection
 * @now: current time
 * @tx: segment being built, its payload length already set
 *
 * ACK number, window, timestamps and SACK blocks; remembers Last.ACK.sent
 * for the TS.Recent update rule of RFC 7323 4.3.
 */
void hsk_tx_set_ack(struct hsk_tcb *tcb, u32 now, struct hsk_tx *tx)
{
	tx->flags |= HSK_TCP_ACK;
	tx->ack = tcb->rcv_nxt;
	tx->wnd = hsk_select_window(tcb);
	if (tcb->flags & HSK_TF_TS) {
		tx->opts |= HSK_OPT_TS;
		tx->tsval = hsk_tsval(tcb, now);
		tx->tsecr = tcb->ts_recent;
	}
	if ((tcb->flags & HSK_TF_SACK_OK) && tcb->nofo)
		hsk_tx_sack(tcb, tx);
	tcb->last_ack_sent = tcb->rcv_nxt;
}

/**
 * hsk_send_ack() - queue <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
 * @tcb: connection
 * @now: current time
 * @kind: HSK_TX_ACK, HSK_TX_DUPACK or HSK_TX_CHALLENGE
 * @act: action list
 */
void hsk_send_ack(struct hsk_tcb *tcb, u32 now, enum hsk_tx_kind kind,
		  struct hsk_actions *act)
{
	struct hsk_tx *tx = hsk_tx_alloc(act);

	if (!tx)
		return;
	tx->kind = (u8)kind;
	tx->seq = tcb->snd_nxt;
	hsk_tx_set_ack(tcb, now, tx);
	if (kind == HSK_TX_CHALLENGE)
		act->cnt[HSK_CNT_CHALLENGE_ACK]++;
}

/**
 * hsk_oow_allow() - rate limiter for replies a peer can provoke at will
 * @tcb: connection
 * @now: current time
 * @act: counts a suppressed reply
 *
 * Covers challenge ACKs (RFC 5961 7), answers to unacceptable pure ACKs
 * and SYNs (which two confused endpoints could otherwise bounce between
 * them forever) and SYN-ACKs resent for duplicate SYNs. Per connection
 * rather than global, so that the limit reveals nothing about other
 * connections (CVE-2016-5696).
 *
 * Return: true if a reply may be sent now (and it is accounted for).
 */
bool hsk_oow_allow(struct hsk_tcb *tcb, u32 now, struct hsk_actions *act)
{
	u32 ival = tcb->cfg.oow_ack_interval_ms;

	if (ival && (tcb->flags & HSK_TF_OOW_STAMP) &&
	    now - tcb->last_oow_ack < ival) {
		act->cnt[HSK_CNT_ACK_RATELIMITED]++;
		return false;
	}
	tcb->last_oow_ack = now;
	tcb->flags |= HSK_TF_OOW_STAMP;
	return true;
}

/**
 * hsk_send_oow_ack() - hsk_send_ack() under hsk_oow_allow()
 * @tcb: connection
 * @now: current time
 * @kind: HSK_TX_DUPACK or HSK_TX_CHALLENGE
 * @act: action list
 */
void hsk_send_oow_ack(struct hsk_tcb *tcb, u32 now, enum hsk_tx_kind kind,
		      struct hsk_actions *act)
{
	if (hsk_oow_allow(tcb, now, act))
		hsk_send_ack(tcb, now, kind, act);
}

/**
 * hsk_send_rst() - queue <SEQ=seq><CTL=RST>
 * @seq: sequence number of the reset
 * @act: action list
 */
void hsk_send_rst(u32 seq, struct hsk_actions *act)
{
	struct hsk_tx *tx = hsk_tx_alloc(act);

	if (!tx)
		return;
	tx->kind = HSK_TX_RST;
	tx->seq = seq;
	tx->flags = HSK_TCP_RST;
	act->cnt[HSK_CNT_RST_TX]++;
}

/**
 * hsk_send_synack() - queue our SYN-ACK (first or retransmitted)
 * @tcb: connection in SYN-RECEIVED
 * @now: current time
 * @act: action list
 *
 * Options mirror the peer's offer (RFC 7323 1.3, RFC 2018): window scale,
 * SACK-permitted and timestamps only if its SYN had them; MSS always. The
 * window of a SYN is never scaled (RFC 7323 2.2).
 */
void hsk_send_synack(struct hsk_tcb *tcb, u32 now, struct hsk_actions *act)
{
	struct hsk_tx *tx = hsk_tx_alloc(act);
	u32 win;

	if (!tx)
		return;
	win = 0;
	if (tcb->mode != HSK_MODE_TARPIT)
		win = min_t(u32, tcb->rcv_buf, HSK_MAX_WIN);
	tx->kind = HSK_TX_SYNACK;
	tx->seq = tcb->iss;
	tx->ack = tcb->rcv_nxt;
	tx->flags = HSK_TCP_SYN | HSK_TCP_ACK;
	tx->wnd = (u16)win;
	tx->opts = HSK_OPT_MSS;
	tx->mss = tcb->rcv_mss;
	if (tcb->flags & HSK_TF_WSCALE) {
		tx->opts |= HSK_OPT_WSCALE;
		tx->wscale = tcb->rcv_wscale;
	}
	if (tcb->flags & HSK_TF_SACK_OK)
		tx->opts |= HSK_OPT_SACK_PERM;
	if (tcb->flags & HSK_TF_TS) {
		tx->opts |= HSK_OPT_TS;
		tx->tsval = hsk_tsval(tcb, now);
		tx->tsecr = tcb->ts_recent;
	}
	if (hsk_seq_after(tcb->rcv_nxt + win, tcb->rcv_adv))
		tcb->rcv_adv = tcb->rcv_nxt + win;
	tcb->last_ack_sent = tcb->rcv_nxt;
	/* For hsk_establish(): timestamps time every segment without it */
	if (tcb->flags & HSK_TF_TS)
		tcb->rtt_start = now;
}

/**
 * hsk_enter_time_wait() - enter TIME-WAIT and (re)start the 2 MSL timer
 * @tcb: connection
 * @now: current time
 * @act: action list
 */
void hsk_enter_time_wait(struct hsk_tcb *tcb, u32 now,
			 struct hsk_actions *act)
{
	hsk_timer_cancel(tcb, HSK_TIMER_RTX, act);
	hsk_timer_cancel(tcb, HSK_TIMER_PERSIST, act);
	hsk_timer_cancel(tcb, HSK_TIMER_IDLE, act);
	hsk_timer_arm(tcb, HSK_TIMER_TIMEWAIT, now + tcb->cfg.time_wait_ms,
		      act);
	hsk_set_state(tcb, HSK_STATE_TIME_WAIT, act);
}

/**
 * hsk_close() - the CLOSE user command: graceful close
 * @tcb: connection
 * @act: action list
 *
 * Our FIN goes out after the data already queued (RFC 9293 3.10.4): the
 * state only changes to FIN-WAIT-1 or LAST-ACK when hsk_output() actually
 * sends it. In SYN-RECEIVED the FIN waits for the handshake to finish, so
 * it never has to be retransmitted together with our SYN.
 *
 * Return: 0, -EALREADY if our side is already closing, -ENOTCONN if the
 * connection is closed.
 */
int hsk_close(struct hsk_tcb *tcb, struct hsk_actions *act)
{
	switch (tcb->state) {
	case HSK_STATE_SYN_RECEIVED:
	case HSK_STATE_ESTABLISHED:
	case HSK_STATE_CLOSE_WAIT:
		if (tcb->flags & HSK_TF_CLOSE_REQ)
			return -EALREADY;
		tcb->flags |= HSK_TF_CLOSE_REQ;
		act->flags |= HSK_ACT_OUTPUT;
		return 0;
	case HSK_STATE_CLOSED:
	case HSK_STATE_LISTEN:
		return -ENOTCONN;
	default:
		return -EALREADY;
	}
}

/**
 * hsk_abort() - the ABORT user command
 * @tcb: connection
 * @act: action list
 *
 * Sends <SEQ=SND.NXT><CTL=RST> where the peer may still hold state for us
 * (RFC 9293 3.10.5; not in CLOSING, LAST-ACK and TIME-WAIT, where it has
 * sent its FIN) and frees the connection.
 */
void hsk_abort(struct hsk_tcb *tcb, struct hsk_actions *act)
{
	switch (tcb->state) {
	case HSK_STATE_CLOSED:
	case HSK_STATE_LISTEN:
		return;
	case HSK_STATE_SYN_RECEIVED:
	case HSK_STATE_ESTABLISHED:
	case HSK_STATE_FIN_WAIT_1:
	case HSK_STATE_FIN_WAIT_2:
	case HSK_STATE_CLOSE_WAIT:
		hsk_send_rst(tcb->snd_nxt, act);
		break;
	default:
		break;
	}
	hsk_set_state(tcb, HSK_STATE_CLOSED, act);
}
