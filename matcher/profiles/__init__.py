"""Profile providers and their merge: industry, history, country groups, diaspora, a user's CSV."""

from .base import ASPECTS, CityProfile, Fact, ProfileProvider, ProfileStore, load_tag_vocabulary
from .defaults import default_providers
from .diaspora import DiasporaProvider
from .history import CountryGroupProvider, HistoryProvider
from .industry import IndustryProvider
from .user_csv import UserProfileProvider

__all__ = [
    "ASPECTS",
    "CityProfile",
    "Fact",
    "ProfileProvider",
    "ProfileStore",
    "load_tag_vocabulary",
    "IndustryProvider",
    "HistoryProvider",
    "CountryGroupProvider",
    "DiasporaProvider",
    "UserProfileProvider",
    "default_providers",
]
