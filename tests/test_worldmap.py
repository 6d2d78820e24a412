"""The flat map: frame, land from Natural Earth, markers that do not hide each other."""

import pytest

from sistermatch.cities import City
from sistermatch.interfaces.worldmap import decode_topojson, land_rings, render_map, spread_markers


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


def test_topojson_arcs_are_decoded_with_reversal():
    topo = {
        "transform": {"scale": [0.5, 2.0], "translate": [10, -5]},
        "arcs": [[[0, 0], [2, 0], [0, 1]], [[2, 1], [-2, 0], [0, -1]]],
        "objects": {
            "a": {
                "type": "GeometryCollection",
                "geometries": [{"type": "Polygon", "arcs": [[0, 1]]}, {"type": "MultiPolygon", "arcs": [[[~1, ~0]]]}],
            }
        },
    }
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
    for lon, lat in (
        (-1.5, 52.4),
        (36.8, -1.3),
        (-58.4, -34.6),
        (151.2, -33.9),
        (-87.6, 41.9),
        (116.4, 39.9),
        (177.5, 64.7),
        (-175.0, 66.0),
        (0.0, -80.0),
    ):
        # Coventry, Nairobi, Buenos Aires, Sydney, Chicago, Beijing, Anadyr, Chukotka east of 180, Antarctica
        assert _on_land(lon, lat), (lon, lat)
    for lon, lat in ((-140.0, 0.0), (-30.0, 40.0), (80.0, -20.0), (-3.0, 50.0)):
        assert not _on_land(lon, lat), (lon, lat)  # Pacific, Atlantic, Indian Ocean, the Channel


def test_map_draws_land_inside_the_frame():
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


@pytest.mark.parametrize(
    "query, cands",
    [
        (
            City(1, "Coventry", "GB", "", 52.4, -1.5, 1),
            [City(2, "Sydney", "AU", "", -33.9, 151.2, 1), City(3, "Anchorage", "US", "", 61.2, -149.9, 1)],
        ),
        (City(1, "Suva", "FJ", "", -18.1, 178.4, 1), [City(2, "Apia", "WS", "", -13.8, -171.8, 1)]),
        (City(1, "Anadyr", "RU", "", 64.7, 177.5, 1), [City(2, "Nome", "US", "", 64.5, -165.4, 1)]),
    ],
)
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
        for b in markers[i + 1 :]:
            assert ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 >= 20.9
    assert sum(p["moved"] for p in m["points"][:5]) >= 4 and m["points"][5]["moved"]
    assert all(0 < p["mx"] < m["width"] and 0 < p["my"] < m["height"] for p in m["points"])
    # The query town stays on its place; a lone marker is not moved.
    lone = render_map(coventry, [City(4, "Kiel", "DE", "", 54.3, 10.1, 1)])["points"][0]
    assert not lone["moved"] and (lone["mx"], lone["my"]) == (lone["x"], lone["y"])
    assert spread_markers([(0, 0), (0, 0)], gap=10, width=100, height=100)[0] == (0.0, 0.0)
