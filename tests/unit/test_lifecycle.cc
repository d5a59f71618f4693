// SPDX-License-Identifier: GPL-2.0
/* Whole connections: handshake, data, the three ways of closing, wrap. */
#include "hsk_test.h"

using namespace hsk_test;

static const u32 i1 = kIss + 1, r1 = kIrs + 1;

static void expect_trans(const Conn &c, std::vector<std::pair<u8, u8>> want)
{
	ASSERT_EQ(c.trans.size(), want.size());
	for (size_t i = 0; i < want.size(); i++) {
		EXPECT_EQ(c.trans[i].from, want[i].first) << i;
		EXPECT_EQ(c.trans[i].to, want[i].second) << i;
	}
}

TEST(Lifecycle, EchoThenPassiveClose)
{
	Conn c;

	c.establish();
	EXPECT_EQ(c.cnt[HSK_CNT_ESTABLISHED], 1u);
	EXPECT_FALSE(c.pending(HSK_TIMER_RTX));

	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, "hello"));
	ASSERT_EQ(c.out.size(), 1u);	/* the ACK rides on the echo */
	const hsk_tx &d = c.out[0].tx;

	EXPECT_EQ(d.kind, HSK_TX_DATA);
	EXPECT_EQ(d.flags, HSK_TCP_ACK | HSK_TCP_PSH);
	EXPECT_EQ(d.seq, i1);
	EXPECT_EQ(d.ack, r1 + 5);
	EXPECT_EQ(d.wnd, 65535 - 5);
	EXPECT_EQ(c.out[0].data, "hello");
	EXPECT_TRUE(c.pending(HSK_TIMER_RTX));
	EXPECT_EQ(c.cnt[HSK_CNT_RX_BYTES], 5u);
	EXPECT_EQ(c.cnt[HSK_CNT_TX_BYTES], 5u);

	c.in(Seg(HSK_TCP_ACK, r1 + 5, i1 + 5));
	EXPECT_TRUE(c.out.empty());
	EXPECT_EQ(c.act.acked, 5u);
	EXPECT_TRUE(c.sndq.empty());
	EXPECT_FALSE(c.pending(HSK_TIMER_RTX));

	c.in(Seg(HSK_TCP_ACK | HSK_TCP_FIN, r1 + 5, i1 + 5));
	ASSERT_EQ(c.out.size(), 1u);	/* FIN and ACK of FIN together */
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_ACK | HSK_TCP_FIN);
	EXPECT_EQ(c.out[0].tx.seq, i1 + 5);
	EXPECT_EQ(c.out[0].tx.ack, r1 + 6);
	EXPECT_EQ(c.state(), HSK_STATE_LAST_ACK);

	c.in(Seg(HSK_TCP_ACK, r1 + 6, i1 + 6));
	EXPECT_TRUE(c.out.empty());
	EXPECT_TRUE(c.freed);
	EXPECT_EQ(c.state(), HSK_STATE_CLOSED);
	expect_trans(c, { { HSK_STATE_LISTEN, HSK_STATE_SYN_RECEIVED },
			  { HSK_STATE_SYN_RECEIVED, HSK_STATE_ESTABLISHED },
			  { HSK_STATE_ESTABLISHED, HSK_STATE_CLOSE_WAIT },
			  { HSK_STATE_CLOSE_WAIT, HSK_STATE_LAST_ACK },
			  { HSK_STATE_LAST_ACK, HSK_STATE_CLOSED } });

	/* a freed connection ignores everything */
	c.in(Seg(HSK_TCP_ACK, r1 + 6, i1 + 6));
	EXPECT_EQ(c.act.drop, HSK_DROP_CLOSED);
	EXPECT_TRUE(c.out.empty());
}

TEST(Lifecycle, DataOnHandshakeAckAndFinTogether)
{
	Conn c;

	c.listen(Seg(HSK_TCP_SYN, kIrs));
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH | HSK_TCP_FIN, r1, i1, "bye"));
	/* echo, our FIN and the ACK of theirs in one segment */
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.flags,
		  HSK_TCP_ACK | HSK_TCP_PSH | HSK_TCP_FIN);
	EXPECT_EQ(c.out[0].data, "bye");
	EXPECT_EQ(c.out[0].tx.ack, r1 + 4);
	EXPECT_EQ(c.state(), HSK_STATE_LAST_ACK);
	expect_trans(c, { { HSK_STATE_LISTEN, HSK_STATE_SYN_RECEIVED },
			  { HSK_STATE_SYN_RECEIVED, HSK_STATE_ESTABLISHED },
			  { HSK_STATE_ESTABLISHED, HSK_STATE_CLOSE_WAIT },
			  { HSK_STATE_CLOSE_WAIT, HSK_STATE_LAST_ACK } });
	c.in(Seg(HSK_TCP_ACK, r1 + 4, i1 + 4));
	EXPECT_TRUE(c.freed);
}

