"""Load test of the HTTP service as it runs in production, on 127.0.0.1 only.

    python bench/service_load.py --clients 20                     # the bundled partnerships
    python bench/service_load.py --clients 200
    python bench/service_load.py --clients 20 --partnerships none # profiles only: no training

Starts ``sistermatch serve --workers N`` as a separate process on a free loopback port
(the first run trains and caches the model, a few minutes; later runs load it in
seconds), waits for ``/health``, warms each worker with a few towns outside the test
set, then runs ``--clients`` threads with keep-alive connections. The ``--towns`` query
towns (distinct, drawn with a fixed seed among towns of at least ``--min-population``
people) are dealt out to the clients so that every request asks a town not asked
before: no answer comes from the cache unless ``--rounds`` is above 1. Prints the
latency percentiles of the answered requests, the throughput, how quickly refusals
came, the CPU one request costs in all processes on the machine (clients included) with
the least average wait that cost allows the clients on this machine's cores (Little's
law), and the errors by status; then stops the server. Every loop is bounded in count
and in time, so it always ends by itself.
"""

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter

import numpy as np

__all__ = ["main", "run_load", "percentiles", "pick_towns"]

HOST = "127.0.0.1"  # never anything but loopback


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def percentiles(latencies_s):
    """``{"p50", "p95", "p99", "max"}`` in milliseconds (None when there is no sample)."""
    if not len(latencies_s):
        return {"p50": None, "p95": None, "p99": None, "max": None}
    ms = np.asarray(latencies_s) * 1000.0
    out = {f"p{q}": round(float(np.percentile(ms, q)), 1) for q in (50, 95, 99)}
    out["max"] = round(float(ms.max()), 1)
    return out


def pick_towns(n, min_population, warmup, seed=0):
    """``n`` distinct query towns and ``warmup`` others, all of at least ``min_population`` people."""
    from sistermatch.cities import load_cities

    cities = load_cities()
    eligible = cities.geonameid[cities.population >= min_population]
    if len(eligible) < n + warmup:
        raise SystemExit(f"only {len(eligible)} towns of {min_population:,}+ people; lower --towns")
    drawn = np.random.default_rng(seed).choice(eligible, size=n + warmup, replace=False)
    return [int(g) for g in drawn[:n]], [int(g) for g in drawn[n:]]


def start_server(port, partnerships, workers, max_waiting, timeout, start_timeout):
    """``sistermatch serve`` in a process of its own; returns it once ``/health`` answers."""
    cmd = [
        sys.executable,
        "-c",
        "from sistermatch.interfaces.cli import main; main()",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--partnerships",
        partnerships,
        "--timeout",
        str(timeout),
        "--no-access-log",
    ]
    if max_waiting is not None:
        cmd += ["--max-waiting", str(max_waiting)]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    started = time.monotonic()
    while time.monotonic() - started < start_timeout:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {server.stderr.read()[-2000:]}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/health")
            health = json.loads(conn.getresponse().read())
            conn.close()
            return server, health, time.monotonic() - started
        except (OSError, http.client.HTTPException, ValueError):
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit(f"the server did not answer within {start_timeout:.0f} s")


