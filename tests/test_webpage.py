"""The web page in a real headless Chromium: type a town, pick it, see the ranked candidates.

Needs Playwright for Python and Debian's Chromium (``apt-get install chromium``); without
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

from sistermatch import Matcher
from sistermatch.features import ALL_ASPECTS
from sistermatch.models import LogisticRanker

from conftest import make_cities

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"
REQUIRED = os.environ.get("SISTERMATCH_REQUIRE_BROWSER") == "1"


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
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
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


@pytest.fixture()
def page(browser, base_url):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    page = context.new_page()
    outside = []
    # The page must reach nothing but this service; record any other request and refuse it.
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base_url)
               else (outside.append(route.request.url), route.abort()))
    page.outside_requests = outside
    page.goto(base_url + "/")
    yield page
    context.close()


def test_pick_a_town_and_see_candidates(page):
    page.get_by_label("Your town", exact=True).fill("Coven")
    option = page.get_by_role("option", name="Coventry")
    option.wait_for(timeout=10_000)
    page.get_by_label("Your town", exact=True).press_sequentially("try", delay=20)
    page.get_by_role("option", name="Coventry").click()

    rows = page.locator("#candidates tbody tr")
    rows.first.wait_for(timeout=10_000)
    assert rows.count() == 10
    assert page.locator("#results-title").inner_text() == "Candidate partners for Coventry (GB, ENG)"
    first = rows.first.locator("td")
    assert first.nth(0).inner_text() == "1"
    assert first.nth(4).inner_text().endswith("km")
    assert rows.first.locator(".reasons li").count() >= 1
    assert page.locator("#map circle.query").count() == 1
    assert page.locator("#map circle.cand").count() == 10
    assert page.locator("#message").is_hidden()
    # Let the footer's /health call land so the screenshot shows the whole page.
    page.wait_for_function("document.getElementById('footer').textContent.length > 0", timeout=10_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webpage.png"), full_page=True)
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
    choice = page.get_by_role("button", name="Springfield (US, IL)")
    assert page.get_by_role("button", name="Springfield (US, MA)").count() == 1
    choice.click()
    page.locator("#candidates tbody tr").first.wait_for(timeout=10_000)
    assert page.locator("#results-title").inner_text() == "Candidate partners for Springfield (US, IL)"
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