TEST(Lifecycle, ActiveCloseThroughTimeWait)
{
	Conn c;

	c.establish();
	c.close();
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_ACK | HSK_TCP_FIN);
	EXPECT_EQ(c.out[0].tx.seq, i1);
	EXPECT_EQ(c.state(), HSK_STATE_FIN_WAIT_1);
	EXPECT_TRUE(c.pending(HSK_TIMER_RTX));

	c.in(Seg(HSK_TCP_ACK, r1, i1 + 1));
	EXPECT_EQ(c.state(), HSK_STATE_FIN_WAIT_2);
	EXPECT_FALSE(c.pending(HSK_TIMER_RTX));
	EXPECT_TRUE(c.out.empty());

	/* data still flows in FIN-WAIT-2; it is acknowledged, not echoed */
	c.in(Seg(HSK_TCP_ACK, r1, i1 + 1, "late"));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.ack, r1 + 4);
	EXPECT_EQ(c.act.deliver_len, 0u);

	c.in(Seg(HSK_TCP_ACK | HSK_TCP_FIN, r1 + 4, i1 + 1));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_ACK);
	EXPECT_EQ(c.out[0].tx.ack, r1 + 5);
	EXPECT_EQ(c.state(), HSK_STATE_TIME_WAIT);
	EXPECT_EQ(c.deadline(HSK_TIMER_TIMEWAIT), c.now + 60000);

	/* retransmitted FIN: ACK again, 2 MSL from now */
	c.now += 30000;
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_FIN, r1 + 4, i1 + 1));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.ack, r1 + 5);
	EXPECT_EQ(c.deadline(HSK_TIMER_TIMEWAIT), c.now + 60000);

	c.run_until(c.now + 59999);
	EXPECT_FALSE(c.freed);
	c.run_until(c.now + 1);
	EXPECT_TRUE(c.freed);
	expect_trans(c, { { HSK_STATE_LISTEN, HSK_STATE_SYN_RECEIVED },
			  { HSK_STATE_SYN_RECEIVED, HSK_STATE_ESTABLISHED },
			  { HSK_STATE_ESTABLISHED, HSK_STATE_FIN_WAIT_1 },
			  { HSK_STATE_FIN_WAIT_1, HSK_STATE_FIN_WAIT_2 },
			  { HSK_STATE_FIN_WAIT_2, HSK_STATE_TIME_WAIT },
			  { HSK_STATE_TIME_WAIT, HSK_STATE_CLOSED } });
}

TEST(Lifecycle, FinAckAndFinInOneSegment)
{
	Conn c;

	c.establish();
	c.close();
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_FIN, r1, i1 + 1));
	EXPECT_EQ(c.state(), HSK_STATE_TIME_WAIT);
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.ack, r1 + 1);
	ASSERT_GE(c.trans.size(), 2u);
	EXPECT_EQ(c.trans[c.trans.size() - 2].to, HSK_STATE_FIN_WAIT_2);
	EXPECT_EQ(c.trans.back().to, HSK_STATE_TIME_WAIT);
}

TEST(Lifecycle, SimultaneousClose)
{
	Conn c;

	c.establish();
	c.close();
	EXPECT_EQ(c.state(), HSK_STATE_FIN_WAIT_1);
	/* their FIN crosses ours: it does not acknowledge it */
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_FIN, r1, i1));
	EXPECT_EQ(c.state(), HSK_STATE_CLOSING);
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_ACK);
	EXPECT_EQ(c.out[0].tx.seq, i1 + 1);
	EXPECT_EQ(c.out[0].tx.ack, r1 + 1);
	/* our FIN is still retransmitted from CLOSING */
	EXPECT_TRUE(c.pending(HSK_TIMER_RTX));
	c.fire(HSK_TIMER_RTX);
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_RETRANS);
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_ACK | HSK_TCP_FIN);
	EXPECT_EQ(c.out[0].tx.seq, i1);
	/* then the ACK of our FIN */
	c.in(Seg(HSK_TCP_ACK, r1 + 1, i1 + 1));
	EXPECT_EQ(c.state(), HSK_STATE_TIME_WAIT);
	EXPECT_FALSE(c.pending(HSK_TIMER_RTX));
	EXPECT_TRUE(c.pending(HSK_TIMER_TIMEWAIT));
}

