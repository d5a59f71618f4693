#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""hsk_clients: real Linux TCP clients against the hsk endpoint.

Started by hsk_clients.sh in the "peer" network namespace of the test VM
(see selftests/vm/README.rst): its sockets are ordinary Linux TCP sockets
that reach hsk over the virtio NICs. Loopback clients are sockets created
in the initial namespace (setns() around socket()). hskctl, nft and
modprobe run in the initial namespace through nsenter, where hsk runs.

Every case is run for IPv4 and for IPv6 and prints one KTAP result; every
assertion that fails prints a "# ..." line saying what was expected and
what was seen. Only /usr/bin/python3 (Debian's) is supported; no module
outside the standard library is used.
"""

import ctypes
import fcntl
import hashlib
import ipaddress
import json
import os
import socket
import struct
import subprocess
import sys
import termios
import threading
import time

from hsk_lib import (ENV, HOST_NS, KSFT_SKIP, KTAP, Case, CaseFailed, conns,
                     host, hsk, run_case as _run_case, stats)

CLONE_NEWNET = 0x40000000
ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD

KiB = 1 << 10
MiB = 1 << 20

ECHO_PORT = 7
DISCARD_PORT = 9
TARPIT_PORT = 19
DEL_PORT = 2007

# Under TCG everything is about 20 times slower than native: timeouts are
# generous, they only bound how long a broken case takes to fail.
XFER_TIMEOUT = 120.0
STATE_TIMEOUT = 10.0

NFT_TABLE = "hsk_t"
NFT_RULESET = """table inet hsk_t {
	chain input {
		type filter hook input priority 0;
		ct state invalid counter drop;
	}
	chain output {
		type filter hook output priority 0;
		ct state invalid counter drop;
	}
}
"""


class Fam:
    """One address family: its name in KTAP and in hskctl, its addresses."""

    def __init__(self, af, name, hsk_name, host, peer, loop):
        self.af = af
        self.name = name
        self.hsk_name = hsk_name
        self.host = host
        self.peer = peer
        self.loop = loop

    def ep(self, addr, port):
        """An hskctl ENDPOINT."""
        if self.af == socket.AF_INET6:
            return "[%s]:%d" % (addr, port)
        return "%s:%d" % (addr, port)


FAMS = [
    Fam(socket.AF_INET, "IPv4", "inet", ENV["HSK_HOST4"], ENV["HSK_PEER4"],
        "127.0.0.1"),
    Fam(socket.AF_INET6, "IPv6", "inet6", ENV["HSK_HOST6"], ENV["HSK_PEER6"],
        "::1"),
]


def run_case(desc, fn, *args):
    """A KTAP case that prints hsk's connections and listeners if it
    fails."""
    return _run_case(desc, fn, *args, on_fail=diag_state)


# ---------------------------------------------------------------------------
# The initial namespace: hskctl, nft, modprobe
# ---------------------------------------------------------------------------

def delta(before, after, *keys):
    return {k: after[k] - before[k] for k in keys}


def diag_state():
    for what, argv in (("conn show", ["hskctl", "conn", "show"]),
                       ("listen show", ["hskctl", "listen", "show"])):
        try:
            p = host(*argv)
            KTAP.diag("%s:\n%s%s" % (what, p.stdout, p.stderr))
        except Exception as e:  # pylint: disable=broad-except
            KTAP.diag("%s failed: %r" % (what, e))


def same_addr(a, b):
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return False


def find_conn(cs, fam, rport, raddr=None):
    raddr = raddr or fam.peer
    return [c for c in cs if c.get("remote_port") == rport and
            same_addr(c.get("remote_addr", ""), raddr)]


def wait_for(fn, timeout, interval=0.05):
    """Polls fn() until it returns something true or timeout passes;
    returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(interval)


def conn_of(fam, rport, raddr=None):
    """The one connection of this client, or None (asserted elsewhere)."""
    m = find_conn(conns(), fam, rport, raddr)
    return m[0] if len(m) == 1 else None


def conn_in(fam, rport, state, raddr=None):
    """This client's connection if it is in STATE, else None."""
    e = conn_of(fam, rport, raddr)
    return e if e and e["state"] == state else None


def expect_reset(c, s, after):
    """The client's next recv() on S must fail with ECONNRESET."""
    s.settimeout(STATE_TIMEOUT)
    try:
        b = s.recv(4096)
        c.check(False, "recv after %s returned %r, expected ECONNRESET"
                % (after, b[:16]))
    except ConnectionResetError:
        pass
    except OSError as e:
        c.check(False, "recv after %s: %r, expected ECONNRESET" % (after, e))


def wait_state(c, fam, rport, state, raddr=None, timeout=STATE_TIMEOUT):
    """Waits for this client's connection to be in STATE; a failed
    assertion otherwise."""
    e = wait_for(lambda: conn_in(fam, rport, state, raddr), timeout,
                 interval=0.01)
    c.check(e, "connection from port %d not %s within %gs; now: %r"
            % (rport, state, timeout, conn_of(fam, rport, raddr)))
    return e


def wait_gone(fam, rport, raddr=None, timeout=STATE_TIMEOUT):
    return wait_for(lambda: not find_conn(conns(), fam, rport, raddr),
                    timeout)


def reset(*listeners):
    """Between cases: no listener, no connection, then LISTENERS (lists of
    hskctl listen add arguments)."""
    hsk("listen", "flush")
    if not wait_for(lambda: not conns(), STATE_TIMEOUT):
        KTAP.diag("connections left after listen flush, killing them:\n"
                  + hsk("conn", "show"))
        hsk("conn", "kill")
    for args in listeners:
        hsk("listen", "add", *[str(a) for a in args])


# ---------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------

_libc = ctypes.CDLL("libc.so.6", use_errno=True)


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "setns: " + os.strerror(e))


