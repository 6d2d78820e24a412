"""How well pasted names resolve: share right, refused with choices, not found and wrong, per form.

    python bench/resolve_pasted.py [--file tests/data/pasted_names.csv] [--show wrong,refused,missing]

Wrong answers are worse than refusals: a refusal lists the choices and the person picks
one; a wrong town silently recommends partners for somewhere else. Also prints the
latency of one resolve (median, p95, max) after a warm-up.
"""

import argparse
import csv
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path

from sistermatch import load_cities
from sistermatch.errors import AmbiguousCity, CityNotFound, MatcherError
from sistermatch.resolve import Resolver

OUTCOMES = ("right", "refused", "not found", "wrong")


def outcome(resolver, text, country, expected):
    """(outcome, resolution or error) of one spelling."""
    try:
        res = resolver.resolve_explained(text, country or None)
    except AmbiguousCity as exc:
        if expected in {c.geonameid for c in exc.choices}:
            return "refused", exc
        return "wrong", exc  # refused, but without the right town among the choices
    except CityNotFound as exc:
        return "not found", exc
    except MatcherError as exc:
        return "wrong", exc
    got = int(resolver.cities.geonameid[res.row])
    return ("right" if got == expected else "wrong"), res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", default=str(Path(__file__).resolve().parents[1] / "tests" / "data" / "pasted_names.csv"))
    ap.add_argument("--show", default="", help="comma-separated outcomes whose rows to print")
    args = ap.parse_args()
    cities = load_cities()
    resolver = Resolver(cities)
    with open(args.file, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows[:20]:  # warm-up: lazy indexes (names by length, regions) are built once
        outcome(resolver, r["text"], r["country"], int(r["expected_geonameid"]))

    counts, rules, times = defaultdict(Counter), Counter(), []
    show = {s.strip() for s in args.show.split(",") if s.strip()}
    for r in rows:
        expected = int(r["expected_geonameid"])
        t = time.perf_counter()
        what, detail = outcome(resolver, r["text"], r["country"], expected)
        times.append(time.perf_counter() - t)
        counts[r["form"]][what] += 1
        counts["all"][what] += 1
        if what == "right":
            rules[detail.rule] += 1
        if what in show:
            got = cities.city(detail.row).label(with_id=True) if hasattr(detail, "row") else str(detail)[:160]
            print(f"  {what:9} {r['form']:16} {r['text']!r} (expected {expected}) -> {got}")

    print(f"{'form':18}{'n':>5}" + "".join(f"{o:>11}" for o in OUTCOMES))
    for form in sorted(k for k in counts if k != "all") + ["all"]:
        c = counts[form]
        n = sum(c.values())
        print(f"{form:18}{n:>5}" + "".join(f"{100 * c[o] / n:>10.1f}%" for o in OUTCOMES))
    print("rules that picked the right town: " + ", ".join(f"{k} {v}" for k, v in rules.most_common()))
    ms = sorted(1000 * t for t in times)
    print(
        f"resolve latency over {len(ms)} spellings: median {statistics.median(ms):.2f} ms, "
        f"p95 {ms[int(0.95 * (len(ms) - 1))]:.2f} ms, max {ms[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
