/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test harness for the hsk TCP core: plays the kernel shell (echo queue,
 * timers, output loop) around a struct hsk_tcb, so that tests can speak in
 * segments and milliseconds.
 */
#ifndef HSK_TEST_H
#define HSK_TEST_H

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "hsk_core.h"
#include "hsk_seq.h"

namespace hsk_test {

constexpr u32 kIss = 1000000;
constexpr u32 kIrs = 5000;
constexpr u32 kT0 = 100000;	/* clock at the SYN */
constexpr u32 kTsOff = 7777;	/* our timestamp clock offset */

/* A received segment, built field by field. */
struct Seg {
	hsk_seg s{};
	std::string payload;

	Seg(u8 flags, u32 seq, u32 ack = 0, std::string data = "",
	    u16 wnd = 65535)
	{
		s.sport = 40000;
		s.dport = 7;
		s.flags = flags;
		s.seq = seq;
		s.ack = ack;
		s.wnd = wnd;
		s.hdr_len = 20;
		payload = data;
		s.len = (u32)data.size();
	}
	Seg &urg(u16 p) { s.flags |= HSK_TCP_URG; s.urp = p; return *this; }
	Seg &ts(u32 val, u32 ecr)
	{
		s.opts.present |= HSK_OPT_TS;
		s.opts.tsval = val;
		s.opts.tsecr = ecr;
		return *this;
	}
	Seg &mss(u16 m) { s.opts.present |= HSK_OPT_MSS; s.opts.mss = m; return *this; }
	Seg &ws(u8 w) { s.opts.present |= HSK_OPT_WSCALE; s.opts.wscale = w; return *this; }
	Seg &sackp() { s.opts.present |= HSK_OPT_SACK_PERM; return *this; }
	Seg &sack(u32 l, u32 r)
	{
		if (s.opts.sack_blocks < HSK_SACK_BLOCKS_MAX) {
			s.opts.present |= HSK_OPT_SACK;
			s.opts.sack[s.opts.sack_blocks].start = l;
			s.opts.sack[s.opts.sack_blocks++].end = r;
		}
		return *this;
	}
	Seg &len(u32 n) { payload.assign(n, 'x'); s.len = n; return *this; }
};

/* A transmitted segment, with its payload resolved from the send queue. */
struct Tx {
	hsk_tx tx;
	std::string data;
};

/* One connection plus a model of the shell around it. */
class Conn {
public:
	hsk_listen_params p{};
	hsk_tcb tcb{};
	hsk_actions act{};
	u32 now = kT0;
	std::string sndq;		/* the echo queue: tcb.sndq octets */
	std::string ring;		/* the buffer: queue, then kept */
	std::string have;		/* 1 for each octet of ring written */
	std::vector<Tx> out;		/* segments of the last event */
	std::vector<Tx> all;		/* every segment ever sent */
	std::map<int, u32> timers;	/* pending timers of the shell */
	std::vector<hsk_trans> trans;	/* every state change */
	u64 cnt[HSK_CNT_MAX] = {};
	bool freed = false;
	bool created = false;

	Conn(u32 mode = HSK_MODE_ECHO)
	{
		hsk_cfg_init(&p.cfg);
		p.mode = mode;
		p.iss = kIss;
		p.ts_offset = kTsOff;
		p.rcv_buf = 65535;
		p.mss = 1460;
		p.default_mss = HSK_MSS_DEFAULT;
	}

	/* Feed a segment to the listener. */
	int listen(const Seg &sg)
	{
		p.now_ms = now;
		begin();
		int r = hsk_listen_input(&p, &sg.s, &tcb, &act);
		created = r == 1;
		finish(&sg, false);
		return r;
	}

	/* Feed a segment to the connection, then run the output loop. */
	void in(const Seg &sg, bool output = true)
	{
		begin();
		hsk_input(&tcb, now, &sg.s, &act);
		finish(&sg, output);
	}

	void close()
	{
		begin();
		hsk_close(&tcb, &act);
		finish(nullptr, true);
	}

	void abort()
	{
		begin();
		hsk_abort(&tcb, &act);
		finish(nullptr, true);
	}

	void output()
	{
		begin();
		finish(nullptr, true);
	}

	/* Let time pass to t, firing due timers in deadline order. */
	void run_until(u32 t)
	{
		for (;;) {
			int k = -1;
			u32 best = 0;

			for (auto &e : timers) {
				if (hsk_time_before(t, e.second))
					continue;
				if (k < 0 || hsk_time_before(e.second, best)) {
					k = e.first;
					best = e.second;
				}
			}
			if (k < 0)
				break;
			now = best;
			fire(k);
		}
		now = t;
	}

	/* Fire one timer at its deadline (or now, if that is later). */
	void fire(int kind)
	{
		ASSERT_TRUE(timers.count(kind)) << "timer " << kind;
		if (hsk_time_before(now, timers[kind]))
			now = timers[kind];
		timers.erase(kind);
		begin();
		hsk_timeout(&tcb, (enum hsk_timer)kind, now, &act);
		finish(nullptr, true);
	}

