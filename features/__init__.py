"""Pair features, one module per aspect; all vectorised over (query, candidate) pairs."""

from .base import FeatureBlock, FeatureContext, FeatureSet, QueryBatch, gather
from .country import CountryFeatures
from .embedding import EmbeddingFeatures
from .geography import GeographyFeatures
from .graph import GraphFeatures
from .name import NameFeatures
from .profile import ProfileFeatures
from .propensity import PropensityFeatures
from .size import SizeFeatures
from .two_sided import TwoSidedFeatures
from .walk import WalkFeatures

__all__ = [
    "FeatureBlock",
    "FeatureContext",
    "FeatureSet",
    "QueryBatch",
    "gather",
    "CountryFeatures",
    "EmbeddingFeatures",
    "GeographyFeatures",
    "GraphFeatures",
    "NameFeatures",
    "ProfileFeatures",
    "SizeFeatures",
    "TwoSidedFeatures",
    "WalkFeatures",
    "PropensityFeatures",
    "default_feature_set",
    "BASE_ASPECTS",
    "ALL_ASPECTS",
    "KNOWN_ASPECTS",
]

BASE_ASPECTS = ("size", "geography", "name", "country", "graph", "two_sided", "propensity")
ALL_ASPECTS = BASE_ASPECTS + ("profile",)
KNOWN_ASPECTS = ALL_ASPECTS + ("embedding", "walk")
"""Every aspect a feature set can have: the default ones, ``embedding`` and ``walk`` (opt-in)."""


def default_feature_set(aspects=ALL_ASPECTS, industry_mode="alike", history_mode="alike"):
    """The standard blocks for the named aspects, in a fixed order."""
    unknown = set(aspects) - set(KNOWN_ASPECTS)
    if unknown:
        raise ValueError(f"unknown aspects {sorted(unknown)}; choose from {KNOWN_ASPECTS}")
    make = {
        "size": SizeFeatures,
        "geography": GeographyFeatures,
        "name": NameFeatures,
        "country": CountryFeatures,
        "graph": GraphFeatures,
        "two_sided": TwoSidedFeatures,
        "propensity": PropensityFeatures,
        "profile": lambda: ProfileFeatures(industry_mode=industry_mode, history_mode=history_mode),
        "embedding": EmbeddingFeatures,
        "walk": WalkFeatures,
    }
    return FeatureSet([make[a]() for a in KNOWN_ASPECTS if a in aspects])
