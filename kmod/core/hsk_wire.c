// SPDX-License-Identifier: GPL-2.0
/*
 * hsk TCP core: TCP header and option parsing and writing.
 *
 * Works on plain byte arrays (in the kernel: skb_header_pointer() copies),
 * so that the fuzzer exercises exactly the code that parses hostile input.
 */
#include "hsk_core.h"

/*
 * Lengths that RFC 9293 (MSS), RFC 7323 (WS, TS) and RFC 2018 (SACK) fix.
 * A wrong one means the sender is broken or hostile; guessing what it
 * meant is how parsers get confused, so the whole segment is rejected.
 */
static bool hsk_opt_len_ok(u8 kind, u8 len)
{
	switch (kind) {
	case HSK_TCPOPT_MSS:
		return len == 4;
	case HSK_TCPOPT_WSCALE:
		return len == 3;
	case HSK_TCPOPT_SACK_PERM:
		return len == 2;
	case HSK_TCPOPT_SACK:
		return len == 10 || len == 18 || len == 26 || len == 34;
	case HSK_TCPOPT_TS:
		return len == 10;
	default:
		return true;
	}
}

/**
 * hsk_parse_options() - parse the option list of a TCP header
 * @opt: first option octet (right after the 20 octet fixed header)
 * @len: length of the option area in octets
 * @o: result, fully overwritten even on error
 *
 * EOL ends the list, NOP is skipped, unknown kinds with a sane length are
 * skipped. A repeated option overrides the earlier one. A window scale
 * above 14 is used as 14 (RFC 7323 2.3).
 *
 * Return: 0, or -EINVAL if an option has a length octet below 2, runs past
 * @len, has no room for its length octet, or has the wrong length for MSS,
 * window scale, SACK-permitted, SACK or timestamps.
 */
