"""Programme matching: the solver against brute force and greedy, the pairing rules, and `sistermatch match`."""

import csv
import itertools

import numpy as np
import pytest

from conftest import make_cities
from sistermatch import InvalidInput, Matcher
from sistermatch.matching import PAIR_COLUMNS, greedy_pairs, optimal_pairs
from sistermatch.models import LogisticRanker


def brute_force(scores, allowed, max_partners, one_list):
    """The best pairing by trying every set of allowed pairs: most pairs, then highest total."""
    scores = np.asarray(scores)
    edges = [(i, j) for i, j in zip(*np.nonzero(allowed)) if not one_list or i < j]
    best = (0, 0.0, ())
    for n in range(1, len(edges) + 1):
        for subset in itertools.combinations(edges, n):
            load_a, load_b = np.zeros(scores.shape[0]), np.zeros(scores.shape[1])
            for i, j in subset:
                load_a[i] += 1
                (load_a if one_list else load_b)[j] += 1
            if load_a.max() <= max_partners and load_b.max() <= max_partners:
                total = sum(scores[i, j] for i, j in subset)
                if (n, total) > best[:2]:
                    best = (n, total, subset)
    return best


def total(scores, pairs):
    return float(np.asarray(scores)[pairs[:, 0], pairs[:, 1]].sum()) if len(pairs) else 0.0


def test_optimal_assignment_beats_greedy_where_greedy_takes_the_best_pair_first():
    # Greedy gives town 0 its best partner A and leaves town 1 with its poor B;
    # the best total gives 0 its near-equal second choice B and 1 its A.
    scores = np.array([[-0.1, -0.2], [-0.3, -3.0]])
    assert greedy_pairs(scores).tolist() == [[0, 0], [1, 1]]
    assert optimal_pairs(scores).tolist() == [[0, 1], [1, 0]]
    assert total(scores, optimal_pairs(scores)) == pytest.approx(-0.5)
    assert total(scores, greedy_pairs(scores)) == pytest.approx(-3.1)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("max_partners, one_list", [(1, False), (2, False), (1, True), (2, True)])
def test_optimal_pairs_equal_brute_force(seed, max_partners, one_list):
    rng = np.random.default_rng(seed)
    n_a, n_b = (5, 5) if one_list else (3, 4)
    scores = -rng.gamma(1.0, 1.0, size=(n_a, n_b))
    if one_list:
        scores = (scores + scores.T) / 2
    allowed = rng.random((n_a, n_b)) < 0.75
    if one_list:
        allowed &= allowed.T
    pairs = optimal_pairs(scores, allowed, max_partners, one_list)
    n, best_total, _ = brute_force(scores, np.triu(allowed, 1) if one_list else allowed, max_partners, one_list)
    assert len(pairs) == n
    assert total(scores, pairs) == pytest.approx(best_total)
    assert all(allowed[i, j] for i, j in pairs)
    # Each town within its capacity; in one list never with itself and each pair once.
    ends = np.concatenate([pairs[:, 0], pairs[:, 1]]) if one_list else pairs[:, 0]
    assert np.bincount(ends, minlength=n_a).max(initial=0) <= max_partners
    if one_list:
        assert (pairs[:, 0] < pairs[:, 1]).all()
    greedy = greedy_pairs(scores, allowed, max_partners, one_list)
    assert (len(pairs), total(scores, pairs)) >= (len(greedy), total(scores, greedy) - 1e-9)


def test_more_pairs_beat_a_better_total_of_fewer():
    # Pairing 0-0 alone scores best, but leaves town 1 alone; both paired is the answer.
    scores = np.array([[-0.1, -2.0], [-1.0, -np.inf]])
    assert optimal_pairs(scores).tolist() == [[0, 1], [1, 0]]


def test_solver_bad_arguments():
    with pytest.raises(InvalidInput, match="max_partners"):
        optimal_pairs([[0.0]], max_partners=0)
    with pytest.raises(InvalidInput, match="square"):
        optimal_pairs([[0.0, 1.0]], one_list=True)
    assert optimal_pairs([[0.0]], allowed=[[False]]).shape == (0, 2)


