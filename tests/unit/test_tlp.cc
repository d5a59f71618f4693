// SPDX-License-Identifier: GPL-2.0
/*
 * Tail loss probe (RFC 8985 section 7): when the probe timeout replaces
 * the RTO, what the probe resends, how its answer turns into a recovery
 * or a congestion response, and when no probe is sent.
 */
#include "hsk_test.h"

using namespace hsk_test;

static const u32 i1 = kIss + 1, r1 = kIrs + 1;
static const u32 kMss = 100;
static const u32 kRtt = 20;

/*
 * Timestamps (unless @ts is false), SACK-permitted (unless @sack is
 * false), an effective MSS of 100, a round trip of 20 ms measured on the
 * handshake (RTO 200 ms, the floor) and @n octets echoed in one flight.
 */
static Conn probing(u32 n, bool ts = true, bool sack = true)
{
	Conn c;
	u16 mss = kMss + (ts ? HSK_TS_OPT_SPACE : 0);
	Seg syn(HSK_TCP_SYN, kIrs);

	c.p.cfg.rto_min_ms = 200;
	c.p.mss = mss;
	syn.mss(mss);
	if (ts)
		syn.ts(1000, 0);
	if (sack)
		syn.sackp();
	c.listen(syn);
	u32 synack = c.now;

	c.now += kRtt;
	Seg a(HSK_TCP_ACK, r1, i1);

	if (ts)
		a.ts(1001, synack + kTsOff);
	c.in(a);
	if (!ts) {
		/* no sample from the handshake: one from a timed segment */
		c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, stream(1)));
		c.now += kRtt;
		c.in(Seg(HSK_TCP_ACK, r1 + 1, i1 + 1));
		n--;
	}
	EXPECT_TRUE(c.tcb.flags & HSK_TF_RTT_VALID);
	Seg d(HSK_TCP_ACK | HSK_TCP_PSH, c.tcb.rcv_nxt, c.tcb.snd_nxt,
	      stream(n, c.tcb.rcv_nxt - r1));

	if (ts)
		d.ts(1002, c.now + kTsOff);
	c.in(d);
	return c;
}

/* The peer's pure ACK of @a, echoing TSval @ecr. */
static Seg ack(const Conn &c, u32 a, u32 ecr)
{
	Seg s(HSK_TCP_ACK, c.tcb.rcv_nxt, a);

	if (c.tcb.flags & HSK_TF_TS)
		s.ts(2000 + c.now, ecr);
	return s;
}

TEST(TailLossProbe, LostTailIsProbedBeforeTheRto)
{
	Conn c = probing(500);
	u32 sent = c.now + kTsOff;

	ASSERT_EQ(c.tcb.snd_nxt, i1 + 500);
	/* the first four arrive, the last segment is lost */
	c.now += kRtt;
	c.in(ack(c, i1 + 400, sent));
	EXPECT_TRUE(c.out.empty());
	EXPECT_TRUE(c.tcb.tlp & HSK_TLP_ARMED);
	EXPECT_EQ(c.deadline(HSK_TIMER_RTX), c.now + 2 * kRtt);
	u32 cwnd = c.tcb.cwnd;

	c.fire(HSK_TIMER_RTX);
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_RETRANS);
	EXPECT_EQ(c.out[0].tx.seq, i1 + 400);
	EXPECT_EQ(c.out[0].data, stream(100, 400));
	EXPECT_EQ(c.tcb.tlp & (HSK_TLP_ARMED | HSK_TLP_OUT), HSK_TLP_OUT);
	EXPECT_EQ(c.deadline(HSK_TIMER_RTX), c.now + c.tcb.rto);
	EXPECT_EQ(c.tcb.rtx_count, 0);
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 1u);
	u32 probe = c.out[0].tx.tsval;

	/* the probe repaired a loss alone: the window answers it once */
	c.now += kRtt;
	c.in(ack(c, i1 + 500, probe));
	EXPECT_EQ(c.tcb.tlp, 0);
	EXPECT_LE(c.tcb.ssthresh, (cwnd + kMss) / 2);
	EXPECT_EQ(c.tcb.cwnd, c.tcb.ssthresh);
	EXPECT_FALSE(c.pending(HSK_TIMER_RTX));
}

