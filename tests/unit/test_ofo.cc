// SPDX-License-Identifier: GPL-2.0
/*
 * Out-of-order data on the receiving side: what the core keeps above
 * RCV.NXT (and where the shell puts it), how the data before it brings it
 * in order, the SACK blocks that report it (RFC 2018: content, order,
 * option space), the limits (ranges, window, buffer) and sequence number
 * wraparound.
 */
#include "hsk_test.h"

#include <utility>

using namespace hsk_test;

namespace {

const u32 i1 = kIss + 1;

using Blocks = std::vector<std::pair<u32, u32>>;

struct Opt {
	bool sack = true;
	bool ts = false;
	u32 mode = HSK_MODE_ECHO;
	u32 irs = kIrs;
	u32 rcv_buf = 65535;
};

/* A connection with the options of @o, and its segments. */
struct Ofo {
	Conn c;
	Opt o;
	u32 r1;

	explicit Ofo(const Opt &opt = Opt()) : c(opt.mode), o(opt), r1(opt.irs + 1)
	{
		Seg syn(HSK_TCP_SYN, o.irs);

		c.p.rcv_buf = o.rcv_buf;
		syn.mss(1460);
		if (o.sack)
			syn.sackp();
		if (o.ts)
			syn.ts(100, 0);
		EXPECT_EQ(c.listen(syn), 1);
		Seg ack(HSK_TCP_ACK, r1, i1);

		if (o.ts)
			ack.ts(200, c.tcb.ts_offset + c.now);
		c.in(ack);
		EXPECT_EQ(c.state(), HSK_STATE_ESTABLISHED);
	}

	/* Payload at offset @off of the peer's stream, acknowledging ours. */
	Seg seg(u32 off, const std::string &d, u8 flags = HSK_TCP_ACK)
	{
		Seg s(flags, r1 + off, c.tcb.snd_una, d);

		if (o.ts)
			s.ts(200, c.tcb.ts_offset + c.now);
		return s;
	}

	void in(u32 off, const std::string &d) { c.in(seg(off, d)); }

	/* The SACK blocks of the last segment sent, relative to r1. */
	Blocks blocks() const
	{
		Blocks b;

		EXPECT_FALSE(c.out.empty());
		if (c.out.empty())
			return b;
		const hsk_tx &tx = c.out.back().tx;

		if (!(tx.opts & HSK_OPT_SACK))
			return b;
		for (unsigned int i = 0; i < tx.nsack; i++)
			b.push_back({ tx.sack[i].start - r1,
				      tx.sack[i].end - r1 });
		return b;
	}
};

std::string text(u32 from, u32 n)
{
	std::string s;

	for (u32 i = from; i < from + n; i++)
		s += (char)('a' + i % 26);
	return s;
}

}  // namespace

TEST(Ofo, KeptWhereItBelongsAndSacked)
{
	Ofo t;

	t.in(100, text(100, 50));
	ASSERT_EQ(t.c.out.size(), 1u);
	EXPECT_EQ(t.c.out[0].tx.kind, HSK_TX_DUPACK);
	EXPECT_EQ(t.c.out[0].tx.ack, t.r1);
	EXPECT_EQ(t.c.act.drop, HSK_DROP_NONE);
	EXPECT_EQ(t.c.act.store_off, 0u);
	EXPECT_EQ(t.c.act.store_len, 50u);
	EXPECT_EQ(t.c.act.store_at, 100u);
	EXPECT_EQ(t.c.act.deliver_len, 0u);
	EXPECT_EQ(t.c.act.cnt[HSK_CNT_OFO_QUEUED], 1u);
	EXPECT_EQ(t.c.act.cnt[HSK_CNT_RX_BYTES], 0u);
	EXPECT_EQ(t.blocks(), (Blocks{ { 100, 150 } }));
	EXPECT_EQ(t.c.tcb.sndq, 0u);
	EXPECT_EQ(t.c.tcb.rcv_nxt, t.r1);
	/* the window is not charged: the octets sit inside it already */
	EXPECT_EQ(t.c.out[0].tx.wnd, 65535);
}

