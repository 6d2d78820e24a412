"""The API docs pages load Swagger UI and ReDoc from the package, never from a CDN."""

import base64
import hashlib
import re

import pytest

pytest.importorskip("fastapi")

from fastapi import FastAPI  # noqa: E402
from fastapi.staticfiles import StaticFiles  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from sistermatch.interfaces.docs import install_docs  # noqa: E402
from sistermatch.interfaces.service import STATIC_DIR  # noqa: E402


@pytest.fixture(scope="module")
def client():
    app = install_docs(FastAPI(title="sistermatch", docs_url=None, redoc_url=None))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return TestClient(app)


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_docs_pages_name_no_outside_address(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.text
    assert "http://" not in html and "https://" not in html
    # Every script and stylesheet the page loads is served by the app itself.
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith("/") and client.get(url).status_code == 200, url


def test_docs_csp_admits_exactly_the_inline_script(client):
    response = client.get("/docs")
    csp = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp
    assert "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_vendor_files_carry_their_licences():
    vendor = STATIC_DIR / "vendor"
    for folder in ("swagger-ui", "redoc", "world-atlas"):
        assert (vendor / folder / "LICENSE").stat().st_size > 500
    assert "Apache License" in (vendor / "swagger-ui" / "LICENSE").read_text(encoding="utf-8")
