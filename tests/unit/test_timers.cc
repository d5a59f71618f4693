// SPDX-License-Identifier: GPL-2.0
/* SYN-ACK and data retransmission, RTO, persist, idle, stale timers. */
#include "hsk_test.h"

using namespace hsk_test;

static const u32 i1 = kIss + 1, r1 = kIrs + 1;

TEST(SynAck, RetransmitWithBackoffThenGiveUp)
{
	Conn c;

	c.listen(Seg(HSK_TCP_SYN, kIrs).ws(2));
	const hsk_tx first = c.out[0].tx;
	u32 t = kT0, wait = 1000;

	for (int i = 0; i < 5; i++) {
		ASSERT_EQ(c.deadline(HSK_TIMER_RTX), t + wait) << i;
		t += wait;
		c.run_until(t);
		ASSERT_EQ(c.out.size(), 1u);
		EXPECT_EQ(c.out[0].tx.kind, HSK_TX_SYNACK);
		EXPECT_EQ(c.out[0].tx.seq, first.seq);
		EXPECT_EQ(c.out[0].tx.ack, first.ack);
		EXPECT_EQ(c.out[0].tx.opts, first.opts);
		EXPECT_EQ(c.out[0].tx.wscale, first.wscale);
		wait *= 2;
	}
	EXPECT_EQ(c.cnt[HSK_CNT_SYNACK_RETRANS], 5u);
	EXPECT_EQ(c.deadline(HSK_TIMER_RTX), t + 32000);
	c.run_until(t + 31999);
	EXPECT_FALSE(c.freed);
	c.run_until(t + 32000);
	EXPECT_TRUE(c.freed);
	EXPECT_TRUE(c.out.empty());	/* silently */
	EXPECT_EQ(c.cnt[HSK_CNT_SYNACK_TIMEOUT], 1u);
}

TEST(SynAck, RetriesConfigurable)
{
	Conn c;

	c.p.cfg.synack_retries = 0;
	c.listen(Seg(HSK_TCP_SYN, kIrs));
	c.run_until(kT0 + 1000);
	EXPECT_TRUE(c.freed);
	EXPECT_EQ(c.cnt[HSK_CNT_SYNACK_RETRANS], 0u);
}

TEST(SynAck, LostSynAckMeansSmallStart)
{
	Conn c;

	c.listen(Seg(HSK_TCP_SYN, kIrs).mss(1000));
	c.run_until(kT0 + 1000);
	c.now += 100;
	c.in(Seg(HSK_TCP_ACK, r1, i1));
	ASSERT_EQ(c.state(), HSK_STATE_ESTABLISHED);
	/* Karn: no sample; RFC 6298 5.7: RTO 3 s; RFC 6928: cwnd 1 MSS */
	EXPECT_FALSE(c.tcb.flags & HSK_TF_RTT_VALID);
	EXPECT_EQ(c.tcb.rto, 3000u);
	EXPECT_EQ(c.tcb.cwnd, 1000u);
	EXPECT_FALSE(c.pending(HSK_TIMER_RTX));
}

TEST(SynAck, HandshakeRttSample)
{
	Conn c;

	c.p.cfg.rto_min_ms = 10;
	c.listen(Seg(HSK_TCP_SYN, kIrs));
	c.now += 100;
	c.in(Seg(HSK_TCP_ACK, r1, i1));
	/* RFC 6298 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR */
	EXPECT_EQ(c.tcb.srtt8, 800u);
	EXPECT_EQ(c.tcb.rttvar4, 200u);
	EXPECT_EQ(c.tcb.rto, 300u);
}

static Conn sending(u32 mss = 1000)
{
	Conn c;

	c.p.cfg.rto_min_ms = 200;
	c.p.mss = (u16)mss;
	c.listen(Seg(HSK_TCP_SYN, kIrs).mss((u16)mss));
	c.now += 100;
	c.in(Seg(HSK_TCP_ACK, r1, i1));
	return c;
}

