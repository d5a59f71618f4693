// SPDX-License-Identifier: GPL-2.0
/* LISTEN: every flag combination, and the SYN-ACK's options. */
#include "hsk_test.h"

using namespace hsk_test;

/* All 64 combinations of FIN SYN RST PSH ACK URG, with and without data. */
TEST(Listen, EveryFlagCombination)
{
	for (unsigned int f = 0; f < 64; f++) {
		for (u32 len : { 0u, 10u }) {
			Conn c;
			Seg sg((u8)f, kIrs, 0xabcdef, std::string(len, 'd'));
			int r = c.listen(sg);
			std::string what = flags_str((u8)f) + " len " +
					   std::to_string(len);

			SCOPED_TRACE(what);
			EXPECT_EQ(c.act.ntrans, r ? 1 : 0);
			EXPECT_EQ(c.act.deliver_len, 0u);
			if (f & HSK_TCP_RST) {
				EXPECT_EQ(r, 0);
				EXPECT_TRUE(c.out.empty());
				EXPECT_EQ(c.act.drop, HSK_DROP_LISTEN_RST);
			} else if (f & HSK_TCP_ACK) {
				EXPECT_EQ(r, 0);
				ASSERT_EQ(c.out.size(), 1u);
				EXPECT_EQ(c.out[0].tx.flags, HSK_TCP_RST);
				EXPECT_EQ(c.out[0].tx.seq, 0xabcdefu);
				EXPECT_EQ(c.out[0].tx.ack, 0u);
				EXPECT_EQ(c.out[0].tx.wnd, 0);
				EXPECT_EQ(c.out[0].tx.opts, 0);
				EXPECT_EQ(c.act.drop, HSK_DROP_LISTEN_ACK);
				EXPECT_EQ(c.cnt[HSK_CNT_RST_TX], 1u);
			} else if ((f & HSK_TCP_SYN) && !(f & HSK_TCP_FIN)) {
				EXPECT_EQ(r, 1);
				ASSERT_EQ(c.out.size(), 1u);
				const hsk_tx &t = c.out[0].tx;

				EXPECT_EQ(t.flags, HSK_TCP_SYN | HSK_TCP_ACK);
				EXPECT_EQ(t.seq, kIss);
				/* only the SYN is acknowledged, never data */
				EXPECT_EQ(t.ack, kIrs + 1);
				EXPECT_EQ(t.wnd, 65535);
				EXPECT_EQ(t.opts, HSK_OPT_MSS);
				EXPECT_EQ(t.mss, 1460);
				EXPECT_EQ(t.data_len, 0u);
				EXPECT_EQ(c.state(), HSK_STATE_SYN_RECEIVED);
				EXPECT_EQ(c.act.trans[0].from,
					  HSK_STATE_LISTEN);
				EXPECT_EQ(c.act.trans[0].to,
					  HSK_STATE_SYN_RECEIVED);
				EXPECT_EQ(c.act.drop, HSK_DROP_NONE);
				EXPECT_TRUE(c.pending(HSK_TIMER_RTX));
				EXPECT_EQ(c.deadline(HSK_TIMER_RTX), kT0 + 1000);
			} else {
				EXPECT_EQ(r, 0);
				EXPECT_TRUE(c.out.empty());
				EXPECT_EQ(c.act.drop,
					  (f & HSK_TCP_SYN) ?
					  HSK_DROP_LISTEN_SYN_FIN :
					  HSK_DROP_LISTEN_NO_SYN);
			}
		}
	}
}

TEST(Listen, ScanProbesAreSilent)
{
	const u8 probes[] = {
		0,						/* NULL */
		HSK_TCP_FIN,					/* FIN */
		HSK_TCP_FIN | HSK_TCP_PSH | HSK_TCP_URG,	/* Xmas */
		HSK_TCP_SYN | HSK_TCP_FIN,
		HSK_TCP_SYN | HSK_TCP_RST,
		0xff & ~HSK_TCP_ACK & ~HSK_TCP_SYN,
	};
	for (u8 f : probes) {
		Conn c;

		EXPECT_EQ(c.listen(Seg(f, 1)), 0) << flags_str(f);
		EXPECT_TRUE(c.out.empty()) << flags_str(f);
	}
}

TEST(Listen, SynAckMirrorsOffer)
{
	Conn c;
	Seg syn(HSK_TCP_SYN, kIrs);

	syn.mss(1400).ws(9).sackp().ts(123456, 0);
	c.p.rcv_buf = 1 << 20;
	ASSERT_EQ(c.listen(syn), 1);
	const hsk_tx &t = c.out[0].tx;

	EXPECT_EQ(t.opts, HSK_OPT_MSS | HSK_OPT_WSCALE | HSK_OPT_SACK_PERM |
		  HSK_OPT_TS);
	EXPECT_EQ(t.mss, 1460);			/* ours, not theirs */
	EXPECT_EQ(t.wscale, 5);			/* 2^20 >> 5 fits 16 bits */
	EXPECT_EQ(t.wnd, 65535);		/* SYN windows are unscaled */
	EXPECT_EQ(t.tsval, kT0 + kTsOff);
	EXPECT_EQ(t.tsecr, 123456u);
	EXPECT_EQ(c.tcb.snd_mss, 1400);		/* theirs limits what we send */
	EXPECT_EQ(c.tcb.snd_wscale, 9);
	EXPECT_EQ(c.tcb.ts_recent, 123456u);
	u8 buf[HSK_TCP_MAX_HDR_LEN];

	EXPECT_EQ(hsk_write_header(&t, 7, 40000, buf), 40u);
}

