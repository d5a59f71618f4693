// SPDX-License-Identifier: GPL-2.0
/*
 * SACK based loss recovery (RFC 6675) over the SACK scoreboard (RFC 2018):
 * what the scoreboard keeps, what counts as a duplicate ACK, IsLost(),
 * the order of NextSeg(), pipe, the rescue retransmission, and what a
 * timeout does with the scoreboard.
 */
#include "hsk_test.h"

#include <tuple>

using namespace hsk_test;

static const u32 i1 = kIss + 1, r1 = kIrs + 1;
static const u32 kMss = 100;

/* SACK-permitted exchanged, peer MSS 100, cwnd 10 segments, @n echoed. */
static Conn sacking(u32 n, bool sack_ok = true)
{
	Conn c;
	Seg syn(HSK_TCP_SYN, kIrs);

	c.p.cfg.rto_min_ms = 200;
	c.p.mss = kMss;
	syn.mss(kMss);
	if (sack_ok)
		syn.sackp();
	c.listen(syn);
	c.now += 100;
	c.in(Seg(HSK_TCP_ACK, r1, i1));
	if (n)
		c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, stream(n)));
	return c;
}

/* A pure ACK of @a from a peer that holds all @n octets of ours. */
static Seg ack(u32 n, u32 a)
{
	return Seg(HSK_TCP_ACK, r1 + n, a);
}

static std::vector<std::pair<u32, u32>> board(const Conn &c)
{
	std::vector<std::pair<u32, u32>> v;

	for (unsigned int i = 0; i < c.tcb.nsacked; i++)
		v.push_back({ c.tcb.sacked[i].start - i1,
			      c.tcb.sacked[i].end - i1 });
	return v;
}

using Board = std::vector<std::pair<u32, u32>>;

/* The segments of the last event, as (kind, offset, length). */
static std::vector<std::tuple<int, u32, u32>> sent(const Conn &c)
{
	std::vector<std::tuple<int, u32, u32>> v;

	for (const Tx &x : c.out) {
		if (x.tx.data_len) {
			EXPECT_EQ(x.data,
				  stream(x.tx.data_len, x.tx.seq - i1));
		}
		v.push_back({ x.tx.kind, x.tx.seq - i1, x.tx.data_len });
	}
	return v;
}

using Sent = std::vector<std::tuple<int, u32, u32>>;

TEST(SackScoreboard, MergesSortsAndValidates)
{
	Conn c = sacking(1000);

	ASSERT_EQ(c.tcb.snd_nxt, i1 + 1000);
	c.in(ack(1000, i1).sack(i1 + 500, i1 + 600).sack(i1 + 200, i1 + 300));
	EXPECT_EQ(board(c), (Board{ { 200, 300 }, { 500, 600 } }));
	/* touching and overlapping ranges merge */
	c.in(ack(1000, i1).sack(i1 + 300, i1 + 400).sack(i1 + 550, i1 + 700));
	EXPECT_EQ(board(c), (Board{ { 200, 400 }, { 500, 700 } }));
	/* one block can swallow several */
	c.in(ack(1000, i1).sack(i1 + 150, i1 + 800));
	EXPECT_EQ(board(c), (Board{ { 150, 800 } }));
	/* nothing new: not a duplicate in the RFC 6675 sense */
	u8 dup = c.tcb.dupacks;

	c.in(Seg(HSK_TCP_ACK, r1 + 1000, i1, "z").sack(i1 + 200, i1 + 300));
	EXPECT_EQ(c.tcb.dupacks, dup);
	/* the echo of "z" went out: 1001 octets sent */
	ASSERT_EQ(c.tcb.snd_nxt, i1 + 1001);
	/* bogus: beyond what was sent, empty, inverted, D-SACK below */
	c.in(ack(1001, i1).sack(i1 + 900, i1 + 1002).sack(i1 + 850, i1 + 850)
	     .sack(i1 + 880, i1 + 860).sack(i1 - 100, i1));
	EXPECT_EQ(board(c), (Board{ { 150, 800 } }));
	/* the cumulative ACK trims; a block across it is clipped */
	c.in(ack(1001, i1 + 200).sack(i1 + 100, i1 + 900));
	EXPECT_EQ(c.tcb.snd_una, i1 + 200);
	EXPECT_EQ(board(c), (Board{ { 200, 900 } }));
	c.in(ack(1001, i1 + 900));
	EXPECT_EQ(board(c), Board{});
}