TEST(Ofo, HoleFilledDeliversEverythingInOrder)
{
	Ofo t;

	t.in(300, text(300, 100));
	t.in(100, text(100, 100));
	t.in(200, text(200, 100));	/* joins both: one range */
	EXPECT_EQ(t.blocks(), (Blocks{ { 100, 400 } }));
	EXPECT_EQ(t.c.tcb.nofo, 1u);
	t.in(0, text(0, 100));
	EXPECT_EQ(t.c.tcb.rcv_nxt, t.r1 + 400);
	EXPECT_EQ(t.c.tcb.nofo, 0u);
	EXPECT_EQ(t.c.act.deliver_len, 100u);
	EXPECT_EQ(t.c.act.deliver_at, 0u);
	EXPECT_EQ(t.c.act.cnt[HSK_CNT_RX_BYTES], 400u);
	EXPECT_EQ(t.c.sndq, text(0, 400));
	/* the echo goes out in order, the ACK rides on it, no SACK left */
	std::string echoed;

	for (const Tx &x : t.c.out) {
		echoed += x.data;
		EXPECT_EQ(x.tx.ack, t.r1 + 400);
		EXPECT_FALSE(x.tx.opts & HSK_OPT_SACK);
	}
	EXPECT_EQ(echoed, text(0, 400));
}

TEST(Ofo, PartialFillKeepsTheRest)
{
	Ofo t;

	t.in(100, text(100, 100));
	t.in(300, text(300, 100));
	t.in(0, text(0, 100));
	EXPECT_EQ(t.c.tcb.rcv_nxt, t.r1 + 200);
	EXPECT_EQ(t.c.act.cnt[HSK_CNT_RX_BYTES], 200u);
	ASSERT_EQ(t.c.tcb.nofo, 1u);
	EXPECT_EQ(t.c.tcb.ofo[0].start, t.r1 + 300);
	/* a segment that covers a kept range: the copy on the wire wins */
	t.in(200, text(200, 250));
	EXPECT_EQ(t.c.tcb.rcv_nxt, t.r1 + 450);
	EXPECT_EQ(t.c.tcb.nofo, 0u);
	EXPECT_EQ(t.c.sndq.size(), t.c.tcb.sndq);
	EXPECT_EQ(t.c.cnt[HSK_CNT_RX_BYTES], 450u);
}

TEST(Ofo, SackBlocksMostRecentFirst)
{
	Ofo t;

	t.in(100, text(100, 10));
	t.in(300, text(300, 10));
	t.in(500, text(500, 10));
	EXPECT_EQ(t.blocks(), (Blocks{ { 500, 510 }, { 300, 310 },
				      { 100, 110 } }));
	/* growing an old range makes it the most recent */
	t.in(110, text(110, 10));
	EXPECT_EQ(t.blocks(), (Blocks{ { 100, 120 }, { 500, 510 },
				      { 300, 310 } }));
	/* a duplicate of a kept range counts as received again */
	t.in(300, text(300, 10));
	EXPECT_EQ(t.blocks(), (Blocks{ { 300, 310 }, { 100, 120 },
				      { 500, 510 } }));
	/* hole filled up to the first range: it leaves the list */
	t.in(0, text(0, 100));
	EXPECT_EQ(t.c.tcb.rcv_nxt, t.r1 + 120);
	EXPECT_EQ(t.blocks(), (Blocks{ { 300, 310 }, { 500, 510 } }));
}

TEST(Ofo, FourBlocksWithoutTimestampsThreeWith)
{
	for (bool ts : { false, true }) {
		Opt o;

		o.ts = ts;
		Ofo t(o);

		for (u32 i = 1; i <= 4; i++)
			t.in(i * 100, text(i * 100, 10));
		Blocks b = t.blocks();

		ASSERT_EQ(b.size(), ts ? 3u : 4u) << "ts " << ts;
		EXPECT_EQ(b[0], std::make_pair(400u, 410u));
		EXPECT_EQ(b[1], std::make_pair(300u, 310u));
		EXPECT_EQ(b[2], std::make_pair(200u, 210u));
		const hsk_tx &tx = t.c.out.back().tx;

		EXPECT_EQ(hsk_tx_opts_len(&tx), ts ? 40u : 36u);
		/* and on the wire */
		u8 buf[HSK_TCP_MAX_HDR_LEN];
		hsk_seg s;
		unsigned int hl = hsk_write_header(&tx, 7, 40000, buf);

		ASSERT_EQ(hsk_parse_header(buf, hl, hl, &s), 0);
		ASSERT_EQ(s.opts.sack_blocks, b.size());
		for (unsigned int i = 0; i < b.size(); i++) {
			EXPECT_EQ(s.opts.sack[i].start, b[i].first + t.r1);
			EXPECT_EQ(s.opts.sack[i].end, b[i].second + t.r1);
		}
		EXPECT_EQ(!!(s.opts.present & HSK_OPT_TS), ts);
	}
}

