#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Client tab benchmark: a Gatehouse::ClientTab (offscreen) connected to an in-process
server that floods it with N text messages of SIZE bytes, for N = 100,000 and
1,000,000, SIZE = 64 B and 1 KiB, with the tab's default history limit (100,000
events, 64 MiB) and with 20,000 events. Each configuration runs in a fresh process,
--reps times, in an order that alternates from one repetition to the next; medians
are reported, with the range of the longest stall.

    bench/client/run.py [--reps 3] [--messages 100000,1000000] [--no-build] [--output FILE]

Builds gatehouse-bench-client with the `ci` preset into build/bench-client (its own
tree: build/bench holds the gateway's tools, a project of their own). Needs cmake,
ninja and the product's build dependencies. Not a test: nothing here passes or fails.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build", "bench-client")
BINARY = os.path.join(BUILD, "bench", "client", "gatehouse-bench-client")
DEFAULT_LIMIT = 0  # the tab's own default: 100,000 events, 64 MiB


def build():
    env = dict(os.environ, CCACHE_BASEDIR=ROOT, CCACHE_NOHASHDIR="1")
    if not os.path.exists(os.path.join(BUILD, "CMakeCache.txt")):
        subprocess.run(["cmake", "--preset", "ci", "-B", BUILD, "-DGATEHOUSE_BUILD_TESTS=OFF"],
                       cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", BUILD, "--target", "gatehouse-bench-client"],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc), {model}, Linux {platform.release()}"


def run_once(messages, size, limit):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([BINARY, "--messages", str(messages), "--size", str(size),
                          "--history-limit", str(limit)],
                         capture_output=True, text=True, env=env, timeout=1800)
    lines = out.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines else {}
    if out.returncode != 0 or "error" in result:
        raise RuntimeError(f"{messages} x {size} B, limit {limit}: "
                           f"{result.get('error', out.stderr.strip())}")
    return result


def mib(kib):
    return f"{kib / 1024:.0f}"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--messages", default="100000,1000000")
    p.add_argument("--sizes", default="64,1024")
    p.add_argument("--no-build", action="store_true")
    p.add_argument("--output", help="also write the table to FILE")
    args = p.parse_args()

    if not args.no_build:
        build()
    configs = [(n, s, limit) for n in map(int, args.messages.split(","))
               for s in map(int, args.sizes.split(",")) for limit in (DEFAULT_LIMIT, 20000)]
    results = {c: [] for c in configs}
    for rep in range(args.reps):
        order = configs if rep % 2 == 0 else list(reversed(configs))
        for c in order:
            r = run_once(*c)
            results[c].append(r)
            print(f"rep {rep + 1}: {c[0]} x {c[1]} B, limit {c[2] or 'default'}: "
                  f"{r['wall_ms']:.0f} ms, {r['messages_per_s']:.0f} msg/s, "
                  f"longest gap {r['longest_gap_ms']:.1f} ms (busy {r['longest_busy_ms']:.1f}), peak {mib(r['rss_peak_kib'])} MiB",
                  file=sys.stderr)

    med = lambda rs, k: statistics.median(r[k] for r in rs)
    lines = [
        f"Machine: {machine()}. {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"{args.reps} repetitions, medians (longest stall: median, and the range).",
        "",
        "| messages | size | history limit | wall time ms | messages/s | longest stall ms (range) "
        "| stalls > 50 ms | most GUI CPU between ticks ms | RSS before / peak / after MiB | events kept |",
        "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for (n, s, limit), rs in results.items():
        gaps = [r["longest_gap_ms"] for r in rs]
        lines.append(
            f"| {n:,} | {s} B | {'default' if not limit else f'{limit:,} events'} "
            f"| {med(rs, 'wall_ms'):,.0f} | {med(rs, 'messages_per_s'):,.0f} "
            f"| {statistics.median(gaps):.1f} ({min(gaps):.1f}–{max(gaps):.1f}) "
            f"| {med(rs, 'gaps_over_50ms'):.0f} | {med(rs, 'longest_busy_ms'):.1f} "
            f"| {mib(med(rs, 'rss_before_kib'))} / {mib(med(rs, 'rss_peak_kib'))} / "
            f"{mib(med(rs, 'rss_after_kib'))} | {med(rs, 'kept_events'):,.0f} |")
    table = "\n".join(lines)
    print(table)
    if args.output:
        with open(args.output, "w") as f:
            f.write(table + "\n")


if __name__ == "__main__":
    main()
