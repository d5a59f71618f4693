// SPDX-License-Identifier: GPL-2.0
/* Urgent data, tarpit, window scaling and receive window management. */
#include "hsk_test.h"

using namespace hsk_test;

static const u32 i1 = kIss + 1, r1 = kIrs + 1;

TEST(Urgent, EchoKeepsTheUrgentMark)
{
	Conn c;

	c.establish();
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, "abcdef").urg(3));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_ACK | HSK_TCP_PSH | HSK_TCP_URG);
	EXPECT_EQ(c.out[0].tx.urp, 3);
	EXPECT_EQ(c.out[0].data, "abcdef");
	EXPECT_EQ(c.cnt[HSK_CNT_URG_BYTES], 3u);
	EXPECT_EQ(c.tcb.rcv_up, r1 + 3);
	EXPECT_EQ(c.tcb.snd_up, i1 + 3);
	/* once acknowledged, later data is not urgent */
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1 + 6, i1 + 6, "gh"));
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_ACK | HSK_TCP_PSH);
	EXPECT_EQ(c.out[0].tx.urp, 0);
}

TEST(Urgent, PointerBeyondTheSegment)
{
	Conn c;

	c.establish();
	c.in(Seg(HSK_TCP_ACK, r1, i1, "abcdef").urg(10));
	EXPECT_EQ(c.cnt[HSK_CNT_URG_BYTES], 6u);
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.urp, 6);	/* only what is queued so far */
	/* the next segment carries no URG bit, but its start is urgent */
	c.in(Seg(HSK_TCP_ACK, r1 + 6, i1, "ghijkl"));
	EXPECT_EQ(c.cnt[HSK_CNT_URG_BYTES], 10u);
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.seq, i1 + 6);
	EXPECT_EQ(c.out[0].tx.flags & HSK_TCP_URG, HSK_TCP_URG);
	EXPECT_EQ(c.out[0].tx.urp, 4);
	/* a retransmission of the first segment keeps URG too */
	c.run_until(c.deadline(HSK_TIMER_RTX));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.seq, i1);
	EXPECT_EQ(c.out[0].tx.urp, 10);
}

TEST(Urgent, PointerOnlyMovesForward)
{
	Conn c;

	c.establish();
	c.in(Seg(HSK_TCP_ACK, r1, i1, "abcd").urg(4));
	c.in(Seg(HSK_TCP_ACK, r1 + 4, i1, "ef").urg(0));
	EXPECT_EQ(c.tcb.rcv_up, r1 + 4);	/* urp 0 means nothing */
	c.in(Seg(HSK_TCP_ACK, r1, i1, "abcd").urg(2));
	EXPECT_EQ(c.tcb.rcv_up, r1 + 4);
}

TEST(Urgent, LargePointerCapped)
{
	Conn c;

	c.p.rcv_buf = 1 << 20;
	c.establish(Seg(HSK_TCP_SYN, kIrs).ws(4).mss(1460));
	c.in(Seg(HSK_TCP_ACK, r1, i1, "u").urg(65535));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.urp, 1);
}