@pytest.fixture(scope="module")
def matcher(graph):
    return Matcher(cities=make_cities(), model=LogisticRanker(), n_folds=2, negatives=6).fit(graph)


GB_DE = [1, 3, 4, 6, 7]  # Coventry, Leamington, Kiel, Dresden, Köln
FR_ES_PL = [8, 9, 20, 12, 11]  # Paris, Caen, Tinyville, Toledo (ES), Kraków


def test_match_two_lists_is_optimal_on_the_engine_scores(matcher):
    result = matcher.match(GB_DE, FR_ES_PL)
    assert len(result) == 5 and not result.unmatched
    rows_a = [matcher.row(g) for g in GB_DE]
    rows_b = [matcher.row(g) for g in FR_ES_PL]
    scores = matcher.mutual_scores(rows_a, rows_b)
    got = {(p.a.geonameid, p.b.geonameid) for p in result}
    # Already partners (Kiel-Caen, Dresden-Kraków, ...) are never proposed.
    assert (4, 9) not in got and (6, 11) not in got and (3, 9) not in got
    assert all(p.a.geonameid in GB_DE and p.b.geonameid in FR_ES_PL for p in result)
    assert [p.score for p in result] == sorted((p.score for p in result), reverse=True)
    for p in result:
        assert p.score == pytest.approx(scores[GB_DE.index(p.a.geonameid), FR_ES_PL.index(p.b.geonameid)])
        assert p.reasons and any(r.side == "candidate" for r in p.reasons)
        assert p.alternatives_a and all(c.geonameid != p.b.geonameid for c, _ in p.alternatives_a)
    allowed = np.ones_like(scores, dtype=bool)
    for a, b in ((4, 9), (6, 11), (3, 9), (6, 9), (7, 11)):
        if a in GB_DE and b in FR_ES_PL:
            allowed[GB_DE.index(a), FR_ES_PL.index(b)] = False
    greedy = greedy_pairs(scores, allowed)
    assert sum(p.score for p in result) >= total(scores, greedy) - 1e-9


def test_match_one_list_never_pairs_a_town_with_itself_or_its_country(matcher):
    towns = [1, 4, 6, 8, 9, 10, 12]
    result = matcher.match(towns, max_partners=2)
    seen = set()
    for p in result:
        assert p.a.geonameid != p.b.geonameid and p.a.country != p.b.country
        key = frozenset((p.a.geonameid, p.b.geonameid))
        assert key not in seen
        seen.add(key)
    load = {}
    for p in result:
        for c in (p.a, p.b):
            load[c.geonameid] = load.get(c.geonameid, 0) + 1
    assert max(load.values()) == 2


def test_same_country_rule_and_its_override(matcher):
    german = [4, 5, 6, 7]
    with pytest.raises(InvalidInput, match="allow-same-country"):
        matcher.match(german)
    result = matcher.match(german, allow_same_country=True)
    assert len(result) == 2 and all(p.a.country == p.b.country == "DE" for p in result)
    assert {frozenset((p.a.geonameid, p.b.geonameid)) for p in result}.isdisjoint({frozenset((4, 6))})  # twinned


def test_min_score_drops_weak_pairs_and_an_empty_matching_says_why(matcher):
    everything = matcher.match(GB_DE, FR_ES_PL)
    cut = sorted(p.score for p in everything)[2]
    strong = matcher.match(GB_DE, FR_ES_PL, min_score=cut)
    assert strong and all(p.score >= cut for p in strong) and strong.unmatched
    none = matcher.match(GB_DE, FR_ES_PL, min_score=0.0)
    assert len(none) == 0 and "min_score" in none.note


@pytest.mark.parametrize(
    "args, kwargs, words",
    [
        (([],), {}, "empty"),
        (([1],), {}, "at least two"),
        (([1, 2, 3],), {}, "GB"),
        (([1, 8],), {"max_partners": 0}, "max_partners"),
        (([1, 8],), {"min_score": "high"}, "min_score"),
        (([1, 8], []), {}, "second list is empty"),
    ],
)
def test_match_bad_input(matcher, args, kwargs, words):
    with pytest.raises(InvalidInput, match=words):
        matcher.match(*args, **kwargs)


