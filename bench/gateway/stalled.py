#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stalled readers: clients that never read while their backend floods them.

`gatehouse-cli serve` relays N clients to a backend (in this script) that sends each
of them 16 KiB binary messages for as long as the connection takes them, once the
client asked; the clients never read. Measured, on the gateway process:

- resident memory (VmRSS) with N idle connections (upgraded, nothing sent), then
  once the N stalled ones settled, and the growth per stalled connection; where it
  lies (/proc/PID/smaps: the main heap, glibc's per-thread arenas, other anonymous
  mappings such as buffers mapped apart);
- the round trip of another client through the same gateway (an echo API), before
  the stall and during it: median and p99 of --pings round trips, and the ratio;
- resident memory once the stalled clients closed (after --settle seconds).

    bench/gateway/stalled.py [--clients 1000] [--size 16384] [--cli PATH] [-- serve options]

The stalled clients' receive buffers and the backend's send buffers are fixed small
(--client-rcvbuf 16 KiB, --backend-sndbuf 64 KiB) so that 1,000 of them do not put
the machine's TCP memory under pressure; what the kernel holds is not in the
gateway's resident set anyway (the script prints it). Not a test: nothing here
passes or fails.
"""
import argparse
import base64
import hashlib
import os
import selectors
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accept_key(request):
    for line in request.split(b"\r\n"):
        if line.lower().startswith(b"sec-websocket-key:"):
            key = line.split(b":", 1)[1].strip()
            return base64.b64encode(hashlib.sha1(key + GUID).digest())
    return b""


class Backend(threading.Thread):
    """Two listeners on one selector: `flood` sends SIZE-byte binary messages to a
    connection once it sent anything, for as long as its socket takes them; `echo`
    answers every message with the same text."""

    def __init__(self, size, sndbuf):
        super().__init__(daemon=True)
        self.sndbuf = sndbuf
        self.sel = selectors.DefaultSelector()
        self.frame = b"\x82\x7f" + struct.pack("!Q", size) + b"x" * size if size > 65535 else (
            b"\x82\x7e" + struct.pack("!H", size) + b"x" * size if size > 125 else
            bytes([0x82, size]) + b"x" * size)
        self.flooding = 0
        self.sent = 0  # bytes flooded so far
        self.ports = {}
        for kind in ("flood", "echo"):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", 0))
            s.listen(4096)
            s.setblocking(False)
            self.ports[kind] = s.getsockname()[1]
            self.sel.register(s, selectors.EVENT_READ, ("listen", kind))

    def run(self):
        while True:
            for key, mask in self.sel.select():
                what = key.data
                if what[0] == "listen":
                    while True:
                        try:
                            c, _ = key.fileobj.accept()
                        except BlockingIOError:
                            break
                        c.setblocking(False)
                        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                        if what[1] == "flood":
                            c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.sndbuf)
                        self.sel.register(c, selectors.EVENT_READ, ["conn", what[1], bytearray(), False, b""])
                    continue
                self.serve(key.fileobj, key.data, mask)

    def close(self, s):
        self.sel.unregister(s)
        s.close()

    def serve(self, s, state, mask):
        kind = state[1]
        if mask & selectors.EVENT_WRITE:
            self.pump(s, state)
        if not mask & selectors.EVENT_READ:
            return
        try:
            data = s.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.close(s)
            return
        buf = state[2]
        buf += data
        if not state[3]:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            s.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      b"Sec-WebSocket-Accept: " + accept_key(bytes(buf[:end])) + b"\r\n\r\n")
            del buf[:end + 4]
            state[3] = True
        while len(buf) >= 2:
            n = buf[1] & 0x7F
            head = 2
            if n == 126:
                if len(buf) < 4:
                    return
                n, head = struct.unpack("!H", buf[2:4])[0], 4
            elif n == 127:
                if len(buf) < 10:
                    return
                n, head = struct.unpack("!Q", buf[2:10])[0], 10
            masked = buf[1] & 0x80
            if len(buf) < head + (4 if masked else 0) + n:
                return
            opcode = buf[0] & 0x0F
            mask_key = bytes(buf[head:head + 4]) if masked else b"\0\0\0\0"
            start = head + (4 if masked else 0)
            payload = bytes(b ^ mask_key[i % 4] for i, b in enumerate(buf[start:start + n]))
            del buf[:start + n]
            if opcode == 8:
                self.close(s)
                return
            if kind == "echo" and opcode == 1:
                s.sendall(bytes([0x81, len(payload)]) + payload)
            elif kind == "flood" and not state[4]:
                state[4] = b"go"
                self.flooding += 1
                self.pump(s, state)

    def pump(self, s, state):
        # state[4]: what is left of the frame being sent (a send may take part of it)
        try:
            while True:
                if not state[4] or state[4] == b"go":
                    state[4] = self.frame
                n = s.send(state[4])
                state[4] = state[4][n:]
                self.sent += n
        except BlockingIOError:
            pass
        except OSError:
            return
        self.sel.modify(s, selectors.EVENT_READ | selectors.EVENT_WRITE, state)


def upgrade(port, path, rcvbuf=None):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", port))
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    answer = b""
    while not answer.endswith(b"\r\n\r\n"):
        c = s.recv(1)
        if not c:
            raise RuntimeError(f"connection closed during the upgrade: {answer!r}")
        answer += c
    if not answer.startswith(b"HTTP/1.1 101 "):
        raise RuntimeError(f"upgrade refused: {answer.splitlines()[0]!r}")
    return s


def text_frame(text):
    return bytes([0x81, 0x80 | len(text)]) + b"\0\0\0\0" + text


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def settled_rss(pid, quiet_kib, timeout=60):
    samples = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        time.sleep(0.2)
        samples.append(rss_kib(pid))
        if len(samples) > 5 and abs(samples[-1] - samples[-6]) < quiet_kib:
            break
    return samples[-1]


def smaps(pid):
    """Resident KiB by kind: the main heap, arenas (64 MiB-aligned anonymous heaps of
    glibc's other threads), other anonymous mappings, files."""
    out = {"heap": 0, "arenas": 0, "anon": 0, "files": 0}
    kind = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5 and not fields[0].endswith(":"):
                start = int(fields[0].split("-")[0], 16)
                name = fields[5] if len(fields) > 5 else ""
                if name == "[heap]":
                    kind = "heap"
                elif name.startswith("/"):
                    kind = "files"
                elif not name and start % (64 << 20) == 0:
                    kind = "arenas"
                else:
                    kind = "anon"
            elif fields[0] == "Rss:":
                out[kind] += int(fields[1])
    return out


def malloc_stats(pid, tmp):
    """glibc's own account (per arena: from the system, in use), through gdb."""
    err = os.path.join(tmp, "serve.err")
    start = os.path.getsize(err)
    subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", "call (void)malloc_stats()"],
                   capture_output=True, timeout=60)
    with open(err) as f:
        f.seek(start)
        print(f.read().strip())


