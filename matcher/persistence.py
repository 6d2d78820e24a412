"""Model files: writing and reading a fitted model with its version and feature schema.

A model file is a pickle of a small dict: the format number, the package version, the
feature schema, the fitted ranker, and whatever else the engine needs to rank without
training again (its parameters, the partnership graph's edges, the provenance stamp).
Loading checks the format, version and schema first, so a file built for another
version or feature set fails with :class:`SchemaMismatch` instead of ranking garbage.
"""

import hashlib
import pickle
from pathlib import Path

from ._version import __version__
from .errors import InvalidInput, SchemaMismatch
from .io import atomic_path

__all__ = ["MODEL_FORMAT", "write_model", "read_model", "file_checksum", "settings_key"]

MODEL_FORMAT = 2


def file_checksum(path):
    """SHA-256 of a file's bytes, as hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def settings_key(*parts):
    """A short, stable key of everything a fitted model depends on (for the model cache)."""
    return hashlib.sha256(repr((__version__,) + parts).encode()).hexdigest()[:24]


def write_model(path, schema, model, **extra):
    """Write ``model`` (trained on ``schema``) and ``extra`` fields atomically to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": MODEL_FORMAT, "version": __version__, "schema": tuple(schema), "model": model, **extra}
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def read_model(path, schema=None):
    """Read a model file; check its format, version and (if given) feature schema.

    Returns
    -------
    dict
        ``model``, ``schema`` and the extra fields written with it.

    Raises
    ------
    InvalidInput
        The file cannot be read.
    SchemaMismatch
        Not a sistermatch model file, another version, or another feature schema.
    """
    try:
        with open(path, "rb") as fh:
            payload = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError) as exc:
        raise InvalidInput(f"cannot read model file {path}: {exc}") from None
    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
        raise SchemaMismatch(f"{path} is not a sistermatch model file of this format")
    if payload["version"] != __version__:
        raise SchemaMismatch(f"{path} was saved by sistermatch {payload['version']}, this is {__version__}")
    if schema is not None and tuple(payload["schema"]) != tuple(schema):
        raise SchemaMismatch(f"{path} was trained on another feature schema; fit the model again")
    return payload