TEST(SackScoreboard, FullBoardForgetsTheHighest)
{
	Conn c = sacking(2000);

	/* cwnd 10: grow it so that 20 segments are out */
	for (u32 a = 100; a <= 1000; a += 100)
		c.in(ack(2000, i1 + a));
	ASSERT_EQ(c.tcb.snd_nxt, i1 + 2000);
	/* nine ranges of 50, 100 apart, from 1050 up, in three ACKs */
	for (u32 k = 0; k < 9; k += 3) {
		Seg s = ack(2000, i1 + 1000);

		for (u32 j = k; j < k + 3; j++)
			s.sack(i1 + 1050 + 100 * j, i1 + 1100 + 100 * j);
		c.in(s);
	}
	ASSERT_EQ(c.tcb.nsacked, HSK_SACK_SCORE);
	EXPECT_EQ(c.tcb.sacked[0].start, i1 + 1050);
	EXPECT_EQ(c.tcb.sacked[HSK_SACK_SCORE - 1].start, i1 + 1750);
	/* a lower range still gets in, pushing out the top one */
	c.in(ack(2000, i1 + 1000).sack(i1 + 1010, i1 + 1020));
	ASSERT_EQ(c.tcb.nsacked, HSK_SACK_SCORE);
	EXPECT_EQ(c.tcb.sacked[0].start, i1 + 1010);
	EXPECT_EQ(c.tcb.sacked[HSK_SACK_SCORE - 1].start, i1 + 1650);
}

TEST(SackScoreboard, IgnoredWithoutSackPermitted)
{
	Conn c = sacking(1000, false);

	c.in(ack(1000, i1).sack(i1 + 100, i1 + 400));
	EXPECT_EQ(c.tcb.nsacked, 0);
	EXPECT_EQ(c.tcb.dupacks, 1);	/* RFC 5681 duplicate all the same */
	EXPECT_TRUE(c.out.empty());
}

TEST(SackRecovery, DataCarryingAcksWithNewSackCount)
{
	Conn c = sacking(1000);

	/* the peer keeps sending; its segments SACK one more of ours each */
	for (u32 k = 1; k <= 2; k++) {
		c.in(Seg(HSK_TCP_ACK, r1 + 1000 + k - 1, i1, stream(1, k))
		     .sack(i1 + 100, i1 + 100 + 100 * k));
		EXPECT_EQ(c.tcb.dupacks, k);
		EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 0u);
	}
	/* the third SACKed segment makes the head lost (> 2 SMSS above) */
	c.in(Seg(HSK_TCP_ACK, r1 + 1002, i1, stream(1, 3))
	     .sack(i1 + 100, i1 + 400));
	ASSERT_GE(c.out.size(), 1u);
	EXPECT_EQ(sent(c)[0], std::make_tuple((int)HSK_TX_RETRANS, 0u, kMss));
	EXPECT_TRUE(c.tcb.flags & HSK_TF_FAST_RECOVERY);
	EXPECT_TRUE(c.tcb.flags & HSK_TF_SACK_RECOVERY);
	EXPECT_EQ(c.tcb.ssthresh, 500u);
	/* the retransmission carries the ACK of the peer's new octet */
	EXPECT_EQ(c.out[0].tx.ack, r1 + 1003);
}

