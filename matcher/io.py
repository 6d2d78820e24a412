"""Reading users' CSV files and writing reports atomically: one place for the checks."""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .errors import InvalidInput

__all__ = ["read_csv", "require_columns", "atomic_path"]


def read_csv(path, what="CSV file"):
    """Read a user's CSV as strings, turning every way it can be broken into ``InvalidInput``.

    Parameters
    ----------
    path : str or Path
    what : str
        How the file is called in messages ("partnerships file").

    Returns
    -------
    pandas.DataFrame
        All columns as stripped strings; column names stripped and lower-cased.
    """
    path = Path(path)
    if not path.exists():
        raise InvalidInput(f"{what} not found: {path}")
    if path.is_dir():
        raise InvalidInput(f"{what} is a directory, not a file: {path}")
    import pandas as pd  # here, so the command line's usage errors start fast

    try:
        df = pd.read_csv(path, dtype=str, encoding="utf-8", keep_default_na=False, skipinitialspace=True)
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{what} {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except pd.errors.EmptyDataError:
        raise InvalidInput(f"{what} {path} is empty") from None
    except pd.errors.ParserError as exc:
        raise InvalidInput(f"{what} {path} is not valid CSV: {str(exc).strip().splitlines()[-1]}") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {what} {path}: {exc.strerror}") from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    for c in df.columns:
        df[c] = df[c].str.strip()
    if df.empty:
        raise InvalidInput(f"{what} {path} has a header but no rows")
    return df


def require_columns(df, options, what="CSV file"):
    """Return the first column set in ``options`` that ``df`` has all of.

    Raises ``InvalidInput`` naming the accepted sets and the columns found otherwise.
    """
    for cols in options:
        if all(c in df.columns for c in cols):
            return cols
    accepted = " or ".join("(" + ",".join(cols) + ")" for cols in options)
    raise InvalidInput(f"{what} needs columns {accepted}; it has {','.join(map(str, df.columns))}")


@contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; it replaces ``path`` only if the block succeeds.

    A failed or interrupted write leaves no partial file behind.
    """
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise InvalidInput(f"output folder does not exist: {path.parent}")
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # a report is an ordinary file, not mkstemp's private one
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
