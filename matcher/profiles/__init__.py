"""Profile providers and their merge: industry, history, country groups, diaspora, a user's CSV."""

from .base import ASPECTS, CityProfile, Fact, ProfileProvider, ProfileStore, load_tag_vocabulary
from .tables import CountryGroupProvider, DiasporaProvider, HistoryProvider, IndustryProvider, default_providers
from .user_csv import UserProfileProvider

__all__ = ["ASPECTS", "CityProfile", "Fact", "ProfileProvider", "ProfileStore", "load_tag_vocabulary",
           "IndustryProvider", "HistoryProvider", "CountryGroupProvider", "DiasporaProvider",
           "UserProfileProvider", "default_providers"]
