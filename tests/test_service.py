"""The HTTP service on the synthetic world: each endpoint, each error status, each bound."""

import inspect
import warnings
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

with warnings.catch_warnings():
    # Newer Starlette warns that its httpx-based client will move; it still works.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from sistermatch import Matcher, NotFittedError, __version__  # noqa: E402
from sistermatch.features import ALL_ASPECTS  # noqa: E402
from sistermatch.interfaces import service  # noqa: E402
from sistermatch.interfaces.service import (  # noqa: E402
    MAX_BATCH, MAX_BODY_BYTES, MAX_K, MAX_LIMIT, MAX_TEXT, create_app)
from sistermatch.models import LogisticRanker  # noqa: E402

from conftest import make_cities  # noqa: E402

COVENTRY, LEAMINGTON, KOELN, PARIS, CAEN, SPRINGFIELD_IL, SPRINGFIELD_MA = 1, 3, 7, 8, 9, 18, 19


@pytest.fixture(scope="module")
def matcher(graph):
    return Matcher(cities=make_cities(), model=LogisticRanker(), aspects=ALL_ASPECTS).fit(graph)


@pytest.fixture(scope="module")
def client(matcher):
    return TestClient(create_app(matcher, meta={"data_version": "synthetic-1"}))


def error_of(response, status):
    """The error object of a response, after checking the status and the one error shape."""
    assert response.status_code == status, response.text
    err = response.json()["error"]
    assert err["status"] == status
    assert err["message"]
    return err


# -- endpoints ---------------------------------------------------------------------


def test_health_reports_version_and_data_size(client):
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["version"] == __version__
    assert body["cities"] == 23
    assert body["partnerships"] == 20
    assert body["meta"]["data_version"] == "synthetic-1"


def test_cities_autocompletes_most_populous_first(client):
    body = client.get("/cities", params={"q": "spr", "country": "US"}).json()
    assert [c["geonameid"] for c in body["cities"]] == [SPRINGFIELD_MA, SPRINGFIELD_IL]
    assert set(body["cities"][0]) >= {"geonameid", "name", "country", "admin1", "latitude", "longitude", "population"}
    assert body["cities"][0]["label"] == "Springfield (US, Massachusetts)"
    assert len(client.get("/cities", params={"q": "spr", "limit": 1}).json()["cities"]) == 1


def test_cities_finds_alternate_names_and_ids(client):
    assert [c["geonameid"] for c in client.get("/cities", params={"q": "Cologne"}).json()["cities"]] == [KOELN]
    assert [c["geonameid"] for c in client.get("/cities", params={"q": str(PARIS)}).json()["cities"]] == [PARIS]


def test_cities_suggests_spellings_when_nothing_matches(client):
    body = client.get("/cities", params={"q": "Coventri"}).json()
    assert body["cities"] == []
    assert body["suggestions"][0].startswith("Coventry")


def test_resolve_finds_one_town(client):
    assert client.get("/resolve", params={"q": "Koeln"}).json()["city"]["geonameid"] == KOELN
    assert client.get("/resolve", params={"q": "Springfield", "country": "US"}).status_code == 409


def test_city_shows_profile_with_sources_and_partners(client):
    body = client.get(f"/cities/{LEAMINGTON}").json()
    assert body["city"]["name"] == "Leamington"
    assert body["facts"], "the shipped tables know England and the UK"
    assert all(f["source"] for f in body["facts"])
    assert CAEN in [p["geonameid"] for p in body["partners"]]


def test_recommendations_match_the_python_api(client, matcher):
    body = client.get(f"/cities/{COVENTRY}/recommendations", params={"k": 5}).json()
    assert body["query"]["name"] == "Coventry"
    assert body["recommendations"] == [r.to_dict() for r in matcher.recommend(COVENTRY, k=5)]
    assert [r["rank"] for r in body["recommendations"]] == [1, 2, 3, 4, 5]
    assert all(r["reasons"] for r in body["recommendations"])


