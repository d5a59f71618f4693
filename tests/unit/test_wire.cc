// SPDX-License-Identifier: GPL-2.0
/* Sequence arithmetic, option and header parsing, header writing. */
#include "hsk_test.h"

#include <vector>

using namespace hsk_test;

TEST(Seq, BeforeAfterAcrossWrap)
{
	EXPECT_TRUE(hsk_seq_before(1, 2));
	EXPECT_FALSE(hsk_seq_before(2, 2));
	EXPECT_TRUE(hsk_seq_before(0xfffffff0u, 0x10));
	EXPECT_TRUE(hsk_seq_after(0x10, 0xfffffff0u));
	EXPECT_TRUE(hsk_seq_leq(5, 5));
	EXPECT_TRUE(hsk_seq_geq(0, 0xffffffffu));
	EXPECT_FALSE(hsk_seq_after(0xffffffffu, 0));
	/* 2^31 apart: "before" in one direction only */
	EXPECT_TRUE(hsk_seq_before(0x80000000u, 0));
	EXPECT_FALSE(hsk_seq_before(0x7fffffffu, 0));
}

TEST(Seq, BetweenAndWindow)
{
	EXPECT_TRUE(hsk_seq_between(0, 0xfffffff0u, 0x10));
	EXPECT_TRUE(hsk_seq_between(0xfffffff0u, 0xfffffff0u, 0x10));
	EXPECT_TRUE(hsk_seq_between(0x10, 0xfffffff0u, 0x10));
	EXPECT_FALSE(hsk_seq_between(0x11, 0xfffffff0u, 0x10));
	EXPECT_FALSE(hsk_seq_between(0xffffffefu, 0xfffffff0u, 0x10));
	/* wider than 2^31 still works */
	EXPECT_TRUE(hsk_seq_between(0x90000000u, 0x10, 0xa0000000u));
	EXPECT_TRUE(hsk_seq_in_window(0xffffffffu, 0xfffffffeu, 3));
	EXPECT_TRUE(hsk_seq_in_window(0, 0xfffffffeu, 3));
	EXPECT_FALSE(hsk_seq_in_window(1, 0xfffffffeu, 3));
	EXPECT_FALSE(hsk_seq_in_window(5, 5, 0));
}

static int parse(std::vector<u8> v, hsk_opts *o)
{
	return hsk_parse_options(v.data(), (unsigned int)v.size(), o);
}

TEST(Options, AllKnownKinds)
{
	hsk_opts o;

	ASSERT_EQ(parse({ 2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10,
			  0, 0, 0, 1, 0, 0, 0, 2, 1, 1 }, &o), 0);
	EXPECT_EQ(o.present, HSK_OPT_MSS | HSK_OPT_WSCALE | HSK_OPT_SACK_PERM |
		  HSK_OPT_TS);
	EXPECT_EQ(o.mss, 1460);
	EXPECT_EQ(o.wscale, 7);
	EXPECT_EQ(o.tsval, 1u);
	EXPECT_EQ(o.tsecr, 2u);
}

TEST(Options, EmptyAndPaddingOnly)
{
	hsk_opts o;

	EXPECT_EQ(parse({}, &o), 0);
	EXPECT_EQ(o.present, 0);
	EXPECT_EQ(parse({ 1, 1, 1, 1 }, &o), 0);
	EXPECT_EQ(o.present, 0);
	EXPECT_EQ(o.mss, 0);
}

TEST(Options, EolStopsEvenBeforeGarbage)
{
	hsk_opts o;

	ASSERT_EQ(parse({ 2, 4, 0x02, 0x00, 0, 2, 1, 0xff }, &o), 0);
	EXPECT_EQ(o.present, HSK_OPT_MSS);
	EXPECT_EQ(o.mss, 512);
}

TEST(Options, UnknownKindsSkipped)
{
	hsk_opts o;

	ASSERT_EQ(parse({ 30, 4, 0xaa, 0xbb, 254, 2, 3, 3, 2 }, &o), 0);
	EXPECT_EQ(o.present, HSK_OPT_WSCALE);
	EXPECT_EQ(o.wscale, 2);
}

