"""Bounded load test of the HTTP service, on 127.0.0.1 only.

    python bench/service_load.py                                   # synthetic world
    python bench/service_load.py --partnerships ../shared/data/partnerships.csv

Starts the service in this process (uvicorn on a free loopback port), runs ``--clients``
threads that each send ``--requests`` recommendation requests for towns drawn with a
fixed seed, then prints the p50/p95/p99 latency and the error count, stops the server
and exits. Every loop is bounded in count and in time (``--deadline``), so it always
stops by itself.
"""

import argparse
import http.client
import json
import socket
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np

__all__ = ["main", "run_load", "percentiles"]

HOST = "127.0.0.1"  # never anything but loopback


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _synthetic_matcher():
    # The tests' tiny world is the synthetic one; it lives beside them, not in the package.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from conftest import EDGES, make_cities

    from sistermatch import Matcher, PartnershipGraph
    from sistermatch.models import LogisticRanker

    cities = make_cities()
    graph = PartnershipGraph(len(cities), cities.index.rows_or_missing(np.array(EDGES).ravel()).reshape(-1, 2))
    return Matcher(cities=cities, model=LogisticRanker()).fit(graph)


def _real_matcher(path, model):
    from sistermatch import Matcher

    return Matcher(model=model, cache=True).fit(path)


def percentiles(latencies_s):
    """``{"p50", "p95", "p99"}`` in milliseconds (None when there is no sample)."""
    if not latencies_s:
        return {"p50": None, "p95": None, "p99": None}
    ms = np.asarray(latencies_s) * 1000.0
    return {f"p{q}": round(float(np.percentile(ms, q)), 1) for q in (50, 95, 99)}


def run_load(port, geonameids, clients, requests, k, deadline_s, timeout_s):
    """Send ``clients x requests`` recommendation requests; return latencies and errors.

    Each client is a thread with its own keep-alive connection; it stops after its
    requests or when the shared deadline passes, whichever comes first.
    """
    latencies, errors, lock = [], [], threading.Lock()
    stop_at = time.monotonic() + deadline_s

    def client(seed):
        rng = np.random.default_rng(seed)
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout_s)
        try:
            for _ in range(requests):
                if time.monotonic() > stop_at:
                    with lock:
                        errors.append("deadline")
                    break
                gid = int(geonameids[rng.integers(len(geonameids))])
                t0 = time.perf_counter()
                try:
                    conn.request("GET", f"/cities/{gid}/recommendations?k={k}")
                    response = conn.getresponse()
                    body = response.read()
                    ok = response.status == 200 and "recommendations" in json.loads(body)
                except (OSError, http.client.HTTPException, ValueError) as exc:
                    ok, body = False, repr(exc).encode()
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=timeout_s)
                elapsed = time.perf_counter() - t0
                with lock:
                    if ok:
                        latencies.append(elapsed)
                    else:
                        errors.append(body[:200])
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, stop_at - time.monotonic()) + timeout_s)
    return latencies, errors, time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--partnerships", help="real partnerships CSV (default: the synthetic world)")
    ap.add_argument("--model", default="two_stage", help="model for the real data: two_stage or hand")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=25, help="requests per client")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--towns", type=int, default=200, help="query towns: the most populous N, drawn at random")
    ap.add_argument("--deadline", type=float, default=300.0, help="seconds before the clients give up")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    args = ap.parse_args(argv)
    for name in ("clients", "requests", "towns"):
        if not 1 <= getattr(args, name) <= 10_000:
            ap.error(f"--{name} must be between 1 and 10000")

    import uvicorn

    from sistermatch.interfaces.service import create_app

    warnings.simplefilter("ignore")
    t = time.perf_counter()
    matcher = _real_matcher(args.partnerships, args.model) if args.partnerships else _synthetic_matcher()
    fit_s = time.perf_counter() - t
    pop = matcher.cities_.population
    towns = matcher.cities_.geonameid[np.argsort(-pop, kind="stable")[:args.towns]]

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(matcher), host=HOST, port=port, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = time.monotonic()
    while not server.started:
        if time.monotonic() - started > 60 or not thread.is_alive():
            sys.exit("the service did not start within 60 s")
        time.sleep(0.05)
    try:
        latencies, errors, wall = run_load(port, towns, args.clients, args.requests, args.k, args.deadline,
                                           args.timeout)
    finally:
        server.should_exit = True
        thread.join(timeout=30)

    data = f"partnerships {args.partnerships} ({args.model})" if args.partnerships else "synthetic world"
    n = len(latencies) + len(errors)
    print(f"{data}: {len(matcher.cities_):,} cities, fitted in {fit_s:.1f} s")
    print(f"{args.clients} clients x {args.requests} requests, k={args.k}: {n} requests in {wall:.1f} s "
          f"({len(latencies) / wall if wall else 0:.1f} ok/s)")
    p = percentiles(latencies)
    print(f"latency ms: p50 {p['p50']}  p95 {p['p95']}  p99 {p['p99']}")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]!r})" if errors else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
