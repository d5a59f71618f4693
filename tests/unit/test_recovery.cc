// SPDX-License-Identifier: GPL-2.0
/*
 * Loss recovery by ACKs: duplicate ACK detection (RFC 5681 section 2),
 * fast retransmit and fast recovery (RFC 5681 3.2) with the NewReno
 * response to partial ACKs (RFC 6582), limited transmit (RFC 3042), and
 * how they meet Karn's rule, the retransmission timer and a timeout.
 */
#include "hsk_test.h"

using namespace hsk_test;

static const u32 i1 = kIss + 1, r1 = kIrs + 1;
static const u32 kMss = 100;

/*
 * Established with a peer MSS of 100, RTT 100 ms (RTO 300 ms), cwnd ten
 * segments; the peer then sends @n octets, which are echoed within cwnd.
 */
static Conn loaded(u32 n, u32 iss = kIss)
{
	Conn c;

	c.p.cfg.rto_min_ms = 200;
	c.p.mss = kMss;
	c.p.iss = iss;
	c.listen(Seg(HSK_TCP_SYN, kIrs).mss(kMss));
	c.now += 100;
	c.in(Seg(HSK_TCP_ACK, r1, iss + 1));
	EXPECT_EQ(c.tcb.cwnd, 10 * kMss);
	EXPECT_EQ(c.tcb.rto, 300u);
	if (n)
		c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, iss + 1, stream(n)));
	return c;
}

/* A pure ACK from the peer, after it received all @n octets. */
static Seg ack(u32 n, u32 a, u16 wnd = 65535)
{
	return Seg(HSK_TCP_ACK, r1 + n, a, "", wnd);
}

static void expect_retrans(const Conn &c, u32 seq, u32 len,
			   const std::string &what)
{
	ASSERT_EQ(c.out.size(), 1u) << what;
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_RETRANS) << what;
	EXPECT_EQ(c.out[0].tx.seq, seq) << what;
	EXPECT_EQ(c.out[0].tx.data_len, len) << what;
	EXPECT_EQ(c.out[0].data, stream(len, seq - i1)) << what;
}

TEST(FastRetransmit, ThirdDupackResendsExactlyTheHead)
{
	Conn c = loaded(1000);

	ASSERT_EQ(c.all.size(), 1u + 10u);	/* SYN-ACK, then 10 segments */
	ASSERT_EQ(c.tcb.snd_nxt, i1 + 1000);
	u32 due = c.deadline(HSK_TIMER_RTX);

	/* the first segment is lost; the other nine draw duplicate ACKs */
	c.now += 100;
	c.in(ack(1000, i1));
	EXPECT_TRUE(c.out.empty());	/* nothing new to send */
	EXPECT_EQ(c.tcb.dupacks, 1);
	c.in(ack(1000, i1));
	EXPECT_TRUE(c.out.empty());
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 0u);
	EXPECT_FALSE(c.tcb.flags & HSK_TF_FAST_RECOVERY);

	c.in(ack(1000, i1));
	expect_retrans(c, i1, kMss, "third dupack");
	EXPECT_EQ(c.out[0].tx.ack, r1 + 1000);
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_ACK);
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 1u);
	EXPECT_TRUE(c.tcb.flags & HSK_TF_FAST_RECOVERY);
	/* ssthresh = max(FlightSize / 2, 2 * SMSS), cwnd = ssthresh + 3 SMSS */
	EXPECT_EQ(c.tcb.ssthresh, 500u);
	EXPECT_EQ(c.tcb.cwnd, 800u);
	EXPECT_EQ(c.tcb.lt_infl, 0u);
	EXPECT_EQ(c.tcb.recover, i1 + 1000);
	/* RFC 6298 5.1: the timer runs already and is not restarted */
	EXPECT_EQ(c.deadline(HSK_TIMER_RTX), due);
	/* the 4th and later duplicates resend nothing more */
	for (int i = 0; i < 6; i++) {
		c.in(ack(1000, i1));
		EXPECT_TRUE(c.out.empty()) << i;
	}
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 1u);
	EXPECT_EQ(c.tcb.cwnd, 1400u);
}

