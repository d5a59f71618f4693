// SPDX-License-Identifier: GPL-2.0
/*
 * hsk TCP core: the SACK scoreboard (RFC 2018) and the queries of SACK
 * based loss recovery (RFC 6675) over it: IsLost(), SetPipe() and the
 * retransmission rules of NextSeg().
 *
 * The send queue knows no segment boundaries, so the scoreboard is a short
 * sorted list of the octet ranges above SND.UNA that the peer reported
 * holding. The holes between them are what may need resending: hole k
 * lies below range k (hole 0 starts at SND.UNA), the last one runs up to
 * SND.NXT and has nothing SACKed above it. IsLost() of an octet only looks
 * at the SACKed octets above it, so it is the same for a whole hole, and
 * true for every hole below a lost one.
 */
#include "hsk_internal.h"

/* Octets [a, b) overlap [c, d) in; all four in one half of the space. */
static u32 hsk_overlap(u32 a, u32 b, u32 c, u32 d)
{
	u32 lo = hsk_seq_after(a, c) ? a : c;
	u32 hi = hsk_seq_before(b, d) ? b : d;

	return hsk_seq_after(hi, lo) ? hi - lo : 0;
}

/* Hole @k: [*a, *b); the last one (@k == nsacked) ends at SND.NXT. */
static void hsk_hole(const struct hsk_tcb *tcb, unsigned int k, u32 *a,
		     u32 *b)
{
	*a = k ? tcb->sacked[k - 1].end : tcb->snd_una;
	*b = k < tcb->nsacked ? tcb->sacked[k].start : tcb->snd_nxt;
}

/**
 * hsk_sack_trim() - forget what SND.UNA has passed
 * @tcb: connection, after SND.UNA moved
 */
void hsk_sack_trim(struct hsk_tcb *tcb)
{
	struct hsk_sack_block b;
	unsigned int i, n = 0;

	for (i = 0; i < tcb->nsacked; i++) {
		b = tcb->sacked[i];
		if (!hsk_seq_after(b.end, tcb->snd_una))
			continue;
		if (hsk_seq_before(b.start, tcb->snd_una))
			b.start = tcb->snd_una;
		tcb->sacked[n++] = b;
	}
	tcb->nsacked = (u8)n;
}

/*
 * Record [start, end), merging what it overlaps or touches. A full
 * scoreboard forgets its highest range: knowing less above a hole only
 * makes IsLost() more careful, while a forgotten hole would never be
 * resent. Return: octets that were not SACKed before.
 */
static u32 hsk_sack_add(struct hsk_tcb *tcb, u32 start, u32 end)
{
	struct hsk_sack_block *s = tcb->sacked;
	unsigned int i = 0, j, n = tcb->nsacked;
	u32 fresh = end - start, l = start, r = end;

	while (i < n && hsk_seq_before(s[i].end, start))
		i++;
	for (j = i; j < n && hsk_seq_leq(s[j].start, end); j++) {
		fresh -= hsk_overlap(s[j].start, s[j].end, start, end);
		if (hsk_seq_before(s[j].start, l))
			l = s[j].start;
		if (hsk_seq_after(s[j].end, r))
			r = s[j].end;
	}
	if (j == i) {
		/* no neighbour: a new range at i */
		if (i >= HSK_SACK_SCORE)
			return fresh;
		if (n == HSK_SACK_SCORE)
			n--;
		memmove(&s[i + 1], &s[i], (n - i) * sizeof(*s));
		n++;
	} else {
		/* s[i..j) become one range */
		memmove(&s[i + 1], &s[j], (n - j) * sizeof(*s));
		n -= j - i - 1;
	}
	s[i].start = l;
	s[i].end = r;
	tcb->nsacked = (u8)n;
	return fresh;
}

/**
 * hsk_sack_update() - RFC 6675 Update(): take the SACK blocks of an ACK
 * @tcb: connection, SND.UNA already advanced to the ACK
 * @seg: the acceptable ACK
 *
 * Only blocks within (SND.UNA, end of data sent] count: one below is a
 * D-SACK (RFC 2883) or stale, one above reports data never sent. The FIN
 * is never SACKed, so the last hole always keeps it.
 *
 * Return: true if the ACK SACKed octets that were not SACKed before, which
 * makes it a duplicate ACK for RFC 6675.
 */
