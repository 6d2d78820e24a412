"""The HTML batch report: every town, candidate and reason, the stamp, a map, no external URL."""

import pytest

pytest.importorskip("jinja2")

from markupsafe import escape  # noqa: E402

from sistermatch import InvalidInput, Matcher  # noqa: E402
from sistermatch.cities import City  # noqa: E402
from sistermatch.features import ALL_ASPECTS  # noqa: E402
from sistermatch.interfaces.report import (decode_topojson, land_rings, relative_fit, render_map,  # noqa: E402
                                           spread_markers, write_html_report)
from sistermatch.models import LogisticRanker  # noqa: E402
from sistermatch.profiles import CityProfile  # noqa: E402
from sistermatch.results import Reason, Recommendation  # noqa: E402

from conftest import make_cities  # noqa: E402

META = {"version": "0.1.0", "data_version": "geonames-test-7", "partnerships_checksum": "ab12cd34" * 8, "k": 4,
        "generated_at": "2024-05-01T12:00:00+00:00"}


@pytest.fixture(scope="module")
def matcher(graph):
    return Matcher(cities=make_cities(), model=LogisticRanker(), aspects=ALL_ASPECTS).fit(graph)


@pytest.fixture(scope="module")
def sections(matcher):
    towns = [1, 7, 14]  # Coventry, Köln, Toledo (US)
    return [(matcher.resolve(t), matcher.profile(t), matcher.recommend(t, k=4)) for t in towns]


