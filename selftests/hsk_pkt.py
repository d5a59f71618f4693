#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""hsk_pkt: packet level helpers shared by the hsk conformance tests.

Runs inside the "peer" network namespace of the test VM (see
selftests/vm/README.rst) and talks to the endpoint under test at layer 2:

- Topology: the addresses and interfaces from /run/hsk-vm.env, plus the
  addresses we send from (198.18.0.3, 2001:db8::3) that the peer does not
  own, so that its kernel never answers the replies with a RST.
- Peer: one AF_PACKET socket on the peer NIC; a reader thread hands every
  TCP segment addressed to us to the Flow (our port) it belongs to.
- Flow / Conn: one 4-tuple; Conn adds the peer side TCP state (ISS, IRS,
  SND.NXT, RCV.NXT, timestamps) and relative sequence numbers.
- Target: what answers: Target.hsk(port, mode) is a listener of the hsk
  module configured with hskctl, Target.linux(port, mode) a listening
  socket of the host stack served by a small echo/discard server in the
  initial namespace (this file run with --linux-server, no scapy needed).
- Ktap: KTAP output.

Only /usr/bin/python3 with Debian's python3-scapy is supported. Segments
are built byte by byte here (so that malformed ones are easy), scapy
builds the IP, IPv6, fragment and Ethernet layers.
"""

import collections
import json
import os
import random
import select
import socket
import struct
import subprocess
import sys
import threading
import time

from hsk_lib import ENV_PATH, read_env_file

HOST_NS = "/proc/1/ns/net"
NSENTER = ["nsenter", "--net=" + HOST_NS]

# /proc/net/tcp{,6} "st" values as RFC 9293 state names (request sockets
# are listed as SYN_RECV, TCP_NEW_SYN_RECV never shows).
PROC_TCP_STATES = {
    0x01: "ESTABLISHED", 0x02: "SYN-SENT", 0x03: "SYN-RECEIVED",
    0x04: "FIN-WAIT-1", 0x05: "FIN-WAIT-2", 0x06: "TIME-WAIT",
    0x07: "CLOSED", 0x08: "CLOSE-WAIT", 0x09: "LAST-ACK",
    0x0A: "LISTEN", 0x0B: "CLOSING", 0x0C: "SYN-RECEIVED",
}


# ---------------------------------------------------------------------------
# The Linux side: an echo/discard server in the initial network namespace.
# It must not import scapy (slow under TCG); it is started by LinuxServer
# below as "nsenter --net=/proc/1/ns/net python3 hsk_pkt.py --linux-server"
# and speaks one JSON object per line on stdin/stdout.
# ---------------------------------------------------------------------------

def _proc_tcp_state(family, lport, rport):
    path = "/proc/net/tcp" if family == 4 else "/proc/net/tcp6"
    with open(path) as f:
        next(f)
        for line in f:
            fields = line.split()
            local, remote, st = fields[1], fields[2], fields[3]
            if (int(local.rsplit(":", 1)[1], 16) == lport and
                    int(remote.rsplit(":", 1)[1], 16) == rport):
                return PROC_TCP_STATES.get(int(st, 16), "UNKNOWN")
    return None


class _LinuxServer:
    """Accepts on every listening socket; echo or discard per port."""

    def __init__(self):
        self.lock = threading.Lock()
        self.listeners = {}     # fd -> (socket, mode, family)
        self.conns = {}         # (family, peer port) -> [socket, mode]
        self.rpipe, self.wpipe = os.pipe()
        self.poll = select.poll()
        self.poll.register(self.rpipe, select.POLLIN)
        self.byfd = {}          # fd -> ("l", key) or ("c", key)

    def listen(self, port, mode):
        for family, af, addr in ((4, socket.AF_INET, "0.0.0.0"),
                                 (6, socket.AF_INET6, "::")):
            s = socket.socket(af, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if af == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind((addr, port))
            s.listen(1024)
            s.setblocking(False)
            with self.lock:
                self.listeners[s.fileno()] = (s, mode, family)
                self.byfd[s.fileno()] = ("l", s.fileno())
                self.poll.register(s.fileno(), select.POLLIN)
        self._wake()

    def _wake(self):
        os.write(self.wpipe, b"x")

    def _accept(self, fd):
        s, mode, family = self.listeners[fd]
        while True:
            try:
                c, addr = s.accept()
            except BlockingIOError:
                return
            c.setsockopt(socket.SOL_SOCKET, socket.SO_OOBINLINE, 1)
            c.settimeout(2.0)
            key = (family, addr[1])
            old = self.conns.pop(key, None)
            if old:
                self._drop(old[0])
            self.conns[key] = [c, mode]
            self.byfd[c.fileno()] = ("c", key)
            self.poll.register(c.fileno(), select.POLLIN)
            # A poll() in progress does not see the new socket: restart it.
            self._wake()

    def _drop(self, c):
        fd = c.fileno()
        if fd >= 0:
            try:
                self.poll.unregister(fd)
            except KeyError:
                pass
            self.byfd.pop(fd, None)
        # A poll() in progress holds a reference to the socket's file, so
        # closing it here would only take effect (the FIN or the RST of
        # SO_LINGER 0 go out) when that poll() returns: make it return.
        self._wake()
        c.close()

    def _readable(self, key):
        ent = self.conns.get(key)
        if not ent:
            return
        c, mode = ent
        try:
            data = c.recv(65536)
        except OSError:
            data = b""
        if not data:
            # EOF (the peer's FIN) or a reset: the application closes.
            self.conns.pop(key, None)
            self._drop(c)
            return
        if mode == "echo":
            try:
                c.sendall(data)
            except OSError:
                pass

    def loop(self):
        while True:
            for fd, _ in self.poll.poll(1000):
                with self.lock:
                    if fd == self.rpipe:
                        os.read(self.rpipe, 4096)
                        continue
                    what = self.byfd.get(fd)
                    if not what:
                        continue
                    if what[0] == "l":
                        self._accept(fd)
                    else:
                        self._readable(what[1])

    def _find(self, family, rport):
        deadline = time.monotonic() + 2.0
        while True:
            with self.lock:
                for fd in list(self.listeners):
                    self._accept(fd)
                ent = self.conns.get((family, rport))
            if ent or time.monotonic() > deadline:
                return ent
            time.sleep(0.02)

    def close(self, family, rport):
        ent = self._find(family, rport)
        if not ent:
            return 0
        with self.lock:
            # Our FIN now; the socket stays until the peer's FIN (EOF).
            ent[0].shutdown(socket.SHUT_WR)
        return 1

    def kill(self, family, rport):
        ent = self._find(family, rport)
        if not ent:
            return 0
        with self.lock:
            self.conns.pop((family, rport), None)
            ent[0].setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                              struct.pack("ii", 1, 0))
            self._drop(ent[0])
        return 1


def _sysctl_path(name):
    return "/proc/sys/" + name.replace(".", "/")


def linux_server_main():
    srv = _LinuxServer()
    threading.Thread(target=srv.loop, daemon=True).start()
    out = sys.stdout
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        req = json.loads(line)
        cmd = req["cmd"]
        rep = {"ok": True}
        try:
            if cmd == "listen":
                srv.listen(req["port"], req["mode"])
            elif cmd == "state":
                rep["state"] = _proc_tcp_state(req["family"], req["lport"],
                                               req["rport"])
            elif cmd == "close":
                rep["count"] = srv.close(req["family"], req["rport"])
            elif cmd == "kill":
                rep["count"] = srv.kill(req["family"], req["rport"])
            elif cmd == "run":
                r = subprocess.run(req["argv"], capture_output=True,
                                   text=True, timeout=30)
                rep.update(rc=r.returncode, stdout=r.stdout, stderr=r.stderr)
            elif cmd == "sysctl":
                with open(_sysctl_path(req["name"])) as f:
                    rep["old"] = f.read().strip()
                if req.get("value") is not None:
                    with open(_sysctl_path(req["name"]), "w") as f:
                        f.write(str(req["value"]))
            elif cmd == "quit":
                out.write(json.dumps(rep) + "\n")
                out.flush()
                return
            else:
                rep = {"ok": False, "error": "unknown command " + cmd}
        except Exception as e:     # reported to the client, never fatal
            rep = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        out.write(json.dumps(rep) + "\n")
        out.flush()


if __name__ == "__main__" and sys.argv[1:2] == ["--linux-server"]:
    linux_server_main()
    sys.exit(0)

# Everything below needs scapy.
from scapy.all import (Ether, IP, IPv6, Raw, conf, raw)  # noqa: E402

conf.verb = 0

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)

# TCP flags and their one-letter names, in the order scapy prints them.
FIN, SYN, RST, PSH, ACK, URG, ECE, CWR = 0x01, 0x02, 0x04, 0x08, 0x10, \
    0x20, 0x40, 0x80
FLAG_LETTERS = (("F", FIN), ("S", SYN), ("R", RST), ("P", PSH), ("A", ACK),
                ("U", URG), ("E", ECE), ("C", CWR))

# TCP option kinds
OPT_EOL, OPT_NOP, OPT_MSS, OPT_WS, OPT_SACKOK, OPT_SACK, OPT_TS = \
    0, 1, 2, 3, 4, 5, 8
OPT_NAMES = {OPT_EOL: "EOL", OPT_NOP: "NOP", OPT_MSS: "MSS", OPT_WS: "WS",
             OPT_SACKOK: "SACKOK", OPT_SACK: "SACK", OPT_TS: "TS"}

MOD32 = 1 << 32

# A retransmission is passed over when it left the target this long
# before our answer to the original (beyond the 4 ms of a HZ=250 clock).
RTX_MARGIN = 0.010


def now():
    """Wall clock seconds: the time base of Rx.t (the kernel's receive
    timestamp) and of Flow.log."""
    return time.time()


def flags_int(flags):
    """'SA' -> 0x12; an int is returned as is."""
    if isinstance(flags, int):
        return flags
    v = 0
    for ch in flags:
        for letter, bit in FLAG_LETTERS:
            if ch == letter:
                v |= bit
                break
        else:
            raise ValueError("unknown TCP flag %r" % ch)
    return v


def flags_str(v):
    """0x12 -> 'SA' (canonical order F S R P A U E C); 0 -> '-'."""
    s = "".join(letter for letter, bit in FLAG_LETTERS if v & bit)
    return s or "-"


def seq_add(a, b):
    return (a + b) % MOD32


def seq_diff(a, b):
    """a - b in sequence space, as a signed value."""
    d = (a - b) % MOD32
    return d - MOD32 if d >= 1 << 31 else d


# ---------------------------------------------------------------------------
# Option builders: each returns the option's bytes; concatenate them.
# ---------------------------------------------------------------------------

def MSS(v=1460):
    return struct.pack("!BBH", OPT_MSS, 4, v)


def WS(shift=7):
    return struct.pack("!BBB", OPT_WS, 3, shift)


def SACKOK():
    return struct.pack("!BB", OPT_SACKOK, 2)


def TS(val, ecr=0):
    return struct.pack("!BBII", OPT_TS, 10, val % MOD32, ecr % MOD32)


def NOP():
    return b"\x01"


def EOL():
    return b"\x00"


def pad_opts(b):
    """Pads an option list with EOL to a multiple of 4 octets."""
    return b + b"\x00" * (-len(b) % 4)


def parse_opts(b):
    """Option bytes -> [(kind, value bytes)], EOL and NOP included; a
    malformed tail is returned as (kind, None)."""
    out, i = [], 0
    while i < len(b):
        kind = b[i]
        if kind in (OPT_EOL, OPT_NOP):
            out.append((kind, b""))
            if kind == OPT_EOL:
                break
            i += 1
            continue
        if i + 1 >= len(b) or b[i + 1] < 2 or i + b[i + 1] > len(b):
            out.append((kind, None))
            break
        out.append((kind, b[i + 2:i + b[i + 1]]))
        i += b[i + 1]
    return out


def inet_csum(data):
    if len(data) % 2:
        data += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp_checksum(src, dst, tcp, v6):
    """src, dst: packed addresses; tcp: the header with a zero checksum."""
    if v6:
        pseudo = src + dst + struct.pack("!I3xB", len(tcp), 6)
    else:
        pseudo = src + dst + struct.pack("!xBH", 6, len(tcp))
    return inet_csum(pseudo + tcp)


def tcp_bytes(sport, dport, seq, ack=0, flags="", win=65535, opts=b"",
              data=b"", urp=0, doff=None, reserved=0):
    """A TCP segment with a zero checksum. opts are padded to 4 octets;
    doff overrides the data offset field (malformed headers)."""
    opts = pad_opts(opts)
    if doff is None:
        doff = 5 + len(opts) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq % MOD32, ack % MOD32,
                      (doff << 4) | (reserved & 0xF), flags_int(flags),
                      win, 0, urp)
    return hdr + opts + data


class Rx:
    """A received TCP segment, parsed from the Ethernet frame; t is the
    kernel's receive timestamp (now() time base)."""

    def __init__(self, frame, t):
        self.t = t
        self.frame = frame
        etype = struct.unpack("!H", frame[12:14])[0]
        if etype == 0x0800:
            self.v6 = False
            ihl = (frame[14] & 0x0F) * 4
            tot = struct.unpack("!H", frame[16:18])[0]
            self.src = socket.inet_ntop(socket.AF_INET, frame[26:30])
            self.dst = socket.inet_ntop(socket.AF_INET, frame[30:34])
            self.ttl = frame[22]
            self.df = bool(frame[20] & 0x40)
            tcp = frame[14 + ihl:14 + tot]
        else:
            self.v6 = True
            plen = struct.unpack("!H", frame[18:20])[0]
            self.src = socket.inet_ntop(socket.AF_INET6, frame[22:38])
            self.dst = socket.inet_ntop(socket.AF_INET6, frame[38:54])
            self.ttl = frame[21]
            self.df = True
            tcp = frame[54:54 + plen]
        (self.sport, self.dport, self.seq, self.ack, off, self.flags,
         self.win, self.csum, self.urp) = struct.unpack("!HHIIBBHHH", tcp[:20])
        self.doff = off >> 4
        self.opt_bytes = tcp[20:self.doff * 4]
        self.payload = tcp[self.doff * 4:]
        self.opts = parse_opts(self.opt_bytes)

    @property
    def fl(self):
        return flags_str(self.flags)

    @property
    def key(self):
        """What a retransmission has in common with the original."""
        return (self.flags, self.seq, self.ack, self.payload)

    def has(self, letters):
        return self.flags & flags_int(letters) == flags_int(letters)

    def opt(self, kind):
        for k, v in self.opts:
            if k == kind:
                return v
        return None

    @property
    def kinds(self):
        """Option kinds in order, without NOP and EOL padding."""
        return [k for k, _ in self.opts if k not in (OPT_NOP, OPT_EOL)]

    @property
    def mss(self):
        v = self.opt(OPT_MSS)
        return struct.unpack("!H", v)[0] if v and len(v) == 2 else None

    @property
    def wscale(self):
        v = self.opt(OPT_WS)
        return v[0] if v and len(v) == 1 else None

    @property
    def ts(self):
        v = self.opt(OPT_TS)
        return struct.unpack("!II", v) if v and len(v) == 8 else None

    def __str__(self):
        o = []
        for k, v in self.opts:
            if k in (OPT_NOP, OPT_EOL):
                o.append(OPT_NAMES[k])
            elif k == OPT_MSS and self.mss is not None:
                o.append("MSS=%d" % self.mss)
            elif k == OPT_WS and self.wscale is not None:
                o.append("WS=%d" % self.wscale)
            elif k == OPT_TS and self.ts:
                o.append("TS=%u/%u" % self.ts)
            else:
                o.append("%s" % OPT_NAMES.get(k, "kind%d" % k))
        s = "%s seq=%u ack=%u win=%u" % (self.fl, self.seq, self.ack,
                                         self.win)
        if self.flags & URG or self.urp:
            s += " urp=%u" % self.urp
        if o:
            s += " opts=[%s]" % ",".join(o)
        if self.payload:
            s += " len=%d" % len(self.payload)
        return s