@pytest.mark.parametrize("params, check", [
    ({"countries": "DE,FR"}, lambda r: r["country"] in ("DE", "FR")),
    ({"exclude_countries": "US"}, lambda r: r["country"] != "US"),
    ({"continents": "NA"}, lambda r: r["country"] == "US"),
    ({"min_population": 500000}, lambda r: r["population"] >= 500000),
    ({"max_population": 300000}, lambda r: r["population"] <= 300000),
    ({"max_distance_km": 1000}, lambda r: r["distance_km"] <= 1000),
    ({"include_domestic": "true", "countries": "GB"}, lambda r: r["country"] == "GB"),
])
def test_recommendation_filters(client, params, check):
    recs = client.get(f"/cities/{COVENTRY}/recommendations", params={"k": 50, **params}).json()["recommendations"]
    assert recs
    assert all(check(r) for r in recs)


def test_batch_isolates_bad_queries(client):
    queries = [{"city": "Coventry"}, {"city": "Springfield"}, {"geonameid": 999}, {"city": "Nowhereville"},
               {}, {"city": "Toledo", "country": "ES"}, {"geonameid": KOELN}]
    body = client.post("/batch", json={"queries": queries, "k": 3, "countries": ["DE", "FR", "US"]}).json()
    results = body["results"]
    assert [r["index"] for r in results] == list(range(len(queries)))
    assert body["errors"] == 4
    assert results[0]["city"]["geonameid"] == COVENTRY and len(results[0]["recommendations"]) == 3
    assert all(r["country"] in ("DE", "FR", "US") for r in results[0]["recommendations"])
    assert results[1]["error"]["status"] == 409
    assert {c["geonameid"] for c in results[1]["error"]["choices"]} == {SPRINGFIELD_IL, SPRINGFIELD_MA}
    assert results[2]["error"]["status"] == 404
    assert results[3]["error"]["type"] == "city_not_found"
    assert results[4]["error"]["status"] == 422
    assert results[5]["city"]["country"] == "ES"
    assert results[6]["query"] == {"geonameid": KOELN}
    assert results[6]["recommendations"]