TEST(Ofo, BeyondCapacityDroppedAsBefore)
{
	Ofo t;

	for (u32 i = 1; i <= HSK_OFO_MAX; i++) {
		t.in(i * 100, text(i * 100, 10));
		EXPECT_EQ(t.c.act.drop, HSK_DROP_NONE);
	}
	t.in(900, text(900, 10));
	EXPECT_EQ(t.c.act.drop, HSK_DROP_OOO);
	EXPECT_EQ(t.c.act.store_len, 0u);
	EXPECT_EQ(t.c.act.cnt[HSK_CNT_OFO_QUEUED], 0u);
	ASSERT_EQ(t.c.out.size(), 1u);
	EXPECT_EQ(t.c.out[0].tx.kind, HSK_TX_DUPACK);
	/* the ranges kept are reported as before, the dropped one is not */
	EXPECT_EQ(t.blocks()[0], std::make_pair(400u, 410u));
	/* but what joins a kept range needs no room of its own */
	t.in(410, text(410, 10));
	EXPECT_EQ(t.c.act.drop, HSK_DROP_NONE);
	EXPECT_EQ(t.c.tcb.nofo, HSK_OFO_MAX);
	/* nor does what bridges two */
	t.in(110, text(110, 90));
	EXPECT_EQ(t.c.tcb.nofo, HSK_OFO_MAX - 1);
	t.in(900, text(900, 10));
	EXPECT_EQ(t.c.act.drop, HSK_DROP_NONE);
}

TEST(Ofo, BoundedByTheWindowAndTheBuffer)
{
	Ofo t;

	/* the tail beyond the window is cut */
	t.in(65500, text(65500, 100));
	EXPECT_EQ(t.c.act.drop, HSK_DROP_WINDOW);
	EXPECT_EQ(t.c.act.store_len, 35u);
	EXPECT_EQ(t.blocks(), (Blocks{ { 65500, 65535 } }));
	/* wholly beyond it: not acceptable at all */
	t.in(65535, text(65535, 10));
	EXPECT_EQ(t.c.act.drop, HSK_DROP_NOT_ACCEPTABLE);

	/* with echo data queued and unacknowledged, the buffer is smaller */
	Ofo u;

	u.in(0, text(0, 1000));
	ASSERT_EQ(u.c.tcb.sndq, 1000u);
	u.in(65400, text(65400, 200));
	EXPECT_EQ(u.c.act.store_len, 135u);
	EXPECT_EQ(u.c.act.store_at, 65400u);
	EXPECT_EQ(u.c.act.store_at + u.c.act.store_len, u.c.tcb.rcv_buf);
	EXPECT_EQ(u.c.tcb.ofo[0].end, u.r1 + 65535);
}

TEST(Ofo, NoSackBlocksWithoutSackPermitted)
{
	Opt o;

	o.sack = false;
	Ofo t(o);

	t.in(100, text(100, 10));
	EXPECT_EQ(t.c.act.store_len, 10u);	/* kept all the same */
	ASSERT_EQ(t.c.out.size(), 1u);
	EXPECT_FALSE(t.c.out[0].tx.opts & HSK_OPT_SACK);
	EXPECT_EQ(t.c.out[0].tx.nsack, 0u);
	EXPECT_EQ(hsk_tx_opts_len(&t.c.out[0].tx), 0u);
	t.in(0, text(0, 100));
	EXPECT_EQ(t.c.tcb.rcv_nxt, t.r1 + 110);
	EXPECT_EQ(t.c.sndq, text(0, 110));
}

TEST(Ofo, DiscardCountsTarpitDrops)
{
	Opt o;

	o.mode = HSK_MODE_DISCARD;
	Ofo d(o);

	d.in(100, text(100, 50));
	EXPECT_EQ(d.c.act.store_len, 0u);	/* nothing to keep */
	EXPECT_EQ(d.blocks(), (Blocks{ { 100, 150 } }));
	d.in(0, text(0, 100));
	EXPECT_EQ(d.c.act.cnt[HSK_CNT_RX_BYTES], 150u);
	EXPECT_EQ(d.c.tcb.rcv_nxt, d.r1 + 150);
	EXPECT_EQ(d.c.tcb.sndq, 0u);

	o.mode = HSK_MODE_TARPIT;
	Ofo p(o);

	p.in(100, text(100, 50));
	EXPECT_EQ(p.c.tcb.nofo, 0u);
	EXPECT_NE(p.c.act.drop, HSK_DROP_NONE);
}

