"""sistermatch: recommend sister-city (twin-town) partners, ranked and explained.

>>> from sistermatch import Matcher                                  # doctest: +SKIP
>>> m = Matcher().fit("partnerships.csv")                              # doctest: +SKIP
>>> for r in m.recommend("Coventry", country="GB", k=5):               # doctest: +SKIP
...     print(r.rank, r.city.name, r.city.country, r.reasons_text)
"""

from typing import TYPE_CHECKING

from ._version import __version__

if TYPE_CHECKING:  # type checkers and IDEs see the names; at run time they load on first use
    from .cities import City, CityTable, load_cities
    from .engine import Matcher
    from .errors import (
        AmbiguousCity,
        CityNotFound,
        InvalidInput,
        MatcherError,
        NotFittedError,
        SchemaMismatch,
        WorkerLost,
    )
    from .partnerships import PartnershipGraph, load_partnerships
    from .profiles import CityProfile
    from .ranking import CandidateFilter
    from .results import Reason, Recommendation

# The public names load on first use (PEP 562), so ``import sistermatch`` and the command
# line's ``--help`` and usage errors do not pay for scikit-learn, LightGBM and pandas.
_EXPORTS = {
    "City": ".cities",
    "CityTable": ".cities",
    "load_cities": ".cities",
    "Matcher": ".engine",
    "AmbiguousCity": ".errors",
    "CityNotFound": ".errors",
    "InvalidInput": ".errors",
    "MatcherError": ".errors",
    "NotFittedError": ".errors",
    "SchemaMismatch": ".errors",
    "WorkerLost": ".errors",
    "PartnershipGraph": ".partnerships",
    "load_partnerships": ".partnerships",
    "CityProfile": ".profiles",
    "CandidateFilter": ".ranking",
    "Reason": ".results",
    "Recommendation": ".results",
}


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))


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
    "WorkerLost",
]