TEST(Options, WscaleClampedTo14)
{
	hsk_opts o;

	ASSERT_EQ(parse({ 3, 3, 15, 1 }, &o), 0);
	EXPECT_EQ(o.wscale, 14);
	ASSERT_EQ(parse({ 3, 3, 255, 1 }, &o), 0);
	EXPECT_EQ(o.wscale, 14);
	ASSERT_EQ(parse({ 3, 3, 14, 1 }, &o), 0);
	EXPECT_EQ(o.wscale, 14);
}

TEST(Options, SackBlocks)
{
	for (int n = 1; n <= 4; n++) {
		std::vector<u8> v = { 5, (u8)(2 + 8 * n) };
		hsk_opts o;

		/* block i: [0x0i0a0b0c + i, 0xf0000000 + i) */
		for (int i = 0; i < n; i++) {
			const u8 e[8] = { (u8)i, 0x0a, 0x0b, (u8)(0x0c + i),
					  0xf0, 0, 0, (u8)i };

			v.insert(v.end(), e, e + 8);
		}
		ASSERT_EQ(parse(v, &o), 0) << n;
		EXPECT_EQ(o.present, HSK_OPT_SACK);
		EXPECT_EQ(o.sack_blocks, n);
		for (int i = 0; i < n; i++) {
			EXPECT_EQ(o.sack[i].start,
				  ((u32)i << 24) + 0x0a0b0c + i) << i;
			EXPECT_EQ(o.sack[i].end, 0xf0000000u + i) << i;
		}
		for (int i = n; i < HSK_SACK_BLOCKS_MAX; i++) {
			EXPECT_EQ(o.sack[i].start, 0u) << i;
			EXPECT_EQ(o.sack[i].end, 0u) << i;
		}
	}
}