TEST(Ofo, FinBeyondAHoleWaitsForItsRetransmission)
{
	Ofo t;

	t.c.in(t.seg(100, text(100, 10), HSK_TCP_ACK | HSK_TCP_FIN));
	EXPECT_EQ(t.c.state(), HSK_STATE_ESTABLISHED);
	EXPECT_EQ(t.c.act.store_len, 10u);
	EXPECT_EQ(t.blocks(), (Blocks{ { 100, 110 } }));	/* not the FIN */
	t.in(0, text(0, 100));
	EXPECT_EQ(t.c.tcb.rcv_nxt, t.r1 + 110);
	EXPECT_EQ(t.c.state(), HSK_STATE_ESTABLISHED);
	t.c.in(t.seg(100, text(100, 10), HSK_TCP_ACK | HSK_TCP_FIN));
	EXPECT_EQ(t.c.tcb.rcv_nxt, t.r1 + 111);
	EXPECT_NE(t.c.state(), HSK_STATE_ESTABLISHED);
}

TEST(Ofo, FinInOrderForgetsWhatABrokenPeerSentBeyondIt)
{
	Ofo t;

	t.in(200, text(200, 10));
	t.c.in(t.seg(0, text(0, 10), HSK_TCP_ACK | HSK_TCP_FIN));
	EXPECT_EQ(t.c.tcb.rcv_nxt, t.r1 + 11);
	EXPECT_EQ(t.c.tcb.nofo, 0u);
}

TEST(Ofo, RenegeForgetsAndTakesTheBlocksBack)
{
	Ofo t;

	t.in(100, text(100, 10));
	ASSERT_EQ(t.c.act.store_len, 10u);
	/* as the shell does when it has no buffer for the octets */
	hsk_ofo_renege(&t.c.tcb, &t.c.act);
	EXPECT_EQ(t.c.tcb.nofo, 0u);
	EXPECT_EQ(t.c.act.store_len, 0u);
	EXPECT_EQ(t.c.act.drop, HSK_DROP_OOO);
	EXPECT_EQ(t.c.act.cnt[HSK_CNT_OFO_QUEUED], 0u);
	for (unsigned int i = 0; i < t.c.act.nsegs; i++) {
		EXPECT_FALSE(t.c.act.segs[i].opts & HSK_OPT_SACK);
		EXPECT_EQ(hsk_tx_opts_len(&t.c.act.segs[i]), 0u);
	}
}

TEST(Ofo, DataSegmentsCarryOnlyTheBlocksThatFit)
{
	Ofo t;

	/* a full segment of echo with ranges kept: no room for blocks */
	t.in(5000, text(5000, 10));
	t.in(7000, text(7000, 10));
	t.in(0, text(0, 1460));
	bool data = false;

	for (const Tx &x : t.c.out) {
		EXPECT_LE(x.tx.data_len + hsk_tx_opts_len(&x.tx),
			  t.c.tcb.snd_mss);
		data |= x.tx.data_len == 1460;
	}
	EXPECT_TRUE(data);
	/* a short one takes what fits */
	t.c.in(Seg(HSK_TCP_ACK, t.r1 + 1460, t.c.tcb.snd_nxt));
	t.in(1460, text(1460, 1400));
	for (const Tx &x : t.c.out) {
		EXPECT_LE(x.tx.data_len + hsk_tx_opts_len(&x.tx),
			  t.c.tcb.snd_mss);
		if (x.tx.data_len == 1400) {
			EXPECT_EQ(x.tx.nsack, 2u);
			EXPECT_EQ(x.tx.sack[0].start, t.r1 + 7000);
		}
	}
}

TEST(Ofo, SequenceWrap)
{
	Opt o;

	o.irs = 0xffffff00u;
	Ofo t(o);

	/* the kept range and the hole straddle zero */
	t.in(0x180, text(0x180, 0x100));
	EXPECT_EQ(t.blocks(), (Blocks{ { 0x180, 0x280 } }));
	EXPECT_EQ(t.c.out.back().tx.sack[0].start, 0x81u);
	t.in(0x80, text(0x80, 0x100));
	EXPECT_EQ(t.blocks(), (Blocks{ { 0x80, 0x280 } }));
	t.in(0, text(0, 0x80));
	EXPECT_EQ(t.c.tcb.rcv_nxt, 0x181u);
	EXPECT_EQ(t.c.tcb.nofo, 0u);
	EXPECT_EQ(t.c.sndq, text(0, 0x280));
}
