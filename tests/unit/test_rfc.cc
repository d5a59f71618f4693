// SPDX-License-Identifier: GPL-2.0
/* RFC 5961 blind attack defences and RFC 7323 timestamps / PAWS. */
#include "hsk_test.h"

using namespace hsk_test;

static const u32 i1 = kIss + 1, r1 = kIrs + 1;

static void expect_ack(const Conn &c, u8 kind, u32 seq, u32 ack)
{
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.kind, kind);
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_ACK);
	EXPECT_EQ(c.out[0].tx.seq, seq);
	EXPECT_EQ(c.out[0].tx.ack, ack);
}

TEST(Rfc5961, RstExactResets)
{
	Conn c;

	c.establish();
	c.in(Seg(HSK_TCP_RST, r1));
	EXPECT_TRUE(c.out.empty());
	EXPECT_TRUE(c.freed);
	EXPECT_EQ(c.cnt[HSK_CNT_RESET_RX], 1u);
	EXPECT_EQ(c.trans.back().from, HSK_STATE_ESTABLISHED);
	EXPECT_EQ(c.trans.back().to, HSK_STATE_CLOSED);
}

TEST(Rfc5961, RstInWindowDrawsChallenge)
{
	Conn c;

	c.establish();
	c.in(Seg(HSK_TCP_RST | HSK_TCP_ACK, r1 + 1, i1));
	expect_ack(c, HSK_TX_CHALLENGE, i1, r1);
	EXPECT_EQ(c.state(), HSK_STATE_ESTABLISHED);
	EXPECT_EQ(c.cnt[HSK_CNT_CHALLENGE_ACK], 1u);
	EXPECT_EQ(c.act.drop, HSK_DROP_RST_CHALLENGE);
	/* last in-window sequence number too */
	c.now += 1000;
	c.in(Seg(HSK_TCP_RST, r1 + 65534));
	expect_ack(c, HSK_TX_CHALLENGE, i1, r1);
	/* the peer answers a challenge with the exact RST */
	c.in(Seg(HSK_TCP_RST, r1));
	EXPECT_TRUE(c.freed);
}

TEST(Rfc5961, RstOutsideWindowIgnored)
{
	for (u32 seq : { r1 - 1, r1 + 65535, r1 - 100000, r1 + 0x80000000u }) {
		Conn c;

		c.establish();
		c.in(Seg(HSK_TCP_RST, seq));
		EXPECT_TRUE(c.out.empty()) << seq;
		EXPECT_EQ(c.state(), HSK_STATE_ESTABLISHED);
		EXPECT_EQ(c.act.drop, HSK_DROP_RST_OUT_OF_WINDOW);
	}
}

TEST(Rfc5961, SynAnySeqDrawsChallenge)
{
	for (u32 seq : { r1, r1 + 10, r1 - 1, kIrs - 12345, r1 + 70000 }) {
		Conn c;

		c.establish();
		c.in(Seg(HSK_TCP_SYN, seq));
		expect_ack(c, HSK_TX_CHALLENGE, i1, r1);
		EXPECT_EQ(c.state(), HSK_STATE_ESTABLISHED);
		EXPECT_EQ(c.act.drop, HSK_DROP_SYN_CHALLENGE);
	}
}

TEST(Rfc5961, ChallengeAckRateLimit)
{
	Conn c;

	c.establish();
	c.in(Seg(HSK_TCP_SYN, r1));
	EXPECT_EQ(c.out.size(), 1u);
	c.now += 499;
	c.in(Seg(HSK_TCP_RST, r1 + 5));
	EXPECT_TRUE(c.out.empty());
	EXPECT_EQ(c.cnt[HSK_CNT_ACK_RATELIMITED], 1u);
	c.now += 1;
	c.in(Seg(HSK_TCP_RST, r1 + 5));
	EXPECT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.cnt[HSK_CNT_CHALLENGE_ACK], 2u);

	/* interval 0: the core does not limit, the shell may */
	Conn u;

	u.p.cfg.oow_ack_interval_ms = 0;
	u.establish();
	for (int i = 0; i < 5; i++) {
		u.in(Seg(HSK_TCP_SYN, r1));
		EXPECT_EQ(u.out.size(), 1u);
	}
	EXPECT_EQ(u.cnt[HSK_CNT_CHALLENGE_ACK], 5u);
}

