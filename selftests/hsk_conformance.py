#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""hsk packet level conformance suite (KTAP).

Every scenario sends hand-built segments from the peer namespace and
asserts the exact reply (flags, relative seq/ack, window, options, payload)
or the exact absence of one, plus the connection state (hskctl conn show)
and the counters (hskctl stats) where they are defined. RFC 9293 unless a
scenario says otherwise.

Each scenario runs once per address family against the hsk module
("hsk ipv4 NAME"). Scenarios whose behaviour a Linux listening socket
shares also run, at the same time, against a listener of the host stack
in the same VM; the two runs' replies are compared on flags, relative
seq/ack, zero/non-zero window, option kinds, payload length and
connection state ("diff ipv4 NAME"). A difference fails that case unless
KNOWN_DIFFERENCES below documents it.

Usage (in the peer namespace of the test VM, as hsk_conformance.sh does):
    ip netns exec peer /usr/bin/python3 hsk_conformance.py [--targets
        hsk,linux] [--family 4,6] [--only REGEX] [--list] [--quiet SECONDS]

--targets linux runs every assertion against the host stack alone (the
suite's own sanity check: Linux is the reference implementation, so an
assertion Linux fails is either a documented difference or a test bug).
"""

import argparse
import collections
import os
import random
import re
import struct
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from hsk_pkt import (ACK, FIN, MOD32, OPT_NAMES, SYN,  # noqa: E402
                     CtlError, Conn, Ether, HandshakeError, Hskctl,
                     LinuxServer, MSS, NOP, Peer,
                     Raw,
                     SACKOK, TS, Target, Topology, Unsupported, WS,
                     now, seq_add, seq_diff, tcp_bytes, tcp_checksum,
                     IP, IPv6)
from hsk_lib import Ktap  # noqa: E402
from scapy.all import IPv6ExtHdrFragment  # noqa: E402

# Seconds of silence that count as "no reply", and the longest wait for a
# reply that should come (replies take a few ms even under TCG).
QUIET = 0.5
REPLY = 2.0

# Listener ports: the hsk module's and the host stack's must differ (hsk
# takes every segment for its ports before the host stack sees it).
HSK_PORTS = {"echo": 7007, "discard": 7009, "tarpit": 7019}
LINUX_PORTS = {"echo": 8007, "discard": 8009}
NO_LISTENER_PORT = 7999

# The settings every scenario assumes (the documented defaults); another
# test may have left the namespace otherwise.
HSK_CONFIG = {"synack_retries": 5, "time_wait_ms": 60000,
              "idle_timeout_ms": 0, "rto_min_ms": 200, "max_conns": 65536}

# Options of the connections that the synchronized-state scenarios open:
# timestamps (for PAWS) and window scaling, no SACK (so that duplicate
# ACKs carry no SACK or D-SACK blocks and compare across implementations).
EST_OPTS = ("mss", "ts", "ws")

# Differences between hsk and a Linux listening socket that are intended.
# Key: (scenario, observation label); value: (fields that may differ, or
# "*" for the whole observation, and why). Anything else that differs
# fails the "diff" case.
KNOWN_DIFFERENCES = {
    ("opt_len0", "reply"): (
        "*", "hsk rejects a segment whose options are malformed (an option "
        "length below 2) and counts it as malformed; Linux's "
        "tcp_parse_options() stops parsing at the bad option and answers "
        "the SYN with what it parsed until then"),
    ("opt_len0", "state"): ("*", "see reply: Linux opened a connection"),
    ("opt_len1", "reply"): (
        "*", "as opt_len0, for an option length of 1"),
    ("opt_len1", "state"): ("*", "see reply: Linux opened a connection"),
    ("opt_past_end", "reply"): (
        "*", "hsk rejects an option running past the header end; Linux "
        "stops parsing there and answers the SYN"),
    ("opt_past_end", "state"): ("*", "see reply: Linux opened a connection"),
    ("opt_mss_len", "reply"): (
        "*", "hsk rejects an MSS option whose length is not 4; Linux "
        "ignores that option and answers the SYN"),
    ("opt_mss_len", "state"): ("*", "see reply: Linux opened a connection"),
    ("opt_ws_len", "reply"): (
        "*", "hsk rejects a window scale option whose length is not 3; "
        "Linux ignores that option and answers the SYN"),
    ("opt_ws_len", "state"): ("*", "see reply: Linux opened a connection"),
    ("opt_ts_len", "reply"): (
        "*", "hsk rejects a timestamps option whose length is not 10; "
        "Linux ignores that option and answers the SYN"),
    ("opt_ts_len", "state"): ("*", "see reply: Linux opened a connection"),
    ("urg_echo", "echo"): (
        {"flags", "len"}, "Linux's urgent pointer reaches the application "
        "only as a mark (SO_OOBINLINE: recv() stops at it), so the echo "
        "server writes the data back in two parts and without URG; hsk "
        "echoes the data in one segment with the urgent pointer moved "
        "along"),
    ("synrecv_ack_no_ts", "state"): (
        "*", "as est_no_ts, in SYN-RECEIVED: Linux completes the handshake "
        "with an ACK that lacks the negotiated timestamps; hsk drops it "
        "(RFC 7323 3.2 SHOULD) and stays in SYN-RECEIVED"),
    ("timewait_syn", "reply to the SYN"): (
        "*", "Linux accepts a new SYN in TIME-WAIT whose sequence number "
        "and timestamp are above the old connection's (RFC 6191, RFC 1122 "
        "4.2.2.13 MAY) and answers with a SYN-ACK of a new connection; hsk "
        "treats TIME-WAIT like every synchronized state and sends an RFC "
        "5961 challenge ACK"),
    ("listen_syn_ecn", "synack"): (
        {"flags"}, "Linux (net.ipv4.tcp_ecn=2, the default) agrees to ECN "
        "and sets ECE in its SYN-ACK (RFC 3168 6.1.1); hsk does not "
        "implement ECN and answers with a plain SYN-ACK, which RFC 3168 "
        "allows"),
    ("echo_zero_window", "probe"): (
        {"flags", "seq", "len"}, "Linux 6.1 only: a zero window carried by a "
        "segment with SEG.SEQ = SND.WL1 and no new acknowledgment is not "
        "taken (its tcp_may_update_window() wants the window to grow in "
        "that case, 6.12 also takes a zero window), so it sends the echo "
        "at once instead of probing; hsk applies the RFC 9293 3.10.7.4 "
        "rule (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK) and probes"),
    ("conn_kill", "rst"): (
        {"flags", "ack", "win", "opts"}, "Linux's abort RST is a full "
        "segment of the connection (tcp_send_active_reset(): ACK with "
        "RCV.NXT, window, timestamps); RFC 9293 3.10.5 asks only for "
        "<SEQ=SND.NXT><CTL=RST>, which is what hsk sends (zero window, no "
        "options)"),
    ("est_ack_unsent", "ack"): (
        "*", "Linux drops a segment that acknowledges unsent data without "
        "a reply (tcp_ack() returns SKB_DROP_REASON_TCP_ACK_UNSENT_DATA); "
        "RFC 9293 3.10.7.4 says to send an ACK, which hsk does"),
    ("est_no_ts", "ack"): (
        "*", "RFC 7323 3.2: a non-RST segment without timestamps on a "
        "connection that negotiated them SHOULD be dropped silently, as "
        "hsk does; Linux accepts it"),
}


class Failed(Exception):
    """A fatal assertion: the scenario cannot go on."""


class Scenario:
    def __init__(self, name, fn, mode, diff, stats, doc, families,
                 keep_rtx):
        self.name = name
        self.keep_rtx = keep_rtx
        self.fn = fn
        self.mode = mode
        self.diff = diff
        self.stats = stats
        self.doc = doc
        self.families = families


SCENARIOS = []


def scenario(name, mode="discard", diff=True, stats=False, families=(4, 6),
             keep_rtx=False):
    """Registers a scenario. diff: also run against the host stack and
    compare. stats: take an hskctl stats snapshot first (t.counters()).
    keep_rtx: do not pass over retransmissions that crossed our answer
    (see Flow.keep_rtx): the scenario is about them."""
    def reg(fn):
        doc = " ".join((fn.__doc__ or "").split())
        SCENARIOS.append(Scenario(name, fn, mode, diff, stats, doc,
                                  families, keep_rtx))
        return fn
    return reg


def rand32():
    return random.randrange(MOD32)


def _one_of(*vals):
    def f(v):
        return v in vals
    f.__doc__ = "one of %s" % ", ".join(str(v) for v in vals)
    return f


def at_least(n):
    def f(v):
        return v >= n
    f.__doc__ = "at least %d" % n
    return f


def norm(rx, seq_base=None, ack_base=None):
    """What the differential comparison looks at."""
    if rx is None:
        return {"reply": "nothing"}
    seq = "?" if seq_base is None else (rx.seq - seq_base) % MOD32
    if rx.flags & ACK:
        ack = "?" if ack_base is None else (rx.ack - ack_base) % MOD32
    else:
        ack = "-"
    return {"flags": rx.fl, "seq": seq, "ack": ack,
            "win": "0" if rx.win == 0 else ">0",
            "opts": ",".join(OPT_NAMES.get(k, str(k)) for k in rx.kinds),
            "len": len(rx.payload)}


def fmt_obs(o):
    if o is None:
        return "(not reached)"
    if "value" in o:
        return str(o["value"])
    if "state" in o:
        return "state %s" % (o["state"] or "(none)")
    if "reply" in o:
        return "nothing"
    return "%s seq=%s ack=%s win%s opts=[%s] len=%d" % (
        o["flags"], o["seq"], o["ack"], o["win"] if o["win"] == ">0"
        else "=0", o["opts"], o["len"])


class Ctx:
    """One run of one scenario against one target and family."""

    def __init__(self, sc, target, fam, peer, hskctl):
        self.sc = sc
        self.target = target
        self.fam = fam
        self.peer = peer
        self.hskctl = hskctl
        self.failures = []
        self.notes = []
        self.obs = collections.OrderedDict()
        self.flows = []
        self.conns = []
        self.restore = []
        self.stats0 = None
        self.stats_err = None

    @property
    def is_hsk(self):
        return self.target.is_hsk

    # -- reporting
    def note(self, msg):
        self.notes.append(msg)

    def check(self, cond, msg):
        if not cond:
            self.failures.append(msg)
        return cond

    def fail(self, msg):
        self.failures.append(msg)
        raise Failed(msg)

    def observe(self, label, value):
        if label in self.obs:
            raise RuntimeError("observation label %r used twice" % label)
        self.obs[label] = value

    def observe_value(self, label, value):
        """A derived result (not a segment) for the comparison."""
        self.observe(label, {"value": value})

    # -- flows and connections
    def flow(self, dport=None):
        f = self.peer.flow(self.fam, self.target.port if dport is None
                           else dport)
        f.keep_rtx = self.sc.keep_rtx
        self.flows.append(f)
        return f

    def conn(self, opts=EST_OPTS, **kw):
        """A Conn on a new flow, no segment sent yet."""
        c = Conn(self.flow(), opts=opts, **kw)
        self.conns.append(c)
        return c

    def connect(self, opts=EST_OPTS, **kw):
        """A new connection, handshake done (kw: for Conn)."""
        c = self.conn(opts, **kw)
        try:
            return self.peer.handshake(conn=c, timeout=REPLY)
        except HandshakeError as e:
            self.fail("handshake: %s" % e)

    # -- replies
    def _bases(self, src, rx, base):
        if base is not None:
            return base
        if isinstance(src, Conn):
            if src.irs is not None:
                return src.irs, src.iss
            if rx is not None and rx.flags & SYN:
                return rx.seq, src.iss
            return None, src.iss
        return None, None

    def _want(self, label, rx, seq_base, ack_base, want):
        """Checks the wanted fields of a reply; returns False on mismatch."""
        ok = True
        for k, v in want.items():
            if k == "flags":
                got = rx.fl
            elif k == "seq":
                got = (rx.seq - seq_base) % MOD32 if seq_base is not None \
                    else rx.seq
            elif k == "ack":
                got = (rx.ack - ack_base) % MOD32 if ack_base is not None \
                    else rx.ack
            elif k == "win":
                got = rx.win
                if v == "0":
                    ok &= self.check(got == 0, "%s: window %d, expected 0"
                                     % (label, got))
                    continue
                if v == ">0":
                    ok &= self.check(got > 0, "%s: window 0, expected a "
                                     "non-zero window" % label)
                    continue
            elif k == "opts":
                got = [OPT_NAMES.get(x, str(x)) for x in rx.kinds]
            elif k == "data":
                got = rx.payload
            elif k == "length":
                got = len(rx.payload)
            elif k == "urp":
                got = rx.urp
            elif k == "mss":
                got = rx.mss
            else:
                raise RuntimeError("unknown field %s" % k)
            if callable(v):
                good = v(got)
                v = getattr(v, "__doc__", None) or "a valid value"
            else:
                good = got == v
            if not good:
                if k == "data":
                    got = "%d octets %r" % (len(got), got[:40])
                    v = "%d octets %r" % (len(v), v[:40])
                ok &= self.check(False, "%s: %s is %s, expected %s" %
                                 (label, k, got, v))
        return ok

    def reply(self, src, label, timeout=REPLY, base=None, fatal=True,
              **want):
        """The next segment on src (a Conn or a Flow) must come within
        timeout and match want (flags, seq and ack relative to the bases:
        for a Conn the target's ISN and our ISS, win "0"/">0"/N, opts,
        data, length, urp, mss). Returns it; no reply is fatal unless
        fatal is False (then None is returned)."""
        rx = src.next(timeout)
        sb, ab = self._bases(src, rx, base)
        self.observe(label, norm(rx, sb, ab))
        if rx is None:
            msg = "%s: expected %s, got nothing within %.1f s" % (
                label, want_str(want), timeout)
            if fatal:
                self.fail(msg)
            self.check(False, msg)
            return None
        self.note("%s: %s" % (label, rx))
        self._want(label, rx, sb, ab, want)
        return rx

    def expect(self, src, label, match, timeout=REPLY, base=None, **want):
        """Like reply(), but segments for which match() is false are
        passed over (and listed)."""
        rx, skipped = src.expect(match, timeout)
        for s in skipped:
            self.note("%s: passed over %s" % (label, s))
        sb, ab = self._bases(src, rx, base)
        self.observe(label, norm(rx, sb, ab))
        if rx is None:
            self.fail("%s: expected %s, got nothing within %.1f s" %
                      (label, want_str(want), timeout))
        self.note("%s: %s" % (label, rx))
        self._want(label, rx, sb, ab, want)
        return rx, skipped

    def nothing(self, srcs, label, timeout=None):
        """Nothing may arrive on any of srcs (Conns or Flows) for the quiet
        time."""
        if not isinstance(srcs, (list, tuple)):
            srcs = [srcs]
        time.sleep(QUIET if timeout is None else timeout)
        got = []
        for s in srcs:
            f = s.flow if isinstance(s, Conn) else s
            for rx in f.drain():
                if isinstance(s, Conn):
                    s.absorb(rx)
                got.append((s, rx))
        if got:
            s, rx = got[0]
            self.observe(label, norm(rx, *self._bases(s, rx, None)))
        else:
            self.observe(label, norm(None))
        for s, rx in got:
            self.check(False, "%s: expected no reply, got %s" % (label, rx))
        return not got

    # -- the target's view
    def state(self, conn, label, expected, settle=1.0):
        """The target's state of conn (RFC 9293 name, None: no connection)
        must be expected, at the latest after settle seconds (the last
        segment we sent may still be on its way)."""
        deadline = time.monotonic() + settle
        while True:
            st = self.target.state(conn)
            if st == expected or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        self.observe(label, {"state": st})
        self.check(st == expected, "%s: state %s, expected %s" %
                   (label, st or "(no connection)",
                    expected or "(no connection)"))
        return st

    def snapshot(self):
        try:
            self.stats0 = self.target.stats()
        except CtlError as e:
            self.stats_err = str(e)

    def counters(self, **deltas):
        """hsk only: each named counter moved by exactly the given delta
        since the scenario started."""
        if not self.is_hsk:
            return
        if self.stats0 is None:
            self.check(False, "counters %s not checked: %s" % (
                ", ".join(sorted(deltas)), self.stats_err or
                "no snapshot (scenario lacks stats=True)"))
            return
        try:
            now = self.target.stats()
        except CtlError as e:
            self.check(False, "counters not checked: %s" % e)
            return
        for k, want in deltas.items():
            if k not in now or k not in self.stats0:
                self.check(False, "counter %s missing from hskctl stats -j"
                           % k)
                continue
            got = now[k] - self.stats0[k]
            if callable(want):
                self.check(want(got), "counter %s moved by %d, expected %s"
                           % (k, got, want.__doc__))
            else:
                self.check(got == want, "counter %s moved by %d, expected %d"
                           % (k, got, want))
        if self.failures:
            self.note("counters that moved: %s" % ", ".join(
                "%s %+d" % (k, now[k] - self.stats0.get(k, 0))
                for k in sorted(now) if now[k] != self.stats0.get(k, 0)))

    def config(self, key, value, linux=True):
        """Changes a setting for this scenario (restored afterwards); on
        the host stack its sysctl (rto_min_ms: the rto_min of a route to
        our address), or nothing if linux is False."""
        if not self.is_hsk and not linux:
            return
        if not self.is_hsk and key == "rto_min_ms":
            fam = self.fam
            route = (["ip"] + (["-6"] if fam.v6 else []) + ["route"],
                     [fam.src + ("/128" if fam.v6 else "/32"), "dev",
                      self.peer.topo.host_if])
            self._host(route[0] + ["replace"] + route[1] +
                       ["rto_min", "%dms" % value])
            self.restore.append(("route", route[0] + ["del"] + route[1]))
            return
        if self.is_hsk:
            cur = getattr(self.hskctl, "config0", None)
            if cur is None:
                try:
                    cur = self.hskctl.run("config", "show", json_out=True)
                except CtlError as e:
                    self.fail("config: %s" % e)
                # Every scenario restores what it changes: read it once.
                self.hskctl.config0 = cur
            if key not in cur:
                self.fail("config show -j has no %s" % key)
            self.target.config_set(key, value)
            self.restore.append((key, cur[key]))
        else:
            old = self.target.config_set(key, value)
            self.restore.append((key, old))

    def listener(self, port, mode, backlog=None):
        """hsk: an extra listener for this scenario (deleted afterwards)."""
        tg = Target.hsk(port, mode, self.hskctl)
        tg.setup(backlog)
        self.restore.append(("listener", port))
        return tg

    def _host(self, argv):
        r = self.target.server.call(cmd="run", argv=argv)
        if r["rc"]:
            raise CtlError("%s: %s" % (" ".join(argv), r["stderr"].strip()))

    def cleanup(self):
        for key, old in reversed(self.restore):
            if key == "route":
                try:
                    self._host(old)
                except CtlError as e:
                    self.failures.append("restoring the route: %s" % e)
                continue
            if key == "listener":
                try:
                    self.hskctl.run("listen", "del", old)
                except CtlError as e:
                    self.failures.append("deleting listener %d: %s" %
                                         (old, e))
                continue
            try:
                self.target.config_set(key, old)
            except (CtlError, Unsupported) as e:
                self.failures.append("restoring %s: %s" % (key, e))
        for c in self.conns:
            if c.open:
                c.rst()
        for f in self.flows:
            for rx in f.drain():
                # A stray half-open connection (the target answered a
                # SYN we expected it to drop): reset it.
                if rx.flags == SYN | ACK:
                    f.send("R", seq=rx.ack)
            f.close()


def want_str(want):
    if not want:
        return "a segment"
    return " ".join("%s=%s" % (k, v if not isinstance(v, bytes) else
                               "%d octets" % len(v))
                    for k, v in want.items())


def _slow_rto(t):
    """An RTO of at least 3 s for this scenario's connections (hsk: its
    rto_min_ms, the host stack: rto_min of a route to our address). Our
    ACK of the target's data or FIN may come late (reading the state,
    under TCG, on a loaded host): no retransmission must get in the way."""
    t.config("rto_min_ms", 3000)


def collect_echo(t, c, n, ack=True, win=65535, timeout=REPLY):
    """Reads echoed data until n new octets came (or nothing more does),
    acknowledging each segment unless ack is False. Retransmissions of
    what we have are noted and skipped. Returns (data, segments)."""
    got, segs = b"", []
    while len(got) < n:
        rx, _ = c.expect(lambda r: r.payload, timeout)
        if rx is None:
            break
        off = seq_diff(rx.seq, c.rcv_nxt)
        if off < 0 and off + len(rx.payload) <= 0:
            t.note("echo retransmitted: %s" % rx)
        elif off != 0:
            t.check(False, "echo segment at %d, expected %d: %s" % (
                c.rel_seq(rx.seq), c.rel_seq(c.rcv_nxt), rx))
            break
        else:
            got += rx.payload
            segs.append(rx)
            c.rcv_nxt = seq_add(rx.seq, len(rx.payload))
        if ack:
            c.send("A", win=win)
    return got, segs


# ===========================================================================
# Scenarios
# ===========================================================================

# -- LISTEN (RFC 9293 3.10.7.2) ---------------------------------------------

@scenario("listen_rst", stats=True)
def _listen_rst(t):
    """LISTEN: a RST is dropped without a reply."""
    f = t.flow()
    f.send("R", seq=rand32())
    t.nothing(f, "reply")
    t.counters(rst_sent=0, syn_recv=0)


@scenario("listen_rst_ack")
def _listen_rst_ack(t):
    """LISTEN: a RST+ACK is dropped without a reply."""
    f = t.flow()
    f.send("RA", seq=rand32(), ack=rand32())
    t.nothing(f, "reply")


@scenario("listen_ack", stats=True)
def _listen_ack(t):
    """LISTEN: an ACK without SYN is answered <SEQ=SEG.ACK><CTL=RST>."""
    f = t.flow()
    seq, ack = rand32(), rand32()
    f.send("A", seq=seq, ack=ack)
    t.reply(f, "reply", base=(ack, seq), flags="R", seq=0, win="0")
    t.counters(rst_sent=1, syn_recv=0)


@scenario("listen_synack")
def _listen_synack(t):
    """LISTEN: a SYN-ACK is answered <SEQ=SEG.ACK><CTL=RST> (it has ACK)."""
    f = t.flow()
    seq, ack = rand32(), rand32()
    f.send("SA", seq=seq, ack=ack, opts=MSS(1460))
    t.reply(f, "reply", base=(ack, seq), flags="R", seq=0, win="0")


@scenario("listen_syn", stats=True)
def _listen_syn(t):
    """LISTEN: a SYN is answered with a SYN-ACK <ACK=ISN+1>; the
    connection is in SYN-RECEIVED."""
    c = t.conn(("mss",))
    c.syn()
    rx = t.reply(c, "synack", flags="SA", seq=0, ack=1, win=">0")
    c.synack(rx)
    # The IP header: from the address the SYN went to, the default TTL
    # (hop limit), DF on IPv4 (as Linux, which does PMTU discovery).
    t.check(rx.src == t.fam.dst, "SYN-ACK from %s, expected %s" %
            (rx.src, t.fam.dst))
    t.check(rx.ttl == 64, "SYN-ACK with TTL/hop limit %d, expected 64" %
            rx.ttl)
    t.check(rx.df, "SYN-ACK without DF")
    t.observe_value("ip header", "src ok, ttl %d, df %d" % (rx.ttl, rx.df))
    t.state(c, "state", "SYN-RECEIVED")
    t.counters(syn_recv=1, synack_sent=1, established=0)


def _listen_drop(t, flags):
    c = t.conn(("mss",))
    c.syn(flags=flags)
    t.nothing(c, "reply")
    t.state(c, "state", None)


@scenario("listen_fin", stats=True)
def _listen_fin(t):
    """LISTEN: FIN alone (a FIN scan) is dropped without a reply."""
    _listen_drop(t, "F")
    t.counters(syn_recv=0, rst_sent=0)


@scenario("listen_null")
def _listen_null(t):
    """LISTEN: a segment without flags (a NULL scan) is dropped."""
    _listen_drop(t, "")


@scenario("listen_xmas")
def _listen_xmas(t):
    """LISTEN: FIN+PSH+URG (an Xmas scan) is dropped."""
    _listen_drop(t, "FPU")


@scenario("listen_syn_fin", stats=True)
def _listen_syn_fin(t):
    """LISTEN: SYN+FIN is dropped without a reply and opens nothing."""
    _listen_drop(t, "SF")
    t.counters(syn_recv=0, synack_sent=0)


@scenario("listen_syn_rst")
def _listen_syn_rst(t):
    """LISTEN: SYN+RST is dropped without a reply (RST is checked
    first)."""
    _listen_drop(t, "SR")


@scenario("listen_syn_data")
def _listen_syn_data(t):
    """LISTEN: data on a SYN is not acknowledged (ack = ISN+1) and not
    taken: the first data after the handshake is acknowledged alone."""
    c = t.conn(EST_OPTS)
    c.syn(data=b"s" * 20)
    rx = t.reply(c, "synack", flags="SA", ack=1)
    c.synack(rx)
    c.send("A")
    c.send("PA", data=b"d" * 10)
    t.reply(c, "ack of the first data", flags="A", seq=1, ack=11)


# -- SYN-ACK options (RFC 9293 3.7.1, RFC 7323, RFC 2018) --------------------

def _synack_opts(t, opts, kinds, tsval=None, mss=None, wscale=True):
    c = t.conn(opts)
    c.syn()
    want = {"flags": "SA", "ack": 1, "win": ">0", "opts": kinds,
            "mss": mss or t.fam.mss}
    rx = t.reply(c, "synack", **want)
    c.synack(rx)
    if tsval is not None and rx.ts:
        t.check(rx.ts[1] == tsval, "TSecr %u is not our TSval %u" %
                (rx.ts[1], tsval))
    if "WS" in kinds and wscale:
        t.check(rx.wscale is not None and rx.wscale <= 14,
                "window scale %s is above 14" % rx.wscale)
    return rx


@scenario("synopt_all")
def _synopt_all(t):
    """SYN with MSS, SACK permitted, timestamps and window scale: the
    SYN-ACK has all four (MSS from the route MTU: 1460 for IPv4, 1440 for
    IPv6; TSecr our TSval)."""
    val = rand32()
    _synack_opts(t, MSS(1460) + SACKOK() + TS(val) + NOP() + WS(7),
                 ["MSS", "SACKOK", "TS", "WS"], tsval=val)


@scenario("synopt_none")
def _synopt_none(t):
    """SYN without options: the SYN-ACK carries only MSS."""
    _synack_opts(t, b"", ["MSS"])


@scenario("synopt_mss")
def _synopt_mss(t):
    """SYN with only MSS: the SYN-ACK carries only MSS."""
    _synack_opts(t, MSS(1460), ["MSS"])


@scenario("synopt_ws")
def _synopt_ws(t):
    """SYN with MSS and window scale: MSS and window scale back, no SACK
    permitted, no timestamps."""
    _synack_opts(t, MSS(1460) + NOP() + WS(7), ["MSS", "WS"])


@scenario("synopt_sack")
def _synopt_sack(t):
    """SYN with MSS and SACK permitted: MSS and SACK permitted back."""
    _synack_opts(t, MSS(1460) + NOP() + NOP() + SACKOK(), ["MSS", "SACKOK"])


@scenario("synopt_ts")
def _synopt_ts(t):
    """SYN with MSS and timestamps: MSS and timestamps back, TSecr = our
    TSval."""
    val = rand32()
    _synack_opts(t, MSS(1460) + NOP() + NOP() + TS(val), ["MSS", "TS"],
                 tsval=val)


@scenario("synopt_mss_clamp")
def _synopt_mss_clamp(t):
    """The MSS we are offered does not change the one advertised: 9000 and
    536 both get the route's (1460 IPv4, 1440 IPv6)."""
    c = t.conn(MSS(9000))
    c.syn()
    c.synack(t.reply(c, "synack to MSS 9000", flags="SA", ack=1,
                     opts=["MSS"], mss=t.fam.mss))
    c = t.conn(MSS(536))
    c.syn()
    c.synack(t.reply(c, "synack to MSS 536", flags="SA", ack=1,
                     opts=["MSS"], mss=t.fam.mss))


