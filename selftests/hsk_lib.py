# SPDX-License-Identifier: GPL-2.0
"""What every Python test program of hsk shares: KTAP output with the
kselftest totals line and exit status, cases that fail by assertion or
by exception, and the test VM's environment.

The environment is /run/hsk-vm.env, written by the test VM's init
(selftests/vm/README.rst), with HSK_* variables of the process on top, so
that a test also runs by hand with its own addresses.

Only /usr/bin/python3 (Debian's) is supported; no module outside the
standard library is used.
"""

import json
import os
import shlex
import subprocess
import sys
import time
import traceback

KSFT_PASS, KSFT_FAIL, KSFT_SKIP = 0, 1, 4

ENV_PATH = "/run/hsk-vm.env"

ENV_DEFAULTS = {
    "HSK_HOST4": "198.18.0.1", "HSK_HOST6": "2001:db8::1",
    "HSK_PEER4": "198.18.0.2", "HSK_PEER6": "2001:db8::2",
    "HSK_PEER_NS": "peer", "HSK_HOST_IF": "", "HSK_PEER_IF": "",
    "HSK_HOST_MAC": "", "HSK_PEER_MAC": "",
}


def read_env_file(path=ENV_PATH):
    """The KEY=VALUE lines of the test VM's environment file (values as
    the shell would read them). Raises OSError if there is none."""
    env = {}
    with open(path) as f:
        for line in f:
            k, sep, v = line.strip().partition("=")
            if sep:
                w = shlex.split(v)
                env[k] = w[0] if w else ""
    return env


def load_env(path=ENV_PATH):
    """The test VM's variables (ENV_DEFAULTS where it has none), with the
    process's HSK_* variables on top."""
    env = dict(ENV_DEFAULTS)
    try:
        env.update(read_env_file(path))
    except OSError:
        pass
    for k, v in os.environ.items():
        if k.startswith("HSK_"):
            env[k] = v
    return env


ENV = load_env()

# A debug kernel (KASAN, lockdep, kmemleak) runs everything several times
# slower under TCG: waits for what the kernel must do, not for timing
# assertions, are SLOW times longer there.
DEBUG_KERNEL = "-debug" in os.uname().release
SLOW = 4 if DEBUG_KERNEL else 1


class Ktap:
    """KTAP version 1 output, with the totals line kselftest prints."""

    def __init__(self, out=None):
        self.out = out or sys.stdout
        self.n = 0
        self.planned = 0
        self.counts = {"pass": 0, "fail": 0, "skip": 0}

    def _p(self, s):
        self.out.write(s + "\n")
        self.out.flush()

    def plan(self, n):
        self.planned = n
        self._p("TAP version 13")
        self._p("1..%d" % n)

    def diag(self, text):
        for line in str(text).splitlines() or [""]:
            self._p("# " + line)

    def ok(self, desc):
        self.n += 1
        self.counts["pass"] += 1
        self._p("ok %d %s" % (self.n, desc))

    def not_ok(self, desc):
        self.n += 1
        self.counts["fail"] += 1
        self._p("not ok %d %s" % (self.n, desc))

    def skip(self, desc, reason):
        self.n += 1
        self.counts["skip"] += 1
        self._p("ok %d %s # SKIP %s" % (self.n, desc, reason))

    def result(self, desc, passed):
        (self.ok if passed else self.not_ok)(desc)
        return passed

    def finished(self):
        """Prints the totals; returns the kselftest exit status. Cases
        planned but not run count as failures: a test that stops early
        fails."""
        while self.n < self.planned:
            self.not_ok("not run (the test stopped early)")
        c = self.counts
        self._p("# totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0"
                % (c["pass"], c["fail"], c["skip"]))
        if self.n != self.planned:
            self._p("# planned %d cases but ran %d" % (self.planned, self.n))
            return KSFT_FAIL
        if c["fail"]:
            return KSFT_FAIL
        if not c["pass"]:
            return KSFT_SKIP
        return KSFT_PASS


KTAP = Ktap()


class CaseFailed(Exception):
    """Raised by Case.require: the rest of the case cannot go on."""


class Case:
    """One KTAP case: every failed check is printed as a "FAIL:"
    diagnostic and fails the case; require() also ends it."""

    def __init__(self, desc=""):
        self.desc = desc
        self.failed = False

    def check(self, cond, what):
        if not cond:
            self.failed = True
            KTAP.diag("FAIL: " + what)
        return cond

    def require(self, cond, what):
        if not self.check(cond, what):
            raise CaseFailed()

    def eq(self, got, want, what):
        return self.check(got == want, "%s: got %r, expected %r"
                          % (what, got, want))


def run_case(desc, fn, *args, on_fail=None):
    """Runs fn(case, *args) as the next KTAP case named desc: it fails on
    a failed check or any exception (printed with its traceback). The
    time it took is printed; on failure, on_fail() is called first to
    print the state worth seeing. Returns whether it passed."""
    c = Case(desc)
    t0 = time.monotonic()
    try:
        fn(c, *args)
    except CaseFailed:
        pass
    except Exception:  # pylint: disable=broad-except
        c.failed = True
        KTAP.diag("unexpected exception:\n" + traceback.format_exc())
    KTAP.diag("case took %.1f s" % (time.monotonic() - t0))
    if c.failed and on_fail:
        try:
            on_fail()
        except Exception:  # pylint: disable=broad-except
            KTAP.diag("printing the state failed:\n" +
                      traceback.format_exc())
    return KTAP.result(desc, not c.failed)


# ---------------------------------------------------------------------------
# The initial network namespace, where hsk's listeners are: the Python
# tests run in the peer's and reach it through nsenter.
# ---------------------------------------------------------------------------

HOST_NS = "/proc/1/ns/net"
NSENTER = ["nsenter", "--net=" + HOST_NS]


def host(*argv, stdin=None, timeout=60):
    """Runs a command in the initial network namespace; returns the
    CompletedProcess (text output) whatever its status."""
    return subprocess.run(NSENTER + list(argv), input=stdin,
                          capture_output=True, text=True, timeout=timeout,
                          check=False)


def hsk(*args):
    """hskctl ARGS in the initial namespace; its output. Raises
    RuntimeError with hskctl's message if it fails."""
    p = host("hskctl", *[str(a) for a in args])
    if p.returncode != 0:
        raise RuntimeError("hskctl %s: exit %d: %s" % (
            " ".join(str(a) for a in args), p.returncode, p.stderr.strip()))
    return p.stdout


def stats():
    """hsk's counters in the initial namespace (hskctl stats -j)."""
    return json.loads(hsk("stats", "-j"))


def conns():
    """hsk's connections in the initial namespace (hskctl conn show -j)."""
    return json.loads(hsk("conn", "show", "-j"))
