"""The providers shipped with sistermatch, in the order their facts are merged."""

from .diaspora import DiasporaProvider
from .history import CountryGroupProvider, HistoryProvider
from .industry import IndustryProvider

__all__ = ["default_providers"]


def default_providers():
    """The shipped providers, in merge order (a user's ``--profiles`` CSV goes after them)."""
    return [IndustryProvider(), HistoryProvider(), CountryGroupProvider(), DiasporaProvider()]