TEST(EarlyRetransmit, FewSegmentsNeedFewerDuplicates)
{
	/* three segments out, nothing more to send: two duplicates */
	Conn c = loaded(300);

	c.in(ack(300, i1));
	EXPECT_TRUE(c.out.empty());
	EXPECT_EQ(c.tcb.lt_infl, kMss);	/* the loan finds nothing to send */
	c.in(ack(300, i1));
	expect_retrans(c, i1, kMss, "second dupack");
	EXPECT_EQ(c.tcb.ssthresh, 2 * kMss);	/* 2 * SMSS floor */
	EXPECT_EQ(c.tcb.cwnd, 5 * kMss);

	/* two segments (the second one short): one */
	Conn d = loaded(150);

	d.in(ack(150, i1));
	expect_retrans(d, i1, kMss, "first dupack");

	/* one segment: its only "duplicate" would be a duplicated ACK, so
	 * the usual three apply */
	Conn e = loaded(100);

	for (int i = 0; i < 2; i++)
		e.in(ack(100, i1));
	EXPECT_TRUE(e.out.empty());
	e.in(ack(100, i1));
	expect_retrans(e, i1, kMss, "single segment");

	/* two segments, but a closed window keeps new data back */
	Conn f = loaded(200);

	f.in(Seg(HSK_TCP_ACK, r1 + 200, i1, stream(300, 200), 200));
	ASSERT_EQ(f.tcb.snd_nxt, i1 + 200);
	f.in(ack(500, i1, 200));
	expect_retrans(f, i1, kMss, "window-limited");
	/* FastRecovery.NextLossAfterRecoveryIsAFreshEpisode: with new
	 * data and window, limited transmit keeps the usual three */
}

TEST(FastRecovery, LaterDupacksInflateTheWindowAndSendNewData)
{
	Conn c = loaded(1500);	/* 10 segments sent, 500 octets wait */

	ASSERT_EQ(c.tcb.snd_nxt, i1 + 1000);
	/* limited transmit: one new segment for each of the first two */
	c.in(ack(1500, i1));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_DATA);
	EXPECT_EQ(c.out[0].tx.seq, i1 + 1000);
	EXPECT_EQ(c.out[0].data, stream(kMss, 1000));
	c.in(ack(1500, i1));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.seq, i1 + 1100);
	EXPECT_EQ(c.tcb.lt_infl, 2 * kMss);
	EXPECT_EQ(c.tcb.cwnd, 12 * kMss);

	/* FlightSize without the limited transmit segments: 1000 */
	c.in(ack(1500, i1));
	expect_retrans(c, i1, kMss, "third dupack");
	EXPECT_EQ(c.tcb.ssthresh, 500u);
	EXPECT_EQ(c.tcb.cwnd, 800u);
	EXPECT_EQ(c.tcb.recover, i1 + 1200);

	/* 1200 in flight: dupacks 4-7 bring cwnd up to it, no further */
	for (int i = 4; i <= 7; i++) {
		c.in(ack(1500, i1));
		EXPECT_TRUE(c.out.empty()) << i;
		EXPECT_EQ(c.tcb.cwnd, 800u + (i - 3) * kMss) << i;
	}
	/* from the 8th on, each lets one new segment out */
	for (u32 i = 0; i < 3; i++) {
		c.in(ack(1500, i1));
		ASSERT_EQ(c.out.size(), 1u) << i;
		EXPECT_EQ(c.out[0].tx.kind, HSK_TX_DATA) << i;
		EXPECT_EQ(c.out[0].tx.seq, i1 + 1200 + i * kMss) << i;
		EXPECT_EQ(c.out[0].data, stream(kMss, 1200 + i * kMss)) << i;
		EXPECT_LE(c.tcb.snd_nxt - c.tcb.snd_una, c.tcb.cwnd);
	}
	EXPECT_EQ(c.tcb.snd_nxt, i1 + 1500);
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 1u);
	EXPECT_EQ(c.cnt[HSK_CNT_TX_BYTES], 1500u);
}

