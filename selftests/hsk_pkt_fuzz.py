#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""hsk_pkt_fuzz: a packet fuzzer for the hsk TCP endpoint, with accounting.

Started by hsk_pkt_fuzz.sh in the initial network namespace of the test VM
(see selftests/vm/README.rst), where hsk runs. Frames are sent at layer 2
from an AF_PACKET socket created in the "peer" namespace, from addresses
the peer does not own (198.18.0.3, 2001:db8::3): static neighbours on the
host point them at the peer's MAC, so hsk's replies reach the peer's NIC and
its kernel drops them (no forwarding, no RST back).

Phases, each one KTAP case or more:

1. Listeners of every mode (echo, discard, tarpit), IPv4 and IPv6, exact,
   wildcard and both-families, plus ports without a listener.
2. IPv6 fragment canary: one complete fragmented segment tells whether
   IPv6 fragments are reassembled before LOCAL_IN (nf_defrag_ipv6 active)
   or reach hsk as fragments, so that the expected counts are exact.
3. SYN phase: unique valid SYNs against a small backlog and max_conns:
   syn_recv and conn_limit must add up to the SYNs sent, split as the
   limits say; synack_sent counts first transmissions only (hsk.h); a
   listen flush then resets every one of the half-open connections.
4. Handshakes: SYNs, the SYN-ACKs read on the peer's NIC, the ACKs: every
   one counted in established. Their 4-tuples get fuzz segments later.
5. The fuzz: at least 100 000 frames, prebuilt (byte by byte with struct,
   for speed under TCG; scapy builds a reference for a sample of them,
   which must be identical), then sent with back-pressure from the host
   NIC's receive counter: every TCP flag combination, data offsets 0..15
   including past the end of the segment, truncated and malformed options
   (lengths 0/1, past the end, wrong MSS/WS/SACK-permitted/SACK/TS
   lengths), random sequence/ack/window/urgent pointer and payloads, bad
   checksums, truncated TCP headers, IPv4 options, IPv6 extension headers,
   IPv4 and IPv6 fragments (complete, incomplete, atomic, tiny first
   fragments), broadcast and multicast destinations, segments for ports
   and addresses without a listener, valid SYNs and segments for the
   established connections.
6. Accounting: an oracle that follows kmod/input.c and hsk_parse_header()
   says, for every frame, whether hsk takes it (segs_in) and whether it is
   dropped as malformed (malformed: a header or option error, a fragment,
   a broadcast or multicast destination) or for its checksum
   (csum_errors). The deltas of "hskctl stats -j" must match exactly, or
   fall short by at most what the NICs and the IP layer provably dropped
   (ip -s link on both sides, /proc/net/softnet_stat, /proc/net/snmp,
   /proc/net/snmp6); every figure is printed.
7. Afterwards hsk still works (a real Linux client gets its data echoed,
   IPv4 and IPv6) and the kernel log has no warning.

Options: --seed N (or HSK_PKT_FUZZ_SEED) replays a run, --count N sets the
number of fuzz frames (default 100000), --trace N checks the counters after
each of the first N fuzz frames (slow; to find the frame an accounting
difference comes from).

Only /usr/bin/python3 with Debian's python3-scapy is supported.
"""

import argparse
import collections
import ctypes
import errno
import json
import os
import random
import re
import socket
import struct
import subprocess
import sys
import time
import traceback

from hsk_lib import ENV, KTAP

NETNS_DIR = "/var/run/netns"
CLONE_NEWNET = 0x40000000
ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
PACKET_OUTGOING = 4

SPOOF4 = "198.18.0.3"
SPOOF6 = "2001:db8::3"
BCAST4 = "198.18.0.255"
LBCAST4 = "255.255.255.255"
MCAST4 = "224.0.0.1"
MCAST6 = "ff02::1"
MAC_BCAST = b"\xff" * 6
MAC_MCAST4 = bytes.fromhex("01005e000001")
MAC_MCAST6 = bytes.fromhex("333300000001")

# Listeners of the fuzz: every mode, both families, each kind of address.
P_ANY = 7001     # AF_UNSPEC, echo
P_WILD = 7002    # 0.0.0.0 and [::], discard
P_EXACT = 7003   # the host's addresses, tarpit
P_V4 = 7004      # the host's IPv4 address only, echo: IPv6 finds no listener
P_NONE = 7005    # no listener at all
P_SYN4 = 7010    # SYN phase, IPv4 wildcard
P_SYN6 = 7011    # SYN phase, IPv6 wildcard
P_ECHO = 7020    # a fresh echo listener for the final check
FUZZ_PORTS = (P_ANY, P_WILD, P_EXACT, P_V4)

SYN_BACKLOG = 32
SYN_MAX_CONNS = 48     # above what is active: less than two backlogs
SYN_PER_FAMILY = 100
HANDSHAKES = 16        # per family and fuzz listener

TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK, TCP_URG = 1, 2, 4, 8, 16, 32

# Kernel log lines that mean trouble (a subset of the VM runner's list).
BAD_LOG = re.compile(r"WARNING:|BUG:|Oops|KASAN|UBSAN|general protection|"
                     r"Call Trace|RCU stall|hung_task|Kernel panic|"
                     r"list_(add|del) corruption|refcount_t:")


class Abort(Exception):
    """A step the rest of the test cannot do without failed."""


# ---------------------------------------------------------------------------
# Environment, namespaces, the host's tools
# ---------------------------------------------------------------------------

LIBC = ctypes.CDLL(None, use_errno=True)


class NetNs:
    """Runs a callable in another network namespace (this thread only)."""

    def __init__(self, name):
        self.path = os.path.join(NETNS_DIR, name)

    def call(self, fn, *args):
        own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        other = os.open(self.path, os.O_RDONLY)
        try:
            if LIBC.setns(other, CLONE_NEWNET):
                raise OSError(ctypes.get_errno(), "setns " + self.path)
            try:
                return fn(*args)
            finally:
                if LIBC.setns(own, CLONE_NEWNET):
                    raise OSError(ctypes.get_errno(), "setns back")
        finally:
            os.close(own)
            os.close(other)


def run(args, check=True, timeout=60):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=timeout)
    if check and p.returncode:
        raise Abort("'%s' exited %d: %s" % (" ".join(args), p.returncode,
                                             p.stderr.strip()))
    return p


def hskctl(*args):
    return run(["hskctl"] + [str(a) for a in args]).stdout


def stats():
    return json.loads(hskctl("stats", "-j"))


def config():
    return json.loads(hskctl("config", "show", "-j"))


def delta(after, before):
    return {k: after[k] - before.get(k, 0) for k in after
            if isinstance(after[k], int)}


def wait_stats(cond, timeout):
    """Reads the counters until cond(counters) holds or timeout passes."""
    end = time.monotonic() + timeout
    while True:
        s = stats()
        if cond(s) or time.monotonic() > end:
            return s
        time.sleep(0.2)


def settle():
    """Waits until segs_in stops moving: every frame has been handled."""
    last = stats()
    while True:
        time.sleep(0.5)
        s = stats()
        if s["segs_in"] == last["segs_in"]:
            return s
        last = s


def read_int(path):
    with open(path) as f:
        return int(f.read())


class Link:
    """NIC counters: the host's from sysfs, the peer's through ip -n."""

    FIELDS = ("rx_packets", "rx_dropped", "rx_errors", "rx_missed_errors",
              "rx_over_errors", "rx_fifo_errors", "tx_packets", "tx_dropped",
              "tx_errors")

    @staticmethod
    def host(ifname):
        base = "/sys/class/net/%s/statistics/" % ifname
        return {k: read_int(base + k) for k in Link.FIELDS}

    @staticmethod
    def peer(ns, ifname):
        j = json.loads(run(["ip", "-n", ns, "-s", "-s", "-j", "link", "show",
                            "dev", ifname]).stdout)[0]["stats64"]
        rx, tx = j["rx"], j["tx"]
        return {"rx_packets": rx["packets"], "rx_dropped": rx["dropped"],
                "rx_errors": rx["errors"],
                "rx_missed_errors": rx.get("missed_errors", 0),
                "rx_over_errors": rx.get("over_errors", 0),
                "rx_fifo_errors": rx.get("fifo_errors", 0),
                "tx_packets": tx["packets"], "tx_dropped": tx["dropped"],
                "tx_errors": tx["errors"]}

    @staticmethod
    def qdisc_drops(ns, ifname):
        out = run(["ip", "netns", "exec", ns, "tc", "-s", "qdisc", "show",
                   "dev", ifname], check=False).stdout
        return sum(int(m) for m in re.findall(r"dropped (\d+)", out))


def softnet_drops():
    total = 0
    with open("/proc/net/softnet_stat") as f:
        for line in f:
            total += int(line.split()[1], 16)
    return total


def snmp():
    """Ip, Tcp, IpExt counters of /proc/net/snmp and netstat, and the Ip6
    ones of snmp6."""
    res = {}
    for path in ("/proc/net/snmp", "/proc/net/netstat"):
        with open(path) as f:
            lines = f.read().splitlines()
        for a, b in zip(lines[::2], lines[1::2]):
            ka, kb = a.split(), b.split()
            if ka[0] in ("Ip:", "Tcp:", "IpExt:"):
                for k, v in zip(ka[1:], kb[1:]):
                    res[ka[0][:-1] + k] = int(v)
    with open("/proc/net/snmp6") as f:
        for line in f:
            k, v = line.split()
            if k.startswith("Ip6"):
                res[k] = int(v)
    return res


def frag_memory():
    out = []
    for path in ("/proc/net/sockstat", "/proc/net/sockstat6"):
        with open(path) as f:
            out += [ln.strip() for ln in f if ln.startswith("FRAG")]
    return "; ".join(out)


def dmesg_lines():
    return run(["dmesg"], check=False).stdout.splitlines()


# ---------------------------------------------------------------------------
# Building frames, fast: struct, no per-frame objects
# ---------------------------------------------------------------------------

def ocsum(data):
    """The folded ones' complement sum of 16-bit words: as 2^16 = 1 modulo
    0xffff, it is the number the bytes spell modulo 0xffff (0xffff, not
    0, for a nonzero multiple). One big-integer operation: fast."""
    if len(data) & 1:
        data += b"\0"
    n = int.from_bytes(data, "big")
    r = n % 0xFFFF
    return r if r or not n else 0xFFFF


def pseudo(fam, src, dst, length):
    if fam == 4:
        return src + dst + struct.pack("!BBH", 0, 6, length)
    return src + dst + struct.pack("!I3xB", length, 6)


def csum_ok(fam, src, dst, l4):
    """What the kernel's check concludes (a sum of 0xffff is valid)."""
    return ocsum(pseudo(fam, src, dst, len(l4)) + l4) == 0xFFFF


