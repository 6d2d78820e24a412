"""The package's one error root and its subclasses.

Every error a user can cause derives from :class:`MatcherError`; each also derives from
the builtin it refines, so ``except LookupError`` keeps working for callers who do not
know this package. The CLI and the HTTP service map these classes to exit codes and
HTTP statuses in one place each.
"""

__all__ = [
    "MatcherError",
    "CityNotFound",
    "AmbiguousCity",
    "InvalidInput",
    "SchemaMismatch",
    "NotFittedError",
    "WorkerLost",
]


class MatcherError(Exception):
    """Root of every error raised on purpose by sistermatch."""


class CityNotFound(MatcherError, LookupError):
    """No city matches what was typed.

    Parameters
    ----------
    query : str
        The text that was looked up.
    suggestions : sequence of str
        The nearest spellings, best first (may be empty).
    """

    def __init__(self, query, suggestions=()):
        self.query = query
        self.suggestions = tuple(suggestions)
        msg = f"no city matches {query!r}"
        if self.suggestions:
            msg += "; did you mean: " + "; ".join(self.suggestions)
        super().__init__(msg)


class AmbiguousCity(MatcherError, LookupError):
    """Several cities match and none clearly dominates.

    Parameters
    ----------
    query : str
        The text that was looked up.
    choices : sequence of City
        The plausible matches, most populous first.
    """

    def __init__(self, query, choices):
        self.query = query
        self.choices = tuple(choices)
        listed = "; ".join(c.label(with_population=True, with_id=True) for c in self.choices[:8])
        more = f" and {len(self.choices) - 8} more" if len(self.choices) > 8 else ""
        super().__init__(f"{query!r} is ambiguous: {listed}{more}; {_narrowing_hint(self.choices)}")


def _narrowing_hint(choices):
    """What to add to pick one of ``choices``: the country where they differ in it, else
    the region (as a code people write, such as IL, or its name), else the id."""
    if not choices:
        return "use the GeoNames id"
    first = choices[0]
    if len({c.country for c in choices}) > 1:
        return f'add the country ("{first.name}, {first.country}") or use the id'
    code = first.admin1
    if code and code != "00" and not code.isdigit() and len({c.admin1 for c in choices}) > 1:
        return f'add the region ("{first.name}, {code}") or use the id'
    if first.region_name and len({c.admin1 for c in choices}) > 1:
        return f'add the region ("{first.name}, {first.region_name}") or use the id'
    return "use the id"


class InvalidInput(MatcherError, ValueError):
    """An argument or an input file is malformed."""


class SchemaMismatch(MatcherError, ValueError):
    """A saved model was built for another package version or feature schema."""


class NotFittedError(MatcherError, RuntimeError):
    """A model or matcher was used before ``fit``."""


class WorkerLost(MatcherError, RuntimeError):
    """A worker process ended abruptly (killed, most often by the system for lack of
    memory); the work it held was not done."""