	bool pending(int kind) const { return timers.count(kind) != 0; }
	u32 deadline(int kind) const { return timers.at(kind); }
	u8 state() const { return tcb.state; }

	/* Complete a handshake without options. */
	void establish(const Seg &syn, u16 wnd = 65535)
	{
		ASSERT_EQ(listen(syn), 1);
		in(Seg(HSK_TCP_ACK, syn.s.seq + 1, kIss + 1, "", wnd));
		ASSERT_EQ(tcb.state, HSK_STATE_ESTABLISHED);
	}

	void establish() { establish(Seg(HSK_TCP_SYN, kIrs)); }

private:
	void drop_front(u32 n)
	{
		n = std::min<u32>(n, (u32)ring.size());
		ring.erase(0, n);
		have.erase(0, n);
		sndq.erase(0, std::min<u32>(n, (u32)sndq.size()));
	}

	void write(u32 at, const std::string &d)
	{
		if (ring.size() < at + d.size()) {
			ring.resize(at + d.size());
			have.resize(at + d.size());
		}
		ring.replace(at, d.size(), d);
		have.replace(at, d.size(), d.size(), 1);
	}

	void begin()
	{
		hsk_actions_init(&act);
		out.clear();
	}

	void collect()
	{
		for (unsigned int i = 0; i < act.nsegs; i++) {
			Tx t;

			t.tx = act.segs[i];
			out.push_back(t);
		}
	}

	void finish(const Seg *sg, bool output)
	{
		/* the shell's loop: output until nothing more fits */
		if (output && !(act.flags & HSK_ACT_FREE)) {
			for (int guard = 0; guard < 10000; guard++) {
				hsk_output(&tcb, now, &act);
				if (!(act.flags & HSK_ACT_MORE))
					break;
				collect();
				act.nsegs = 0;
				act.flags &= ~HSK_ACT_MORE;
			}
		}
		collect();

		ASSERT_LE(act.acked, sndq.size());
		drop_front(act.acked);
		if (act.deliver_len) {
			ASSERT_NE(sg, nullptr);
			ASSERT_LE(act.deliver_off + act.deliver_len,
				  sg->payload.size());
			EXPECT_EQ(act.deliver_at, sndq.size());
			write(act.deliver_at, sg->payload.substr(
				act.deliver_off, act.deliver_len));
		}
		if (act.store_len) {
			ASSERT_NE(sg, nullptr);
			ASSERT_LE(act.store_off + act.store_len,
				  sg->payload.size());
			EXPECT_GE(act.store_at, tcb.sndq);
			write(act.store_at, sg->payload.substr(
				act.store_off, act.store_len));
		}
		if (created || tcb.state != HSK_STATE_CLOSED) {
			ASSERT_LE(tcb.sndq, ring.size());
			ASSERT_EQ(memchr(have.data(), 0, tcb.sndq), nullptr)
				<< "a queue octet was never written";
			EXPECT_LE(ring.size(), tcb.rcv_buf);
			sndq = ring.substr(0, tcb.sndq);
		}
		for (auto &t : out) {
			if (t.tx.data_len) {
				EXPECT_LE(t.tx.data_off + t.tx.data_len,
					  sndq.size());
				t.data = sndq.substr(t.tx.data_off,
						     t.tx.data_len);
			}
			all.push_back(t);
		}
		for (int k = 0; k < HSK_TIMER_MAX; k++) {
			EXPECT_FALSE((act.timer_arm & BIT(k)) &&
				     (act.timer_cancel & BIT(k)));
			if (act.timer_arm & BIT(k))
				timers[k] = act.timer_expires[k];
			if (act.timer_cancel & BIT(k))
				timers.erase(k);
		}
		for (unsigned int i = 0; i < act.ntrans; i++)
			trans.push_back(act.trans[i]);
		for (int c = 0; c < HSK_CNT_MAX; c++)
			cnt[c] += act.cnt[c];
		if (act.flags & HSK_ACT_FREE) {
			freed = true;
			timers.clear();
		}
	}
};

/* Readable failure messages. */
inline std::string flags_str(u8 f)
{
	static const char *n[] = { "FIN", "SYN", "RST", "PSH",
				   "ACK", "URG", "ECE", "CWR" };
	std::string s;

	for (int i = 0; i < 8; i++)
		if (f & (1 << i))
			s += (s.empty() ? "" : "|") + std::string(n[i]);
	return s.empty() ? "-" : s;
}

/* Test payload: octet i is a letter that depends on i, so that a copy
 * from the wrong offset shows. */
inline std::string stream(u32 n, u32 from = 0)
{
	std::string s;

	for (u32 i = from; i < from + n; i++)
		s += (char)('a' + (i * 7 + i / 26) % 26);
	return s;
}

}  // namespace hsk_test

#endif /* HSK_TEST_H */