TEST(FastRecovery, PartialAcksResendTheNextHoles)
{
	/* segments 1, 4 and 7 are lost */
	Conn c = loaded(1000);

	c.now += 100;
	for (int i = 0; i < 3; i++)
		c.in(ack(1000, i1));
	expect_retrans(c, i1, kMss, "third dupack");
	u32 due = c.deadline(HSK_TIMER_RTX);

	/* the resent segment 1 fills the first hole: ACK up to segment 4 */
	c.now += 100;
	c.in(ack(1000, i1 + 300));
	expect_retrans(c, i1 + 300, kMss, "first partial ACK");
	EXPECT_EQ(c.act.acked, 300u);
	EXPECT_TRUE(c.tcb.flags & HSK_TF_FAST_RECOVERY);
	/* deflated by the 300 acknowledged, one SMSS added back */
	EXPECT_EQ(c.tcb.cwnd, 800u - 300 + kMss);
	EXPECT_EQ(c.tcb.ssthresh, 500u);	/* no second reduction */
	/* RFC 6582: the first partial ACK restarts the timer ... */
	EXPECT_NE(c.deadline(HSK_TIMER_RTX), due);
	EXPECT_EQ(c.deadline(HSK_TIMER_RTX), c.now + c.tcb.rto);
	due = c.deadline(HSK_TIMER_RTX);

	/* duplicates in between still inflate */
	c.in(ack(1000, i1 + 300));
	EXPECT_TRUE(c.out.empty());
	EXPECT_EQ(c.tcb.cwnd, 700u);

	/* ... later ones do not ("Impatient" variant) */
	c.now += 100;
	c.in(ack(1000, i1 + 600));
	expect_retrans(c, i1 + 600, kMss, "second partial ACK");
	EXPECT_EQ(c.deadline(HSK_TIMER_RTX), due);
	EXPECT_EQ(c.tcb.cwnd, 700u - 300 + kMss);
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 3u);

	/* a partial ACK of less than one SMSS adds nothing back; the
	 * retransmission is one SMSS from the new SND.UNA */
	c.in(ack(1000, i1 + 650));
	expect_retrans(c, i1 + 650, kMss, "small partial ACK");
	EXPECT_EQ(c.tcb.cwnd, 500u - 50);

	/* the full ACK ends recovery; nothing is outstanding: 2 SMSS */
	c.in(ack(1000, i1 + 1000));
	EXPECT_TRUE(c.out.empty());
	EXPECT_FALSE(c.tcb.flags &
		     (HSK_TF_FAST_RECOVERY | HSK_TF_PARTIAL_ACK));
	EXPECT_EQ(c.tcb.cwnd, 2 * kMss);
	EXPECT_FALSE(c.pending(HSK_TIMER_RTX));
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 4u);
}

TEST(FastRecovery, FullAckDeflatesToSsthresh)
{
	Conn c = loaded(2000);	/* 10 sent, 1000 octets wait */

	for (int i = 0; i < 2; i++)
		c.in(ack(2000, i1));		/* limited transmit: 2 */
	c.in(ack(2000, i1));
	expect_retrans(c, i1, kMss, "third dupack");
	ASSERT_EQ(c.tcb.ssthresh, 500u);
	ASSERT_EQ(c.tcb.recover, i1 + 1200);
	/* five more duplicates: cwnd 1300, one new segment */
	for (int i = 0; i < 5; i++)
		c.in(ack(2000, i1));
	EXPECT_EQ(c.tcb.snd_nxt, i1 + 1300);
	/* everything up to recover: 100 octets stay in flight */
	c.in(ack(2000, i1 + 1200));
	EXPECT_FALSE(c.tcb.flags & HSK_TF_FAST_RECOVERY);
	/* min(ssthresh, FlightSize + SMSS) = min(500, 200): no burst */
	EXPECT_EQ(c.tcb.cwnd, 200u);
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_DATA);
	EXPECT_EQ(c.out[0].tx.seq, i1 + 1300);

	/* with a full window in flight the window is exactly ssthresh */
	Conn d = loaded(3000);

	for (int i = 0; i < 3; i++)
		d.in(ack(3000, i1));
	for (int i = 0; i < 20; i++)
		d.in(ack(3000, i1));
	ASSERT_EQ(d.tcb.recover, i1 + 1200);
	ASSERT_EQ(d.tcb.snd_nxt, i1 + 2800);	/* cwnd 800 + 20 SMSS */
	d.in(ack(3000, i1 + 1200));
	EXPECT_FALSE(d.tcb.flags & HSK_TF_FAST_RECOVERY);
	EXPECT_EQ(d.tcb.cwnd, d.tcb.ssthresh);
	EXPECT_EQ(d.tcb.cwnd, 500u);
	EXPECT_TRUE(d.out.empty());	/* 1600 in flight: no burst */
	/* and congestion avoidance goes on from there */
	d.in(ack(3000, i1 + 1300));
	EXPECT_EQ(d.tcb.cwnd, 500u + kMss * kMss / 500);
}