@scenario("synopt_unknown")
def _synopt_unknown(t):
    """An unknown option kind with a sane length is skipped: SYN-ACK with
    MSS."""
    _synack_opts(t, MSS(1460) + bytes([253, 4, 0xAB, 0xCD]), ["MSS"])


def _malformed_opt(t, opts):
    c = t.conn(opts)
    c.syn()
    t.nothing(c, "reply")
    t.state(c, "state", None)
    t.counters(malformed=1, syn_recv=0)


@scenario("opt_len0", stats=True)
def _opt_len0(t):
    """SYN with an option of length 0: dropped and counted as malformed
    (hsk rejects malformed option lists)."""
    _malformed_opt(t, MSS(1460) + bytes([253, 0, 0, 0]))


@scenario("opt_len1", stats=True)
def _opt_len1(t):
    """SYN with an option of length 1: dropped, counted as malformed."""
    _malformed_opt(t, MSS(1460) + bytes([253, 1, 0, 0]))


@scenario("opt_past_end", stats=True)
def _opt_past_end(t):
    """SYN with an option running past the end of the header: dropped,
    counted as malformed."""
    _malformed_opt(t, MSS(1460) + bytes([253, 10, 0, 0]))


@scenario("opt_mss_len", stats=True)
def _opt_mss_len(t):
    """SYN with an MSS option of length 5: dropped, counted as
    malformed."""
    _malformed_opt(t, bytes([2, 5, 0x05, 0xB4, 0, 1, 1, 1]))