TEST(Listen, OnlyOfferedOptionsAreReturned)
{
	struct {
		u8 offer;
		u8 want;
	} cases[] = {
		{ 0, HSK_OPT_MSS },
		{ HSK_OPT_WSCALE, HSK_OPT_MSS | HSK_OPT_WSCALE },
		{ HSK_OPT_SACK_PERM, HSK_OPT_MSS | HSK_OPT_SACK_PERM },
		{ HSK_OPT_TS, HSK_OPT_MSS | HSK_OPT_TS },
		{ HSK_OPT_SACK | HSK_OPT_MSS, HSK_OPT_MSS },
	};
	for (auto &k : cases) {
		Conn c;
		Seg syn(HSK_TCP_SYN, kIrs);

		syn.s.opts.present = k.offer;
		syn.s.opts.mss = 1000;
		ASSERT_EQ(c.listen(syn), 1);
		EXPECT_EQ(c.out[0].tx.opts, k.want) << (int)k.offer;
		EXPECT_EQ(c.out[0].tx.wscale, 0);
	}
}

TEST(Listen, MssChoices)
{
	/* no option: the family default */
	Conn a;

	a.p.default_mss = HSK_MSS_DEFAULT_V6;
	a.listen(Seg(HSK_TCP_SYN, 1));
	EXPECT_EQ(a.tcb.snd_mss, HSK_MSS_DEFAULT_V6);

	/* larger than our route allows: ours */
	Conn b;

	b.p.mss = 1200;
	b.listen(Seg(HSK_TCP_SYN, 1).mss(9000));
	EXPECT_EQ(b.tcb.snd_mss, 1200);
	EXPECT_EQ(b.out[0].tx.mss, 1200);

	/* absurdly small: floored */
	Conn d;

	d.listen(Seg(HSK_TCP_SYN, 1).mss(1));
	EXPECT_EQ(d.tcb.snd_mss, HSK_MSS_MIN);

	/* zero means absent */
	Conn e;

	e.listen(Seg(HSK_TCP_SYN, 1).mss(0));
	EXPECT_EQ(e.tcb.snd_mss, HSK_MSS_DEFAULT);
}

TEST(Listen, WindowScaleChoice)
{
	struct {
		u32 buf;
		u8 ws;
		u16 wnd;
	} cases[] = {
		{ 1000, 0, 1000 },
		{ 65535, 0, 65535 },
		{ 65536, 1, 65535 },
		{ 1 << 20, 5, 65535 },
		{ HSK_RCV_BUF_MAX, 14, 65535 },
		{ 0xffffffffu, 14, 65535 },	/* clamped */
		{ 0, 0, 65535 },		/* default */
	};
	for (auto &k : cases) {
		Conn c;

		c.p.rcv_buf = k.buf;
		c.listen(Seg(HSK_TCP_SYN, 1).ws(0));
		EXPECT_EQ(c.out[0].tx.wscale, k.ws) << k.buf;
		EXPECT_EQ(c.out[0].tx.wnd, k.wnd) << k.buf;
	}
}

TEST(Listen, NoWindowScaleOfferCapsWindow)
{
	Conn c;

	c.p.rcv_buf = 1 << 20;
	c.establish();
	EXPECT_EQ(c.tcb.rcv_wscale, 0);
	c.in(Seg(HSK_TCP_ACK | HSK_TCP_PSH, kIrs + 1, kIss + 1, "hello"));
	/* first out is the echo; its window cannot exceed 65535 unscaled */
	ASSERT_FALSE(c.out.empty());
	EXPECT_EQ(c.out[0].tx.wnd, 65535 - 5);
}

TEST(Listen, TarpitSynAckHasZeroWindow)
{
	Conn c(HSK_MODE_TARPIT);

	c.listen(Seg(HSK_TCP_SYN, kIrs).ws(7));
	EXPECT_EQ(c.out[0].tx.wnd, 0);
	EXPECT_EQ(c.out[0].tx.opts, HSK_OPT_MSS | HSK_OPT_WSCALE);
}

TEST(Listen, IsnNearWrap)
{
	Conn c;

	c.p.iss = 0xffffffffu;
	ASSERT_EQ(c.listen(Seg(HSK_TCP_SYN, 0xffffffffu)), 1);
	EXPECT_EQ(c.out[0].tx.seq, 0xffffffffu);
	EXPECT_EQ(c.out[0].tx.ack, 0u);
	EXPECT_EQ(c.tcb.snd_nxt, 0u);
	c.in(Seg(HSK_TCP_ACK, 0, 0));
	EXPECT_EQ(c.state(), HSK_STATE_ESTABLISHED);
}

TEST(Listen, InvalidModeFallsBackToDiscard)
{
	Conn c(99);

	c.listen(Seg(HSK_TCP_SYN, 1));
	EXPECT_EQ(c.tcb.mode, HSK_MODE_DISCARD);
}