def test_page_is_served_without_external_urls(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert "default-src 'self'" in response.headers["content-security-policy"]
    for name in ("index.html", "app.js", "style.css"):
        text = client.get(f"/static/{name}").text if name != "index.html" else response.text
        assert text
        assert "http://" not in text and "https://" not in text, name


def test_openapi_docs(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/health", "/cities", "/cities/{geonameid}", "/cities/{geonameid}/recommendations", "/batch"} <= set(paths)


def test_ranking_endpoints_run_in_the_threadpool(client):
    # Ranking is CPU-bound; an ``async def`` endpoint would block every other request.
    routes = {r.path: r.endpoint for r in client.app.routes if hasattr(r, "endpoint")}
    for path in ("/cities", "/cities/{geonameid}", "/cities/{geonameid}/recommendations", "/batch"):
        assert not inspect.iscoroutinefunction(routes[path]), path


def test_unfitted_matcher_is_refused():
    with pytest.raises(NotFittedError):
        create_app(Matcher(cities=make_cities()))


# -- error statuses ----------------------------------------------------------------


def test_unknown_city_is_404_with_suggestions(client):
    err = error_of(client.get("/resolve", params={"q": "Coventri"}), 404)
    assert err["type"] == "city_not_found"
    assert err["suggestions"][0].startswith("Coventry")
    error_of(client.get("/cities/999"), 404)
    error_of(client.get("/cities/999/recommendations"), 404)


def test_ambiguous_city_is_409_with_choices(client):
    err = error_of(client.get("/resolve", params={"q": "Springfield"}), 409)
    assert err["type"] == "ambiguous_city"
    assert [c["geonameid"] for c in err["choices"]] == [SPRINGFIELD_MA, SPRINGFIELD_IL]
    assert err["choices"][0]["label"].startswith("Springfield (US, Massachusetts")


@pytest.mark.parametrize("url, params", [
    ("/cities/1/recommendations", {"countries": "XX"}),
    ("/cities/1/recommendations", {"continents": "ZZ"}),
    ("/cities/1/recommendations", {"min_population": 5, "max_population": 1}),
    ("/cities", {"q": "co", "country": "Atlantis"}),
])
def test_invalid_input_is_422(client, url, params):
    assert error_of(client.get(url, params=params), 422)["type"] == "invalid_input"


@pytest.mark.parametrize("url, params", [
    ("/cities/1/recommendations", {"k": "ten"}),
    ("/cities/1/recommendations", {"min_population": -1}),
    ("/cities/1/recommendations", {"max_distance_km": "far"}),
    ("/cities/abc/recommendations", {}),
    ("/cities", {}),
])
def test_validation_errors_are_422(client, url, params):
    err = error_of(client.get(url, params=params), 422)
    assert err["type"] == "invalid_input"
    assert err["details"]


def test_unknown_route_is_json_404(client):
    assert error_of(client.get("/no/such/page"), 404)["type"] == "http_error"


# -- bounds ------------------------------------------------------------------------


@pytest.mark.parametrize("k, status", [(0, 422), (1, 200), (MAX_K, 200), (MAX_K + 1, 422)])
def test_k_bounds(client, k, status):
    assert client.get("/cities/1/recommendations", params={"k": k}).status_code == status


@pytest.mark.parametrize("limit, status", [(0, 422), (MAX_LIMIT, 200), (MAX_LIMIT + 1, 422)])
def test_limit_bounds(client, limit, status):
    assert client.get("/cities", params={"q": "co", "limit": limit}).status_code == status


def test_query_text_bounds(client):
    assert client.get("/cities", params={"q": "c" * MAX_TEXT}).status_code == 200
    error_of(client.get("/cities", params={"q": "c" * (MAX_TEXT + 1)}), 422)
    error_of(client.get("/resolve", params={"q": "c" * (MAX_TEXT + 1)}), 422)
    error_of(client.post("/batch", json={"queries": [{"city": "c" * (MAX_TEXT + 1)}]}), 422)


def test_geonameid_bounds(client):
    error_of(client.get(f"/cities/{2 ** 63}/recommendations"), 422)
    error_of(client.get("/cities/0"), 422)


def test_batch_size_bounds(client):
    error_of(client.post("/batch", json={"queries": []}), 422)
    error_of(client.post("/batch", json={"queries": [{"geonameid": 1}] * (MAX_BATCH + 1)}), 422)
    error_of(client.post("/batch", json={"queries": [{"geonameid": 1}], "k": MAX_K + 1}), 422)
    ok = client.post("/batch", json={"queries": [{"geonameid": 1}] * 20, "k": 2})
    assert ok.status_code == 200 and len(ok.json()["results"]) == 20


def test_batch_caps_total_rows(client, monkeypatch):
    monkeypatch.setattr(service, "MAX_BATCH_ROWS", 10)
    err = error_of(client.post("/batch", json={"queries": [{"geonameid": 1}] * 6, "k": 2}), 422)
    assert "result rows" in err["message"]


def test_batch_rejects_a_bad_filter_once(client):
    err = error_of(client.post("/batch", json={"queries": [{"geonameid": 1}] * 3, "countries": "XX"}), 422)
    assert "XX" in err["message"]


def test_batch_rejects_unknown_fields(client):
    error_of(client.post("/batch", json={"queries": [{"town": "Coventry"}]}), 422)
    error_of(client.post("/batch", json={"queries": [{"geonameid": 1}], "colour": "red"}), 422)


def test_request_body_is_capped(client):
    big = b'{"queries": [' + b'{"geonameid": 1},' * (MAX_BODY_BYTES // 16) + b'{"geonameid": 1}]}'
    err = error_of(client.post("/batch", content=big, headers={"content-type": "application/json"}), 413)
    assert "larger than" in err["message"]


def test_malformed_json_is_422(client):
    error_of(client.post("/batch", content=b"{not json", headers={"content-type": "application/json"}), 422)


def test_static_folder_ships_the_page():
    static = Path(service.__file__).parent / "static"
    assert (static / "index.html").is_file() and (static / "app.js").is_file()