@scenario("opt_ws_len", stats=True)
def _opt_ws_len(t):
    """SYN with a window scale option of length 4: dropped, counted as
    malformed."""
    _malformed_opt(t, MSS(1460) + bytes([3, 4, 7, 0]))


@scenario("opt_ts_len", stats=True)
def _opt_ts_len(t):
    """SYN with a timestamps option of length 8: dropped, counted as
    malformed."""
    _malformed_opt(t, MSS(1460) + bytes([8, 8, 1, 2, 3, 4, 0, 0]))


# -- ISN (RFC 9293 3.4.1, RFC 6528) -----------------------------------------

@scenario("isn")
def _isn(t):
    """Three SYNs from consecutive ports get unrelated ISNs (no two within
    2^16 of each other: not a counter)."""
    isns = []
    for i in range(3):
        c = t.conn(("mss",))
        c.syn()
        rx = t.reply(c, "synack %d" % i, flags="SA", ack=1)
        c.synack(rx)
        isns.append(rx.seq)
    t.note("ISNs: %s" % ", ".join("%u" % i for i in isns))
    for i in range(3):
        for j in range(i + 1, 3):
            d = abs(seq_diff(isns[j], isns[i]))
            t.check(d >= 1 << 16, "ISNs %u and %u are only %d apart" %
                    (isns[i], isns[j], d))


