"""A user's own profile facts: a CSV that overrides the shipped tables for its towns."""

from ..errors import AmbiguousCity, CityNotFound, InvalidInput
from ..io import read_csv, require_columns
from .base import Fact, ProfileProvider, check_tags, load_tag_vocabulary, split_values

__all__ = ["UserProfileProvider"]

ASPECT_COLUMNS = {"industries": "industry", "history": "history", "diaspora": "diaspora"}


class UserProfileProvider(ProfileProvider):
    """Profile facts from a user's CSV (``--profiles PATH``).

    Columns: ``geonameid`` or ``city,country``, then any of ``industries``, ``history``,
    ``diaspora`` with ``;``-separated values (industry and history tags from
    ``data/tags.csv``; diaspora as ISO country codes of the communities' origins).
    A non-empty cell replaces the shipped city-level facts of that aspect for that town;
    an empty cell leaves them. The whole file is checked before any of it is used, so a
    bad row never leaves a half-applied table.

    Parameters
    ----------
    path : str or Path
    resolver : Resolver
    """

    name = "user"
    overrides = True

    def __init__(self, path, resolver):
        self.path = path
        self.resolver = resolver

    def facts(self, cities):
        what = "profiles file"
        df = read_csv(self.path, what)
        key_cols = require_columns(df, [("geonameid",), ("city", "country")], what)
        present = [c for c in ASPECT_COLUMNS if c in df.columns]
        if not present:
            raise InvalidInput(
                f"{what} {self.path} needs at least one of the columns "
                f"{', '.join(ASPECT_COLUMNS)}; it has {','.join(df.columns)}"
            )
        vocab = load_tag_vocabulary()
        source = f"user profiles file {self.path}"
        out = []
        for line, rec in enumerate(df.to_dict("records"), start=2):
            where = f"{what} line {line}"
            try:
                text = rec["geonameid"] if key_cols == ("geonameid",) else rec["city"]
                row = self.resolver.resolve(text, None if key_cols == ("geonameid",) else rec["country"])
            except (CityNotFound, AmbiguousCity, InvalidInput) as exc:
                raise InvalidInput(f"{where}: {exc}") from None
            for col in present:
                values = split_values(rec[col])
                aspect = ASPECT_COLUMNS[col]
                if aspect == "diaspora":
                    for v in values:
                        try:
                            cities.countries.index_of(v)
                        except InvalidInput:
                            raise InvalidInput(f"{where}: unknown diaspora origin country {v!r}") from None
                    values = [cities.countries.code_of(cities.countries.index_of(v)) for v in values]
                else:
                    check_tags(values, vocab[aspect], where)
                out.extend(Fact(aspect, "city", int(row), v, source) for v in values)
        return out