TEST(FastRecovery, NextLossAfterRecoveryIsAFreshEpisode)
{
	Conn c = loaded(1000);

	for (int i = 0; i < 3; i++)
		c.in(ack(1000, i1));
	c.in(ack(1000, i1 + 1000));	/* full ACK */
	ASSERT_FALSE(c.tcb.flags & HSK_TF_FAST_RECOVERY);
	EXPECT_EQ(c.tcb.dupacks, 0);
	ASSERT_EQ(c.tcb.cwnd, 2 * kMss);
	/* new data, and a new loss at exactly the old recover */
	c.in(Seg(HSK_TCP_ACK, r1 + 1000, i1 + 1000, stream(1000, 1000)));
	EXPECT_EQ(c.tcb.snd_nxt, i1 + 1200);
	c.in(ack(2000, i1 + 1000));
	c.in(ack(2000, i1 + 1000));	/* limited transmit: 2 more */
	u32 nxt = c.tcb.snd_nxt;

	EXPECT_EQ(nxt, i1 + 1400);
	c.in(ack(2000, i1 + 1000));
	ASSERT_GE(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_RETRANS);
	EXPECT_EQ(c.out[0].tx.seq, i1 + 1000);
	EXPECT_EQ(c.tcb.recover, nxt);
	/* FlightSize 200 without the limited transmit: the 2 SMSS floor */
	EXPECT_EQ(c.tcb.ssthresh, 2 * kMss);
	EXPECT_EQ(c.tcb.cwnd, 5 * kMss);
	/* which leaves room for one new segment behind the retransmission */
	ASSERT_EQ(c.out.size(), 2u);
	EXPECT_EQ(c.out[1].tx.kind, HSK_TX_DATA);
	EXPECT_EQ(c.out[1].tx.seq, nxt);
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 2u);
}

TEST(FastRetransmit, OnlyTrueDuplicatesCount)
{
	/* (b) data on the ACK: the peer goes on sending */
	{
		Conn c = loaded(1000);

		for (u32 i = 0; i < 5; i++)
			c.in(Seg(HSK_TCP_ACK, r1 + 1000 + i, i1,
				 stream(1, 1000 + i)));
		EXPECT_EQ(c.tcb.dupacks, 0);
		EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 0u);
		EXPECT_FALSE(c.tcb.flags & HSK_TF_FAST_RECOVERY);
	}
	/* (e) window updates */
	{
		Conn c = loaded(1000);

		for (u16 w = 60000; w < 60005; w++)
			c.in(ack(1000, i1, w));
		EXPECT_EQ(c.tcb.dupacks, 0);
		EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 0u);
		EXPECT_EQ(c.tcb.snd_wnd, 60004u);
	}
	/* (d) older ACKs, and ACKs of new data, are no duplicates either */
	{
		Conn c = loaded(1000);

		c.in(ack(1000, i1 + 100));
		for (int i = 0; i < 5; i++)
			c.in(ack(1000, i1));
		EXPECT_EQ(c.tcb.dupacks, 0);
		for (u32 i = 2; i <= 6; i++)
			c.in(ack(1000, i1 + i * 100));
		EXPECT_EQ(c.tcb.dupacks, 0);
		EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 0u);
	}
	/* (a) nothing outstanding */
	{
		Conn c = loaded(0);

		for (int i = 0; i < 5; i++) {
			c.in(ack(0, i1));
			EXPECT_TRUE(c.out.empty());
		}
		EXPECT_EQ(c.tcb.dupacks, 0);
	}
	/* (c) a FIN in between is not counted; one more is needed */
	{
		Conn c = loaded(1000);

		c.in(ack(1000, i1));
		c.in(ack(1000, i1));
		c.in(Seg(HSK_TCP_ACK | HSK_TCP_FIN, r1 + 1000, i1));
		EXPECT_EQ(c.state(), HSK_STATE_LAST_ACK);	/* our FIN sent */
		EXPECT_EQ(c.tcb.dupacks, 2);
		EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 0u);
		c.in(ack(1001, i1));
		expect_retrans(c, i1, kMss, "after the FIN");
	}
}