# -- SYN-RECEIVED -----------------------------------------------------------

@scenario("synrecv_retrans", stats=True, keep_rtx=True)
def _synrecv_retrans(t):
    """SYN-RECEIVED: with synack_retries 2 the SYN-ACK is resent after ~1 s
    and ~2 s more, identical; after the last RTO (4 s) the connection is
    dropped silently and counted (synack_timeout)."""
    t.config("synack_retries", 2)
    c = t.conn(("mss",))
    c.syn()
    rx0 = t.reply(c, "synack", flags="SA", ack=1)
    c.synack(rx0)
    rx1 = t.reply(c, "retransmission 1", timeout=3.0, flags="SA", seq=0,
                  ack=1, opts=["MSS"])
    rx2 = t.reply(c, "retransmission 2", timeout=4.5, flags="SA", seq=0,
                  ack=1, opts=["MSS"])
    d1, d2 = rx1.t - rx0.t, rx2.t - rx1.t
    t.note("retransmitted after %.2f s and %.2f s more" % (d1, d2))
    t.check(0.8 <= d1 <= 1.7, "first retransmission after %.2f s, expected "
            "~1 s" % d1)
    t.check(1.6 <= d2 <= 3.0, "second retransmission %.2f s after the "
            "first, expected ~2 s" % d2)
    left = rx2.t + 4.6 - now()
    t.nothing(c, "after the last retransmission", timeout=max(left, 0.5))
    t.state(c, "state", None)
    c.open = False
    t.counters(synack_sent=1, synack_retrans=2, synack_timeout=1,
               established=0)


@scenario("synrecv_dup_syn", stats=True, keep_rtx=True)
def _synrecv_dup_syn(t):
    """SYN-RECEIVED: the same SYN again draws the same SYN-ACK again."""
    c = t.conn(("mss", "ws"))
    c.syn()
    rx = t.reply(c, "synack", flags="SA", ack=1)
    c.synack(rx)
    c.syn()
    t.reply(c, "synack to the duplicate SYN", flags="SA", seq=0, ack=1,
            opts=[OPT_NAMES[k] for k in rx.kinds])
    t.state(c, "state", "SYN-RECEIVED")
    # (the RTO may add a retransmission while the state is read)
    t.counters(syn_recv=1, synack_sent=1, synack_retrans=at_least(1))


@scenario("synrecv_establish", stats=True)
def _synrecv_establish(t):
    """SYN-RECEIVED: the ACK of our SYN completes the handshake
    (ESTABLISHED, counted) and draws no reply."""
    c = t.connect()
    t.nothing(c, "reply to the ACK")
    t.state(c, "state", "ESTABLISHED")
    t.counters(syn_recv=1, synack_sent=1, established=1)


@scenario("synrecv_bad_ack", stats=True)
def _synrecv_bad_ack(t):
    """SYN-RECEIVED: an ACK beyond our SYN, or of less than our SYN, is
    answered <SEQ=SEG.ACK><CTL=RST> and leaves the connection half open;
    the right ACK then completes it."""
    c = t.conn(("mss",))
    c.syn()
    c.synack(t.reply(c, "synack", flags="SA", ack=1))
    bad = seq_add(c.irs, 1001)
    c.send("A", ack=bad, advance=False)
    t.reply(c, "reply to ack ISN+1001", base=(bad, c.iss), flags="R",
            seq=0)
    c.send("A", ack=c.irs, advance=False)
    t.reply(c, "reply to ack ISN", base=(c.irs, c.iss), flags="R", seq=0)
    t.state(c, "state after the bad ACKs", "SYN-RECEIVED")
    c.send("A")
    t.state(c, "state after the right ACK", "ESTABLISHED")
    t.counters(rst_sent=2, established=1)


@scenario("synrecv_rst", stats=True)
def _synrecv_rst(t):
    """SYN-RECEIVED: a RST at RCV.NXT removes the half-open connection
    without a reply."""
    c = t.conn(("mss",))
    c.syn()
    c.synack(t.reply(c, "synack", flags="SA", ack=1))
    c.send("R", advance=False)
    c.open = False
    t.nothing(c, "reply")
    t.state(c, "state", None)
    t.counters(rst_recv=1)


@scenario("synrecv_rst_oow")
def _synrecv_rst_oow(t):
    """SYN-RECEIVED: a RST outside the window is dropped silently and the
    half-open connection stays."""
    c = t.conn(("mss",))
    c.syn()
    c.synack(t.reply(c, "synack", flags="SA", ack=1))
    c.send("R", seq=seq_add(c.snd_nxt, 1 << 30), advance=False)
    t.nothing(c, "reply")
    t.state(c, "state", "SYN-RECEIVED")


@scenario("synrecv_ack_data", stats=True)
def _synrecv_ack_data(t):
    """SYN-RECEIVED: the ACK completing the handshake may carry data: the
    connection is established and the data acknowledged."""
    c = t.conn(EST_OPTS)
    c.syn()
    c.synack(t.reply(c, "synack", flags="SA", ack=1))
    c.send("PA", data=b"h" * 10)
    t.reply(c, "ack", flags="A", seq=1, ack=11)
    t.state(c, "state", "ESTABLISHED")
    t.counters(established=1, bytes_in=10)


@scenario("synrecv_ack_no_ts")
def _synrecv_ack_no_ts(t):
    """RFC 7323 3.2: timestamps were negotiated, the ACK completing the
    handshake has none: it is dropped silently (still SYN-RECEIVED)."""
    c = t.conn(EST_OPTS)
    c.syn()
    c.synack(t.reply(c, "synack", flags="SA", ack=1,
                     opts=["MSS", "TS", "WS"]))
    c.send("A", opts=b"")
    t.nothing(c, "reply")
    t.state(c, "state", "SYN-RECEIVED", settle=0)


@scenario("listen_syn_ecn")
def _listen_syn_ecn(t):
    """LISTEN: an ECN-setup SYN (ECE+CWR, RFC 3168) is answered with a
    plain SYN-ACK: hsk does not do ECN."""
    c = t.conn(("mss",))
    c.syn(flags="SEC")
    c.synack(t.reply(c, "synack", flags="SA", ack=1, opts=["MSS"]))


@scenario("ip_options")
def _ip_options(t):
    """The TCP header is found behind IPv4 options (IHL 6) and behind an
    IPv6 destination options header: the SYN is answered normally."""
    from scapy.all import IPOption_NOP, IPv6ExtHdrDestOpt, PadN
    c = t.conn(("mss",))
    f = c.flow
    seg = f.build("S", c.iss, 0, opts=MSS(1460))[Raw].load
    if t.fam.v6:
        pkt = IPv6(src=t.fam.src, dst=t.fam.dst) / \
            IPv6ExtHdrDestOpt(nh=6, options=[PadN(optdata=b"\0" * 4)]) / \
            Raw(seg)
    else:
        pkt = IP(src=t.fam.src, dst=t.fam.dst, proto=6,
                 options=[IPOption_NOP()] * 4) / Raw(seg)
    t.peer.send(pkt)
    c.snd_nxt = seq_add(c.iss, 1)
    c.synack(t.reply(c, "synack", flags="SA", ack=1, opts=["MSS"]))


@scenario("max_conns", diff=False, stats=True)
def _max_conns(t):
    """config max_conns: a SYN beyond the namespace's limit is dropped
    without a reply and counted (conn_limit)."""
    if t.stats0 is None:
        t.fail("hskctl stats: %s" % t.stats_err)
    t.config("max_conns", t.stats0["active_conns"] + 1)
    c = t.conn(("mss",))
    c.syn()
    c.synack(t.reply(c, "synack", flags="SA", ack=1))
    c2 = t.conn(("mss",))
    c2.syn()
    t.nothing(c2, "reply beyond the limit")
    t.state(c2, "state", None)
    t.counters(conn_limit=1, syn_recv=1)


@scenario("backlog", diff=False, stats=True)
def _backlog(t):
    """A listener with backlog 1 takes one half-open connection; a second
    SYN is dropped and counted (conn_limit); once the first is
    established a new SYN is answered again."""
    tg = t.listener(7010, "discard", backlog=1)
    c = Conn(t.flow(tg.port), opts=("mss",))
    t.conns.append(c)
    c.syn()
    c.synack(t.reply(c, "synack", flags="SA", ack=1))
    c2 = Conn(t.flow(tg.port), opts=("mss",))
    t.conns.append(c2)
    c2.syn()
    t.nothing(c2, "reply to the second SYN")
    c.send("A")
    t.state(c, "state of the first", "ESTABLISHED")
    c3 = Conn(t.flow(tg.port), opts=("mss",))
    t.conns.append(c3)
    c3.syn()
    c3.synack(t.reply(c3, "synack to a SYN after the first is established",
                      flags="SA", ack=1))
    t.counters(conn_limit=1, syn_recv=2)


# -- Synchronized states (RFC 9293 3.10.7.4, RFC 5961, RFC 7323) -------------

@scenario("est_data", stats=True)
def _est_data(t):
    """Discard: data in order is acknowledged exactly (ack = RCV.NXT + len)
    and nothing comes back."""
    c = t.connect()
    c.send("PA", data=bytes(range(100)))
    rx = t.reply(c, "ack", flags="A", seq=1, ack=101, win=">0", length=0)
    # RFC 7323 4.3: the ACK echoes the TSval of the segment it acknowledges
    t.check(rx.ts is not None and rx.ts[1] == c.last_tsval,
            "TSecr %s is not the TSval %u of the data" %
            (rx.ts and rx.ts[1], c.last_tsval))
    if t.is_hsk:
        ws = c.synack_rx.wscale or 0
        info = t.target.conn_info(c)
        # RCV.WND as advertised, to the precision of the scaled field (the
        # edge may stay where an earlier, unrounded window put it)
        t.check(info is not None and
                rx.win << ws <= info.get("rcv_wnd", -1) < (rx.win + 1) << ws
                and info.get("bytes_in") == 100,
                "conn show %s: expected rcv_wnd %d (window %d << %d) and "
                "bytes_in 100" % (info, rx.win << ws, rx.win, ws))
        want = {"snd_una": seq_add(c.irs, 1), "snd_nxt": seq_add(c.irs, 1),
                "rcv_nxt": c.snd_nxt, "state": "ESTABLISHED",
                "mode": "discard"}
        if info:
            for k, v in want.items():
                t.check(info.get(k) == v, "conn show %s is %s, expected %s"
                        % (k, info.get(k), v))
        t.note("conn show: rcv_wnd %s, snd_wnd %s" % (
            info and info.get("rcv_wnd"), info and info.get("snd_wnd")))
    t.nothing(c, "after the ACK")
    t.counters(bytes_in=100)


