"""The web page in a real headless Chromium: type a town, pick it, see the ranked candidates.

Desktop (1360 px) and phone (390 x 844) viewports; the API docs at /docs and /redoc; every
request that would leave the service is refused and recorded, so "works offline" is tested.
With ``SISTERMATCH_SCREENSHOTS=1``, screenshots go to tests/artifacts/.

Needs Playwright for Python and Debian's Chromium: its headless shell
(``apt-get install chromium-headless-shell``, the browser without its windows, which
takes half the CPU of the full browser here) or else the full one (``chromium``); without
them the test is skipped, unless ``SISTERMATCH_REQUIRE_BROWSER=1`` (set by CI), where a
missing browser is a failure. Playwright's own browser download is never used.
"""

import os
import socket
import threading
import time
import warnings
from pathlib import Path

import pytest

from conftest import make_cities
from sistermatch import Matcher
from sistermatch.features import ALL_ASPECTS
from sistermatch.models import LogisticRanker

CHROMIUM = next(
    (path for path in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium") if os.access(path, os.X_OK)),
    "/usr/bin/chromium-headless-shell",
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
REQUIRED = os.environ.get("SISTERMATCH_REQUIRE_BROWSER") == "1"
SCREENSHOTS = os.environ.get("SISTERMATCH_SCREENSHOTS") == "1"
pytestmark = pytest.mark.browser


def _unavailable(reason):
    if REQUIRED:
        pytest.fail(f"SISTERMATCH_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def sync_playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install playwright)")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium-headless-shell)")
    for name in ("uvicorn", "fastapi"):
        try:
            __import__(name)
        except ImportError:
            _unavailable(f"{name} is not installed")
    return sync_playwright


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(sync_playwright, graph):
    import uvicorn

    from sistermatch.interfaces.service import create_app

    matcher = Matcher(cities=make_cities(), model=LogisticRanker(), aspects=ALL_ASPECTS).fit(graph)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(matcher), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the service did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(sync_playwright):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        with sync_playwright() as p:
            try:
                b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
            except Exception as exc:  # a browser that cannot start is the environment's, not ours
                _unavailable(f"Chromium did not start: {str(exc).splitlines()[0]}")
            yield b
            b.close()


def _open(context, base_url, path="/"):
    page = context.new_page()
    outside = []
    # The page must reach nothing but this service; record any other request and refuse it.
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(base_url)
            else (outside.append(route.request.url), route.abort())
        ),
    )
    page.outside_requests = outside
    page.console_errors = []
    page.on("console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None)
    page.goto(base_url + path)
    return page


# One browser context per screen kind, a fresh page for each test: a context costs the
# browser a process of its own, and the app keeps nothing in the browser from one page to
# the next (no cookies, no storage), so the tests cannot see each other's state.
@pytest.fixture(scope="module")
def desktop(browser):
    context = browser.new_context(locale="en-GB", viewport={"width": 1360, "height": 900})
    yield context
    context.close()


@pytest.fixture(scope="module")
def handset(browser):
    context = browser.new_context(
        locale="en-GB", viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    yield context
    context.close()


@pytest.fixture()
def page(desktop, base_url):
    page = _open(desktop, base_url)
    yield page
    page.close()


@pytest.fixture()
def phone(handset, base_url):
    page = _open(handset, base_url)
    yield page
    page.close()


def _search(page, typed="Coventry", option="Coventry"):
    page.get_by_label("Your town", exact=True).fill(typed)
    page.get_by_role("option", name=option).first.click()
    page.locator("#candidates tbody tr").first.wait_for(timeout=10_000)


def _shot(page, name, full_page=True):
    """A screenshot in tests/artifacts/, with ``SISTERMATCH_SCREENSHOTS=1`` (each costs the
    browser a fifth of a second of CPU, so the suite leaves them out by default)."""
    if SCREENSHOTS:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


def test_pick_a_town_and_see_candidates(page):
    page.get_by_label("Your town", exact=True).fill("Coven")
    option = page.get_by_role("option", name="Coventry")
    option.wait_for(timeout=10_000)
    page.get_by_label("Your town", exact=True).press_sequentially("try", delay=20)
    page.get_by_role("option", name="Coventry").click()

    rows = page.locator("#candidates tbody tr")
    rows.first.wait_for(timeout=10_000)
    assert rows.count() == 10
    assert page.locator("#results-title").inner_text() == "Candidate partners for Coventry (GB, England)"
    first = rows.first.locator("td")
    assert first.nth(0).inner_text() == "1"
    assert first.nth(4).inner_text().endswith("km")
    assert rows.first.locator(".reasons li").count() >= 1
    # The map is drawn once its land outlines have loaded (a fetch, slower than the table
    # under load), all of it in one go: wait for its marker of the query, then count.
    page.locator("#map circle.query").wait_for(state="attached", timeout=10_000)
    assert page.locator("#map circle.query").count() == 1
    assert page.locator("#map circle.cand").count() == 10
    # Regions by name from the server, never a GeoNames code such as "IL" or "07".
    us_regions = page.evaluate("""[...document.querySelectorAll('#candidates tbody tr')]
        .filter(tr => tr.querySelector('td.country').textContent === 'US')
        .map(tr => tr.querySelector('.region') ? tr.querySelector('.region').textContent : '')""")
    assert us_regions and set(us_regions) <= {
        "Illinois",
        "Massachusetts",
        "Ohio",
        "Texas",
        "Florida",
        "District of Columbia",
    }
    assert page.locator("#message").is_hidden()
    # Let the footer's /health call land so the screenshot shows the whole page.
    page.wait_for_function("document.getElementById('footer').textContent.length > 0", timeout=10_000)
    _shot(page, "webpage.png")
    assert page.outside_requests == []


def test_filters_narrow_the_candidates(page):
    page.get_by_label("Only these countries").fill("de, fr")
    page.get_by_label("Furthest distance (km)").fill("1000")
    page.get_by_label("Your town", exact=True).fill("Coventry")
    page.get_by_role("option", name="Coventry").click()
    rows = page.locator("#candidates tbody tr")
    rows.first.wait_for(timeout=10_000)
    countries = rows.locator("td:nth-child(3)").all_inner_texts()
    assert countries and set(countries) <= {"DE", "FR"}


def test_ambiguous_name_offers_clickable_choices(page):
    page.get_by_label("Your town", exact=True).fill("Springfield")
    page.get_by_role("button", name="Find partners").click()
    message = page.locator("#message")
    message.wait_for(timeout=10_000)
    assert "ambiguous" in message.inner_text()
    choice = page.get_by_role("button", name="Springfield (US, Illinois)")
    assert page.get_by_role("button", name="Springfield (US, Massachusetts)").count() == 1
    choice.click()
    page.locator("#candidates tbody tr").first.wait_for(timeout=10_000)
    assert page.locator("#results-title").inner_text() == "Candidate partners for Springfield (US, Illinois)"
    assert message.is_hidden()


def test_unknown_name_suggests_spellings(page):
    page.get_by_label("Your town", exact=True).fill("Coventri")
    page.get_by_role("button", name="Find partners").click()
    message = page.locator("#message")
    message.wait_for(timeout=10_000)
    assert "No town matches" in message.inner_text()
    assert page.get_by_role("button", name="Coventry (GB, England)").count() == 1


def test_bad_filter_is_shown_on_the_page(page):
    page.get_by_label("Only these countries").fill("XX")
    page.get_by_label("Your town", exact=True).fill("Coventry")
    page.get_by_role("option", name="Coventry").click()
    message = page.locator("#message")
    message.wait_for(timeout=10_000)
    assert "unknown country 'XX'" in message.inner_text()
    assert page.locator("#results").is_hidden()


def test_phone_shows_one_card_per_candidate_without_sideways_scrolling(phone):
    width = phone.evaluate("innerWidth")
    assert width == 390
    assert phone.evaluate("document.documentElement.scrollWidth") <= width
    _search(phone)
    cards = phone.locator("#candidates tbody tr")
    assert cards.count() == 10
    assert phone.evaluate("document.documentElement.scrollWidth") <= width
    assert phone.locator("#candidates thead").is_hidden()
    for i in (0, 9):
        card = cards.nth(i)
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert box["height"] < 300  # a card, not a tall mostly blank table row
        reasons = card.locator(".reasons li")
        assert reasons.count() >= 1
        r = reasons.first.bounding_box()
        assert r["x"] >= 0 and r["x"] + r["width"] <= width  # the reasons are on screen, not off to the right
        assert card.locator("td.country").inner_text().endswith(("GB", "DE", "FR", "PL", "ES", "US"))
    # After the search the answer is on screen, and focus is on its heading.
    title = phone.locator("#results-title")
    tb = title.bounding_box()
    assert 0 <= tb["y"] < 844 / 2
    assert phone.evaluate("scrollY") > 0
    assert phone.evaluate("document.activeElement.id") == "results-title"
    first = cards.first.bounding_box()
    assert first["y"] < 844 * 2  # the first card is close below the map
    _shot(phone, "phone-results.png", full_page=False)
    _shot(phone, "phone-page.png")
    assert phone.outside_requests == []


def test_phone_map_keeps_readable_markers(phone):
    _search(phone)
    # One SVG unit per CSS pixel: a marker of radius 9 is 18 px across on the phone too.
    circle = phone.locator("#map circle.cand").first.bounding_box()
    assert 16 <= circle["width"] <= 20
    label_px = phone.evaluate("parseFloat(getComputedStyle(document.querySelector('#map .cand-label')).fontSize)")
    svg = phone.locator("#map").bounding_box()
    view_w = phone.evaluate("document.getElementById('map').viewBox.baseVal.width")
    assert label_px * svg["width"] / view_w >= 10


def test_map_draws_land_and_markers_do_not_hide_each_other(page):
    _search(page)
    land = page.locator("#map path.land")
    land.wait_for(state="attached", timeout=10_000)
    d = land.get_attribute("d")
    assert d.count("Z") >= 3 and len(d) > 500  # Britain, Ireland, Europe, North America
    width, height = page.evaluate(
        "[document.getElementById('map').viewBox.baseVal.width, document.getElementById('map').viewBox.baseVal.height]"
    )
    for ring in d.split("Z"):
        pts = [tuple(map(float, p.split())) for p in ring.lstrip("M").split("L") if p.strip()]
        for (x1, y1), (x2, y2) in zip(pts, pts[1:]):
            # No coast drawn across the map (a ring crossing the antimeridian, unhandled, would be).
            along_the_edge = y1 == y2 and (y1 <= -3.9 or y1 >= height + 3.9)  # where the ring is cut
            assert abs(x2 - x1) < width / 4 or along_the_edge, ((x1, y1), (x2, y2))
    centres = page.evaluate("""[...document.querySelectorAll('#map circle.cand, #map circle.query')]
        .map(c => [c.cx.baseVal.value, c.cy.baseVal.value])""")
    assert len(centres) == 11
    for i, (x1, y1) in enumerate(centres):
        for x2, y2 in centres[i + 1 :]:
            assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 >= 20.5
    assert page.outside_requests == []


def test_fit_bar_is_relative_to_the_best_candidate(page):
    _search(page)
    rows = page.locator("#candidates tbody tr")
    assert rows.first.locator(".fit-value").inner_text() == "100"
    widths = page.evaluate("""[...document.querySelectorAll('#candidates .fit .fill')]
        .map(f => f.getBoundingClientRect().width / f.parentElement.getBoundingClientRect().width)""")
    assert widths[0] == pytest.approx(1.0, abs=0.01)
    assert all(a >= b - 1e-6 for a, b in zip(widths, widths[1:]))  # best first, never longer than the one above


def test_empty_result_shows_the_note(page):
    page.get_by_label("Furthest distance (km)").fill("1")
    page.get_by_label("Your town", exact=True).fill("Coventry")
    page.get_by_role("option", name="Coventry").click()
    note = page.locator("#results-empty")
    note.wait_for(timeout=10_000)
    text = note.inner_text()
    assert "widen" in text.lower()
    assert "500" not in text
    assert page.locator("#message").is_hidden()
    assert page.locator("#candidates tbody tr").count() == 0
    assert page.locator("#results-title").inner_text().startswith("No candidate partners for Coventry")
    _shot(page, "empty-result.png")


def test_explain_a_candidate_shows_its_rank_and_every_contribution(page):
    _search(page)
    third = page.locator("#candidates tbody tr").nth(2)
    name = third.locator(".name").inner_text()
    label = page.evaluate("document.querySelectorAll('#explain-options option')[2].value")
    assert label.startswith(name)
    page.get_by_label("Why (not) this town?").fill(label)
    page.get_by_role("button", name="Explain").click()
    result = page.locator("#explain-result .explain-rank")
    result.wait_for(timeout=10_000)
    assert result.inner_text().startswith("Rank 3 of ")
    contributions = page.locator("#explain-result table.contributions tbody tr")
    assert contributions.count() >= 3
    assert all(t.strip() for t in contributions.locator("td.feature").all_inner_texts())
    _shot(page, "explain.png")


def test_explain_a_domestic_town_says_why_it_is_left_out(page):
    _search(page)
    page.get_by_label("Why (not) this town?").fill("London")
    page.get_by_role("button", name="Explain").click()
    result = page.locator("#explain-result .explain-rank")
    result.wait_for(timeout=10_000)
    assert result.inner_text().startswith("Not ranked")
    assert "same country" in page.locator("#explain-result .excluded").inner_text()
    assert "would rank" in page.locator("#explain-result").inner_text()
    _shot(page, "explain-excluded.png")


def test_api_docs_render_offline(page, base_url):
    for path, ready in (("/docs", ".swagger-ui .opblock"), ("/redoc", "redoc h1, [role='main'] h1")):
        page.goto(base_url + path)
        page.locator(ready).first.wait_for(timeout=20_000)
        assert "sistermatch" in page.content()
        _shot(page, f"docs{path.replace('/', '-')}.png", full_page=False)
    assert page.outside_requests == []
    # ReDoc's sidebar links its maker's logo from the web; the docs' CSP blocks that one image
    # (nothing else), and the page is complete without it.
    blocked = [e for e in page.console_errors if "Content Security Policy" in e]
    assert all("cdn.redoc.ly/redoc/logo-mini.svg" in e for e in blocked), blocked