int hsk_parse_options(const u8 *opt, unsigned int len, struct hsk_opts *o)
{
	unsigned int i = 0, n;

	memset(o, 0, sizeof(*o));
	while (i < len) {
		u8 kind = opt[i];
		u8 olen;

		if (kind == HSK_TCPOPT_EOL)
			break;
		if (kind == HSK_TCPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return -EINVAL;
		olen = opt[i + 1];
		if (olen < 2 || olen > len - i || !hsk_opt_len_ok(kind, olen))
			return -EINVAL;

		switch (kind) {
		case HSK_TCPOPT_MSS:
			o->present |= HSK_OPT_MSS;
			o->mss = hsk_get_be16(opt + i + 2);
			break;
		case HSK_TCPOPT_WSCALE:
			o->present |= HSK_OPT_WSCALE;
			o->wscale = min_t(u8, opt[i + 2], HSK_WSCALE_MAX);
			break;
		case HSK_TCPOPT_SACK_PERM:
			o->present |= HSK_OPT_SACK_PERM;
			break;
		case HSK_TCPOPT_SACK:
			o->present |= HSK_OPT_SACK;
			o->sack_blocks = (olen - 2) / 8;
			for (n = 0; n < o->sack_blocks; n++) {
				o->sack[n].start =
					hsk_get_be32(opt + i + 2 + 8 * n);
				o->sack[n].end =
					hsk_get_be32(opt + i + 6 + 8 * n);
			}
			break;
		case HSK_TCPOPT_TS:
			o->present |= HSK_OPT_TS;
			o->tsval = hsk_get_be32(opt + i + 2);
			o->tsecr = hsk_get_be32(opt + i + 6);
			break;
		}
		i += olen;
	}
	return 0;
}

/**
 * hsk_parse_header() - validate a TCP header and convert it to host order
 * @hdr: the header as received (at least the fixed part)
 * @avail: octets readable at @hdr
 * @seg_len: length of the whole segment (header + payload)
 * @s: result, fully overwritten even on error
 *
 * The checksum is the caller's business; nothing here depends on it.
 *
 * Return: 0, or -EINVAL if the data offset is below 5, the header is longer
 * than the segment or than @avail, or the options are malformed.
 */
int hsk_parse_header(const u8 *hdr, unsigned int avail, unsigned int seg_len,
		     struct hsk_seg *s)
{
	unsigned int hlen;

	memset(s, 0, sizeof(*s));
	if (avail < HSK_TCP_HDR_LEN || seg_len < HSK_TCP_HDR_LEN)
		return -EINVAL;
	hlen = (hdr[12] >> 4) * 4;
	if (hlen < HSK_TCP_HDR_LEN || hlen > seg_len || hlen > avail)
		return -EINVAL;

	s->sport = hsk_get_be16(hdr);
	s->dport = hsk_get_be16(hdr + 2);
	s->seq = hsk_get_be32(hdr + 4);
	s->ack = hsk_get_be32(hdr + 8);
	s->flags = hdr[13];
	s->wnd = hsk_get_be16(hdr + 14);
	s->urp = hsk_get_be16(hdr + 18);
	s->hdr_len = (u16)hlen;
	s->len = seg_len - hlen;
	return hsk_parse_options(hdr + HSK_TCP_HDR_LEN, hlen - HSK_TCP_HDR_LEN,
				 &s->opts);
}

/* Options other than SACK: the SYN-ACK's and the timestamps. */
static unsigned int hsk_tx_base_len(const struct hsk_tx *tx)
{
	unsigned int len = 0;

	if (tx->opts & HSK_OPT_MSS)
		len += 4;
	/* SACK-permitted fills the two NOPs in front of the timestamps */
	if (tx->opts & HSK_OPT_TS)
		len += 12;
	else if (tx->opts & HSK_OPT_SACK_PERM)
		len += 4;
	if (tx->opts & HSK_OPT_WSCALE)
		len += 4;
	return len;
}

/* SACK blocks written: as many of tx->nsack as the option space takes. */
static unsigned int hsk_tx_sack_blocks(const struct hsk_tx *tx)
{
	unsigned int base = hsk_tx_base_len(tx);

	if (!(tx->opts & HSK_OPT_SACK) || base + 4 > HSK_TCP_MAX_OPT_LEN)
		return 0;
	return min_t(unsigned int, min_t(unsigned int, tx->nsack,
					 HSK_SACK_BLOCKS_MAX),
		     (HSK_TCP_MAX_OPT_LEN - base - 4) / 8);
}

/**
 * hsk_tx_opts_len() - octets of TCP options hsk_write_header() writes
 * @tx: segment description
 *
 * Return: option length, a multiple of 4, at most HSK_TCP_MAX_OPT_LEN.
 */
unsigned int hsk_tx_opts_len(const struct hsk_tx *tx)
{
	unsigned int n = hsk_tx_sack_blocks(tx);

	return hsk_tx_base_len(tx) + (n ? 4 + 8 * n : 0);
}

/* NOP, NOP, then the SACK option with @n blocks. */
static void hsk_write_sack(const struct hsk_tx *tx, u8 *p, unsigned int n)
{
	unsigned int i;

	p[0] = HSK_TCPOPT_NOP;
	p[1] = HSK_TCPOPT_NOP;
	p[2] = HSK_TCPOPT_SACK;
	p[3] = (u8)(2 + 8 * n);
	p += 4;
	for (i = 0; i < n; i++, p += 8) {
		hsk_put_be32(p, tx->sack[i].start);
		hsk_put_be32(p + 4, tx->sack[i].end);
	}
}

/**
 * hsk_write_header() - write the TCP header and options of a segment
 * @tx: segment description
 * @sport: source port
 * @dport: destination port
 * @buf: room for HSK_TCP_MAX_HDR_LEN octets
 *
 * Options are laid out as Linux does (MSS, SACK-permitted, timestamps,
 * NOP, window scale, then NOP, NOP and SACK blocks) so that a capture
 * looks familiar and every option is 4-aligned. The checksum field is
 * left zero for the caller to fill.
 *
 * Return: header length in octets (20 + hsk_tx_opts_len()).
 */
unsigned int hsk_write_header(const struct hsk_tx *tx, u16 sport, u16 dport,
			      u8 *buf)
{
	unsigned int hlen = HSK_TCP_HDR_LEN + hsk_tx_opts_len(tx);
	u8 *p = buf + HSK_TCP_HDR_LEN;

	hsk_put_be16(buf, sport);
	hsk_put_be16(buf + 2, dport);
	hsk_put_be32(buf + 4, tx->seq);
	hsk_put_be32(buf + 8, tx->ack);
	buf[12] = (u8)((hlen / 4) << 4);
	buf[13] = tx->flags;
	hsk_put_be16(buf + 14, tx->wnd);
	hsk_put_be16(buf + 16, 0);
	hsk_put_be16(buf + 18, tx->urp);

	if (tx->opts & HSK_OPT_MSS) {
		p[0] = HSK_TCPOPT_MSS;
		p[1] = 4;
		hsk_put_be16(p + 2, tx->mss);
		p += 4;
	}
	if (tx->opts & HSK_OPT_TS) {
		if (tx->opts & HSK_OPT_SACK_PERM) {
			p[0] = HSK_TCPOPT_SACK_PERM;
			p[1] = 2;
		} else {
			p[0] = HSK_TCPOPT_NOP;
			p[1] = HSK_TCPOPT_NOP;
		}
		p[2] = HSK_TCPOPT_TS;
		p[3] = 10;
		hsk_put_be32(p + 4, tx->tsval);
		hsk_put_be32(p + 8, tx->tsecr);
		p += 12;
	} else if (tx->opts & HSK_OPT_SACK_PERM) {
		p[0] = HSK_TCPOPT_NOP;
		p[1] = HSK_TCPOPT_NOP;
		p[2] = HSK_TCPOPT_SACK_PERM;
		p[3] = 2;
		p += 4;
	}
	if (tx->opts & HSK_OPT_WSCALE) {
		p[0] = HSK_TCPOPT_NOP;
		p[1] = HSK_TCPOPT_WSCALE;
		p[2] = 3;
		p[3] = tx->wscale;
		p += 4;
	}
	if (hsk_tx_sack_blocks(tx))
		hsk_write_sack(tx, p, hsk_tx_sack_blocks(tx));
	return hlen;
}
