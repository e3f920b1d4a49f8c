#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Soak: the gateway under a mixed load for a long time; does anything pile up?

`gatehouse-cli serve` (bearer tokens, the AsyncUnlimited plan, the message log on,
`--admin` for its metrics) relays to an echo backend (`gatehouse-loadgen echo`) for
--minutes (30 by default), all on 127.0.0.1, while at the same time:

- steady traffic: `gatehouse-loadgen paced` in back-to-back segments (--segment s
  each), two streams at once: small messages (64 B, 2,000 msg/s over 24
  connections) and large ones (12 KiB, 200 msg/s over 8); each segment gives its
  achieved rate, round trip p50 / p99 and the round trips it saw (each is a message
  relayed each way);
- churn: --churn connections opened and closed per second by this script (raw
  sockets, asyncio): upgrade with the token, a few messages of mixed sizes (16 B to
  64 KiB, text and binary), the echoes read, a close handshake, then the gateway's
  FIN awaited. Of them --vanish go away without a close (half after reading their
  echoes, with a FIN; half with an RST, SO_LINGER 0, echoes unread) and --slow are
  slow readers (a burst of 16-32 KiB messages, nothing read for 2-6 s, then either
  everything read and a clean close, or an RST);
- a backend restart every --restart-every s (the echo backend stopped, --restart-pause
  s without it, started again on the same port): the gateway closes its clients with
  1011 and answers 502 meanwhile; the drivers count that and go on;
- a token revocation every --revoke-every s: a fresh token, --revoke-conns
  connections with it (one round trip each), `keys revoke ID`; each of them must get a
  1008 close and a new upgrade with the token a 401.

Sampled every --sample-every s into samples.csv: the gateway's resident memory
(VmRSS), open descriptors, threads, message log rows (handshakes, messages as the sum
of the blocks' counts, closes), its open connections (/metrics) and the clients'.

When the load stops (at the end, or at the first Ctrl+C; a second one skips the
wait) the clients go, the log is let settle (until its row counts stop growing and
the gateway counts no open connection), then it judges:

- plateau: after the warm-up (--warmup minutes), resident memory and descriptors
  show no growth trend: the least-squares slope over the post-warm-up samples (KiB
  and descriptors per hour) and the last third's median against the middle third's
  (the load time cut in three). It fails only when both exceed their tolerance
  (--rss-slope / --rss-step, --fd-slope / --fd-step): a real trend, not noise;
- logged: the log's messages >= twice the round trips the clients saw (each echo seen
  is one message relayed in and one out; both directions are logged), and the log
  holds as many messages as the gateway's metrics counted;
- no half-open connection: with every client gone, the gateway counts 0 open
  connections, its descriptors are back to the idle count (+ --fd-slack) with no TCP
  socket left but its listeners (/proc/PID/fd against /proc/net/tcp), every opened
  connection in the log has its close row, and no churn client waited in vain for
  the gateway's FIN after the close handshake;
- throughput: the last undisturbed paced segments (no backend restart during them)
  against the first ones after the warm-up (up to 5 of each, medians): achieved
  rate ratio >= --rate-ratio, p99 ratio <= --p99-ratio, for each stream;
- revocations: every check passed (1008 for the open connections, 401 for a new one).

    bench/soak/soak.py [--minutes 30] [--cli PATH] [--out DIR] [-- serve options]
    bench/soak/soak.py --minutes 3 --warmup 0.5 --segment 20 --restart-every 50   # a quick look

A quick look shows that everything works, but judges little: its thirds are a minute
each, so a burst of connections can lift the last one by a MiB (the tolerances are
set for 15 to 30 minutes, where a minute's noise weighs less than a trend).

Writes to --out (default: a temporary folder, printed): samples.csv, segments.csv,
summary.md (the Markdown tables for bench/README.md), memory.svg (resident memory
and descriptors over time), serve.err, echo.err, log.db. Exit status 0 when every
condition holds, 1 otherwise (one line per failed condition), 2 when it cannot run.
Needs a built gatehouse-cli (build/ci) and the load generator (build/bench, built
here with cmake + ninja when missing, as bench/gateway/run.py does).
"""
import argparse
import asyncio
import csv
import json
import math
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PATH = "/soak/1.0.0/echo"
CHURN_SIZES = (16, 125, 126, 1000, 4096, 16384, 65535, 65536)
SLOW_SIZES = (16384, 24576, 32768)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError):
        pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- what the gateway process holds (/proc) -----------------------------------

def proc_status(pid):
    """VmRSS (KiB) and Threads of a process, or (None, None) once it is gone."""
    rss = threads = None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("Threads:"):
                    threads = int(line.split()[1])
    except OSError:
        pass
    return rss, threads


def fd_count(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


TCP_STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2", 6: "TIME_WAIT",
              7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING"}


def fd_kinds(pid):
    """What a process's descriptors are, counted by kind: files by path, TCP sockets
    by state (from /proc/net/tcp*), other sockets, pipes, anon inodes."""
    states = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    states[fields[9]] = TCP_STATES.get(int(fields[3], 16), fields[3])
        except OSError:
            pass
    kinds = {}
    try:
        names = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return kinds
    for name in names:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{name}")
        except OSError:
            continue
        if target.startswith("socket:["):
            state = states.get(target[8:-1])
            kind = f"TCP socket {state}" if state else "other socket"
        elif target.startswith(("pipe:", "anon_inode:")):
            kind = target.split("[")[0] if target.startswith("pipe:") else target
        else:
            kind = target
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None


def thread_cpu(pid):
    """CPU seconds of a process's threads, summed by name (gateway-worker-1 and -2
    as gateway-worker; names are cut at 15 characters by the kernel)."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                text = f.read()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")].rstrip("-0123456789") or "?"
        fields = text.rsplit(")", 1)[1].split()
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def machine_busy():
    """(busy, total) jiffies of all CPUs so far."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v) - idle, sum(v)


# --- WebSocket framing (client side: masked with a zero key, which leaves the
# payload as it is; server frames are not masked) -----------------------------

def client_frame(opcode, payload):
    n = len(payload)
    if n < 126:
        head = bytes([0x80 | opcode, 0x80 | n])
    elif n < 65536:
        head = bytes([0x80 | opcode, 0x80 | 126]) + struct.pack("!H", n)
    else:
        head = bytes([0x80 | opcode, 0x80 | 127]) + struct.pack("!Q", n)
    return head + b"\0\0\0\0" + payload


def close_frame(code=1000):
    return client_frame(0x8, struct.pack("!H", code))


def close_code(payload):
    return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005


def upgrade_request(port, token):
    return (f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            f"Sec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n").encode()


def status_of(head):
    try:
        return int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0


PAYLOADS = {}


def payload(size):
    """Printable (valid UTF-8, so it can go as text) and not all alike."""
    p = PAYLOADS.get(size)
    if p is None:
        pattern = bytes(random.Random(size).choice(b"abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(256))
        p = PAYLOADS[size] = (pattern * (size // 256 + 1))[:size]
    return p


class BlockingWs:
    """A client connection on a blocking socket (the revocation checks)."""

    def __init__(self, port, token, timeout=10):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.s.sendall(upgrade_request(port, token))
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            c = self.s.recv(4096)
            if not c:
                break
            self.buf += c
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        self.status = status_of(head)

    def exact(self, n):
        while len(self.buf) < n:
            c = self.s.recv(65536)
            if not c:
                raise EOFError("connection closed")
            self.buf += c
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def frame(self):
        head = self.exact(2)
        n = head[1] & 0x7F
        if n == 126:
            n = struct.unpack("!H", self.exact(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self.exact(8))[0]
        if head[1] & 0x80:
            self.exact(4)
        return head[0] & 0x0F, self.exact(n)

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


# --- the gateway's side: metrics and the message log --------------------------

METRIC = re.compile(r'^([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def fetch_metrics(admin_port):
    """{name: [(labels, value)]} from /metrics, or None when it cannot be read."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{admin_port}/metrics", timeout=5) as r:
            text = r.read().decode()
    except OSError:
        return None
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = METRIC.match(line)
        if m:
            try:
                value = float(m.group(3))
            except ValueError:
                continue
            out.setdefault(m.group(1), []).append((dict(LABEL.findall(m.group(2) or "")), value))
    return out