TEST(Rto, RetransmitBackoffAndAbort)
{
	Conn c = sending();

	ASSERT_EQ(c.tcb.rto, 300u);
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, "abc"));
	ASSERT_EQ(c.deadline(HSK_TIMER_RTX), c.now + 300);
	u32 wait = 300;

	for (int i = 0; i < 15; i++) {
		c.run_until(c.deadline(HSK_TIMER_RTX));
		ASSERT_EQ(c.out.size(), 1u) << i;
		EXPECT_EQ(c.out[0].tx.kind, HSK_TX_RETRANS);
		EXPECT_EQ(c.out[0].tx.seq, i1);
		EXPECT_EQ(c.out[0].data, "abc");
		wait = std::min(wait * 2, 120000u);
		EXPECT_EQ(c.deadline(HSK_TIMER_RTX), c.now + wait) << i;
	}
	EXPECT_EQ(c.tcb.rto, 120000u);
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 15u);
	c.run_until(c.deadline(HSK_TIMER_RTX));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_RST);
	EXPECT_EQ(c.out[0].tx.seq, i1 + 3);
	EXPECT_TRUE(c.freed);
	EXPECT_EQ(c.cnt[HSK_CNT_RTO_TIMEOUT], 1u);
}

TEST(Rto, KarnNoSampleFromRetransmission)
{
	Conn c = sending();

	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, "abc"));
	c.run_until(c.deadline(HSK_TIMER_RTX));
	EXPECT_EQ(c.tcb.rto, 600u);
	u32 srtt = c.tcb.srtt8;

	c.now += 10;
	c.in(Seg(HSK_TCP_ACK, r1 + 3, i1 + 3));
	EXPECT_EQ(c.tcb.srtt8, srtt);
	EXPECT_EQ(c.tcb.rto, 600u);	/* backoff kept until a sample */
	/* the next, clean, exchange gives a sample and resets it */
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1 + 3, i1 + 3, "d"));
	c.now += 100;
	c.in(Seg(HSK_TCP_ACK, r1 + 4, i1 + 4));
	EXPECT_EQ(c.tcb.srtt8, 800u);
	EXPECT_EQ(c.tcb.rto, 250u);	/* 100 + 4 * 37.5 */
}

TEST(Rto, GoBackNAfterTimeout)
{
	Conn c = sending(100);

	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, std::string(500, 'g')));
	ASSERT_EQ(c.out.size(), 5u);
	c.run_until(c.deadline(HSK_TIMER_RTX));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.seq, i1);
	EXPECT_EQ(c.tcb.cwnd, 100u);
	EXPECT_EQ(c.tcb.ssthresh, 250u);
	/* each ACK of resent data releases the next (slow start again) */
	c.in(Seg(HSK_TCP_ACK, r1 + 500, i1 + 100));
	ASSERT_EQ(c.out.size(), 2u);
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_RETRANS);
	EXPECT_EQ(c.out[0].tx.seq, i1 + 100);
	EXPECT_EQ(c.out[1].tx.seq, i1 + 200);
	/* the rest had arrived after all: recovery ends, nothing resent */
	c.in(Seg(HSK_TCP_ACK, r1 + 500, i1 + 500));
	EXPECT_TRUE(c.out.empty());
	EXPECT_FALSE(c.tcb.flags & HSK_TF_RECOVERY);
	EXPECT_FALSE(c.pending(HSK_TIMER_RTX));
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 3u);
}

TEST(Rto, FinRetransmitted)
{
	Conn c = sending();

	c.close();
	ASSERT_EQ(c.state(), HSK_STATE_FIN_WAIT_1);
	c.run_until(c.deadline(HSK_TIMER_RTX));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_ACK | HSK_TCP_FIN);
	EXPECT_EQ(c.out[0].tx.seq, i1);
	EXPECT_EQ(c.out[0].tx.data_len, 0u);
}

TEST(Rto, DataAndFinRetransmittedTogether)
{
	Conn c = sending();

	c.in(Seg(HSK_TCP_ACK | HSK_TCP_FIN, r1, i1, "last"));
	ASSERT_EQ(c.state(), HSK_STATE_LAST_ACK);
	c.run_until(c.deadline(HSK_TIMER_RTX));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.flags,
		  HSK_TCP_ACK | HSK_TCP_FIN | HSK_TCP_PSH);
	EXPECT_EQ(c.out[0].data, "last");
	c.in(Seg(HSK_TCP_ACK, r1 + 5, i1 + 5));
	EXPECT_TRUE(c.freed);
}