# ---------------------------------------------------------------------------
# Topology
# ---------------------------------------------------------------------------

def host_run(args, check=False, timeout=30):
    """Runs a command in the initial network namespace."""
    return subprocess.run(NSENTER + list(args), capture_output=True,
                          text=True, check=check, timeout=timeout)


class Family:
    """One address family as seen from the peer: our source address (one
    the peer does not own) and the host's address."""

    def __init__(self, v, topo):
        self.v = v
        self.name = "ipv%d" % v
        self.v6 = v == 6
        self.topo = topo
        self.src = topo.fake6 if self.v6 else topo.fake4
        self.dst = topo.host6 if self.v6 else topo.host4
        self.af = socket.AF_INET6 if self.v6 else socket.AF_INET
        # MSS of a 1500 octet MTU route
        self.mss = 1440 if self.v6 else 1460

    def packed(self, addr):
        return socket.inet_pton(self.af, addr)

    def ip(self, src=None, dst=None, **kw):
        if self.v6:
            return IPv6(src=src or self.src, dst=dst or self.dst, nh=6, **kw)
        return IP(src=src or self.src, dst=dst or self.dst, proto=6, **kw)

    def endpoint(self, addr, port):
        """hskctl ENDPOINT syntax."""
        return "[%s]:%d" % (addr, port) if self.v6 else "%s:%d" % (addr, port)

    def __str__(self):
        return self.name