def metric_sum(metrics, name, **match):
    if not metrics:
        return None
    return sum(v for labels, v in metrics.get(name, []) if all(labels.get(k) == w for k, w in match.items()))


class LogCounter:
    """Rows of the message log, read while serve writes it (WAL, read-only
    connection). Counted incrementally (rows with a higher id than last time): the
    ids only grow, and nothing is removed (serve runs with --log-max-age 0
    --log-max-size 0)."""

    TABLES = (("handshakes", "log_handshakes", "COUNT(*)"),
              ("messages", "log_message_blocks", "COALESCE(SUM(count), 0)"),
              ("closes", "log_closes", "COUNT(*)"))

    def __init__(self, path):
        self.path = path
        self.db = None
        self.last = {key: 0 for key, _, _ in self.TABLES}
        self.totals = {key: 0 for key, _, _ in self.TABLES}

    def connect(self):
        if self.db is None and os.path.exists(self.path):
            self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5)
        return self.db

    def update(self):
        try:
            if not self.connect():
                return self.totals
            for key, table, what in self.TABLES:
                n, top = self.db.execute(f"SELECT {what}, MAX(id) FROM {table} WHERE id > ?",
                                         (self.last[key],)).fetchone()
                if top is not None:
                    self.totals[key] += n
                    self.last[key] = top
        except sqlite3.Error:
            pass
        return dict(self.totals)

    def close(self):
        if self.db is not None:
            self.db.close()
            self.db = None

    def final(self):
        """Whole-table figures (the judgments use these, not the running counts)."""
        out = {}
        try:
            db = self.connect()
            q = lambda sql: db.execute(sql).fetchone()[0]
            out["handshakes_accepted"] = q("SELECT COUNT(*) FROM log_handshakes WHERE accepted = 1")
            out["handshakes_rejected"] = q("SELECT COUNT(*) FROM log_handshakes WHERE accepted = 0")
            out["rejected_by_status"] = dict(db.execute(
                "SELECT status, COUNT(*) FROM log_handshakes WHERE accepted = 0 GROUP BY status").fetchall())
            out["messages"] = q("SELECT COALESCE(SUM(count), 0) FROM log_message_blocks")
            out["blocks"] = q("SELECT COUNT(*) FROM log_message_blocks")
            out["closes"] = q("SELECT COUNT(*) FROM log_closes")
            out["closes_messages"] = q("SELECT COALESCE(SUM(messages_in + messages_out), 0) FROM log_closes")
            out["closes_by_code"] = dict(db.execute(
                "SELECT code, COUNT(*) FROM log_closes GROUP BY code").fetchall())
            # opened connections with no close row: half-open as far as the log knows
            out["unclosed"] = q("SELECT COUNT(*) FROM log_handshakes h WHERE accepted = 1 AND NOT EXISTS "
                                "(SELECT 1 FROM log_closes c WHERE c.connection_id = h.connection_id)")
        except sqlite3.Error as e:
            out["error"] = str(e)
        return out


# --- the processes --------------------------------------------------------------

class Procs:
    """Every child started, each in a session of its own (Ctrl+C reaches only this
    script, which then stops them in order)."""

    def __init__(self):
        self.all = []
        self.lock = threading.Lock()

    def spawn(self, cmd, **kw):
        p = subprocess.Popen(cmd, start_new_session=True, **kw)
        with self.lock:
            self.all.append(p)
        return p

    @staticmethod
    def stop(p, timeout=10):
        if p.poll() is None:
            try:
                p.terminate()
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def stop_all(self):
        with self.lock:
            procs = list(reversed(self.all))
        for p in procs:
            self.stop(p)


class Echo:
    """The echo backend on a fixed port, restartable."""

    def __init__(self, procs, loadgen, port, threads, err):
        self.procs, self.loadgen, self.port, self.threads, self.err = procs, loadgen, port, threads, err
        self.proc = None

    def start(self):
        for _ in range(50):
            p = self.procs.spawn([self.loadgen, "echo", "--port", str(self.port), "--threads", str(self.threads)],
                                 stdout=subprocess.PIPE, stderr=self.err, text=True)
            line = p.stdout.readline()
            if line.strip():
                p.stdout.close()
                self.proc = p
                return
            p.wait()  # the port is not free yet: try again
            time.sleep(0.2)
        raise RuntimeError(f"the echo backend cannot listen on port {self.port}")

    def stop(self):
        if self.proc:
            Procs.stop(self.proc)
            self.proc = None


# --- the load ---------------------------------------------------------------------

class Shared:
    """What the drivers share with the main thread."""

    def __init__(self, deadline):
        self.stop = threading.Event()
        self.deadline = deadline  # monotonic time the load ends
        self.restarting = threading.Lock()  # held while the backend restarts, and by a revocation check
        self.restarts = []  # (t_stop, t_started) monotonic
        self.errors = []


class PacedStream(threading.Thread):
    """`gatehouse-loadgen paced` in back-to-back segments."""

    def __init__(self, name, shared, procs, loadgen, url, token, conns, size, rate, segment):
        super().__init__(daemon=True, name=name)
        self.stream, self.shared, self.procs, self.loadgen = name, shared, procs, loadgen
        self.cmd = [loadgen, "paced", "--url", url, "-H", f"Authorization: Bearer {token}", "-c", str(conns),
                    "--size", str(size), "--rate", str(rate), "--threads", "1"]
        self.conns, self.size, self.rate, self.segment = conns, size, rate, segment
        self.segments = []
        self.proc = None
        self.open = 0  # connections held now (about)

    def run(self):
        while not self.shared.stop.is_set():
            left = self.shared.deadline - time.monotonic() - 3  # 1 s warm-up, connections, results
            # the last segment takes what is left, so that the steady traffic goes on
            # until the end (a quiet last minute would flatter the last third)
            seconds = left if left < 1.5 * self.segment else self.segment
            if seconds < min(5, self.segment):
                break
            t0 = time.monotonic()
            self.proc = self.procs.spawn(self.cmd + ["--seconds", f"{seconds:.1f}"], stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, text=True)
            self.open = self.conns
            out, err = self.proc.communicate()
            self.open = 0
            t1 = time.monotonic()
            seg = {"stream": self.stream, "t0": t0, "t1": t1, "size": self.size, "rate": self.rate,
                   "conns": self.conns, "seconds": seconds}
            try:
                r = json.loads(out.strip().splitlines()[-1])
            except (ValueError, IndexError):
                r = {"error": f"exit {self.proc.returncode}: " + (err.strip().splitlines() or ["no output"])[-1]}
            if "error" in r or self.proc.returncode != 0:
                seg["error"] = r.get("error", f"exit {self.proc.returncode}")
            else:
                seg.update(achieved=r["messages_per_s"], p50=r["rtt_p50_us"], p99=r["rtt_p99_us"],
                           echoed=int(r["echoed"]))
            self.segments.append(seg)
            if "error" in seg and not self.shared.stop.is_set():
                self.shared.stop.wait(1)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()