TEST(SackRecovery, OneAckShowingThreeRangesStartsIt)
{
	Conn c = sacking(1000);

	/* segments 1, 4 and 7 lost: the head has three ranges above it */
	c.in(ack(1000, i1).sack(i1 + 700, i1 + 1000).sack(i1 + 400, i1 + 600)
	     .sack(i1 + 100, i1 + 300));
	EXPECT_EQ(c.tcb.dupacks, 1);
	/* the head, then NextSeg() rule 1: every lost hole, in order */
	EXPECT_EQ(sent(c), (Sent{ { HSK_TX_RETRANS, 0, 100 },
				  { HSK_TX_RETRANS, 300, 100 },
				  { HSK_TX_RETRANS, 600, 100 } }));
	EXPECT_EQ(c.tcb.rtx_nxt, i1 + 700);	/* HighRxt + 1 */
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 3u);
	/* pipe is now the three resent copies: 300 of ssthresh 500 */
	c.in(ack(1000, i1).sack(i1 + 700, i1 + 1000));
	EXPECT_TRUE(c.out.empty());
	/* the holes fill: the full ACK ends the recovery */
	c.in(ack(1000, i1 + 1000));
	EXPECT_FALSE(c.tcb.flags &
		     (HSK_TF_FAST_RECOVERY | HSK_TF_SACK_RECOVERY));
	EXPECT_EQ(c.tcb.cwnd, 2 * kMss);	/* min(ssthresh, 0 + SMSS) */
	EXPECT_FALSE(c.pending(HSK_TIMER_RTX));
}

TEST(SackRecovery, NewDataWithinPipe)
{
	Conn c = sacking(1500);	/* 10 segments sent, 500 octets wait */

	ASSERT_EQ(c.tcb.snd_nxt, i1 + 1000);
	c.in(ack(1500, i1).sack(i1 + 700, i1 + 1000).sack(i1 + 400, i1 + 600)
	     .sack(i1 + 100, i1 + 300));
	/* three resent (pipe 300), then rule 2: new data up to ssthresh */
	EXPECT_EQ(sent(c), (Sent{ { HSK_TX_RETRANS, 0, 100 },
				  { HSK_TX_RETRANS, 300, 100 },
				  { HSK_TX_RETRANS, 600, 100 },
				  { HSK_TX_DATA, 1000, 100 },
				  { HSK_TX_DATA, 1100, 100 } }));
	EXPECT_LE(c.tcb.snd_nxt - c.tcb.snd_una, c.tcb.cwnd);
	/* the copies and the first two new segments arrive: pipe drops */
	c.in(ack(1500, i1 + 100).sack(i1 + 300, i1 + 400)
	     .sack(i1 + 600, i1 + 1200));
	EXPECT_EQ(sent(c), (Sent{ { HSK_TX_DATA, 1200, 100 },
				  { HSK_TX_DATA, 1300, 100 },
				  { HSK_TX_DATA, 1400, 100 } }));
	EXPECT_LE(c.tcb.snd_nxt - c.tcb.snd_una, c.tcb.cwnd);
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 3u);
}

TEST(SackRecovery, HoleNotYetLostWaitsForNewData)
{
	Conn c = sacking(1500);

	/* head lost (three ranges above); hole at 800 has one range above */
	c.in(ack(1500, i1).sack(i1 + 900, i1 + 1000).sack(i1 + 500, i1 + 800)
	     .sack(i1 + 100, i1 + 400));
	/*
	 * Rule 1 takes the lost holes [0,100) and [400,500). The hole at
	 * 800 is presumed in flight: pipe is 300 of 500, and rule 2 comes
	 * before rule 3, so new data goes before the hole at 800.
	 */
	EXPECT_EQ(sent(c), (Sent{ { HSK_TX_RETRANS, 0, 100 },
				  { HSK_TX_RETRANS, 400, 100 },
				  { HSK_TX_DATA, 1000, 100 },
				  { HSK_TX_DATA, 1100, 100 } }));
	/* without new data to send, rule 3 resends the hole at 800 */
	Conn d = sacking(1000);

	d.in(ack(1000, i1).sack(i1 + 900, i1 + 1000).sack(i1 + 500, i1 + 800)
	     .sack(i1 + 100, i1 + 400));
	EXPECT_EQ(sent(d), (Sent{ { HSK_TX_RETRANS, 0, 100 },
				  { HSK_TX_RETRANS, 400, 100 },
				  { HSK_TX_RETRANS, 800, 100 } }));
}