class Topology:
    """The test VM's two namespaces, from /run/hsk-vm.env."""

    fake4 = "198.18.0.3"
    fake6 = "2001:db8::3"

    def __init__(self, path=ENV_PATH):
        env = read_env_file(path)
        self.env = env
        self.host_if = env["HSK_HOST_IF"]
        self.peer_if = env["HSK_PEER_IF"]
        self.host4 = env["HSK_HOST4"]
        self.host6 = env["HSK_HOST6"]
        self.peer4 = env["HSK_PEER4"]
        self.peer6 = env["HSK_PEER6"]
        self.host_mac = env["HSK_HOST_MAC"]
        self.peer_mac = env["HSK_PEER_MAC"]
        self.families = {4: Family(4, self), 6: Family(6, self)}

    def setup(self):
        """Static neighbours for our fake addresses on the host side (its
        replies go to the peer NIC without ARP/ND, and the peer kernel
        drops them silently instead of sending RSTs) and no GRO on the
        peer NIC (we want the segments as sent). Returns error strings."""
        errs = []
        for addr in (self.fake4, self.fake6):
            r = host_run(["ip", "neigh", "replace", addr, "lladdr",
                          self.peer_mac, "dev", self.host_if, "nud",
                          "permanent"])
            if r.returncode:
                errs.append("ip neigh replace %s: %s" % (addr,
                                                         r.stderr.strip()))
        r = subprocess.run(["ethtool", "-k", self.peer_if],
                           capture_output=True, text=True)
        self.gro_was_on = "generic-receive-offload: on" in r.stdout
        r = subprocess.run(["ethtool", "-K", self.peer_if, "gro", "off"],
                           capture_output=True, text=True)
        if r.returncode:
            errs.append("ethtool -K %s gro off: %s" % (self.peer_if,
                                                        r.stderr.strip()))
        return errs

    def teardown(self):
        """Gives the peer NIC its GRO back (the neighbours stay)."""
        if getattr(self, "gro_was_on", False):
            subprocess.run(["ethtool", "-K", self.peer_if, "gro", "on"],
                           capture_output=True)