class Churn(threading.Thread):
    """Connections opened and closed at --churn per second (asyncio, raw sockets)."""

    def __init__(self, shared, port, token, rate, vanish, slow, max_open):
        super().__init__(daemon=True, name="churn")
        self.shared, self.port, self.rate = shared, port, rate
        self.vanish_share, self.slow_share, self.max_open = vanish, slow, max_open
        self.request = upgrade_request(port, token)
        self.counts = {}
        self.echoed = 0  # echoes read: each is a message relayed each way
        self.open = 0  # upgraded connections not yet gone
        self.inflight = 0

    def count(self, key, n=1):
        self.counts[key] = self.counts.get(key, 0) + n

    def run(self):
        asyncio.run(self.main())

    async def main(self):
        tasks = set()
        loop = asyncio.get_running_loop()
        owed, last = 0.0, loop.time()
        while not self.shared.stop.is_set() and time.monotonic() < self.shared.deadline:
            await asyncio.sleep(0.01)
            now = loop.time()
            owed += self.rate * (now - last)
            last = now
            while owed >= 1:
                owed -= 1
                if len(tasks) >= self.max_open:
                    self.count("not started (too many in flight)")
                    continue
                r = random.random()
                kind = ("vanish" if r < self.vanish_share else
                        "slow" if r < self.vanish_share + self.slow_share else "clean")
                t = asyncio.create_task(self.one(kind))
                tasks.add(t)
                t.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks, timeout=40)

    async def one(self, kind):
        self.count(f"started {kind}")
        self.inflight += 1
        sock = socket.socket()
        sock.setblocking(False)
        if kind == "slow":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
        writer = None
        upgraded = False
        try:
            loop = asyncio.get_running_loop()
            await asyncio.wait_for(loop.sock_connect(sock, ("127.0.0.1", self.port)), 10)
            reader, writer = await asyncio.open_connection(sock=sock, limit=16384)
            writer.write(self.request)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 15)
            status = status_of(head)
            if status != 101:
                self.count(f"refused {status}")
                return
            upgraded = True
            self.open += 1
            await getattr(self, kind)(reader, writer, sock)
        except GatewayClosed as e:
            self.count(f"closed by the gateway {e.code}")
            try:
                writer.write(close_frame(e.code if e.code not in (1005, 1006) else 1000))
            except Exception:
                pass
        except asyncio.TimeoutError:
            self.count("timeout: waited 15 s for the gateway" + (" (upgraded)" if upgraded else ""))
        except (asyncio.IncompleteReadError, ConnectionError) as e:
            self.count(f"connection lost ({type(e).__name__})" + (" (upgraded)" if upgraded else ""))
        except OSError as e:
            self.count(f"error {e.strerror or e}")
        finally:
            self.inflight -= 1
            if upgraded:
                self.open -= 1
            if writer:
                writer.transport.abort()
            else:
                sock.close()

    async def frame(self, reader, timeout=15):
        head = await asyncio.wait_for(reader.readexactly(2), timeout)
        n = head[1] & 0x7F
        if n == 126:
            n = struct.unpack("!H", await reader.readexactly(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", await reader.readexactly(8))[0]
        data = await asyncio.wait_for(reader.readexactly(n), timeout)
        opcode = head[0] & 0x0F
        if opcode == 0x8:
            raise GatewayClosed(close_code(data))
        return opcode, data

    async def echoes(self, reader, sent):
        for opcode, body in sent:
            while True:
                op, data = await self.frame(reader)
                if op in (0x1, 0x2):
                    break
            if op != opcode or data != body:
                self.count("echo not as sent")
            self.echoed += 1

    async def close_handshake(self, reader, writer, what):
        writer.write(close_frame(1000))
        try:
            while True:
                await self.frame(reader, 10)
        except GatewayClosed as e:
            self.count(f"{what}: close answered {e.code}")
        # then the gateway closes the TCP connection: a FIN within 5 s
        try:
            rest = await asyncio.wait_for(reader.read(), 5)
            if rest:
                self.count(f"{what}: data after the close")
        except asyncio.TimeoutError:
            self.count(f"{what}: no FIN from the gateway 5 s after the close handshake")

    @staticmethod
    def some_messages(sizes, count):
        sent = []
        for _ in range(count):
            size = random.choice(sizes)
            sent.append((random.choice((0x1, 0x2)), payload(size)))
        return sent

    async def clean(self, reader, writer, sock):
        sent = self.some_messages(CHURN_SIZES, random.randint(1, 3))
        for opcode, body in sent:
            writer.write(client_frame(opcode, body))
            await self.echoes(reader, [(opcode, body)])
        await self.close_handshake(reader, writer, "clean")

    async def vanish(self, reader, writer, sock):
        sent = self.some_messages(CHURN_SIZES, random.randint(1, 3))
        writer.write(b"".join(client_frame(op, body) for op, body in sent))
        if random.random() < 0.5:
            # every echo read, then a FIN and no close frame
            await self.echoes(reader, sent)
            self.count("vanished with a FIN")
            writer.close()
        else:
            # the echoes left unread, an RST
            self.count("vanished with an RST")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()

    async def slow(self, reader, writer, sock):
        sent = self.some_messages(SLOW_SIZES, random.randint(8, 24))
        writer.write(b"".join(client_frame(op, body) for op, body in sent))
        await asyncio.sleep(random.uniform(2, 6))
        if self.shared.stop.is_set() or random.random() < 0.5:
            await self.echoes(reader, sent)
            await self.close_handshake(reader, writer, "slow reader")
        else:
            self.count("slow reader gone with an RST")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()


class GatewayClosed(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


class Restarter(threading.Thread):
    """The echo backend stopped and started again now and then."""

    def __init__(self, shared, echo, every, pause):
        super().__init__(daemon=True, name="restarter")
        self.shared, self.echo, self.every, self.pause = shared, echo, every, pause

    def run(self):
        while not self.shared.stop.wait(self.every):
            # none in the last half period: the end's segments must be undisturbed
            if self.shared.deadline - time.monotonic() < max(30, self.every / 2):
                break
            with self.shared.restarting:
                t0 = time.monotonic()
                self.echo.stop()
                time.sleep(self.pause)
                try:
                    self.echo.start()
                except RuntimeError as e:
                    self.shared.errors.append(str(e))
                    self.shared.stop.set()
                self.shared.restarts.append((t0, time.monotonic()))


class Revoker(threading.Thread):
    """A fresh token, a few connections with it, `keys revoke`: 1008 and 401?"""

    def __init__(self, shared, cli, port, every, conns):
        super().__init__(daemon=True, name="revoker")
        self.shared, self.cli, self.port, self.every, self.conns = shared, cli, port, every, conns
        self.passed = 0
        self.failed = []  # reasons
        self.skipped = 0
        self.close_times = []  # seconds from the revoke command's return to the 1008
        self.known_times = []  # seconds from `keys issue` to the first upgrade accepted with the token
        self.echoed = 0
        self.open = 0

    def run(self):
        while not self.shared.stop.wait(self.every):
            if self.shared.deadline - time.monotonic() < 15:
                break
            try:
                with self.shared.restarting:
                    self.check()
            except Exception as e:  # a driver's failure is a result, not a crash
                self.failed.append(f"{type(e).__name__}: {e}")

    def ids(self):
        return {k["id"] for k in json.loads(self.cli("keys", "list", "soak", "--json"))}

    def check(self):
        before = self.ids()
        token = self.cli("keys", "issue", "soak").splitlines()[-1].strip()
        issued = time.monotonic()
        new = self.ids() - before
        if len(new) != 1:
            raise RuntimeError(f"keys list shows {len(new)} new credentials")
        key = new.pop()
        conns = []
        try:
            for i in range(self.conns):
                c = BlockingWs(self.port, token)
                # serve learns of a new credential when it next polls the registry
                # (about twice a second): until then it is unknown (401)
                while i == 0 and c.status == 401 and time.monotonic() - issued < 5:
                    c.close()
                    time.sleep(0.05)
                    c = BlockingWs(self.port, token)
                if i == 0 and c.status == 101:
                    self.known_times.append(time.monotonic() - issued)
                conns.append(c)
                if c.status != 101:
                    self.skipped += 1 if c.status in (502, 503) else 0
                    if c.status not in (502, 503):
                        self.failed.append(f"upgrade with a fresh token answered {c.status}")
                    return
                self.open += 1
                c.s.sendall(client_frame(0x1, b"before the revocation"))
                op, data = c.frame()
                if op != 0x1 or data != b"before the revocation":
                    self.failed.append(f"echo before the revocation: opcode {op}")
                    return
                self.echoed += 1
            self.cli("keys", "revoke", key)
            t0 = time.monotonic()
            codes = []
            for c in conns:
                c.s.settimeout(max(0.1, t0 + 10 - time.monotonic()))
                try:
                    while True:
                        op, data = c.frame()
                        if op == 0x8:
                            codes.append(close_code(data))
                            self.close_times.append(time.monotonic() - t0)
                            c.s.sendall(close_frame(close_code(data)))
                            break
                except socket.timeout:
                    codes.append("still open after 10 s")
                except (EOFError, OSError) as e:
                    codes.append(f"lost ({e})")
            after = BlockingWs(self.port, token)
            after.close()
            if all(code == 1008 for code in codes) and after.status == 401:
                self.passed += 1
            else:
                self.failed.append(f"closes {codes}, a new upgrade answered {after.status}")
        finally:
            for c in conns:
                if c.status == 101:
                    self.open -= 1
                c.close()


# --- analysis -----------------------------------------------------------------------

def slope_per_hour(points):
    """Least-squares slope of (seconds, value) points, per hour."""
    if len(points) < 3:
        return None
    mx = statistics.fmean(p[0] for p in points)
    my = statistics.fmean(p[1] for p in points)
    sxx = sum((p[0] - mx) ** 2 for p in points)
    if sxx == 0:
        return None
    return sum((p[0] - mx) * (p[1] - my) for p in points) / sxx * 3600


def plateau(samples, key, warmup, load_end):
    """Slope after the warm-up, medians of the middle and last thirds of the load."""
    pts = [(s["t"], s[key]) for s in samples if s[key] is not None and warmup <= s["t"] <= load_end]
    third = load_end / 3
    mid = [v for t, v in pts if third <= t < 2 * third]
    last = [v for t, v in pts if t >= 2 * third]
    return {"slope": slope_per_hour(pts), "middle": statistics.median(mid) if mid else None,
            "last": statistics.median(last) if last else None, "n": len(pts)}


def fmt(v, spec=",.0f", none="–"):
    return none if v is None else format(v, spec)


# --- the plot -------------------------------------------------------------------------

def nice_ticks(hi, n=5, round_up=True):
    """Ticks from 0 at a 1-2-2.5-5 step, and the axis' top (the last tick, or hi)."""
    if hi <= 0:
        return [0, 1], 1
    raw = hi / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if hi / (m * mag) <= n)
    top = math.ceil(hi / step - 1e-9) * step if round_up else hi
    return [i * step for i in range(int(top / step + 1e-9) + 1)], top


def esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def svg_plot(samples, warmup, load_end, restarts, title, path):
    W, H = 800, 300
    L, R, T, B = 64, 64, 46, 40
    pw, ph = W - L - R, H - T - B
    rss = [(s["t"] / 60, s["rss_kib"] / 1024) for s in samples if s["rss_kib"] is not None]
    fds = [(s["t"] / 60, s["fds"]) for s in samples if s["fds"] is not None]
    if not rss:
        return
    t_end = max(p[0] for p in rss)
    xt, xmax = nice_ticks(t_end, 10, round_up=False)
    yt, ymax = nice_ticks(max(p[1] for p in rss) * 1.05)
    # the right axis' ticks on the left one's grid lines: as many steps, a nice step
    steps, fhi = len(yt) - 1, max([p[1] for p in fds] or [1]) * 1.05
    mag = 10 ** math.floor(math.log10(fhi / steps))
    fstep = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag * steps >= fhi)
    ft, fmax = [i * fstep for i in range(steps + 1)], fstep * steps
    x = lambda v: L + pw * v / xmax
    y = lambda v: T + ph * (1 - v / ymax)
    yf = lambda v: T + ph * (1 - v / fmax)
    blue, orange, grey = "#1f5fa8", "#d9731a", "#888888"
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
         'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{W / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">{esc(title)}</text>']
    # warm-up, backend restarts, end of the load
    if warmup > 0:
        o.append(f'<rect x="{x(0):.1f}" y="{T}" width="{x(warmup / 60) - x(0):.1f}" height="{ph}" fill="#eeeeee"/>')
        o.append(f'<text x="{x(warmup / 120):.1f}" y="{T + 12}" text-anchor="middle" fill="{grey}">warm-up</text>')
    for i, (r0, _) in enumerate(restarts):
        xr = x(r0 / 60)
        o.append(f'<line x1="{xr:.1f}" y1="{T}" x2="{xr:.1f}" y2="{T + ph}" stroke="{grey}" stroke-dasharray="3,3"/>')
    if restarts:
        o.append(f'<text x="{x(restarts[0][0] / 60) + 3:.1f}" y="{T + ph - 4}" fill="{grey}">backend restart</text>')
    if load_end < t_end * 60:
        xe = x(load_end / 60)
        o.append(f'<line x1="{xe:.1f}" y1="{T}" x2="{xe:.1f}" y2="{T + ph}" stroke="black" stroke-dasharray="6,3"/>')
        o.append(f'<text x="{xe - 3:.1f}" y="{T + 12}" text-anchor="end">load stopped</text>')
    # grid and axes
    for v in yt:
        o.append(f'<line x1="{L}" y1="{y(v):.1f}" x2="{L + pw}" y2="{y(v):.1f}" stroke="#dddddd"/>')
        o.append(f'<text x="{L - 6}" y="{y(v) + 4:.1f}" text-anchor="end" fill="{blue}">{v:g}</text>')
    for v in ft:
        o.append(f'<line x1="{L + pw - 5}" y1="{yf(v):.1f}" x2="{L + pw}" y2="{yf(v):.1f}" stroke="{orange}"/>')
        o.append(f'<text x="{L + pw + 8}" y="{yf(v) + 4:.1f}" fill="{orange}">{v:g}</text>')
    for v in xt:
        o.append(f'<line x1="{x(v):.1f}" y1="{T + ph}" x2="{x(v):.1f}" y2="{T + ph + 5}" stroke="black"/>')
        o.append(f'<text x="{x(v):.1f}" y="{T + ph + 17}" text-anchor="middle">{v:g}</text>')
    o.append(f'<rect x="{L}" y="{T}" width="{pw}" height="{ph}" fill="none" stroke="black"/>')
    o.append(f'<text x="{L + pw / 2}" y="{H - 8}" text-anchor="middle">minutes</text>')
    o.append(f'<text transform="translate(16,{T + ph / 2}) rotate(-90)" text-anchor="middle" '
             f'fill="{blue}">resident memory (MiB)</text>')
    o.append(f'<text transform="translate({W - 12},{T + ph / 2}) rotate(90)" text-anchor="middle" '
             f'fill="{orange}">open descriptors</text>')
    # the series
    o.append(f'<polyline fill="none" stroke="{orange}" stroke-width="1.2" points="'
             + " ".join(f"{x(t):.1f},{yf(v):.1f}" for t, v in fds) + '"/>')
    o.append(f'<polyline fill="none" stroke="{blue}" stroke-width="2" points="'
             + " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in rss) + '"/>')
    # legend, between the title and the chart
    lx, ly = W / 2 - 200, 33
    o.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 22}" y2="{ly}" stroke="{blue}" stroke-width="2"/>')
    o.append(f'<text x="{lx + 28}" y="{ly + 4}">resident memory (VmRSS), left axis</text>')
    o.append(f'<line x1="{lx + 230}" y1="{ly}" x2="{lx + 252}" y2="{ly}" stroke="{orange}" stroke-width="1.2"/>')
    o.append(f'<text x="{lx + 258}" y="{ly + 4}">open descriptors, right axis</text>')
    o.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(o) + "\n")