def host_socket(af):
    """A socket of the initial namespace (for loopback clients)."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    init = os.open(HOST_NS, os.O_RDONLY)
    try:
        _setns(init)
        try:
            return socket.socket(af, socket.SOCK_STREAM)
        finally:
            _setns(own)
    finally:
        os.close(own)
        os.close(init)


def connect(fam, port, addr=None, loopback=False, timeout=30.0):
    s = host_socket(fam.af) if loopback else socket.socket(
        fam.af, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((addr or (fam.loop if loopback else fam.host), port))
    return s


def lport(s):
    return s.getsockname()[1]


def outq(s):
    """SIOCOUTQ: bytes in the send queue not yet acknowledged."""
    return struct.unpack("i", fcntl.ioctl(s.fileno(), termios.TIOCOUTQ,
                                          struct.pack("i", 0)))[0]


class Echo:
    """Sends DATA from a thread while the caller reads, like any echo
    client that does not deadlock on its own buffers."""

    def __init__(self, s, data, shut=False, timeout=XFER_TIMEOUT):
        self.sent_hash = hashlib.sha256(data).hexdigest()
        self.len = len(data)
        self.got = bytearray()
        self.eof = False
        self.error = None
        self.send_error = None
        s.settimeout(timeout)

        def tx():
            try:
                s.sendall(data)
                if shut:
                    s.shutdown(socket.SHUT_WR)
            except OSError as e:
                self.send_error = e

        t = threading.Thread(target=tx, daemon=True)
        t.start()
        deadline = time.monotonic() + timeout
        try:
            while len(self.got) < len(data) or (shut and not self.eof):
                if time.monotonic() > deadline:
                    raise socket.timeout("no progress in %gs" % timeout)
                b = s.recv(256 * KiB)
                if not b:
                    self.eof = True
                    break
                self.got += b
        except OSError as e:
            self.error = e
        t.join(max(1.0, deadline - time.monotonic()))
        if t.is_alive():
            self.send_error = self.send_error or socket.timeout(
                "sendall still blocked")
        self.got_hash = hashlib.sha256(self.got).hexdigest()

    def check(self, c, eof=False):
        ok = c.check(self.error is None and self.send_error is None,
                     "transfer failed: recv: %r, send: %r; %d of %d bytes back"
                     % (self.error, self.send_error, len(self.got), self.len))
        ok = c.check(len(self.got) == self.len and
                     self.got_hash == self.sent_hash,
                     "echo differs: sent %d bytes sha256 %s, got %d bytes "
                     "sha256 %s" % (self.len, self.sent_hash, len(self.got),
                                    self.got_hash)) and ok
        if eof:
            ok = c.check(self.eof, "no EOF after the echoed data") and ok
        return ok


class Sniffer:
    """AF_PACKET capture of the TCP segments of one peer port on the peer
    NIC: the client's own SYN gives its ISN, hsk's segments what it
    acknowledged."""

    def __init__(self, ifname):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                               socket.htons(ETH_P_ALL))
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * MiB)
        self.s.bind((ifname, ETH_P_ALL))
        self.s.setblocking(False)
        self.segs = []

    def poll(self):
        while True:
            try:
                b, addr = self.s.recvfrom(65535)
            except BlockingIOError:
                return
            seg = self._parse(b, addr[1])
            if seg:
                self.segs.append(seg)

    @staticmethod
    def _parse(b, proto):
        if proto == ETH_P_IP and len(b) >= 20 and b[9] == socket.IPPROTO_TCP:
            off = (b[0] & 15) * 4
            src = socket.inet_ntop(socket.AF_INET, b[12:16])
            dst = socket.inet_ntop(socket.AF_INET, b[16:20])
            plen = struct.unpack("!H", b[2:4])[0] - off
        elif proto == ETH_P_IPV6 and len(b) >= 40 and b[6] == socket.IPPROTO_TCP:
            off = 40
            src = socket.inet_ntop(socket.AF_INET6, b[8:24])
            dst = socket.inet_ntop(socket.AF_INET6, b[24:40])
            plen = struct.unpack("!H", b[4:6])[0]
        else:
            return None
        if len(b) < off + 20:
            return None
        sport, dport, seq, ack, doff, flags, win = struct.unpack(
            "!HHIIBBH", b[off:off + 16])
        return {"src": src, "dst": dst, "sport": sport, "dport": dport,
                "seq": seq, "ack": ack, "flags": flags, "win": win,
                "len": plen - (doff >> 4) * 4}

    def close(self):
        self.s.close()


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

def case_connect(c, fam):
    reset([ECHO_PORT])
    before = stats()
    s = connect(fam, ECHO_PORT)
    try:
        port = lport(s)
        wait_state(c, fam, port, "ESTABLISHED")
        m = find_conn(conns(), fam, port)
        c.require(len(m) == 1, "conn show lists %d connections from port %d, "
                  "expected 1" % (len(m), port))
        e = m[0]
        c.eq(e["family"], fam.hsk_name, "family")
        c.check(same_addr(e["local_addr"], fam.host),
                "local_addr %r, expected %s" % (e["local_addr"], fam.host))
        c.eq(e["local_port"], ECHO_PORT, "local_port")
        c.check(same_addr(e["remote_addr"], fam.peer),
                "remote_addr %r, expected %s" % (e["remote_addr"], fam.peer))
        c.eq(e["remote_port"], port, "remote_port")
        c.eq(e["state"], "ESTABLISHED", "state")
        c.eq(e["mode"], "echo", "mode")
        c.eq(delta(before, stats(), "syn_recv", "established"),
             {"syn_recv": 1, "established": 1}, "stats growth")
    finally:
        s.close()


def case_echo_1m(c, fam):
    reset([ECHO_PORT])
    before = stats()
    s = connect(fam, ECHO_PORT)
    try:
        port = lport(s)
        x = Echo(s, os.urandom(MiB))
        x.check(c)
        e = conn_of(fam, port)
        c.require(e is not None, "connection from port %d not in conn show"
                  % port)
        c.eq((e["bytes_in"], e["bytes_out"]), (MiB, MiB),
             "conn show (bytes_in, bytes_out)")
        c.eq(delta(before, stats(), "bytes_in", "bytes_out"),
             {"bytes_in": MiB, "bytes_out": MiB}, "stats growth")
    finally:
        s.close()


def case_discard(c, fam):
    reset([DISCARD_PORT, "mode", "discard"])
    s = connect(fam, DISCARD_PORT)
    try:
        port = lport(s)
        s.settimeout(XFER_TIMEOUT)
        try:
            s.sendall(os.urandom(MiB))
        except OSError as e:
            c.require(False, "sendall of 1 MiB failed: %r" % e)
        left = wait_for(lambda: outq(s) == 0 or None, 60)
        c.check(left, "SIOCOUTQ still %d after 60s: hsk did not acknowledge "
                "everything" % outq(s))
        s.settimeout(2)
        try:
            b = s.recv(65536)
            c.check(False, "recv returned %r (%d bytes), expected nothing"
                    % (b[:16], len(b)))
        except socket.timeout:
            pass
        e = conn_of(fam, port)
        c.require(e is not None, "connection from port %d not in conn show"
                  % port)
        c.eq((e["mode"], e["bytes_in"], e["bytes_out"]),
             ("discard", MiB, 0), "conn show (mode, bytes_in, bytes_out)")
    finally:
        s.close()


def case_tarpit(c, fam):
    reset([TARPIT_PORT, "mode", "tarpit"])
    sn = Sniffer(ENV["HSK_PEER_IF"])
    s = None
    try:
        s = connect(fam, TARPIT_PORT)
        port = lport(s)
        if not wait_state(c, fam, port, "ESTABLISHED"):
            raise CaseFailed()
        s.setblocking(False)
        queued = 0
        chunk = b"t" * (4 * KiB)
        while queued < 64 * MiB:
            try:
                queued += s.send(chunk)
            except BlockingIOError:
                break
        # tcp_sendmsg() checks the send buffer only when it starts a new
        # skb, so the last one may take up to a full GSO skb (64 KiB)
        # beyond SO_SNDBUF; an endpoint that acked data would let the
        # client go on far beyond that.
        sndbuf = s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        c.check(0 < queued <= sndbuf + 64 * KiB,
                "the client kernel took %d bytes before EAGAIN, expected "
                "1..SO_SNDBUF (%d) + 64 KiB" % (queued, sndbuf))
        KTAP.diag("%s tarpit: the client queued %d bytes, SO_SNDBUF %d"
                  % (fam.name, queued, sndbuf))
        time.sleep(3)
        c.eq(outq(s), queued, "client SIOCOUTQ after 3s (nothing acked)")

        sn.poll()
        mine = [g for g in sn.segs if port in (g["sport"], g["dport"])]
        syn = [g for g in mine if g["sport"] == port and g["flags"] & 0x02]
        c.require(len(syn) == 1, "captured %d SYNs of port %d on %s, "
                  "expected 1" % (len(syn), port, ENV["HSK_PEER_IF"]))
        irs1 = (syn[0]["seq"] + 1) & 0xffffffff
        theirs = [g for g in mine if g["dport"] == port]
        c.check(theirs, "captured nothing from hsk")
        bad = [g for g in theirs if g["ack"] != irs1 or g["win"] != 0 or
               g["len"] != 0]
        c.check(not bad, "hsk segments acking past IRS+1 (%d), with a "
                "window or with data: %r" % (irs1, bad[:5]))

        e = conn_of(fam, port)
        c.require(e is not None, "connection from port %d not in conn show"
                  % port)
        c.eq((e["state"], e["mode"], e["rcv_wnd"], e["bytes_in"],
              e["rcv_nxt"]),
             ("ESTABLISHED", "tarpit", 0, 0, irs1),
             "conn show (state, mode, rcv_wnd, bytes_in, rcv_nxt=IRS+1)")
    finally:
        sn.close()
        if s:
            s.close()


def case_client_close(c, fam):
    reset([ECHO_PORT])
    s = connect(fam, ECHO_PORT)
    try:
        port = lport(s)
        x = Echo(s, os.urandom(64 * KiB), shut=True)
        x.check(c, eof=True)
        c.check(wait_gone(fam, port),
                "connection still listed %gs after the close: %r"
                % (STATE_TIMEOUT, conn_of(fam, port)))
    finally:
        s.close()


def poll_seconds():
    """How long one look at the connection table (conn show through
    nsenter and hskctl) takes here: the median of three."""
    ts = []
    for _ in range(3):
        t0 = time.monotonic()
        conns()
        ts.append(time.monotonic() - t0)
    return sorted(ts)[1]


def time_wait_seconds(poll):
    """The TIME-WAIT length for the conn close cases: 1 s, or ten polls of
    the connection table on a kernel where one takes longer than 0.1 s (a
    debug kernel under TCG), so that TIME-WAIT is seen before it ends."""
    return max(1, int(-(-10 * poll // 1)))


def case_hsk_close(c, fam, tw_old, tw_s):
    reset([ECHO_PORT])
    hsk("config", "set", "time_wait_ms", str(1000 * tw_s))
    s = None
    try:
        s = connect(fam, ECHO_PORT)
        port = lport(s)
        Echo(s, os.urandom(4 * KiB)).check(c)
        wait_state(c, fam, port, "ESTABLISHED")
        r = json.loads(hsk("-j", "conn", "close", "remote",
                           fam.ep(fam.peer, port)))
        c.eq(r.get("count"), 1, "conn close count")
        s.settimeout(STATE_TIMEOUT)
        try:
            b = s.recv(4096)
            c.check(b == b"", "recv after conn close returned %d bytes, "
                    "expected EOF" % len(b))
        except OSError as e:
            c.require(False, "recv after conn close: %r, expected EOF" % e)
        wait_state(c, fam, port, "FIN-WAIT-2")
        t0 = time.monotonic()
        s.close()
        s = None
        seen = wait_for(lambda: conn_in(fam, port, "TIME-WAIT"),
                        STATE_TIMEOUT, interval=0.01)
        c.check(seen, "TIME-WAIT never seen after the client closed; now %r"
                % conn_of(fam, port))
        # Gone after time_wait_ms, not before; at most 4 time_wait_ms
        # late (timer slack and the polls that notice it).
        gone = wait_gone(fam, port, timeout=5 * tw_s + STATE_TIMEOUT)
        dt = time.monotonic() - t0
        c.check(gone, "still listed %.1fs after the client closed: %r"
                % (dt, conn_of(fam, port)))
        c.check(0.9 * tw_s <= dt <= 5 * tw_s,
                "gone %.2fs after the client closed, expected about %ds "
                "(time_wait_ms %d)" % (dt, tw_s, 1000 * tw_s))
    finally:
        if s:
            s.close()
        hsk("config", "set", "time_wait_ms", str(tw_old))


def case_kill(c, fam):
    reset([ECHO_PORT])
    s = connect(fam, ECHO_PORT)
    try:
        port = lport(s)
        if not wait_state(c, fam, port, "ESTABLISHED"):
            raise CaseFailed()
        before = stats()
        r = json.loads(hsk("-j", "conn", "kill", "remote",
                           fam.ep(fam.peer, port)))
        c.eq(r.get("count"), 1, "conn kill count")
        expect_reset(c, s, "conn kill")
        c.check(not find_conn(conns(), fam, port),
                "still listed after kill: %r" % conn_of(fam, port))
        c.eq(delta(before, stats(), "rst_sent"), {"rst_sent": 1},
             "stats growth")
    finally:
        s.close()


def case_loopback(c, fam):
    reset([ECHO_PORT])
    s = connect(fam, ECHO_PORT, loopback=True)
    try:
        port = lport(s)
        Echo(s, os.urandom(64 * KiB), shut=True).check(c, eof=True)
        c.check(wait_gone(fam, port, raddr=fam.loop),
                "still listed after the close: %r"
                % conn_of(fam, port, fam.loop))
    finally:
        s.close()


def nf_diag(fam, port):
    KTAP.diag("hsk client port %d; /proc/net/nf_conntrack (port %d lines):"
              % (port, ECHO_PORT))
    p = host("cat", "/proc/net/nf_conntrack")
    lines = [ln for ln in p.stdout.splitlines()
             if "port=%d " % ECHO_PORT in ln or "port=%d " % port in ln]
    KTAP.diag("\n".join(lines) or "(no entry) " + p.stderr.strip())
    p = host("nft", "list", "table", "inet", NFT_TABLE)
    KTAP.diag("nft list table inet %s:\n%s%s" % (NFT_TABLE, p.stdout,
                                                   p.stderr))
    p = host("ss", "-tnoi", "state", "all", "( sport = :%d or dport = :%d )"
             % (port, port))
    KTAP.diag("ss in the initial namespace:\n" + p.stdout + p.stderr)


def nft_drops():
    """Packets counted by the "ct state invalid drop" rules, per chain."""
    p = host("nft", "-j", "list", "table", "inet", NFT_TABLE)
    drops = {}
    for obj in json.loads(p.stdout)["nftables"]:
        rule = obj.get("rule")
        if rule:
            for expr in rule["expr"]:
                if "counter" in expr:
                    drops[rule["chain"]] = expr["counter"]["packets"]
    return drops


def case_conntrack(c, fam, loopback, setup):
    c.require(setup[0] is None, "conntrack setup failed: %s" % setup[0])
    reset([ECHO_PORT])
    before = nft_drops()
    s = None
    port = 0
    try:
        s = connect(fam, ECHO_PORT, loopback=loopback)
        port = lport(s)
        raddr = fam.loop if loopback else fam.peer
        ok = Echo(s, os.urandom(256 * KiB), shut=True, timeout=30).check(
            c, eof=True)
        ok = c.check(wait_gone(fam, port, raddr=raddr),
                     "still listed after the close: %r"
                     % conn_of(fam, port, raddr)) and ok
        ok = c.eq(nft_drops(), before, "ct state invalid drops (per chain)") \
            and ok
        if not ok:
            nf_diag(fam, port)
    except Exception:
        if port:
            nf_diag(fam, port)
        raise
    finally:
        if s:
            s.close()


def conntrack_setup():
    p = host("modprobe", "nf_conntrack")
    if p.returncode:
        return "modprobe nf_conntrack: " + p.stderr.strip()
    host("nft", "delete", "table", "inet", NFT_TABLE)
    p = host("nft", "-f", "-", stdin=NFT_RULESET)
    if p.returncode:
        return "nft -f: " + p.stderr.strip()
    return None


def case_many(c, fam, n=20, size=64 * KiB):
    reset([ECHO_PORT])
    before = stats()
    results = [None] * n

    def client(i):
        try:
            s = connect(fam, ECHO_PORT)
            try:
                results[i] = Echo(s, os.urandom(size), shut=True)
            finally:
                s.close()
        except Exception as e:  # pylint: disable=broad-except
            results[i] = e

    ts = [threading.Thread(target=client, args=(i,), daemon=True)
          for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(XFER_TIMEOUT + 60)
    good = 0
    for i, r in enumerate(results):
        if isinstance(r, Echo):
            sub = Case("")
            if r.check(sub, eof=True):
                good += 1
            else:
                KTAP.diag("client %d failed (above)" % i)
        else:
            KTAP.diag("client %d: %r" % (i, r))
    c.eq(good, n, "clients that got their bytes back")
    c.check(wait_for(lambda: not conns(), STATE_TIMEOUT),
            "connections left %gs after the clients closed"
            % STATE_TIMEOUT)
    c.eq(delta(before, stats(), "established", "bytes_in", "bytes_out"),
         {"established": n, "bytes_in": n * size, "bytes_out": n * size},
         "stats growth")


def case_listen_del(c, fam):
    reset([ECHO_PORT], [DEL_PORT])
    s = connect(fam, DEL_PORT)
    try:
        port = lport(s)
        Echo(s, os.urandom(4 * KiB)).check(c)
        if not wait_state(c, fam, port, "ESTABLISHED"):
            raise CaseFailed()
        hsk("listen", "del", str(DEL_PORT))
        expect_reset(c, s, "listen del")
        c.check(not find_conn(conns(), fam, port),
                "still listed after listen del: %r" % conn_of(fam, port))
    finally:
        s.close()


def link_local(ifname, in_host):
    """The link-local address of IFNAME (in the initial namespace or in
    ours), once duplicate address detection has let go of it."""
    argv = ["ip", "-6", "-o", "addr", "show", "dev", ifname, "scope", "link"]

    def addr():
        p = host(*argv) if in_host else subprocess.run(
            argv, capture_output=True, text=True, check=False)
        w = p.stdout.split()
        if "tentative" in w or "inet6" not in w:
            return None
        return w[w.index("inet6") + 1].split("/")[0]
    return wait_for(addr, STATE_TIMEOUT)


LL_DUMMY = "hskll0"     # and its veth peer hskll0p


def host_ifindex(ifname):
    """The index of IFNAME in the initial namespace, or None."""
    p = host("ip", "-j", "link", "show", "dev", ifname)
    try:
        return json.loads(p.stdout)[0]["ifindex"]
    except (ValueError, LookupError, TypeError):
        return None


def scoped_ep(addr, ifname, port):
    """A link-local hskctl ENDPOINT with its interface, as conn show
    prints it."""
    return "[%s%%%s]:%d" % (ipaddress.ip_address(addr).compressed, ifname,
                             port)


def check_bound(c, e, ifindex, ifname):
    """conn show -j names the interface of link-local connection E."""
    c.eq((e.get("ifindex"), e.get("dev")), (ifindex, ifname),
         "ifindex and dev of the link-local connection")


def connect_link_local(addr):
    """A client socket connected from the peer's NIC to link-local ADDR's
    echo port (the scope is the peer NIC's index)."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.settimeout(30.0)
    s.connect((addr, ECHO_PORT, 0, socket.if_nametoindex(ENV["HSK_PEER_IF"])))
    return s


def kill_link_local(c, fam, ours, theirs, port):
    """conn show prints both addresses of the connection from port PORT
    with the interface the SYN came in on; conn kill with its remote
    endpoint in that form kills it and nothing else: the same endpoint
    on another interface matches nothing, a second connection from the
    same peer on the same link lives on."""
    host_if = ENV["HSK_HOST_IF"]
    text = hsk("conn", "show")
    for ep in (scoped_ep(theirs, host_if, ECHO_PORT),
               scoped_ep(ours, host_if, port)):
        c.check(ep in text, "conn show does not print %s:\n%s" % (ep, text))
    ifindex = host_ifindex(host_if)
    c.require(ifindex, "no ifindex for %s" % host_if)
    s2 = connect_link_local(theirs)
    try:
        port2 = lport(s2)
        if not wait_state(c, fam, port2, "ESTABLISHED", raddr=ours):
            raise CaseFailed()
        r = json.loads(hsk("-j", "conn", "kill", "remote",
                           scoped_ep(ours, LL_DUMMY, port)))
        c.eq(r.get("count"), 0, "conn kill count on %s" % LL_DUMMY)
        c.check(conn_in(fam, port, "ESTABLISHED", ours),
                "gone after a conn kill on %s: %r"
                % (LL_DUMMY, conn_of(fam, port, ours)))
        r = json.loads(hsk("-j", "conn", "kill", "remote",
                           scoped_ep(ours, host_if, port)))
        c.eq(r.get("count"), 1, "conn kill count on %s" % host_if)
        c.check(wait_gone(fam, port, raddr=ours),
                "still listed after conn kill: %r"
                % conn_of(fam, port, ours))
        e = conn_in(fam, port2, "ESTABLISHED", ours)
        c.check(e, "the other connection from the peer is gone too: %r"
                % conn_of(fam, port2, ours))
        if e:
            check_bound(c, e, ifindex, host_if)
    finally:
        s2.close()


def case_link_local(c):
    """An IPv6 client at a link-local address, to hsk's link-local address:
    replies must leave through the interface the SYN came in on. A veth
    pair in the initial namespace (veth is in every test kernel) with a
    preferred route to fe80::/64 makes a lookup that ignores the
    interface pick the wrong one. conn show names that interface, and
    conn kill with it kills exactly that connection."""
    reset([ECHO_PORT])
    fam = FAMS[1]
    ours = link_local(ENV["HSK_PEER_IF"], False)
    theirs = link_local(ENV["HSK_HOST_IF"], True)
    c.require(ours and theirs, "no link-local address: peer %r, host %r"
              % (ours, theirs))
    for argv in (["ip", "link", "add", LL_DUMMY, "type", "veth", "peer",
                  "name", LL_DUMMY + "p"],
                 ["ip", "link", "set", LL_DUMMY + "p", "up"],
                 ["ip", "link", "set", LL_DUMMY, "up"],
                 ["ip", "-6", "route", "add", "fe80::/64", "dev", LL_DUMMY,
                  "metric", "1"]):
        p = host(*argv)
        c.require(p.returncode == 0, "%s: %s" % (" ".join(argv),
                                                 p.stderr.strip()))
    try:
        before = stats()
        s = connect_link_local(theirs)
        try:
            port = lport(s)
            e = wait_state(c, fam, port, "ESTABLISHED", raddr=ours)
            if e:
                c.check(same_addr(e["local_addr"], theirs),
                        "local_addr %r, expected %s" % (e["local_addr"],
                                                        theirs))
                check_bound(c, e, host_ifindex(ENV["HSK_HOST_IF"]),
                            ENV["HSK_HOST_IF"])
            x = Echo(s, os.urandom(64 * KiB))
            x.check(c)
            c.eq(delta(before, stats(), "established", "bytes_out"),
                 {"established": 1, "bytes_out": 64 * KiB}, "stats growth")
            kill_link_local(c, fam, ours, theirs, port)
            expect_reset(c, s, "conn kill")
        finally:
            s.close()
    finally:
        host("ip", "link", "del", LL_DUMMY)


def case_counters(c, first):
    last = stats()
    for k in ("csum_errors", "malformed"):
        if first[k]:
            KTAP.diag("%s was already %d when this test started"
                      % (k, first[k]))
        c.eq(last[k] - first[k], 0, "%s counted during this test" % k)


def main():
    if not ENV["HSK_PEER_IF"]:
        KTAP.diag("HSK_PEER_IF is not set: run in the test VM")
        return KSFT_SKIP
    tw_old = json.loads(hsk("config", "show", "-j"))["time_wait_ms"]
    first = stats()
    poll = poll_seconds()
    tw_s = time_wait_seconds(poll)

    KTAP.plan(26)
    KTAP.diag("conn show takes %.2fs here: time_wait_ms %d for the conn "
              "close cases" % (poll, 1000 * tw_s))
    per_fam = [
        ("connect: conn show lists it ESTABLISHED with its addresses, ports "
         "and mode; syn_recv and established +1", case_connect),
        ("echo of 1 MiB read concurrently comes back intact (sha256); "
         "bytes_in/bytes_out +1 MiB in conn show and stats", case_echo_1m),
        ("discard: 1 MiB acknowledged (SIOCOUTQ 0), nothing comes back, "
         "bytes_in 1 MiB", case_discard),
        ("tarpit: send blocks within the send buffer, nothing acked "
         "(rcv_wnd 0, bytes_in 0, rcv_nxt IRS+1)", case_tarpit),
        ("client shutdown: echo drained, then EOF; connection gone",
         case_client_close),
        ("conn close: client reads EOF, FIN-WAIT-2, TIME-WAIT after the "
         "client closes, gone after time_wait_ms",
         lambda c, f: case_hsk_close(c, f, tw_old, tw_s)),
        ("conn kill: client gets ECONNRESET, connection gone, rst_sent +1",
         case_kill),
        ("loopback client: echo of 64 KiB", case_loopback),
    ]
    for desc, fn in per_fam:
        for fam in FAMS:
            run_case("%s: %s" % (fam.name, desc), fn, fam)

    setup = [None]
    try:
        setup[0] = conntrack_setup()
        if setup[0]:
            KTAP.diag(setup[0])
        for loopback in (False, True):
            for fam in FAMS:
                run_case("%s: ct state invalid drop ruleset: %s echo of "
                         "256 KiB and close" % (
                             fam.name, "loopback" if loopback else "peer"),
                         case_conntrack, fam, loopback, setup)
    finally:
        host("nft", "delete", "table", "inet", NFT_TABLE)

    for fam in FAMS:
        run_case("%s: 20 concurrent clients each get 64 KiB echoed"
                 % fam.name, case_many, fam)
    for fam in FAMS:
        run_case("%s: listen del resets a live connection: ECONNRESET"
                 % fam.name, case_listen_del, fam)
    run_case("IPv6 link-local client to hsk's link-local address, with a "
             "preferred fe80::/64 route on another interface: 64 KiB echoed,"
             " conn show lists both link-local addresses with the SYN's "
             "interface (ifindex, dev), conn kill [ADDR%IFACE]:PORT kills "
             "exactly that connection", case_link_local)
    hsk("listen", "flush")
    run_case("no csum_errors or malformed segments counted", case_counters,
             first)
    return KTAP.finished()


if __name__ == "__main__":
    sys.exit(main())
