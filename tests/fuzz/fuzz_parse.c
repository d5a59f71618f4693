// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_parse: hsk_parse_header() and hsk_parse_options() on arbitrary
 * bytes, and hsk_write_header() read back by hsk_parse_header().
 *
 * Input layout (see also mkcorpus.c):
 *
 *   octet 0     control: bits 0-1 how many octets are readable (avail),
 *               bits 2-3 the segment length (seg_len), bits 4-7 the
 *               length handed to hsk_parse_options()
 *   octets 1-4  parameters of those choices
 *   octets 5-   the TCP header (fixed part, options, maybe payload)
 *
 * Every buffer the core reads is a heap copy of exactly the octets it may
 * read, and every buffer it writes is exactly as long as it announced, so
 * AddressSanitizer catches any access past the end.
 *
 * Checked: the result does not depend on what the output struct held
 * before (it is "fully overwritten"); success exactly when an independent
 * reading of RFC 9293 / RFC 7323 / RFC 2018 and of the function's comment
 * says so; on success every field is the one in the octets, hdr_len is
 * within every bound, and the options agree with a reference parser
 * (window scale at most 14, 1 to 4 SACK blocks, values only when present);
 * whatever hsk_write_header() writes is at most 60 octets, 4-aligned, and
 * parses back to what it was given.
 */
#include "fuzz.h"

int hsk_fuzz_trace;

#define OPT_ALL	(HSK_OPT_MSS | HSK_OPT_WSCALE | HSK_OPT_SACK_PERM |	\
		 HSK_OPT_TS | HSK_OPT_SACK)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	hsk_fuzz_trace = getenv("HSK_FUZZ_TRACE") != NULL;
	return 0;
}

/* Exactly @len octets on the heap, so that reading past them is caught. */
static u8 *dup_exact(const u8 *p, size_t len)
{
	u8 *b = malloc(len ? len : 1);

	CHECK(b != NULL, "out of memory");
	if (len)
		memcpy(b, p, len);
	return b;
}

/*
 * The option grammar, written from the RFCs and the documented rules of
 * hsk_parse_options() rather than from its code: EOL ends, NOP is one
 * octet, every other kind is kind, length (>= 2, within the area), value;
 * the kinds hsk knows must have their RFC length; later copies win.
 */
static int ref_parse_options(const u8 *opt, unsigned int len,
			     struct hsk_opts *o)
{
	static const u8 fixed_len[256] = {
		[HSK_TCPOPT_MSS] = 4, [HSK_TCPOPT_WSCALE] = 3,
		[HSK_TCPOPT_SACK_PERM] = 2, [HSK_TCPOPT_TS] = 10,
	};
	const u8 *p = opt, *end = opt + len;
#ifdef HSK_SACK_BLOCKS_MAX
	unsigned int n;
#endif

	memset(o, 0, sizeof(*o));
	while (p < end && *p != HSK_TCPOPT_EOL) {
		unsigned int kind = p[0], olen;

		if (kind == HSK_TCPOPT_NOP) {
			p++;
			continue;
		}
		if (end - p < 2)
			return -EINVAL;
		olen = p[1];
		if (olen < 2 || olen > (unsigned int)(end - p))
			return -EINVAL;
		if (fixed_len[kind] && olen != fixed_len[kind])
			return -EINVAL;
		if (kind == HSK_TCPOPT_SACK &&
		    (olen < 2 + 8 || olen > 2 + 4 * 8 || (olen - 2) % 8))
			return -EINVAL;
		switch (kind) {
		case HSK_TCPOPT_MSS:
			o->present |= HSK_OPT_MSS;
			o->mss = (u16)(p[2] << 8 | p[3]);
			break;
		case HSK_TCPOPT_WSCALE:
			o->present |= HSK_OPT_WSCALE;
			o->wscale = p[2] > 14 ? 14 : p[2];
			break;
		case HSK_TCPOPT_SACK_PERM:
			o->present |= HSK_OPT_SACK_PERM;
			break;
		case HSK_TCPOPT_SACK:
			o->present |= HSK_OPT_SACK;
			o->sack_blocks = (u8)(olen / 8);
#ifdef HSK_SACK_BLOCKS_MAX
			for (n = 0; n < o->sack_blocks; n++) {
				const u8 *q = p + 2 + 8 * n;

				o->sack[n].start = (u32)q[0] << 24 |
						   (u32)q[1] << 16 |
						   (u32)q[2] << 8 | q[3];
				o->sack[n].end = (u32)q[4] << 24 |
						 (u32)q[5] << 16 |
						 (u32)q[6] << 8 | q[7];
			}
#endif
			break;
		case HSK_TCPOPT_TS:
			o->present |= HSK_OPT_TS;
			o->tsval = (u32)p[2] << 24 | (u32)p[3] << 16 |
				   (u32)p[4] << 8 | p[5];
			o->tsecr = (u32)p[6] << 24 | (u32)p[7] << 16 |
				   (u32)p[8] << 8 | p[9];
			break;
		default:
			break;
		}
		p += olen;
	}
	return 0;
}