TEST(SackRecovery, RescueRetransmitsTheTail)
{
	Conn c = sacking(1000);

	/* first and last segment lost; nothing above the last one */
	c.in(ack(1000, i1).sack(i1 + 100, i1 + 900));
	EXPECT_EQ(sent(c), (Sent{ { HSK_TX_RETRANS, 0, 100 } }));
	u32 high = c.tcb.rtx_nxt;

	/* the head is repaired: rule 4, once, for the highest octet */
	c.in(ack(1000, i1 + 900));
	EXPECT_EQ(sent(c), (Sent{ { HSK_TX_RETRANS, 900, 100 } }));
	EXPECT_EQ(c.tcb.rtx_nxt, high);	/* HighRxt stays */
	EXPECT_EQ(c.tcb.rescue_rxt, c.tcb.recover);
	c.in(ack(1000, i1 + 900));
	EXPECT_TRUE(c.out.empty());	/* not twice */
	c.in(ack(1000, i1 + 1000));
	EXPECT_FALSE(c.tcb.flags & HSK_TF_FAST_RECOVERY);
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 2u);
}

TEST(SackRecovery, RescueCarriesTheFin)
{
	Conn c = sacking(0);

	c.in(Seg(HSK_TCP_ACK | HSK_TCP_FIN, r1, i1, stream(500)));
	ASSERT_EQ(c.state(), HSK_STATE_LAST_ACK);
	ASSERT_EQ(c.tcb.snd_nxt, i1 + 501);
	/* head and FIN lost: the FIN is never SACKed */
	c.in(ack(501, i1).sack(i1 + 100, i1 + 500));
	EXPECT_EQ(sent(c), (Sent{ { HSK_TX_RETRANS, 0, 100 } }));
	c.in(ack(501, i1 + 500));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_RETRANS);
	EXPECT_EQ(c.out[0].tx.seq, i1 + 500);
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_ACK | HSK_TCP_FIN);
	c.in(ack(501, i1 + 501));
	EXPECT_TRUE(c.freed);
}

TEST(SackRecovery, TimeoutSkipsWhatThePeerHolds)
{
	Conn c = sacking(1000);

	/* segments 1 and 2 lost */
	c.in(ack(1000, i1).sack(i1 + 200, i1 + 1000));
	EXPECT_EQ(sent(c), (Sent{ { HSK_TX_RETRANS, 0, 100 },
				  { HSK_TX_RETRANS, 100, 100 } }));
	/* both resent copies are lost too */
	c.run_until(c.deadline(HSK_TIMER_RTX));
	EXPECT_EQ(sent(c), (Sent{ { HSK_TX_RETRANS, 0, 100 } }));
	EXPECT_FALSE(c.tcb.flags & HSK_TF_SACK_RECOVERY);
	EXPECT_TRUE(c.tcb.flags & HSK_TF_RECOVERY);
	EXPECT_EQ(c.tcb.nsacked, 1);	/* kept after a first timeout */
	c.in(ack(1000, i1 + 100));
	EXPECT_EQ(sent(c), (Sent{ { HSK_TX_RETRANS, 100, 100 } }));
	/* go-back-N ends at the SACKed range */
	c.in(ack(1000, i1 + 100));
	EXPECT_TRUE(c.out.empty());
	EXPECT_FALSE(c.tcb.flags & HSK_TF_RECOVERY);
	c.in(ack(1000, i1 + 1000));
	EXPECT_FALSE(c.pending(HSK_TIMER_RTX));
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 4u);
}

TEST(SackRecovery, RepeatedTimeoutForgetsTheScoreboard)
{
	Conn c = sacking(1000);

	c.in(ack(1000, i1).sack(i1 + 200, i1 + 1000));
	c.run_until(c.deadline(HSK_TIMER_RTX));
	EXPECT_EQ(c.tcb.nsacked, 1);
	/* nothing comes back: the peer may have reneged (RFC 2018 8) */
	c.run_until(c.deadline(HSK_TIMER_RTX));
	EXPECT_EQ(c.tcb.nsacked, 0);
	EXPECT_EQ(sent(c), (Sent{ { HSK_TX_RETRANS, 0, 100 } }));
	/* go-back-N now resends what was SACKed, too */
	c.in(ack(1000, i1 + 100));
	EXPECT_EQ(sent(c), (Sent{ { HSK_TX_RETRANS, 100, 100 },
				  { HSK_TX_RETRANS, 200, 100 } }));
}