TEST(Tarpit, ZeroWindowNeverAcceptsData)
{
	Conn c(HSK_MODE_TARPIT);

	c.establish();
	/* zero window probe at RCV.NXT: ACK with the unchanged RCV.NXT */
	for (int i = 0; i < 3; i++) {
		c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, "GET / HTTP/1.0"));
		ASSERT_EQ(c.out.size(), 1u);
		EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_ACK);
		EXPECT_EQ(c.out[0].tx.ack, r1);
		EXPECT_EQ(c.out[0].tx.wnd, 0);
		EXPECT_EQ(c.act.deliver_len, 0u);
		EXPECT_EQ(c.act.drop, HSK_DROP_WINDOW);
	}
	EXPECT_EQ(c.cnt[HSK_CNT_RX_BYTES], 0u);
	/* 1-octet probe */
	c.in(Seg(HSK_TCP_ACK, r1, i1, "G"));
	EXPECT_EQ(c.out[0].tx.ack, r1);
	/* the same probe beyond RCV.NXT is simply unacceptable */
	c.in(Seg(HSK_TCP_ACK, r1 + 1, i1, "G"));
	EXPECT_EQ(c.out[0].tx.ack, r1);
	EXPECT_EQ(c.act.drop, HSK_DROP_NOT_ACCEPTABLE);
	/* a pure ACK draws nothing */
	c.in(Seg(HSK_TCP_ACK, r1, i1));
	EXPECT_TRUE(c.out.empty());
	/* the peer gives up: close cleanly */
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_FIN, r1, i1));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_ACK | HSK_TCP_FIN);
	EXPECT_EQ(c.out[0].tx.ack, r1 + 1);
	EXPECT_EQ(c.out[0].tx.wnd, 0);
	EXPECT_EQ(c.state(), HSK_STATE_LAST_ACK);
}

TEST(Tarpit, DataOnHandshakeAck)
{
	Conn c(HSK_MODE_TARPIT);

	c.listen(Seg(HSK_TCP_SYN, kIrs));
	c.in(Seg(HSK_TCP_ACK, r1, i1, "early"));
	EXPECT_EQ(c.state(), HSK_STATE_ESTABLISHED);
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.ack, r1);
	EXPECT_EQ(c.act.deliver_len, 0u);
}

TEST(WindowScale, AppliedBothWays)
{
	Conn c;

	c.p.rcv_buf = 1 << 20;
	c.listen(Seg(HSK_TCP_SYN, kIrs, 0, "", 4000).ws(3).mss(1460));
	EXPECT_EQ(c.tcb.snd_wnd, 4000u);	/* SYN: not scaled */
	EXPECT_EQ(c.out[0].tx.wscale, 5);
	c.in(Seg(HSK_TCP_ACK, r1, i1, "", 1000));
	EXPECT_EQ(c.tcb.snd_wnd, 8000u);	/* 1000 << 3 */
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, r1, i1, "data", 1000));
	ASSERT_EQ(c.out.size(), 1u);
	/* (2^20 - 4) >> 5 */
	EXPECT_EQ(c.out[0].tx.wnd, (u16)(((1u << 20) - 4) >> 5));
	/* scaled data acceptance: beyond 65535 is in window */
	c.in(Seg(HSK_TCP_ACK, r1 + 4 + 100000, i1 + 4, "far", 1000));
	EXPECT_EQ(c.act.drop, HSK_DROP_NONE);
	EXPECT_EQ(c.act.store_len, 3u);
}

TEST(WindowScale, EdgeRetractsOnlyByRounding)
{
	Conn c;

	c.p.rcv_buf = 1 << 20;
	c.establish(Seg(HSK_TCP_SYN, kIrs).ws(0).mss(1460));
	ASSERT_EQ(c.tcb.rcv_wscale, 5);
	/* peer never acknowledges the echo, so the buffer only fills */
	u32 seq = r1, edge = 0, rnd = 12345, total = 0;

	while (total < (1u << 20) + 5000) {
		rnd = rnd * 1103515245 + 12345;
		u32 n = 1 + (rnd >> 16) % 1400;

		c.in(Seg(HSK_TCP_ACK, seq, i1, std::string(n, 'w'), 0));
		total += n;
		ASSERT_FALSE(c.out.empty());
		const hsk_tx &a = c.out.back().tx;
		u32 e = a.ack + ((u32)a.wnd << 5);

		/* RFC 7323 2.4: less than one scaling unit, never more */
		if (edge) {
			ASSERT_TRUE(hsk_seq_geq(e + 31, edge)) << total;
		}
		edge = hsk_seq_after(e, edge) || !edge ? e : edge;
		/* what was offered always fits the buffer */
		ASSERT_LE(c.tcb.rcv_adv - c.tcb.rcv_nxt,
			  c.tcb.rcv_buf - c.tcb.sndq);
		ASSERT_EQ(c.tcb.rcv_adv, edge);
		seq = a.ack;
	}
	/* full but for less than one unit, which cannot be offered */
	EXPECT_GE(c.tcb.sndq, (1u << 20) - 31);
	EXPECT_EQ(c.out.back().tx.wnd, 0);
}