static void check_opts_shape(const struct hsk_opts *o)
{
	CHECK(!(o->present & ~OPT_ALL), "unknown present bits 0x%x",
	      o->present);
	CHECK(o->wscale <= HSK_WSCALE_MAX, "wscale %u", o->wscale);
	CHECK((o->present & HSK_OPT_WSCALE) || !o->wscale,
	      "wscale %u without the option", o->wscale);
	CHECK((o->present & HSK_OPT_MSS) || !o->mss, "mss %u without option",
	      o->mss);
	if (o->present & HSK_OPT_SACK)
		CHECK(o->sack_blocks >= 1 && o->sack_blocks <= 4,
		      "%u SACK blocks", o->sack_blocks);
	else
		CHECK(!o->sack_blocks, "%u SACK blocks without the option",
		      o->sack_blocks);
	CHECK((o->present & HSK_OPT_TS) || (!o->tsval && !o->tsecr),
	      "timestamps without the option");
}

static void check_opts_equal(const struct hsk_opts *a,
			     const struct hsk_opts *b, const char *what)
{
	CHECK(a->present == b->present, "%s: present 0x%x, reference 0x%x",
	      what, a->present, b->present);
	CHECK(a->mss == b->mss, "%s: mss %u, reference %u", what, a->mss,
	      b->mss);
	CHECK(a->wscale == b->wscale, "%s: wscale %u, reference %u", what,
	      a->wscale, b->wscale);
	CHECK(a->sack_blocks == b->sack_blocks,
	      "%s: sack_blocks %u, reference %u", what, a->sack_blocks,
	      b->sack_blocks);
	CHECK(a->tsval == b->tsval && a->tsecr == b->tsecr,
	      "%s: timestamps differ from the reference", what);
#ifdef HSK_SACK_BLOCKS_MAX
	/* the whole array: unused entries must be zero in both */
	CHECK(!memcmp(a->sack, b->sack, sizeof(a->sack)),
	      "%s: SACK blocks differ from the reference", what);
#endif
}

/* hsk_parse_options() over @len octets (an exact heap copy). */
static void fuzz_options(const u8 *data, unsigned int len)
{
	struct hsk_opts o1, o2, ref;
	u8 *buf = dup_exact(data, len);
	int r1, r2, rr;

	memset(&o1, 0x00, sizeof(o1));
	memset(&o2, 0xff, sizeof(o2));
	r1 = hsk_parse_options(buf, len, &o1);
	r2 = hsk_parse_options(buf, len, &o2);
	CHECK(r1 == r2 && !memcmp(&o1, &o2, sizeof(o1)),
	      "hsk_parse_options() result depends on the old contents");
	CHECK(r1 == 0 || r1 == -EINVAL, "hsk_parse_options() returned %d",
	      r1);
	rr = ref_parse_options(buf, len, &ref);
	CHECK(r1 == rr, "hsk_parse_options() returned %d, reference %d "
	      "(len %u)", r1, rr, len);
	if (!r1) {
		check_opts_shape(&o1);
		check_opts_equal(&o1, &ref, "hsk_parse_options");
	}
	free(buf);
}