# --- main -----------------------------------------------------------------------------

def stop_on_signal(signum, frame):
    raise KeyboardInterrupt


def build_loadgen(path):
    if os.path.exists(path):
        return
    print("building the load generator into build/bench", file=sys.stderr, flush=True)
    subprocess.run(["cmake", "-S", os.path.join(ROOT, "bench", "gateway"), "-B",
                    os.path.join(ROOT, "build", "bench"), "-G", "Ninja"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["ninja", "-C", os.path.join(ROOT, "build", "bench")], check=True, stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=30, help="load time (default %(default)s)")
    ap.add_argument("--warmup", type=float, help="minutes left out of the plateau (default: 5, at most a sixth)")
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "ci", "app", "gatehouse-cli", "gatehouse-cli"))
    ap.add_argument("--loadgen", default=os.path.join(ROOT, "build", "bench", "gatehouse-loadgen"))
    ap.add_argument("--out", help="folder for the results (default: a temporary one)")
    ap.add_argument("--workers", default="2")
    ap.add_argument("--backend-threads", default="1")
    ap.add_argument("--sample-every", type=float, default=5, help="seconds (default %(default)s)")
    ap.add_argument("--segment", type=float, default=60, help="paced segment seconds (default %(default)s)")
    ap.add_argument("--small", default="24,64,2000", help="paced stream: connections,bytes,msg/s (%(default)s)")
    ap.add_argument("--large", default="8,12288,200", help="paced stream: connections,bytes,msg/s (%(default)s)")
    ap.add_argument("--churn", type=float, default=200, help="connections opened per second (default %(default)s)")
    ap.add_argument("--vanish", type=float, default=0.2, help="share of them that vanish (default %(default)s)")
    ap.add_argument("--slow", type=float, default=0.1, help="share of slow readers (default %(default)s)")
    ap.add_argument("--max-open", type=int, default=2000, help="churn connections in flight at most")
    ap.add_argument("--restart-every", type=float, default=300, help="seconds between backend restarts (0: none)")
    ap.add_argument("--restart-pause", type=float, default=2, help="seconds the backend is down")
    ap.add_argument("--revoke-every", type=float, default=30, help="seconds between revocation checks (0: none)")
    ap.add_argument("--revoke-conns", type=int, default=4)
    ap.add_argument("--rss-slope", type=float, default=8192, help="KiB/h tolerated (default %(default)s)")
    ap.add_argument("--rss-step", type=float, default=1024,
                    help="KiB the last third's median may exceed the middle third's (default %(default)s)")
    ap.add_argument("--fd-slope", type=float, default=100, help="descriptors/h tolerated (default %(default)s)")
    ap.add_argument("--fd-step", type=float, default=16, help="descriptors, last third against middle")
    ap.add_argument("--fd-slack", type=int, default=4, help="descriptors above idle tolerated at the end")
    ap.add_argument("--rate-ratio", type=float, default=0.95, help="end/start achieved rate at least")
    ap.add_argument("--p99-ratio", type=float, default=2.0, help="end/start p99 at most")
    ap.add_argument("serve_options", nargs="*", help="more `serve` options (after --)")
    args = ap.parse_args()
    if args.warmup is None:
        args.warmup = min(5.0, args.minutes / 6)
    nofile = raise_fd_limit()
    random.seed()
    for tool in (args.cli,):
        if not os.access(tool, os.X_OK):
            sys.exit(f"soak: {tool} not found (build it, or --cli PATH)")
    try:
        build_loadgen(args.loadgen)
    except (subprocess.CalledProcessError, OSError) as e:
        print(f"soak: cannot build the load generator: {e}", file=sys.stderr)
        return 2

    tmp = tempfile.mkdtemp(prefix="gatehouse-soak-")
    out = args.out or tmp
    os.makedirs(out, exist_ok=True)
    procs = Procs()
    signal.signal(signal.SIGTERM, stop_on_signal)  # as Ctrl+C: the load stops, the results are printed
    echo_err = open(os.path.join(out, "echo.err"), "w")
    serve_err_path = os.path.join(out, "serve.err")
    log_path = os.path.join(out, "log.db")
    for stale in (log_path, log_path + "-wal", log_path + "-shm"):
        if os.path.exists(stale):
            os.remove(stale)
    common = ["--db", os.path.join(tmp, "registry.db"), "--secrets-file", os.path.join(tmp, "secrets")]

    def cli(*a):
        r = subprocess.run([args.cli, *a, *common], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"gatehouse-cli {' '.join(a)}: {r.stderr.strip()}")
        return r.stdout.strip()

    samples, drivers = [], []
    shared = None
    interrupted = False
    info = {}
    try:
        echo_port, port, admin = free_port(), free_port(), free_port()
        echo = Echo(procs, args.loadgen, echo_port, args.backend_threads, echo_err)
        echo.start()
        api = os.path.join(tmp, "soak.asyncapi.yaml")
        with open(api, "w") as f:
            f.write(f"""asyncapi: 2.6.0
info:
  title: Soak
  version: 1.0.0
channels:
  /echo:
    publish:
      operationId: sendEcho
      message:
        payload: {{}}
    subscribe:
      operationId: receiveEcho
      message:
        payload: {{}}
components:
  securitySchemes:
    bearer:
      type: http
      scheme: bearer
x-gatehouse:
  context: /soak
  endpoint: ws://127.0.0.1:{echo_port}
""")
        cli("apps", "create", "soak")
        cli("subscribe", "soak", "--api", api, "--plan", "AsyncUnlimited")
        token = cli("keys", "issue", "soak").splitlines()[-1].strip()
        # nothing removed from the log (the row counts are compared), then the caller's options
        serve_cmd = [args.cli, "serve", api, "--listen", f"127.0.0.1:{port}", "--workers", args.workers,
                     "--log-db", log_path, "--admin", f"127.0.0.1:{admin}", "--log-max-age", "0",
                     "--log-max-size", "0", *common, *args.serve_options]
        serve = procs.spawn(serve_cmd, stdout=subprocess.DEVNULL, stderr=open(serve_err_path, "w"))
        # ready once /metrics answers (a bare connect to the WebSocket port would be a
        # row of the log: a client that went away before its request)
        deadline = time.monotonic() + 20
        while fetch_metrics(admin) is None:
            if time.monotonic() > deadline or serve.poll() is not None:
                raise RuntimeError("serve did not start: " + open(serve_err_path).read().strip())
            time.sleep(0.1)
        pid = serve.pid
        log = LogCounter(log_path)
        # a few connections first, so that what the gateway opens once (registry
        # connections, threads) is in the idle figures
        for _ in range(4):
            for attempt in range(50):
                try:
                    c = BlockingWs(port, token)
                    break
                except ConnectionRefusedError:
                    time.sleep(0.1)
            if c.status != 101:
                raise RuntimeError(f"a first upgrade was answered {c.status}")
            c.s.sendall(client_frame(0x1, b"hello"))
            c.frame()
            c.s.sendall(close_frame())
            c.close()
        busy0 = machine_busy()
        time.sleep(2)
        busy1 = machine_busy()
        idle_busy = 100.0 * (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1])
        idle_fds = fd_count(pid)
        idle_kinds = fd_kinds(pid)
        thread_names = sorted(thread_cpu(pid))
        idle_rss, idle_threads = proc_status(pid)
        print(f"soak: serve pid {pid} on 127.0.0.1:{port} (admin {admin}), echo backend on {echo_port}; "
              f"idle: RSS {idle_rss} KiB, {idle_fds} descriptors, {idle_threads} threads; "
              f"RLIMIT_NOFILE {nofile}; {args.minutes:g} min of load, results in {out}", flush=True)

        start = time.monotonic()
        shared = Shared(start + args.minutes * 60)
        url = f"ws://127.0.0.1:{port}{PATH}"
        streams = []
        for name, spec in (("small", args.small), ("large", args.large)):
            c, size, rate = (int(v) for v in spec.split(","))
            if c > 0 and rate > 0:
                streams.append(PacedStream(name, shared, procs, args.loadgen, url, token, c, size, rate, args.segment))
        churn = (Churn(shared, port, token, args.churn, args.vanish, args.slow, args.max_open)
                 if args.churn > 0 else None)
        revoker = Revoker(shared, cli, port, args.revoke_every, args.revoke_conns) if args.revoke_every > 0 else None
        restarter = Restarter(shared, echo, args.restart_every, args.restart_pause) if args.restart_every > 0 else None
        drivers = [d for d in (*streams, churn, revoker, restarter) if d]
        for d in drivers:
            d.start()

        csv_file = open(os.path.join(out, "samples.csv"), "w", newline="")
        fields = ["t", "time", "rss_kib", "fds", "threads", "log_handshakes", "log_messages", "log_closes",
                  "gateway_open", "clients_open", "churn_inflight", "client_echoes", "metrics_messages",
                  "serve_cpu_s", "machine_busy_pct"] + [f"cpu_s {n}" for n in thread_names]
        writer = csv.DictWriter(csv_file, fieldnames=fields)
        writer.writeheader()

        def client_echoes():
            return (sum(2 * seg.get("echoed", 0) for s in streams for seg in s.segments)
                    + 2 * (churn.echoed if churn else 0) + 2 * (revoker.echoed if revoker else 0))

        busy_last = [machine_busy()]

        def sample(phase):
            # the process first: the /metrics request is a connection of its own
            rss, threads = proc_status(pid)
            fds = fd_count(pid)
            per_thread = thread_cpu(pid)
            busy = machine_busy()
            b0, busy_last[0] = busy_last[0], busy
            m = fetch_metrics(admin)
            rows = log.update()
            s = {"t": round(time.monotonic() - start, 2), "time": time.strftime("%H:%M:%S"), "rss_kib": rss,
                 "fds": fds, "threads": threads, "log_handshakes": rows["handshakes"],
                 "log_messages": rows["messages"], "log_closes": rows["closes"],
                 "gateway_open": metric_sum(m, "gatehouse_connections_open"),
                 "clients_open": sum(s.open for s in streams) + (churn.open if churn else 0)
                 + (revoker.open if revoker else 0),
                 "churn_inflight": churn.inflight if churn else 0, "client_echoes": client_echoes(),
                 "metrics_messages": metric_sum(m, "gatehouse_messages_total"), "serve_cpu_s": cpu_seconds(pid),
                 # (over at least a second of the machine's CPUs, else none)
                 "machine_busy_pct": round(100.0 * (busy[0] - b0[0]) / (busy[1] - b0[1]), 1)
                 if busy[1] - b0[1] >= os.cpu_count() * os.sysconf("SC_CLK_TCK") else None}
            s.update({f"cpu_s {n}": round(per_thread.get(n, 0.0), 2) for n in thread_names})
            samples.append(s)
            writer.writerow(s)
            csv_file.flush()
            if phase:
                print(f"{s['t'] / 60:5.1f} min  RSS {fmt(rss / 1024 if rss else None, '.1f')} MiB  "
                      f"fds {s['fds']}  threads {threads}  open {fmt(s['gateway_open'])} (clients "
                      f"{s['clients_open']})  log msgs {rows['messages']:,}  machine busy "
                      f"{fmt(s['machine_busy_pct'])} %  {phase}", flush=True)
            return s, m

        # --- the load -----------------------------------------------------------
        next_sample = start
        next_print = start
        try:
            while time.monotonic() < shared.deadline and not shared.stop.is_set():
                now = time.monotonic()
                sample("load" if now >= next_print else None)
                if now >= next_print:
                    next_print += 60
                if serve.poll() is not None:
                    shared.errors.append(f"serve exited with {serve.returncode}")
                    break
                next_sample += args.sample_every
                time.sleep(max(0.0, min(next_sample, shared.deadline) - time.monotonic()))
        except KeyboardInterrupt:
            interrupted = True
            print("soak: interrupted: stopping the load", file=sys.stderr, flush=True)
        load_end = time.monotonic() - start
        shared.stop.set()

        # --- the clients go, the log settles ---------------------------------------
        drained = False
        try:
            for s in streams:
                if interrupted or time.monotonic() > shared.deadline + 5:
                    s.kill()
            for d in drivers:
                d.join(60)
                if d.is_alive() and isinstance(d, PacedStream):
                    d.kill()
                    d.join(10)
            quiet_since, last_rows, final_m = None, None, None
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                s, final_m = sample(None)
                rows = (s["log_handshakes"], s["log_messages"], s["log_closes"])
                if rows == last_rows and s["gateway_open"] == 0:
                    if quiet_since is None:
                        quiet_since = time.monotonic()
                    elif time.monotonic() - quiet_since >= 3:
                        break
                else:
                    quiet_since = None
                last_rows = rows
                time.sleep(0.5)
            time.sleep(2)  # what is let go on a timer (memory given back, threads)
            end_kinds = fd_kinds(pid)
            end_sample, final_m = sample("after the load")
            drained = True
        except KeyboardInterrupt:
            print("soak: interrupted again: judging without waiting for the clients to go", file=sys.stderr)
            interrupted = True
            end_sample, final_m = (samples[-1] if samples else None), None
            end_kinds = fd_kinds(pid)
        csv_file.close()
        info.update(idle_fds=idle_fds, idle_rss=idle_rss, idle_threads=idle_threads, load_end=load_end,
                    end=end_sample, metrics=final_m, log=log.final(), streams=streams, churn=churn,
                    revoker=revoker, restarts=[(a - start, b - start) for a, b in shared.restarts],
                    errors=shared.errors, serve_cmd=serve_cmd, t0=start,
                    idle_kinds=idle_kinds, end_kinds=end_kinds, drained=drained, idle_busy=idle_busy,
                    driver_cpu=100 * sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) / max(1, load_end))
        log.close()
    except KeyboardInterrupt:
        interrupted = True
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        print(f"soak: {e}", file=sys.stderr)
        if shared:
            shared.stop.set()
        procs.stop_all()
        return 2
    finally:
        if shared:
            shared.stop.set()
        procs.stop_all()
        echo_err.close()

    if "end" not in info or not samples:
        print("soak: stopped before anything was measured", file=sys.stderr)
        return 1
    ok = report(args, info, samples, out, interrupted)
    if not args.out:
        for name in ("registry.db", "secrets", "soak.asyncapi.yaml"):
            try:
                os.remove(os.path.join(tmp, name))
            except OSError:
                pass
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"soak: results in {out}")
    return 0 if ok else 1