@scenario("echo_data", mode="echo", stats=True)
def _echo_data(t):
    """Echo: the same octets come back with PSH, acknowledging the data."""
    _slow_rto(t)
    c = t.connect()
    data = b"hsk echo test: " + bytes(range(48, 123))
    c.send("PA", data=data)
    rx, skipped = t.expect(c, "echo", lambda r: r.payload, flags="PA",
                           seq=1, ack=1 + len(data), data=data)
    for s in skipped:
        t.check(s.flags == ACK and c.rel_ack(s.ack) in (1, 1 + len(data)),
                "unexpected segment before the echo: %s" % s)
    c.rcv_nxt = seq_add(rx.seq, len(rx.payload))
    c.send("A")
    t.nothing(c, "after our ACK of the echo")
    t.counters(bytes_in=len(data), bytes_out=len(data))


@scenario("echo_segments", mode="echo")
def _echo_segments(t):
    """Echo of 3000 octets sent in three segments: it comes back complete,
    in order, in segments no larger than the MSS less the timestamps
    option."""
    _slow_rto(t)
    c = t.connect()
    data = bytes(random.randrange(256) for _ in range(3000))
    for i in range(0, 3000, 1000):
        c.send("PA", data=data[i:i + 1000])
    limit = min(c.mss, t.fam.mss) - (12 if c.ts_on else 0)
    got, segs = collect_echo(t, c, len(data))
    sizes = [len(x.payload) for x in segs] or [0]
    for x in segs:
        t.check(len(x.payload) <= limit, "echo segment of %d octets, MSS "
                "allows %d" % (len(x.payload), limit))
    t.note("echo segments: %s" % sizes)
    t.check(got == data, "echoed %d octets%s, expected the 3000 sent" %
            (len(got), "" if data.startswith(got) else " that differ"))
    t.observe_value("echo", "%d octets back, in order, no segment above "
                    "the MSS" % len(got) if got == data and
                    max(sizes) <= limit else "%d octets, sizes %s" %
                    (len(got), sizes))


@scenario("echo_zero_window", mode="echo", stats=True)
def _echo_zero_window(t):
    """Echo to a peer with a zero window: the data is acknowledged, the
    echo waits, zero window probes (SEG.SEQ = SND.UNA - 1, no data) come
    after the RTO; a window update releases the echo."""
    c = t.connect()
    data = b"window"
    t0 = now()
    c.send("PA", data=data, win=0)
    t.reply(c, "ack", flags="A", seq=1, ack=7, length=0)
    rx = t.reply(c, "probe", timeout=3.0, flags="A", seq=0, ack=7, length=0)
    t.note("probe %.2f s after the data" % (rx.t - t0))
    c.send("A", win=65535)
    rx, _ = t.expect(c, "echo after the window opens", lambda r: r.payload,
                     flags="PA", seq=1, ack=7, data=data)
    c.rcv_nxt = seq_add(rx.seq, len(rx.payload))
    c.send("A")
    t.counters(persist_probes=at_least(1))


@scenario("echo_rtx", mode="echo", stats=True, keep_rtx=True)
def _echo_rtx(t):
    """Echo not acknowledged: the same segment is sent again after the
    RTO (~200 ms minimum, at most ~1 s here) and counted."""
    c = t.connect()
    data = b"retransmit me"
    c.send("PA", data=data)
    rx, _ = t.expect(c, "echo", lambda r: r.payload, flags="PA", seq=1,
                     ack=1 + len(data), data=data)
    rx2, skipped = t.expect(c, "retransmission", lambda r: r.payload,
                            timeout=3.0, flags="PA", seq=1,
                            ack=1 + len(data), data=data)
    for sk in skipped:
        t.check(False, "unexpected segment before the retransmission: %s"
                % sk)
    d = rx2.t - rx.t
    t.note("retransmitted after %.2f s" % d)
    t.check(0.15 <= d <= 1.5, "retransmission after %.2f s, expected "
            "0.2 .. 1.5 s" % d)
    c.rcv_nxt = seq_add(rx.seq, len(rx.payload))
    c.send("A")
    t.counters(retrans=at_least(1))


@scenario("echo_small_mss", mode="echo")
def _echo_small_mss(t):
    """Echo to a peer that offered MSS 200: no echoed segment carries more
    than 200 octets of payload and options (188 of data besides the
    timestamps)."""
    _slow_rto(t)
    c = t.connect(EST_OPTS, mss=200)
    data = bytes(range(256)) * 4
    c.send("PA", data=data[:600])
    c.send("PA", data=data[600:])
    got, segs = collect_echo(t, c, len(data))
    sizes = [len(x.payload) for x in segs] or [0]
    t.note("echo segments: %s" % sizes)
    t.check(got == data, "echoed %d octets%s, expected %d" % (
        len(got), "" if data.startswith(got) else " that differ", len(data)))
    t.check(max(sizes) <= 188, "echo segments of %s octets, MSS 200 less "
            "12 for timestamps allows 188" % sizes)
    t.observe_value("echo", "complete, largest segment %d" % max(sizes)
                    if got == data and max(sizes) <= 188 else
                    "%d octets, sizes %s" % (len(got), sizes))


@scenario("echo_peer_window", mode="echo")
def _echo_peer_window(t):
    """Echo to a peer whose window (field 8, scale 7) allows 1024 octets:
    no more than 1024 unacknowledged octets are sent (the window is
    scaled, and respected); opening the window releases the rest."""
    _slow_rto(t)
    c = t.connect()
    if c.synack_rx.wscale is None:
        t.fail("window scaling was not negotiated")
    data = bytes(random.randrange(256) for _ in range(3000))
    for i in range(0, 3000, 1000):
        c.send("PA", data=data[i:i + 1000], win=8)
    first, segs = collect_echo(t, c, 3000, ack=False, timeout=1.0)
    t.note("within the 1024 octet window: %s" %
           [len(x.payload) for x in segs])
    t.check(0 < len(first) <= 1024, "%d octets sent into a window of 1024"
            % len(first))
    c.send("A", win=65535)
    rest, _ = collect_echo(t, c, 3000 - len(first))
    got = first + rest
    t.check(got == data, "echoed %d octets%s, expected the 3000 sent" %
            (len(got), "" if data.startswith(got) else " that differ"))
    t.observe_value("echo", "window respected, then complete"
                    if 0 < len(first) <= 1024 and got == data else
                    "%d octets in the window, %d in all" % (len(first),
                                                            len(got)))


@scenario("echo_overlap", mode="echo", stats=True)
def _echo_overlap(t):
    """A segment that starts with data already received and goes on with
    new data: only the new part is taken (and echoed once)."""
    _slow_rto(t)
    c = t.connect()
    c.send("PA", data=b"abcdefghij")
    got, _ = collect_echo(t, c, 10)
    t.check(got == b"abcdefghij", "first echo %r" % got)
    c.send("PA", data=b"abcdefghijKLMNOPQRST", seq=seq_add(c.snd_nxt, -10),
           advance=False)
    c.snd_nxt = seq_add(c.snd_nxt, 10)
    rx, _ = t.expect(c, "echo of the new part", lambda r: r.payload,
                     flags="PA", seq=11, ack=21, data=b"KLMNOPQRST")
    c.rcv_nxt = seq_add(rx.seq, len(rx.payload))
    c.send("A")
    t.nothing(c, "after our ACK")
    t.counters(bytes_in=20, bytes_out=20)


@scenario("est_ooo")
def _est_ooo(t):
    """A segment beyond RCV.NXT draws a duplicate ACK (ack = RCV.NXT, not
    beyond); the segment that fills the hole is then acknowledged (alone,
    or with the out-of-order one if that was kept: RFC 9293 allows
    both)."""
    c = t.connect()
    data = b"o" * 200
    c.send("PA", data=data[100:], seq=seq_add(c.snd_nxt, 100),
           advance=False)
    t.reply(c, "dup ack", flags="A", seq=1, ack=1)
    c.send("PA", data=data[:100])
    rx = t.reply(c, "ack after the hole is filled", flags="A", seq=1,
                 ack=_one_of(101, 201))
    t.note("out-of-order data %s" % ("kept" if c.rel_ack(rx.ack) == 201
                                     else "not kept"))
    c.snd_nxt = rx.ack


def _sack_blocks(rx, base):
    """The SACK blocks of rx as (left, right) relative to base."""
    out = []
    for k, v in rx.opts:
        if k == 5 and v:
            for i in range(0, len(v) - 7, 8):
                left, right = struct.unpack("!II", v[i:i + 8])
                out.append(((left - base) % MOD32, (right - base) % MOD32))
    return out


@scenario("est_ooo_sack")
def _est_ooo_sack(t):
    """With SACK permitted (RFC 2018): out-of-order segments are kept and
    each duplicate ACK reports them, the latest first; filling the holes
    acknowledges everything, with no SACK block left."""
    c = t.connect(("mss", "sackok", "ts", "ws"))
    data = bytes(range(100)) * 4
    c.send("PA", data=data[100:200], seq=seq_add(c.snd_nxt, 100),
           advance=False)
    rx = t.reply(c, "dup ack, one block", flags="A", seq=1, ack=1)
    t.observe("blocks after one", {"value": _sack_blocks(rx, c.iss)})
    t.check(_sack_blocks(rx, c.iss) == [(101, 201)],
            "SACK blocks %r, expected [(101, 201)]"
            % _sack_blocks(rx, c.iss))
    c.send("PA", data=data[300:400], seq=seq_add(c.snd_nxt, 300),
           advance=False)
    rx = t.reply(c, "dup ack, two blocks", flags="A", seq=1, ack=1)
    t.observe("blocks after two", {"value": _sack_blocks(rx, c.iss)})
    t.check(_sack_blocks(rx, c.iss) == [(301, 401), (101, 201)],
            "SACK blocks %r, expected [(301, 401), (101, 201)]"
            % _sack_blocks(rx, c.iss))
    c.send("PA", data=data[:100])
    rx = t.reply(c, "ack of the first hole", flags="A", seq=1, ack=201)
    t.check(_sack_blocks(rx, c.iss) == [(301, 401)],
            "SACK blocks %r, expected [(301, 401)]"
            % _sack_blocks(rx, c.iss))
    c.send("PA", data=data[200:300], seq=seq_add(c.snd_nxt, 100))
    rx = t.reply(c, "ack of everything", flags="A", seq=1, ack=401)
    t.check(not _sack_blocks(rx, c.iss), "SACK blocks %r after the holes "
            "were filled" % _sack_blocks(rx, c.iss))
    c.snd_nxt = rx.ack