def with_csum2(fam, src, dst, l4, bad=0):
    """The segment with its checksum filled in, XORed with @bad, and
    whether that checksum is still right (0 and 0xffff are the same)."""
    if len(l4) < 18:
        return l4, csum_ok(fam, src, dst, l4)
    z = l4[:16] + b"\0\0" + l4[18:]
    c = ~ocsum(pseudo(fam, src, dst, len(z)) + z) & 0xFFFF
    f = c ^ bad
    return z[:16] + struct.pack("!H", f) + z[18:], \
        f == c or (f in (0, 0xFFFF) and c in (0, 0xFFFF))


def with_csum(fam, src, dst, l4, bad=0):
    return with_csum2(fam, src, dst, l4, bad)[0]


def tcp(sport, dport, seq, ack, flags, win=65535, urp=0, opts=b"", data=b"",
        doff=None, resv=0):
    if doff is None:
        doff = (20 + len(opts) + 3) // 4
        opts += b"\x01" * (doff * 4 - 20 - len(opts))
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                       ack & 0xFFFFFFFF, (doff << 4) | resv, flags & 0xFF,
                       win, 0, urp) + opts + data


def ip4(src, dst, l4, ident, frag=0, opts=b"", ttl=64):
    ihl = 5 + len(opts) // 4
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(l4), ident,
                    frag, ttl, 6, 0, src, dst) + opts
    c = ~ocsum(h) & 0xFFFF
    return h[:10] + struct.pack("!H", c) + h[12:] + l4


def ip6(src, dst, nh, payload):
    return struct.pack("!IHBB", 0x60000000, len(payload), nh, 64) + src + \
        dst + payload


def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


# TCP options
def o_mss(v=1460):
    return b"\x02\x04" + struct.pack("!H", v)


def o_ws(s=7):
    return bytes((3, 3, s))


def o_sackp():
    return b"\x04\x02"


def o_sack(blocks):
    return bytes((5, 2 + 8 * len(blocks))) + b"".join(
        struct.pack("!II", a & 0xFFFFFFFF, b & 0xFFFFFFFF) for a, b in blocks)


def o_ts(val, ecr=0):
    return b"\x08\x0a" + struct.pack("!II", val & 0xFFFFFFFF, ecr & 0xFFFFFFFF)


# ---------------------------------------------------------------------------
# The oracle: what kmod/input.c and hsk_parse_header() do with a segment
# ---------------------------------------------------------------------------

OPT_LEN = {2: (4,), 3: (3,), 4: (2,), 5: (10, 18, 26, 34), 8: (10,)}


def options_ok(opt):
    """hsk_parse_options()"""
    i, n = 0, len(opt)
    while i < n:
        kind = opt[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if n - i < 2:
            return False
        olen = opt[i + 1]
        if olen < 2 or olen > n - i or (kind in OPT_LEN and
                                         olen not in OPT_LEN[kind]):
            return False
        i += olen
    return True


def header_ok(l4):
    """hsk_parse_header() on what input.c hands it (at most 60 octets)."""
    seg_len = len(l4)
    avail = min(seg_len, 60)
    if avail < 20:
        return False
    hlen = (l4[12] >> 4) * 4
    if hlen < 20 or hlen > seg_len or hlen > avail:
        return False
    return options_ok(l4[20:hlen])


class Listeners:
    """The listener table, and hsk_listener_lookup() over it."""

    def __init__(self):
        self.entries = []   # (family 0/4/6, packed address or None, port)

    def add(self, family, addr, port):
        self.entries.append((family, addr, port))

    def clear(self):
        self.entries = []

    def lookup(self, fam, daddr, port):
        best, best_score = None, 0
        for e in self.entries:
            family, addr, p = e
            if p != port:
                continue
            if family == 0:
                score = 1
            elif family != fam:
                continue
            elif addr == daddr:
                score = 3
            elif addr == bytes(len(daddr)):
                score = 2
            else:
                continue
            if score > best_score:
                best, best_score = e, score
        return best


# Outcomes of a frame at LOCAL_IN
TAKEN_OK, TAKEN_CSUM, TAKEN_MAL = "ok", "csum", "malformed"


def verdict(table, fam, saddr, daddr, l4, frag=False, unicast=True,
            csum_valid=None):
    """hsk_input_skb(): None if the segment is not taken for a listener."""
    if len(l4) < 20:                 # skb_header_pointer() of the header
        return None
    dport = (l4[2] << 8) | l4[3]
    if not table.lookup(fam, daddr, dport):
        return None
    if frag or not unicast:
        return TAKEN_MAL
    if csum_valid is None:
        csum_valid = csum_ok(fam, saddr, daddr, l4)
    if not csum_valid:
        return TAKEN_CSUM
    if not header_ok(l4):
        return TAKEN_MAL
    return TAKEN_OK


# ---------------------------------------------------------------------------
# The peer: raw sockets in the peer namespace
# ---------------------------------------------------------------------------

class Topo:
    def __init__(self):
        self.ns = ENV["HSK_PEER_NS"]
        self.host_if = ENV["HSK_HOST_IF"]
        self.peer_if = ENV["HSK_PEER_IF"]
        self.host_mac = bytes.fromhex(ENV["HSK_HOST_MAC"].replace(":", ""))
        self.peer_mac = bytes.fromhex(ENV["HSK_PEER_MAC"].replace(":", ""))
        self.host4 = socket.inet_pton(socket.AF_INET, ENV["HSK_HOST4"])
        self.host6 = socket.inet_pton(socket.AF_INET6, ENV["HSK_HOST6"])
        self.spoof4 = socket.inet_pton(socket.AF_INET, SPOOF4)
        self.spoof6 = socket.inet_pton(socket.AF_INET6, SPOOF6)
        self.netns = NetNs(self.ns)

    def host(self, fam):
        return self.host4 if fam == 4 else self.host6

    def spoof(self, fam):
        return self.spoof4 if fam == 4 else self.spoof6

    def raw_socket(self):
        def make():
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                              socket.htons(ETH_P_ALL))
            s.bind((self.peer_if, 0))
            return s
        return self.netns.call(make)

    def frame(self, fam, l4, dst=None, dst_mac=None, ident=0, ip_opts=b""):
        """A complete frame from the spoofed address to @dst (the host)."""
        dst = dst or self.host(fam)
        if fam == 4:
            return eth(dst_mac or self.host_mac, self.peer_mac, ETH_P_IP,
                       ip4(self.spoof4, dst, l4, ident, opts=ip_opts))
        return eth(dst_mac or self.host_mac, self.peer_mac, ETH_P_IPV6,
                   ip6(self.spoof6, dst, 6, l4))