TEST(Rfc5961, AckAcceptability)
{
	Conn c;

	c.establish();
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, "0123456789"));
	ASSERT_EQ(c.tcb.snd_nxt, i1 + 10);

	/* SEG.ACK > SND.NXT: ACK and drop, data included */
	c.in(Seg(HSK_TCP_ACK, r1 + 10, i1 + 11, "zz"));
	expect_ack(c, HSK_TX_DUPACK, i1 + 10, r1 + 10);
	EXPECT_EQ(c.act.drop, HSK_DROP_ACK_UNSENT);
	EXPECT_EQ(c.act.deliver_len, 0u);

	/* below SND.UNA - MAX.SND.WND: challenge */
	c.now += 1000;
	c.in(Seg(HSK_TCP_ACK, r1 + 10, i1 - 65535 - 1, "zz"));
	expect_ack(c, HSK_TX_CHALLENGE, i1 + 10, r1 + 10);
	EXPECT_EQ(c.act.drop, HSK_DROP_ACK_TOO_OLD);

	/* exactly SND.UNA - MAX.SND.WND: old but acceptable, data taken */
	c.in(Seg(HSK_TCP_ACK, r1 + 10, i1 - 65535, "ok"));
	EXPECT_EQ(c.act.drop, HSK_DROP_NONE);
	EXPECT_EQ(c.act.deliver_len, 2u);
	EXPECT_EQ(c.act.acked, 0u);
	/* a duplicate ACK does not update the window */
	EXPECT_EQ(c.tcb.snd_wnd, 65535u);
	c.in(Seg(HSK_TCP_ACK, r1 + 12, i1 - 1, "", 10));
	EXPECT_EQ(c.tcb.snd_wnd, 65535u);
	/* a partial ACK does */
	c.in(Seg(HSK_TCP_ACK, r1 + 12, i1 + 4, "", 1000));
	EXPECT_EQ(c.tcb.snd_wnd, 1000u);
	EXPECT_EQ(c.act.acked, 4u);
	EXPECT_EQ(c.sndq, "456789ok");
}

TEST(Rfc5961, WindowUpdateRules)
{
	Conn c;

	c.establish();
	/* an older segment (SND.WL1 > SEG.SEQ) may not shrink the window */
	c.in(Seg(HSK_TCP_ACK, r1, i1, "abc"));
	c.in(Seg(HSK_TCP_ACK, r1 + 3, i1 + 3, "", 30000));
	EXPECT_EQ(c.tcb.snd_wnd, 30000u);
	EXPECT_EQ(c.tcb.snd_wl1, r1 + 3);
	c.in(Seg(HSK_TCP_ACK, r1, i1 + 3, "abc", 100));
	EXPECT_EQ(c.tcb.snd_wnd, 30000u);
	/* same SEQ, same ACK: the newer one wins */
	c.in(Seg(HSK_TCP_ACK, r1 + 3, i1 + 3, "", 20000));
	EXPECT_EQ(c.tcb.snd_wnd, 20000u);
	EXPECT_EQ(c.tcb.max_snd_wnd, 65535u);
}

TEST(SynReceived, DuplicateSynResendsSynAck)
{
	Conn c;

	c.listen(Seg(HSK_TCP_SYN, kIrs).mss(1000));
	c.now += 300;
	c.in(Seg(HSK_TCP_SYN, kIrs).mss(1000));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_SYNACK);
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_SYN | HSK_TCP_ACK);
	EXPECT_EQ(c.out[0].tx.seq, kIss);
	EXPECT_EQ(c.out[0].tx.ack, r1);
	EXPECT_EQ(c.state(), HSK_STATE_SYN_RECEIVED);
	EXPECT_EQ(c.cnt[HSK_CNT_SYNACK_RETRANS], 1u);
	/* a flood of them is rate limited */
	c.in(Seg(HSK_TCP_SYN, kIrs));
	EXPECT_TRUE(c.out.empty());
}

TEST(SynReceived, NewSynForgetsTheHalfOpenConnection)
{
	Conn c;

	c.listen(Seg(HSK_TCP_SYN, kIrs));
	c.in(Seg(HSK_TCP_SYN, r1 + 100));
	EXPECT_TRUE(c.out.empty());
	EXPECT_TRUE(c.freed);
	EXPECT_EQ(c.act.drop, HSK_DROP_SYN_RESET);
}

TEST(SynReceived, BadAckIsReset)
{
	for (u32 ack : { kIss, kIss + 2, kIss - 1000, 0u }) {
		Conn c;

		c.listen(Seg(HSK_TCP_SYN, kIrs));
		c.in(Seg(HSK_TCP_ACK, r1, ack, "data"));
		ASSERT_EQ(c.out.size(), 1u);
		EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_RST);
		EXPECT_EQ(c.out[0].tx.seq, ack);
		EXPECT_EQ(c.state(), HSK_STATE_SYN_RECEIVED);
		EXPECT_EQ(c.act.deliver_len, 0u);
	}
}

TEST(SynReceived, RstReturnsToListen)
{
	Conn c;

	c.listen(Seg(HSK_TCP_SYN, kIrs));
	c.in(Seg(HSK_TCP_RST, r1));
	EXPECT_TRUE(c.freed);
	EXPECT_TRUE(c.out.empty());
}

