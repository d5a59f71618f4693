// SPDX-License-Identifier: GPL-2.0
/*
 * Every state x all 64 combinations of FIN SYN RST PSH ACK URG x five
 * sequence numbers x four acknowledgment numbers x with/without payload,
 * against a model that restates RFC 9293 3.10.7.4, RFC 5961 and the
 * documented extensions step by step. Asserts the exact reply (or its
 * absence), the resulting state, the delivery and the drop reason.
 */
#include "hsk_test.h"

#include <algorithm>
#include <functional>
#include <set>

using namespace hsk_test;

namespace {

struct Expect {
	bool reply = false;
	u8 flags = 0;
	u32 seq = 0;
	u32 ack = 0;
	u16 wnd = 0;
	u8 kind = 0;
	u8 state = 0;
	bool freed = false;
	u8 drop = HSK_DROP_NONE;
	u32 deliver = 0;
	bool rcv_up = false;
	bool tw_restart = false;
};

bool after(u32 a, u32 b) { return hsk_seq_after(a, b); }
bool before(u32 a, u32 b) { return hsk_seq_before(a, b); }

/* RFC 9293 3.8.6.2.2: free space, but only in steps of min(buf/2, MSS) */
u16 model_window(const hsk_tcb &t, u32 rcv_nxt, u32 sndq, bool echoing)
{
	if (t.mode == HSK_MODE_TARPIT)
		return 0;
	u32 free = t.rcv_buf - (echoing ? sndq : 0);
	u32 cur = after(t.rcv_adv, rcv_nxt) ? t.rcv_adv - rcv_nxt : 0;
	u32 thresh = std::min(t.rcv_buf / 2, (u32)t.rcv_mss);

	return (u16)((free > cur && free - cur >= thresh) ? free : cur);
}

Expect model(const hsk_tcb &t, const hsk_seg &s)
{
	Expect e;
	const u8 f = s.flags;
	const u32 L = s.len;
	const u32 wnd = after(t.rcv_adv, t.rcv_nxt) ? t.rcv_adv - t.rcv_nxt : 0;
	const bool sync = t.state >= HSK_STATE_ESTABLISHED;
	u32 rcv_nxt = t.rcv_nxt, sndq = t.sndq;
	bool close_req = t.flags & HSK_TF_CLOSE_REQ;
	auto reply = [&](u8 flags, u32 seq, u32 ack, u8 kind) {
		e.reply = true;
		e.flags = flags;
		e.seq = seq;
		e.ack = ack;
		e.kind = kind;
		e.wnd = 0;
		if (!(flags & HSK_TCP_RST))
			e.wnd = model_window(t, rcv_nxt, sndq,
					     t.mode == HSK_MODE_ECHO &&
					     !close_req);
	};
	auto ack_reply = [&](u8 kind) {
		reply(HSK_TCP_ACK, t.snd_nxt, rcv_nxt, kind);
	};
	auto in_wnd = [&](u32 x) { return x - rcv_nxt < wnd; };

	e.state = t.state;

	/* a retransmitted SYN: the peer lost our SYN-ACK */
	if (t.state == HSK_STATE_SYN_RECEIVED &&
	    (f & (HSK_TCP_SYN | HSK_TCP_RST | HSK_TCP_ACK)) == HSK_TCP_SYN &&
	    s.seq == t.irs) {
		e.reply = true;
		e.flags = HSK_TCP_SYN | HSK_TCP_ACK;
		e.seq = t.iss;
		e.ack = t.irs + 1;
		e.wnd = t.mode == HSK_MODE_TARPIT ? 0 : 65535;
		e.kind = HSK_TX_SYNACK;
		e.drop = HSK_DROP_DUP_SYN;
		return e;
	}

	/* RFC 5961 3.2 */
	if (f & HSK_TCP_RST) {
		bool in = wnd ? in_wnd(s.seq) : s.seq == rcv_nxt;

		if (!in) {
			e.drop = HSK_DROP_RST_OUT_OF_WINDOW;
		} else if (s.seq != rcv_nxt) {
			ack_reply(HSK_TX_CHALLENGE);
			e.drop = HSK_DROP_RST_CHALLENGE;
		} else {
			e.state = HSK_STATE_CLOSED;
			e.freed = true;
		}
		return e;
	}

	/* RFC 9293 "first": the four cases, plus the zero window allowance */
	u32 slen = L + !!(f & HSK_TCP_SYN) + !!(f & HSK_TCP_FIN);
	bool ok;

	if (!slen)	/* the right edge included, as in Linux */
		ok = in_wnd(s.seq) || s.seq == rcv_nxt + wnd;
	else
		ok = wnd && (in_wnd(s.seq) || in_wnd(s.seq + slen - 1));
	if (!ok && !wnd && s.seq == rcv_nxt)
		ok = true;
	if (!ok) {
		if ((f & HSK_TCP_SYN) && sync) {
			ack_reply(HSK_TX_CHALLENGE);
			e.drop = HSK_DROP_SYN_CHALLENGE;
		} else if (t.state == HSK_STATE_TIME_WAIT &&
			   (f & HSK_TCP_FIN) && s.seq + L + 1 == rcv_nxt) {
			ack_reply(HSK_TX_DUPACK);
			e.tw_restart = true;
		} else {
			ack_reply(HSK_TX_DUPACK);
			e.drop = HSK_DROP_NOT_ACCEPTABLE;
		}
		return e;
	}

	/* "fourth": SYN */
	if (f & HSK_TCP_SYN) {
		if (t.state == HSK_STATE_SYN_RECEIVED) {
			e.state = HSK_STATE_CLOSED;
			e.freed = true;
			e.drop = HSK_DROP_SYN_RESET;
		} else {
			ack_reply(HSK_TX_CHALLENGE);
			e.drop = HSK_DROP_SYN_CHALLENGE;
		}
		return e;
	}

	/* "fifth": ACK */
	if (!(f & HSK_TCP_ACK)) {
		e.drop = HSK_DROP_NO_ACK;
		return e;
	}
	if (t.state == HSK_STATE_SYN_RECEIVED) {
		if (s.ack != t.iss + 1) {
			reply(HSK_TCP_RST, s.ack, 0, HSK_TX_RST);
			e.drop = HSK_DROP_BAD_ACK;
			return e;
		}
		e.state = HSK_STATE_ESTABLISHED;
	} else {
		if (after(s.ack, t.snd_nxt)) {
			ack_reply(HSK_TX_DUPACK);
			e.drop = HSK_DROP_ACK_UNSENT;
			return e;
		}
		if (before(s.ack, t.snd_una - t.max_snd_wnd)) {
			ack_reply(HSK_TX_CHALLENGE);
			e.drop = HSK_DROP_ACK_TOO_OLD;
			return e;
		}
		u32 una = after(s.ack, t.snd_una) ? s.ack : t.snd_una;

		if ((t.flags & HSK_TF_FIN_SENT) && after(una, t.fin_seq)) {
			if (t.state == HSK_STATE_FIN_WAIT_1) {
				e.state = HSK_STATE_FIN_WAIT_2;
			} else if (t.state == HSK_STATE_CLOSING) {
				e.state = HSK_STATE_TIME_WAIT;
				e.tw_restart = true;
			} else if (t.state == HSK_STATE_LAST_ACK) {
				e.state = HSK_STATE_CLOSED;
				e.freed = true;
				return e;
			}
		}
	}

	const bool open = e.state == HSK_STATE_ESTABLISHED ||
			  e.state == HSK_STATE_FIN_WAIT_1 ||
			  e.state == HSK_STATE_FIN_WAIT_2;
	const bool echoing = t.mode == HSK_MODE_ECHO && !close_req;
	bool need = false, newd = false, inorder = true;

	/* "sixth": URG */
	if ((f & HSK_TCP_URG) && s.urp && open)
		e.rcv_up = true;

	/* "seventh": text */
	if (L && open) {
		need = true;
		u32 room = wnd;

		if (t.mode == HSK_MODE_TARPIT)
			room = 0;
		else if (echoing)
			room = std::min(room, t.rcv_buf - sndq);
		if (after(s.seq, rcv_nxt)) {
			/* kept if it starts in the room; the rest is cut */
			if (s.seq - rcv_nxt >= room)
				e.drop = HSK_DROP_OOO;
			else if (s.seq - rcv_nxt + L > room)
				e.drop = HSK_DROP_WINDOW;
			inorder = false;
		} else if (rcv_nxt - s.seq < L) {
			u32 avail = L - (rcv_nxt - s.seq);
			u32 take = std::min(avail, room);

			if (take) {
				newd = true;
				if (echoing) {
					e.deliver = take;
					sndq += take;
				}
				rcv_nxt += take;
			}
			if (take < avail) {
				e.drop = HSK_DROP_WINDOW;
				inorder = false;
			}
		}
	}

	/* "eighth": FIN */
	if ((f & HSK_TCP_FIN) && inorder && s.seq + L == rcv_nxt) {
		if (open) {
			rcv_nxt++;
			need = newd = true;
			if (e.state == HSK_STATE_ESTABLISHED) {
				e.state = HSK_STATE_CLOSE_WAIT;
				close_req = true;
			} else if (e.state == HSK_STATE_FIN_WAIT_1) {
				e.state = HSK_STATE_CLOSING;
			} else {
				e.state = HSK_STATE_TIME_WAIT;
				e.tw_restart = true;
			}
		} else if (e.state == HSK_STATE_TIME_WAIT) {
			need = true;
			e.tw_restart = true;
		}
	}
	if (need)
		ack_reply(L && !newd ? HSK_TX_DUPACK : HSK_TX_ACK);
	return e;
}

struct StateSetup {
	std::string name;
	Conn c;
};

std::vector<StateSetup> setups()
{
	std::vector<StateSetup> v;
	const u32 i1 = kIss + 1, r1 = kIrs + 1;

	{
		Conn c;

		c.listen(Seg(HSK_TCP_SYN, kIrs));
		v.push_back({ "SYN-RECEIVED", c });
	}
	{
		Conn c;

		c.establish();
		v.push_back({ "ESTABLISHED", c });
	}
	{
		Conn c(HSK_MODE_TARPIT);

		c.establish();
		v.push_back({ "ESTABLISHED/tarpit (zero window)", c });
	}
	{
		Conn c(HSK_MODE_DISCARD);

		c.establish();
		v.push_back({ "ESTABLISHED/discard", c });
	}
	{
		Conn c;

		c.establish();
		c.close();
		v.push_back({ "FIN-WAIT-1", c });
		c.in(Seg(HSK_TCP_ACK, r1, i1 + 1));
		v.push_back({ "FIN-WAIT-2", c });
		c.in(Seg(HSK_TCP_ACK | HSK_TCP_FIN, r1, i1 + 1));
		v.push_back({ "TIME-WAIT", c });
	}
	{
		Conn c;

		c.establish();
		c.close();
		c.in(Seg(HSK_TCP_ACK | HSK_TCP_FIN, r1, i1));
		v.push_back({ "CLOSING", c });
	}
	{
		Conn c;

		c.establish();
		c.in(Seg(HSK_TCP_ACK | HSK_TCP_FIN, r1, i1), false);
		v.push_back({ "CLOSE-WAIT", c });
		c.output();
		v.push_back({ "LAST-ACK", c });
	}
	return v;
}

}  // namespace