/* hsk_parse_header() with @avail readable octets of a @seg_len segment. */
static void fuzz_header(const u8 *data, unsigned int avail,
			unsigned int seg_len)
{
	struct hsk_seg s1, s2;
	struct hsk_opts ref;
	unsigned int hlen = 0;
	bool ok;
	u8 *hdr = dup_exact(data, avail);
	int r1, r2;

	memset(&s1, 0x00, sizeof(s1));
	memset(&s2, 0xa5, sizeof(s2));
	r1 = hsk_parse_header(hdr, avail, seg_len, &s1);
	r2 = hsk_parse_header(hdr, avail, seg_len, &s2);
	CHECK(r1 == r2 && !memcmp(&s1, &s2, sizeof(s1)),
	      "hsk_parse_header() result depends on the old contents");
	CHECK(r1 == 0 || r1 == -EINVAL, "hsk_parse_header() returned %d", r1);

	ok = avail >= HSK_TCP_HDR_LEN && seg_len >= HSK_TCP_HDR_LEN;
	if (ok) {
		hlen = (unsigned int)(hdr[12] >> 4) * 4;
		ok = hlen >= HSK_TCP_HDR_LEN && hlen <= avail &&
		     hlen <= seg_len &&
		     !ref_parse_options(hdr + HSK_TCP_HDR_LEN,
					hlen - HSK_TCP_HDR_LEN, &ref);
	}
	FZ_TRACE("header avail %u seg_len %u hlen %u: %d\n", avail, seg_len,
		 hlen, r1);
	CHECK(ok == (r1 == 0), "hsk_parse_header() returned %d, expected %s "
	      "(avail %u, seg_len %u, data offset %u)", r1,
	      ok ? "success" : "-EINVAL", avail, seg_len, hlen);
	if (r1) {
		free(hdr);
		return;
	}

	CHECK(s1.hdr_len == hlen && hlen % 4 == 0 &&
	      hlen <= HSK_TCP_MAX_HDR_LEN, "hdr_len %u (data offset %u)",
	      s1.hdr_len, hlen);
	CHECK(s1.hdr_len <= avail && s1.hdr_len <= seg_len,
	      "hdr_len %u beyond avail %u / seg_len %u", s1.hdr_len, avail,
	      seg_len);
	CHECK(s1.len == seg_len - hlen, "len %u, expected %u", s1.len,
	      seg_len - hlen);
	CHECK(s1.sport == hsk_get_be16(hdr) && s1.dport == hsk_get_be16(hdr + 2),
	      "ports");
	CHECK(s1.seq == hsk_get_be32(hdr + 4) && s1.ack == hsk_get_be32(hdr + 8),
	      "seq/ack");
	CHECK(s1.flags == hdr[13], "flags 0x%x, octet 0x%x", s1.flags,
	      hdr[13]);
	CHECK(s1.wnd == hsk_get_be16(hdr + 14), "window");
	CHECK(s1.urp == hsk_get_be16(hdr + 18), "urgent pointer");
	check_opts_shape(&s1.opts);
	check_opts_equal(&s1.opts, &ref, "hsk_parse_header");
	free(hdr);
}