bool hsk_sack_update(struct hsk_tcb *tcb, const struct hsk_seg *seg)
{
	const struct hsk_opts *o = &seg->opts;
	u32 top = hsk_data_end(tcb), fresh = 0, l, r;
	unsigned int i;

	if (!(tcb->flags & HSK_TF_SACK_OK) || !(o->present & HSK_OPT_SACK))
		return false;
	for (i = 0; i < min_t(u32, o->sack_blocks, HSK_SACK_BLOCKS_MAX);
	     i++) {
		l = o->sack[i].start;
		r = o->sack[i].end;
		if (!hsk_seq_before(l, r) || hsk_seq_after(r, top) ||
		    !hsk_seq_after(r, tcb->snd_una))
			continue;
		if (hsk_seq_before(l, tcb->snd_una))
			l = tcb->snd_una;
		fresh += hsk_sack_add(tcb, l, r);
	}
	return fresh > 0;
}

/**
 * hsk_sack_lost_end() - where IsLost() turns false
 * @tcb: connection
 *
 * IsLost(seq) holds when DupThresh discontiguous SACKed ranges, or more
 * than (DupThresh - 1) * SMSS SACKed octets, lie above seq.
 *
 * Return: L such that the unSACKed octets in [SND.UNA, L) are lost and
 * those above are not; SND.UNA if none is.
 */
u32 hsk_sack_lost_end(const struct hsk_tcb *tcb)
{
	u32 mss = hsk_mss_eff(tcb), bytes = 0;
	unsigned int k = tcb->nsacked;

	while (k--) {
		bytes += tcb->sacked[k].end - tcb->sacked[k].start;
		if (tcb->nsacked - k >= HSK_DUPTHRESH ||
		    bytes > (HSK_DUPTHRESH - 1) * mss)
			return tcb->sacked[k].start;
	}
	return tcb->snd_una;
}

/**
 * hsk_sack_pipe() - RFC 6675 SetPipe(): octets presumed in the network
 * @tcb: connection
 * @high_rxt: HighRxt + 1 (SND.UNA outside a recovery): the unSACKed octets
 *	below it were resent, and that copy is in flight too
 *
 * Return: the unSACKed octets in [SND.UNA, SND.NXT) that are not lost,
 * plus those below @high_rxt.
 */
u32 hsk_sack_pipe(const struct hsk_tcb *tcb, u32 high_rxt)
{
	u32 lost = hsk_sack_lost_end(tcb), pipe = 0, a, b;
	unsigned int k;

	for (k = 0; k <= tcb->nsacked; k++) {
		hsk_hole(tcb, k, &a, &b);
		pipe += hsk_overlap(a, b, lost, tcb->snd_nxt);
		pipe += hsk_overlap(a, b, tcb->snd_una, high_rxt);
	}
	return pipe;
}

/**
 * hsk_sack_sacked_below() - SACKed octets in [SND.UNA, @seq)
 * @tcb: connection
 * @seq: sequence number at or above SND.UNA
 *
 * Return: octet count.
 */
u32 hsk_sack_sacked_below(const struct hsk_tcb *tcb, u32 seq)
{
	u32 n = 0;
	unsigned int k;

	for (k = 0; k < tcb->nsacked; k++)
		n += hsk_overlap(tcb->sacked[k].start, tcb->sacked[k].end,
				 tcb->snd_una, seq);
	return n;
}

/**
 * hsk_sack_hole() - the unSACKed octets at or after @seq
 * @tcb: connection
 * @seq: where to look from (at or above SND.UNA)
 * @len: set to the length of the hole from the returned sequence number
 *	up to the next SACKed range (or SND.NXT)
 *
 * Return: @seq, or the end of the SACKed range @seq is in.
 */
