#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gateway benchmark: the same echo backend reached directly, through nginx as a
WebSocket proxy, and through the Gatehouse gateway with authentication, rate
limiting (unlimited plan) and logging on. Each measurement runs for every setup
before the next one starts, in an order that alternates (direct, nginx, gateway,
then gateway, nginx, direct, ...), and medians of the repetitions are reported;
the gateway / nginx column is the median of the ratios within each repetition.

    bench/gateway/run.py [--reps 5] [--seconds 3] [--hold 8000] [--cli PATH] [--output FILE]

`--targets direct,nginx,gateway,window` adds the desktop app: `gatehouse --run` under
Xvfb on the same document, registry and token, showing its Dashboard (`--window-tab
log` shows the Message Log instead); the table then has a window column and window /
gateway, and the paced step reports the CPU share of the window's GUI thread. `nometrics` adds a second `serve` on the
same document and registry with `--no-metrics`; the table then has a no metrics
column and gateway / no metrics, what counting the metrics costs the relay.

`--pin` shares one CPU between the proxy and its backend: nginx or the gateway and
the echo server run under `taskset -c 0`, the load generator under `taskset -c 1`,
with one worker and one echo thread unless told otherwise. The `tail` measurement
(`--only tail`) is made for that setup: round trips paced at 10,000 msg/s over 100
connections, their p50, p99 and p99.9. With the gateway logging and counting
metrics, its log writer and checkpoints then compete with the relay for that CPU.

