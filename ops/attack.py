#!/usr/bin/env python3
"""Issue 12's exhaustion attacks against the release binary, on loopback, bounded in count and time.

Starts `kirjuri serve --with-demo` on a fresh data directory with a connection limit of LIMIT
(default 256), then:

1. measures `/health/live` from a new client with nothing else open: the floor on this machine;
2. holds twice the limit open — half idle (no byte sent), a quarter with unfinished heads, a
   quarter trickling a body a byte a second — and measures `/health/live` from a new client
   again, with the ratio to the floor, and the server's resident memory;
3. sends 200 sign-ins at once for unknown usernames (each costs an argon2 check) and records
   every status (401, 429 or 503 are answers; anything else, or no answer in 30 s, is a hang),
   and the server's peak resident memory.

Prints a table beside the targets (≤ 100 ms, RSS ≤ 300 MB); `--json` prints one object instead.
Only the standard library: `python3 ops/attack.py [--json]` (builds the release binary first).
"""

import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

LIMIT = int(os.environ.get("LIMIT", "256"))
SIGN_INS = int(os.environ.get("SIGN_INS", "200"))
TARGET_MS = 100.0
TARGET_RSS_MB = 300.0
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def rss_mb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def request(port, raw, timeout=30.0):
    """Sends raw HTTP/1.1 bytes on a new connection; returns (status, headers, body, seconds)."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(raw)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = re.search(rb"(?i)content-length:\s*(\d+)", head)
        while length and len(body) < int(length.group(1)):
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
    elapsed = time.perf_counter() - started
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, head.decode("latin-1"), body, elapsed


def live_latency(port, count=50):
    times = []
    for _ in range(count):
        status, _, _, elapsed = request(port, b"GET /health/live HTTP/1.1\r\nHost: k\r\nConnection: close\r\n\r\n")
        if status != 200:
            raise SystemExit(f"/health/live answered {status}")
        times.append(elapsed * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1 if len(times) >= 100 else -1]


def hold(port, count, stop):
    """Opens `count` connections: half idle, a quarter unfinished heads, a quarter trickling bodies."""
    held = []
    for n in range(count):
        conn = socket.create_connection(("127.0.0.1", port), timeout=5)
        if n % 4 == 1:
            conn.sendall(b"GET /health/live HTTP/1.1\r\nHost: k\r\nX-Slow: ")
        elif n % 4 == 3:
            conn.sendall(b"POST /sign-in/password HTTP/1.1\r\nHost: k\r\nContent-Length: 1000000\r\n"
                         b"Content-Type: application/x-www-form-urlencoded\r\n\r\n")
        held.append(conn)

    def trickle():
        while not stop.is_set():
            for n, conn in enumerate(held):
                if n % 4 == 3:
                    try:
                        conn.sendall(b"a")
                    except OSError:
                        pass
            stop.wait(1.0)

    threading.Thread(target=trickle, daemon=True).start()
    return held


def sign_in(port, n):
    try:
        status, head, body, _ = request(port, b"GET /sign-in HTTP/1.1\r\nHost: k\r\nConnection: close\r\n\r\n")
        nonce = re.search(r"(?i)set-cookie:\s*kirjuri_sign_in=([^;\r\n]*)", head)
        csrf = re.search(rb'name="csrf" value="([^"]*)"', body)
        if not (nonce and csrf):
            return f"no form ({status})"
        form = urllib.parse.urlencode({"csrf": csrf.group(1).decode(), "next": "/search",
                                       "username": f"nobody-{n}", "password": "wrong password, long enough"})
        raw = (f"POST /sign-in/password HTTP/1.1\r\nHost: k\r\nConnection: close\r\n"
               f"Cookie: kirjuri_sign_in={nonce.group(1)}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               f"Content-Length: {len(form)}\r\n\r\n{form}").encode()
        status, _, _, _ = request(port, raw, timeout=30)
        return status
    except OSError as error:
        return f"hang or error: {error}"


def main():
    as_json = "--json" in sys.argv
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    data_dir = tempfile.mkdtemp(prefix="kirjuri-attack-")
    env = dict(os.environ, KIRJURI_DATA_DIR=data_dir, KIRJURI_BIND="127.0.0.1:0",
               KIRJURI_MAX_CONNECTIONS=str(LIMIT), KIRJURI_LOG_FORMAT="text")
    server = subprocess.Popen([os.path.join(ROOT, "target/release/kirjuri"), "serve", "--with-demo"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    stop = threading.Event()
    try:
        port = None
        for line in server.stdout:
            found = re.match(r"kirjuri listening on http://127\.0\.0\.1:(\d+)", line)
            if found:
                port = int(found.group(1))
                break
        if port is None:
            raise SystemExit("the server did not start")
        threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
        log(f"server pid {server.pid} on port {port}, connection limit {LIMIT}")
        floor_p50, floor_p99 = live_latency(port)
        rss_idle = rss_mb(server.pid)

        held = hold(port, 2 * LIMIT, stop)
        time.sleep(1.0)
        loaded_p50, loaded_p99 = live_latency(port)
        rss_held = rss_mb(server.pid)
        stop.set()
        for conn in held:
            conn.close()

        # The server's memory, sampled every 20 ms while the sign-ins run.
        samples = []
        sampling = threading.Event()

        def sample():
            while not sampling.is_set():
                samples.append(rss_mb(server.pid))
                sampling.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        with ThreadPoolExecutor(max_workers=SIGN_INS) as pool:
            started = time.perf_counter()
            outcomes = list(pool.map(lambda n: sign_in(port, n), range(SIGN_INS)))
            storm_seconds = time.perf_counter() - started
        sampling.set()
        sampler.join()
        counts = {}
        for outcome in outcomes:
            counts[str(outcome)] = counts.get(str(outcome), 0) + 1
        answered = sum(v for k, v in counts.items() if k in ("401", "429", "503"))
        peak = max(samples + [rss_held])
        # The high-water mark since start includes writing the demo and building its read models.
        since_start = rss_mb(server.pid, "VmHWM")
        result = {
            "connection_limit": LIMIT,
            "held_connections": 2 * LIMIT,
            "live_floor_p50_ms": round(floor_p50, 2),
            "live_floor_p99_ms": round(floor_p99, 2),
            "live_held_p50_ms": round(loaded_p50, 2),
            "live_held_p99_ms": round(loaded_p99, 2),
            "live_held_p99_ratio_to_floor": round(loaded_p99 / max(floor_p99, 0.001), 2),
            "rss_idle_mb": round(rss_idle, 1),
            "rss_held_mb": round(rss_held, 1),
            "sign_ins": SIGN_INS,
            "sign_in_statuses": counts,
            "sign_ins_answered_401_429_503": answered,
            "sign_in_storm_seconds": round(storm_seconds, 2),
            "peak_rss_mb": round(peak, 1),
            "peak_rss_since_start_mb": round(since_start, 1),
            "targets_met": {
                "live_held_p99_le_100_ms": loaded_p99 <= TARGET_MS,
                "rss_le_300_mb": peak <= TARGET_RSS_MB,
                "every_sign_in_answered": answered == SIGN_INS,
            },
        }
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
        subprocess.run(["rm", "-rf", data_dir], check=False)
    if as_json:
        print(json.dumps(result, indent=2))
        return
    rows = [
        ("/health/live p99, nothing held (floor)", f"{result['live_floor_p99_ms']} ms", "-", "-"),
        (f"/health/live p99, {2 * LIMIT} held", f"{result['live_held_p99_ms']} ms",
         f"{result['live_held_p99_ratio_to_floor']}x floor", "<= 100 ms"),
        (f"RSS with {2 * LIMIT} held", f"{result['rss_held_mb']} MB", f"idle {result['rss_idle_mb']} MB", "<= 300 MB"),
        (f"{SIGN_INS} sign-ins at once", json.dumps(counts), f"{storm_seconds:.1f} s", "401/429/503 only"),
        ("peak RSS under attack (sampled)", f"{result['peak_rss_mb']} MB", f"since start {result['peak_rss_since_start_mb']} MB", "<= 300 MB"),
    ]
    print(f"{'figure':<40} | {'measured':<28} | {'reference':<18} | target")
    for row in rows:
        print(f"{row[0]:<40} | {row[1]:<28} | {row[2]:<18} | {row[3]}")
    print("targets met:", json.dumps(result["targets_met"]))


if __name__ == "__main__":
    main()