u32 hsk_sack_hole(const struct hsk_tcb *tcb, u32 seq, u32 *len)
{
	u32 a, b;
	unsigned int k;

	for (k = 0; k <= tcb->nsacked; k++) {
		hsk_hole(tcb, k, &a, &b);
		if (hsk_seq_before(seq, a))
			seq = a;
		if (hsk_seq_before(seq, b)) {
			*len = b - seq;
			return seq;
		}
	}
	*len = 0;
	return seq;
}

/**
 * hsk_sack_lost_rtx() - is a hole we resent in this recovery lost again?
 * @tcb: connection in SACK recovery
 *
 * RFC 6675 takes a resent hole as in flight until the recovery ends, so a
 * lost retransmission waits for the RTO (and its backoff), which under
 * heavy loss is most of the time a transfer takes. The peer reporting
 * data we sent after the latest retransmission (tcb->rtx_mark) while a
 * resent octet is still missing tells the copy is gone. That is RACK's
 * rule (RFC 8985 6.2) with the send order known at one point only, and
 * with the reordering window RACK uses in recovery while it has seen no
 * reordering: zero. A copy that was only late is resent once more.
 *
 * Return: true if the octets resent below HighRxt + 1 that are still not
 * SACKed are to be taken as lost.
 */
bool hsk_sack_lost_rtx(const struct hsk_tcb *tcb)
{
	return tcb->nsacked && hsk_seq_after(tcb->rtx_nxt, tcb->snd_una) &&
	       hsk_seq_after(tcb->sacked[tcb->nsacked - 1].end, tcb->rtx_mark);
}

/**
 * hsk_sack_next_rtx() - rules 1 and 3 of RFC 6675 NextSeg()
 * @tcb: connection in SACK recovery
 * @lost_only: rule 1 (only lost octets) rather than rule 3
 * @seq: set to the first octet to resend
 * @len: set to the octets of that hole from @seq on (caller caps at SMSS)
 *
 * The first unSACKed octet at or above HighRxt + 1 (tcb->rtx_nxt) and
 * below the highest SACKed octet that, for rule 1, is lost.
 *
 * Return: true if there is one.
 */
bool hsk_sack_next_rtx(const struct hsk_tcb *tcb, bool lost_only, u32 *seq,
		       u32 *len)
{
	u32 from = tcb->rtx_nxt, limit, a, b;
	unsigned int k;

	if (!tcb->nsacked)
		return false;
	if (hsk_seq_before(from, tcb->snd_una))
		from = tcb->snd_una;
	limit = lost_only ? hsk_sack_lost_end(tcb) :
		tcb->sacked[tcb->nsacked - 1].start;
	for (k = 0; k < tcb->nsacked; k++) {
		hsk_hole(tcb, k, &a, &b);
		if (hsk_seq_before(a, from))
			a = from;
		if (hsk_seq_after(b, limit))
			b = limit;
		if (hsk_seq_before(a, b)) {
			*seq = a;
			*len = b - a;
			return true;
		}
	}
	return false;
}

/**
 * hsk_sack_rescue() - rule 4 of RFC 6675 NextSeg(): the rescue
 *	retransmission
 * @tcb: connection in SACK recovery
 * @seq: set to where to resend from: at most one SMSS of data below the
 *	highest unSACKed octet, within its hole
 * @len: set to the rest of that hole from @seq, in sequence space (our
 *	FIN included if it is the highest unSACKed octet)
 *
 * Return: true if some octet is outstanding and not SACKed.
 */
bool hsk_sack_rescue(const struct hsk_tcb *tcb, u32 *seq, u32 *len)
{
	u32 mss = hsk_mss_eff(tcb), a, b, top;
	unsigned int k = tcb->nsacked + 1;

	while (k--) {
		hsk_hole(tcb, k, &a, &b);
		if (!hsk_seq_before(a, b))
			continue;
		top = hsk_seq_after(b, hsk_data_end(tcb)) ?
		      hsk_data_end(tcb) : b;
		*seq = top - a > mss ? top - mss : a;
		*len = b - *seq;
		return true;
	}
	return false;
}