@scenario("est_oow_data", stats=True)
def _est_oow_data(t):
    """Data far beyond the window is not acceptable: ACK with the current
    values, segment dropped."""
    c = t.connect()
    c.send("PA", data=b"w" * 10, seq=seq_add(c.snd_nxt, 1 << 30),
           advance=False)
    t.reply(c, "ack", flags="A", seq=1, ack=1, fatal=False)
    c.send("PA", data=b"x" * 10)
    t.reply(c, "ack of the next data", flags="A", seq=1, ack=11)
    t.counters(bytes_in=10)


@scenario("est_dup_data")
def _est_dup_data(t):
    """Data already acknowledged (a retransmission) draws an ACK of
    RCV.NXT and is not taken again."""
    c = t.connect()
    c.send("PA", data=b"a" * 10)
    t.reply(c, "ack", flags="A", seq=1, ack=11)
    c.send("PA", data=b"a" * 10, seq=seq_add(c.snd_nxt, -10), advance=False)
    t.reply(c, "ack of the duplicate", flags="A", seq=1, ack=11)


@scenario("est_keepalive")
def _est_keepalive(t):
    """A keepalive (SEG.SEQ = RCV.NXT - 1, no data) is answered with an
    ACK of RCV.NXT."""
    c = t.connect()
    c.send("A", seq=seq_add(c.snd_nxt, -1), advance=False)
    t.reply(c, "ack", flags="A", seq=1, ack=1)


@scenario("est_oow_ratelimit")
def _est_oow_ratelimit(t):
    """RFC 5961 7 (and Linux's tcp_invalid_ratelimit): unacceptable pure
    ACKs draw at most one ACK per 500 ms on a connection."""
    c = t.connect()
    probe = seq_add(c.snd_nxt, -1)
    c.send("A", seq=probe, advance=False)
    rx = t.reply(c, "ack of the first", flags="A", seq=1, ack=1)
    c.send("A", seq=probe, advance=False)
    t.nothing(c, "a second one at once", timeout=0.3)
    time.sleep(max(0.0, rx.t + 0.65 - now()))
    c.send("A", seq=probe, advance=False)
    t.reply(c, "ack of a third after 500 ms", flags="A", seq=1, ack=1)


@scenario("est_no_ack")
def _est_no_ack(t):
    """Data without ACK is dropped without a reply."""
    c = t.connect()
    c.send("P", data=b"n" * 10, advance=False)
    t.nothing(c, "reply")
    c.send("PA", data=b"y" * 10)
    t.reply(c, "ack of the next data", flags="A", seq=1, ack=11)


@scenario("est_rst", stats=True)
def _est_rst(t):
    """A RST at RCV.NXT closes the connection without a reply (counted as
    rst_recv); an ACK on that 4-tuple then meets the listener's RST."""
    c = t.connect()
    c.send("R", advance=False)
    c.open = False
    t.nothing(c, "reply")
    t.state(c, "state", None)
    t.counters(rst_recv=1)
    c.send("A", advance=False)
    t.reply(c, "reply to an ACK afterwards", base=(c.rcv_nxt, c.iss),
            flags="R", seq=0)


@scenario("est_rst_in_window", stats=True)
def _est_rst_in_window(t):
    """RFC 5961 3.2: a RST in the window but not at RCV.NXT draws a
    challenge ACK and leaves the connection open."""
    c = t.connect()
    c.send("R", seq=seq_add(c.snd_nxt, 1000), advance=False)
    t.reply(c, "challenge ack", flags="A", seq=1, ack=1)
    t.state(c, "state", "ESTABLISHED")
    t.counters(challenge_acks=1, rst_recv=0)


@scenario("est_rst_oow")
def _est_rst_oow(t):
    """A RST outside the window is dropped silently."""
    c = t.connect()
    c.send("R", seq=seq_add(c.snd_nxt, 1 << 30), advance=False)
    t.nothing(c, "reply")
    t.state(c, "state", "ESTABLISHED")


@scenario("est_syn", stats=True)
def _est_syn(t):
    """RFC 5961 4.2: a SYN at RCV.NXT on an established connection draws a
    challenge ACK; the connection stays."""
    c = t.connect()
    c.send("S", advance=False, opts=c.seg_opts())
    t.reply(c, "challenge ack", flags="A", seq=1, ack=1)
    t.state(c, "state", "ESTABLISHED")
    t.counters(challenge_acks=1)


@scenario("est_syn_new_isn")
def _est_syn_new_isn(t):
    """RFC 5961 4.2: a SYN with another sequence number (a new
    incarnation's) draws a challenge ACK too."""
    c = t.connect()
    c.send("S", seq=seq_add(c.snd_nxt, 0x12345678), advance=False)
    t.reply(c, "challenge ack", flags="A", seq=1, ack=1)
    t.state(c, "state", "ESTABLISHED")


@scenario("est_ack_unsent", stats=True)
def _est_ack_unsent(t):
    """An ACK of data not sent yet (SEG.ACK > SND.NXT): ACK with the
    current values, segment dropped (its data not taken)."""
    c = t.connect()
    c.send("PA", data=b"u" * 10, ack=seq_add(c.rcv_nxt, 1000),
           advance=False)
    t.reply(c, "ack", flags="A", seq=1, ack=1, fatal=False)
    c.send("PA", data=b"v" * 10)
    t.reply(c, "ack of the next data", flags="A", seq=1, ack=11)
    t.counters(bytes_in=10)


@scenario("est_ack_old", stats=True)
def _est_ack_old(t):
    """RFC 5961 5.2: an ACK below SND.UNA - MAX.SND.WND draws a challenge
    ACK; the segment is dropped."""
    c = t.connect()
    c.send("PA", data=b"o" * 10, ack=seq_add(c.rcv_nxt, -(1 << 30)),
           advance=False)
    t.reply(c, "challenge ack", flags="A", seq=1, ack=1, fatal=False)
    c.send("PA", data=b"v" * 10)
    t.reply(c, "ack of the next data", flags="A", seq=1, ack=11)
    t.counters(challenge_acks=1, bytes_in=10)


@scenario("est_paws", stats=True)
def _est_paws(t):
    """RFC 7323 5.3: a segment with a TSval older than TS.Recent is
    dropped with an ACK."""
    c = t.connect()
    if not c.ts_on:
        t.fail("timestamps were not negotiated")
    c.send("PA", data=b"p" * 10, tsval=seq_add(c.tsval(), -100000),
           advance=False)
    t.reply(c, "ack", flags="A", seq=1, ack=1, fatal=False)
    c.send("PA", data=b"q" * 10)
    t.reply(c, "ack of the next data", flags="A", seq=1, ack=11)
    t.counters(bytes_in=10)


@scenario("est_no_ts")
def _est_no_ts(t):
    """RFC 7323 3.2: with timestamps negotiated, data without them is
    dropped silently."""
    c = t.connect()
    if not c.ts_on:
        t.fail("timestamps were not negotiated")
    c.send("PA", data=b"t" * 10, opts=b"", advance=False)
    t.nothing(c, "ack")
    c.send("PA", data=b"q" * 10)
    t.reply(c, "ack of the next data", flags="A", seq=1, ack=11)


# -- Tarpit (hsk only) --------------------------------------------------------

@scenario("tarpit_handshake", mode="tarpit", diff=False)
def _tarpit_handshake(t):
    """Tarpit: the SYN is answered with a normal SYN-ACK (its options
    mirror the offer) and the handshake completes."""
    c = t.conn(EST_OPTS)
    c.syn()
    rx = t.reply(c, "synack", flags="SA", ack=1, opts=["MSS", "TS", "WS"],
                 mss=t.fam.mss)
    t.note("SYN-ACK window %d" % rx.win)
    c.synack(rx)
    c.send("A")
    t.state(c, "state", "ESTABLISHED")


@scenario("tarpit_data", mode="tarpit", diff=False, stats=True)
def _tarpit_data(t):
    """Tarpit: data is not accepted: the ACK keeps ack = RCV.NXT and a zero
    window."""
    c = t.connect()
    c.send("PA", data=b"z" * 100, advance=False)
    t.reply(c, "ack", flags="A", seq=1, ack=1, win="0")
    info = t.target.conn_info(c)
    t.check(info is not None and info.get("bytes_in") == 0,
            "conn show: %s, expected bytes_in 0" % info)
    t.counters(bytes_in=0)


@scenario("tarpit_probe", mode="tarpit", diff=False)
def _tarpit_probe(t):
    """Tarpit: zero window probes (one octet at RCV.NXT) are each answered
    with an ACK of RCV.NXT and a zero window."""
    c = t.connect()
    c.send("A", data=b"1", advance=False)
    t.reply(c, "ack of probe 1", flags="A", seq=1, ack=1, win="0")
    c.send("A", data=b"1", advance=False)
    t.reply(c, "ack of probe 2", flags="A", seq=1, ack=1, win="0")
    t.state(c, "state", "ESTABLISHED")


# -- Urgent data (RFC 9293 3.8.5, RFC 6093) ----------------------------------