TEST(SackRecovery, WithoutBlocksItIsNewReno)
{
	/* SACK-permitted, but the peer sends plain duplicate ACKs */
	Conn c = sacking(1000);

	for (int i = 0; i < 3; i++)
		c.in(ack(1000, i1));
	EXPECT_EQ(sent(c), (Sent{ { HSK_TX_RETRANS, 0, 100 } }));
	EXPECT_TRUE(c.tcb.flags & HSK_TF_FAST_RECOVERY);
	EXPECT_FALSE(c.tcb.flags & HSK_TF_SACK_RECOVERY);
	EXPECT_EQ(c.tcb.cwnd, 800u);	/* ssthresh + 3 SMSS */
	c.in(ack(1000, i1 + 300));
	EXPECT_EQ(sent(c), (Sent{ { HSK_TX_RETRANS, 300, 100 } }));
}

TEST(SackRecovery, LostRetransmissionIsResentWithoutTimeout)
{
	Conn c = sacking(1500);	/* 10 segments sent, 500 octets wait */

	/* the head is lost: 900 octets SACKed above it */
	c.in(ack(1500, i1).sack(i1 + 100, i1 + 1000));
	Sent s = sent(c);

	ASSERT_GE(s.size(), 2u);
	EXPECT_EQ(s[0], std::make_tuple((int)HSK_TX_RETRANS, 0u, 100u));
	EXPECT_EQ(s[1], std::make_tuple((int)HSK_TX_DATA, 1000u, 100u));
	/* an ACK for nothing sent after the copy: it may still arrive */
	c.in(ack(1500, i1).sack(i1 + 100, i1 + 1000));
	EXPECT_TRUE(c.out.empty());
	/* new data sent after the copy arrived, the copy did not: resend */
	c.in(ack(1500, i1).sack(i1 + 100, i1 + 1100));
	s = sent(c);
	ASSERT_FALSE(s.empty());
	EXPECT_EQ(s[0], std::make_tuple((int)HSK_TX_RETRANS, 0u, 100u));
	EXPECT_TRUE(c.tcb.flags & HSK_TF_SACK_RECOVERY);
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 2u);
	/* the second copy arrives: the recovery goes on with what is left */
	c.in(ack(1500, i1 + 1100));
	EXPECT_EQ(c.tcb.snd_una, i1 + 1100);
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 2u);
}

TEST(SackRecovery, LateRetransmissionIsResentOnce)
{
	Conn c = sacking(1500);

	/* two holes, both lost: both resent, then new data */
	c.in(ack(1500, i1).sack(i1 + 200, i1 + 1000));
	Sent s = sent(c);

	ASSERT_GE(s.size(), 3u);
	EXPECT_EQ(s[1], std::make_tuple((int)HSK_TX_RETRANS, 100u, 100u));
	EXPECT_EQ(std::get<0>(s[2]), (int)HSK_TX_DATA);
	/*
	 * The first copy and the new data arrived, the second copy not (yet):
	 * it went out before the new data, so it is taken for lost.
	 */
	c.in(ack(1500, i1 + 100).sack(i1 + 200, i1 + 1100));
	s = sent(c);
	ASSERT_FALSE(s.empty());
	EXPECT_EQ(s[0], std::make_tuple((int)HSK_TX_RETRANS, 100u, 100u));
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 3u);
	/* it was only late: nothing sent since then is reported, no more */
	c.in(ack(1500, i1 + 100).sack(i1 + 200, i1 + 1100));
	for (const auto &x : sent(c))
		EXPECT_NE(std::get<0>(x), (int)HSK_TX_RETRANS);
	c.in(ack(1500, i1 + 1100));
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 3u);
}