TEST(Window, NoScalingNeverRetracts)
{
	Conn c;

	c.p.rcv_buf = 30000;
	c.establish(Seg(HSK_TCP_SYN, kIrs).mss(1460), 0);
	u32 seq = r1, edge = 0;

	for (u32 n = 1; n < 400; n += 7) {
		c.in(Seg(HSK_TCP_ACK, seq, i1, std::string(n, 'v'), 0));
		const hsk_tx &a = c.out.back().tx;

		ASSERT_TRUE(hsk_seq_geq(a.ack + a.wnd, edge));
		edge = a.ack + a.wnd;
		seq = a.ack;
	}
	EXPECT_EQ(edge, r1 + 30000);
}

TEST(Window, UpdateWhenEchoIsAcknowledged)
{
	Conn c;

	c.p.rcv_buf = 4000;
	c.establish(Seg(HSK_TCP_SYN, kIrs).mss(1000));
	c.in(Seg(HSK_TCP_ACK, r1, i1, std::string(1000, 'a')));
	c.in(Seg(HSK_TCP_ACK, r1 + 1000, i1, std::string(1000, 'b')));
	c.in(Seg(HSK_TCP_ACK, r1 + 2000, i1, std::string(1000, 'c')));
	c.in(Seg(HSK_TCP_ACK, r1 + 3000, i1, std::string(1000, 'd')));
	/* all echoed, none acknowledged: our window is closed */
	EXPECT_EQ(c.tcb.snd_nxt, i1 + 4000);
	EXPECT_EQ(c.all.back().tx.wnd, 0);
	/* more data now is a zero window probe */
	c.in(Seg(HSK_TCP_ACK, r1 + 4000, i1, "e"));
	EXPECT_EQ(c.act.drop, HSK_DROP_WINDOW);
	EXPECT_EQ(c.act.deliver_len, 0u);
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.ack, r1 + 4000);
	/* the echo is acknowledged: a window update goes out at once */
	c.in(Seg(HSK_TCP_ACK, r1 + 4000, i1 + 4000));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.kind, HSK_TX_ACK);
	EXPECT_EQ(c.out[0].tx.wnd, 4000);
	EXPECT_EQ(c.out[0].tx.ack, r1 + 4000);
	/* a small acknowledgment is not worth an update (SWS) */
	c.in(Seg(HSK_TCP_ACK, r1 + 4000, i1 + 4000, std::string(3990, 'e')));
	c.in(Seg(HSK_TCP_ACK, r1 + 7990, i1 + 4010));
	EXPECT_TRUE(c.out.empty());
}

TEST(Window, EchoBufferFullDropsExcess)
{
	Conn c;

	c.p.rcv_buf = 100;
	c.establish(Seg(HSK_TCP_SYN, kIrs), 0);
	c.in(Seg(HSK_TCP_ACK, r1, i1, std::string(150, 'x'), 0));
	EXPECT_EQ(c.act.deliver_len, 100u);
	EXPECT_EQ(c.act.drop, HSK_DROP_WINDOW);
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.ack, r1 + 100);
	EXPECT_EQ(c.out[0].tx.wnd, 0);
}

