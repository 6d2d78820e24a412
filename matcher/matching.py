"""Programme matching: pair towns that seek partners so that the total mutual fit is best.

A programme (two associations, a region's call for partners) brings a list of towns that
want a partner, or two lists whose towns should pair across. Ranking each town's best
candidate and taking them in turn (greedy) lets the first pairs take partners that
others needed more; here the pairs are chosen together, by an exact solver:

* Every town that can be paired is paired: the pairing has as many pairs as the
  allowed pairs permit (each town taking at most ``max_partners``), and among those
  pairings it has the highest total mutual fit. A pairing that leaves towns out only
  because their best partner went elsewhere would not serve a programme, and as the
  mutual fit is a log (always below 0) "highest total" alone would pair no one.
* A pair's mutual fit is :meth:`Matcher.mutual_scores`: the log of the geometric mean of
  both sides' fits, as ``recommend(mutual=True)`` ranks.
* Pairs that may not be formed: a town with itself, two towns of one country (unless
  allowed), towns already partners, and pairs below ``min_score``.

Solvers (scipy's, nothing home-made): two lists and one partner each is the assignment
problem, :func:`scipy.optimize.linear_sum_assignment`, with forbidden pairs priced
out of reach and dropped after. More partners each, or one list (a town of the list may
pair with any other, so the pairs form a general graph, not a bipartite one, and an
assignment would return cycles rather than pairs), are solved as a small integer
programme with :func:`scipy.optimize.milp` over the allowed pairs, each counted once
(``i < j`` in one list), with one capacity row per town.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp
from scipy.sparse import csr_array

from .errors import InvalidInput
from .results import Reason

__all__ = ["Pair", "Matching", "optimal_pairs", "greedy_pairs", "match_towns", "PAIR_COLUMNS", "N_ALTERNATIVES"]

N_ALTERNATIVES = 3
"""How many next-best partners each town of a pair lists."""

PAIR_COLUMNS = [
    "geonameid_a",
    "name_a",
    "country_a",
    "geonameid_b",
    "name_b",
    "country_b",
    "score",
    "fit",
    "distance_km",
    "reasons",
    "alternatives_a",
    "alternatives_b",
]

_BLOCK = 100  # towns of the first list per block of the score matrix: the unit of progress


@dataclass(frozen=True)
class Pair:
    """Two towns paired by a programme match.

    Attributes
    ----------
    a, b : City
        ``a`` from the first list, ``b`` from the second (or both from the one list).
    score : float
        The pair's mutual fit: the log of the geometric mean of both sides' fits (below 0;
        higher is better).
    distance_km : float
    reasons : tuple of Reason
        Why the pair fits, from ``a``'s side then ``b``'s (``side="candidate"``).
    alternatives_a, alternatives_b : tuple of (City, float)
        Each town's next best allowed partners among the other list (not its own
        partners in this matching), with their mutual fit, best first.
    """

    a: object
    b: object
    score: float
    distance_km: float
    reasons: tuple
    alternatives_a: tuple = ()
    alternatives_b: tuple = ()

    @property
    def fit(self):
        """0-100: the geometric mean of both sides' fits, in percent (``100 * exp(score)``)."""
        return 100.0 * float(np.exp(self.score))

    def to_row(self):
        """Flat row for the PAIRS.csv report (columns :data:`PAIR_COLUMNS`)."""

        def alts(items):
            return "; ".join(f"{c.name} ({c.country}) {s:.2f}" for c, s in items)

        return {
            "geonameid_a": self.a.geonameid,
            "name_a": self.a.name,
            "country_a": self.a.country,
            "geonameid_b": self.b.geonameid,
            "name_b": self.b.name,
            "country_b": self.b.country,
            "score": round(self.score, 4),
            "fit": round(self.fit, 1),
            "distance_km": round(self.distance_km, 1),
            "reasons": "; ".join(r.text for r in self.reasons),
            "alternatives_a": alts(self.alternatives_a),
            "alternatives_b": alts(self.alternatives_b),
        }