TEST(LimitedTransmit, ReorderingEndsWithoutAReduction)
{
	Conn c = loaded(1500);

	c.in(ack(1500, i1));
	c.in(ack(1500, i1));
	EXPECT_EQ(c.tcb.snd_nxt, i1 + 1200);
	EXPECT_EQ(c.tcb.cwnd, 1200u);
	/* the "lost" segment was only late: everything is acknowledged */
	c.in(ack(1500, i1 + 1200));
	EXPECT_EQ(c.tcb.lt_infl, 0u);
	EXPECT_EQ(c.tcb.dupacks, 0);
	EXPECT_EQ(c.tcb.ssthresh, 0x7fffffffu);
	/* the loan is returned before slow start adds its SMSS */
	EXPECT_EQ(c.tcb.cwnd, 1100u);
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 0u);
	ASSERT_EQ(c.out.size(), 3u);	/* the remaining 300 octets */
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_DATA);
}

TEST(LimitedTransmit, PeerWindowStillApplies)
{
	Conn c = loaded(1500);

	/* the peer shrank its window to what is in flight */
	c.in(ack(1500, i1 + 100, 900));
	ASSERT_EQ(c.tcb.snd_nxt, i1 + 1000);
	c.in(ack(1500, i1 + 100, 900));
	c.in(ack(1500, i1 + 100, 900));
	EXPECT_TRUE(c.out.empty());
	EXPECT_EQ(c.tcb.snd_nxt, i1 + 1000);
	c.in(ack(1500, i1 + 100, 900));
	expect_retrans(c, i1 + 100, kMss, "third dupack");
}

TEST(Karn, NoSampleFromAFastRetransmission)
{
	Conn c = loaded(1000);

	/* the first segment is being timed */
	ASSERT_TRUE(c.tcb.flags & HSK_TF_RTT_TIMING);
	ASSERT_EQ(c.tcb.rtt_seq, i1 + 100);
	u32 srtt = c.tcb.srtt8, rto = c.tcb.rto;

	c.now += 100;
	for (int i = 0; i < 3; i++)
		c.in(ack(1000, i1));
	EXPECT_FALSE(c.tcb.flags & HSK_TF_RTT_TIMING);
	/* the ACK of the resent copy comes "late": no sample */
	c.now += 700;
	c.in(ack(1000, i1 + 1000));
	EXPECT_EQ(c.tcb.srtt8, srtt);
	EXPECT_EQ(c.tcb.rto, rto);
	/* new data after recovery is timed again */
	c.in(Seg(HSK_TCP_ACK, r1 + 1000, i1 + 1000, "z"));
	EXPECT_TRUE(c.tcb.flags & HSK_TF_RTT_TIMING);
	c.now += 100;
	c.in(ack(1001, i1 + 1001));
	EXPECT_EQ(c.tcb.srtt8, 800u);
}

TEST(Karn, TimedSegmentBehindTheHoleIsNoSampleEither)
{
	Conn c = loaded(200);	/* A (timed) and B */

	ASSERT_EQ(c.tcb.rtt_seq, i1 + 100);
	/* A is acknowledged with more data: a sample, and C is timed */
	c.now += 100;
	c.in(Seg(HSK_TCP_ACK, r1 + 200, i1 + 100, stream(900, 200)));
	ASSERT_EQ(c.tcb.snd_nxt, i1 + 1100);
	ASSERT_EQ(c.tcb.rtt_seq, i1 + 300);
	u32 srtt = c.tcb.srtt8;

	/* B, sent before C, is lost: its retransmission ... */
	for (int i = 0; i < 3; i++)
		c.in(ack(1100, i1 + 100));
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 1u);
	/* ... makes the late ACK that covers C no valid sample */
	c.now += 900;
	c.in(ack(1100, i1 + 1100));
	EXPECT_EQ(c.tcb.srtt8, srtt);
}

