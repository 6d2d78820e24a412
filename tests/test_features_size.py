"""Tests of `SizeFeatures` (features/size.py): population, size gap, capitals and regional centres."""

import numpy as np
import pytest

from conftest import val
from sistermatch.features import SizeFeatures


def test_size_features(ctx):
    s = SizeFeatures()
    assert val(ctx, s, 1, 9, "log_population") == pytest.approx(np.log10(105000), abs=1e-5)
    assert val(ctx, s, 1, 9, "population_gap") == pytest.approx(abs(np.log10(345000) - np.log10(105000)), abs=1e-5)
    assert val(ctx, s, 2, 8, "both_capitals") == 1.0  # London and Paris
    assert val(ctx, s, 2, 16, "both_capitals") == 0.0  # London and Paris, Texas
    assert val(ctx, s, 1, 8, "both_capitals") == 0.0
    assert val(ctx, s, 1, 8, "candidate_capital") == 1.0
    assert val(ctx, s, 15, 6, "both_region_centres") == 1.0  # Chicago and Dresden
    assert val(ctx, s, 1, 6, "both_region_centres") == 0.0  # Coventry is not its region's largest