/* timestamps negotiated: TS.Recent = 1000 */
static Conn ts_conn()
{
	Conn c;

	c.listen(Seg(HSK_TCP_SYN, kIrs).ts(1000, 0));
	c.in(Seg(HSK_TCP_ACK, r1, i1).ts(1000, kT0 + kTsOff));
	EXPECT_EQ(c.state(), HSK_STATE_ESTABLISHED);
	return c;
}

TEST(Paws, OldTimestampRejected)
{
	Conn c = ts_conn();

	c.in(Seg(HSK_TCP_ACK, r1, i1, "old").ts(999, 0));
	expect_ack(c, HSK_TX_DUPACK, i1, r1);
	EXPECT_EQ(c.act.drop, HSK_DROP_PAWS);
	EXPECT_EQ(c.act.deliver_len, 0u);
	EXPECT_EQ(c.out[0].tx.tsecr, 1000u);
	EXPECT_EQ(c.tcb.ts_recent, 1000u);
}

TEST(Paws, EqualAndNewerAccepted)
{
	Conn c = ts_conn();

	c.in(Seg(HSK_TCP_ACK, r1, i1, "a").ts(1000, 0));
	EXPECT_EQ(c.act.deliver_len, 1u);
	c.in(Seg(HSK_TCP_ACK, r1 + 1, i1, "b").ts(0x80000000u, 0));
	EXPECT_EQ(c.act.deliver_len, 1u);
	EXPECT_EQ(c.tcb.ts_recent, 0x80000000u);
	/* the timestamp clock wraps like sequence numbers */
	c.in(Seg(HSK_TCP_ACK, r1 + 2, i1 + 2, "c").ts(0xfff00000u, 0));
	EXPECT_EQ(c.act.deliver_len, 1u);
	c.in(Seg(HSK_TCP_ACK, r1 + 3, i1 + 3, "d").ts(5, 0));
	EXPECT_EQ(c.act.deliver_len, 1u);
	EXPECT_EQ(c.tcb.ts_recent, 5u);
}

TEST(Paws, MissingTimestampDroppedSilently)
{
	Conn c = ts_conn();

	c.in(Seg(HSK_TCP_ACK, r1, i1, "nots"));
	EXPECT_TRUE(c.out.empty());
	EXPECT_EQ(c.act.drop, HSK_DROP_NO_TS);
	EXPECT_EQ(c.act.deliver_len, 0u);
	/* RST need not carry one (and old ones are fine for RST) */
	c.in(Seg(HSK_TCP_RST, r1).ts(1, 0));
	EXPECT_TRUE(c.freed);
}

TEST(Paws, RstWithoutTimestampAccepted)
{
	Conn c = ts_conn();

	c.in(Seg(HSK_TCP_RST, r1));
	EXPECT_TRUE(c.freed);
}

TEST(Paws, TsRecentOnlyFromSegmentsAtTheLeftEdge)
{
	Conn c = ts_conn();

	/* out of order: acceptable, but SEG.SEQ > Last.ACK.sent */
	c.in(Seg(HSK_TCP_ACK, r1 + 10, i1, "ooo").ts(5000, 0));
	EXPECT_EQ(c.act.store_len, 3u);
	EXPECT_EQ(c.tcb.ts_recent, 1000u);
	c.in(Seg(HSK_TCP_ACK, r1, i1, "in").ts(2000, 0));
	EXPECT_EQ(c.tcb.ts_recent, 2000u);
	ASSERT_FALSE(c.out.empty());
	EXPECT_EQ(c.out[0].tx.tsecr, 2000u);
}

TEST(Paws, InvalidAfter24DaysIdle)
{
	Conn c = ts_conn();

	c.now += HSK_PAWS_IDLE_MS;
	c.in(Seg(HSK_TCP_ACK, r1, i1, "x").ts(10, 0));
	EXPECT_EQ(c.act.drop, HSK_DROP_NONE);
	EXPECT_EQ(c.act.deliver_len, 1u);
	EXPECT_EQ(c.tcb.ts_recent, 10u);
}

TEST(Paws, RttFromEcho)
{
	Conn c = ts_conn();

	EXPECT_EQ(c.tcb.srtt8, 0u);	/* handshake took 0 ms */
	c.in(Seg(HSK_TCP_ACK, r1, i1, "abc").ts(1001, c.now + kTsOff));
	c.now += 80;
	c.in(Seg(HSK_TCP_ACK, r1 + 3, i1 + 3).ts(1002, c.now - 80 + kTsOff));
	/* srtt = 7/8 * 0 + 80 / 8 */
	EXPECT_EQ(c.tcb.srtt8, 80u);
	/* an echo from the future is no sample */
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1 + 3, i1 + 3, "d").ts(1003, 0));
	c.in(Seg(HSK_TCP_ACK, r1 + 4, i1 + 4).ts(1004, c.now + kTsOff + 5));
	EXPECT_EQ(c.tcb.srtt8, 80u);
}