def stop_server(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # the server's own session: master and its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)


def _get(conn, path):
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.getheader("X-Cache"), response.read()


def server_health(port):
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        return json.loads(_get(conn, "/health")[2])
    finally:
        conn.close()


def tree_cpu_s(pid):
    """CPU seconds (user + system) used so far by process ``pid`` and by its children."""
    tick = os.sysconf("SC_CLK_TCK")
    own = children = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used = (int(fields[11]) + int(fields[12])) / tick
        if int(entry) == pid:
            own += used
        elif int(fields[1]) == pid:  # fields[1]: the parent's pid
            children += used
    return np.array([own, children])


def run_load(port, towns, clients, rounds, k, deadline_s, timeout_s):
    """Every town asked ``rounds`` times, the towns dealt out to ``clients`` threads.

    Returns
    -------
    dict
        ``ok`` (latencies of 200s, s), ``refused`` (latencies of 503s, s), ``statuses``
        (Counter), ``hits`` (answers from the cache), ``wall`` (s).
    """
    ok, refused, statuses, hits = [], [], Counter(), [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + deadline_s
    shares = [towns[i::clients] for i in range(clients)]

    def client(share):
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout_s)
        try:
            for gid in share * rounds:
                if time.monotonic() > stop_at:
                    with lock:
                        statuses["client deadline"] += 1
                    break
                t0 = time.perf_counter()
                try:
                    status, cache, body = _get(conn, f"/cities/{gid}/recommendations?k={k}")
                    if status == 200 and len(json.loads(body)["recommendations"]) != k:
                        status = "short answer"
                except (OSError, http.client.HTTPException, ValueError) as exc:
                    status, cache = type(exc).__name__, None
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=timeout_s)
                elapsed = time.perf_counter() - t0
                with lock:
                    statuses[status] += 1
                    hits[0] += cache == "hit"
                    if status == 200:
                        ok.append(elapsed)
                    elif status == 503:
                        refused.append(elapsed)
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(share,), daemon=True) for share in shares if share]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, stop_at - time.monotonic()) + timeout_s)
    return {"ok": ok, "refused": refused, "statuses": statuses, "hits": hits[0], "wall": time.perf_counter() - t0}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--partnerships", default="bundled", help="bundled (default), a CSV path, or none")
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)), help="server worker processes")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--towns", type=int, default=400, help="distinct query towns")
    ap.add_argument("--min-population", type=float, default=15_000)
    ap.add_argument("--rounds", type=int, default=1, help="times each town is asked (above 1: cache hits)")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--max-waiting", type=int, help="server: requests that may wait for a turn (default 16 a worker)")
    ap.add_argument("--timeout", type=float, default=10.0, help="server: seconds a request may wait")
    ap.add_argument("--deadline", type=float, default=600.0, help="seconds before the clients give up")
    ap.add_argument("--client-timeout", type=float, default=60.0, help="seconds per request, client side")
    ap.add_argument("--start-timeout", type=float, default=900.0, help="seconds for the server to come up")
    args = ap.parse_args(argv)
    for name in ("clients", "towns", "workers", "rounds"):
        if not 1 <= getattr(args, name) <= 10_000:
            ap.error(f"--{name} must be between 1 and 10000")

    towns, warm = pick_towns(args.towns, args.min_population, warmup=4 * args.workers)
    port = _free_port()
    server, health, start_s = start_server(
        port, args.partnerships, args.workers, args.max_waiting, args.timeout, args.start_timeout
    )
    try:
        run_load(port, warm, 2 * args.workers, 1, args.k, 120, args.client_timeout)  # first-request costs
        cpu0, own0 = tree_cpu_s(server.pid), time.process_time()
        result = run_load(port, towns, args.clients, args.rounds, args.k, args.deadline, args.client_timeout)
        cpu, own = tree_cpu_s(server.pid) - cpu0, time.process_time() - own0
        after = server_health(port)["service"]
    finally:
        stop_server(server)

    ok, wall, statuses = result["ok"], result["wall"], result["statuses"]
    n = sum(statuses.values())
    print(
        f"server: {health['model']}, {health['cities']:,} cities, {health['partnerships']:,} partnerships "
        f"({health['meta']['partnerships']}); {args.workers} workers, up in {start_s:.1f} s; "
        f"{after['queue']['max_running']} running + {after['queue']['max_waiting']} waiting, "
        f"wait timeout {args.timeout:g} s"
    )
    print(
        f"{args.clients} clients, {args.towns} distinct towns of {args.min_population:,.0f}+ people x "
        f"{args.rounds} round(s), k={args.k}: {n} requests in {wall:.1f} s; "
        f"throughput {len(ok) / wall:.1f} answers/s; cache hits {result['hits']}"
    )
    p = percentiles(ok)
    print(f"answered (200): {len(ok)}; latency ms p50 {p['p50']}  p95 {p['p95']}  p99 {p['p99']}  max {p['max']}")
    if result["refused"]:
        r = percentiles(result["refused"])
        print(f"refused (503): {len(result['refused'])}; latency ms p50 {r['p50']}  p99 {r['p99']}  max {r['max']}")
    pool = after["pool"]
    split = pool["answers_by_process"] if pool else "one process"
    print(
        f"server CPU: {cpu.sum():.1f} s over {wall:.1f} s ({cpu.sum() / wall:.2f} of {os.cpu_count()} cores); "
        f"per request {1000 * cpu[0] / max(n, 1):.1f} ms in the HTTP process + "
        f"{1000 * cpu[1] / max(n, 1):.1f} ms in ranking processes; answers by ranking process (incl. warm-up): "
        f"{split}"
    )
    if n:
        # With every core busy, the machine answers at most cores / CPU per request a
        # second; clients that ask again as soon as they are answered (and are all
        # answered) then wait at least clients / that rate on average (Little's law).
        per = (cpu.sum() + own) / n
        cores = len(os.sched_getaffinity(0))
        bound = ""
        if len(ok) == n:
            active = min(args.clients, len(towns))  # client threads that had towns to ask
            least = 1000 * active * per / cores
            bound = f"; so {active} clients wait at least {least:.0f} ms on average (Little's law)"
        print(
            f"CPU per request, all processes on this machine: {1000 * per:.1f} ms (clients {1000 * own / n:.1f} ms): "
            f"at most {cores / per:.0f} requests/s on {cores} cores{bound}"
        )
    errors = {str(s): c for s, c in sorted(statuses.items(), key=str) if s != 200}
    print(f"errors by status: {errors or 'none'}")
    return 1 if any(s not in (200, 503) for s in statuses) else 0


if __name__ == "__main__":
    sys.exit(main())