TEST(Lifecycle, FinWaitsForQueuedData)
{
	Conn c;

	c.establish(Seg(HSK_TCP_SYN, kIrs), 0);	/* peer window closed */
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, "pending", 0));
	EXPECT_TRUE(c.out.size() == 1 && c.out[0].tx.data_len == 0);
	c.close();
	EXPECT_TRUE(c.out.empty());
	EXPECT_EQ(c.state(), HSK_STATE_ESTABLISHED);
	/* the window opens: data and FIN leave together */
	c.in(Seg(HSK_TCP_ACK, r1 + 7, i1, "", 1000));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].data, "pending");
	EXPECT_EQ(c.out[0].tx.flags,
		  HSK_TCP_ACK | HSK_TCP_PSH | HSK_TCP_FIN);
	EXPECT_EQ(c.state(), HSK_STATE_FIN_WAIT_1);
	/* acknowledging the data alone keeps FIN-WAIT-1 */
	c.in(Seg(HSK_TCP_ACK, r1 + 7, i1 + 7, "", 1000));
	EXPECT_EQ(c.state(), HSK_STATE_FIN_WAIT_1);
	EXPECT_EQ(c.act.acked, 7u);
	c.in(Seg(HSK_TCP_ACK, r1 + 7, i1 + 8, "", 1000));
	EXPECT_EQ(c.state(), HSK_STATE_FIN_WAIT_2);
	EXPECT_EQ(c.act.acked, 0u);	/* the FIN is not queue data */
}

TEST(Lifecycle, CloseAndAbortCommands)
{
	Conn c;

	c.establish();
	hsk_actions a;

	hsk_actions_init(&a);
	EXPECT_EQ(hsk_close(&c.tcb, &a), 0);
	EXPECT_EQ(hsk_close(&c.tcb, &a), -EALREADY);
	c.output();
	EXPECT_EQ(hsk_close(&c.tcb, &a), -EALREADY);

	c.abort();
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_RST);
	EXPECT_EQ(c.out[0].tx.seq, i1 + 1);	/* SND.NXT, after our FIN */
	EXPECT_TRUE(c.freed);
	EXPECT_EQ(hsk_close(&c.tcb, &a), -ENOTCONN);

	/* no RST once the peer has closed its side and we sent our FIN */
	Conn t;

	t.establish();
	t.in(Seg(HSK_TCP_ACK | HSK_TCP_FIN, r1, i1));
	EXPECT_EQ(t.state(), HSK_STATE_LAST_ACK);
	t.abort();
	EXPECT_TRUE(t.out.empty());
	EXPECT_TRUE(t.freed);

	/* abort of a half-open connection resets it */
	Conn h;

	h.listen(Seg(HSK_TCP_SYN, kIrs));
	h.abort();
	ASSERT_EQ(h.out.size(), 1u);
	EXPECT_EQ(h.out[0].tx.seq, i1);
}

TEST(Lifecycle, CloseInSynReceivedSendsFinAfterHandshake)
{
	Conn c;

	c.listen(Seg(HSK_TCP_SYN, kIrs));
	c.close();
	EXPECT_TRUE(c.out.empty());
	EXPECT_EQ(c.state(), HSK_STATE_SYN_RECEIVED);
	c.in(Seg(HSK_TCP_ACK, r1, i1));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_ACK | HSK_TCP_FIN);
	EXPECT_EQ(c.state(), HSK_STATE_FIN_WAIT_1);
}

TEST(Lifecycle, DiscardAcknowledgesWithoutEcho)
{
	Conn c(HSK_MODE_DISCARD);

	c.establish();
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, std::string(1000, 'a')));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_ACK);
	EXPECT_EQ(c.out[0].tx.ack, r1 + 1000);
	EXPECT_EQ(c.out[0].tx.data_len, 0u);
	EXPECT_EQ(c.act.deliver_len, 0u);
	EXPECT_EQ(c.cnt[HSK_CNT_RX_BYTES], 1000u);
	/* window: the right edge stays, it reopens once worth a segment */
	EXPECT_EQ(c.out[0].tx.wnd, 65535 - 1000);
	c.in(Seg(HSK_TCP_ACK, r1 + 1000, i1, std::string(500, 'b')));
	EXPECT_EQ(c.out[0].tx.wnd, 65535);
	EXPECT_TRUE(c.sndq.empty());
}