TEST(Window, AckAtTheRightEdgeIsProcessed)
{
	Conn c;

	c.p.rcv_buf = 4000;
	c.establish(Seg(HSK_TCP_SYN, kIrs).mss(1000));
	c.in(Seg(HSK_TCP_ACK, r1, i1, std::string(1000, 'a')));
	EXPECT_EQ(c.tcb.snd_nxt, i1 + 1000);
	/* the peer fills our window, but its second segment is lost */
	c.in(Seg(HSK_TCP_ACK, r1 + 2000, i1, std::string(1000, 'c')));
	c.in(Seg(HSK_TCP_ACK, r1 + 3000, i1, std::string(1000, 'd')));
	EXPECT_EQ(c.tcb.rcv_nxt, r1 + 1000);
	/*
	 * Its ACK of our echo comes at its SND.NXT, our right edge
	 * (tcp_acceptable_seq()): one past the window RFC 9293 accepts.
	 * Dropping it would leave the echo unacknowledged for as long as
	 * the hole lasts.
	 */
	c.in(Seg(HSK_TCP_ACK, r1 + 4000, i1 + 1000));
	EXPECT_EQ(c.act.drop, HSK_DROP_NONE);
	EXPECT_EQ(c.tcb.snd_una, i1 + 1000);
	/* beyond the edge it is still not acceptable */
	c.in(Seg(HSK_TCP_ACK, r1 + 4001, i1 + 1000));
	EXPECT_EQ(c.act.drop, HSK_DROP_NOT_ACCEPTABLE);
}

/* 4000 octets echoed, none acknowledged: our window is closed. */
static Conn closed_by_echo()
{
	Conn c;

	c.p.rcv_buf = 4000;
	c.establish(Seg(HSK_TCP_SYN, kIrs).mss(1000));
	for (u32 i = 0; i < 4; i++)
		c.in(Seg(HSK_TCP_ACK, r1 + 1000 * i, i1,
			 std::string(1000, (char)('a' + i))));
	return c;
}

TEST(Window, ProbeBelowOurZeroWindowCarriesItsAck)
{
	Conn c = closed_by_echo();

	ASSERT_EQ(c.tcb.snd_nxt, i1 + 4000);
	ASSERT_EQ(c.all.back().tx.wnd, 0);
	/*
	 * The peer's ACK of the echo was lost; what it sends next is a
	 * probe at RCV.NXT - 1 (Linux's tcp_xmit_probe_skb()). Its ACK
	 * reopens the window at once instead of after our RTO.
	 */
	c.in(Seg(HSK_TCP_ACK, r1 + 3999, i1 + 4000));
	EXPECT_EQ(c.tcb.snd_una, i1 + 4000);
	EXPECT_FALSE(c.pending(HSK_TIMER_RTX));
	ASSERT_EQ(c.out.size(), 1u);
	EXPECT_EQ(c.out[0].tx.ack, r1 + 4000);
	EXPECT_EQ(c.out[0].tx.wnd, 4000);
	EXPECT_EQ(c.tcb.rcv_nxt, r1 + 4000);
}

TEST(Window, ProbeWithAnOldAckIsOnlyAnswered)
{
	Conn c = closed_by_echo();

	ASSERT_EQ(c.all.back().tx.wnd, 0);
	/* probes acknowledging nothing new are no duplicate ACKs */
	for (u32 i = 0; i < 5; i++) {
		c.now += 600;	/* past the rate limit of the replies */
		c.in(Seg(HSK_TCP_ACK, r1 + 3999, i1));
		EXPECT_EQ(c.act.drop, HSK_DROP_NOT_ACCEPTABLE);
		ASSERT_EQ(c.out.size(), 1u);
		EXPECT_EQ(c.out[0].tx.seq, i1 + 4000);
		EXPECT_EQ(c.out[0].tx.data_len, 0u);
	}
	EXPECT_EQ(c.tcb.dupacks, 0);
	EXPECT_EQ(c.cnt[HSK_CNT_RETRANS], 0u);
	/* nor is an ACK of data never sent, nor one with data */
	c.in(Seg(HSK_TCP_ACK, r1 + 3999, i1 + 4001));
	EXPECT_EQ(c.tcb.snd_una, i1);
	c.in(Seg(HSK_TCP_ACK, r1 + 3999, i1 + 4000, "x"));
	EXPECT_EQ(c.tcb.snd_una, i1);
}