TEST(Karn, TimestampsStillSample)
{
	Conn c;

	c.p.cfg.rto_min_ms = 10;
	c.p.mss = kMss + HSK_TS_OPT_SPACE;
	c.listen(Seg(HSK_TCP_SYN, kIrs).mss(kMss + HSK_TS_OPT_SPACE)
		 .ts(1000, 0));
	c.now += 100;
	c.in(Seg(HSK_TCP_ACK, r1, i1).ts(1001, c.now - 100 + kTsOff));
	c.in(Seg(HSK_TCP_ACK, r1, i1, stream(1000)).ts(1002, 0));
	ASSERT_EQ(c.tcb.snd_nxt, i1 + 1000);
	u32 sent = c.now;

	c.now += 100;
	for (int i = 0; i < 3; i++)
		c.in(ack(1000, i1).ts(1003, sent + kTsOff));
	ASSERT_EQ(c.out.size(), 1u);
	u32 rtx_ts = c.out[0].tx.tsval;

	c.now += 40;
	u32 srtt = c.tcb.srtt8;

	/* the echo of the retransmission's own TSval is exact: 40 ms */
	c.in(ack(1000, i1 + 1000).ts(1004, rtx_ts));
	EXPECT_EQ(c.tcb.srtt8, srtt - (srtt >> 3) + 40);
}

TEST(FastRecovery, TimeoutEndsItWithoutASecondReduction)
{
	Conn c = loaded(1000);

	for (int i = 0; i < 3; i++)
		c.in(ack(1000, i1));
	ASSERT_EQ(c.tcb.ssthresh, 500u);
	c.run_until(c.deadline(HSK_TIMER_RTX));
	expect_retrans(c, i1, kMss, "timeout");
	EXPECT_FALSE(c.tcb.flags & HSK_TF_FAST_RECOVERY);
	EXPECT_TRUE(c.tcb.flags & HSK_TF_RECOVERY);
	EXPECT_EQ(c.tcb.ssthresh, 500u);
	EXPECT_EQ(c.tcb.cwnd, kMss);
	EXPECT_EQ(c.tcb.recover, i1 + 1000);
	EXPECT_EQ(c.tcb.dupacks, 0);
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 2u);
}

TEST(FastRetransmit, NotForDuplicatesOfAGoBackNResend)
{
	Conn c = loaded(1000);

	c.run_until(c.deadline(HSK_TIMER_RTX));
	expect_retrans(c, i1, kMss, "timeout");
	ASSERT_EQ(c.tcb.recover, i1 + 1000);
	ASSERT_EQ(c.tcb.ssthresh, 500u);
	/* segment 1 arrives; the ACK asks for segment 2, resent next */
	c.in(ack(1000, i1 + 100));
	ASSERT_EQ(c.out.size(), 2u);
	EXPECT_EQ(c.out[0].tx.seq, i1 + 100);
	EXPECT_EQ(c.out[1].tx.seq, i1 + 200);
	u32 rtx = c.cnt[HSK_CNT_RETRANS];

	/* the peer had 3-10 and answers the resent copies with duplicates */
	for (int i = 0; i < 6; i++) {
		c.in(ack(1000, i1 + 100));
		EXPECT_TRUE(c.out.empty()) << i;
	}
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], rtx);
	EXPECT_FALSE(c.tcb.flags & HSK_TF_FAST_RECOVERY);
	EXPECT_EQ(c.tcb.ssthresh, 500u);
	EXPECT_EQ(c.tcb.lt_infl, 0u);	/* no limited transmit either */
}

