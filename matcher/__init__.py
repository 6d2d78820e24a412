"""sistermatch: recommend sister-city (twin-town) partners, ranked and explained.

>>> from sistermatch import Matcher                                  # doctest: +SKIP
>>> m = Matcher().fit("partnerships.csv")                              # doctest: +SKIP
>>> for r in m.recommend("Coventry", country="GB", k=5):               # doctest: +SKIP
...     print(r.rank, r.city.name, r.city.country, r.reasons_text)
"""

from ._version import __version__
from .cities import City, CityTable, load_cities
from .engine import Matcher
from .errors import AmbiguousCity, CityNotFound, InvalidInput, MatcherError, NotFittedError, SchemaMismatch
from .partnerships import PartnershipGraph, load_partnerships
from .profiles import CityProfile
from .ranking import CandidateFilter
from .results import Reason, Recommendation

__all__ = [
    "__version__",
    "Matcher",
    "City",
    "CityTable",
    "load_cities",
    "PartnershipGraph",
    "load_partnerships",
    "CityProfile",
    "CandidateFilter",
    "Reason",
    "Recommendation",
    "MatcherError",
    "CityNotFound",
    "AmbiguousCity",
    "InvalidInput",
    "NotFittedError",
    "SchemaMismatch",
]