@dataclass(frozen=True)
class Matching(Sequence):
    """The pairs of a programme match, best first: a sequence of :class:`Pair`.

    Also carries the towns left without a partner (``unmatched``, Cities) and a ``note``
    when there is no pair at all, saying why: an empty matching is an answer.
    """

    pairs: tuple = ()
    unmatched: tuple = ()
    note: str = None

    def __getitem__(self, i):
        return self.pairs[i]

    def __len__(self):
        return len(self.pairs)

    @property
    def mean_score(self):
        return float(np.mean([p.score for p in self.pairs])) if self.pairs else float("nan")


def _check_problem(scores, allowed, max_partners, one_list):
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 2:
        raise InvalidInput(f"scores must be a matrix, got {scores.ndim} dimensions")
    allowed = np.ones(scores.shape, dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool)
    if allowed.shape != scores.shape:
        raise InvalidInput(f"allowed has shape {allowed.shape}, scores {scores.shape}")
    if isinstance(max_partners, bool) or not isinstance(max_partners, (int, np.integer)) or max_partners < 1:
        raise InvalidInput(f"max_partners must be a whole number of at least 1, got {max_partners!r}")
    allowed = allowed & np.isfinite(scores)
    if one_list:
        if scores.shape[0] != scores.shape[1]:
            raise InvalidInput(f"one list needs a square score matrix, got {scores.shape}")
        # Each pair once, never a town with itself: the upper triangle.
        allowed = np.triu(allowed & allowed.T, k=1)
    return scores, allowed


def optimal_pairs(scores, allowed=None, max_partners=1, one_list=False):
    """The pairing with the most pairs and, among those, the highest total score.

    Parameters
    ----------
    scores : (n_a, n_b) array
        Score of each pair (higher is better); for ``one_list`` a symmetric square matrix.
    allowed : (n_a, n_b) bool array, optional
        Pairs that may be formed (default all).
    max_partners : int, default 1
        Most pairs any one town takes.
    one_list : bool, default False
        Rows and columns are the same towns: pair ``i`` with ``j`` once (``i < j``), never
        a town with itself.

    Returns
    -------
    (m, 2) int array
        The pairs ``(i, j)``, by row then column.

    Examples
    --------
    Greedy would take the best pair (0, 0) and leave town 1 with its poor second choice;
    the best total pairs 0 with 1 and 1 with 0:

    >>> optimal_pairs([[0.9, 0.8], [0.7, 0.0]]).tolist()
    [[0, 1], [1, 0]]
    """
    scores, allowed = _check_problem(scores, allowed, max_partners, one_list)
    if not allowed.any():
        return np.zeros((0, 2), dtype=np.int64)
    # Shift the allowed costs into [0, spread]; a pair's weight then carries a bonus
    # larger than any total spread, so more pairs always beat a better total of fewer.
    cost = scores.max(where=allowed, initial=-np.inf) - scores
    spread = float(cost.max(where=allowed, initial=0.0))
    if not one_list and max_partners == 1:
        most = min(scores.shape)
        big = (spread + 1.0) * (most + 1)
        rows, cols = linear_sum_assignment(np.where(allowed, cost, big))
        keep = allowed[rows, cols]
        return np.column_stack([rows[keep], cols[keep]]).astype(np.int64)
    return _milp_pairs(cost, allowed, spread, max_partners, one_list)


def _milp_pairs(cost, allowed, spread, max_partners, one_list):
    i, j = np.nonzero(allowed)
    n_a, n_b = allowed.shape
    most = max_partners * (n_a if one_list else min(n_a, n_b))
    bonus = (spread + 1.0) * (most + 1)
    # Variable e is 1 when pair (i[e], j[e]) is formed; minimise cost minus the bonus.
    c = cost[i, j] - bonus
    e = np.arange(len(i))
    if one_list:
        # A town's capacity counts the pairs where it is either end.
        incidence = csr_array(
            (np.ones(2 * len(e)), (np.concatenate([i, j]), np.concatenate([e, e]))), shape=(n_a, len(e))
        )
    else:
        incidence = csr_array(
            (np.ones(2 * len(e)), (np.concatenate([i, n_a + j]), np.concatenate([e, e]))), shape=(n_a + n_b, len(e))
        )
    res = milp(
        c,
        constraints=LinearConstraint(incidence, 0, max_partners),
        integrality=np.ones(len(e)),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0},
    )
    if res.x is None:  # pragma: no cover - the empty pairing is always feasible
        raise InvalidInput(f"the pairing could not be solved: {res.message}")
    chosen = np.flatnonzero(res.x > 0.5)
    return np.column_stack([i[chosen], j[chosen]]).astype(np.int64)