def tcp_mem_kib():
    with open("/proc/net/sockstat") as f:
        for line in f:
            if line.startswith("TCP:"):
                fields = line.split()
                return int(fields[fields.index("mem") + 1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    return -1


def round_trips(port, count):
    s = upgrade(port, "/calm/1.0.0/echo")
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    times = []
    for i in range(count):
        t = time.perf_counter()
        s.sendall(text_frame(b"ping %d" % i))
        got = b""
        while len(got) < 2 or len(got) < 2 + got[1]:
            got += s.recv(256)
        times.append((time.perf_counter() - t) * 1e6)
        time.sleep(0.002)
    s.close()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--size", type=int, default=16384)
    ap.add_argument("--pings", type=int, default=500)
    ap.add_argument("--client-rcvbuf", type=int, default=16384)
    ap.add_argument("--backend-sndbuf", type=int, default=65536)
    ap.add_argument("--malloc-stats", action="store_true", help="print glibc's malloc_stats() when stalled (gdb)")
    ap.add_argument("--settle", type=float, default=5)
    ap.add_argument("--workers", default="2")
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "ci", "app", "gatehouse-cli", "gatehouse-cli"))
    ap.add_argument("serve_options", nargs="*")
    args = ap.parse_args()
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    backend = Backend(args.size, args.backend_sndbuf)
    backend.start()
    tmp = tempfile.mkdtemp(prefix="gatehouse-stalled-")
    docs = []
    for context, port in (("/flood", backend.ports["flood"]), ("/calm", backend.ports["echo"])):
        doc = os.path.join(tmp, context[1:] + ".yaml")
        with open(doc, "w") as f:
            f.write(f"""asyncapi: 2.6.0
info:
  title: Stalled
  version: 1.0.0
channels:
  /echo:
    publish:
      operationId: sendEcho
      x-auth-type: None
      message:
        payload:
          type: string
    subscribe:
      operationId: receiveEcho
      x-auth-type: None
      message:
        payload:
          type: string
x-gatehouse:
  context: {context}
  endpoint: ws://127.0.0.1:{port}
""")
        docs.append(doc)
    port = free_port()
    serve = subprocess.Popen([args.cli, "serve", *docs, "--listen", f"127.0.0.1:{port}", "--workers", args.workers,
                              "--db", os.path.join(tmp, "g.db"), "--secrets-file", os.path.join(tmp, "secrets"),
                              *args.serve_options],
                             stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "serve.err"), "w"))
    try:
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.time() > deadline or serve.poll() is not None:
                    sys.exit("serve did not start: " + open(os.path.join(tmp, "serve.err")).read())
                time.sleep(0.05)
        pid = serve.pid
        print(f"serve {' '.join(args.serve_options)}: {args.clients} clients, {args.size} B messages")
        unloaded = round_trips(port, args.pings)
        base = settled_rss(pid, 16)
        clients = [upgrade(port, "/flood/1.0.0/echo", args.client_rcvbuf) for _ in range(args.clients)]
        idle = settled_rss(pid, 64)
        idle_maps = smaps(pid)
        print(f"before:  RSS {base} KiB")
        print(f"idle:    RSS {idle} KiB  {idle_maps}")
        t = time.time()
        for c in clients:
            c.sendall(text_frame(b"go"))
        while backend.flooding < args.clients and time.time() - t < 60:
            time.sleep(0.05)
        # settled: the backend could send nothing more for a second (every gateway
        # leg stopped reading), and the resident set stopped growing
        last = -1
        while backend.sent != last and time.time() - t < 120:
            last = backend.sent
            time.sleep(1)
        stalled = settled_rss(pid, max(64, args.clients))
        print(f"flooded {backend.sent / args.clients / 1024:.0f} KiB per connection before all stopped; "
              f"kernel TCP memory {tcp_mem_kib()} KiB")
        stalled_maps = smaps(pid)
        per = (stalled - idle) / args.clients
        print(f"stalled: RSS {stalled} KiB  {stalled_maps}  ({time.time() - t:.1f} s)")
        print(f"per stalled connection: {per:.1f} KiB  "
              + "  ".join(f"{k} {(stalled_maps[k] - idle_maps[k]) / args.clients:.1f}" for k in stalled_maps))
        ticks = cpu_ticks(pid)
        time.sleep(2)
        print(f"serve CPU while they are stalled: {100.0 * (cpu_ticks(pid) - ticks) / TICKS / 2:.1f} %")
        if args.malloc_stats:
            malloc_stats(pid, tmp)
        loaded = round_trips(port, args.pings)
        print(f"round trip µs, median / p99: unloaded {unloaded[0]:.0f} / {unloaded[1]:.0f}, "
              f"with the stalled {loaded[0]:.0f} / {loaded[1]:.0f} ({loaded[0] / unloaded[0]:.2f}x median)")
        for c in clients:
            c.close()
        time.sleep(args.settle)
        after = rss_kib(pid)
        again = round_trips(port, args.pings)
        print(f"round trip µs once they closed: {again[0]:.0f} / {again[1]:.0f}")
        print(f"closed:  RSS {after} KiB  {smaps(pid)}: {after - base:+d} KiB against before the clients, "
              f"{100.0 * (stalled - after) / max(1, stalled - idle):.0f} % of the growth given back")
    finally:
        serve.terminate()
        serve.wait(10)


if __name__ == "__main__":
    main()