class Sender:
    """Sends frames from the peer's NIC, never faster than the host takes
    them: at most WINDOW frames beyond the host NIC's receive counter."""

    WINDOW = 256

    def __init__(self, topo):
        self.topo = topo
        self.sock = topo.raw_socket()
        self.rx_path = "/sys/class/net/%s/statistics/rx_packets" % topo.host_if
        self.retries = 0
        self.stalls = 0

    def host_rx(self):
        return read_int(self.rx_path)

    def send(self, frames, progress=None):
        send = self.sock.send
        rx0 = self.host_rx()
        sent = 0
        for f in frames:
            while True:
                try:
                    send(f)
                    break
                except OSError as e:
                    if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                        raise
                    self.retries += 1
                    time.sleep(0.002)
            sent += 1
            if sent & 63 == 0:
                end = time.monotonic() + 5
                while sent - (self.host_rx() - rx0) > self.WINDOW:
                    if time.monotonic() > end:
                        self.stalls += 1
                        break
                    time.sleep(0.001)
                if progress and sent % 20000 == 0:
                    progress(sent)
        end = time.monotonic() + 30
        while self.host_rx() - rx0 < sent and time.monotonic() < end:
            time.sleep(0.05)
        return sent


# ---------------------------------------------------------------------------
# The fuzz frames
# ---------------------------------------------------------------------------

class FastRandom(random.Random):
    """random.Random with a cheaper randrange() and randbytes() (slices of
    a random pool): building 100 000 frames under TCG takes long enough."""

    def __init__(self, seed):
        super().__init__(seed)
        self.pool = super().randbytes(1 << 16)

    def randrange(self, a, b=None):  # pylint: disable=arguments-differ
        if b is None:
            a, b = 0, a
        return a + int(self.random() * (b - a))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randbytes(self, n):
        if n <= 0:
            return b""
        off = int(self.random() * ((1 << 16) - n))
        return self.pool[off:off + n]


class Frame:
    __slots__ = ("data", "cat", "verdict")

    def __init__(self, data, cat, v):
        self.data = data
        self.cat = cat
        self.verdict = v


class Conn:
    """An established connection of the handshake phase."""

    def __init__(self, fam, sport, dport, isn, iss, ts):
        self.fam = fam
        self.sport = sport
        self.dport = dport
        self.snd_nxt = isn + 1      # ours
        self.rcv_nxt = iss + 1      # hsk's
        self.ts = ts                # (tsval, tsecr) base or None