def greedy_pairs(scores, allowed=None, max_partners=1, one_list=False):
    """The baseline :func:`optimal_pairs` improves on: take the best remaining allowed pair
    while both towns have room, until none is left. Same arguments and result."""
    scores, allowed = _check_problem(scores, allowed, max_partners, one_list)
    i, j = np.nonzero(allowed)
    order = np.argsort(-scores[i, j], kind="stable")
    room_a = np.full(scores.shape[0], max_partners)
    room_b = room_a if one_list else np.full(scores.shape[1], max_partners)
    out = []
    for a, b in zip(i[order], j[order]):
        if room_a[a] > 0 and room_b[b] > 0:
            room_a[a] -= 1
            room_b[b] -= 1
            out.append((a, b))
    return np.array(sorted(out), dtype=np.int64).reshape(-1, 2)


def _towns(matcher, seekers, what):
    """Cities of a list of seekers (names, ids or Cities), each once, in the order given."""
    if seekers is None or len(seekers) == 0:
        raise InvalidInput(f"the {what} is empty: no town seeks a partner")
    seen, cities = set(), []
    for s in seekers:
        city = matcher.resolve(s)
        if city.geonameid not in seen:
            seen.add(city.geonameid)
            cities.append(city)
    return cities


def _score_matrix(matcher, rows_a, rows_b, progress):
    """``Matcher.mutual_scores`` block by block, so a long run can show its progress."""
    out = np.empty((len(rows_a), len(rows_b)))
    blocks = [(s, min(s + _BLOCK, len(rows_a))) for s in range(0, len(rows_a), _BLOCK)]
    done = 0
    for start, stop in blocks:
        out[start:stop] = matcher.mutual_scores(rows_a[start:stop], rows_b)
        done += stop - start
        if progress:
            progress(done, len(rows_a))
    return out


def _pair_reasons(matcher, a, b, include_domestic):
    """Why ``a`` and ``b`` fit, from both sides (``a``'s strongest reasons, then ``b``'s),
    and their distance.

    ``Matcher.explain`` is asked with filters that leave only towns of the partner's
    country and size as candidates: its reasons do not depend on the other candidates,
    and ranking the whole world for each pair would cost far more than the matching.
    """
    out, distance = [], None
    for q, c, side, limit in ((a, b, "query", 3), (b, a, "candidate", 2)):
        e = matcher.explain(
            q,
            c,
            include_domestic=include_domestic,
            countries=[c.country],
            min_population=c.population,
            max_population=c.population,
        )
        for r in e.reasons[:limit]:
            text = r.text if side == "query" else f"from {b.name}'s side: {r.text}"
            out.append(Reason(r.feature, r.contribution, text, side))
        distance = e.distance_km
    return tuple(out), distance


