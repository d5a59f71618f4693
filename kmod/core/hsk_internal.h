/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hsk TCP core: helpers shared by the core's own .c files. Not for the
 * shell; the shell only needs hsk_core.h.
 */
#ifndef _HSK_INTERNAL_H
#define _HSK_INTERNAL_H

#include "hsk_core.h"
#include "hsk_seq.h"

#define HSK_RTT_MAX_MS		0x1000000U	/* keeps srtt8 far from overflow */
#define HSK_SSTHRESH_INIT	0x7fffffffU	/* "arbitrarily high", RFC 5681 */
#define HSK_CWND_MAX		HSK_RCV_BUF_MAX

/* Our next TSval: the connection's offset keeps clocks unlinkable. */
static inline u32 hsk_tsval(const struct hsk_tcb *tcb, u32 now)
{
	return now + tcb->ts_offset;
}

/* Payload that fits one segment once our own options are paid for. */
static inline u32 hsk_mss_eff(const struct hsk_tcb *tcb)
{
	if (tcb->flags & HSK_TF_TS)
		return tcb->snd_mss - HSK_TS_OPT_SPACE;
	return tcb->snd_mss;
}

/*
 * Whether accepted data goes into the send queue. After our side decided
 * to close, echoing more would only delay the FIN forever, so later data is
 * acknowledged and dropped like in discard mode.
 */
static inline bool hsk_echoing(const struct hsk_tcb *tcb)
{
	return tcb->mode == HSK_MODE_ECHO && !(tcb->flags & HSK_TF_CLOSE_REQ);
}

/* Sequence number just past the last data octet handed to the network. */
static inline u32 hsk_data_end(const struct hsk_tcb *tcb)
{
	if (tcb->flags & HSK_TF_FIN_SENT)
		return tcb->fin_seq;
	return tcb->snd_nxt;
}

/* Queued octets not sent yet. */
static inline u32 hsk_unsent(const struct hsk_tcb *tcb)
{
	return tcb->sndq - (hsk_data_end(tcb) - tcb->snd_una);
}

/* What is left of the window we advertised: RCV.WND. */
static inline u32 hsk_rcv_wnd(const struct hsk_tcb *tcb)
{
	if (hsk_seq_after(tcb->rcv_adv, tcb->rcv_nxt))
		return tcb->rcv_adv - tcb->rcv_nxt;
	return 0;
}

/* Buffer space for new data, capped at what the window field can say. */
static inline u32 hsk_rcv_free(const struct hsk_tcb *tcb)
{
	u32 free = tcb->rcv_buf;

	if (hsk_echoing(tcb))
		free -= tcb->sndq;
	return min_t(u32, free, HSK_MAX_WIN << tcb->rcv_wscale);
}

/* Smallest step of the right window edge (RFC 9293 3.8.6.2.2, Fr = 1/2). */
static inline u32 hsk_sws_thresh(const struct hsk_tcb *tcb)
{
	return min_t(u32, tcb->rcv_buf / 2, tcb->rcv_mss);
}

u32 hsk_rto_clamp(const struct hsk_tcb *tcb, u32 rto);
void hsk_rtt_sample(struct hsk_tcb *tcb, u32 rtt);
void hsk_rtx_arm(struct hsk_tcb *tcb, u32 now, struct hsk_actions *act);
void hsk_timer_arm(struct hsk_tcb *tcb, enum hsk_timer timer, u32 expires,
		   struct hsk_actions *act);
void hsk_timer_cancel(struct hsk_tcb *tcb, enum hsk_timer timer,
		      struct hsk_actions *act);
u16 hsk_select_window(struct hsk_tcb *tcb);
struct hsk_tx *hsk_tx_alloc(struct hsk_actions *act);
void hsk_tx_set_ack(struct hsk_tcb *tcb, u32 now, struct hsk_tx *tx);
void hsk_send_ack(struct hsk_tcb *tcb, u32 now, enum hsk_tx_kind kind,
		  struct hsk_actions *act);
bool hsk_oow_allow(struct hsk_tcb *tcb, u32 now, struct hsk_actions *act);
void hsk_send_oow_ack(struct hsk_tcb *tcb, u32 now, enum hsk_tx_kind kind,
		      struct hsk_actions *act);
void hsk_send_rst(u32 seq, struct hsk_actions *act);
void hsk_send_synack(struct hsk_tcb *tcb, u32 now, struct hsk_actions *act);
void hsk_enter_time_wait(struct hsk_tcb *tcb, u32 now,
			 struct hsk_actions *act);

/* hsk_sack.c */
void hsk_sack_trim(struct hsk_tcb *tcb);
bool hsk_sack_update(struct hsk_tcb *tcb, const struct hsk_seg *seg);
u32 hsk_sack_lost_end(const struct hsk_tcb *tcb);
u32 hsk_sack_pipe(const struct hsk_tcb *tcb, u32 high_rxt);
u32 hsk_sack_sacked_below(const struct hsk_tcb *tcb, u32 seq);
u32 hsk_sack_hole(const struct hsk_tcb *tcb, u32 seq, u32 *len);
bool hsk_sack_lost_rtx(const struct hsk_tcb *tcb);
bool hsk_sack_next_rtx(const struct hsk_tcb *tcb, bool lost_only, u32 *seq,
		       u32 *len);
bool hsk_sack_rescue(const struct hsk_tcb *tcb, u32 *seq, u32 *len);

#endif /* _HSK_INTERNAL_H */