TEST(Timers, StaleExpiriesAreHarmless)
{
	Conn c = sending();

	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, "abc"));
	u32 due = c.deadline(HSK_TIMER_RTX);

	c.in(Seg(HSK_TCP_ACK, r1 + 3, i1 + 3));
	ASSERT_FALSE(c.pending(HSK_TIMER_RTX));
	/* the expiry raced with the cancel */
	hsk_actions a;

	hsk_actions_init(&a);
	hsk_timeout(&c.tcb, HSK_TIMER_RTX, due, &a);
	EXPECT_EQ(a.nsegs, 0);
	EXPECT_EQ(a.timer_arm, 0);
	/* an early expiry is re-armed for the recorded deadline */
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1 + 3, i1 + 3, "d"));
	due = c.deadline(HSK_TIMER_RTX);
	hsk_actions_init(&a);
	hsk_timeout(&c.tcb, HSK_TIMER_RTX, due - 1, &a);
	EXPECT_EQ(a.nsegs, 0);
	EXPECT_EQ(a.timer_arm, BIT(HSK_TIMER_RTX));
	EXPECT_EQ(a.timer_expires[HSK_TIMER_RTX], due);
	/* unknown timer kinds are ignored */
	hsk_actions_init(&a);
	hsk_timeout(&c.tcb, (enum hsk_timer)HSK_TIMER_MAX, due, &a);
	EXPECT_EQ(a.nsegs, 0);
}

TEST(Timers, NextDeadline)
{
	Conn c = sending();
	u32 t = 0;

	EXPECT_FALSE(hsk_timer_next(&c.tcb, &t));
	c.tcb.cfg.idle_ms = 0;
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, "abc"));
	ASSERT_TRUE(hsk_timer_next(&c.tcb, &t));
	EXPECT_EQ(t, c.deadline(HSK_TIMER_RTX));
}

TEST(Persist, ProbesZeroWindowUntilItOpens)
{
	Conn c = sending();

	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, "xyz", 0));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.data_len, 0u);	/* just the ACK */
	EXPECT_FALSE(c.pending(HSK_TIMER_RTX));
	ASSERT_TRUE(c.pending(HSK_TIMER_PERSIST));
	EXPECT_EQ(c.deadline(HSK_TIMER_PERSIST), c.now + 300);

	c.run_until(c.deadline(HSK_TIMER_PERSIST));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_PROBE);
	EXPECT_EQ(c.out[0].tx.seq, i1 - 1);
	EXPECT_EQ(c.out[0].tx.ack, r1 + 3);
	EXPECT_EQ(c.out[0].tx.data_len, 0u);
	EXPECT_EQ(c.deadline(HSK_TIMER_PERSIST), c.now + 600);
	/* the peer answers, window still zero: probing goes on, backed off */
	c.in(Seg(HSK_TCP_ACK, r1 + 3, i1, "", 0));
	EXPECT_TRUE(c.out.empty());
	EXPECT_EQ(c.tcb.probes, 0);
	c.run_until(c.deadline(HSK_TIMER_PERSIST));
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_PROBE);
	EXPECT_EQ(c.deadline(HSK_TIMER_PERSIST), c.now + 1200);
	EXPECT_EQ(c.cnt[HSK_CNT_PERSIST_PROBE], 2u);
	/* it opens: the data goes out, persist stops */
	c.in(Seg(HSK_TCP_ACK, r1 + 3, i1, "", 100));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].data, "xyz");
	EXPECT_FALSE(c.pending(HSK_TIMER_PERSIST));
	EXPECT_TRUE(c.pending(HSK_TIMER_RTX));
}

TEST(Persist, UnansweredProbesAbort)
{
	Conn c = sending();

	c.p.cfg.retries = 3;
	c.tcb.cfg.retries = 3;
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, "xyz", 0));
	for (int i = 0; i < 3; i++) {
		c.run_until(c.deadline(HSK_TIMER_PERSIST));
		ASSERT_EQ(c.out.size(), 1u);
		EXPECT_EQ(c.out[0].tx.kind, HSK_TX_PROBE);
	}
	c.run_until(c.deadline(HSK_TIMER_PERSIST));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_RST);
	EXPECT_TRUE(c.freed);
}

TEST(Persist, SmallWindowUsedAfterTimeout)
{
	Conn c = sending();

	/* 10 octets of window, 100 queued: silly window avoidance waits */
	c.in(Seg(HSK_TCP_ACK, r1, i1, std::string(100, 's'), 10));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.data_len, 0u);
	ASSERT_TRUE(c.pending(HSK_TIMER_PERSIST));
	c.run_until(c.deadline(HSK_TIMER_PERSIST));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_DATA);
	EXPECT_EQ(c.out[0].tx.data_len, 10u);
	EXPECT_TRUE(c.pending(HSK_TIMER_RTX));
}

