"""Tests of `sistermatch.io`: every way a user's CSV can be broken becomes a clear `InvalidInput`."""

import pytest

from sistermatch.errors import InvalidInput, MatcherError
from sistermatch.io import atomic_path, read_csv, require_columns


def write(tmp_path, content, name="in.csv"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_reads_strings_with_clean_column_names(tmp_path):
    path = write(tmp_path, " City_A , Population\n Köln , 01080000\nKiel,\n")
    df = read_csv(path)
    assert list(df.columns) == ["city_a", "population"]
    assert df["city_a"].tolist() == ["Köln", "Kiel"]
    # Strings kept as typed: no number parsing, no NaN for an empty cell.
    assert df["population"].tolist() == ["01080000", ""]


def test_reads_a_utf8_bom_file(tmp_path):
    path = write(tmp_path, "\ufeffcity,country\nKöln,DE\n")
    df = read_csv(path)
    assert df["city"].tolist() == ["Köln"]


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(InvalidInput, match="not found") as err:
        read_csv(path, "partnerships file")
    assert "partnerships file" in str(err.value) and "nope.csv" in str(err.value)


def test_directory(tmp_path):
    with pytest.raises(InvalidInput, match="is a directory"):
        read_csv(tmp_path)


@pytest.mark.parametrize("content", ["", "\n\n", b""])
def test_empty_file(tmp_path, content):
    path = write(tmp_path, content)
    with pytest.raises(InvalidInput, match="is empty") as err:
        read_csv(path, "profiles file")
    assert "profiles file" in str(err.value)


def test_header_only(tmp_path):
    path = write(tmp_path, "geonameid_a,geonameid_b\n")
    with pytest.raises(InvalidInput, match="header but no rows"):
        read_csv(path)


def test_not_utf8(tmp_path):
    path = write(tmp_path, "city,country\nK\xf6ln,DE\n".encode("latin-1"))
    with pytest.raises(InvalidInput, match="not UTF-8") as err:
        read_csv(path)
    assert "UTF-8" in str(err.value) and str(path) in str(err.value)


@pytest.mark.parametrize(
    "content",
    [
        "a,b\n1,2\n3,4,5,6\n",  # a row with more fields than the header
        'a,b\n"1,2\n3,4\n',  # an unclosed quote
    ],
)
def test_malformed_csv(tmp_path, content):
    path = write(tmp_path, content)
    with pytest.raises(InvalidInput, match="not valid CSV") as err:
        read_csv(path)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)  # one line, not a pandas traceback


def test_errors_are_value_errors_and_matcher_errors(tmp_path):
    with pytest.raises(ValueError):
        read_csv(tmp_path / "nope.csv")
    with pytest.raises(MatcherError):
        read_csv(tmp_path / "nope.csv")


def test_require_columns_picks_the_first_set_present(tmp_path):
    df = read_csv(write(tmp_path, "city_a,country_a,city_b,country_b,geonameid_a,geonameid_b\nA,GB,B,DE,1,2\n"))
    options = [("geonameid_a", "geonameid_b"), ("city_a", "country_a", "city_b", "country_b")]
    assert require_columns(df, options) == ("geonameid_a", "geonameid_b")
    assert require_columns(df, options[::-1]) == options[1]


def test_require_columns_wrong_columns(tmp_path):
    df = read_csv(write(tmp_path, "town,nation\nKiel,DE\n"))
    with pytest.raises(InvalidInput) as err:
        require_columns(df, [("geonameid_a", "geonameid_b"), ("city_a", "country_a")], "partnerships file")
    msg = str(err.value)
    assert "partnerships file" in msg
    assert "(geonameid_a,geonameid_b)" in msg and "(city_a,country_a)" in msg
    assert "town,nation" in msg  # says what it found


def test_atomic_path_writes_on_success(tmp_path):
    target = tmp_path / "report.csv"
    with atomic_path(target) as tmp:
        assert tmp != target and tmp.parent == target.parent
        tmp.write_text("ok", encoding="utf-8")
        assert not target.exists()  # nothing visible until the block ends
    assert target.read_text(encoding="utf-8") == "ok"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_atomic_path_leaves_no_file_when_the_block_raises(tmp_path):
    target = tmp_path / "report.csv"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_keeps_the_old_file_when_the_block_raises(tmp_path):
    target = tmp_path / "report.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(KeyError):
        with atomic_path(target) as tmp:
            tmp.write_text("new but broken", encoding="utf-8")
            raise KeyError("boom")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_atomic_path_replaces_an_existing_file(tmp_path):
    target = tmp_path / "report.csv"
    target.write_text("old", encoding="utf-8")
    with atomic_path(target) as tmp:
        tmp.write_text("new", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "new"


def test_atomic_path_missing_folder(tmp_path):
    with pytest.raises(InvalidInput, match="output folder does not exist"):
        with atomic_path(tmp_path / "no" / "such" / "report.csv"):
            pass