TEST(FastRecovery, FinInTheLastHole)
{
	Conn c = loaded(0);

	/* 300 octets and the peer's FIN: the echo ends with our FIN */
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_FIN, r1, i1, stream(300)));
	ASSERT_EQ(c.state(), HSK_STATE_LAST_ACK);
	ASSERT_EQ(c.tcb.snd_nxt, i1 + 301);
	Seg dup(HSK_TCP_ACK, r1 + 301, i1);

	for (int i = 0; i < 3; i++)
		c.in(dup);
	expect_retrans(c, i1, kMss, "third dupack");
	c.in(Seg(HSK_TCP_ACK, r1 + 301, i1 + 200));
	expect_retrans(c, i1 + 200, kMss, "partial ACK");
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_ACK | HSK_TCP_PSH | HSK_TCP_FIN);
	c.in(Seg(HSK_TCP_ACK, r1 + 301, i1 + 301));
	EXPECT_TRUE(c.freed);
}

TEST(FastRecovery, WorksAcrossSequenceWrap)
{
	/* recover starts at the ISS, not 0, so SND.UNA is not "before" it */
	for (u32 iss : { 0xfffffe00u, 0x80000000u, 0x7fffff00u }) {
		Conn c = loaded(1000, iss);

		for (int i = 0; i < 3; i++)
			c.in(ack(1000, iss + 1));
		ASSERT_EQ(c.out.size(), 1u) << iss;
		EXPECT_EQ(c.out[0].tx.kind, HSK_TX_RETRANS) << iss;
		EXPECT_EQ(c.out[0].tx.seq, iss + 1) << iss;
		c.in(ack(1000, iss + 401));
		ASSERT_EQ(c.out.size(), 1u) << iss;
		EXPECT_EQ(c.out[0].tx.seq, iss + 401) << iss;
		c.in(ack(1000, iss + 1001));
		EXPECT_FALSE(c.tcb.flags & HSK_TF_FAST_RECOVERY) << iss;
		EXPECT_EQ(c.tcb.recover, iss + 1001) << iss;
	}
}

TEST(FastRecovery, RetransmissionWaitsForASlot)
{
	Conn c = loaded(1000);
	hsk_actions a;
	Seg d = ack(1000, i1);

	for (int i = 0; i < 2; i++)
		c.in(d);
	/* the shell's list is full when output runs: MORE, then resend */
	hsk_actions_init(&a);
	hsk_input(&c.tcb, c.now, &d.s, &a);
	a.nsegs = HSK_ACT_MAX_SEGS;
	EXPECT_EQ(hsk_output(&c.tcb, c.now, &a), 0);
	EXPECT_TRUE(a.flags & HSK_ACT_MORE);
	EXPECT_TRUE(c.tcb.flags & HSK_TF_RTX_HEAD);
	hsk_actions_init(&a);
	EXPECT_EQ(hsk_output(&c.tcb, c.now, &a), 1);
	EXPECT_EQ(a.segs[0].kind, HSK_TX_RETRANS);
	EXPECT_EQ(a.segs[0].seq, i1);
	EXPECT_FALSE(c.tcb.flags & HSK_TF_RTX_HEAD);
}

/* Timestamps negotiated, peer MSS 100 of payload: ten segments out. */
static Conn ts_loaded(u32 n)
{
	Conn c;

	c.p.cfg.rto_min_ms = 200;
	c.p.mss = kMss + HSK_TS_OPT_SPACE;
	c.listen(Seg(HSK_TCP_SYN, kIrs).mss(kMss + HSK_TS_OPT_SPACE)
		 .ts(1000, 0));
	c.now += 100;
	c.in(Seg(HSK_TCP_ACK, r1, i1).ts(1001, kT0 + kTsOff));
	c.in(Seg(HSK_TCP_ACK, r1, i1, stream(n)).ts(1002, kT0 + kTsOff));
	return c;
}

