"""The `sistermatch` command: output formats, empty answers and every bad input.

Most tests call the CLI in-process (``cli.main([...])``) on the synthetic world of
conftest.py, by replacing the CLI's matcher factory; a few call it in-process on the
real GeoNames pool, and a few run the installed script in a subprocess, as a user does.
"""

import csv
import inspect
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import SHARED_PARTNERSHIPS, invoke_cli, make_cities
from sistermatch import Matcher
from sistermatch.interfaces import cli
from sistermatch.resolve import Resolver

# The installed console script, as a user runs it (the module form where no script is on PATH).
ENTRY = (
    [shutil.which("sistermatch")]
    if shutil.which("sistermatch")
    else [sys.executable, "-m", "sistermatch.interfaces.cli"]
)


def run_script(*args, env=None):
    full_env = dict(os.environ)
    # Profiles alone unless a test names partnerships: training on the bundled ones takes minutes.
    full_env["SISTERMATCH_PARTNERSHIPS"] = "none"
    full_env.update(env or {})
    return subprocess.run([*ENTRY, *map(str, args)], capture_output=True, text=True, env=full_env, timeout=600)


def assert_clean_error(code, err, *words):
    assert code == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("error:"), err
    for w in words:
        assert w.lower() in lines[-1].lower(), lines[-1]


# -- through the real entry point ---------------------------------------------------------