TEST(Persist, FinNeedsNoWindow)
{
	Conn c = sending();

	c.in(Seg(HSK_TCP_ACK, r1, i1, "", 0));
	c.close();
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_ACK | HSK_TCP_FIN);
}

TEST(Idle, CloseThenAbort)
{
	Conn c;

	c.p.cfg.idle_ms = 5000;
	c.establish();
	ASSERT_EQ(c.deadline(HSK_TIMER_IDLE), kT0 + 5000);
	/* progress at +3 s pushes the deadline without a timer operation */
	c.now = kT0 + 3000;
	c.in(Seg(HSK_TCP_ACK, r1, i1, "x"));
	EXPECT_FALSE(c.act.timer_arm & BIT(HSK_TIMER_IDLE));
	c.run_until(kT0 + 5000);
	EXPECT_EQ(c.deadline(HSK_TIMER_IDLE), kT0 + 8000);
	EXPECT_EQ(c.cnt[HSK_CNT_IDLE_TIMEOUT], 0u);
	/* the echo is never acknowledged: retransmissions are no progress */
	c.run_until(kT0 + 8000);
	EXPECT_EQ(c.cnt[HSK_CNT_IDLE_TIMEOUT], 1u);
	EXPECT_EQ(c.state(), HSK_STATE_FIN_WAIT_1);
	ASSERT_FALSE(c.out.empty());
	EXPECT_EQ(c.out.back().tx.flags, HSK_TCP_ACK | HSK_TCP_FIN);
	EXPECT_EQ(c.deadline(HSK_TIMER_IDLE), kT0 + 13000);
	/* the peer never answers the FIN */
	c.run_until(kT0 + 13000);
	EXPECT_TRUE(c.freed);
	EXPECT_EQ(c.cnt[HSK_CNT_IDLE_TIMEOUT], 2u);
	EXPECT_EQ(c.all.back().tx.flags, HSK_TCP_RST);
}

TEST(Idle, OffByDefault)
{
	Conn c;

	c.establish();
	EXPECT_FALSE(c.pending(HSK_TIMER_IDLE));
}

/*
 * The peer's ACK of the first SYN-ACK was lost; it answers the copy with
 * a challenge ACK that echoes the first one's TSval, a "round trip" of
 * the whole SYN-ACK timeout. That is no sample: RFC 6298 5.7's 3 s stand
 * until data is timed, which then sets the RTO from the path alone.
 */
TEST(SynAck, EchoOfAnEarlierSynAckIsNoSample)
{
	Conn c;

	c.p.cfg.rto_min_ms = 50;
	c.listen(Seg(HSK_TCP_SYN, kIrs).ts(100, 0));
	u32 first = c.out[0].tx.tsval;

	c.run_until(kT0 + 1000);
	ASSERT_EQ(c.out.size(), 1u);
	u32 second = c.out[0].tx.tsval;

	c.now += 1;
	c.in(Seg(HSK_TCP_ACK, r1, i1).ts(101, first));
	ASSERT_EQ(c.state(), HSK_STATE_ESTABLISHED);
	EXPECT_FALSE(c.tcb.flags & HSK_TF_RTT_VALID);
	EXPECT_EQ(c.tcb.rto, 3000u);

	/* the first echoed data is timed by its echo: 1 ms */
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, "abc").ts(102, second));
	u32 sent = c.out[0].tx.tsval;

	c.now += 1;
	c.in(Seg(HSK_TCP_ACK, r1 + 3, i1 + 3).ts(103, sent));
	EXPECT_TRUE(c.tcb.flags & HSK_TF_RTT_VALID);
	EXPECT_EQ(c.tcb.rto, 50u);
}

TEST(SynAck, EchoOfTheLatestSynAckIsASample)
{
	Conn c;

	c.p.cfg.rto_min_ms = 50;
	c.listen(Seg(HSK_TCP_SYN, kIrs).ts(100, 0));
	c.run_until(kT0 + 1000);
	u32 second = c.out[0].tx.tsval;

	c.now += 2;
	c.in(Seg(HSK_TCP_ACK, r1, i1).ts(101, second));
	EXPECT_TRUE(c.tcb.flags & HSK_TF_RTT_VALID);
	EXPECT_EQ(c.tcb.srtt8, 16u);
	EXPECT_EQ(c.tcb.rto, 50u);
}