TEST(Eifel, SpuriousFastRetransmitIsUndone)
{
	Conn c = ts_loaded(1500);
	u32 sent = c.now + kTsOff;	/* TSval of the ten segments */

	ASSERT_EQ(c.tcb.snd_nxt, i1 + 1000);
	u32 cwnd = c.tcb.cwnd, ssthresh = c.tcb.ssthresh;

	/* segment 1 is only late: the others draw three duplicates */
	c.now += 100;
	for (int i = 0; i < 3; i++)
		c.in(ack(1500, i1).ts(1003, sent));
	ASSERT_TRUE(c.tcb.flags & HSK_TF_FAST_RECOVERY);
	ASSERT_EQ(c.out[0].tx.kind, HSK_TX_RETRANS);
	EXPECT_EQ(c.tcb.undo_tsval, c.out[0].tx.tsval);
	/* pipe_prev = max(FlightSize, ssthresh): still in slow start */
	EXPECT_EQ(c.tcb.undo_ssthresh, ssthresh);
	/* then it arrives: the ACK echoes the original's TSval */
	c.now += 10;
	c.in(ack(1500, i1 + 1200).ts(1004, sent));
	EXPECT_FALSE(c.tcb.flags &
		     (HSK_TF_FAST_RECOVERY | HSK_TF_RTX_HEAD));
	/* RFC 4015: ssthresh = max(pipe_prev, old ssthresh), cwnd =
	 * FlightSize + min(acked, IW): slow start goes on */
	EXPECT_EQ(c.tcb.ssthresh, ssthresh);
	EXPECT_EQ(c.tcb.cwnd, 0u + 1000u);
	EXPECT_GE(c.tcb.cwnd, cwnd);
	EXPECT_EQ(c.tcb.undo_ssthresh, 0u);
	EXPECT_EQ(c.tcb.recover, i1 + 1200);
	/* the rest of the queue goes out, nothing is resent */
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 1u);
	EXPECT_EQ(c.tcb.snd_nxt, i1 + 1500);
}

TEST(Eifel, GenuineLossKeepsTheReduction)
{
	Conn c = ts_loaded(1000);
	u32 sent = c.now + kTsOff;

	c.now += 100;
	for (int i = 0; i < 3; i++)
		c.in(ack(1000, i1).ts(1003, sent));
	u32 rtx = c.out[0].tx.tsval;

	/* the retransmission filled the hole: its TSval comes back */
	c.now += 100;
	c.in(ack(1000, i1 + 1000).ts(1004, rtx));
	EXPECT_FALSE(c.tcb.flags & HSK_TF_FAST_RECOVERY);
	EXPECT_EQ(c.tcb.ssthresh, 500u);
	EXPECT_EQ(c.tcb.cwnd, 2 * kMss);
	EXPECT_EQ(c.tcb.undo_ssthresh, 0u);
}

TEST(Eifel, DecidedByTheFirstAckOnly)
{
	Conn c = ts_loaded(1000);
	u32 sent = c.now + kTsOff;

	c.now += 100;
	for (int i = 0; i < 3; i++)
		c.in(ack(1000, i1).ts(1003, sent));
	u32 rtx = c.out[0].tx.tsval;

	/* a partial ACK for the retransmission: genuine */
	c.now += 100;
	c.in(ack(1000, i1 + 300).ts(1004, rtx));
	EXPECT_TRUE(c.tcb.flags & HSK_TF_FAST_RECOVERY);
	EXPECT_EQ(c.tcb.undo_ssthresh, 0u);
	/* a later ACK with an old echo undoes nothing */
	c.in(ack(1000, i1 + 600).ts(1005, sent));
	EXPECT_TRUE(c.tcb.flags & HSK_TF_FAST_RECOVERY);
	EXPECT_EQ(c.tcb.ssthresh, 500u);
}

TEST(Eifel, NeedsTimestamps)
{
	Conn c = loaded(1000);

	for (int i = 0; i < 3; i++)
		c.in(ack(1000, i1));
	EXPECT_EQ(c.tcb.undo_ssthresh, 0u);
	c.in(ack(1000, i1 + 1000));
	EXPECT_EQ(c.tcb.ssthresh, 500u);
	/* and a timeout disarms it */
	Conn d = ts_loaded(1000);
	u32 sent = d.now + kTsOff;

	for (int i = 0; i < 3; i++)
		d.in(ack(1000, i1).ts(1003, sent));
	ASSERT_NE(d.tcb.undo_ssthresh, 0u);
	d.run_until(d.deadline(HSK_TIMER_RTX));
	EXPECT_EQ(d.tcb.undo_ssthresh, 0u);
	d.in(ack(1000, i1 + 1000).ts(1004, sent));
	EXPECT_EQ(d.tcb.ssthresh, 500u);
}