TEST(Lifecycle, OutOfOrderIsKeptUntilInOrder)
{
	Conn c;

	c.establish();
	c.in(Seg(HSK_TCP_ACK, r1 + 5, i1, "world"));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_DUPACK);
	EXPECT_EQ(c.out[0].tx.ack, r1);
	EXPECT_EQ(c.act.drop, HSK_DROP_NONE);
	EXPECT_EQ(c.act.deliver_len, 0u);
	EXPECT_EQ(c.act.store_len, 5u);
	EXPECT_EQ(c.act.store_at, 5u);
	EXPECT_TRUE(c.sndq.empty());

	/* the same dupack again: duplicate ACKs for data are not limited */
	c.in(Seg(HSK_TCP_ACK, r1 + 5, i1, "world"));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_DUPACK);

	/* the hole filled: the kept octets follow at once */
	c.in(Seg(HSK_TCP_ACK, r1, i1, "hello"));
	EXPECT_EQ(c.out[0].data, "helloworld");
	EXPECT_EQ(c.out[0].tx.ack, r1 + 10);
	EXPECT_EQ(c.cnt[HSK_CNT_RX_BYTES], 10u);
	EXPECT_EQ(c.tcb.nofo, 0u);
	/* a retransmission that overlaps: only the new part is taken */
	c.in(Seg(HSK_TCP_ACK, r1 + 8, i1, "ld!!"));
	EXPECT_EQ(c.act.deliver_off, 2u);
	EXPECT_EQ(c.act.deliver_len, 2u);
	EXPECT_EQ(c.act.deliver_at, 10u);
	/* FIN beyond a hole is not processed, its data is kept */
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_FIN, r1 + 20, i1, "x"));
	EXPECT_EQ(c.state(), HSK_STATE_ESTABLISHED);
	EXPECT_EQ(c.act.store_len, 1u);
	/* filling the hole takes the data, not the FIN: it is resent */
	c.in(Seg(HSK_TCP_ACK, r1 + 12, i1, "abcdefgh"));
	EXPECT_EQ(c.tcb.rcv_nxt, r1 + 21);
	EXPECT_EQ(c.state(), HSK_STATE_ESTABLISHED);
	EXPECT_EQ(c.sndq, "helloworld!!abcdefghx");
	/* an old duplicate draws a duplicate ACK */
	c.in(Seg(HSK_TCP_ACK, r1, i1, "hello"));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_DUPACK);
	EXPECT_EQ(c.out[0].tx.ack, r1 + 21);
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_FIN, r1 + 20, i1, "x"));
	EXPECT_EQ(c.tcb.rcv_nxt, r1 + 22);
	EXPECT_NE(c.state(), HSK_STATE_ESTABLISHED);
}

TEST(Lifecycle, SequenceWrapBothDirections)
{
	Conn c;
	const u32 irs = 0xffffffc0u;

	c.p.iss = 0xffffffd0u;
	c.p.mss = 100;
	ASSERT_EQ(c.listen(Seg(HSK_TCP_SYN, irs).mss(100)), 1);
	c.in(Seg(HSK_TCP_ACK, irs + 1, 0xffffffd1u));
	ASSERT_EQ(c.state(), HSK_STATE_ESTABLISHED);

	std::string data;

	for (int i = 0; i < 300; i++)
		data += (char)('a' + i % 26);
	/* 300 octets from 0xffffffc1 cross zero on both sides */
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, irs + 1, 0xffffffd1u, data));
	ASSERT_EQ(c.out.size(), 3u);
	std::string echoed;
	u32 seq = 0xffffffd1u;

	for (auto &t : c.out) {
		EXPECT_EQ(t.tx.seq, seq);
		EXPECT_EQ(t.tx.ack, irs + 1 + 300);
		EXPECT_EQ(t.tx.ack, 0xEDu);
		seq += t.tx.data_len;
		echoed += t.data;
	}
	EXPECT_EQ(echoed, data);
	EXPECT_EQ(c.tcb.snd_nxt, 0xffffffd1u + 300);

	/* partial ACK below zero, then past it */
	c.in(Seg(HSK_TCP_ACK, irs + 301, 0xfffffff0u));
	EXPECT_EQ(c.act.acked, 0xfffffff0u - 0xffffffd1u);
	c.in(Seg(HSK_TCP_ACK, irs + 301, 0xffffffd1u + 300));
	EXPECT_EQ(c.act.acked, 300u - 31u);
	EXPECT_TRUE(c.sndq.empty());
	EXPECT_FALSE(c.pending(HSK_TIMER_RTX));

	/* RFC 5961 ACK bounds across the wrap */
	c.in(Seg(HSK_TCP_ACK, irs + 301, 0x10000000u));
	EXPECT_EQ(c.act.drop, HSK_DROP_ACK_UNSENT);
	c.now += 1000;
	c.in(Seg(HSK_TCP_ACK, irs + 301, 0xffffffd1u + 300 - 65535 - 1));
	EXPECT_EQ(c.act.drop, HSK_DROP_ACK_TOO_OLD);

	/* close across the wrap too */
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_FIN, irs + 301, 0xffffffd1u + 300));
	EXPECT_EQ(c.state(), HSK_STATE_LAST_ACK);
	c.in(Seg(HSK_TCP_ACK, irs + 302, 0xffffffd1u + 301));
	EXPECT_TRUE(c.freed);
}