def match_towns(
    matcher,
    seekers_a,
    seekers_b=None,
    max_partners=1,
    min_score=None,
    allow_same_country=False,
    progress=None,
    n_alternatives=N_ALTERNATIVES,
):
    """Pair towns that seek partners so that the total mutual fit is best.

    See :meth:`Matcher.match`, which calls this; ``progress`` (optional) is called with
    ``(done, total)`` as the score matrix fills and as the pairs get their reasons.
    """
    if isinstance(max_partners, bool) or not isinstance(max_partners, (int, np.integer)) or max_partners < 1:
        raise InvalidInput(f"max_partners must be a whole number of at least 1, got {max_partners!r}")
    if min_score is not None:
        try:
            min_score = float(min_score)
        except (TypeError, ValueError):
            raise InvalidInput(f"min_score must be a number, got {min_score!r}") from None
    one_list = seekers_b is None
    towns_a = _towns(matcher, seekers_a, "first list" if not one_list else "list")
    towns_b = towns_a if one_list else _towns(matcher, seekers_b, "second list")
    if one_list and len(towns_a) < 2:
        raise InvalidInput("one town alone cannot be paired: the list needs at least two towns")
    ga = np.array([c.geonameid for c in towns_a])
    gb = np.array([c.geonameid for c in towns_b])
    ca = np.array([c.country for c in towns_a])
    cb = np.array([c.country for c in towns_b])
    allowed = ga[:, None] != gb[None, :]
    if not allowed.any():
        raise InvalidInput("both lists hold the same single town: nothing to pair")
    if not allow_same_country:
        allowed &= ca[:, None] != cb[None, :]
        if not allowed.any():
            countries = ", ".join(sorted(set(ca) | set(cb)))
            raise InvalidInput(
                f"every town is in {countries}, and towns of one country are not paired; "
                "pass --allow-same-country (allow_same_country=True) to pair them"
            )
    index_b = {g: j for j, g in enumerate(gb)}
    for i, city in enumerate(towns_a):  # towns already twinned need no programme
        for p in matcher.partners(city):
            j = index_b.get(p.geonameid)
            if j is not None:
                allowed[i, j] = False
                if one_list:
                    allowed[j, i] = False
    rows_a = np.array([matcher.row(c) for c in towns_a], dtype=np.int64)
    rows_b = rows_a if one_list else np.array([matcher.row(c) for c in towns_b], dtype=np.int64)
    total = len(rows_a) + 1
    scores = _score_matrix(matcher, rows_a, rows_b, progress and (lambda d, n: progress(d, total)))
    best = float(scores.max(where=allowed, initial=-np.inf))
    if min_score is not None:
        allowed &= scores >= min_score
    pairs = optimal_pairs(scores, allowed, max_partners, one_list)
    note = None
    if len(pairs) == 0:
        note = (
            f"no pair reaches the least score of {min_score:.2f} (the best pair scores {best:.2f}); lower min_score"
            if min_score is not None and np.isfinite(best)
            else "no pair may be formed: every pair is of one country or already twinned"
        )
    sym = allowed | allowed.T if one_list else allowed
    partner_sets_a = [set() for _ in towns_a]
    partner_sets_b = [set() for _ in towns_b]
    for i, j in pairs:
        partner_sets_a[i].add(j)
        partner_sets_b[j].add(i)
        if one_list:
            partner_sets_a[j].add(i)
            partner_sets_b[i].add(j)

    def alternatives(scores_row, allowed_row, others, mine):
        order = np.argsort(-np.where(allowed_row, scores_row, -np.inf), kind="stable")
        out = [(others[o], float(scores_row[o])) for o in order if allowed_row[o] and o not in mine]
        return tuple(out[:n_alternatives])

    result = []
    order = np.argsort(-scores[pairs[:, 0], pairs[:, 1]], kind="stable") if len(pairs) else []
    for i, j in pairs[order]:
        a, b = towns_a[i], towns_b[j]
        reasons, distance = _pair_reasons(matcher, a, b, allow_same_country)
        result.append(
            Pair(
                a=a,
                b=b,
                score=float(scores[i, j]),
                distance_km=float(distance),
                reasons=reasons,
                alternatives_a=alternatives(
                    scores[i], sym[i], towns_b, partner_sets_a[i] | ({i} if one_list else set())
                ),
                alternatives_b=alternatives(
                    scores[:, j], sym[:, j], towns_a, partner_sets_b[j] | ({j} if one_list else set())
                ),
            )
        )
    if progress:
        progress(total, total)
    paired = {c.geonameid for p in result for c in (p.a, p.b)}
    everyone = {c.geonameid: c for c in [*towns_a, *towns_b]}
    unmatched = tuple(c for g, c in everyone.items() if g not in paired)
    return Matching(tuple(result), unmatched=unmatched, note=note)
