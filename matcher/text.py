"""Normalising place names typed by people: accents, case, punctuation, abbreviations."""

import re
import unicodedata

__all__ = ["fold"]

_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sankt": "saint", "san": "san", "ft": "fort", "mt": "mount"}
_PUNCT = re.compile(r"[\s\-‐‑–—_.,'’`´\"()/]+")
_SPECIAL = str.maketrans({"ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
                          "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ı": "i", "þ": "th", "ð": "d"})


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
    s = unicodedata.normalize("NFKD", str(text).translate(_SPECIAL))
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    words = [w for w in _PUNCT.split(s) if w]
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)