@pytest.fixture(scope="module")
def html(sections, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    assert write_html_report(path, sections, META) == path
    return path.read_text(encoding="utf-8")


def test_report_has_every_town_candidate_and_reason(html, sections):
    for city, profile, recs in sections:
        assert str(escape(city.label(with_population=True))) in html
        assert len(recs) == 4
        for r in recs:
            assert str(escape(r.city.name)) in html
            for reason in r.reasons:
                assert str(escape(reason.text)) in html


def test_report_lists_profile_facts_with_sources(html, sections):
    facts = sections[0][1].facts
    assert facts
    for f in facts[:5]:
        assert str(escape(f.source)) in html


def test_report_is_stamped(html):
    for key in ("version", "data_version", "partnerships_checksum", "k", "generated_at"):
        assert str(META[key]) in html
    assert html.count(META["partnerships_checksum"]) >= 2  # at the top and at the foot


def test_report_draws_one_map_per_town(html, sections):
    assert html.count("<svg") == len(sections)


def test_report_has_no_external_url(html):
    assert "http://" not in html and "https://" not in html


def test_report_escapes_data(tmp_path):
    evil = City(99, "<script>alert(1)</script>", "GB", "", 51.0, 0.0, 1000)
    cand = City(98, "Ville & Co", "FR", "", 49.0, 2.0, 2000)
    rec = Recommendation(evil, cand, 1, 0.5, 300.0, (Reason("x", 1.0, "a <b>bold</b> claim"),))
    path = tmp_path / "r.html"
    write_html_report(path, [(evil, None, (rec,))], {})
    text = path.read_text(encoding="utf-8")
    assert "<script>" not in text
    assert "&lt;script&gt;" in text and "Ville &amp; Co" in text and "&lt;b&gt;bold" in text
    assert "Profiles were not used" in text
    assert "sistermatch version" in text and "Generated at" in text  # filled in when missing


def test_report_handles_towns_without_candidates_or_facts(tmp_path, matcher):
    city = matcher.resolve(1)
    path = tmp_path / "r.html"
    write_html_report(path, [(city, CityProfile(city, ()), ())], META)
    text = path.read_text(encoding="utf-8")
    assert "No candidate passes the filters" in text
    assert "No profile facts on record" in text
    assert "<svg" in text


def test_failed_write_leaves_no_file(tmp_path, sections):
    path = tmp_path / "report.html"
    broken = list(sections) + [(sections[0][0], None, ("not a recommendation",))]
    with pytest.raises(AttributeError):  # found while the first town is already written
        write_html_report(path, broken, META)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_previous_report(tmp_path, sections):
    path = tmp_path / "report.html"
    path.write_text("previous report", encoding="utf-8")
    with pytest.raises(AttributeError):  # found while the first town is already written
        write_html_report(path, [(sections[0][0], None, (object(),))], META)
    assert path.read_text(encoding="utf-8") == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_missing_folder_is_invalid_input(tmp_path, sections):
    with pytest.raises(InvalidInput):
        write_html_report(tmp_path / "no" / "such" / "report.html", sections, META)


def test_map_puts_east_right_and_north_up():
    coventry = City(1, "Coventry", "GB", "", 52.4, -1.5, 1)
    kiel = City(4, "Kiel", "DE", "", 54.3, 10.1, 1)
    toledo = City(12, "Toledo", "ES", "", 39.9, -4.0, 1)
    m = render_map(coventry, [kiel, toledo])
    q, (k, t) = m["query"], m["points"]
    assert k["x"] > q["x"] > t["x"]
    assert k["y"] < q["y"] < t["y"]
    assert all(0 <= p["x"] <= m["width"] and 0 <= p["y"] <= m["height"] for p in m["points"])
    # One scale on both axes: degrees of longitude and latitude are equally long.
    assert (k["x"] - t["x"]) / (10.1 + 4.0) == pytest.approx((t["y"] - k["y"]) / (54.3 - 39.9), rel=0.02)


def test_flat_frame_keeps_one_scale_on_both_axes():
    # Towns along one parallel: the frame grows north and south instead of stretching degrees.
    a, b = City(1, "A", "US", "", 40.0, -120.0, 1), City(2, "B", "CN", "", 40.0, 120.0, 1)
    c = City(3, "C", "US", "", 41.0, -100.0, 1)
    m = render_map(a, [b, c])
    pa, pb, pc = (m["query"], *m["points"])
    px_per_lon = (pb["x"] - pa["x"]) / 240.0
    px_per_lat = (pa["y"] - pc["y"]) / 1.0
    assert px_per_lat == pytest.approx(px_per_lon, rel=0.05)
    assert m["height"] >= m["width"] * 0.25 - 1


def test_fit_is_relative_to_the_best_candidate():
    recs = [Recommendation(None, None, i, s, 0.0, ()) for i, s in enumerate((2.0, 1.0, 0.0), start=1)]
    assert relative_fit(recs) == [100.0, 36.8, 13.5]
    # The best candidate's bar does not depend on how many others are shown, nor do the others'.
    assert relative_fit(recs[:2]) == [100.0, 36.8]
    assert relative_fit([]) == []


def test_report_fit_bars_match_relative_fit(html, sections):
    for _, _, recs in sections:
        for fit in relative_fit(recs):
            assert f'style="width: {fit}%"' in html
    assert 'style="width: 100.0%"' in html


def test_topojson_arcs_are_decoded_with_reversal():
    topo = {"transform": {"scale": [0.5, 2.0], "translate": [10, -5]},
            "arcs": [[[0, 0], [2, 0], [0, 1]], [[2, 1], [-2, 0], [0, -1]]],
            "objects": {"a": {"type": "GeometryCollection",
                              "geometries": [{"type": "Polygon", "arcs": [[0, 1]]},
                                             {"type": "MultiPolygon", "arcs": [[[~1, ~0]]]}]}}}
    forward, backward = decode_topojson(topo, "a")
    assert forward == [(10, -5), (11, -5), (11, -3), (10, -3), (10, -5)]
    assert backward == forward[::-1]


def _on_land(lon, lat):
    """Even-odd ray casting over every land ring (holes such as the Caspian count out).

    Rings may run past the antimeridian, so each is also tried 360 degrees east and west.
    """
    inside = False
    for ring, _ in land_rings():
        for shift in (-360, 0, 360):
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
                if (y1 > lat) != (y2 > lat) and lon < x1 + shift + (lat - y1) * (x2 - x1) / (y2 - y1):
                    inside = not inside
    return inside


def test_land_outlines_cover_the_continents():
    assert len(land_rings()) > 100
    for lon, lat in ((-1.5, 52.4), (36.8, -1.3), (-58.4, -34.6), (151.2, -33.9), (-87.6, 41.9), (116.4, 39.9),
                     (177.5, 64.7), (-175.0, 66.0), (0.0, -80.0)):
        # Coventry, Nairobi, Buenos Aires, Sydney, Chicago, Beijing, Anadyr, Chukotka east of 180, Antarctica
        assert _on_land(lon, lat), (lon, lat)
    for lon, lat in ((-140.0, 0.0), (-30.0, 40.0), (80.0, -20.0), (-3.0, 50.0)):
        assert not _on_land(lon, lat), (lon, lat)  # Pacific, Atlantic, Indian Ocean, the Channel


def test_report_map_draws_land():
    coventry = City(1, "Coventry", "GB", "", 52.4, -1.5, 1)
    m = render_map(coventry, [City(4, "Kiel", "DE", "", 54.3, 10.1, 1)])
    assert m["land"].startswith("M") and m["land"].count("Z") >= 3  # Britain, Ireland, the mainland
    assert "NaN" not in m["land"]
    middle_of_ocean = render_map(City(1, "Nowhere", "XX", "", -45.0, -130.0, 1), [])
    assert middle_of_ocean["land"] == ""
    coords = [float(v) for v in m["land"].replace("M", " ").replace("L", " ").replace("Z", " ").split()]
    assert min(coords) >= -4 and max(coords[0::2]) <= m["width"] + 4 and max(coords[1::2]) <= m["height"] + 4


def _segments(path):
    for ring in path.split("Z"):
        pts = [tuple(map(float, p.split())) for p in ring.lstrip("M").split("L") if p.strip()]
        yield from zip(pts, pts[1:] + pts[:1])


@pytest.mark.parametrize("query, cands", [
    (City(1, "Coventry", "GB", "", 52.4, -1.5, 1), [City(2, "Sydney", "AU", "", -33.9, 151.2, 1),
                                                    City(3, "Anchorage", "US", "", 61.2, -149.9, 1)]),
    (City(1, "Suva", "FJ", "", -18.1, 178.4, 1), [City(2, "Apia", "WS", "", -13.8, -171.8, 1)]),
    (City(1, "Anadyr", "RU", "", 64.7, 177.5, 1), [City(2, "Nome", "US", "", 64.5, -165.4, 1)]),
])
def test_land_has_no_line_across_the_map_at_the_antimeridian(query, cands):
    m = render_map(query, cands)
    assert m["land"]
    for (x1, y1), (x2, y2) in _segments(m["land"]):
        on_edge = (x1 == x2 and x1 in (-4, m["width"] + 4)) or (y1 == y2 and y1 in (-4, m["height"] + 4))
        assert on_edge or abs(x2 - x1) < m["width"] / 4, ((x1, y1), (x2, y2))


def test_overlapping_markers_are_pushed_apart():
    coventry = City(1, "Coventry", "GB", "", 52.4, -1.5, 1)
    # Five towns on the same spot far away, and one right next to the query town.
    cands = [City(10 + i, f"T{i}", "JP", "", 35.0, 139.0, 1) for i in range(5)]
    cands.append(City(20, "Near", "GB", "", 52.41, -1.49, 1))
    m = render_map(coventry, cands)
    markers = [(m["query"]["x"], m["query"]["y"])] + [(p["mx"], p["my"]) for p in m["points"]]
    for i, a in enumerate(markers):
        for b in markers[i + 1:]:
            assert ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 >= 20.9
    assert sum(p["moved"] for p in m["points"][:5]) >= 4 and m["points"][5]["moved"]
    assert all(0 < p["mx"] < m["width"] and 0 < p["my"] < m["height"] for p in m["points"])
    # The query town stays on its place; a lone marker is not moved.
    lone = render_map(coventry, [City(4, "Kiel", "DE", "", 54.3, 10.1, 1)])["points"][0]
    assert not lone["moved"] and (lone["mx"], lone["my"]) == (lone["x"], lone["y"])
    assert spread_markers([(0, 0), (0, 0)], gap=10, width=100, height=100)[0] == (0.0, 0.0)