/* hsk_write_header() must write what hsk_parse_header() reads back. */
static void fuzz_write(const struct hsk_tx *tx)
{
	unsigned int olen = hsk_tx_opts_len(tx), hlen;
	u8 want = tx->opts & (HSK_OPT_MSS | HSK_OPT_WSCALE |
			      HSK_OPT_SACK_PERM | HSK_OPT_TS);
	unsigned int base = olen, nsack = 0, i;
	struct hsk_seg s;
	u8 *buf;

	CHECK(olen % 4 == 0 && olen <= HSK_TCP_MAX_OPT_LEN,
	      "hsk_tx_opts_len() %u", olen);
	/* SACK blocks: as many as fit after the other options */
	if (tx->opts & HSK_OPT_SACK) {
		struct hsk_tx t2 = *tx;

		t2.opts &= (u8)~HSK_OPT_SACK;
		base = hsk_tx_opts_len(&t2);
		if (olen > base) {
			nsack = (olen - base - 4) / 8;
			want |= HSK_OPT_SACK;
		}
		CHECK(nsack <= tx->nsack && nsack <= HSK_SACK_BLOCKS_MAX &&
		      (nsack == tx->nsack || nsack == HSK_SACK_BLOCKS_MAX ||
		       base + 4 + 8 * (nsack + 1) > HSK_TCP_MAX_OPT_LEN),
		      "%u of %u SACK blocks written after %u octets", nsack,
		      tx->nsack, base);
	}
	buf = malloc(HSK_TCP_HDR_LEN + olen);
	CHECK(buf != NULL, "out of memory");
	hlen = hsk_write_header(tx, 1234, 7, buf);
	CHECK(hlen == HSK_TCP_HDR_LEN + olen, "hsk_write_header() %u, "
	      "hsk_tx_opts_len() %u", hlen, olen);
	CHECK(!hsk_parse_header(buf, hlen, hlen + 100, &s),
	      "hsk_write_header() output does not parse (opts 0x%x)",
	      tx->opts);
	CHECK(s.sport == 1234 && s.dport == 7 && s.seq == tx->seq &&
	      s.ack == tx->ack && s.flags == tx->flags && s.wnd == tx->wnd &&
	      s.urp == tx->urp && s.hdr_len == hlen && s.len == 100,
	      "header fields do not read back");
	CHECK(s.opts.present == want, "options 0x%x read back as 0x%x", want,
	      s.opts.present);
	if (want & HSK_OPT_MSS)
		CHECK(s.opts.mss == tx->mss, "mss");
	if (want & HSK_OPT_WSCALE)
		CHECK(s.opts.wscale == (tx->wscale > 14 ? 14 : tx->wscale),
		      "wscale %u read back as %u", tx->wscale, s.opts.wscale);
	if (want & HSK_OPT_TS)
		CHECK(s.opts.tsval == tx->tsval && s.opts.tsecr == tx->tsecr,
		      "timestamps");
	if (want & HSK_OPT_SACK) {
		CHECK(s.opts.sack_blocks == nsack, "%u SACK blocks read back "
		      "as %u", nsack, s.opts.sack_blocks);
		for (i = 0; i < nsack; i++)
			CHECK(s.opts.sack[i].start == tx->sack[i].start &&
			      s.opts.sack[i].end == tx->sack[i].end,
			      "SACK block %u", i);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	u8 ctl = fz_u8(&f);
	u8 a = fz_u8(&f), b = fz_u8(&f);
	u16 c = fz_u16(&f);
	const u8 *pkt = f.p;
	unsigned int n = (unsigned int)(f.n > 0x10000 ? 0x10000 : f.n);
	unsigned int avail, seg_len, olen;
	struct hsk_seg s;
	struct hsk_tx tx;

	switch (ctl & 3) {
	case 0:				/* all of it */
		avail = n;
		break;
	case 1:				/* all but a few */
		avail = n - (a < n ? a : n);
		break;
	case 2:				/* a prefix, as skb_header_pointer() */
		avail = a < n ? a : n;
		break;
	default:			/* exactly the fixed header */
		avail = n < HSK_TCP_HDR_LEN ? n : HSK_TCP_HDR_LEN;
		break;
	}
	switch ((ctl >> 2) & 3) {
	case 0:				/* no payload */
		seg_len = avail;
		break;
	case 1:				/* payload beyond what is readable */
		seg_len = avail + c;
		break;
	case 2:				/* any (maybe shorter than avail) */
		seg_len = c;
		break;
	default:			/* extreme lengths */
		seg_len = (b & 1) ? 0xffffffffU - c : b;
		break;
	}
	fuzz_header(pkt, avail, seg_len);

	/* The option parser alone, on any length of the same octets */
	olen = n;
	if (ctl >> 4)
		olen = (unsigned int)(ctl >> 4) * 3 + (b & 3);
	if (n > HSK_TCP_HDR_LEN && olen > n - HSK_TCP_HDR_LEN)
		olen = n - HSK_TCP_HDR_LEN;
	if (n > HSK_TCP_HDR_LEN)
		fuzz_options(pkt + HSK_TCP_HDR_LEN, olen);
	else
		fuzz_options(pkt, n > olen ? olen : n);

	/* Writing: from the parsed header if there is one, else raw */
	memset(&tx, 0, sizeof(tx));
	if (!hsk_parse_header(pkt, n, n, &s)) {
		tx.seq = s.seq;
		tx.ack = s.ack;
		tx.flags = s.flags;
		tx.wnd = s.wnd;
		tx.urp = s.urp;
		tx.opts = s.opts.present;
		tx.mss = s.opts.mss;
		tx.wscale = s.opts.wscale;
		tx.tsval = s.opts.tsval;
		tx.tsecr = s.opts.tsecr;
		tx.nsack = s.opts.sack_blocks;
		memcpy(tx.sack, s.opts.sack, sizeof(tx.sack));
	} else {
		tx.seq = (u32)a << 24 | c;
		tx.ack = ~tx.seq;
		tx.flags = b;
		tx.wnd = c;
		tx.urp = (u16)~c;
		tx.opts = ctl;
		tx.mss = c;
		tx.wscale = a;
		tx.tsval = tx.seq * 3;
		tx.tsecr = tx.ack * 5;
		tx.nsack = a % (HSK_SACK_BLOCKS_MAX + 2);
		for (olen = 0; olen < HSK_SACK_BLOCKS_MAX; olen++) {
			tx.sack[olen].start = tx.seq + olen * 1000;
			tx.sack[olen].end = tx.seq + olen * 1000 + c;
		}
	}
	fuzz_write(&tx);
	return 0;
}
