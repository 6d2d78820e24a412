"""Great-circle distance: the one Earth radius and the one distance function of the package.

Cities carry unit vectors (``CityTable.xyz``). The distance is computed from the chord
between two unit vectors, ``2 R asin(|a - b| / 2)``, which stays precise at short range
(a few hundred metres), where ``R acos(a . b)`` loses most of its digits.
"""

import numpy as np

from .kernels import LazyKernel

__all__ = ["EARTH_RADIUS_KM", "great_circle_km", "chord_km"]

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG)."""

NEAR_CHORD = 0.01
"""Below this chord (about 64 km) distances from one point are measured from the vectors'
difference; above it, from their dot product (error under 1e-9 km)."""


def chord_km(chord):
    """Great-circle distance in km for chord lengths between unit vectors."""
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord, dtype=np.float64) / 2.0, 0.0, 1.0))


def great_circle_km(xyz, point):
    """Distance in km from each unit vector of ``xyz`` to ``point`` (one vector, or one per row).

    From one point, the squared chord comes from one matrix-vector product,
    ``|a - b|^2 = 2 - 2 a.b``, which is exact to about 1e-15; only rows nearer than
    ``NEAR_CHORD`` (about 64 km), where that loses digits, are measured from the difference.

    Examples
    --------
    >>> import numpy as np
    >>> ends = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    >>> round(float(great_circle_km(ends[:1], ends[1])[0]))   # a quarter of the equator
    10008
    """
    xyz = np.asarray(xyz, dtype=np.float64)
    point = np.asarray(point, dtype=np.float64)
    if point.ndim == 2:
        diff = xyz - point
        return chord_km(np.sqrt(np.einsum("ij,ij->i", diff, diff)))
    if HALF_CHORD_KERNEL.pays(len(xyz)):
        # The same steps fused in one compiled pass; numpy's vectorised arcsin after it.
        half = np.empty(len(xyz))
        HALF_CHORD_KERNEL.get()(xyz[:, 0], xyz[:, 1], xyz[:, 2], point, NEAR_CHORD**2, half)
        np.arcsin(half, out=half)
        half *= 2.0 * EARTH_RADIUS_KM
        return half
    chord = xyz @ point
    chord *= -2.0
    chord += 2.0
    near = np.flatnonzero(chord < NEAR_CHORD**2)
    np.maximum(chord, 0.0, out=chord)
    np.sqrt(chord, out=chord)
    if len(near):
        diff = xyz[near] - point
        chord[near] = np.sqrt(np.einsum("ij,ij->i", diff, diff))
    chord *= 0.5
    np.minimum(chord, 1.0, out=chord)
    np.arcsin(chord, out=chord)
    chord *= 2.0 * EARTH_RADIUS_KM
    return chord


def _compile_half_chord():
    import numba

    @numba.njit(cache=True, nogil=True)
    def half_chord(x, y, z, point, near_squared, out):
        """Half the chord from ``point`` to each vector ``(x[i], y[i], z[i])``, as
        :func:`great_circle_km` computes it. Both squared chords are computed and one kept,
        with no branch, so the loop vectorises (twice as fast on a column-stored table)."""
        px, py, pz = point[0], point[1], point[2]
        for i in range(x.shape[0]):
            far = 2.0 - 2.0 * (x[i] * px + y[i] * py + z[i] * pz)
            dx, dy, dz = x[i] - px, y[i] - py, z[i] - pz
            near = dx * dx + dy * dy + dz * dz
            squared = near if far < near_squared else far
            out[i] = min(0.5 * np.sqrt(max(squared, 0.0)), 1.0)

    return half_chord


HALF_CHORD_KERNEL = LazyKernel(_compile_half_chord, pays_after=50_000_000)
"""The compiled first steps of :func:`great_circle_km` from one point: loaded after some 200
scans of every city the numpy way (about 1 ms each more than the kernel: 0.2 s, about what
loading it costs), or by ``warm_up``."""
