// SPDX-License-Identifier: GPL-2.0
/*
 * Randomised robustness: arbitrary segments, timer expiries and commands
 * against connections in every mode, checking invariants after each event.
 * Deterministic (fixed seeds) so a failure reproduces.
 */
#include "hsk_test.h"

#include <set>

using namespace hsk_test;

namespace {

struct Rng {
	u64 s;

	u32 next()
	{
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		return (u32)(s >> 16);
	}
	u32 below(u32 n) { return next() % n; }
	bool chance(u32 pct) { return below(100) < pct; }
};

u32 near(Rng &r, u32 base, u32 spread)
{
	switch (r.below(4)) {
	case 0:
		return base;
	case 1:
		return base + r.below(spread);
	case 2:
		return base - r.below(spread);
	default:
		return r.next();
	}
}

void check_invariants(const Conn &c, const std::string &where)
{
	const hsk_tcb &t = c.tcb;

	ASSERT_LT(t.state, HSK_STATE_MAX) << where;
	if (c.freed) {
		ASSERT_EQ(t.state, HSK_STATE_CLOSED) << where;
		return;
	}
	ASSERT_NE(t.state, HSK_STATE_CLOSED) << where;
	ASSERT_LE(t.sndq, t.rcv_buf) << where;
	if (t.mode != HSK_MODE_ECHO) {
		ASSERT_EQ(t.sndq, 0u) << where;
	}
	/* in flight: queued data plus at most SYN or FIN */
	ASSERT_LE(t.snd_nxt - t.snd_una, t.sndq + 1) << where;
	if (hsk_seq_after(t.rcv_adv, t.rcv_nxt)) {
		ASSERT_LE(t.rcv_adv - t.rcv_nxt,
			  std::min(t.rcv_buf, 65535u << t.rcv_wscale)) << where;
	}
	if (t.mode == HSK_MODE_TARPIT) {
		ASSERT_FALSE(hsk_seq_after(t.rcv_adv, t.rcv_nxt)) << where;
	}
	ASSERT_LE(t.rto, t.cfg.rto_max_ms) << where;
	ASSERT_GE(t.rto, t.cfg.rto_min_ms) << where;
	/* the SACK scoreboard: ascending, disjoint, within what was sent */
	ASSERT_LE(t.nsacked, HSK_SACK_SCORE) << where;
	for (unsigned int i = 0; i < t.nsacked; i++) {
		const hsk_sack_block &b = t.sacked[i];

		ASSERT_TRUE(hsk_seq_before(b.start, b.end)) << where;
		ASSERT_TRUE(hsk_seq_geq(b.start, t.snd_una)) << where;
		ASSERT_TRUE(hsk_seq_leq(b.end, t.snd_nxt)) << where;
		if (i) {
			ASSERT_TRUE(hsk_seq_after(b.start,
						  t.sacked[i - 1].end)) << where;
		}
	}
	if (t.state > HSK_STATE_SYN_RECEIVED) {
		ASSERT_GE(t.cwnd, (t.flags & HSK_TF_TS) ?
			  t.snd_mss - HSK_TS_OPT_SPACE : t.snd_mss) << where;
		ASSERT_LE(t.cwnd, HSK_RCV_BUF_MAX) << where;
		ASSERT_LE(t.lt_infl, t.cwnd) << where;
	}
	if (t.flags & HSK_TF_SACK_RECOVERY) {
		ASSERT_TRUE(t.flags & HSK_TF_FAST_RECOVERY) << where;
		ASSERT_TRUE(t.flags & HSK_TF_SACK_OK) << where;
	}
	ASSERT_FALSE((t.flags & HSK_TF_FAST_RECOVERY) &&
		     (t.flags & HSK_TF_RECOVERY)) << where;
	for (const Tx &x : c.out) {
		if (x.tx.flags & HSK_TCP_RST)
			continue;
		ASSERT_TRUE(x.tx.flags & HSK_TCP_ACK) << where;
		if (x.tx.data_len) {
			ASSERT_EQ(x.data.size(), x.tx.data_len) << where;
			ASSERT_LE(x.tx.data_len, t.snd_mss) << where;
		}
		/* new data within cwnd, resent data within what was sent */
		if (x.tx.kind == HSK_TX_DATA && x.tx.data_len) {
			ASSERT_LE(x.tx.seq + x.tx.data_len - t.snd_una,
				  t.cwnd) << where;
		}
		if (x.tx.kind == HSK_TX_RETRANS) {
			ASSERT_TRUE(hsk_seq_geq(x.tx.seq, t.snd_una)) << where;
			ASSERT_TRUE(hsk_seq_leq(x.tx.seq + x.tx.data_len,
						t.snd_nxt)) << where;
		}
	}
}

}  // namespace