TEST(Matrix, SetupsReachTheirStates)
{
	const u8 want[] = {
		HSK_STATE_SYN_RECEIVED, HSK_STATE_ESTABLISHED,
		HSK_STATE_ESTABLISHED, HSK_STATE_ESTABLISHED,
		HSK_STATE_FIN_WAIT_1, HSK_STATE_FIN_WAIT_2,
		HSK_STATE_TIME_WAIT, HSK_STATE_CLOSING,
		HSK_STATE_CLOSE_WAIT, HSK_STATE_LAST_ACK,
	};
	auto v = setups();

	ASSERT_EQ(v.size(), sizeof(want));
	for (size_t i = 0; i < v.size(); i++)
		EXPECT_EQ(v[i].c.state(), want[i]) << v[i].name;
	/* the zero window setup really has one */
	EXPECT_EQ(v[2].c.tcb.rcv_adv, v[2].c.tcb.rcv_nxt);
}

TEST(Matrix, EveryStateFlagSeqAck)
{
	int cases = 0, failures = 0;
	std::set<int> kinds, drops, states;

	for (const StateSetup &su : setups()) {
		const hsk_tcb &t = su.c.tcb;
		const u32 wnd = t.rcv_adv - t.rcv_nxt;
		const struct {
			const char *name;
			u32 v;
		} seqs[] = {
			{ "RCV.NXT", t.rcv_nxt },
			{ "RCV.NXT-1", t.rcv_nxt - 1 },
			{ "in window", t.rcv_nxt + 100 },
			{ "old", t.rcv_nxt - 1000 },
			{ "beyond window", t.rcv_nxt + wnd + 100 },
		}, acks[] = {
			{ "SND.NXT", t.snd_nxt },
			{ "SND.UNA", t.snd_una },
			{ "unsent", t.snd_nxt + 1000 },
			{ "too old", t.snd_una - t.max_snd_wnd - 1000 },
		};

		for (unsigned int f = 0; f < 64; f++)
		for (auto &sq : seqs)
		for (auto &ak : acks)
		for (u32 len : { 0u, 10u }) {
			Conn c = su.c;
			Seg sg((u8)f, sq.v, ak.v, std::string(len, 'z'));

			if (f & HSK_TCP_URG)
				sg.s.urp = 5;
			Expect e = model(t, sg.s);

			c.in(sg, false);
			cases++;
			for (auto &x : c.out)
				kinds.insert(x.tx.kind);
			drops.insert(c.act.drop);
			states.insert(c.state());

			std::string what = su.name + ": " +
				flags_str((u8)f) + " seq " + sq.name +
				" ack " + ak.name + " len " +
				std::to_string(len);
			bool bad = false;
			auto check = [&](bool cond, const char *field) {
				if (!cond) {
					ADD_FAILURE() << what << ": " << field;
					bad = true;
				}
			};

			check(c.out.size() == (e.reply ? 1u : 0u), "reply");
			if (e.reply && c.out.size() == 1) {
				const hsk_tx &x = c.out[0].tx;

				check(x.flags == e.flags, "flags");
				check(x.seq == e.seq, "seq");
				check(x.ack == e.ack, "ack");
				check(x.wnd == e.wnd, "wnd");
				check(x.kind == e.kind, "kind");
				check(x.data_len == 0, "data_len");
				check(x.opts == (e.kind == HSK_TX_SYNACK ?
						 HSK_OPT_MSS : 0), "opts");
			}
			check(c.state() == e.state, "state");
			check(c.freed == e.freed, "freed");
			check(c.act.drop == e.drop, "drop");
			check(c.act.deliver_len == e.deliver, "deliver");
			if (e.deliver)
				check(c.act.deliver_off == (u32)(t.rcv_nxt -
								sq.v),
				      "deliver_off");
			check(!!(c.tcb.flags & HSK_TF_RCV_UP) == e.rcv_up,
			      "rcv_up");
			check(!e.tw_restart ||
			      ((c.act.timer_arm & BIT(HSK_TIMER_TIMEWAIT)) &&
			       c.act.timer_expires[HSK_TIMER_TIMEWAIT] ==
			       c.now + c.tcb.cfg.time_wait_ms), "2MSL");
			if (bad && ++failures > 20)
				FAIL() << "too many failures";
		}
	}
	EXPECT_EQ(cases, 10 * 64 * 5 * 4 * 2);
	/* the matrix is only worth something if it reaches every outcome */
	EXPECT_EQ(kinds, (std::set<int>{ HSK_TX_SYNACK, HSK_TX_ACK,
					 HSK_TX_DUPACK, HSK_TX_CHALLENGE,
					 HSK_TX_RST }));
	EXPECT_EQ(drops, (std::set<int>{
		HSK_DROP_NONE, HSK_DROP_NOT_ACCEPTABLE,
		HSK_DROP_RST_OUT_OF_WINDOW, HSK_DROP_RST_CHALLENGE,
		HSK_DROP_SYN_CHALLENGE, HSK_DROP_SYN_RESET, HSK_DROP_DUP_SYN,
		HSK_DROP_NO_ACK, HSK_DROP_BAD_ACK, HSK_DROP_ACK_UNSENT,
		HSK_DROP_ACK_TOO_OLD, HSK_DROP_WINDOW }));
	EXPECT_EQ(states.size(), (size_t)HSK_STATE_MAX - 1);	/* no LISTEN */
}