# ---------------------------------------------------------------------------
# The peer: sending and capturing at layer 2
# ---------------------------------------------------------------------------

class Flow:
    """One 4-tuple from our (fake) address and port to the host. Segments
    the host sends to our port queue up here in arrival order."""

    def __init__(self, peer, fam, sport, dport):
        self.peer = peer
        self.fam = fam
        self.sport = sport
        self.dport = dport
        self.cond = threading.Condition()
        self.q = collections.deque()
        self.log = []           # ("<" | ">", time, text) for diagnostics
        self.seen = {}          # Rx.key -> the first Rx with that key
        self.ts_ref = None      # (TSval, earliest now() that TSval maps to)
        self.sent_at = []       # now() of each segment we sent
        # Segments that repeat an earlier one but left the target before it
        # could have seen our answer to that one (we answered late, e.g.
        # while reading the state under TCG) are retransmissions this flow
        # passes over. Scenarios about retransmission set keep_rtx.
        self.keep_rtx = False
        # The key of the connection's SYN-ACK: its retransmissions (timer
        # driven, or sent before our ACK was processed) are passed over
        # unless keep_rtx.
        self.acked_synack = None

    def _put(self, rx):
        with self.cond:
            self.q.append(rx)
            self.log.append(("<", rx.t, str(rx)))
            self.seen.setdefault(rx.key, rx)
            if rx.ts:
                # The target's TS clock in our time: the least delayed
                # segment gives the closest mapping.
                if self.ts_ref is None:
                    self.ts_ref = (rx.ts[0], rx.t)
                else:
                    t0 = rx.t - seq_diff(rx.ts[0], self.ts_ref[0]) / 1000.0
                    if t0 < self.ts_ref[1]:
                        self.ts_ref = (self.ts_ref[0], t0)
            self.cond.notify_all()

    def _crossed(self, rx):
        """True if rx repeats an earlier segment and was sent before the
        target could have seen our answer to that one."""
        if self.keep_rtx:
            return False
        if rx.key == self.acked_synack:
            return True
        orig = self.seen.get(rx.key)
        if orig is None or orig is rx:
            return False
        react = next((t for t in self.sent_at if t > orig.t), None)
        if react is None or rx.t < react:
            return True
        if rx.ts and self.ts_ref:
            sent = self.ts_ref[1] + \
                seq_diff(rx.ts[0], self.ts_ref[0]) / 1000.0
            return sent < react - RTX_MARGIN
        return False

    def _pop(self):
        """Next queued segment that is not a crossed retransmission (call
        with cond held); None if there is none."""
        while self.q:
            rx = self.q.popleft()
            if not self._crossed(rx):
                return rx
            self.log.append(("=", rx.t, "passed over: retransmission that "
                             "crossed our answer: %s" % rx))
        return None

    def build(self, flags="", seq=0, ack=0, win=65535, opts=b"", data=b"",
              urp=0, doff=None, csum=None, src=None, dst=None, sport=None,
              dport=None, **ipkw):
        """The IP packet (a scapy packet) of one segment. csum overrides
        the computed checksum."""
        seg = tcp_bytes(self.sport if sport is None else sport,
                        self.dport if dport is None else dport,
                        seq, ack, flags, win, opts, data, urp, doff)
        if csum is None:
            csum = tcp_checksum(self.fam.packed(src or self.fam.src),
                                self.fam.packed(dst or self.fam.dst), seg,
                                self.fam.v6)
        seg = seg[:16] + struct.pack("!H", csum) + seg[18:]
        return self.fam.ip(src=src, dst=dst, **ipkw) / Raw(seg)

    def send(self, flags="", seq=0, ack=0, **kw):
        l2 = kw.pop("l2", None)
        pkt = self.build(flags, seq, ack, **kw)
        t = now()
        self.peer.send(pkt, l2)
        self.sent_at.append(t)
        self.log.append((">", t, "%s seq=%u ack=%u%s" % (
            flags_str(flags_int(flags)), seq % MOD32, ack % MOD32,
            " len=%d" % len(kw["data"]) if kw.get("data") else "")))
        return pkt

    def next(self, timeout):
        """The next segment received, or None after timeout seconds."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                rx = self._pop()
                if rx is not None:
                    return rx
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def expect(self, match, timeout):
        """The first segment for which match(rx) is true; segments before
        it are consumed and returned too: (rx | None, [skipped])."""
        deadline = time.monotonic() + timeout
        skipped = []
        while True:
            rx = self.next(max(0.0, deadline - time.monotonic()))
            if rx is None:
                return None, skipped
            if match is None or match(rx):
                return rx, skipped
            skipped.append(rx)

    def quiet(self, timeout):
        """Everything that arrives within timeout seconds (empty: quiet)."""
        time.sleep(timeout)
        return self.drain()

    def drain(self):
        out = []
        with self.cond:
            while True:
                rx = self._pop()
                if rx is None:
                    return out
                out.append(rx)

    def close(self):
        self.peer.unregister(self)

    def transcript(self, t0=None):
        log = sorted(self.log, key=lambda e: e[1])
        t0 = log[0][1] if t0 is None and log else (t0 or 0)
        return ["%s %7.3f %s" % (d, t - t0, s) for d, t, s in log]


class Peer:
    """The test's side of the wire: an AF_PACKET socket on the peer NIC."""

    def __init__(self, topo):
        self.topo = topo
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                  socket.htons(ETH_P_ALL))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.bind((topo.peer_if, 0))
        self.fake4 = socket.inet_pton(socket.AF_INET, topo.fake4)
        self.fake6 = socket.inet_pton(socket.AF_INET6, topo.fake6)
        self.lock = threading.Lock()
        self.flows = {}
        self.stray = collections.deque(maxlen=64)
        self.next_port = random.randrange(20000, 50000)
        self.send_lock = threading.Lock()
        threading.Thread(target=self._reader, daemon=True).start()

    def _port_of(self, d):
        """Our port if the frame is a TCP segment to one of our fake
        addresses (cheap checks before parsing)."""
        if len(d) < 54:
            return None
        etype = d[12:14]
        if etype == b"\x08\x00":
            ihl = (d[14] & 0x0F) * 4
            if d[23] != 6 or d[30:34] != self.fake4:
                return None
            if struct.unpack("!H", d[20:22])[0] & 0x3FFF:
                return None     # a fragment
            off = 14 + ihl
        elif etype == b"\x86\xdd":
            if d[20] != 6 or d[38:54] != self.fake6:
                return None
            off = 54
        else:
            return None
        if len(d) < off + 20:
            return None
        return struct.unpack("!H", d[off + 2:off + 4])[0]

    def _reader(self):
        while True:
            d, anc, _, addr = self.sock.recvmsg(65535, 64)
            if addr[2] == PACKET_OUTGOING:
                continue
            port = self._port_of(d)
            if port is None:
                continue
            # The kernel's receive time: right even when this thread was
            # kept waiting (TCG, a loaded host).
            t = now()
            for level, typ, data in anc:
                if level == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", data[:16])
                    t = sec + nsec / 1e9
            rx = Rx(d, t)
            with self.lock:
                flow = self.flows.get(port)
            if flow:
                flow._put(rx)
            else:
                self.stray.append(rx)

    def send(self, pkt, l2=None):
        """Sends an IP packet (or a whole frame) out of the peer NIC."""
        if not pkt.haslayer(Ether):
            pkt = (l2 or Ether(src=self.topo.peer_mac,
                               dst=self.topo.host_mac)) / pkt
        b = raw(pkt)
        with self.send_lock:
            self.sock.send(b)

    def flow(self, fam, dport, sport=None):
        with self.lock:
            if sport is None:
                while True:
                    sport = self.next_port
                    self.next_port = 20000 + (sport - 20000 + 1) % 40000
                    if sport not in self.flows:
                        break
            f = Flow(self, fam, sport, dport)
            self.flows[sport] = f
        return f

    def unregister(self, flow):
        with self.lock:
            if self.flows.get(flow.sport) is flow:
                del self.flows[flow.sport]

    def handshake(self, fam=None, dport=None, opts=None, data=b"",
                  timeout=3.0, conn=None):
        """Three-way handshake, from a new flow to dport or for a Conn not
        yet opened. Returns the Conn (ISS, IRS, negotiated timestamps,
        the SYN-ACK with its window scale and MSS); raises HandshakeError
        with what came back instead of a SYN-ACK."""
        if conn is None:
            conn = Conn(self.flow(fam, dport), opts=opts)
        flow = conn.flow
        conn.syn(data=data)
        rx = flow.next(timeout)
        if rx is None or rx.flags != SYN | ACK or \
                rx.ack != seq_add(conn.iss, 1):
            raise HandshakeError("SYN to port %d: expected a SYN-ACK with "
                                 "ack=ISS+1, got %s" % (flow.dport, rx or
                                                        "nothing"))
        conn.synack(rx)
        conn.send("A")
        return conn


