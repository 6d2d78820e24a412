"""Great-circle distance: the one Earth radius and the one distance function of the package.

Cities carry unit vectors (``CityTable.xyz``). The distance is computed from the chord
between two unit vectors, ``2 R asin(|a - b| / 2)``, which stays precise at short range
(a few hundred metres), where ``R acos(a . b)`` loses most of its digits.
"""

import numpy as np

__all__ = ["EARTH_RADIUS_KM", "great_circle_km", "chord_km"]

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG)."""


def chord_km(chord):
    """Great-circle distance in km for chord lengths between unit vectors."""
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord, dtype=np.float64) / 2.0, 0.0, 1.0))


def great_circle_km(xyz, point):
    """Distance in km from each unit vector of ``xyz`` to ``point`` (one vector, or one per row).

    Examples
    --------
    >>> import numpy as np
    >>> ends = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    >>> round(float(great_circle_km(ends[:1], ends[1])[0]))   # a quarter of the equator
    10008
    """
    diff = np.asarray(xyz, dtype=np.float64) - np.asarray(point, dtype=np.float64)
    return chord_km(np.sqrt(np.einsum("ij,ij->i", diff, diff)))
