"""The one great-circle distance (matcher/geo.py)."""

import numpy as np
import pytest

from sistermatch import geo
from sistermatch.geo import EARTH_RADIUS_KM, NEAR_CHORD, great_circle_km
from sistermatch.kernels import LazyKernel


def _unit(lat, lon):
    lat, lon = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)


def test_known_distances():
    london, paris = _unit(51.5074, -0.1278), _unit(48.8566, 2.3522)
    assert great_circle_km(london[None], paris)[0] == pytest.approx(343.5, abs=1.0)
    antipode = _unit(-51.5074, 179.8722)
    assert great_circle_km(london[None], antipode)[0] == pytest.approx(np.pi * EARTH_RADIUS_KM, rel=1e-9)


def test_one_point_path_equals_the_difference_formula_near_and_far():
    rng = np.random.default_rng(0)
    centre = _unit(45.0, 7.0)
    # From a few metres to the far side of the Earth, across the near/far switch.
    offsets = np.concatenate([10 ** rng.uniform(-8, -2.5, 500), 10 ** rng.uniform(-2.5, 0.5, 500)])
    pts = centre + rng.normal(size=(1000, 3)) * offsets[:, None]
    pts /= np.linalg.norm(pts, axis=1, keepdims=True)
    one_point = great_circle_km(pts, centre)
    per_row = great_circle_km(pts, np.broadcast_to(centre, pts.shape))  # the difference formula
    np.testing.assert_allclose(one_point, per_row, rtol=1e-9, atol=1e-9)
    chord = np.linalg.norm(pts - centre, axis=1)
    assert (chord < NEAR_CHORD).any() and (chord > NEAR_CHORD).any()


def test_a_few_metres_are_not_rounded_away():
    a = _unit(52.0, 13.0)
    b = _unit(52.0 + 1e-5, 13.0)  # about 1.1 m north
    assert great_circle_km(b[None], a)[0] * 1000 == pytest.approx(1.112, rel=1e-3)


def test_the_compiled_pass_measures_as_numpy_does(monkeypatch):
    # Far, near (under the 64 km switch to vector differences), identical and antipodal points.
    rng = np.random.default_rng(0)
    xyz = rng.normal(size=(5000, 3))
    point = xyz[0] / np.linalg.norm(xyz[0])
    xyz[1:200] = point + rng.normal(scale=1e-4, size=(199, 3))
    xyz /= np.linalg.norm(xyz, axis=1, keepdims=True)
    xyz[200], xyz[201] = point, -point
    got = {}
    for kind, pays_after in (("numpy", np.iinfo(np.int64).max), ("compiled", 0)):
        monkeypatch.setattr(geo, "HALF_CHORD_KERNEL", LazyKernel(geo._compile_half_chord, pays_after))
        got[kind] = geo.great_circle_km(xyz, point)
        assert geo.HALF_CHORD_KERNEL.loaded == (kind == "compiled")
    np.testing.assert_allclose(got["compiled"], got["numpy"], rtol=1e-12, atol=1e-9)
    assert got["compiled"][200] == 0.0 and abs(got["compiled"][201] - np.pi * geo.EARTH_RADIUS_KM) < 1e-6
