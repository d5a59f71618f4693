#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""hsk_floods: resource bounds of hsk under attack; also the flood
generator of hsk_teardown.py.

Started by hsk_floods.sh in the "peer" network namespace of the test VM
(selftests/vm/README.rst). Floods come from spoofed sources of the peer's
subnet (HSK_SPOOF4, HSK_SPOOF6), which hsk_floods.sh resolved to the
peer's NIC with permanent neighbour entries: hsk's answers reach the peer,
whose kernel drops them (they are not for it), so that nothing but hsk
answers the flood. The frames are built here byte by byte, once, and a
child process sends them in a loop through an AF_PACKET socket, as fast as
Python goes; scapy is not needed (and would be slow under TCG).

Cases (printing every figure as a KTAP diagnostic):

- SYN flood on a listener with backlog 64: at most 64 connections exist
  at any time, conn_limit counts the rest, the hsk_conn slab and
  MemAvailable stay flat;
- ACK flood on a listener: at most one RST per ACK, no connection, memory
  flat;
- RST flood on an established connection: no answer to out-of-window
  RSTs; in-window ones draw challenge ACKs at most once per 500 ms
  (RFC 5961 section 7), counted in challenge_acks and on the wire;
- data flood on echo listeners whose peer never reads: with sndq_limit_kb
  1024 at most 16 of 64 connections get a 64 KiB echo queue, the others
  are reset and counted in nomem; the connections that got a queue hold
  at most 64 KiB each.