class HandshakeError(Exception):
    pass


# What Linux offers in a SYN: MSS, SACK permitted, timestamps, window scale.
SYN_OPTS_LINUX = ("mss", "sackok", "ts", "ws")


class Conn:
    """The peer's side of one connection over a Flow.

    opts: the options offered in our SYN: an iterable of "mss", "ws",
    "sackok", "ts", or raw option bytes. Sequence numbers: iss/snd_nxt are
    ours, irs/rcv_nxt the target's; rel_seq() and rel_ack() make them
    relative (the SYN is 0, the first data octet 1)."""

    def __init__(self, flow, opts=None, iss=None, mss=1460, wscale=7):
        self.flow = flow
        self.fam = flow.fam
        self.iss = random.randrange(MOD32) if iss is None else iss
        self.snd_nxt = self.iss
        self.irs = None
        self.rcv_nxt = None
        self.opts = SYN_OPTS_LINUX if opts is None else opts
        self.mss = mss
        self.wscale = wscale
        self.ts_on = False      # timestamps negotiated
        self.ts_recent = 0      # the target's last TSval
        self._ts_base = random.randrange(MOD32)
        self._t0 = time.monotonic()
        self.synack_rx = None
        self.open = False
        self.last_tsval = None  # the TSval of the last segment we sent

    # -- our timestamp clock: 1 ms ticks, never going backwards
    def tsval(self):
        return (self._ts_base + int((time.monotonic() - self._t0) * 1000)) \
            % MOD32

    def syn_opts(self, tsecr=0):
        if isinstance(self.opts, (bytes, bytearray)):
            return bytes(self.opts)
        b = b""
        if "mss" in self.opts:
            b += MSS(self.mss)
        if "sackok" in self.opts:
            b += SACKOK()
        if "ts" in self.opts:
            self.last_tsval = self.tsval()
            b += (b"" if "sackok" in self.opts else NOP() + NOP()) + \
                TS(self.last_tsval, tsecr)
        if "ws" in self.opts:
            b += NOP() + WS(self.wscale)
        return b

    def syn(self, data=b"", flags="S", **kw):
        self.flow.send(flags, self.iss, 0, opts=self.syn_opts(), data=data,
                       **kw)
        self.snd_nxt = seq_add(self.iss, 1)

    def synack(self, rx):
        self.synack_rx = rx
        self.flow.acked_synack = rx.key
        self.irs = rx.seq
        self.rcv_nxt = seq_add(rx.seq, 1)
        self.ts_on = (not isinstance(self.opts, (bytes, bytearray)) and
                      "ts" in self.opts and rx.ts is not None)
        self.absorb(rx)
        self.open = True

    def absorb(self, rx):
        """Takes the target's TSval from a segment for our TSecr."""
        if self.ts_on and rx.ts:
            self.ts_recent = rx.ts[0]

    def seg_opts(self, tsval=None):
        if not self.ts_on:
            return b""
        self.last_tsval = self.tsval() if tsval is None else tsval
        return NOP() + NOP() + TS(self.last_tsval, self.ts_recent)

    def send(self, flags="A", data=b"", seq=None, ack=None, win=65535,
             urp=0, opts=None, tsval=None, advance=None, **kw):
        """Sends one segment; seq/ack default to SND.NXT/RCV.NXT, options
        to the timestamps when negotiated. SND.NXT advances by the segment
        length when seq was not given (advance overrides)."""
        if seq is None:
            seq = self.snd_nxt
            advance = True if advance is None else advance
        if ack is None:
            ack = self.rcv_nxt if self.rcv_nxt is not None else 0
        if opts is None:
            opts = self.seg_opts(tsval)
        f = flags_int(flags)
        pkt = self.flow.send(f, seq, ack, win=win, opts=opts, data=data,
                             urp=urp, **kw)
        if advance:
            self.snd_nxt = seq_add(seq, len(data) + bool(f & SYN) +
                                   bool(f & FIN))
        return pkt

    def next(self, timeout):
        rx = self.flow.next(timeout)
        if rx is not None:
            self.absorb(rx)
        return rx

    def expect(self, match, timeout):
        rx, skipped = self.flow.expect(match, timeout)
        for r in skipped + ([rx] if rx else []):
            self.absorb(r)
        return rx, skipped

    def rel_seq(self, v):
        """The target's sequence number relative to its ISN."""
        return (v - self.irs) % MOD32

    def rel_ack(self, v):
        """An acknowledgment of our sequence space relative to our ISS."""
        return (v - self.iss) % MOD32

    def rst(self):
        """Resets the connection from our side (cleanup)."""
        if self.open:
            self.send("R", advance=False)
            self.open = False