@scenario("urg_echo", mode="echo", stats=True)
def _urg_echo(t):
    """Urgent data is taken in line; the echo carries URG with the pointer
    on the same octet (4 octets urgent) and urg_bytes counts them."""
    _slow_rto(t)
    c = t.connect()
    data = b"0123456789"
    c.send("PAU", data=data, urp=4)
    rx, _ = t.expect(c, "echo", lambda r: r.payload, flags="PAU", seq=1,
                     ack=11, urp=4, length=10)
    c.rcv_nxt = seq_add(rx.seq, len(rx.payload))
    c.send("A")
    more, segs = collect_echo(t, c, len(data) - len(rx.payload))
    for m in segs:
        t.note("more echo: %s" % m)
    got = rx.payload + more
    t.check(got == data, "echoed %r, expected %r" % (got, data))
    t.counters(urg_bytes=4, bytes_in=10)


# -- Closing (RFC 9293 3.6) ------------------------------------------------

def _is_fin(rx):
    return bool(rx.flags & FIN)


@scenario("close_passive")
def _close_passive(t):
    """The peer's FIN is acknowledged and answered with our FIN
    (LAST-ACK); the final ACK removes the connection without a reply."""
    _slow_rto(t)
    c = t.connect()
    c.send("FA")
    rx, skipped = t.expect(c, "fin", _is_fin, flags="FA", seq=1, ack=2)
    for s in skipped:
        t.check(s.flags == ACK and c.rel_ack(s.ack) == 2,
                "unexpected segment before the FIN: %s" % s)
    c.rcv_nxt = seq_add(rx.seq, 1)
    t.state(c, "state after the FIN", "LAST-ACK")
    c.send("A")
    c.open = False
    t.nothing(c, "reply to the last ACK")
    t.state(c, "state after the last ACK", None)


@scenario("close_active")
def _close_active(t):
    """conn close: our FIN (FIN-WAIT-1); its ACK: FIN-WAIT-2; the peer's
    FIN is acknowledged (TIME-WAIT), and so is its retransmission."""
    _slow_rto(t)
    c = t.connect()
    t.target.close(c)
    rx = t.reply(c, "fin", flags="FA", seq=1, ack=1)
    t.state(c, "state after our FIN", "FIN-WAIT-1")
    c.rcv_nxt = seq_add(rx.seq, 1)
    c.send("A")
    t.state(c, "state after its ACK", "FIN-WAIT-2")
    c.send("FA")
    t.reply(c, "ack of the peer's FIN", flags="A", seq=2, ack=2)
    t.state(c, "state after the peer's FIN", "TIME-WAIT")
    c.send("FA", seq=seq_add(c.snd_nxt, -1), advance=False)
    t.reply(c, "ack of the retransmitted FIN", flags="A", seq=2, ack=2)
    t.state(c, "state after the retransmitted FIN", "TIME-WAIT")
    c.open = False


@scenario("fin_wait2_data", stats=True)
def _fin_wait2_data(t):
    """FIN-WAIT-2: our side is closed, the peer's is not: its data is
    still acknowledged (seq = our FIN + 1)."""
    _slow_rto(t)
    c = t.connect()
    t.target.close(c)
    rx = t.reply(c, "fin", flags="FA", seq=1, ack=1)
    c.rcv_nxt = seq_add(rx.seq, 1)
    c.send("A")
    t.state(c, "state after its ACK", "FIN-WAIT-2")
    c.send("PA", data=b"after fin!")
    t.reply(c, "ack of the data", flags="A", seq=2, ack=11)
    t.counters(bytes_in=10)


@scenario("close_simultaneous")
def _close_simultaneous(t):
    """Simultaneous close: our FIN and the peer's cross; the peer's FIN
    (not acknowledging ours) is acknowledged (CLOSING); the ACK of our FIN
    then leads to TIME-WAIT."""
    _slow_rto(t)
    c = t.connect()
    t.target.close(c)
    rx = t.reply(c, "fin", flags="FA", seq=1, ack=1)
    c.send("FA")
    t.reply(c, "ack of the peer's FIN", flags="A", seq=2, ack=2)
    t.state(c, "state after the crossing FINs", "CLOSING")
    c.rcv_nxt = seq_add(rx.seq, 1)
    c.send("A")
    t.state(c, "state after the ACK of our FIN", "TIME-WAIT")
    c.open = False


@scenario("close_fin_data")
def _close_fin_data(t):
    """Data and FIN in one segment: both are acknowledged (ack = RCV.NXT +
    len + 1) and our FIN follows."""
    _slow_rto(t)
    c = t.connect()
    c.send("FPA", data=b"bye" * 4)
    rx, skipped = t.expect(c, "fin", _is_fin, flags="FA", seq=1, ack=14)
    for s in skipped:
        t.check(s.flags == ACK and c.rel_ack(s.ack) == 14,
                "unexpected segment before the FIN: %s" % s)
    c.rcv_nxt = seq_add(rx.seq, 1)
    c.send("A")
    c.open = False
    t.state(c, "state after the last ACK", None)


def _to_time_wait(t, c):
    """Active close of c up to TIME-WAIT (as in close_active)."""
    t.target.close(c)
    rx = t.reply(c, "fin", flags="FA", seq=1, ack=1)
    c.rcv_nxt = seq_add(rx.seq, 1)
    c.send("A")
    c.send("FA")
    t.reply(c, "ack of the peer's FIN", flags="A", seq=2, ack=2)
    t.state(c, "state", "TIME-WAIT")
    c.open = False


@scenario("timewait_syn")
def _timewait_syn(t):
    """TIME-WAIT: a new SYN on the same 4-tuple (higher sequence number and
    timestamp) draws a challenge ACK (RFC 5961 4: any SYN in a
    synchronized state)."""
    _slow_rto(t)
    c = t.connect()
    _to_time_wait(t, c)
    c.send("S", seq=seq_add(c.snd_nxt, 100000), advance=False,
           opts=MSS(1460) + c.seg_opts() + NOP() + WS(7))
    rx = t.reply(c, "reply to the SYN", flags="A", seq=2, ack=2)
    if rx.flags & SYN:
        c.irs = rx.seq
        c.rcv_nxt = seq_add(rx.seq, 1)
        c.snd_nxt = rx.ack
        c.open = True


@scenario("timewait_expiry", diff=False)
def _timewait_expiry(t):
    """config time_wait_ms 1000: the connection leaves TIME-WAIT after
    about a second."""
    _slow_rto(t)
    t.config("time_wait_ms", 1000)
    c = t.connect()
    _to_time_wait(t, c)
    time.sleep(1.2)
    t.state(c, "state after 1.2 s", None, settle=1.0)


@scenario("idle_timeout", diff=False, stats=True)
def _idle_timeout(t):
    """config idle_timeout_ms 1000: an idle connection is closed with our
    FIN after about a second; when that makes no progress either (the peer
    acknowledges the FIN but never sends its own) it is reset after about
    a second more. Both expiries are counted (idle_timeouts)."""
    t.config("idle_timeout_ms", 1000)
    c = t.connect()
    t0 = now()
    rx = t.reply(c, "fin", timeout=4.0, flags="FA", seq=1, ack=1)
    d = rx.t - t0
    t.note("FIN after %.2f s" % d)
    t.check(0.8 <= d <= 2.5, "FIN after %.2f s of idleness, expected ~1 s"
            % d)
    c.rcv_nxt = seq_add(rx.seq, 1)
    t1 = now()
    c.send("A")
    rx = t.reply(c, "rst", timeout=4.0, flags="R", seq=2)
    c.open = False
    d = rx.t - t1
    t.note("RST %.2f s after the ACK of the FIN" % d)
    t.check(0.8 <= d <= 2.5, "RST %.2f s after the last progress, expected "
            "~1 s" % d)
    t.state(c, "state", None)
    t.counters(idle_timeouts=2)


@scenario("conn_kill", stats=True)
def _conn_kill(t):
    """conn kill: <SEQ=SND.NXT><CTL=RST> and the connection is gone."""
    c = t.connect()
    c.send("PA", data=b"k" * 10)
    t.reply(c, "ack", flags="A", seq=1, ack=11)
    t.target.kill(c)
    t.reply(c, "rst", flags="R", seq=1)
    c.open = False
    t.state(c, "state", None)
    t.counters(rst_sent=1)


# -- Bad segments ------------------------------------------------------------

def _bad_csum(f, **kw):
    seg = tcp_bytes(f.sport, f.dport, kw.get("seq", 0), kw.get("ack", 0),
                    kw.get("flags", ""), opts=kw.get("opts", b""),
                    data=kw.get("data", b""))
    good = tcp_checksum(f.fam.packed(f.fam.src), f.fam.packed(f.fam.dst),
                        seg, f.fam.v6)
    return 0x1234 if good in (0, 0xFFFF, 0x1234 ^ 0xFFFF) else good ^ 0x00FF


@scenario("csum_syn", stats=True)
def _csum_syn(t):
    """A SYN with a bad checksum is dropped without a reply and counted
    (csum_errors)."""
    c = t.conn(("mss",))
    opts = c.syn_opts()
    c.flow.send("S", c.iss, 0, opts=opts,
                csum=_bad_csum(c.flow, seq=c.iss, flags="S", opts=opts))
    t.nothing(c, "reply")
    t.state(c, "state", None)
    t.counters(csum_errors=1, syn_recv=0)


@scenario("csum_data", stats=True)
def _csum_data(t):
    """Data with a bad checksum on an established connection is dropped
    without a reply and counted; the same data intact is then taken."""
    c = t.connect()
    data = b"c" * 10
    opts = c.seg_opts()
    c.send("PA", data=data, opts=opts, advance=False,
           csum=_bad_csum(c.flow, seq=c.snd_nxt, ack=c.rcv_nxt, flags="PA",
                          opts=opts, data=data))
    t.nothing(c, "reply")
    c.send("PA", data=data)
    t.reply(c, "ack of the intact data", flags="A", seq=1, ack=11)
    t.counters(csum_errors=1, bytes_in=10)


@scenario("doff_short", stats=True)
def _doff_short(t):
    """A SYN with a data offset below 5 is dropped without a reply and
    counted as malformed."""
    c = t.conn(("mss",))
    c.flow.send("S", c.iss, 0, opts=MSS(1460), doff=4)
    t.nothing(c, "reply")
    t.state(c, "state", None)
    t.counters(malformed=1, syn_recv=0)


@scenario("doff_long", stats=True)
def _doff_long(t):
    """A SYN whose data offset (60 octets) runs past the end of the
    packet is dropped without a reply and counted as malformed."""
    c = t.conn(("mss",))
    c.flow.send("S", c.iss, 0, doff=15)
    t.nothing(c, "reply")
    t.state(c, "state", None)
    t.counters(malformed=1, syn_recv=0)


