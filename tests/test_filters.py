"""One filter schema, every interface: the command line options, the service's query
parameters and the ``POST /batch`` body are all made from ``ranking.FILTERS``, with its
help, bounds and one ``MAX_K``. A filter added, renamed or bounded in one place only
fails here."""

import csv
import re
import warnings
from pathlib import Path

import pytest
import typer

from sistermatch import Matcher
from sistermatch.errors import InvalidInput
from sistermatch.interfaces import cli
from sistermatch.models import LogisticRanker
from sistermatch.ranking import FILTERS, MAX_K, CandidateFilter, FilterField, check_k

pytest.importorskip("fastapi")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from sistermatch.interfaces.service import STATIC_DIR, create_app  # noqa: E402

NAMES = [spec.name for spec in FILTERS]
SPEC = {spec.name: spec for spec in FILTERS}
NUMBERS = [spec for spec in FILTERS if spec.kind == "number"]

# The commands that take candidate filters, and the flags a command spells its own way.
FILTER_COMMANDS = {
    "recommend": {},
    "explain": {},
    "report": {},
    # batch's own --min-population selects the query towns.
    "batch": {"min_population": "--candidate-min-population", "max_population": "--candidate-max-population"},
}


@pytest.fixture(scope="module")
def commands():
    return typer.main.get_command(cli.app).commands


@pytest.fixture(scope="module")
def openapi(matcher):
    return create_app(matcher).openapi()


@pytest.fixture(scope="module")
def matcher(graph, cities):
    return Matcher(cities=cities, model=LogisticRanker()).fit(graph)


def _query_params(openapi, path):
    return {p["name"]: p for p in openapi["paths"][path]["get"]["parameters"] if p["in"] == "query"}


def _number_schema(schema):
    """The number branch of an ``anyOf: [number, null]`` schema."""
    return next(s for s in schema.get("anyOf", [schema]) if s.get("type") == "number")


# -- the schema itself ---------------------------------------------------------------


def test_every_candidate_filter_field_is_in_the_schema():
    assert NAMES == list(CandidateFilter.__dataclass_fields__)
    assert all(isinstance(spec, FilterField) and spec.help and spec.flag.startswith("--") for spec in FILTERS)
    assert {spec.kind for spec in FILTERS} <= {"flag", "codes", "number"}
    for spec in FILTERS:
        assert getattr(CandidateFilter(), spec.name) in (spec.default, ())


@pytest.mark.parametrize("spec", NUMBERS, ids=lambda s: s.name)
def test_make_checks_the_schemas_bound(spec):
    assert getattr(CandidateFilter.make(**{spec.name: spec.ge}), spec.name) == spec.ge
    with pytest.raises(InvalidInput, match=spec.name):
        CandidateFilter.make(**{spec.name: spec.ge - 1})


# -- the command line -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FILTER_COMMANDS))
def test_filter_commands_offer_exactly_the_schemas_filters(commands, name):
    params = {p.name: p for p in commands[name].params}
    assert [n for n in params if n in SPEC] == NAMES
    for spec in FILTERS:
        option = params[spec.name]
        assert option.opts == [FILTER_COMMANDS[name].get(spec.name, spec.flag)]
        assert option.help == spec.help
        assert option.default == spec.default
        assert option.is_flag == (spec.kind == "flag")


def test_other_commands_take_no_filters(commands):
    for name, command in commands.items():
        if name not in FILTER_COMMANDS:
            assert not {p.name for p in command.params} & set(NAMES), name


def test_each_flag_appears_once_per_command(commands):
    for name, command in commands.items():
        flags = [opt for p in command.params for opt in p.opts]
        assert len(flags) == len(set(flags)), name


@pytest.mark.parametrize("spec", NUMBERS, ids=lambda s: s.name)
def test_a_number_below_the_bound_is_one_line_naming_the_filter(run, spec):
    code, _, err = run("recommend", "Coventry", "--country", "GB", f"{spec.flag}={spec.ge - 1:g}")
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines()[-1] == f"error: {spec.name} must be a non-negative number, got {spec.ge - 1:.1f}"


def test_a_bad_filter_fails_before_any_model_loads(run, monkeypatch):
    def no_model(**params):
        raise AssertionError("the model was loaded before the filters were checked")

    monkeypatch.setattr(cli, "new_matcher", no_model)
    for command in (("recommend", "Coventry"), ("explain", "Coventry", "Caen")):
        code, _, err = run(*command, "--max-distance=-1")
        assert code == 2
        assert err.strip().splitlines()[-1] == "error: max_distance_km must be a non-negative number, got -1.0"


@pytest.mark.parametrize("spec", NUMBERS, ids=lambda s: s.name)
def test_a_number_filter_takes_only_numbers(run, spec):
    code, _, err = run("recommend", "Coventry", spec.flag, "abc")
    assert code == 2 and "Traceback" not in err
    assert f"Invalid value for '{spec.flag}'" in err.strip().splitlines()[-1]


def test_batch_takes_every_filter_and_keeps_its_query_selector(run, tmp_path):
    out = tmp_path / "r.csv"
    code, _, err = run(
        "batch",
        "--min-population",
        "500000",  # the query towns
        "--candidate-max-population",
        "400000",
        "--continents",
        "EU",
        "--out",
        out,
        "-k",
        "50",
    )
    assert code == 0, err
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    assert all(float(r["population"]) <= 400_000 for r in rows)
    assert {r["country"] for r in rows} <= {"GB", "DE", "FR", "ES", "IT", "PL", "NL", "BE", "IE", "PT"}