TEST(Options, Malformed)
{
	const std::vector<std::vector<u8>> bad = {
		{ 2 },				/* no room for the length */
		{ 1, 1, 1, 8 },			/* same, after padding */
		{ 2, 0, 0, 0 },			/* length 0 */
		{ 30, 1, 0, 0 },		/* length 1 */
		{ 30, 5, 0, 0 },		/* runs past the end */
		{ 2, 4, 5 },			/* MSS truncated */
		{ 2, 3, 5 },			/* MSS length 3 */
		{ 2, 5, 5, 0xb4, 0 },		/* MSS length 5 */
		{ 3, 2 },			/* WS length 2 */
		{ 3, 4, 7, 0 },			/* WS length 4 */
		{ 4, 3, 0 },			/* SACK_PERM length 3 */
		{ 4, 4, 0, 0 },			/* SACK_PERM length 4 */
		{ 8, 8, 0, 0, 0, 0, 0, 0 },	/* TS length 8 */
		{ 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, /* TS length 12 */
		{ 8, 10, 0, 0, 0, 0, 0, 0, 0 },	/* TS truncated */
		{ 5, 2 },			/* SACK without blocks */
		{ 5, 9, 0, 0, 0, 0, 0, 0, 0 },	/* SACK length 9 */
		{ 5, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, /* SACK length 11 */
		{ 5, 42 },			/* SACK length 42 */
	};
	for (size_t i = 0; i < bad.size(); i++) {
		hsk_opts o;

		EXPECT_EQ(parse(bad[i], &o), -EINVAL) << "case " << i;
	}
	/* SACK with 5 blocks (42 octets) cannot fit in 40, length 34+8 */
	std::vector<u8> big(42, 0);
	hsk_opts o;

	big[0] = 5;
	big[1] = 42;
	EXPECT_EQ(parse(big, &o), -EINVAL);
}

TEST(Options, LengthByteIsLastOctet)
{
	hsk_opts o;

	/* the option's kind is the last octet: length missing */
	EXPECT_EQ(parse({ 1, 1, 1, 3 }, &o), -EINVAL);
	/* exactly filling the area is fine */
	EXPECT_EQ(parse({ 1, 3, 3, 0 }, &o), 0);
}

static std::vector<u8> header(u8 doff, u8 flags)
{
	std::vector<u8> h(60, 0);

	h[0] = 0x9c; h[1] = 0x40;		/* sport 40000 */
	h[2] = 0; h[3] = 7;			/* dport 7 */
	h[4] = 0xff; h[5] = 0xff; h[6] = 0xff; h[7] = 0xfe;
	h[8] = 0; h[9] = 0; h[10] = 1; h[11] = 2;
	h[12] = (u8)(doff << 4);
	h[13] = flags;
	h[14] = 0x12; h[15] = 0x34;
	h[18] = 0; h[19] = 9;
	return h;
}

TEST(Header, ParsesFixedFieldsHostOrder)
{
	std::vector<u8> h = header(5, HSK_TCP_ACK | HSK_TCP_URG);
	hsk_seg s;

	ASSERT_EQ(hsk_parse_header(h.data(), 20, 120, &s), 0);
	EXPECT_EQ(s.sport, 40000);
	EXPECT_EQ(s.dport, 7);
	EXPECT_EQ(s.seq, 0xfffffffeu);
	EXPECT_EQ(s.ack, 0x102u);
	EXPECT_EQ(s.flags, HSK_TCP_ACK | HSK_TCP_URG);
	EXPECT_EQ(s.wnd, 0x1234);
	EXPECT_EQ(s.urp, 9);
	EXPECT_EQ(s.hdr_len, 20);
	EXPECT_EQ(s.len, 100u);
	EXPECT_EQ(s.opts.present, 0);
}

TEST(Header, WithOptions)
{
	std::vector<u8> h = header(8, HSK_TCP_SYN);
	const u8 opt[] = { 2, 4, 5, 0xb4, 1, 1, 4, 2, 1, 3, 3, 9 };
	hsk_seg s;

	std::copy(opt, opt + sizeof(opt), h.begin() + 20);
	ASSERT_EQ(hsk_parse_header(h.data(), 32, 32, &s), 0);
	EXPECT_EQ(s.hdr_len, 32);
	EXPECT_EQ(s.len, 0u);
	EXPECT_EQ(s.opts.mss, 1460);
	EXPECT_EQ(s.opts.wscale, 9);
	EXPECT_TRUE(s.opts.present & HSK_OPT_SACK_PERM);
}

TEST(Header, Malformed)
{
	hsk_seg s;
	std::vector<u8> h;

	for (u8 doff = 0; doff < 5; doff++) {
		h = header(doff, HSK_TCP_ACK);
		EXPECT_EQ(hsk_parse_header(h.data(), 60, 60, &s), -EINVAL)
			<< (int)doff;
	}
	h = header(5, HSK_TCP_ACK);
	EXPECT_EQ(hsk_parse_header(h.data(), 19, 60, &s), -EINVAL);
	EXPECT_EQ(hsk_parse_header(h.data(), 20, 19, &s), -EINVAL);
	h = header(6, HSK_TCP_ACK);
	h[20] = 1; h[21] = 1; h[22] = 1; h[23] = 1;
	EXPECT_EQ(hsk_parse_header(h.data(), 24, 23, &s), -EINVAL);
	EXPECT_EQ(hsk_parse_header(h.data(), 23, 100, &s), -EINVAL);
	EXPECT_EQ(hsk_parse_header(h.data(), 24, 24, &s), 0);
	h = header(15, HSK_TCP_ACK);
	EXPECT_EQ(hsk_parse_header(h.data(), 59, 100, &s), -EINVAL);
	EXPECT_EQ(hsk_parse_header(h.data(), 60, 59, &s), -EINVAL);
	/* options area of NOPs: fine; with a bad option: malformed */
	for (int i = 20; i < 60; i++)
		h[i] = 1;
	EXPECT_EQ(hsk_parse_header(h.data(), 60, 60, &s), 0);
	h[58] = 2;
	EXPECT_EQ(hsk_parse_header(h.data(), 60, 60, &s), -EINVAL);
}

TEST(Header, WriteParsesBack)
{
	hsk_tx tx{};
	u8 buf[HSK_TCP_MAX_HDR_LEN];
	hsk_seg s;

	tx.seq = 0xfffffff0u;
	tx.ack = 77;
	tx.flags = HSK_TCP_SYN | HSK_TCP_ACK;
	tx.wnd = 65535;
	tx.opts = HSK_OPT_MSS | HSK_OPT_WSCALE | HSK_OPT_SACK_PERM |
		  HSK_OPT_TS;
	tx.mss = 1460;
	tx.wscale = 7;
	tx.tsval = 0xdeadbeef;
	tx.tsecr = 42;
	ASSERT_EQ(hsk_tx_opts_len(&tx), 20u);
	ASSERT_EQ(hsk_write_header(&tx, 7, 40000, buf), 40u);
	/* Linux order: MSS, SACK_PERM + TS, NOP + WS */
	const u8 want[] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 0xde, 0xad, 0xbe,
			    0xef, 0, 0, 0, 42, 1, 3, 3, 7 };
	EXPECT_EQ(0, memcmp(buf + 20, want, sizeof(want)));
	EXPECT_EQ(buf[16], 0);
	EXPECT_EQ(buf[17], 0);
	ASSERT_EQ(hsk_parse_header(buf, 40, 40, &s), 0);
	EXPECT_EQ(s.sport, 7);
	EXPECT_EQ(s.dport, 40000);
	EXPECT_EQ(s.seq, tx.seq);
	EXPECT_EQ(s.ack, tx.ack);
	EXPECT_EQ(s.flags, tx.flags);
	EXPECT_EQ(s.opts.mss, 1460);
	EXPECT_EQ(s.opts.wscale, 7);
	EXPECT_EQ(s.opts.tsval, 0xdeadbeefu);
	EXPECT_EQ(s.opts.tsecr, 42u);
}

TEST(Header, WriteOptionLayouts)
{
	hsk_tx tx{};
	u8 buf[HSK_TCP_MAX_HDR_LEN];

	EXPECT_EQ(hsk_write_header(&tx, 1, 2, buf), 20u);
	EXPECT_EQ(buf[12], 5 << 4);

	tx.opts = HSK_OPT_TS;
	EXPECT_EQ(hsk_write_header(&tx, 1, 2, buf), 32u);
	EXPECT_EQ(buf[20], 1);
	EXPECT_EQ(buf[21], 1);
	EXPECT_EQ(buf[22], 8);

	tx.opts = HSK_OPT_MSS | HSK_OPT_SACK_PERM;
	tx.mss = 536;
	EXPECT_EQ(hsk_write_header(&tx, 1, 2, buf), 28u);
	const u8 want[] = { 2, 4, 2, 0x18, 1, 1, 4, 2 };
	EXPECT_EQ(0, memcmp(buf + 20, want, sizeof(want)));

	tx.urp = 0x1234;
	tx.opts = 0;
	hsk_write_header(&tx, 1, 2, buf);
	EXPECT_EQ(buf[18], 0x12);
	EXPECT_EQ(buf[19], 0x34);
}

TEST(Names, RfcStateNames)
{
	EXPECT_STREQ(hsk_state_name(HSK_STATE_LISTEN), "LISTEN");
	EXPECT_STREQ(hsk_state_name(HSK_STATE_SYN_RECEIVED), "SYN-RECEIVED");
	EXPECT_STREQ(hsk_state_name(HSK_STATE_ESTABLISHED), "ESTABLISHED");
	EXPECT_STREQ(hsk_state_name(HSK_STATE_FIN_WAIT_1), "FIN-WAIT-1");
	EXPECT_STREQ(hsk_state_name(HSK_STATE_FIN_WAIT_2), "FIN-WAIT-2");
	EXPECT_STREQ(hsk_state_name(HSK_STATE_CLOSING), "CLOSING");
	EXPECT_STREQ(hsk_state_name(HSK_STATE_TIME_WAIT), "TIME-WAIT");
	EXPECT_STREQ(hsk_state_name(HSK_STATE_CLOSE_WAIT), "CLOSE-WAIT");
	EXPECT_STREQ(hsk_state_name(HSK_STATE_LAST_ACK), "LAST-ACK");
	EXPECT_STREQ(hsk_state_name(HSK_STATE_CLOSED), "CLOSED");
	EXPECT_STREQ(hsk_state_name(HSK_STATE_MAX), "UNKNOWN");
	EXPECT_STREQ(hsk_state_name(~0u), "UNKNOWN");
}