Needs: a built gatehouse-cli (build/dev by default), nginx, cmake + ninja for the
load generator (built into build/bench). Not a test: nothing here passes or fails.
"""
import argparse
import json
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
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 40000) if hard != resource.RLIM_INFINITY else 40000
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))


def wait_port(port, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def process_tree(pid):
    """pid and its children (nginx master + workers)."""
    pids = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    pids.append(int(entry))
            except OSError:
                pass
    return pids


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except OSError:
            pass
    return total / TICKS


def gui_thread(root):
    """(pid, tid) of the gatehouse process under `root` (xvfb-run) and its main thread."""
    for pid in process_tree(root):
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() == "gatehouse":
                    return pid, pid
        except OSError:
            pass
    return None, None


def thread_cpu_seconds(pid, tid):
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/task/{tid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except OSError:
        return 0.0


def rss_kib(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


class Bench:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="gatehouse-bench-")
        self.procs = []
        self.loadgen = os.path.join(ROOT, "build", "bench", "gatehouse-loadgen")
        self.cli = args.cli
        self.gateway_dir = None
        self.relayed = 0  # messages the gateway relayed (round trips x 2, all runs)
        self.log_summary = None
        # the proxies and the backend on CPU 0, the load generator on CPU 1
        self.server_cpu = ["taskset", "-c", "0"] if args.pin else []
        self.client_cpu = ["taskset", "-c", "1"] if args.pin else []

    def spawn(self, cmd, **kw):
        # each in a session of its own, so that what it starts (xvfb-run's Xvfb and
        # app, nginx's workers) is stopped with it
        p = subprocess.Popen(cmd, start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def cleanup(self):
        for p in reversed(self.procs):
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(p.pid, signal.SIGKILL)  # what is left of its group
            except ProcessLookupError:
                pass
        if self.gateway_dir:
            self.log_summary = self.summarize_log()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def summarize_log(self):
        # Did the message log keep up? Messages it holds and events it dropped (the
        # gateway warns on stderr when its bounded queue overflows).
        dropped = 0
        try:
            with open(os.path.join(self.gateway_dir, "serve.err")) as f:
                for m in re.finditer(r"message log: (\d+) events dropped", f.read()):
                    dropped += int(m.group(1))
        except OSError:
            pass
        logged = None
        try:
            db = sqlite3.connect(os.path.join(self.gateway_dir, "log.db"))
            logged = db.execute("SELECT COALESCE(SUM(count), 0) FROM log_message_blocks").fetchone()[0]
            db.close()
        except sqlite3.Error:
            pass
        return {"relayed": self.relayed, "logged": logged, "dropped": dropped}

    def loadgen_json(self, args):
        out = subprocess.run(self.client_cpu + [self.loadgen] + args, capture_output=True, text=True,
                             timeout=600)
        line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "{}"
        result = json.loads(line)
        if "error" in result or out.returncode != 0:
            raise RuntimeError(f"loadgen {' '.join(args)}: {result.get('error', out.stderr.strip())}")
        return result

    # --- setups -----------------------------------------------------------------

    def build_tools(self):
        subprocess.run(["cmake", "-S", os.path.join(ROOT, "bench", "gateway"), "-B",
                        os.path.join(ROOT, "build", "bench"), "-G", "Ninja"], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run(["ninja", "-C", os.path.join(ROOT, "build", "bench")], check=True,
                       stdout=subprocess.DEVNULL)

    def start_echo(self):
        p = self.spawn(self.server_cpu + [self.loadgen, "echo", "--threads", str(self.args.backend_threads)],
                       stdout=subprocess.PIPE, text=True)
        self.echo_port = json.loads(p.stdout.readline())["port"]
        self.echo_pid = p.pid

    def start_nginx(self):
        port = free_port()
        prefix = os.path.join(self.tmp, "nginx")
        os.makedirs(prefix, exist_ok=True)
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""
worker_processes {self.args.workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
worker_rlimit_nofile 40000;
events {{ worker_connections 20000; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location / {{
            proxy_pass http://127.0.0.1:{self.echo_port};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 3600s;
            tcp_nodelay on;
        }}
    }}
}}
""")
        p = self.spawn(self.server_cpu + ["nginx", "-p", prefix, "-e", f"{prefix}/error.log", "-c", conf, "-g", "daemon off;"])
        if not wait_port(port):
            raise RuntimeError("nginx did not start")
        time.sleep(0.3)
        self.nginx = {"url": f"ws://127.0.0.1:{port}/echo", "headers": [], "pids": lambda: process_tree(p.pid)}

    def start_gateway(self):
        port = free_port()
        d = os.path.join(self.tmp, "gateway")
        os.makedirs(d, exist_ok=True)
        self.gateway_dir = d
        api = os.path.join(d, "bench.asyncapi.yaml")
        with open(api, "w") as f:
            f.write(f"""asyncapi: 2.6.0
info:
  title: Bench
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
  context: /bench
  endpoint: ws://127.0.0.1:{self.echo_port}
""")
        common = ["--db", os.path.join(d, "registry.db"), "--secrets-file", os.path.join(d, "secrets")]
        def cli(*a):
            r = subprocess.run([self.cli] + list(a) + common, capture_output=True, text=True, timeout=60)
            if r.returncode != 0:
                raise RuntimeError(f"gatehouse-cli {' '.join(a)}: {r.stderr.strip()}")
            return r.stdout.strip()
        cli("apps", "create", "bench")
        cli("subscribe", "bench", "--api", api, "--plan", "AsyncUnlimited")
        token = cli("keys", "issue", "bench").splitlines()[-1].strip()
        self.bench_api, self.bench_token = api, token
        self.serve_common = common
        self.gateway = self.serve(port, "serve", [])
        if "nometrics" in self.args.targets.split(","):
            # the same gateway counting no metrics: what they cost the relay
            self.nometrics = self.serve(free_port(), "serve-nometrics", ["--no-metrics"])

    def serve(self, port, name, extra):
        d = self.gateway_dir
        db = "log.db" if name == "serve" else name + ".db"
        log = [] if self.args.no_log else ["--log-db", os.path.join(d, db)]
        p = self.spawn(self.server_cpu + [self.cli, "serve", self.bench_api, "--listen", f"127.0.0.1:{port}",
                        "--workers", str(self.args.workers)] + log + extra + self.serve_common,
                       stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, name + ".err"), "w"))
        if not wait_port(port):
            raise RuntimeError("gatehouse-cli serve did not start: " + open(os.path.join(d, name + ".err")).read())
        return {"url": f"ws://127.0.0.1:{port}/bench/1.0.0/echo",
                "headers": [f"Authorization: Bearer {self.bench_token}"], "pids": lambda: [p.pid]}

    def start_window(self):
        """The desktop app running the same API (its own listen address), on the same
        registry, under Xvfb."""
        port = free_port()
        d = os.path.join(self.tmp, "window")
        os.makedirs(d, exist_ok=True)
        api = os.path.join(d, "bench.asyncapi.yaml")
        with open(self.bench_api) as src, open(api, "w") as f:
            f.write(src.read().replace("x-gatehouse:\n", f"x-gatehouse:\n  listen: 127.0.0.1:{port}\n"))
        env = dict(os.environ, GATEHOUSE_DB=os.path.join(self.gateway_dir, "registry.db"),
                   XDG_CONFIG_HOME=os.path.join(d, "config"), QT_QPA_PLATFORM="xcb")
        p = self.spawn(["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", self.args.app, "--run",
                        "--show", self.args.window_tab, api],
                       env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, "app.err"), "w"))
        if not wait_port(port, 60):
            raise RuntimeError("gatehouse --run did not start: " + open(os.path.join(d, "app.err")).read())
        time.sleep(1)
        self.window = {"url": f"ws://127.0.0.1:{port}/bench/1.0.0/echo",
                       "headers": [f"Authorization: Bearer {self.bench_token}"],
                       "pids": lambda: process_tree(p.pid),
                       "gui": lambda: gui_thread(p.pid)}

    # --- measurements ----------------------------------------------------------

    def base_args(self, target):
        hdr = []
        for h in target["headers"]:
            hdr += ["-H", h]
        return ["--url", target["url"], "--threads", str(self.args.client_threads)] + hdr

    def steps(self):
        """The measurements, each a function of (name, target, results). Every step
        runs for all targets before the next step begins, so that a slow phase of
        the machine (they last tens of seconds on a shared VM) falls on the targets
        of one step alike instead of on one target's whole series."""
        a = self.args
        steps = []
        for conns in (1, 16, 256) if "throughput" in a.only else ():
            for size in (64, 4096):
                steps.append(lambda name, target, results, conns=conns, size=size:
                             self.throughput(name, target, conns, size, results))
        if "paced" in a.only:
            steps.append(self.paced)
        if "handshakes" in a.only:
            steps.append(self.handshakes)
        if "tail" in a.only:
            steps.append(self.tail)
        return steps

    def throughput(self, name, target, conns, size, results):
        r = self.loadgen_json(["throughput", "-c", str(conns), "--size", str(size),
                               "--seconds", str(self.args.seconds)] + self.base_args(target))
        results.setdefault((name, f"throughput c={conns} {size}B msg/s"), []).append(r["messages_per_s"])
        if name == "gateway":
            self.relayed += 2 * r["echoed"]

    def handshakes(self, name, target, results):
        r = self.loadgen_json(["handshakes", "-c", "64", "--seconds", str(self.args.seconds)]
                              + self.base_args(target))
        results.setdefault((name, "handshakes/s"), []).append(r["handshakes_per_s"])

    def paced(self, name, target, results):
        a = self.args
        base = self.base_args(target)
        pids = target["pids"]() if target["pids"] else []
        c0 = cpu_seconds(pids)
        g0 = thread_cpu_seconds(*target["gui"]()) if target.get("gui") else 0.0
        r = self.loadgen_json(["paced", "-c", "16", "--size", "64", "--rate", str(a.rate),
                               "--seconds", str(a.seconds)] + base)
        c1 = cpu_seconds(pids)
        if target.get("gui"):
            # the window's GUI thread (charts, tables, the log's tail) meanwhile
            g1 = thread_cpu_seconds(*target["gui"]())
            results.setdefault((name, f"GUI thread CPU % at {a.rate} msg/s"), []).append(
                100.0 * (g1 - g0) / r["seconds"] if r.get("seconds") else 0.0)
        if name == "gateway":
            self.relayed += 2 * r["echoed"]
        results.setdefault((name, f"achieved rate at {a.rate} msg/s"), []).append(r["messages_per_s"])
        results.setdefault((name, "round trip p50 µs"), []).append(r["rtt_p50_us"])
        results.setdefault((name, "round trip p99 µs"), []).append(r["rtt_p99_us"])
        if pids and r["echoed"]:
            # every round trip is two relayed messages (in and out)
            results.setdefault((name, "proxy CPU µs per relayed message"), []).append(
                (c1 - c0) * 1e6 / (2 * r["echoed"]))

    def tail(self, name, target, results):
        r = self.loadgen_json(["paced", "-c", "100", "--size", "64", "--rate", "10000",
                               "--seconds", str(self.args.seconds)] + self.base_args(target))
        if name == "gateway":
            self.relayed += 2 * r["echoed"]
        results.setdefault((name, "tail: achieved rate at 10,000 msg/s, 100 conns"), []).append(
            r["messages_per_s"])
        for key, label in (("rtt_p50_us", "p50"), ("rtt_p99_us", "p99"), ("rtt_p999_us", "p99.9")):
            results.setdefault((name, f"tail: round trip {label} µs"), []).append(r[key])

    def hold(self, name, target, results):
        if not target["pids"]:
            return
        pids = target["pids"]()
        before = rss_kib(pids)
        p = subprocess.Popen([self.loadgen, "hold", "-c", str(self.args.hold)] + self.base_args(target),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = json.loads(p.stdout.readline() or "{}")
        if line.get("open") != self.args.hold:
            p.kill()
            raise RuntimeError(f"{name}: could not hold {self.args.hold} connections: {line}")
        time.sleep(1)
        after = rss_kib(target["pids"]())
        p.stdin.close()
        p.wait(60)
        results.setdefault((name, f"RSS KiB per connection at {self.args.hold}"), []).append(
            (after - before) / self.args.hold)
        time.sleep(2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--rate", type=int, default=20000)
    ap.add_argument("--hold", type=int, default=8000)
    ap.add_argument("--workers", type=int, help="gateway workers = nginx workers (default: the CPUs, 1 with --pin)")
    ap.add_argument("--client-threads", type=int, default=2)
    ap.add_argument("--backend-threads", type=int, help="echo server threads (default 2, 1 with --pin)")
    ap.add_argument("--pin", action="store_true",
                    help="the proxies and the echo server on CPU 0, the load generator on CPU 1")
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "dev", "app", "gatehouse-cli", "gatehouse-cli"))
    ap.add_argument("--app", default=os.path.join(ROOT, "build", "dev", "app", "gatehouse", "gatehouse"))
    ap.add_argument("--no-log", action="store_true", help="serve without --log-db (as the window runs)")
    ap.add_argument("--window-tab", default="dashboard",
                    help="the tab the window shows while measured (gatehouse --show; default %(default)s)")
    ap.add_argument("--output", help="also write the Markdown table here")
    ap.add_argument("--only", default="throughput,paced,handshakes,hold",
                    help="comma-separated measurements to run (default: %(default)s; also: tail)")
    ap.add_argument("--targets", default="direct,nginx,gateway",
                    help="comma-separated setups to compare (default: %(default)s)")
    args = ap.parse_args()
    args.only = args.only.split(",")
    if args.workers is None:
        args.workers = 1 if args.pin else (os.cpu_count() or 2)
    if args.backend_threads is None:
        args.backend_threads = 1 if args.pin else 2
    raise_fd_limit()

    bench = Bench(args)
    results = {}
    try:
        bench.build_tools()
        bench.start_echo()
        bench.start_nginx()
        bench.start_gateway()
        if "window" in args.targets.split(","):
            bench.start_window()
        direct = {"url": f"ws://127.0.0.1:{bench.echo_port}/echo", "headers": [], "pids": None}
        targets = [(n, t) for n, t in (("direct", direct), ("nginx", bench.nginx), ("gateway", bench.gateway),
                                       ("window", getattr(bench, "window", None)),
                                       ("nometrics", getattr(bench, "nometrics", None)))
                   if n in args.targets.split(",")]
        steps = bench.steps()
        for rep in range(args.reps):
            print(f"rep {rep + 1}/{args.reps}", file=sys.stderr, flush=True)
            for i, step in enumerate(steps):
                # the order alternates from step to step and from repetition to repetition
                order = targets[:] if (rep + i) % 2 == 0 else targets[::-1]
                for name, target in order:
                    step(name, target, results)
        for name, target in targets if "hold" in args.only else ():
            bench.hold(name, target, results)
    finally:
        bench.cleanup()

    windowed = any(name == "window" for (name, _) in results)
    bare = any(name == "nometrics" for (name, _) in results)
    metrics = []
    for (_, metric) in results:
        if metric not in metrics:
            metrics.append(metric)
    lines = [f"Machine: {platform.node()} · {platform.processor() or platform.machine()} · "
             f"{os.cpu_count()} CPUs · {platform.platform()} · {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
             f"Settings: {args.reps} interleaved repetitions, {args.seconds} s per run, medians "
             f"(gateway / nginx: median of each repetition's ratio); "
             f"{args.workers} gateway/nginx workers, {args.backend_threads} echo threads, "
             f"{args.client_threads} load generator threads"
             + ("; proxies and echo server pinned to CPU 0, load generator to CPU 1." if args.pin else "."), "",
             "| metric | direct | nginx | gateway | gateway / nginx | per repetition |"
             + (" window | window / gateway |" if windowed else "")
             + (" no metrics | gateway / no metrics |" if bare else ""),
             "| --- | ---: | ---: | ---: | ---: | ---: |" + (" ---: | ---: |" if windowed else "")
             + (" ---: | ---: |" if bare else "")]
    for metric in metrics:
        row = [metric]
        values = {}
        for name in ("direct", "nginx", "gateway"):
            v = results.get((name, metric))
            values[name] = statistics.median(v) if v else None
            row.append("–" if v is None else f"{values[name]:,.1f}")
        # The gateway and nginx of one repetition ran one after the other (same step),
        # so their ratio is what a slow phase of the machine disturbs least: the
        # ratio reported is the median of those, with their range beside it.
        g, n = results.get(("gateway", metric)), results.get(("nginx", metric))
        pairs = [a / b for a, b in zip(g, n) if b] if g and n and len(g) == len(n) else []
        if pairs:
            row += [f"{statistics.median(pairs):.2f}x", f"{min(pairs):.2f}–{max(pairs):.2f}x"]
        else:
            ratio = values["gateway"] / values["nginx"] if values.get("gateway") and values.get("nginx") else None
            row += ["–" if ratio is None else f"{ratio:.2f}x", "–"]
        def compared(name, over, under):
            """The median of `name` and of the per-repetition ratios over / under."""
            values, a, b = results.get((name, metric)), results.get((over, metric)), results.get((under, metric))
            row.append("–" if not values else f"{statistics.median(values):,.1f}")
            pairs = [x / y for x, y in zip(a, b) if y] if a and b and len(a) == len(b) else []
            row.append(f"{statistics.median(pairs):.2f}x" if pairs else "–")
        if windowed:
            compared("window", "window", "gateway")
        if bare:
            compared("nometrics", "gateway", "nometrics")
        lines.append("| " + " | ".join(row) + " |")
    if bench.log_summary:
        ls = bench.log_summary
        logged = "?" if ls["logged"] is None else f"{ls['logged']:,}"
        lines += ["", f"Gateway message log: {logged} message records (every run, warm-ups included; "
                  f"{ls['relayed']:,} relayed in the measured parts), {ls['dropped']:,} events "
                  f"dropped by the log queue."]
    text = "\n".join(lines)
    print(text)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