@pytest.mark.parametrize(
    "args, words",
    [
        (("recommend",), ("Missing argument",)),
        (("recommnd", "Coventry"), ("No such command 'recommnd'", "Did you mean 'recommend'")),
    ],
)
def test_usage_errors_print_usage_and_exit_2(args, words):
    proc = run_script(*args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("Usage: sistermatch")
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ")
    for w in words:
        assert w in last


def test_usage_errors_and_help_do_not_load_the_numeric_stack():
    """The package loads its public names on first use, so a usage error is quick."""
    code = (
        "import sys, sistermatch.interfaces.cli as c\n"
        "heavy = sorted(m for m in ('sklearn', 'lightgbm', 'pandas', 'scipy') if m in sys.modules)\n"
        "print(','.join(heavy) or 'none')\n"
        "import sistermatch\n"
        "print(sistermatch.Matcher.__name__, 'sklearn' in sys.modules)\n"
        "try:\n"
        "    sistermatch.NoSuchName\n"
        "except AttributeError as e:\n"
        "    print('AttributeError', e)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "none"
    assert lines[1] == "Matcher True"  # and the engine loads when it is asked for
    assert lines[2].startswith("AttributeError") and "NoSuchName" in lines[2]


def test_recommend_on_the_real_pool_prints_a_table(real_cities):  # the pool's cache, built once a run
    proc = run_script("recommend", "Coventry", "--country", "GB", "-k", "5")
    assert proc.returncode == 0, proc.stderr
    assert "Candidate sister cities for Coventry" in proc.stdout
    assert "profiles alone" in proc.stderr


@pytest.fixture()
def run_real(real_cities, monkeypatch, capsys):
    """Run the CLI in this process on the real pool (its cache built once a run), with the
    engine the commands build for a user; profiles alone unless a test names partnerships."""
    monkeypatch.setenv("SISTERMATCH_PARTNERSHIPS", "none")
    return lambda *args: invoke_cli(capsys, *args)


def test_a_bad_file_on_the_real_pool_is_one_line(tmp_path, run_real):
    path = tmp_path / "latin1.csv"
    path.write_bytes("city_a,country_a,city_b,country_b\nK\xf6ln,DE,Li\xe8ge,BE\n".encode("latin-1"))
    code, _, err = run_real("recommend", "Coventry", "--country", "GB", "--partnerships", path)
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("error:") and "not UTF-8" in err


# -- in-process, on the synthetic world ----------------------------------------------------


def test_recommend_prints_a_table(run):
    code, out, err = run("recommend", "Coventry", "--country", "GB", "-k", "3")
    assert code == 0, err
    assert "Candidate sister cities for Coventry" in out
    assert "20 partnerships" in err  # the load summary
    _, js, _ = run("recommend", "Coventry", "--country", "GB", "-k", "3", "--format", "json")
    assert all(r["name"] in out for r in json.loads(js)["recommendations"])  # the same three as JSON


def test_recommend_json_is_ranked_abroad_with_reasons(run):
    code, out, err = run("recommend", "Cologne", "-k", "4", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["query"]["geonameid"] == 7  # Köln, whatever the spelling typed
    recs = data["recommendations"]
    assert [r["rank"] for r in recs] == [1, 2, 3, 4]
    assert all(r["country"] != "DE" for r in recs)
    assert all(r["reasons"] and r["reasons"][0]["text"] for r in recs)
    assert not {10, 11} & {r["geonameid"] for r in recs}  # Köln's partners are never suggested
    assert data["note"] is None


def test_recommend_csv_and_filters(run):
    code, out, err = run("recommend", "Toledo", "--country", "ES", "-k", "3", "--format", "csv", "--continents", "NA")
    assert code == 0, err
    rows = list(csv.DictReader(out.splitlines()))
    assert len(rows) == 3 and {r["country"] for r in rows} == {"US"}


def test_recommend_mutual(run):
    code, out, err = run("recommend", "Coventry", "-c", "GB", "-k", "3", "--mutual", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["mutual"] is True and len(data["recommendations"]) == 3


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_an_empty_list_is_an_answer_with_a_note(run, fmt):
    code, out, err = run("recommend", "Coventry", "-c", "GB", "--max-distance", "100", "--format", fmt)
    assert code == 0, err
    note = err.strip().splitlines()[-1]
    assert "Coventry" in note and "max_distance_km" in note
    if fmt == "json":
        data = json.loads(out)
        assert data["recommendations"] == [] and data["note"] == note
    elif fmt == "table":
        assert "Candidate sister cities for Coventry" in out


@pytest.mark.parametrize(
    "args, words",
    [
        (("recommend", "Xqzzyvillewq"), ("no city matches",)),
        (("recommend", "Springfield"), ("ambiguous", "Springfield")),
        (("recommend", "Coventry", "--country", "ZZ"), ("unknown country",)),
        (("recommend", "Coventry", "--country", "GB", "-k", "0"), ("k must be at least 1",)),
        (("recommend", "Coventry", "--format", "xml"), ("--format",)),
        (("recommend", "Coventry", "--partnerships", "/nonexistent/p.csv"), ("not found",)),
        (("recommend", "Coventry", "--country", "GB", "--min-population=-5"), ("min_population",)),
        (("explain", "Coventry", "Caen", "--format", "xml"), ("--format",)),
        (("profile", "Atlantisxq"), ("no city matches",)),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run, args, words):
    code, _, err = run(*args)
    assert_clean_error(code, err, *words)


@pytest.mark.parametrize(
    "args, words",
    [
        (("recommend", "Coventry", "--min-population", "abc"), "Invalid value for '--min-population'"),
        (("recommend", "Coventry", "--bogus"), "No such option: --bogus"),
        (("recommend", "Coventry", "--max-dist", "5"), "--max-distance"),
        (("batch", "--jobs", "many"), "Invalid value for '--jobs'"),
        (("explain", "Coventry"), "Missing argument"),
        (("match", "a.csv"), "Missing option '--out'"),
    ],
)
def test_usage_errors_in_process(run, args, words):
    code, _, err = run(*args)
    assert code == 2 and "Traceback" not in err
    assert err.startswith("Usage: sistermatch")
    assert err.strip().splitlines()[-1].startswith("Error: ") and words in err.strip().splitlines()[-1]


def _bad_partnership_files(tmp_path):
    files = {}
    files["empty"] = tmp_path / "empty.csv"
    files["empty"].write_text("", encoding="utf-8")
    files["header only"] = tmp_path / "header.csv"
    files["header only"].write_text("geonameid_a,geonameid_b\n", encoding="utf-8")
    files["needs columns"] = tmp_path / "wrong.csv"
    files["needs columns"].write_text("town,partner\nA,B\n", encoding="utf-8")
    files["not utf-8"] = tmp_path / "latin1.csv"
    files["not utf-8"].write_bytes("city_a,country_a,city_b,country_b\nK\xf6ln,DE,Li\xe8ge,BE\n".encode("latin-1"))
    files["not valid csv"] = tmp_path / "broken.csv"
    files["not valid csv"].write_text('geonameid_a,geonameid_b\n"2652221,2886242\n1,2,3,4,5\n', encoding="utf-8")
    return files


@pytest.mark.parametrize("problem", ["empty", "header only", "needs columns", "not utf-8", "not valid csv"])
def test_bad_partnerships_file(run, tmp_path, problem):
    path = _bad_partnership_files(tmp_path)[problem]
    code, _, err = run("recommend", "Coventry", "--country", "GB", "--partnerships", path)
    words = {
        "empty": "empty",
        "header only": "no rows",
        "needs columns": "needs columns",
        "not utf-8": "not utf-8",
        "not valid csv": "not valid csv",
    }
    assert_clean_error(code, err, words[problem])


def test_partnerships_by_name_skip_unknown_towns_and_are_never_suggested(run, tmp_path, monkeypatch):
    path = tmp_path / "p.csv"
    path.write_text(
        "city_a,country_a,city_b,country_b\nCoventry,GB,Dresden,DE\nCoventry,GB,Kiel,DE\n"
        "Dresden,DE,Kraków,PL\nKiel,DE,Caen,FR\nNowhereville,GB,Kiel,DE\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SISTERMATCH_PARTNERSHIPS", str(path))
    code, out, err = run("recommend", "Coventry", "--country", "GB", "-k", "5", "--format", "json")
    assert code == 0, err
    assert "4 partnerships" in err and "skipped" in err
    names = [r["name"] for r in json.loads(out)["recommendations"]]
    assert names and "Dresden" not in names and "Kiel" not in names


@pytest.mark.parametrize("command", ["recommend", "explain", "batch", "report", "evaluate"])
def test_every_command_accepts_partnerships_none(run, tmp_path, command, partnerships_csv):
    q = tmp_path / "q.csv"
    q.write_text("geonameid\n1\n", encoding="utf-8")
    args = {
        "recommend": ("recommend", "Coventry", "-c", "GB", "-k", "2"),
        "explain": ("explain", "Coventry", "Caen"),
        "batch": ("batch", q, "--out", tmp_path / "r.csv", "-k", "2"),
        "report": ("report", q, "--html", tmp_path / "r.html", "-k", "2"),
        "evaluate": ("evaluate", "--test", partnerships_csv),
    }[command]
    code, out, err = run(*args, "--partnerships", "none")
    assert code == 0, err
    if command == "evaluate":
        assert json.loads(out)["all"]["pairs"] > 0
    else:
        assert "profiles alone" in err


def test_batch_report_rows_and_skipped_queries(run, tmp_path):
    queries = tmp_path / "q.csv"
    queries.write_text("city,country\nCoventry,GB\nNosuchtownxyz,GB\nToledo,ES\n", encoding="utf-8")
    out = tmp_path / "report.csv"
    code, _, err = run("batch", queries, "--out", out, "-k", "4")
    assert code == 0, err
    assert "skipped line 3" in err and "towns/s" in err
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 8
    for col in (
        "query_geonameid",
        "query_name",
        "query_country",
        "rank",
        "geonameid",
        "name",
        "country",
        "population",
        "score",
        "reasons",
    ):
        assert col in rows[0]
    assert [r["rank"] for r in rows if r["query_name"] == "Toledo"] == ["1", "2", "3", "4"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no work files left


def test_batch_writes_no_rows_for_a_town_without_candidates_and_says_so(run, tmp_path):
    queries = tmp_path / "q.csv"
    queries.write_text("geonameid\n1\n9\n", encoding="utf-8")  # nothing abroad within 300 km of Coventry
    out = tmp_path / "report.parquet"
    code, _, err = run("batch", queries, "--out", out, "-k", "3", "--max-distance", "300", "--format", "parquet")
    assert code == 0, err
    import pandas as pd

    df = pd.read_parquet(out)
    assert set(df.query_geonameid) == {9} and list(df.name) == ["London"]  # 259 km from Caen
    assert "1 town has no candidate" in err and "Coventry (GB): No town passes" in err


@pytest.mark.parametrize(
    "content, words",
    [
        ("town\nCoventry\n", ("needs columns",)),
        ("", ("empty",)),
        ("city,country\nNosuchtownxyz,GB\n", ("no query town",)),
    ],
)
def test_batch_bad_queries_leave_no_output(run, tmp_path, content, words):
    queries = tmp_path / "q.csv"
    queries.write_text(content, encoding="utf-8")
    out = tmp_path / "report.csv"
    code, _, err = run("batch", queries, "--out", out)
    assert_clean_error(code, err, *words)
    assert not out.exists()


def test_batch_into_missing_folder_fails_cleanly(run, tmp_path):
    queries = tmp_path / "q.csv"
    queries.write_text("geonameid\n1\n", encoding="utf-8")
    code, _, err = run("batch", queries, "--out", tmp_path / "nope" / "r.csv")
    assert_clean_error(code, err, "does not exist")


def test_batch_selectors(run, tmp_path):
    out = tmp_path / "r.csv"
    code, _, err = run("batch", "--country", "US", "--out", out, "-k", "2")
    assert code == 0, err
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["query_country"] for r in rows} == {"US"} and len(rows) == 2 * 7
    code, _, err = run("batch", "--out", out)
    assert_clean_error(code, err, "selector")


def test_report_shows_the_note_of_a_town_without_candidates(run, tmp_path):
    queries = tmp_path / "q.csv"
    queries.write_text("geonameid\n1\n9\n", encoding="utf-8")
    html = tmp_path / "r.html"
    code, _, err = run("report", queries, "--html", html, "-k", "3", "--max-distance", "300")
    assert code == 0, err
    assert "Coventry (GB): No town passes" in err and "Caen (FR)" not in err
    page = html.read_text(encoding="utf-8")
    assert "Coventry" in page and "London" in page


def test_explain_text_and_json(run):
    code, out, err = run("explain", "Coventry", "Caen", "-c", "GB")
    assert code == 0, err
    assert "rank" in out and "contributions" in out
    code, out, err = run("explain", "Coventry", "London", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["rank"] is None and any("same country" in e for e in data["excluded_by"])


def test_profile_and_data_stats(run):
    code, out, err = run("profile", "Köln", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert "Köln" in json.dumps(data, ensure_ascii=False)
    assert all(f["source"] for f in data["facts"])
    code, out, err = run("data-stats", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["coverage"]["cities"] == len(make_cities())


def test_profile_text_reads_diaspora_as_a_person_would(run):
    code, out, err = run("profile", "Köln")
    assert code == 0, err
    diaspora = out.split("diaspora:")[1]
    # "about 870,000 people from Poland live in Germany", not "PL->DE (870,000)".
    assert re.search(r"about [\d,.]+( million)? people from [A-Z][a-z]+.* live in Germany", diaspora)
    assert "->" not in out


def test_evaluate_prints_metrics(run, partnerships_csv, tmp_path):
    lines = partnerships_csv.read_text(encoding="utf-8").splitlines()
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    train.write_text("\n".join(lines[:1] + lines[1::2]) + "\n", encoding="utf-8")
    test.write_text("\n".join(lines[:1] + lines[2::2]) + "\n", encoding="utf-8")
    code, out, err = run("evaluate", "--partnerships", train, "--test", test, "--model", "hand")
    assert code == 0, err
    result = json.loads(out)
    assert result["all"]["pairs"] > 0 and 0.0 <= result["all"]["hits@10"] <= 1.0


REGIONS = "region" in inspect.signature(Resolver.resolve).parameters


@pytest.mark.skipif(not REGIONS, reason="waits for Resolver.resolve(..., region=) from the resolver branch")
@pytest.mark.parametrize("region, geonameid", [("IL", 18), ("MA", 19)])
def test_region_picks_among_same_named_towns(run, region, geonameid):
    code, out, err = run("recommend", "Springfield", "-c", "US", "--region", region, "-k", "2", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["query"]["geonameid"] == geonameid
    code, out, err = run(
        "explain",
        "Springfield",
        "Toledo",
        "-c",
        "US",
        "--region",
        region,
        "--candidate-country",
        "ES",
        "--format",
        "json",
    )
    assert code == 0, err
    assert json.loads(out)["query"]["geonameid"] == geonameid
    code, out, err = run("profile", "Springfield", "-c", "US", "--region", region, "--format", "json")
    assert code == 0, err
    assert str(geonameid) in out


@pytest.mark.realdata
@pytest.mark.skipif(not os.path.exists(SHARED_PARTNERSHIPS), reason="needs ../shared/data/partnerships.csv")
def test_evaluate_prints_metrics_on_real_split(tmp_path, run_real):
    with open(SHARED_PARTNERSHIPS, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    # A small real split made at test time (never stored): German towns' pairs to the
    # test file, a sample of the rest to train on.
    test_rows = [r for r in rows if r["country_a"] == "DE"][:40]
    train_rows = [r for r in rows if r["country_a"] != "DE"][::4]
    for name, subset in (("train.csv", train_rows), ("test.csv", test_rows)):
        with open(tmp_path / name, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(subset)
    code, out, err = run_real(
        "evaluate",
        "--partnerships",
        tmp_path / "train.csv",
        "--test",
        tmp_path / "test.csv",
        "--max-queries",
        "20",
        "--model",
        "hand",  # no training: the command is under test here; learned rankers are tested elsewhere
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["all"]["pairs"] > 0
    assert 0.0 <= result["all"]["hits@100"] <= 1.0
    assert result["all"]["median_rank"] >= 1


def test_progress_off_a_terminal_is_a_plain_line_with_rate_and_time_left(capsys):
    progress = cli._progress(1000, "towns", "ranking", every=0.0)
    advance = progress.__enter__()
    progress.started -= 100.0  # as if 100 s had passed
    advance(500)
    advance(1000)  # the end prints nothing: the command's summary follows
    progress.__exit__(None, None, None)
    err = capsys.readouterr().err
    assert err == "ranking: 500/1,000 towns (5.0 towns/s, ETA 0:01:40)\n"


def test_commands_rank_with_the_engines_default_model(monkeypatch):
    asked = []

    def factory(**params):
        asked.append(params.get("model"))
        raise SystemExit(0)

    monkeypatch.setattr(cli, "new_matcher", factory)
    for args in (["recommend", "Coventry"], ["explain", "Coventry", "Caen"], ["batch", "--all", "--out", "x.csv"]):
        with pytest.raises(SystemExit):
            cli.main(args)
    assert asked == [Matcher().model] * 3