def test_a_town_in_both_lists_is_not_paired_with_itself(matcher):
    result = matcher.match([1], [1, 8])
    assert [(p.a.geonameid, p.b.geonameid) for p in result] == [(1, 8)]


# -- the command line, in-process on the synthetic world ---------------------------------


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_match_two_lists_writes_pairs(run, tmp_path):
    a = write(tmp_path / "a.csv", "city,country\nCoventry,GB\nKiel,DE\nDresden,DE\nAtlantis,GB\n")
    b = write(tmp_path / "b.csv", "geonameid\n8\n9\n12\n")
    out = tmp_path / "pairs.csv"
    code, _, err = run("match", a, "--with", b, "--out", out)
    assert code == 0, err
    assert "skipped a.csv line 5" in err and "wrote 3 pairs" in err
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == PAIR_COLUMNS and len(rows) == 3
    assert {r["country_a"] for r in rows} <= {"GB", "DE"} and {r["country_b"] for r in rows} <= {"FR", "ES"}
    assert all(r["reasons"] and r["alternatives_a"] for r in rows)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_cli_match_min_score_above_every_pair_is_an_empty_answer(run, tmp_path):
    a = write(tmp_path / "a.csv", "geonameid\n1\n4\n8\n12\n")
    out = tmp_path / "pairs.csv"
    code, _, err = run("match", a, "--out", out, "--max-partners", "2", "--min-score", "0")
    assert code == 0, err
    assert "--min-score" in err and "4 towns without a partner" in err
    assert out.read_text(encoding="utf-8").strip() == ",".join(PAIR_COLUMNS)


@pytest.mark.parametrize(
    "content, other, words",
    [
        ("city,country\nKiel,DE\nDresden,DE\nKöln,DE\n", None, "allow-same-country"),
        ("town\nKiel\n", None, "needs columns"),
        ("geonameid\n", None, "no rows"),
        ("", None, "empty"),
        ("city,country\nAtlantis,GB\n", None, "no town of"),
        ("geonameid\n4\n", "geonameid\n5\n6\n", "allow-same-country"),
    ],
)
def test_cli_match_bad_input_is_one_line(run, tmp_path, content, other, words):
    a = write(tmp_path / "a.csv", content)
    args = ["match", a, "--out", tmp_path / "pairs.csv"]
    if other is not None:
        args += ["--with", write(tmp_path / "b.csv", other)]
    code, _, err = run(*args)
    assert code == 2
    assert err.strip().splitlines()[-1].startswith("error:") and words in err.strip().splitlines()[-1]
    assert not (tmp_path / "pairs.csv").exists()


def test_cli_match_usage_errors(run, tmp_path):
    a = write(tmp_path / "a.csv", "geonameid\n1\n4\n")
    code, _, err = run("match", a, "--out", tmp_path / "p.csv", "--max-partners", "two")
    assert code == 2 and "Usage:" in err and "--max-partners" in err
    code, _, err = run("match", a, "--out", tmp_path / "nope" / "p.csv")
    assert code == 2 and "does not exist" in err


def test_cli_match_writes_a_self_contained_html_view(run, tmp_path):
    a = write(tmp_path / "a.csv", "city,country\nCoventry,GB\nKiel,DE\nDresden,DE\n")
    b = write(tmp_path / "b.csv", "geonameid\n8\n9\n12\n21\n")
    out, html = tmp_path / "pairs.csv", tmp_path / "pairs.html"
    code, _, err = run("match", a, "--with", b, "--out", out, "--html", html)
    assert code == 0, err
    page = html.read_text(encoding="utf-8")
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert "Programme matching (3 pairs)" in page
    for r in rows:  # every pair, with its reasons, as in PAIRS.csv
        assert r["name_a"] in page and r["name_b"] in page
        assert r["reasons"].split("; ")[0].replace("'", "&#39;") in page
    assert "Without a partner (1)" in page  # four towns abroad for three seekers
    assert "http://" not in page and "https://" not in page
    code, _, err = run("match", a, "--with", b, "--out", out, "--html", tmp_path / "nope" / "p.html")
    assert code == 2 and "does not exist" in err