TEST(TailLossProbe, SpuriousProbeKeepsTheWindow)
{
	Conn c = probing(500);
	u32 sent = c.now + kTsOff;

	c.now += kRtt;
	c.in(ack(c, i1 + 400, sent));
	c.fire(HSK_TIMER_RTX);
	ASSERT_EQ(c.out.size(), 1u);
	u32 cwnd = c.tcb.cwnd, ssthresh = c.tcb.ssthresh;

	/* the original's ACK, only late: it echoes the original's TSval */
	c.in(ack(c, i1 + 500, sent));
	EXPECT_GE(c.tcb.cwnd, cwnd);
	EXPECT_EQ(c.tcb.ssthresh, ssthresh);
	/* the peer delays ACKs: a lone segment's probe allows for that */
	EXPECT_EQ(c.tcb.tlp, HSK_TLP_DELACK);
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, c.tcb.rcv_nxt, i1 + 500,
		 stream(100, 500)).ts(2001 + c.now, c.now + kTsOff));
	ASSERT_EQ(c.tcb.snd_nxt, i1 + 600);
	EXPECT_EQ(c.deadline(HSK_TIMER_RTX),
		  c.now + std::min(2 * kRtt + HSK_TLP_DELACK_MS,
				   c.tcb.rto));
}

TEST(TailLossProbe, AnswerWithSackStartsTheRecovery)
{
	Conn c = probing(500);
	u32 sent = c.now + kTsOff;

	/* 2 and 4 lost: one duplicate ACK, too few for a fast retransmit */
	c.now += kRtt;
	c.in(ack(c, i1 + 200, sent).sack(i1 + 300, i1 + 400));
	EXPECT_TRUE(c.out.empty());
	EXPECT_FALSE(c.tcb.flags & HSK_TF_FAST_RECOVERY);
	c.fire(HSK_TIMER_RTX);
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.seq, i1 + 400);
	u32 probe = c.out[0].tx.tsval;

	/* the probe's SACK is the second duplicate: recovery, not the RTO */
	c.now += kRtt;
	c.in(ack(c, i1 + 200, probe).sack(i1 + 300, i1 + 500));
	EXPECT_TRUE(c.tcb.flags & HSK_TF_FAST_RECOVERY);
	EXPECT_FALSE(c.tcb.tlp & HSK_TLP_OUT);
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_RETRANS);
	EXPECT_EQ(c.out[0].tx.seq, i1 + 200);
	EXPECT_EQ(c.tcb.rtx_count, 0);
}

TEST(TailLossProbe, OneProbeThenTheRto)
{
	Conn c = probing(500);

	c.fire(HSK_TIMER_RTX);
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.seq, i1 + 400);
	/* nothing comes back: the RTO, go-back-N from SND.UNA */
	c.fire(HSK_TIMER_RTX);
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.seq, i1);
	EXPECT_EQ(c.tcb.rtx_count, 1);
	EXPECT_EQ(c.tcb.cwnd, kMss);
	EXPECT_EQ(c.tcb.tlp, 0);
	/* no probe while that recovery runs */
	c.in(ack(c, i1 + 100, c.out[0].tx.tsval));
	EXPECT_FALSE(c.tcb.tlp & HSK_TLP_ARMED);
}

TEST(TailLossProbe, ProbeCarriesTheFin)
{
	Conn c = probing(0);

	c.in(Seg(HSK_TCP_ACK | HSK_TCP_FIN, r1, i1, stream(250))
	     .ts(1003, c.now + kTsOff));
	ASSERT_EQ(c.state(), HSK_STATE_LAST_ACK);
	c.fire(HSK_TIMER_RTX);
	ASSERT_EQ(c.out.size(), 1u);
	/* the last segment's worth of data, and the FIN behind it */
	EXPECT_EQ(c.out[0].tx.seq, i1 + 150);
	EXPECT_EQ(c.out[0].tx.data_len, kMss);
	EXPECT_TRUE(c.out[0].tx.flags & HSK_TCP_FIN);
}

TEST(TailLossProbe, NotWithoutSack)
{
	Conn c = probing(500, true, false);

	EXPECT_FALSE(c.tcb.tlp & HSK_TLP_ARMED);
	EXPECT_EQ(c.deadline(HSK_TIMER_RTX), c.now + c.tcb.rto);
}

TEST(TailLossProbe, LoneSegmentWithoutTimestampsWaitsForDelayedAck)
{
	Conn c = probing(100, false);

	ASSERT_EQ(c.tcb.snd_nxt - c.tcb.snd_una, 99u);
	/* 2 RTT + 200 ms of delayed ACK is beyond the RTO: no probe */
	EXPECT_FALSE(c.tcb.tlp & HSK_TLP_ARMED);
	EXPECT_EQ(c.deadline(HSK_TIMER_RTX), c.now + c.tcb.rto);

	/* with timestamps a lone segment is probed after 2 RTT */
	Conn t = probing(100);

	EXPECT_TRUE(t.tcb.tlp & HSK_TLP_ARMED);
	EXPECT_EQ(t.deadline(HSK_TIMER_RTX), t.now + 2 * kRtt);
}
