"""The HTML batch report: every town, candidate and reason, the stamp, a map, no external URL."""

import pytest

pytest.importorskip("jinja2")

from markupsafe import escape  # noqa: E402

from conftest import make_cities  # noqa: E402
from sistermatch import InvalidInput, Matcher  # noqa: E402
from sistermatch.cities import City  # noqa: E402
from sistermatch.features import ALL_ASPECTS  # noqa: E402
from sistermatch.interfaces.report import relative_fit, write_html_report  # noqa: E402
from sistermatch.models import LogisticRanker  # noqa: E402
from sistermatch.profiles import CityProfile  # noqa: E402
from sistermatch.results import Reason, Recommendation  # noqa: E402

META = {
    "version": "0.1.0",
    "data_version": "geonames-test-7",
    "partnerships_checksum": "ab12cd34" * 8,
    "k": 4,
    "generated_at": "2024-05-01T12:00:00+00:00",
}


@pytest.fixture(scope="module")
def matcher(graph):
    return Matcher(cities=make_cities(), model=LogisticRanker(), aspects=ALL_ASPECTS).fit(graph)


@pytest.fixture(scope="module")
def sections(matcher):
    towns = [1, 7, 14]  # Coventry, Köln, Toledo (US)
    return [(matcher.resolve(t), matcher.profile(t), matcher.recommend(t, k=4)) for t in towns]


@pytest.fixture(scope="module")
def html(sections, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    assert write_html_report(path, sections, META) == path
    return path.read_text(encoding="utf-8")


def test_report_has_every_town_candidate_and_reason(html, sections):
    for city, _profile, recs in sections:
        assert str(escape(city.label(with_population=True))) in html
        assert len(recs) == 4
        for r in recs:
            assert str(escape(r.city.name)) in html
            for reason in r.reasons:
                assert str(escape(reason.text)) in html


def test_report_lists_profile_facts_with_sources(html, sections):
    facts = sections[0][1].facts
    assert facts
    for f in facts[:5]:
        assert str(escape(f.source)) in html


def test_report_is_stamped(html):
    for key in ("version", "data_version", "partnerships_checksum", "k", "generated_at"):
        assert str(META[key]) in html
    assert html.count(META["partnerships_checksum"]) >= 2  # at the top and at the foot


def test_report_draws_one_map_per_town(html, sections):
    assert html.count("<svg") == len(sections)
    assert html.count('<path class="land" d="M') == len(sections)  # Europe and North America have land


def test_report_has_no_external_url(html):
    assert "http://" not in html and "https://" not in html


def test_report_escapes_data(tmp_path):
    evil = City(99, "<script>alert(1)</script>", "GB", "", 51.0, 0.0, 1000)
    cand = City(98, "Ville & Co", "FR", "", 49.0, 2.0, 2000)
    rec = Recommendation(evil, cand, 1, 0.5, 300.0, (Reason("x", 1.0, "a <b>bold</b> claim"),))
    path = tmp_path / "r.html"
    write_html_report(path, [(evil, None, (rec,))], {})
    text = path.read_text(encoding="utf-8")
    assert "<script>" not in text
    assert "&lt;script&gt;" in text and "Ville &amp; Co" in text and "&lt;b&gt;bold" in text
    assert "Profiles were not used" in text
    assert "sistermatch version" in text and "Generated at" in text  # filled in when missing


def test_report_handles_towns_without_candidates_or_facts(tmp_path, matcher):
    city = matcher.resolve(1)
    path = tmp_path / "r.html"
    write_html_report(path, [(city, CityProfile(city, ()), ())], META)
    text = path.read_text(encoding="utf-8")
    assert "No candidate passes the filters" in text
    assert "No profile facts on record" in text
    assert "<svg" in text


def test_report_shows_the_note_of_an_empty_result(tmp_path, matcher):
    recs = matcher.recommend(1, k=4, max_distance_km=1)
    assert not len(recs) and recs.note
    path = tmp_path / "r.html"
    write_html_report(path, [(matcher.resolve(1), None, recs)], META)
    assert str(escape(recs.note)) in path.read_text(encoding="utf-8")


def test_failed_write_leaves_no_file(tmp_path, sections):
    path = tmp_path / "report.html"
    broken = list(sections) + [(sections[0][0], None, ("not a recommendation",))]
    with pytest.raises(AttributeError):  # found while the first town is already written
        write_html_report(path, broken, META)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_previous_report(tmp_path, sections):
    path = tmp_path / "report.html"
    path.write_text("previous report", encoding="utf-8")
    with pytest.raises(AttributeError):  # found while the first town is already written
        write_html_report(path, [(sections[0][0], None, (object(),))], META)
    assert path.read_text(encoding="utf-8") == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_missing_folder_is_invalid_input(tmp_path, sections):
    with pytest.raises(InvalidInput):
        write_html_report(tmp_path / "no" / "such" / "report.html", sections, META)


def test_fit_is_relative_to_the_best_candidate():
    recs = [Recommendation(None, None, i, s, 0.0, ()) for i, s in enumerate((2.0, 1.0, 0.0), start=1)]
    assert relative_fit(recs) == [100.0, 36.8, 13.5]
    # The best candidate's bar does not depend on how many others are shown, nor do the others'.
    assert relative_fit(recs[:2]) == [100.0, 36.8]
    assert relative_fit([]) == []


def test_report_fit_bars_match_relative_fit(html, sections):
    for _, _, recs in sections:
        for fit in relative_fit(recs):
            assert f'style="width: {fit}%"' in html
    assert 'style="width: 100.0%"' in html
