"""The `sistermatch` command through its real entry point: output formats and every bad input."""

import csv
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import SHARED_PARTNERSHIPS


# The installed console script, as a user runs it (the module form where no script is on PATH).
ENTRY = [shutil.which("sistermatch")] if shutil.which("sistermatch") else [sys.executable, "-m",
                                                                           "sistermatch.interfaces.cli"]


def run(*args, env=None, cwd=None):
    full_env = dict(os.environ)
    # Profiles alone unless a test names partnerships: training on the bundled ones takes a minute.
    full_env["SISTERMATCH_PARTNERSHIPS"] = "none"
    full_env.update(env or {})
    return subprocess.run([*ENTRY, *map(str, args)], capture_output=True, text=True, env=full_env, cwd=cwd,
                          timeout=600)


def assert_clean_error(proc, *words):
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("error:"), proc.stderr
    for w in words:
        assert w.lower() in lines[-1].lower(), lines[-1]


def test_recommend_from_profiles_alone_prints_a_table(tmp_path):
    proc = run("recommend", "Coventry", "--country", "GB", "-k", "5")
    assert proc.returncode == 0, proc.stderr
    assert "Candidate sister cities for Coventry" in proc.stdout
    assert "profiles alone" in proc.stderr


def test_recommend_json_is_ranked_abroad_with_reasons():
    proc = run("recommend", "Köln", "-k", "7", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["query"]["geonameid"] == 2886242  # Köln, whatever the spelling typed
    recs = data["recommendations"]
    assert [r["rank"] for r in recs] == list(range(1, 8))
    assert all(r["country"] != "DE" for r in recs)
    assert all(r["reasons"] and r["reasons"][0]["text"] for r in recs)


def test_recommend_csv_and_filters():
    proc = run("recommend", "Toledo", "--country", "ES", "-k", "5", "--format", "csv", "--continents", "NA")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(proc.stdout.splitlines()))
    assert len(rows) == 5
    assert {r["country"] for r in rows} <= {"US", "CA", "MX", "CU", "GT", "HN", "SV", "NI", "CR", "PA", "DO", "HT",
                                           "JM", "PR", "BS", "BZ", "TT", "BB", "GL", "BM", "KY", "VI", "AG",
                                           "DM", "GD", "KN", "LC", "VC", "AW", "CW", "SX", "BQ", "BL", "MF",
                                           "GP", "MQ", "PM", "TC", "VG", "AI", "MS"}
    assert any(r["name"] == "Toledo" for r in rows)  # the namesake town must show


@pytest.mark.parametrize("args, words", [
    (("recommend", "Xqzzyvillewq"), ("no city matches",)),
    (("recommend", "Springfield"), ("ambiguous", "Springfield")),
    (("recommend", "Coventry", "--country", "ZZ"), ("unknown country",)),
    (("recommend", "Coventry", "--country", "GB", "-k", "0"), ("k must be at least 1",)),
    (("recommend", "Coventry", "--format", "xml"), ("--format",)),
    (("recommend", "Coventry", "--partnerships", "/nonexistent/p.csv"), ("not found",)),
    (("recommend", "Coventry", "--country", "GB", "--min-population=-5"), ("min_population",)),
])
def test_bad_input_is_one_line_and_exit_2(args, words):
    assert_clean_error(run(*args), *words)


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
def test_bad_partnerships_file(tmp_path, problem):
    path = _bad_partnership_files(tmp_path)[problem]
    proc = run("recommend", "Coventry", "--country", "GB", "--partnerships", path)
    words = {"empty": "empty", "header only": "no rows", "needs columns": "needs columns",
             "not utf-8": "not utf-8", "not valid csv": "not valid csv"}
    assert_clean_error(proc, words[problem])


def test_partnerships_from_environment_variable(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("city_a,country_a,city_b,country_b\nCoventry,GB,Dresden,DE\nCoventry,GB,Kiel,DE\n"
                    "Dresden,DE,Wrocław,PL\nKiel,DE,Gdynia,PL\nNowhereville,GB,Kiel,DE\n", encoding="utf-8")
    proc = run("recommend", "Coventry", "--country", "GB", "-k", "5", "--format", "json",
               env={"SISTERMATCH_PARTNERSHIPS": str(path)})
    assert proc.returncode == 0, proc.stderr
    assert "4 partnerships" in proc.stderr and "skipped" in proc.stderr
    names = [r["name"] for r in json.loads(proc.stdout)["recommendations"]]
    assert "Dresden" not in names and "Kiel" not in names  # existing partners are never suggested


def test_batch_report_rows_and_skipped_queries(tmp_path):
    queries = tmp_path / "q.csv"
    queries.write_text("city,country\nCoventry,GB\nNosuchtownxyz,GB\nToledo,ES\n", encoding="utf-8")
    out = tmp_path / "report.csv"
    proc = run("batch", queries, "--out", out, "-k", "4")
    assert proc.returncode == 0, proc.stderr
    assert "skipped line 3" in proc.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 8
    for col in ("query_geonameid", "query_name", "query_country", "rank", "geonameid", "name", "country",
                "population", "score", "reasons"):
        assert col in rows[0]
    assert [r["rank"] for r in rows if r["query_name"] == "Toledo"] == ["1", "2", "3", "4"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no work files left


@pytest.mark.parametrize("content, words", [
    ("town\nCoventry\n", ("needs columns",)),
    ("", ("empty",)),
    ("city,country\nNosuchtownxyz,GB\n", ("no query town",)),
])
def test_batch_bad_queries_leave_no_output(tmp_path, content, words):
    queries = tmp_path / "q.csv"
    queries.write_text(content, encoding="utf-8")
    out = tmp_path / "report.csv"
    assert_clean_error(run("batch", queries, "--out", out), *words)
    assert not out.exists()


def test_batch_into_missing_folder_fails_cleanly(tmp_path):
    queries = tmp_path / "q.csv"
    queries.write_text("geonameid\n2652221\n", encoding="utf-8")
    assert_clean_error(run("batch", queries, "--out", tmp_path / "nope" / "r.csv"), "does not exist")


def test_profile_json_names_sources():
    proc = run("profile", "Monza", "--country", "IT", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    industry = [f for f in data["facts"] if f["aspect"] == "industry" and f["level"] == "city"]
    assert any(f["value"] == "motorsport" for f in industry)
    assert all(f["source"] for f in data["facts"])


def test_data_stats_reports_coverage():
    proc = run("data-stats", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    cov = json.loads(proc.stdout)["coverage"]
    assert cov["cities"] > 230_000
    assert cov["industry_city_level"] >= 3000


@pytest.mark.realdata
@pytest.mark.skipif(not os.path.exists(SHARED_PARTNERSHIPS), reason="needs ../shared/data/partnerships.csv")
def test_evaluate_prints_metrics_on_real_split(tmp_path):
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
    proc = run("evaluate", "--partnerships", tmp_path / "train.csv", "--test", tmp_path / "test.csv",
               "--max-queries", "20")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["all"]["pairs"] > 0
    assert 0.0 <= result["all"]["hits@100"] <= 1.0
    assert result["all"]["median_rank"] >= 1
