"""Ranking models: one contract (score pairs, explain each score), several models."""

from .base import PairRanker
from .boosted import BoostedRanker
from .lambdarank import LambdaRanker
from .linear import DEFAULT_HAND_WEIGHTS, HandWeightedRanker, LogisticRanker
from .segmented import SegmentedRanker
from .shortlist import DEFAULT_PRIORS, ShortlistRanker
from .two_stage import TwoStageRanker

__all__ = [
    "PairRanker",
    "BoostedRanker",
    "HandWeightedRanker",
    "LogisticRanker",
    "DEFAULT_HAND_WEIGHTS",
    "TwoStageRanker",
    "SegmentedRanker",
    "LambdaRanker",
    "ShortlistRanker",
    "DEFAULT_PRIORS",
]