# ---------------------------------------------------------------------------
# Targets: the hsk module or the host stack
# ---------------------------------------------------------------------------

class CtlError(Exception):
    pass


class Unsupported(Exception):
    pass


class Hskctl:
    """hskctl in the initial network namespace: run by the host agent
    when there is one (one exec instead of two), else with nsenter."""

    def __init__(self, path="hskctl", agent=None):
        self.path = path
        self.agent = agent

    def run(self, *args, json_out=False):
        argv = [self.path] + (["-j"] if json_out else []) + \
            [str(a) for a in args]
        if self.agent:
            r = self.agent.call(cmd="run", argv=argv)
            rc, out, err = r["rc"], r["stdout"], r["stderr"]
        else:
            r = host_run(argv)
            rc, out, err = r.returncode, r.stdout, r.stderr
        if rc:
            raise CtlError("hskctl %s: exit %d: %s" % (
                " ".join(str(a) for a in args), rc,
                err.strip() or out.strip()))
        if json_out:
            try:
                return json.loads(out)
            except ValueError as e:
                raise CtlError("hskctl %s: bad JSON (%s): %r" % (
                    " ".join(str(a) for a in args), e, out[:200]))
        return out


class LinuxServer:
    """Client of the host agent in the initial namespace: the echo/discard
    server of the Linux targets, their state (/proc/net/tcp{,6}) and
    sysctls, and commands such as hskctl."""

    def __init__(self, python="/usr/bin/python3"):
        self.proc = subprocess.Popen(
            NSENTER + [python, os.path.abspath(__file__), "--linux-server"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            bufsize=1)
        self.lock = threading.Lock()
        line = self.proc.stdout.readline()
        if not line or not json.loads(line).get("ready"):
            raise CtlError("the Linux server did not start")

    def call(self, **req):
        with self.lock:
            self.proc.stdin.write(json.dumps(req) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        if not line:
            raise CtlError("the Linux server died")
        rep = json.loads(line)
        if not rep.get("ok"):
            raise CtlError("Linux server: %s" % rep.get("error"))
        return rep

    def stop(self):
        try:
            self.call(cmd="quit")
        except (CtlError, OSError, ValueError):
            pass
        self.proc.wait(timeout=5)


# hskctl config keys and the Linux sysctls that mean the same
LINUX_SYSCTLS = {
    "synack_retries": "net.ipv4.tcp_synack_retries",
}


class Target:
    """One listener under test: Target.hsk(port, mode) or
    Target.linux(port, mode)."""

    def __init__(self, kind, port, mode, ctl=None, server=None):
        self.kind = kind
        self.port = port
        self.mode = mode
        self.ctl = ctl
        self.server = server

    @classmethod
    def hsk(cls, port, mode, ctl=None):
        return cls("hsk", port, mode, ctl=ctl or Hskctl())

    @classmethod
    def linux(cls, port, mode, server=None):
        if mode not in ("echo", "discard"):
            raise Unsupported("the host stack has no %s mode" % mode)
        return cls("linux", port, mode, server=server)

    @property
    def is_hsk(self):
        return self.kind == "hsk"

    def setup(self, backlog=None):
        if self.is_hsk:
            self.ctl.run("listen", "add", self.port, "mode", self.mode,
                         *(["backlog", backlog] if backlog else []))
        else:
            self.server.call(cmd="listen", port=self.port, mode=self.mode)

    def __str__(self):
        return "%s:%d/%s" % (self.kind, self.port, self.mode)

    # -- connection state
    def conn_info(self, conn):
        """hsk: the conn show -j object of the connection (None if there is
        none); linux: {"state": ...} from /proc/net/tcp{,6}."""
        fam = conn.fam
        if self.is_hsk:
            lst = self.ctl.run("conn", "show", "local", conn.flow.dport,
                               "remote", fam.endpoint(fam.src,
                                                      conn.flow.sport),
                               json_out=True)
            for c in lst:
                if (c.get("remote_port") == conn.flow.sport and
                        c.get("local_port") == conn.flow.dport):
                    return c
            return None
        st = self.server.call(cmd="state", family=fam.v,
                              lport=conn.flow.dport,
                              rport=conn.flow.sport)["state"]
        return {"state": st} if st else None

    def state(self, conn):
        info = self.conn_info(conn)
        return info["state"] if info else None

    def close(self, conn):
        """Graceful close of the connection from the target's side."""
        if self.is_hsk:
            self.ctl.run("conn", "close", "local", conn.flow.dport, "remote",
                         conn.fam.endpoint(conn.fam.src, conn.flow.sport))
        elif not self.server.call(cmd="close", family=conn.fam.v,
                                  rport=conn.flow.sport)["count"]:
            raise CtlError("the Linux server has no connection from port %d"
                           % conn.flow.sport)

    def kill(self, conn):
        """Abort (RST) of the connection from the target's side."""
        if self.is_hsk:
            self.ctl.run("conn", "kill", "local", conn.flow.dport, "remote",
                         conn.fam.endpoint(conn.fam.src, conn.flow.sport))
        elif not self.server.call(cmd="kill", family=conn.fam.v,
                                  rport=conn.flow.sport)["count"]:
            raise CtlError("the Linux server has no connection from port %d"
                           % conn.flow.sport)

    # -- counters and settings
    def stats(self):
        """hsk counters (dict); None for the host stack."""
        if not self.is_hsk:
            return None
        return self.ctl.run("stats", json_out=True)

    def config_set(self, key, value):
        """Sets an hsk setting, or the equivalent Linux sysctl; returns the
        value to restore (Linux: the old sysctl value, hsk: None)."""
        if self.is_hsk:
            self.ctl.run("config", "set", key, value)
            return None
        if key not in LINUX_SYSCTLS:
            raise Unsupported("no Linux equivalent of %s" % key)
        return self.server.call(cmd="sysctl", name=LINUX_SYSCTLS[key],
                                value=value)["old"]