@pytest.mark.parametrize("command", ["recommend", "explain"])
def test_commands_hand_every_filter_to_the_engine(run, monkeypatch, command):
    asked = {}

    def spy(self, *args, **kw):
        asked.update(kw)
        raise SystemExit(0)

    monkeypatch.setattr(Matcher, command, spy)
    args = [command, "Coventry", "Caen"][: 3 if command == "explain" else 2]
    code, _, err = run(*args, "--countries", "DE", "--max-distance", "900")
    assert code == 0, err
    assert {name: asked[name] for name in NAMES} == {spec.name: spec.default for spec in FILTERS} | {
        "countries": "DE",
        "max_distance_km": 900.0,
    }


def test_filter_options_refuses_a_command_it_cannot_extend():
    with pytest.raises(TypeError, match="no candidate filter"):
        cli.filter_options(min_pop="--x")
    with pytest.raises(TypeError, match="'filters' parameter"):
        cli.filter_options()(lambda k=1: k)
    with pytest.raises(TypeError, match="named like a filter"):
        cli.filter_options()(lambda countries=None, filters=None: None)


def test_filter_options_passes_the_filters_as_one_dict():
    seen = {}

    @cli.filter_options()
    def command(k: int = 1, filters: dict = None):
        seen.update(filters, k=k)

    command(k=3, **{spec.name: spec.default for spec in FILTERS} | {"countries": "DE"})
    assert seen == {spec.name: spec.default for spec in FILTERS} | {"countries": "DE", "k": 3}


# -- the HTTP service ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, own",
    [
        ("/cities/{geonameid}/recommendations", ["k", "mutual"]),
        ("/cities/{geonameid}/explain/{candidate_id}", []),
    ],
)
def test_get_endpoints_take_exactly_the_schemas_filters(openapi, path, own):
    params = _query_params(openapi, path)
    assert list(params) == own + NAMES
    for spec in FILTERS:
        assert params[spec.name]["description"] == spec.help
        assert params[spec.name]["required"] is False
        if spec.kind == "number":
            assert _number_schema(params[spec.name]["schema"])["minimum"] == spec.ge


def test_batch_body_takes_exactly_the_schemas_filters(openapi):
    body = openapi["components"]["schemas"]["BatchRequest"]
    assert list(body["properties"]) == ["queries", "k", *NAMES]
    assert body["additionalProperties"] is False
    for spec in FILTERS:
        assert body["properties"][spec.name]["description"] == spec.help
        if spec.kind == "number":
            assert _number_schema(body["properties"][spec.name])["minimum"] == spec.ge


@pytest.mark.parametrize("spec", NUMBERS, ids=lambda s: s.name)
def test_service_rejects_a_number_below_the_schemas_bound(matcher, spec):
    client = TestClient(create_app(matcher))
    below = {spec.name: spec.ge - 1}
    for response in (
        client.get("/cities/1/recommendations", params=below),
        client.post("/batch", json={"queries": [{"geonameid": 1}], **below}),
    ):
        assert response.status_code == 422
        assert spec.name in response.json()["error"]["message"]


def test_service_echoes_the_filters_under_the_schemas_names(matcher):
    client = TestClient(create_app(matcher))
    given = {"countries": "DE,FR", "max_distance_km": 2000}
    got = client.get("/cities/1/recommendations", params=given).json()["filters"]
    assert got == {"include_domestic": False, **given}
    got = client.post("/batch", json={"queries": [{"geonameid": 1}], **given}).json()["filters"]
    assert got == {"include_domestic": False, **given}


# -- one MAX_K ----------------------------------------------------------------------------


def test_one_max_k_everywhere(openapi, run):
    assert check_k(MAX_K) == MAX_K
    with pytest.raises(InvalidInput, match=f"at most {MAX_K}"):
        check_k(MAX_K + 1)
    k = _query_params(openapi, "/cities/{geonameid}/recommendations")["k"]["schema"]
    assert k["maximum"] == MAX_K
    assert openapi["components"]["schemas"]["BatchRequest"]["properties"]["k"]["maximum"] == MAX_K
    page = Path(STATIC_DIR, "index.html").read_text(encoding="utf-8")
    assert re.search(r'<input id="k"[^>]*\bmax="(\d+)"', page).group(1) == str(MAX_K)
    code, _, err = run("recommend", "Coventry", "--country", "GB", "-k", MAX_K + 1)
    assert code == 2 and err.strip().splitlines()[-1] == f"error: k must be at most {MAX_K}, got {MAX_K + 1}"


def test_a_switch_takes_words_not_any_truthy_value():
    assert CandidateFilter.make(include_domestic="false").include_domestic is False
    assert CandidateFilter.make(include_domestic="Yes").include_domestic is True
    assert CandidateFilter.make(include_domestic=1).include_domestic is True
    assert CandidateFilter.make().include_domestic is False
    with pytest.raises(InvalidInput, match="include_domestic must be true or false"):
        CandidateFilter.make(include_domestic="maybe")


@pytest.mark.parametrize(
    "kw, word",
    [
        (dict(countries=("XX",)), "XX"),
        (dict(exclude_countries=("QQ",)), "QQ"),
        (dict(continents=("ZZ",)), "unknown continent 'ZZ'"),
        (dict(exclude_continents=("EUR",)), "unknown continent 'EUR'"),
    ],
)
def test_unknown_codes_are_one_error_whoever_checks(cities, kw, word):
    """The service's check before a batch and the ranking's own check are one method."""
    flt = CandidateFilter.make(**kw)
    with pytest.raises(InvalidInput, match=re.escape(word)):
        flt.check_codes(cities.countries)
    with pytest.raises(InvalidInput, match=re.escape(word)):
        flt.conditions(cities, 0, [])
    CandidateFilter.make(countries=("DE",), continents=("EU", "NA")).check_codes(cities.countries)