class Fuzz:
    """Builds the fuzz frames and what hsk must count for each."""

    def __init__(self, topo, table, rnd, v6_defrag, conns):
        self.t = topo
        self.table = table
        self.r = rnd
        self.v6_defrag = v6_defrag
        self.conns = conns
        self.frames = []
        self.ident4 = 1
        self.ident6 = 1
        self.flag_cycle = 0
        self.doff_cycle = 0
        self.incomplete4 = 0
        self.incomplete6 = 0
        self.ip6_hdr_errors = 0     # tiny first IPv6 fragments, expected
        self.reasm4_ok = 0          # complete IPv4 sets
        self.reasm4_reqds = 0       # IPv4 fragments sent

    # -- helpers ----------------------------------------------------------

    def fam(self):
        return 4 if self.r.random() < 0.5 else 6

    def port(self):
        r = self.r.random()
        if r < 0.92:
            return self.r.choice(FUZZ_PORTS)
        return P_NONE

    def sport(self):
        return self.r.randrange(1024, 65536)

    def u32(self):
        return self.r.getrandbits(32)

    def payload(self, maxlen=64):
        n = self.r.choice((0, 0, 0, 1, 8, self.r.randrange(maxlen + 1)))
        return self.r.randbytes(n)

    def valid_opts(self, syn=False):
        r = self.r
        parts = []
        if syn or r.random() < 0.3:
            if r.random() < 0.7:
                parts.append(o_mss(r.choice((536, 1460, 0, 65535, 1))))
            if r.random() < 0.5:
                parts.append(o_ws(r.choice((0, 7, 14, 15, 255))))
            if r.random() < 0.5:
                parts.append(o_sackp())
        if r.random() < 0.4:
            parts.append(o_ts(self.u32(), self.u32()))
        if not syn and r.random() < 0.15:
            parts.append(o_sack([(self.u32(), self.u32())
                                 for _ in range(r.randrange(1, 4))]))
        r.shuffle(parts)
        opts = b"".join(parts)
        if len(opts) > 40:
            opts = opts[:40]         # may cut an option: the oracle judges
        return opts

    def bad_opts(self):
        """A malformed option list (or an odd but valid one)."""
        r = self.r
        k = r.choice((2, 3, 4, 5, 8, 30, 254))
        choices = (
            lambda: bytes((k, 0)) + r.randbytes(r.randrange(6)),
            lambda: bytes((k, 1)) + r.randbytes(r.randrange(6)),
            lambda: bytes((k, r.randrange(12, 256))) + r.randbytes(4),
            lambda: b"\x01" * r.randrange(4) + bytes((k,)),        # no length
            lambda: bytes((2, r.choice((2, 3, 5, 6)))) + r.randbytes(4),
            lambda: bytes((3, r.choice((2, 4, 5)))) + r.randbytes(3),
            lambda: bytes((4, r.choice((3, 4, 6)))) + r.randbytes(4),
            lambda: bytes((5, r.choice((2, 8, 9, 11, 12, 17, 19, 33)))) +
            r.randbytes(32),
            lambda: bytes((8, r.choice((2, 8, 9, 11, 12)))) + r.randbytes(10),
            # valid, but odd: unknown kind, EOL then garbage, repeats
            lambda: bytes((30, r.randrange(2, 12))) + r.randbytes(10),
            lambda: b"\x00" + r.randbytes(r.randrange(12)),
            lambda: o_mss(0) + o_mss(1460) + o_ws(200),
            lambda: o_sack([(self.u32(), self.u32()) for _ in range(4)]),
            lambda: r.randbytes(r.randrange(1, 41)),
        )
        opts = r.choice(choices)()
        if r.random() < 0.3:
            opts = self.valid_opts() + opts
        return opts[:40]

    def add(self, fam, l4, cat, dst=None, dst_mac=None, unicast=True,
            bad_csum=False, ip_opts=b""):
        """One unfragmented frame; l4's checksum is filled in here."""
        t = self.t
        dst = dst or t.host(fam)
        src = t.spoof(fam)
        bad = self.r.randrange(1, 0x10000) if bad_csum else 0
        l4, ok = with_csum2(fam, src, dst, l4, bad)
        ident = self.r.randrange(1, 0x10000)
        f = t.frame(fam, l4, dst=dst, dst_mac=dst_mac, ident=ident,
                    ip_opts=ip_opts)
        self.frames.append(Frame(f, cat, verdict(self.table, fam, src, dst,
                                                 l4, unicast=unicast,
                                                 csum_valid=ok)))

    # -- categories -------------------------------------------------------

    def c_syn(self):
        fam = self.fam()
        l4 = tcp(self.sport(), self.r.choice(FUZZ_PORTS), self.u32(), 0,
                 TCP_SYN | self.r.choice((0, 0, 0, TCP_PSH, 0x40, 0x80)),
                 win=self.r.randrange(65536), opts=self.valid_opts(syn=True))
        self.add(fam, l4, "valid SYN")

    def c_flags(self):
        r = self.r
        flags = self.flag_cycle & 0xFF
        self.flag_cycle += 1
        if self.conns and r.random() < 0.5:
            c = r.choice(self.conns)
            fam, sport, dport = c.fam, c.sport, c.dport
            seq = c.snd_nxt + r.randrange(-70000, 70000)
            ack = c.rcv_nxt + r.randrange(-70000, 70000)
        else:
            fam, sport, dport = self.fam(), self.sport(), self.port()
            seq, ack = self.u32(), self.u32()
        l4 = tcp(sport, dport, seq, ack, flags, win=r.randrange(65536),
                 urp=r.randrange(65536), opts=self.valid_opts(),
                 data=self.payload(), resv=r.randrange(16))
        self.add(fam, l4, "flag combinations")

    def c_doff(self):
        r = self.r
        doff = self.doff_cycle & 15
        self.doff_cycle += 1
        fam = self.fam()
        area = max(0, doff * 4 - 20)
        kind = r.randrange(3)
        if kind == 0:
            opts = b"\x01" * area
        elif kind == 1:
            opts = self.valid_opts()[:area]
            opts += b"\x00" * (area - len(opts))
        else:
            opts = r.randbytes(area)
        hdr = tcp(self.sport(), self.port(), self.u32(), self.u32(),
                  r.randrange(256), win=r.randrange(65536), opts=opts,
                  doff=doff)
        data = self.payload()
        l4 = hdr + data
        if r.random() < 0.4:
            # the data offset points past the end of the segment
            l4 = l4[:r.randrange(20, max(21, len(hdr)))]
        self.add(fam, l4, "data offsets")

    def c_opts(self):
        r = self.r
        fam = self.fam()
        flags = r.choice((TCP_SYN, TCP_ACK, TCP_ACK | TCP_PSH, TCP_SYN,
                          r.randrange(256)))
        if self.conns and r.random() < 0.3:
            c = r.choice(self.conns)
            l4 = tcp(c.sport, c.dport, c.snd_nxt, c.rcv_nxt, flags,
                     opts=self.bad_opts(), data=self.payload())
            fam = c.fam
        else:
            l4 = tcp(self.sport(), self.port(), self.u32(), self.u32(), flags,
                     win=r.randrange(65536), opts=self.bad_opts(),
                     data=self.payload())
        self.add(fam, l4, "options")

    def c_csum(self):
        r = self.r
        fam = self.fam()
        opts = self.valid_opts() if r.random() < 0.7 else self.bad_opts()
        l4 = tcp(self.sport(), self.port(), self.u32(), self.u32(),
                 r.randrange(256), win=r.randrange(65536), opts=opts,
                 data=self.payload())
        self.add(fam, l4, "bad checksums", bad_csum=True)

    def c_short(self):
        r = self.r
        fam = self.fam()
        l4 = tcp(self.sport(), self.port(), self.u32(), self.u32(),
                 r.randrange(256))[:r.randrange(0, 20)]
        self.add(fam, l4, "truncated TCP headers")

    def c_random(self):
        r = self.r
        fam = self.fam()
        l4 = struct.pack("!HH", self.sport(), self.port()) + \
            r.randbytes(r.randrange(16, 80))
        self.add(fam, l4, "random headers", bad_csum=r.random() < 0.3)

    def c_estab(self):
        r = self.r
        if not self.conns:
            return self.c_flags()
        c = r.choice(self.conns)
        flags = r.choice((TCP_ACK, TCP_ACK | TCP_PSH, TCP_ACK | TCP_FIN,
                          TCP_ACK | TCP_URG | TCP_PSH, TCP_RST,
                          TCP_RST | TCP_ACK, TCP_SYN, TCP_ACK | TCP_SYN,
                          r.randrange(256)))
        seq = c.snd_nxt + r.choice((0, 0, r.randrange(-3000, 3000),
                                    r.randrange(-(1 << 31), 1 << 31)))
        ack = c.rcv_nxt + r.choice((0, 0, r.randrange(-3, 3),
                                    r.randrange(-(1 << 31), 1 << 31)))
        opts = b""
        if c.ts and r.random() < 0.85:
            opts = o_ts(c.ts[0] + r.randrange(-10, 1000),
                        c.ts[1] + r.choice((0, r.randrange(-5, 5))))
        if r.random() < 0.2:
            opts += o_sack([(c.rcv_nxt + r.randrange(-100, 100),
                             c.rcv_nxt + r.randrange(100, 3000))])
        if r.random() < 0.1:
            opts += self.bad_opts()
        l4 = tcp(c.sport, c.dport, seq, ack, flags, win=r.randrange(65536),
                 urp=r.choice((0, 0, 1, r.randrange(65536))),
                 opts=opts[:40], data=self.payload(400))
        self.add(c.fam, l4, "established connections",
                 bad_csum=r.random() < 0.05)

    def c_ip4opt(self):
        r = self.r
        n = r.randrange(1, 11)
        ip_opts = b"\x01" * (4 * n - 1) + r.choice((b"\x01", b"\x00"))
        l4 = tcp(self.sport(), self.port(), self.u32(), self.u32(),
                 r.randrange(256), opts=self.valid_opts(), data=self.payload())
        self.add(4, l4, "IPv4 options", ip_opts=ip_opts,
                 bad_csum=r.random() < 0.2)

    def c_ext6(self):
        r = self.r
        t = self.t
        l4 = tcp(self.sport(), self.port(), self.u32(), self.u32(),
                 r.randrange(256), opts=self.valid_opts(), data=self.payload())
        l4 = with_csum(6, t.spoof6, t.host6, l4,
                       r.randrange(1, 0x10000) if r.random() < 0.2 else 0)
        ext = bytes((6, 0, 1, 4, 0, 0, 0, 0))   # PadN: 8 octets
        nh = r.choice((0, 60))                   # hop-by-hop or destination
        if r.random() < 0.3 and nh == 0:
            ext = bytes((60, 0, 1, 4, 0, 0, 0, 0)) + ext
        f = eth(t.host_mac, t.peer_mac, ETH_P_IPV6,
                ip6(t.spoof6, t.host6, nh, ext + l4))
        self.frames.append(Frame(f, "IPv6 extension headers",
                                 verdict(self.table, 6, t.spoof6, t.host6,
                                         l4)))

    def c_bcast(self):
        r = self.r
        t = self.t
        fam = self.fam()
        port = r.choice((P_ANY, P_WILD, P_EXACT, P_NONE))
        l4 = tcp(self.sport(), port, self.u32(), 0, TCP_SYN,
                 opts=self.valid_opts(syn=True))
        if fam == 4:
            dst, mac = r.choice(((BCAST4, MAC_BCAST), (BCAST4, t.host_mac),
                                 (LBCAST4, MAC_BCAST), (MCAST4, MAC_MCAST4)))
            dst = socket.inet_pton(socket.AF_INET, dst)
        else:
            mac = r.choice((MAC_MCAST6, t.host_mac))
            dst = socket.inet_pton(socket.AF_INET6, MCAST6)
        self.add(fam, l4, "broadcast and multicast", dst=dst, dst_mac=mac,
                 unicast=False, bad_csum=r.random() < 0.2)

    def _frag_l4(self, fam):
        """The segment a fragment set carries, and its verdict if whole."""
        r = self.r
        t = self.t
        if self.conns and r.random() < 0.3:
            c = r.choice([c for c in self.conns if c.fam == fam] or
                         self.conns)
            sport, dport = c.sport, c.dport
        else:
            sport, dport = self.sport(), self.port()
        opts = self.valid_opts() if r.random() < 0.8 else self.bad_opts()
        l4 = tcp(sport, dport, self.u32(), self.u32(),
                 r.choice((TCP_SYN, TCP_ACK, TCP_ACK | TCP_PSH, TCP_RST,
                           r.randrange(256))),
                 opts=opts, data=r.randbytes(r.randrange(0, 80)))
        l4 = with_csum(fam, t.spoof(fam), t.host(fam), l4,
                       r.randrange(1, 0x10000) if r.random() < 0.1 else 0)
        return l4

    def c_frag4(self):
        r = self.r
        t = self.t
        l4 = self._frag_l4(4)
        size = r.choice((8, 16, 24, 32, 48))
        while size >= len(l4):
            size = 8
        pieces = [(off, l4[off:off + size]) for off in range(0, len(l4), size)]
        ident = self.ident4
        self.ident4 = self.ident4 % 0xFFFF + 1
        incomplete = self.incomplete4 < 150 and r.random() < 0.3
        if incomplete:
            del pieces[r.randrange(len(pieces))]
            self.incomplete4 += 1
        order = list(range(len(pieces)))
        if r.random() < 0.5:
            r.shuffle(order)
        last_off = (len(l4) - 1) // size * size
        frames = []
        for i in order:
            off, chunk = pieces[i]
            mf = 0x2000 if off != last_off else 0
            frames.append(eth(t.host_mac, t.peer_mac, ETH_P_IP,
                              ip4(t.spoof4, t.host4, chunk, ident,
                                  frag=mf | off // 8)))
        self.reasm4_reqds += len(frames)
        # reassembled when the last one arrives, then judged whole
        v = None
        if not incomplete:
            v = verdict(self.table, 4, t.spoof4, t.host4, l4)
            self.reasm4_ok += 1
        cat = "IPv4 fragments"
        for i, f in enumerate(frames):
            self.frames.append(Frame(f, cat, v if i == len(frames) - 1
                                     else None))

    def c_frag6(self):
        r = self.r
        t = self.t
        l4 = self._frag_l4(6)
        atomic = r.random() < 0.1
        size = len(l4) if atomic else r.choice((8, 16, 24, 32, 48))
        while size >= len(l4) and not atomic:
            size = 8
        pieces = [(off, l4[off:off + size]) for off in range(0, len(l4), size)]
        ident = self.ident6
        self.ident6 += 1
        incomplete = not atomic and self.incomplete6 < 150 and \
            r.random() < 0.3
        if incomplete:
            del pieces[r.randrange(len(pieces))]
            self.incomplete6 += 1
        order = list(range(len(pieces)))
        if r.random() < 0.5:
            r.shuffle(order)
        last_off = (len(l4) - 1) // size * size
        frames = []
        first_len = None
        for i in order:
            off, chunk = pieces[i]
            m = 1 if off != last_off else 0
            fh = struct.pack("!BBHI", 6, 0, off | m, ident)
            frames.append((off, eth(t.host_mac, t.peer_mac, ETH_P_IPV6,
                                    ip6(t.spoof6, t.host6, 44, fh + chunk))))
            if off == 0:
                first_len = len(chunk)
        if first_len is not None and first_len < 20:
            self.ip6_hdr_errors += 1   # RFC 8200 4.5: dropped by the stack
        cat = "IPv6 fragments"
        if self.v6_defrag:
            # reassembled before LOCAL_IN if complete and the first
            # fragment holds the whole TCP header; then judged whole
            v = None
            if not incomplete and first_len >= 20:
                v = verdict(self.table, 6, t.spoof6, t.host6, l4)
            for i, (off, f) in enumerate(frames):
                self.frames.append(Frame(f, cat, v if i == len(frames) - 1
                                         else None))
        else:
            # each reaches hsk alone: the first one is taken and dropped as
            # malformed (if it holds a TCP header), the others carry no port
            for off, f in frames:
                v = None
                if off == 0:
                    v = verdict(self.table, 6, t.spoof6, t.host6,
                                l4[:first_len], frag=True)
                self.frames.append(Frame(f, cat, v))

    def c_control(self):
        r = self.r
        fam = self.fam()
        port = P_NONE if fam == 4 or r.random() < 0.5 else P_V4
        l4 = tcp(self.sport(), port, self.u32(), self.u32(), r.randrange(256),
                 opts=self.valid_opts(), data=self.payload())
        self.add(fam, l4, "no listener", bad_csum=r.random() < 0.2)

    MIX = (("c_syn", 6), ("c_flags", 20), ("c_doff", 10), ("c_opts", 12),
           ("c_csum", 8), ("c_short", 3), ("c_random", 5), ("c_estab", 15),
           ("c_ip4opt", 3), ("c_ext6", 3), ("c_bcast", 3), ("c_frag4", 1),
           ("c_frag6", 1), ("c_control", 5))

    def build(self, count):
        names = [n for n, w in self.MIX for _ in range(w)]
        makers = [getattr(self, n) for n in names]
        choice = self.r.choice
        while len(self.frames) < count:
            choice(makers)()
        return self.frames


# ---------------------------------------------------------------------------
# Cross-check of the fast builder against scapy
# ---------------------------------------------------------------------------

def scapy_reference(topo, frames, rnd, n=40):
    """Rebuilds a sample of unfragmented frames with scapy from the fields
    the fast builder used; returns a list of mismatches."""
    from scapy.layers.l2 import Ether
    from scapy.layers.inet import IP, TCP
    from scapy.layers.inet6 import IPv6
    from scapy.packet import Raw
    from scapy.compat import raw

    bad = []
    sample = [f for f in frames
              if f.cat in ("valid SYN", "flag combinations", "options",
                           "established connections")]
    for f in rnd.sample(sample, min(n, len(sample))):
        d = f.data
        if f.verdict != TAKEN_OK:
            continue            # only frames with a right checksum
        etype = struct.unpack("!H", d[12:14])[0]
        if etype == ETH_P_IP:
            ihl = (d[14] & 15) * 4
            ident, = struct.unpack("!H", d[18:20])
            l4 = d[14 + ihl:]
            ipl = IP(src=SPOOF4, dst=ENV["HSK_HOST4"], id=ident, ttl=64,
                     flags=0, proto=6)
        else:
            l4 = d[54:]
            ipl = IPv6(src=SPOOF6, dst=ENV["HSK_HOST6"], hlim=64, nh=6)
        sport, dport, seq, ack, offres, flags, win, _, urp = struct.unpack(
            "!HHIIBBHHH", l4[:20])
        # scapy's flags have 9 bits (NS is the low bit of our nibble)
        t = TCP(sport=sport, dport=dport, seq=seq, ack=ack,
                dataofs=offres >> 4, reserved=(offres & 15) >> 1,
                flags=flags | (offres & 1) << 8, window=win,
                urgptr=urp) / Raw(l4[20:])
        # options go in as raw bytes after the fixed header
        ref = raw(Ether(dst=ENV["HSK_HOST_MAC"], src=ENV["HSK_PEER_MAC"]) /
                  ipl / t)
        if ref != d:
            bad.append((f.cat, d.hex(), ref.hex()))
    return bad


# ---------------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------------

class Test:
    def __init__(self, args):
        self.args = args
        self.t = Topo()
        self.table = Listeners()
        self.rnd = FastRandom(args.seed)
        self.sender = None
        self.saved_config = None
        self.v6_defrag = None
        self.conns = []
        self.log_start = 0

    # -- setup ------------------------------------------------------------

    def neighbours(self, add):
        for addr in (SPOOF4, SPOOF6):
            if add:
                run(["ip", "neigh", "replace", addr, "lladdr",
                     ENV["HSK_PEER_MAC"], "dev", self.t.host_if, "nud",
                     "permanent"])
            else:
                run(["ip", "neigh", "del", addr, "dev", self.t.host_if],
                    check=False)

    def listen(self, spec, mode, backlog=None, fam=0, addr=None, port=0):
        args = ["listen", "add", spec, "mode", mode]
        if backlog:
            args += ["backlog", backlog]
        hskctl(*args)
        self.table.add(fam, addr, port)

    def fuzz_listeners(self):
        t = self.t
        hskctl("listen", "flush")
        self.table.clear()
        self.listen(str(P_ANY), "echo", port=P_ANY)
        self.listen("0.0.0.0:%d" % P_WILD, "discard", fam=4, addr=bytes(4),
                    port=P_WILD)
        self.listen("[::]:%d" % P_WILD, "discard", fam=6, addr=bytes(16),
                    port=P_WILD)
        self.listen("%s:%d" % (ENV["HSK_HOST4"], P_EXACT), "tarpit", fam=4,
                    addr=t.host4, port=P_EXACT)
        self.listen("[%s]:%d" % (ENV["HSK_HOST6"], P_EXACT), "tarpit", fam=6,
                    addr=t.host6, port=P_EXACT)
        self.listen("%s:%d" % (ENV["HSK_HOST4"], P_V4), "echo", fam=4,
                    addr=t.host4, port=P_V4)

    def wait_idle(self, want=0, timeout=10):
        """After a flush: every connection reset ("deleting a listener
        resets its connections"). Returns the connections left."""
        s = wait_stats(lambda s: s["active_conns"] <= want, timeout)
        if s["active_conns"] > want:
            KTAP.diag("%d connections still active %d s after a listen "
                      "flush:" % (s["active_conns"] - want, timeout))
            KTAP.diag(run(["hskctl", "conn", "show"], check=False).stdout)
        return s["active_conns"]

    def setup(self):
        self.log_start = len(dmesg_lines())
        self.saved_config = config()
        self.neighbours(True)
        hskctl("listen", "flush")
        self.wait_idle()
        self.fuzz_listeners()
        self.sender = Sender(self.t)
        KTAP.diag("listeners: %d echo both families, %d discard wildcards, "
                  "%d tarpit on the host's addresses, %d echo IPv4 only, "
                  "%d none" % (P_ANY, P_WILD, P_EXACT, P_V4, P_NONE))

    def restore(self):
        run(["hskctl", "listen", "flush"], check=False)
        # a flush may leave connections behind (see the flush case): do not
        # leave them to the next test
        for _ in range(20):
            try:
                if not json.loads(run(["hskctl", "stats", "-j"],
                                      check=False).stdout)["active_conns"]:
                    break
            except (ValueError, KeyError):
                break
            run(["hskctl", "conn", "kill"], check=False)
            time.sleep(0.2)
        if self.saved_config:
            args = []
            for k, v in self.saved_config.items():
                args += [k, str(v)]
            run(["hskctl", "config", "set"] + args, check=False)
        self.neighbours(False)

    # -- phases -----------------------------------------------------------

    def canary(self):
        """Are IPv6 fragments reassembled before LOCAL_IN?"""
        t = self.t
        l4 = with_csum(6, t.spoof6, t.host6,
                       tcp(40000, P_ANY, 1, 0, TCP_RST, data=bytes(40)))
        frames = []
        for off, m in ((0, 1), (32, 0)):
            fh = struct.pack("!BBHI", 6, 0, off | m, 0x7fff0000)
            frames.append(eth(t.host_mac, t.peer_mac, ETH_P_IPV6,
                              ip6(t.spoof6, t.host6, 44,
                                  fh + l4[off:off + 32])))
        before = stats()
        self.sender.send(frames)
        d = delta(settle(), before)
        if d["segs_in"] == 1 and d["malformed"] == 1:
            self.v6_defrag = False
        elif d["segs_in"] == 1 and d["malformed"] == 0:
            self.v6_defrag = True
        KTAP.diag("IPv6 fragment canary: segs_in +%d, malformed +%d: %s"
                  % (d["segs_in"], d["malformed"],
                     {None: "neither model fits",
                      False: "fragments reach hsk as they are",
                      True: "reassembled before LOCAL_IN (nf_defrag_ipv6)"}
                     [self.v6_defrag]))
        return KTAP.result("IPv6 fragments: hsk sees either the fragments or "
                           "the reassembled segment", self.v6_defrag
                           is not None)

    def syn_phase(self):
        """Unique SYNs against a backlog of 32 per listener and max_conns
        of 48: the first 32 IPv4 SYNs fill their listener's backlog, 16
        IPv6 ones reach max_conns."""
        t = self.t
        hskctl("listen", "flush")
        idle = self.wait_idle()
        hskctl("listen", "add", "0.0.0.0:%d" % P_SYN4, "mode", "echo",
               "backlog", SYN_BACKLOG)
        hskctl("listen", "add", "[::]:%d" % P_SYN6, "mode", "discard",
               "backlog", SYN_BACKLOG)
        # connections left over (see below) count against max_conns too
        hskctl("config", "set", "max_conns", idle + SYN_MAX_CONNS)
        frames = []
        for fam, port in ((4, P_SYN4), (6, P_SYN6)):
            for i in range(SYN_PER_FAMILY):
                l4 = tcp(30000 + i, port, self.rnd.getrandbits(32), 0,
                         TCP_SYN, opts=o_mss() + o_sackp() + o_ws())
                frames.append(t.frame(fam, with_csum(fam, t.spoof(fam),
                                                     t.host(fam), l4)))
        before = stats()
        self.sender.send(frames)
        after = settle()
        d = delta(after, before)
        want_syn = SYN_BACKLOG + (SYN_MAX_CONNS - SYN_BACKLOG)
        want_limit = 2 * SYN_PER_FAMILY - want_syn
        KTAP.diag("SYN phase: %d SYNs sent: segs_in +%d, syn_recv +%d, "
                  "conn_limit +%d, active_conns %d (expected %d, %d, %d, %d)"
                  % (len(frames), d["segs_in"], d["syn_recv"],
                     d["conn_limit"], after["active_conns"], len(frames),
                     want_syn, want_limit, idle + want_syn))
        KTAP.result("SYN phase: every SYN counted in syn_recv or conn_limit, "
                    "backlog and max_conns enforced",
                    d["segs_in"] == len(frames) and
                    d["syn_recv"] == want_syn and
                    d["conn_limit"] == want_limit and
                    d["malformed"] == 0 and d["csum_errors"] == 0 and
                    after["active_conns"] == idle + want_syn)
        # Let the first SYN-ACK retransmissions happen (initial RTO 1 s),
        # so that a count of retransmissions in synack_sent shows.
        after = wait_stats(lambda s: s["synack_retrans"] -
                           before["synack_retrans"] >= want_syn, 6)
        d = delta(after, before)
        KTAP.diag("SYN phase: synack_sent +%d, synack_retrans +%d, "
                  "syn_recv +%d" % (d["synack_sent"], d["synack_retrans"],
                                    d["syn_recv"]))
        KTAP.result("SYN phase: synack_sent counts first transmissions only "
                    "(one per syn_recv, hsk.h), retransmissions go to "
                    "synack_retrans", d["synack_sent"] == d["syn_recv"])
        hskctl("listen", "flush")
        left = self.wait_idle(idle, 5) - idle
        KTAP.result("listen flush resets every connection of the flushed "
                    "listeners (%d of %d left)" % (left, want_syn), not left)
        hskctl("config", "set", "max_conns",
               self.saved_config.get("max_conns", 65536))
        self.fuzz_listeners()

    def handshakes(self):
        """Real handshakes from spoofed 4-tuples; the SYN-ACKs are read on
        the peer's NIC."""
        t = self.t
        rx = t.raw_socket()
        rx.settimeout(0.2)
        pending = {}
        frames = []
        sport = 20000
        for fam in (4, 6):
            for port in FUZZ_PORTS:
                if fam == 6 and port == P_V4:
                    continue
                for _ in range(HANDSHAKES):
                    isn = self.rnd.getrandbits(32)
                    ts = self.rnd.random() < 0.5
                    opts = o_mss() + o_sackp() + o_ws()
                    if ts:
                        opts += o_ts(1000, 0)
                    l4 = tcp(sport, port, isn, 0, TCP_SYN, opts=opts)
                    frames.append(t.frame(fam, with_csum(fam, t.spoof(fam),
                                                         t.host(fam), l4)))
                    pending[(fam, sport)] = (port, isn, ts)
                    sport += 1
        before = stats()
        self.sender.send(frames)
        synacks = {}
        end = time.monotonic() + 15
        while len(synacks) < len(pending) and time.monotonic() < end:
            try:
                data, addr = rx.recvfrom(2048)
            except socket.timeout:
                continue
            if addr[2] == PACKET_OUTGOING or len(data) < 54:
                continue
            etype = struct.unpack("!H", data[12:14])[0]
            if etype == ETH_P_IP and data[23] == 6:
                fam, l4 = 4, data[14 + (data[14] & 15) * 4:]
            elif etype == ETH_P_IPV6 and data[20] == 6:
                fam, l4 = 6, data[54:]
            else:
                continue
            sp, dp, seq, ack, off, flags = struct.unpack("!HHIIBB", l4[:14])
            key = (fam, dp)
            if key not in pending or flags & 0x3F != TCP_SYN | TCP_ACK:
                continue
            tsval = None
            opt = l4[20:(off >> 4) * 4]
            i = 0
            while i < len(opt):
                if opt[i] in (0, 1):
                    i += 1
                    continue
                if i + 1 >= len(opt) or opt[i + 1] < 2:
                    break
                if opt[i] == 8 and opt[i + 1] == 10:
                    tsval = struct.unpack("!I", opt[i + 2:i + 6])[0]
                i += opt[i + 1]
            synacks[key] = (seq, ack, tsval)
        rx.close()
        acks = []
        for key, (port, isn, ts) in pending.items():
            if key not in synacks:
                continue
            fam, sp = key
            iss, ack, tsval = synacks[key]
            c = Conn(fam, sp, port, isn, iss,
                     (1001, tsval) if ts and tsval is not None else None)
            opts = o_ts(1001, tsval) if c.ts else b""
            l4 = tcp(sp, port, c.snd_nxt, c.rcv_nxt, TCP_ACK, opts=opts)
            acks.append(t.frame(fam, with_csum(fam, t.spoof(fam),
                                               t.host(fam), l4)))
            self.conns.append(c)
        self.sender.send(acks)
        d = delta(settle(), before)
        KTAP.diag("handshakes: %d SYNs, %d SYN-ACKs read on the peer, %d "
                  "ACKs: established +%d, syn_recv +%d"
                  % (len(frames), len(synacks), len(acks), d["established"],
                     d["syn_recv"]))
        return KTAP.result("handshakes from spoofed addresses complete (%d "
                           "connections for the fuzz)" % len(self.conns),
                           len(synacks) == len(frames) and
                           d["syn_recv"] == len(frames) and
                           d["established"] == len(acks))

    def fuzz(self):
        args = self.args
        t0 = time.monotonic()
        fz = Fuzz(self.t, self.table, self.rnd, self.v6_defrag, self.conns)
        frames = fz.build(args.count)
        KTAP.diag("built %d frames in %.1f s" % (len(frames),
                                                 time.monotonic() - t0))
        t1 = time.monotonic()
        mism = scapy_reference(self.t, frames, self.rnd)
        for cat, mine, ref in mism[:3]:
            KTAP.diag("scapy builds a different frame (%s):\n  ours  %s\n"
                      "  scapy %s" % (cat, mine, ref))
        KTAP.result("the fast frame builder agrees with scapy on a sample "
                    "(%.1f s)" % (time.monotonic() - t1), not mism)

        # what the oracle expects
        exp = collections.Counter()
        per_cat = collections.OrderedDict()
        for f in frames:
            c = per_cat.setdefault(f.cat, collections.Counter())
            c["frames"] += 1
            if f.verdict:
                exp["segs_in"] += 1
                c["segs_in"] += 1
                exp[f.verdict] += 1
                c[f.verdict] += 1

        link_h0 = Link.host(self.t.host_if)
        link_p0 = Link.peer(self.t.ns, self.t.peer_if)
        qd0 = Link.qdisc_drops(self.t.ns, self.t.peer_if)
        sn0 = softnet_drops()
        ip0 = snmp()
        before = stats()
        t2 = time.monotonic()
        if args.trace:
            self.trace(frames[:args.trace])
            rest = frames[args.trace:]
        else:
            rest = frames
        self.sender.send([f.data for f in rest],
                         progress=lambda n: KTAP.diag("  %d frames sent" % n))
        t_send = time.monotonic() - t2
        after = settle()
        d = delta(after, before)
        # the peer first: what it sent before has arrived 0.3 s later
        link_p = delta(Link.peer(self.t.ns, self.t.peer_if), link_p0)
        time.sleep(0.3)
        link_h = delta(Link.host(self.t.host_if), link_h0)
        qd = Link.qdisc_drops(self.t.ns, self.t.peer_if) - qd0
        sn = softnet_drops() - sn0
        ip = delta(snmp(), ip0)

        KTAP.diag("sent %d frames in %.1f s (%.0f/s), %d send retries, %d "
                  "back-pressure stalls" % (len(frames), t_send,
                                             len(frames) / max(t_send, 1e-3),
                                             self.sender.retries,
                                             self.sender.stalls))
        KTAP.diag("%-26s %7s %7s %7s %7s %7s" % ("category", "frames",
                                                 "segs_in", "ok", "csum",
                                                 "malformed"))
        for cat, c in per_cat.items():
            KTAP.diag("%-26s %7d %7d %7d %7d %7d"
                      % (cat, c["frames"], c["segs_in"], c[TAKEN_OK],
                         c[TAKEN_CSUM], c[TAKEN_MAL]))
        KTAP.diag("%-26s %7d %7d %7d %7d %7d"
                  % ("expected", len(frames), exp["segs_in"], exp[TAKEN_OK],
                     exp[TAKEN_CSUM], exp[TAKEN_MAL]))
        KTAP.diag("%-26s %7s %7d %7d %7d %7d"
                  % ("hskctl stats", "", d["segs_in"],
                     d["segs_in"] - d["csum_errors"] - d["malformed"],
                     d["csum_errors"], d["malformed"]))
        KTAP.diag("other counters: " + ", ".join(
            "%s +%d" % (k, v) for k, v in sorted(d.items())
            if v and k not in ("segs_in", "csum_errors", "malformed")))
        KTAP.diag("peer NIC: tx +%d (dropped %d, errors %d), qdisc drops %d;"
                  " host NIC: rx +%d (dropped %d, errors %d, missed %d, "
                  "over %d, fifo %d); softnet drops %d"
                  % (link_p["tx_packets"], link_p["tx_dropped"],
                     link_p["tx_errors"], qd, link_h["rx_packets"],
                     link_h["rx_dropped"], link_h["rx_errors"],
                     link_h["rx_missed_errors"], link_h["rx_over_errors"],
                     link_h["rx_fifo_errors"], sn))
        ip_keys = ("IpInReceives", "IpInHdrErrors", "IpInAddrErrors",
                   "IpInDiscards", "IpExtInTruncatedPkts", "IpExtInCsumErrors",
                   "IpReasmReqds", "IpReasmOKs", "IpReasmFails",
                   "IpReasmTimeout", "Ip6InReceives",
                   "Ip6InHdrErrors", "Ip6InAddrErrors", "Ip6InDiscards",
                   "Ip6InTruncatedPkts", "Ip6ReasmReqds", "Ip6ReasmOKs",
                   "Ip6ReasmFails", "TcpInSegs", "TcpInErrs", "TcpInCsumErrors")
        KTAP.diag("IP layer: " + ", ".join("%s +%d" % (k, ip.get(k, 0))
                                            for k in ip_keys))
        KTAP.diag("fragments queued now: " + frag_memory())
        KTAP.diag("expected by construction: IPv4 reassemblies %d of %d "
                  "fragments, IPv6 first fragments without a whole TCP "
                  "header %d" % (fz.reasm4_ok, fz.reasm4_reqds,
                                 fz.ip6_hdr_errors))

        # What the NICs and the IP layer provably dropped before LOCAL_IN.
        # IPv6 header errors of tiny first fragments are expected, IPv4
        # reassembly timeouts of incomplete sets too; IPv6 reassembly
        # (without nf_defrag_ipv6) comes after LOCAL_IN and cannot hide
        # anything from hsk.
        # (the peer's own multicast, an MLD report say, may be filtered by
        # the host NIC: compare with what we sent, not with the peer's tx)
        link_loss = max(0, len(frames) - link_h["rx_packets"])
        ip_drops = (ip.get("IpInHdrErrors", 0) + ip.get("IpInAddrErrors", 0) +
                    ip.get("IpInDiscards", 0) +
                    ip.get("IpExtInTruncatedPkts", 0) +
                    ip.get("IpExtInCsumErrors", 0) +
                    max(0, ip.get("IpReasmFails", 0) -
                        ip.get("IpReasmTimeout", 0)) +
                    max(0, ip.get("Ip6InHdrErrors", 0) - fz.ip6_hdr_errors) +
                    ip.get("Ip6InAddrErrors", 0) +
                    ip.get("Ip6InDiscards", 0) +
                    ip.get("Ip6InTruncatedPkts", 0))
        provable = (link_loss + link_h["rx_dropped"] + link_h["rx_errors"] +
                    link_h["rx_missed_errors"] + link_p["tx_dropped"] + qd +
                    sn + ip_drops)
        KTAP.diag("provable drops: %d (link %d, host NIC %d, peer %d, "
                  "softnet %d, IP layer %d)"
                  % (provable, link_loss, link_h["rx_dropped"] +
                     link_h["rx_errors"] + link_h["rx_missed_errors"],
                     link_p["tx_dropped"] + qd, sn, ip_drops))

        KTAP.result("%d frames reached the host's NIC (peer tx +%d, host rx "
                    "+%d)" % (len(frames), link_p["tx_packets"],
                              link_h["rx_packets"]),
                    not link_loss)
        for name, key, want in (("segs_in", "segs_in", exp["segs_in"]),
                                ("csum_errors", "csum_errors",
                                 exp[TAKEN_CSUM]),
                                ("malformed", "malformed", exp[TAKEN_MAL])):
            got = d[key]
            gap = want - got
            if gap == 0:
                how = "exactly"
            elif 0 < gap <= provable:
                how = "short by %d, within the %d provable drops" % (
                    gap, provable)
            else:
                how = "off by %+d, provable drops %d" % (-gap, provable)
            KTAP.result("%s accounts for every frame: expected %d, counted "
                        "%d (%s)" % (name, want, got, how),
                        0 <= gap <= provable)
        KTAP.result("IPv4 reassembly: ReasmOKs +%d for %d complete sets"
                    % (ip.get("IpReasmOKs", 0), fz.reasm4_ok),
                    ip.get("IpReasmOKs", 0) == fz.reasm4_ok)

    def trace(self, frames):
        """Checks the counters after every frame (debugging aid)."""
        bad = 0
        for i, f in enumerate(frames):
            before = stats()
            self.sender.send([f.data])
            d = delta(stats(), before)
            got = None
            if d["segs_in"]:
                got = (TAKEN_CSUM if d["csum_errors"] else
                       TAKEN_MAL if d["malformed"] else TAKEN_OK)
            if got != f.verdict or d["segs_in"] > 1:
                bad += 1
                KTAP.diag("trace: frame %d (%s): expected %s, counted %s: %s"
                          % (i, f.cat, f.verdict, got, f.data.hex()))
        KTAP.diag("trace: %d of %d frames counted otherwise than expected"
                  % (bad, len(frames)))

    def echo_check(self):
        """A real Linux client in the peer namespace gets its data back.
        From a listener of its own: the fuzz's valid SYNs fill the backlog
        of its listeners with half-open connections for a minute."""
        hskctl("listen", "add", P_ECHO, "mode", "echo")
        ok = True
        for af, addr in ((socket.AF_INET, ENV["HSK_HOST4"]),
                         (socket.AF_INET6, ENV["HSK_HOST6"])):
            msg = self.rnd.randbytes(3000)
            try:
                s = self.t.netns.call(socket.socket, af, socket.SOCK_STREAM)
                s.settimeout(30)
                s.connect((addr, P_ECHO))
                s.sendall(msg)
                got = b""
                while len(got) < len(msg):
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    got += chunk
                s.close()
            except OSError as e:
                KTAP.diag("echo over %s: %s" % (addr, e))
                ok = False
                continue
            if got != msg:
                KTAP.diag("echo over %s: %d of %d bytes back, %s"
                          % (addr, len(got), len(msg),
                             "equal" if msg.startswith(got) else "differing"))
                ok = False
        return KTAP.result("hsk still works: a Linux client's data is echoed "
                           "over IPv4 and IPv6", ok)

    def dmesg_check(self):
        new = dmesg_lines()[self.log_start:]
        bad = [ln for ln in new if BAD_LOG.search(ln)]
        for ln in bad[:20]:
            KTAP.diag("dmesg: " + ln)
        return KTAP.result("no warning in the kernel log", not bad)


PLAN = 14


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int,
                    default=int(os.environ.get("HSK_PKT_FUZZ_SEED") or
                                random.SystemRandom().getrandbits(40)))
    ap.add_argument("--count", type=int,
                    default=int(os.environ.get("HSK_PKT_FUZZ_COUNT") or
                                100000))
    ap.add_argument("--trace", type=int, default=0)
    args = ap.parse_args()

    KTAP.plan(PLAN)
    KTAP.diag("seed %d (replay: HSK_PKT_FUZZ_SEED=%d or --seed %d), %d fuzz "
              "frames" % (args.seed, args.seed, args.seed, args.count))
    test = Test(args)
    t0 = time.monotonic()
    try:
        test.setup()
        KTAP.result("setup: listeners of every mode and family, static "
                    "neighbours for the spoofed sources", True)
        if test.canary():
            test.syn_phase()
            test.handshakes()
            test.fuzz()
            test.echo_check()
    except Abort as e:
        KTAP.diag("aborted: %s" % e)
    except Exception:  # pylint: disable=broad-except
        KTAP.diag("unexpected exception:\n" + traceback.format_exc())
    finally:
        try:
            test.dmesg_check()
        finally:
            test.restore()
    KTAP.diag("%.1f s" % (time.monotonic() - t0))
    return KTAP.finished()


if __name__ == "__main__":
    sys.exit(main())
