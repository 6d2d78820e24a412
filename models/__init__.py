"""Ranking models: one contract (score pairs, explain each score), several models."""

from .base import PairRanker
from .boosted import BoostedRanker
from .linear import DEFAULT_HAND_WEIGHTS, HandWeightedRanker, LogisticRanker
from .segmented import SegmentedRanker
from .two_stage import TwoStageRanker

__all__ = ["PairRanker", "BoostedRanker", "HandWeightedRanker", "LogisticRanker", "DEFAULT_HAND_WEIGHTS", "TwoStageRanker", "SegmentedRanker"]