Only /usr/bin/python3 (Debian's) is supported; no module outside the
standard library is used.
"""

import ctypes
import ipaddress
import multiprocessing
import os
import random
import socket
import struct
import sys
import threading
import time

from hsk_faults import FAMS, delta, fmt, same_addr
from hsk_lib import ENV, KSFT_SKIP, KTAP, conns, hsk, run_case, stats

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
CLONE_NEWNET = 0x40000000

TCP_FIN = 0x01
TCP_SYN = 0x02
TCP_RST = 0x04
TCP_PSH = 0x08
TCP_ACK = 0x10

_libc = ctypes.CDLL("libc.so.6", use_errno=True)


def setns(ns):
    """Moves the calling thread into a network namespace: NS is the path
    of one or an open file descriptor of it."""
    fd = os.open(ns, os.O_RDONLY) if isinstance(ns, str) else ns
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, "setns %s: %s" % (ns, os.strerror(e)))
    finally:
        if isinstance(ns, str):
            os.close(fd)


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def _csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def tcp_frame(smac, dmac, saddr, daddr, sport, dport, seq, ack, flags,
              win=65535, payload=b"", tsopt=None):
    """An Ethernet frame with one TCP segment, checksums filled in.
    TSOPT: (tsval, tsecr) for a timestamps option, or None."""
    src = ipaddress.ip_address(saddr)
    dst = ipaddress.ip_address(daddr)
    opts = b""
    if tsopt is not None:
        opts = struct.pack("!BBBBII", 1, 1, 8, 10, tsopt[0], tsopt[1])
    doff = (20 + len(opts)) // 4
    th = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff,
                     ack & 0xffffffff, doff << 4, flags, win, 0, 0) + opts
    seg = th + payload
    if src.version == 4:
        pseudo = src.packed + dst.packed + struct.pack("!BBH", 0, 6, len(seg))
    else:
        pseudo = src.packed + dst.packed + struct.pack("!IHBB", len(seg),
                                                       0, 0, 6)
    c = _csum(pseudo + seg)
    seg = seg[:16] + struct.pack("!H", c) + seg[18:]
    if src.version == 4:
        ih = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg),
                         random.getrandbits(16), 0x4000, 64, 6, 0,
                         src.packed, dst.packed)
        ih = ih[:10] + struct.pack("!H", _csum(ih)) + ih[12:]
        ethertype = ETH_P_IP
    else:
        ih = struct.pack("!IHBB16s16s", 0x60000000, len(seg), 6, 64,
                         src.packed, dst.packed)
        ethertype = ETH_P_IPV6
    return (mac_bytes(dmac) + mac_bytes(smac) +
            struct.pack("!H", ethertype) + ih + seg)


def flood_frames(smac, dmac, targets, kinds, n=2048):
    """N frames from spoofed sources: TARGETS is a list of (saddr, daddr,
    dport), KINDS a list of "syn", "ack", "data", "rst", "fin"; source
    ports, sequence and acknowledgment numbers are random."""
    frames = []
    for i in range(n):
        saddr, daddr, dport = targets[i % len(targets)]
        kind = kinds[(i // len(targets)) % len(kinds)]
        sport = random.randint(1024, 65535)
        seq = random.getrandbits(32)
        ack = random.getrandbits(32)
        flags, payload = {
            "syn": (TCP_SYN, b""),
            "ack": (TCP_ACK, b""),
            "data": (TCP_ACK | TCP_PSH, os.urandom(64)),
            "rst": (TCP_RST, b""),
            "fin": (TCP_FIN | TCP_ACK, b""),
        }[kind]
        frames.append(tcp_frame(smac, dmac, saddr, daddr, sport, dport, seq,
                                ack, flags, payload=payload))
    return frames


class Flooder:
    """Sends FRAMES in a loop from a child process through an AF_PACKET
    socket on IFNAME, in the network namespace at path NETNS (default:
    ours), while resumed: start() forks the child (paused or not),
    resume() and pause() switch the flood on and off, stop() ends it.
    COUNT: stop after that many frames. PPS: at most that many frames a
    second (default: as fast as it can). Fork the child before opening any
    client socket: it would hold a copy of each and keep it open."""

    def __init__(self, ifname, frames, netns=None, count=None, pps=None):
        ctx = multiprocessing.get_context("fork")
        self.ifname = ifname
        self.frames = frames
        self.netns = netns
        self.count = count
        self.pps = pps
        self.sent = ctx.Value("Q", 0)
        self.go = ctx.Event()
        self.quit = ctx.Event()
        self.proc = ctx.Process(target=self._run, daemon=True)

    def _run(self):
        if self.netns:
            setns(self.netns)
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((self.ifname, 0))
        n = 0
        limit = self.count
        frames = self.frames
        try:
            while not self.quit.is_set():
                if not self.go.wait(0.1):
                    continue
                if self.pps:
                    n = self._paced(s, n)
                    continue
                for i, f in enumerate(frames):
                    try:
                        s.send(f)
                        n += 1
                    except OSError:
                        pass    # e.g. the device went away
                    if limit is not None and n >= limit:
                        self.quit.set()
                        break
                    if not i & 127:
                        self.sent.value = n
                        if not self.go.is_set() or self.quit.is_set():
                            break
                self.sent.value = n
        finally:
            self.sent.value = n

    def _paced(self, s, n):
        """Send at self.pps frames a second until paused, stopped or at
        COUNT; returns the new total."""
        t0, tries = time.monotonic(), 0
        while self.go.is_set() and not self.quit.is_set():
            try:
                s.send(self.frames[tries % len(self.frames)])
                n += 1
            except OSError:
                pass    # e.g. the device went away
            tries += 1
            if self.count is not None and n >= self.count:
                self.quit.set()
            self.sent.value = n
            ahead = tries / self.pps - (time.monotonic() - t0)
            if ahead > 0:
                time.sleep(ahead)
        return n

    def start(self, paused=False):
        if not paused:
            self.go.set()
        self.proc.start()
        return self

    def resume(self):
        self.go.set()
        return self.sent.value

    def pause(self):
        self.go.clear()
        time.sleep(0.2)
        return self.sent.value

    def wait(self, timeout=None):
        self.proc.join(timeout)
        return self.sent.value

    def stop(self):
        self.quit.set()
        self.go.set()
        self.proc.join(30)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        return self.sent.value


# ---------------------------------------------------------------------------
# Watching: hsk's counters, its slab, memory, and what reaches the peer NIC
# ---------------------------------------------------------------------------

SO_ATTACH_FILTER = 26
PACKET_OUTGOING = 4
ETH_P_ALL = 0x0003


class Wire:
    """Counts the TCP segments from hsk's PORT that arrive on the peer NIC,
    per (destination address, destination port, flags). A BPF filter
    leaves our own flood out in the kernel."""

    def __init__(self, ifname, port):
        self.port = port
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                               socket.htons(ETH_P_ALL))
        prog = struct.pack("HBBI" * 4,
                           0x20, 0, 0, 0xfffff004,      # ld pkttype
                           0x15, 0, 1, PACKET_OUTGOING,  # jeq outgoing
                           0x06, 0, 0, 0,                # ret 0
                           0x06, 0, 0, 0xffff)           # ret all
        buf = ctypes.create_string_buffer(prog)
        fprog = struct.pack("HL", 4, ctypes.addressof(buf))
        self.s.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
        self._buf = buf
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.s.bind((ifname, ETH_P_ALL))
        self.s.settimeout(0.2)
        self.counts = {}
        self.stop_ev = threading.Event()
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        while not self.stop_ev.is_set():
            try:
                b, addr = self.s.recvfrom(128)
            except socket.timeout:
                continue
            if addr[1] == ETH_P_IP and len(b) >= 40 and b[9] == 6:
                off = (b[0] & 15) * 4
                dst = socket.inet_ntop(socket.AF_INET, b[16:20])
            elif addr[1] == ETH_P_IPV6 and len(b) >= 60 and b[6] == 6:
                off = 40
                dst = socket.inet_ntop(socket.AF_INET6, b[24:40])
            else:
                continue
            if len(b) < off + 14:
                continue
            sport, dport = struct.unpack_from("!HH", b, off)
            if sport != self.port:
                continue
            k = (dst, dport, b[off + 13])
            self.counts[k] = self.counts.get(k, 0) + 1

    def total(self, dst=None, dport=None, flag=None):
        return sum(v for (d, p, f), v in list(self.counts.items())
                   if (dst is None or same_addr(d, dst)) and
                   (dport is None or p == dport) and
                   (flag is None or f & flag))

    def close(self):
        self.stop_ev.set()
        self.t.join()
        self.s.close()


def slab_objs(name="hsk_conn"):
    """(active objects, total objects) of a slab cache; with SLUB the
    active count includes the free objects of the per-CPU slabs."""
    with open("/proc/slabinfo") as f:
        for line in f:
            w = line.split()
            if w and w[0] == name:
                return int(w[1]), int(w[2])
    return 0, 0


def mem_available_kb():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1])
    return 0


class Sampler:
    """Samples active_conns, the hsk_conn slab and MemAvailable while a
    flood runs; keeps the maxima (and the minimum of memory)."""

    def __init__(self, interval=0.3):
        self.interval = interval
        self.max_active = 0
        self.max_slab = 0
        self.min_mem = mem_available_kb()
        self.n = 0
        self.stop_ev = threading.Event()
        self.t = threading.Thread(target=self._run, daemon=True)

    def sample(self):
        self.max_active = max(self.max_active, stats()["active_conns"])
        self.max_slab = max(self.max_slab, slab_objs()[0])
        self.min_mem = min(self.min_mem, mem_available_kb())
        self.n += 1

    def _run(self):
        while not self.stop_ev.is_set():
            self.sample()
            self.stop_ev.wait(self.interval)

    def start(self):
        self.t.start()
        return self

    def stop(self):
        self.stop_ev.set()
        self.t.join()
        self.sample()


def flood_for(frames, secs):
    """Floods from the peer NIC for SECS; returns frames sent."""
    fl = Flooder(ENV["HSK_PEER_IF"], frames).start()
    time.sleep(secs)
    return fl.stop()


def spoofed(port):
    return [(ENV["HSK_SPOOF4"], FAMS[0].host, port),
            (ENV["HSK_SPOOF6"], FAMS[1].host, port)]


def macs():
    return ENV["HSK_PEER_MAC"], ENV["HSK_HOST_MAC"]


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

SYN_PORT = 8000
SYN_BACKLOG = 64
ACK_PORT = 8001
RST_PORT = 8002
DATA_PORT = 8003
FLOOD_SECS = 3.0
SNDQ_LIMIT_KB = 1024
SNDQ_CONN = 64 * 1024           # HSK_SNDQ_SIZE with 4 KiB pages
DATA_CONNS = 64
# MemAvailable may move a little for reasons of its own while a flood
# runs; an unbounded hsk would need far more than this.
MEM_SLACK_KB = 32 * 1024


def case_syn_flood(c):
    hsk("listen", "flush")
    hsk("listen", "add", str(SYN_PORT), "backlog", str(SYN_BACKLOG))
    frames = flood_frames(*macs(), spoofed(SYN_PORT), ["syn"], n=8192)
    before = stats()
    slab0 = slab_objs()
    mem0 = mem_available_kb()
    sm = Sampler().start()
    sent = flood_for(frames, FLOOD_SECS)
    sm.stop()
    d = delta(before, stats(), ("syn_recv", "conn_limit", "synack_sent",
                                "segs_in", "drops", "nomem"))
    KTAP.diag("SYN flood: %d frames (%d distinct SYNs from %s and %s) in "
              "%.1f s on a listener with backlog %d"
              % (sent, len(frames), ENV["HSK_SPOOF4"], ENV["HSK_SPOOF6"],
                 FLOOD_SECS, SYN_BACKLOG))
    KTAP.diag("hsk: " + fmt(d))
    KTAP.diag("%d samples: active_conns at most %d; hsk_conn slab %s "
              "before, at most %d active objects; MemAvailable %d kB "
              "before, lowest %d kB" % (sm.n, sm.max_active, slab0,
                                        sm.max_slab, mem0, sm.min_mem))
    c.check(sm.max_active <= SYN_BACKLOG, "active_conns reached %d, more "
            "than the backlog %d" % (sm.max_active, SYN_BACKLOG))
    c.check(d["syn_recv"] >= SYN_BACKLOG, "only %d connections created"
            % d["syn_recv"])
    # Every SYN is accounted for: a new connection, conn_limit, or (a
    # frame sent again while its connection is still half open) a drop.
    c.check(d["conn_limit"] > 0 and d["syn_recv"] + d["conn_limit"] +
            d["drops"] == d["segs_in"],
            "conn_limit +%d, syn_recv +%d, drops +%d, segs_in +%d: the SYNs "
            "beyond the backlog must be counted in conn_limit"
            % (d["conn_limit"], d["syn_recv"], d["drops"], d["segs_in"]))
    # Freed half-open connections let new ones in, but never more than the
    # backlog at once: the slab holds at most that plus what SLUB keeps in
    # its per-CPU slabs.
    c.check(sm.max_slab <= slab0[0] + 4 * SYN_BACKLOG,
            "hsk_conn slab grew from %d to %d active objects"
            % (slab0[0], sm.max_slab))
    c.check(mem0 - sm.min_mem < MEM_SLACK_KB, "MemAvailable fell by %d kB"
            % (mem0 - sm.min_mem))
    hsk("listen", "flush")


def case_ack_flood(c):
    hsk("listen", "flush")
    hsk("listen", "add", str(ACK_PORT))
    frames = flood_frames(*macs(), spoofed(ACK_PORT), ["ack"], n=4096)
    wire = Wire(ENV["HSK_PEER_IF"], ACK_PORT)
    try:
        before = stats()
        slab0 = slab_objs()
        mem0 = mem_available_kb()
        sm = Sampler().start()
        sent = flood_for(frames, FLOOD_SECS)
        time.sleep(0.5)
        sm.stop()
        d = delta(before, stats(), ("segs_in", "rst_sent", "segs_out",
                                    "syn_recv", "drops"))
    finally:
        wire.close()
    rsts = wire.total(flag=TCP_RST)
    other = wire.total() - rsts
    KTAP.diag("ACK flood: %d frames in %.1f s on a listener" % (sent,
                                                               FLOOD_SECS))
    KTAP.diag("hsk: " + fmt(d))
    KTAP.diag("on the peer NIC: %d RSTs from hsk, %d other segments"
              % (rsts, other))
    KTAP.diag("active_conns at most %d; hsk_conn slab %s before, at most %d "
              "active; MemAvailable %d kB before, lowest %d kB"
              % (sm.max_active, slab0, sm.max_slab, mem0, sm.min_mem))
    c.check(d["segs_in"] > 0, "hsk saw none of the ACKs")
    c.check(d["rst_sent"] <= d["segs_in"] and d["segs_out"] <= d["segs_in"],
            "rst_sent +%d, segs_out +%d for %d segments in: more than one "
            "answer per ACK" % (d["rst_sent"], d["segs_out"], d["segs_in"]))
    c.check(rsts <= sent and other == 0, "%d RSTs and %d other segments "
            "reached the peer for %d ACKs sent" % (rsts, other, sent))
    c.check(sm.max_active == 0 and d["syn_recv"] == 0,
            "connections created: active_conns up to %d, syn_recv +%d"
            % (sm.max_active, d["syn_recv"]))
    c.check(sm.max_slab <= slab0[0] + 64, "hsk_conn slab grew from %d to "
            "%d active objects" % (slab0[0], sm.max_slab))
    c.check(mem0 - sm.min_mem < MEM_SLACK_KB, "MemAvailable fell by %d kB"
            % (mem0 - sm.min_mem))
    hsk("listen", "flush")


def case_rst_flood(c):
    """Spoofed RSTs with the 4-tuple of an established connection of a
    real client: out of window ones are ignored; in-window ones draw
    challenge ACKs at most once per 500 ms per connection."""
    hsk("listen", "flush")
    hsk("listen", "add", str(RST_PORT))
    clients = []
    wire = None
    try:
        for fam in FAMS:
            s = socket.socket(fam.af, socket.SOCK_STREAM)
            s.settimeout(10)
            s.connect((fam.host, RST_PORT))
            s.sendall(b"x" * 100)
            got = b""
            while len(got) < 100:
                got += s.recv(100)
            clients.append((fam, s))
        time.sleep(0.5)
        tcb = {}
        for e in conns():
            for fam, s in clients:
                if e["remote_port"] == s.getsockname()[1] and \
                        same_addr(e["remote_addr"], fam.peer):
                    tcb[fam.name] = e
        c.require(len(tcb) == 2, "connections not found in conn show")
        oow, inw = [], []
        for fam, s in clients:
            e = tcb[fam.name]
            nxt, wnd = e["rcv_nxt"], e["rcv_wnd"]
            c.require(wnd > 2, "%s: receive window %d" % (fam.name, wnd))
            cport = s.getsockname()[1]
            for _ in range(1024):
                seq = (nxt + wnd + random.randint(1, 1 << 30)) & 0xffffffff
                oow.append(tcp_frame(*macs(), fam.peer, fam.host, cport,
                                     RST_PORT, seq, 0, TCP_RST))
                seq = (nxt + random.randint(1, wnd - 1)) & 0xffffffff
                inw.append(tcp_frame(*macs(), fam.peer, fam.host, cport,
                                     RST_PORT, seq, 0, TCP_RST))
        wire = Wire(ENV["HSK_PEER_IF"], RST_PORT)
        # Out of window only: not a single answer.
        b0 = stats()
        n_oow = flood_for(oow, 1.5)
        time.sleep(0.3)
        d_oow = delta(b0, stats(), ("segs_in", "segs_out", "challenge_acks",
                                    "rst_recv", "drops"))
        seen_oow = wire.total()
        # In window (and out of window mixed in): challenge ACKs, limited.
        mixed = [f for pair in zip(inw, oow) for f in pair]
        b1 = stats()
        t0 = time.monotonic()
        n_mix = flood_for(mixed, FLOOD_SECS)
        secs = time.monotonic() - t0
        time.sleep(0.3)
        d_mix = delta(b1, stats(), ("segs_in", "segs_out", "challenge_acks",
                                    "rst_recv", "drops"))
        seen = {fam.name: wire.total(dst=fam.peer) for fam in FAMS}
        seen_mix = sum(seen.values()) - seen_oow
        bound = int(secs / 0.5) + 1
        KTAP.diag("out-of-window RST flood: %d frames in 1.5 s; hsk: %s; "
                  "segments from hsk on the peer NIC: %d"
                  % (n_oow, fmt(d_oow), seen_oow))
        KTAP.diag("in-window RST flood: %d frames (half in window) in "
                  "%.1f s; hsk: %s; segments from hsk on the peer NIC: %d "
                  "(per connection %s); bound %d per connection"
                  % (n_mix, secs, fmt(d_mix), seen_mix, seen, bound))
        c.check(d_oow["segs_in"] > 0, "hsk saw none of the RSTs")
        c.check(d_oow["segs_out"] == 0 and d_oow["challenge_acks"] == 0 and
                seen_oow == 0, "out-of-window RSTs were answered: "
                "segs_out +%d, challenge_acks +%d, %d on the wire"
                % (d_oow["segs_out"], d_oow["challenge_acks"], seen_oow))
        c.check(1 <= d_mix["challenge_acks"] <= 2 * bound,
                "challenge_acks +%d for two connections in %.1f s, expected "
                "1..%d" % (d_mix["challenge_acks"], secs, 2 * bound))
        c.check(d_mix["segs_out"] == d_mix["challenge_acks"] and
                seen_mix <= d_mix["segs_out"],
                "segs_out +%d, %d on the wire, for %d challenge ACKs"
                % (d_mix["segs_out"], seen_mix, d_mix["challenge_acks"]))
        c.check(d_oow["rst_recv"] == 0 and d_mix["rst_recv"] == 0,
                "a flooded RST reset a connection")
        for fam, s in clients:
            s.sendall(b"y" * 100)
            got = b""
            while len(got) < 100:
                b = s.recv(100)
                if not b:
                    break
                got += b
            c.check(got == b"y" * 100, "%s: the connection no longer echoes"
                    " after the flood" % fam.name)
    finally:
        if wire:
            wire.close()
        for _, s in clients:
            s.close()
        hsk("listen", "flush")


def case_data_flood(c):
    """64 clients send and never read, with sndq_limit_kb 1024: 16 get an
    echo queue of 64 KiB, the others are reset and counted in nomem."""
    hsk("listen", "flush")
    hsk("config", "set", "sndq_limit_kb", str(SNDQ_LIMIT_KB))
    hsk("listen", "add", str(DATA_PORT), "backlog", "128")
    want = SNDQ_LIMIT_KB * 1024 // SNDQ_CONN
    clients = []
    try:
        before = stats()
        mem0 = mem_available_kb()
        for i in range(DATA_CONNS):
            fam = FAMS[i % 2]
            s = socket.socket(fam.af, socket.SOCK_STREAM)
            # A client that never reads should not hide hsk's queue behind
            # megabytes of its own receive buffer.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.settimeout(10)
            s.connect((fam.host, DATA_PORT))
            s.setblocking(False)
            clients.append((fam, s))
        buf = os.urandom(65536)
        sent = {}
        reset = {}
        deadline = time.monotonic() + 15
        # Send until every client is either reset or blocked for good.
        idle = 0
        while time.monotonic() < deadline and idle < 10:
            moved = False
            for fam, s in clients:
                fd = s.fileno()
                if fd in reset:
                    continue
                try:
                    n = s.send(buf)
                    sent[fd] = sent.get(fd, 0) + n
                    moved = True
                except BlockingIOError:
                    pass
                except OSError as e:
                    reset[fd] = e
            idle = 0 if moved else idle + 1
            time.sleep(0.2)
        time.sleep(1.0)
        for fam, s in clients:
            fd = s.fileno()
            if fd in reset:
                continue
            try:
                s.send(b"z")
            except BlockingIOError:
                pass
            except OSError as e:
                reset[fd] = e
        d = delta(before, stats(), ("nomem", "rst_sent", "bytes_in",
                                    "bytes_out", "persist_probes"))
        mem1 = mem_available_kb()
        live = [e for e in conns() if e["local_port"] == DATA_PORT]
        queues = [(e["bytes_in"] - e["bytes_out"]) +
                  ((e["snd_nxt"] - e["snd_una"]) & 0xffffffff) for e in live]
        resets = [e for e in reset.values()
                  if isinstance(e, ConnectionResetError)]
        KTAP.diag("%d clients sent %d bytes in all and never read; sndq_limit_kb "
                  "%d" % (DATA_CONNS, sum(sent.values()), SNDQ_LIMIT_KB))
        KTAP.diag("hsk: " + fmt(d))
        KTAP.diag("%d connections live in hsk, queues (bytes_in - bytes_out + "
                  "in flight) %s, receive windows %s"
                  % (len(live), sorted(queues),
                     sorted({e["rcv_wnd"] for e in live})))
        KTAP.diag("%d clients reset (%s); MemAvailable %d kB before, %d kB "
                  "after" % (len(reset), sorted({type(e).__name__
                                                 for e in reset.values()}),
                             mem0, mem1))
        c.check(len(live) == want, "%d connections live, expected %d "
                "(%d KiB / 64 KiB)" % (len(live), want, SNDQ_LIMIT_KB))
        # One per reset connection (its data found no echo queue), plus
        # any out-of-order segment that found none before that and was
        # dropped, the connection living on (hsk_ofo_renege()).
        c.check(d["nomem"] >= DATA_CONNS - want, "nomem +%d, expected at "
                "least +%d" % (d["nomem"], DATA_CONNS - want))
        c.check(len(resets) == DATA_CONNS - want and
                len(reset) == len(resets),
                "%d clients got ECONNRESET, %d another error; expected %d "
                "resets" % (len(resets), len(reset) - len(resets),
                            DATA_CONNS - want))
        c.check(all(q <= SNDQ_CONN for q in queues) and
                sum(queues) <= SNDQ_LIMIT_KB * 1024,
                "queues beyond 64 KiB per connection or %d KiB in all: %s"
                % (SNDQ_LIMIT_KB, sorted(queues)))
        # Stuck on their own cap: (nearly) full queues, zero windows.
        c.check(all(e["rcv_wnd"] == 0 for e in live) and
                all(q > SNDQ_CONN - 4096 for q in queues),
                "the live connections should hold a full 64 KiB queue and "
                "offer a zero window")
        c.check(mem0 - mem1 < MEM_SLACK_KB, "MemAvailable fell by %d kB"
                % (mem0 - mem1))
    finally:
        for _, s in clients:
            s.close()
        hsk("listen", "flush")
        hsk("config", "set", "sndq_limit_kb",
            os.environ.get("HSK_SNDQ_LIMIT_KB", "65536"))


def main():
    if not ENV.get("HSK_PEER_MAC") or not ENV.get("HSK_SPOOF4"):
        KTAP.diag("HSK_PEER_MAC/HSK_SPOOF4 not set: run hsk_floods.sh in "
                  "the test VM")
        return KSFT_SKIP
    cases = [
        ("SYN flood (IPv4+IPv6, spoofed) on a listener with backlog %d: "
         "active_conns <= %d, conn_limit counts the rest, slab and memory "
         "bounded" % (SYN_BACKLOG, SYN_BACKLOG), case_syn_flood),
        ("ACK flood (IPv4+IPv6, spoofed) on a listener: at most one RST per "
         "ACK, no connection, slab and memory flat", case_ack_flood),
        ("RST flood on established IPv4 and IPv6 connections: no answer out "
         "of window, challenge ACKs at most one per 500 ms per connection "
         "(RFC 5961 7), the connections survive", case_rst_flood),
        ("data flood from %d clients that never read, sndq_limit_kb %d: %d "
         "get a 64 KiB echo queue, the others are reset and counted in nomem"
         % (DATA_CONNS, SNDQ_LIMIT_KB, SNDQ_LIMIT_KB // 64),
         case_data_flood),
    ]
    KTAP.plan(len(cases))
    for desc, fn in cases:
        run_case(desc, fn)
    return KTAP.finished()


if __name__ == "__main__":
    sys.exit(main())