TEST(Random, InvariantsHoldUnderArbitraryInput)
{
	const u32 modes[] = { HSK_MODE_ECHO, HSK_MODE_DISCARD,
			      HSK_MODE_TARPIT };
	std::set<int> states, kinds;
	int events = 0;

	for (u64 seed = 1; seed <= 1000; seed++) {
		Rng r{ seed * 0x9E3779B97F4A7C15ull };
		Conn c(modes[seed % 3]);

		c.p.rcv_buf = 1 + r.below(200000);
		c.p.mss = (u16)(40 + r.below(9000));
		c.p.iss = r.next();
		c.p.cfg.idle_ms = r.chance(30) ? 1000 + r.below(60000) : 0;
		c.p.cfg.oow_ack_interval_ms = r.below(3) * 250;
		c.p.cfg.retries = (u8)(3 + r.below(13));
		c.p.cfg.rto_min_ms = 1 + r.below(1000);

		Seg syn(HSK_TCP_SYN, r.next(), 0, "", (u16)r.next());

		if (r.chance(50))
			syn.mss((u16)r.next());
		if (r.chance(50))
			syn.ws((u8)r.below(15));
		if (r.chance(50))
			syn.ts(r.next(), 0);
		if (r.chance(50))
			syn.sackp();
		if (c.listen(syn) != 1)
			continue;
		bool ts = syn.s.opts.present & HSK_OPT_TS;
		u32 tsval = syn.s.opts.tsval;

		if (r.chance(85)) {
			Seg ack(HSK_TCP_ACK, syn.s.seq + 1, c.p.iss + 1, "",
				(u16)r.next());

			if (ts)
				ack.ts(tsval, c.now + kTsOff);
			c.in(ack);
		}

		for (int ev = 0; ev < 300 && !c.freed; ev++) {
			std::string where = "seed " + std::to_string(seed) +
					    " event " + std::to_string(ev);
			u32 k = r.below(100);

			if (k < 75) {
				u8 f = (u8)r.next();

				if (r.chance(93))
					f = (f & ~(HSK_TCP_SYN | HSK_TCP_RST)) |
					    HSK_TCP_ACK;
				Seg sg(f, near(r, c.tcb.rcv_nxt, 3000),
				       near(r, r.chance(50) ? c.tcb.snd_nxt :
					    c.tcb.snd_una, 3000), "",
				       (u16)(r.chance(20) ? 0 : r.next()));

				sg.len(r.chance(50) ? r.below(3000) : 0);
				sg.s.urp = (u16)r.below(4000);
				/*
				 * A quarter are the peer's usual ACKs of our
				 * data: in order, at or above SND.UNA, same
				 * window, so that loss recovery gets going.
				 */
				if (r.chance(25)) {
					u32 fl = c.tcb.snd_nxt - c.tcb.snd_una;

					sg.s.flags = HSK_TCP_ACK;
					sg.s.seq = c.tcb.rcv_nxt;
					sg.s.ack = c.tcb.snd_una +
						   (r.chance(70) ? 0 :
						    r.below(fl + 1));
					sg.s.wnd = (u16)(c.tcb.snd_wnd >>
							 c.tcb.snd_wscale);
					sg.len(r.chance(80) ? 0 : r.below(300));
				}
				/* SACK blocks, mostly within what is in flight */
				for (u32 n = r.chance(40) ? 1 + r.below(4) : 0;
				     n; n--) {
					u32 l = near(r, c.tcb.snd_una +
						     r.below(c.tcb.snd_nxt -
							     c.tcb.snd_una + 1),
						     500);

					sg.sack(l, r.chance(90) ?
						l + 1 + r.below(2000) :
						near(r, l, 3000));
				}
				if (ts && r.chance(95)) {
					tsval += r.below(100);
					sg.ts(r.chance(5) ? r.next() : tsval,
					      c.now + kTsOff - r.below(500));
				}
				c.in(sg);
			} else if (k < 90) {
				c.run_until(c.now + r.below(1500));
			} else if (k < 95) {
				if (!c.timers.empty()) {
					auto it = c.timers.begin();

					std::advance(it, r.below((u32)
							 c.timers.size()));
					c.fire(it->first);
				}
			} else if (k < 98 || r.chance(70)) {
				c.close();
			} else {
				c.abort();
			}
			check_invariants(c, where);
			if (HasFatalFailure())
				return;
			events++;
			states.insert(c.tcb.state);
			for (const Tx &x : c.out)
				kinds.insert(x.tx.kind);
		}
	}
	/* the walk must actually get around */
	EXPECT_GT(events, 20000);
	EXPECT_EQ(states.size(), (size_t)HSK_STATE_MAX - 1);
	EXPECT_EQ(kinds.size(), (size_t)HSK_TX_PROBE + 1);
}