@scenario("bcast_mcast", stats=True)
def _bcast_mcast(t):
    """SYNs to a broadcast or multicast address (IPv4: the subnet broadcast
    and 224.0.0.1; IPv6: ff02::1), in broadcast/multicast frames, are
    dropped without a reply and counted as malformed."""
    mac = t.peer.topo.peer_mac
    if t.fam.v6:
        dsts = [("ff02::1", "33:33:00:00:00:01")]
    else:
        dsts = [("198.18.0.255", "ff:ff:ff:ff:ff:ff"),
                ("224.0.0.1", "01:00:5e:00:00:01")]
    conns = []
    for dst, l2 in dsts:
        c = t.conn(("mss",))
        c.flow.send("S", c.iss, 0, opts=MSS(1460), dst=dst,
                    l2=Ether(src=mac, dst=l2))
        conns.append(c)
    t.nothing(conns, "reply")
    t.counters(malformed=len(dsts), syn_recv=0)


@scenario("fragment", stats=True)
def _fragment(t):
    """IPv6: the first fragment of a SYN (more fragments to come, never
    sent) is dropped without a reply and counted as malformed. IPv4 (the
    IP layer reassembles before LOCAL_IN): a SYN in two fragments is
    answered like any SYN."""
    c = t.conn(("mss",))
    f = c.flow
    seg = tcp_bytes(f.sport, f.dport, c.iss, 0, "S", opts=MSS(1460),
                    data=b"f" * 64)
    csum = tcp_checksum(f.fam.packed(f.fam.src), f.fam.packed(f.fam.dst),
                        seg, f.fam.v6)
    seg = seg[:16] + csum.to_bytes(2, "big") + seg[18:]
    fid = random.randrange(1, 1 << 16)
    if t.fam.v6:
        t.peer.send(IPv6(src=t.fam.src, dst=t.fam.dst) /
                    IPv6ExtHdrFragment(nh=6, offset=0, m=1, id=fid) /
                    Raw(seg[:48]))
        t.nothing(c, "reply")
        t.state(c, "state", None)
        t.counters(malformed=1, syn_recv=0)
        return
    t.peer.send(IP(src=t.fam.src, dst=t.fam.dst, proto=6, id=fid,
                   flags="MF", frag=0) / Raw(seg[:48]))
    t.peer.send(IP(src=t.fam.src, dst=t.fam.dst, proto=6, id=fid,
                   frag=6) / Raw(seg[48:]))
    c.snd_nxt = seq_add(c.iss, 1)
    c.synack(t.reply(c, "synack", flags="SA", ack=1, opts=["MSS"]))
    t.counters(syn_recv=1)


@scenario("no_listener", diff=False, stats=True)
def _no_listener(t):
    """A port without listener is left to the host stack, which answers a
    SYN with RST+ACK <SEQ=0><ACK=ISN+1>; hsk takes nothing."""
    c = Conn(t.flow(NO_LISTENER_PORT), opts=("mss",))
    c.syn()
    t.reply(c, "reply", base=(0, c.iss), flags="RA", seq=0, ack=1)
    t.counters(segs_in=0, rst_sent=0)


# ===========================================================================
# Runner
# ===========================================================================

def run_one(sc, target, fam, peer, hskctl):
    t = Ctx(sc, target, fam, peer, hskctl)
    t0 = time.monotonic()
    try:
        if sc.stats and target.is_hsk:
            t.snapshot()
        sc.fn(t)
    except Failed:
        pass
    except HandshakeError as e:
        t.failures.append("handshake: %s" % e)
    except (CtlError, Unsupported) as e:
        t.failures.append("control: %s" % e)
    except Exception:
        t.failures.append("test error: %s" % traceback.format_exc())
    finally:
        try:
            t.cleanup()
        except Exception:
            t.failures.append("cleanup: %s" % traceback.format_exc())
    t.elapsed = time.monotonic() - t0
    return t


def compare(sc, h, lx):
    """Differential comparison of two runs: (passed, diagnostic lines)."""
    lines = []
    ok = True
    labels = list(h.obs) + [k for k in lx.obs if k not in h.obs]
    for label in labels:
        a, b = h.obs.get(label), lx.obs.get(label)
        if a == b:
            lines.append("  = %s: %s" % (label, fmt_obs(a)))
            continue
        if a is None or b is None or "reply" in a or "reply" in b or \
                "state" in a or "state" in b or "value" in a:
            fields = {"*"}
        else:
            fields = {k for k in a if a[k] != b[k]}
        known = KNOWN_DIFFERENCES.get((sc.name, label))
        if known and (known[0] == "*" or fields <= set(known[0])):
            lines.append("  ~ %s: hsk %s | linux %s (known difference: %s)"
                         % (label, fmt_obs(a), fmt_obs(b), known[1]))
        else:
            ok = False
            lines.append("  ! %s: hsk %s | linux %s: UNDOCUMENTED "
                         "difference in %s" % (label, fmt_obs(a), fmt_obs(b),
                                               ",".join(sorted(fields))))
    for (name, label), _ in KNOWN_DIFFERENCES.items():
        if name == sc.name and label not in labels:
            lines.append("  (known difference for %r not observed)" % label)
    return ok, lines


def report(ktap, desc, t, verbose):
    if t.failures:
        ktap.diag("%s: %s (%.1f s)" % (desc, t.sc.doc, t.elapsed))
        for f in t.failures:
            ktap.diag("FAIL: " + f)
        for n in t.notes:
            ktap.diag("  " + n)
        for f in t.flows:
            if f.log:
                ktap.diag("  flow %s %d -> %d:" % (t.fam, f.sport, f.dport))
                for line in f.transcript():
                    ktap.diag("    " + line)
    elif verbose:
        for n in t.notes:
            ktap.diag("  " + n)
    ktap.result(desc, not t.failures)


def main():
    global QUIET
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--targets", default="hsk,linux",
                    help="hsk, linux or hsk,linux (default: hsk cases plus "
                    "differential cases)")
    ap.add_argument("--family", default="4,6")
    ap.add_argument("--only", default=None,
                    help="regular expression on scenario names")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--quiet", type=float, default=QUIET,
                    help="seconds of silence that count as no reply")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    QUIET = args.quiet
    targets = [x for x in args.targets.split(",") if x]
    families = [int(x) for x in args.family.split(",") if x]
    scs = [s for s in SCENARIOS
           if not args.only or re.search(args.only, s.name)]
    if args.list:
        for s in scs:
            print("%-20s %-8s %s %s" % (s.name, s.mode, "diff" if s.diff
                                        else "    ", s.doc))
        return 0

    ktap = Ktap()
    use_hsk = "hsk" in targets
    use_linux = "linux" in targets
    cases = []
    for s in scs:
        for v in families:
            if v not in s.families:
                continue
            if use_hsk:
                cases.append((s, v, "hsk"))
                if use_linux and s.diff:
                    cases.append((s, v, "diff"))
            elif use_linux and s.diff:
                cases.append((s, v, "linux"))

    topo = Topology()
    peer = Peer(topo)
    ktap.plan(len(cases))
    for e in topo.setup():
        ktap.diag("setup: " + e)
    try:
        server = LinuxServer()
    except (CtlError, OSError) as e:
        ktap.diag("host agent: %s" % e)
        server = None
    hskctl = Hskctl(agent=server)

    hsk_targets, linux_targets = {}, {}
    if use_hsk:
        try:
            hskctl.run("listen", "flush")
            hskctl.run("config", "set",
                       *[str(x) for kv in HSK_CONFIG.items() for x in kv])
            for mode, port in HSK_PORTS.items():
                hsk_targets[mode] = Target.hsk(port, mode, hskctl)
                hsk_targets[mode].setup()
        except CtlError as e:
            ktap.diag("hsk listeners: %s" % e)
    if use_linux:
        try:
            if not server:
                raise CtlError("no host agent")
            for mode, port in LINUX_PORTS.items():
                linux_targets[mode] = Target.linux(port, mode, server=server)
                linux_targets[mode].setup()
        except CtlError as e:
            ktap.diag("Linux listeners: %s" % e)

    def target_for(kind, mode):
        table = hsk_targets if kind == "hsk" else linux_targets
        if mode in table:
            return table[mode]
        ports = HSK_PORTS if kind == "hsk" else LINUX_PORTS
        # No listener could be set up: run anyway, the case fails.
        return Target(kind, ports.get(mode, 1), mode, ctl=hskctl,
                      server=server)

    start = time.monotonic()
    times = collections.Counter()
    done = {}
    for s, v, kind in cases:
        fam = topo.families[v]
        key = (s.name, v)
        if key not in done:
            # The hsk and the Linux run of a scenario overlap (they share
            # nothing: other ports, hsk counters against host sockets).
            runs = {}
            kinds = []
            if use_hsk:
                kinds.append("hsk")
            if use_linux and s.diff:
                kinds.append("linux")

            def go(k, s=s, fam=fam, runs=runs):
                runs[k] = run_one(s, target_for(k, s.mode), fam, peer,
                                  hskctl)
            threads = [threading.Thread(target=go, args=(k,)) for k in kinds]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            times[key] = max(r.elapsed for r in runs.values())
            done[key] = runs
        runs = done[key]
        desc = "%s %s %s" % (kind, fam, s.name)
        if kind in ("hsk", "linux"):
            report(ktap, desc, runs[kind], args.verbose)
            if kind == "linux" or not (use_linux and s.diff):
                del done[key]
            continue
        ok, lines = compare(s, runs["hsk"], runs["linux"])
        lx = runs["linux"]
        ktap.diag("%s: hsk vs linux" % desc)
        for line in lines:
            ktap.diag(line)
        for f in lx.failures:
            ktap.diag("  linux deviates from the scenario: %s" % f)
        ktap.result(desc, ok)
        del done[key]

    ktap.diag("runtime %.1f s; slowest: %s" % (
        time.monotonic() - start, ", ".join(
            "%s/ipv%d %.1f s" % (k[0], k[1], v)
            for k, v in times.most_common(8))))
    if use_hsk:
        try:
            hskctl.run("listen", "flush")
        except CtlError:
            pass
    if server:
        server.stop()
    topo.teardown()
    return ktap.finished()


if __name__ == "__main__":
    sys.exit(main())