def report(args, info, samples, out, interrupted):
    load_end = info["load_end"]
    warmup = args.warmup * 60
    end = info["end"] or samples[-1]
    log = info["log"]
    m = info["metrics"]
    restarts = info["restarts"]
    failures = []

    # plateau
    rss = plateau(samples, "rss_kib", warmup, load_end)
    fds = plateau(samples, "fds", warmup, load_end)
    thr = plateau(samples, "threads", warmup, load_end)

    def grows(p, slope_tol, step_tol):
        if p["slope"] is None or p["middle"] is None or p["last"] is None:
            return None
        return p["slope"] > slope_tol and p["last"] - p["middle"] > step_tol

    rss_grows = grows(rss, args.rss_slope, args.rss_step)
    fds_grows = grows(fds, args.fd_slope, args.fd_step)
    if rss_grows is None or fds_grows is None:
        failures.append("plateau: too few samples after the warm-up to judge")
    if rss_grows:
        failures.append(f"plateau: resident memory grows {rss['slope']:+,.0f} KiB/h (tolerated {args.rss_slope:,.0f}), "
                        f"last third {rss['last'] - rss['middle']:+,.0f} KiB over the middle one")
    if fds_grows:
        failures.append(f"plateau: descriptors grow {fds['slope']:+,.0f}/h (tolerated {args.fd_slope:,.0f}), "
                        f"last third {fds['last'] - fds['middle']:+,.0f} over the middle one")

    # every message the clients saw relayed is in the log
    streams, churn, revoker = info["streams"], info["churn"], info["revoker"]
    paced_echoes = sum(seg.get("echoed", 0) for s in streams for seg in s.segments)
    churn_echoes = churn.echoed if churn else 0
    revoke_echoes = revoker.echoed if revoker else 0
    seen = 2 * (paced_echoes + churn_echoes + revoke_echoes)
    logged = log.get("messages")
    counted = metric_sum(m, "gatehouse_messages_total")
    not_stored = metric_sum(m, "gatehouse_log_events_not_stored_total")
    if logged is None:
        failures.append(f"logged: the message log could not be read ({log.get('error')})")
    else:
        if logged < seen:
            failures.append(f"logged: the log holds {logged:,} messages, the clients saw {seen:,} relayed")
        if counted is not None and logged != counted:
            failures.append(f"logged: the log holds {logged:,} messages, the gateway counted {counted:,.0f}")
        if not_stored:
            failures.append(f"logged: {not_stored:,.0f} events not stored (gatehouse_log_events_not_stored_total)")

    # no half-open connection
    half = []
    if end["gateway_open"] != 0:
        half.append(f"the gateway counts {fmt(end['gateway_open'])} open connections with every client gone")
    if end["fds"] is None or end["fds"] > info["idle_fds"] + args.fd_slack:
        half.append(f"{end['fds']} descriptors against {info['idle_fds']} idle")
    kinds = set(info["idle_kinds"]) | set(info["end_kinds"])
    fd_diff = {k: info["end_kinds"].get(k, 0) - info["idle_kinds"].get(k, 0) for k in sorted(kinds)}
    fd_diff = {k: v for k, v in fd_diff.items() if v}
    sockets_left = {k: v for k, v in fd_diff.items() if k.startswith("TCP socket") and "LISTEN" not in k and v > 0}
    if sockets_left:
        half.append("sockets left at the end: " + ", ".join(f"{v} {k}" for k, v in sockets_left.items()))
    if log.get("unclosed"):
        half.append(f"{log['unclosed']:,} opened connections without a close row in the log")
    no_fin = sum(v for k, v in (churn.counts if churn else {}).items() if "no FIN" in k)
    if no_fin:
        half.append(f"{no_fin:,} churn connections got no FIN after the close handshake")
    if not info["drained"]:
        # the clients were not let go: what is still open says nothing
        half = ["not judged: interrupted before the clients had gone"]
        failures = [f for f in failures if not f.startswith("logged")]
        failures.append("logged: not judged: interrupted before the log had settled")
    failures += ["half-open: " + h for h in half]

    # throughput at the end as at the start
    tput_rows = []
    for s in streams:
        good = [seg for seg in s.segments if "error" not in seg and not disturbed(seg, info)]
        k = max(1, min(5, len(good) // 4))
        if len(good) < 2:
            failures.append(f"throughput: {s.stream}: {len(good)} undisturbed segment(s), too few to compare")
            tput_rows.append((s, None, None, good))
            continue
        # the start: the first undisturbed segments once the warm-up is over (its own
        # are slower while everything is first allocated), unless none are left
        settled = [seg for seg in good if seg["t0"] - info["t0"] >= warmup] or good
        first, last = settled[:k], good[-k:]
        a = {key: statistics.median(seg[key] for seg in first) for key in ("achieved", "p50", "p99")}
        b = {key: statistics.median(seg[key] for seg in last) for key in ("achieved", "p50", "p99")}
        tput_rows.append((s, a, b, good))
        if b["achieved"] < args.rate_ratio * a["achieved"]:
            failures.append(f"throughput: {s.stream}: {b['achieved']:,.0f} msg/s at the end, "
                            f"{a['achieved']:,.0f} at the start ({b['achieved'] / a['achieved']:.2f}x)")
        if b["p99"] > args.p99_ratio * a["p99"]:
            failures.append(f"throughput: {s.stream}: round trip p99 {b['p99']:,.0f} µs at the end, "
                            f"{a['p99']:,.0f} at the start ({b['p99'] / a['p99']:.2f}x)")

    # revocations
    if revoker:
        for why in revoker.failed:
            failures.append(f"revocation: {why}")
    for e in info["errors"]:
        failures.append(f"driver: {e}")

    # --- the summary ------------------------------------------------------------
    def mib(v):
        return fmt(None if v is None else v / 1024, ",.1f")

    def yes(bad):
        return "–" if bad is None else ("**no**" if bad else "yes")

    during = [x for x in samples if x["t"] <= load_end]
    serve_cpu = None
    if len(during) >= 2 and during[-1]["serve_cpu_s"] is not None and during[0]["serve_cpu_s"] is not None:
        serve_cpu = (100 * (during[-1]["serve_cpu_s"] - during[0]["serve_cpu_s"])
                     / max(1, during[-1]["t"] - during[0]["t"]))
    # serve's CPU by thread in the middle and the last third: does any cost more per
    # second of the same load as time goes on?
    third = load_end / 3

    def cpu_rate(key, lo, hi):
        part = [x for x in during if lo <= x["t"] <= hi and x.get(key) is not None]
        if len(part) < 2 or part[-1]["t"] <= part[0]["t"]:
            return None
        return 100 * (part[-1][key] - part[0][key]) / (part[-1]["t"] - part[0]["t"])

    cpu_keys = ["serve_cpu_s"] + [k for k in (samples[0] if samples else {}) if k.startswith("cpu_s ")]
    cpu_thirds = {k: (cpu_rate(k, third, 2 * third), cpu_rate(k, 2 * third, load_end)) for k in cpu_keys}
    busy = [x["machine_busy_pct"] for x in during if x["machine_busy_pct"] is not None]
    busy = statistics.fmean(busy) if busy else None
    machine = (f"Machine: {platform.node()} · {platform.processor() or platform.machine()} · {os.cpu_count()} CPUs · "
               f"{platform.platform()} · {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    stream_desc = ", ".join(f"{s.rate:,} msg/s × {s.size:,} B over {s.conns} connections" for s in streams)
    settings = (f"Settings: {load_end / 60:.1f} min of load{' (interrupted)' if interrupted else ''}, "
                f"warm-up {args.warmup:.3g} min; serve --workers {args.workers}"
                f"{''.join(' ' + o for o in args.serve_options)}; paced in {args.segment:g} s segments: {stream_desc}; "
                f"churn {args.churn:g} connections/s ({args.vanish:.0%} vanish, {args.slow:.0%} slow readers); "
                f"backend restarted every {args.restart_every:g} s ({len(restarts)} times); a token revoked every "
                f"{args.revoke_every:g} s; sampled every {args.sample_every:g} s. During the load serve used "
                f"{fmt(serve_cpu, '.0f')} % of a CPU, this script (churn, revocations, sampling) "
                f"{info['driver_cpu']:.0f} %, the machine was {fmt(busy, '.0f')} % busy (all its CPUs; "
                f"{info['idle_busy']:.0f} % before the load, with other work).")
    lines = [machine, settings, "",
             "| gateway process | idle before | middle third | last third | trend after warm-up | at the end | no growth |",
             "| --- | ---: | ---: | ---: | ---: | ---: | :---: |",
             f"| resident memory MiB | {mib(info['idle_rss'])} | {mib(rss['middle'])} | {mib(rss['last'])} | "
             f"{fmt(rss['slope'], '+,.0f')} KiB/h | {mib(end['rss_kib'])} | {yes(rss_grows)} |",
             f"| open descriptors | {info['idle_fds']} | {fmt(fds['middle'])} | {fmt(fds['last'])} | "
             f"{fmt(fds['slope'], '+,.0f')}/h | {end['fds']} | {yes(fds_grows)} |",
             f"| threads | {info['idle_threads']} | {fmt(thr['middle'])} | {fmt(thr['last'])} | "
             f"{fmt(thr['slope'], '+,.1f')}/h | {end['threads']} | |",
             f"| CPU % of one core (all threads) | | {fmt(cpu_thirds['serve_cpu_s'][0], '.1f')} | "
             f"{fmt(cpu_thirds['serve_cpu_s'][1], '.1f')} | | | |"]
    for k, (a, b) in cpu_thirds.items():
        if k != "serve_cpu_s" and max(a or 0, b or 0) >= 0.5:
            lines.append(f"| CPU % {k[6:]} | | {fmt(a, '.1f')} | {fmt(b, '.1f')} | | | |")
    lines += [""]
    lines += ["| paced stream | segments: all / failed / undisturbed | start msg/s | end msg/s | ratio | start p50 / p99 µs | "
              "end p50 / p99 µs | p99 ratio |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for s, a, b, good in tput_rows:
        label = f"{s.stream}: {s.rate:,} msg/s × {s.size:,} B, {s.conns} conns"
        if a is None:
            lines.append(f"| {label} | {segs(s, good)} | – | – | – | – | – | – |")
            continue
        lines.append(f"| {label} | {segs(s, good)} | {a['achieved']:,.0f} | {b['achieved']:,.0f} | "
                     f"{b['achieved'] / a['achieved']:.2f}x | {a['p50']:,.0f} / {a['p99']:,.0f} | "
                     f"{b['p50']:,.0f} / {b['p99']:,.0f} | {b['p99'] / a['p99']:.2f}x |")
    cc = churn.counts if churn else {}
    kinds_started = ", ".join(f"{v:,} {k[8:]}" for k, v in sorted(cc.items()) if k.startswith("started"))
    started = sum(v for k, v in cc.items() if k.startswith("started"))
    refused = {k.split()[1]: v for k, v in cc.items() if k.startswith("refused")}
    gw_closed = {k.rsplit(" ", 1)[1]: v for k, v in cc.items() if k.startswith("closed by the gateway")}
    causes = {}
    for labels, v in (m or {}).get("gatehouse_connection_closes_total", []):
        key = f"{labels.get('cause')} {labels.get('code')}"
        causes[key] = causes.get(key, 0) + v
    rejections = {labels.get("status"): v for labels, v in (m or {}).get("gatehouse_handshake_rejections_total", [])}
    lines += ["", "| check | figures | holds |", "| --- | --- | :---: |",
              f"| every relayed message in the log | {fmt(logged)} messages logged (metrics {fmt(counted)}, "
              f"closes' in + out {fmt(log.get('closes_messages'))}); clients saw {seen:,} relayed (paced "
              f"{2 * paced_echoes:,}, churn {2 * churn_echoes:,}, revocation checks {2 * revoke_echoes:,}) "
              f"| {yes(any(f.startswith('logged') for f in failures)) if info['drained'] else 'not judged'} |",
              f"| no half-open connection | at the end {fmt(end['gateway_open'])} open, {end['fds']} descriptors "
              f"(idle {info['idle_fds']}); log: {fmt(log.get('handshakes_accepted'))} opened, "
              f"{fmt(log.get('closes'))} closed, {fmt(log.get('unclosed'))} without a close; churn: "
              f"{no_fin:,} without the gateway's FIN; descriptors at the end against idle: "
              f"{', '.join(f'{v:+d} {k}' for k, v in fd_diff.items()) or 'the same'} | "
              f"{yes(bool(half)) if info['drained'] else 'not judged'} |",
              f"| token revocations | " + (
                  f"{revoker.passed} of {revoker.passed + len(revoker.failed)} checks passed"
                  f"{f', {revoker.skipped} skipped (backend down)' if revoker.skipped else ''}; 1008 within "
                  f"{fmt(max(revoker.close_times) if revoker.close_times else None, '.2f')} s of `keys revoke` "
                  f"(median {fmt(statistics.median(revoker.close_times) if revoker.close_times else None, '.2f')} s);"
                  f" a fresh token accepted {fmt(max(revoker.known_times) if revoker.known_times else None, '.2f')} s"
                  f" after `keys issue` at most"
                  f" | {yes(bool(revoker.failed))} |" if revoker else "none | – |"),
              f"| churn | {started:,} connections ({kinds_started}); "
              f"refused: {', '.join(f'{v:,} × {k}' for k, v in sorted(refused.items())) or 'none'}; closed by the gateway: "
              f"{', '.join(f'{v:,} × {k}' for k, v in sorted(gw_closed.items())) or 'none'} | |",
              f"| backend restarts | {len(restarts)}; the gateway's closes by cause: "
              + ", ".join(f"{k} {v:,.0f}" for k, v in sorted(causes.items())) + "; rejections: "
              + (", ".join(f"{k} {v:,.0f}" for k, v in sorted(rejections.items())) or "none") + " | |"]
    other = {k: v for k, v in cc.items() if not k.startswith(("started", "refused", "closed by the gateway",
                                                               "clean: close answered 1000",
                                                               "slow reader: close answered 1000"))}
    if other:
        lines += ["", "Churn outcomes besides the expected: "
                  + "; ".join(f"{k}: {v:,}" for k, v in sorted(other.items())) + "."]
    text = "\n".join(lines)
    print()
    print(text)
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(out, "segments.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["stream", "start_s", "end_s", "size", "rate", "conns", "achieved", "p50_us", "p99_us", "echoed",
                    "disturbed", "error"])
        for s in streams:
            for seg in s.segments:
                w.writerow([s.stream, round(seg["t0"] - info["t0"], 1), round(seg["t1"] - info["t0"], 1), seg["size"],
                            seg["rate"], seg["conns"], seg.get("achieved"), seg.get("p50"), seg.get("p99"),
                            seg.get("echoed"), disturbed(seg, info), seg.get("error", "")])
    svg_plot(samples, warmup, load_end, restarts,
             f"gatehouse-cli serve, {load_end / 60:.{0 if load_end >= 600 else 1}f} min soak: resident memory and descriptors",
             os.path.join(out, "memory.svg"))
    print()
    if failures:
        for f_ in failures:
            print("FAIL " + f_)
    else:
        print("PASS: memory and descriptors level off, every relayed message is logged, no connection is left "
              "half-open, throughput at the end as at the start" + (", every revocation took effect" if revoker else ""))
    return not failures


def segs(stream, good):
    return f"{len(stream.segments)} / {sum(1 for x in stream.segments if 'error' in x)} / {len(good)}"


def disturbed(seg, info):
    """A segment during which the backend restarted (its clients were closed)."""
    return any(seg["t0"] - info["t0"] <= r1 + 1 and r0 <= seg["t1"] - info["t0"] for r0, r1 in info["restarts"])


if __name__ == "__main__":
    sys.exit(main())
