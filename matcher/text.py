"""Normalising place names typed by people: accents, case, punctuation, abbreviations."""

import re
import unicodedata

__all__ = ["fold", "format_population"]

_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sankt": "saint", "san": "san", "ft": "fort", "mt": "mount"}
_PUNCT = re.compile(r"[\s\-‐‑–—_.,'’`´\"()/]+")
_split = _PUNCT.split
_expand = _ABBREVIATIONS.get
_normalize = unicodedata.normalize
_combining = unicodedata.combining
_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ı": "i",
        "þ": "th",
        "ð": "d",
    }
)


def fold(text):
    """Fold a place name to a comparison key.

    Accents are stripped, case is folded, punctuation becomes single spaces and the
    common abbreviations (``St`` / ``St.`` / ``Sankt``, ``Ste``, ``Ft``, ``Mt``) are
    expanded, so that spellings a person would treat as equal compare equal.

    Parameters
    ----------
    text : str

    Returns
    -------
    str

    Examples
    --------
    >>> fold("Köln") == fold("koln")
    True
    >>> fold("St. Petersburg") == fold("Saint-Petersburg")
    True
    """
    s = str(text)
    if s.isascii():  # nothing to translate, decompose or strip: the common case, done fast
        s = s.casefold()
    else:
        s = "".join([c for c in _normalize("NFKD", s.translate(_SPECIAL)) if not _combining(c)]).casefold()
    # List comprehensions and bound names: the city table folds a million names once.
    return " ".join([_expand(w, w) for w in _split(s) if w])


def format_population(p, words=False):
    """A head count as a person reads it: ``"1.6M"``, ``"217k"``, ``"779"``, or with
    ``words=True`` ``"1.6 million"``, ``"230,000"`` (rounded to the thousand from 1,000 up).

    Examples
    --------
    >>> format_population(1_612_000), format_population(216_800), format_population(779)
    ('1.6M', '217k', '779')
    >>> format_population(231_400, words=True), format_population(1_200_000, words=True)
    ('231,000', '1.2 million')
    """
    p = float(p)
    if words:
        if p >= 1e6:
            return f"{p / 1e6:.1f} million"
        return f"{p:,.0f}" if p < 1e3 else f"{round(p, -3):,.0f}"
    if p >= 1e6:
        return f"{p / 1e6:.1f}M"
    if p >= 1e3:
        return f"{p / 1e3:.0f}k"
    return f"{p:.0f}"