TEST(Lifecycle, ManySegmentsUseTheMoreLoop)
{
	Conn c;

	c.p.mss = 100;
	c.establish(Seg(HSK_TCP_SYN, kIrs).mss(100));
	/* RFC 6928: initial window min(10 MSS, max(2 MSS, 14600)) */
	EXPECT_EQ(c.tcb.cwnd, 1000u);
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, std::string(2000, 'q')));
	ASSERT_EQ(c.out.size(), 10u);	/* more than HSK_ACT_MAX_SEGS */
	for (size_t i = 0; i < c.out.size(); i++) {
		EXPECT_EQ(c.out[i].tx.seq, i1 + 100 * i);
		EXPECT_EQ(c.out[i].tx.data_len, 100u);
		EXPECT_FALSE(c.out[i].tx.flags & HSK_TCP_PSH);
	}
	/* slow start: each ACK grows cwnd by at most one MSS */
	c.in(Seg(HSK_TCP_ACK, r1 + 2000, i1 + 500));
	EXPECT_EQ(c.tcb.cwnd, 1100u);
	EXPECT_EQ(c.out.size(), 6u);	/* 1100 - 500 in flight */
	EXPECT_FALSE(c.out.back().tx.flags & HSK_TCP_PSH);
	EXPECT_EQ(c.out.back().tx.seq + c.out.back().tx.data_len, i1 + 1600);
	c.in(Seg(HSK_TCP_ACK, r1 + 2000, i1 + 1100));
	EXPECT_EQ(c.tcb.cwnd, 1200u);
	ASSERT_EQ(c.out.size(), 4u);	/* 700 allowed, 400 left */
	EXPECT_EQ(c.out.back().tx.seq + c.out.back().tx.data_len, i1 + 2000);
	EXPECT_TRUE(c.out.back().tx.flags & HSK_TCP_PSH);
}

TEST(Lifecycle, TimestampsOnEverySegment)
{
	Conn c;

	c.listen(Seg(HSK_TCP_SYN, kIrs).ts(500, 0).mss(1460));
	c.now += 40;
	c.in(Seg(HSK_TCP_ACK, r1, i1).ts(540, kT0 + kTsOff));
	EXPECT_EQ(c.state(), HSK_STATE_ESTABLISHED);
	/* RTT 40 ms from the echo */
	EXPECT_EQ(c.tcb.srtt8, 40u * 8);
	c.now += 10;
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, "ts").ts(550, kT0 + 40 +
							   kTsOff));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.opts, HSK_OPT_TS);
	EXPECT_EQ(c.out[0].tx.tsval, c.now + kTsOff);
	EXPECT_EQ(c.out[0].tx.tsecr, 550u);
	/* MSS minus the 12 option octets */
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1 + 2, i1 + 2,
		 std::string(3000, 'm')).ts(560, c.now + kTsOff));
	ASSERT_GE(c.out.size(), 2u);
	EXPECT_EQ(c.out[0].tx.data_len, 1460u - 12);
	/* RSTs carry no options */
	c.abort();
	EXPECT_EQ(c.out[0].tx.opts, 0);
}
