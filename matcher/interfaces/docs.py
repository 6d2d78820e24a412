"""The API documentation pages, ``/docs`` (Swagger UI) and ``/redoc``, served offline.

FastAPI's default pages load Swagger UI and ReDoc from a CDN, so they are blank on a
machine without internet access. Here the same pages load the copies shipped in
``static/vendor/`` (see its README for versions and licences), and each page gets a
Content-Security-Policy that allows only this service: its one inline start-up script is
allowed by hash, not by ``'unsafe-inline'``.
"""

import base64
import hashlib
import re

from fastapi import Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

__all__ = ["install_docs", "VENDOR_URL"]

VENDOR_URL = "/static/vendor"
"""Where ``static/vendor/`` is served; the app mounts ``static/`` at ``/static``."""

SWAGGER_JS = f"{VENDOR_URL}/swagger-ui/swagger-ui-bundle.js"
SWAGGER_CSS = f"{VENDOR_URL}/swagger-ui/swagger-ui.css"
FAVICON = f"{VENDOR_URL}/swagger-ui/favicon-32x32.png"
REDOC_JS = f"{VENDOR_URL}/redoc/redoc.standalone.js"

# Swagger UI and ReDoc set inline styles and ReDoc runs its search in a blob: worker; only
# scripts are held to hashes. validatorUrl=None stops Swagger UI from asking
# validator.swagger.io for a badge image.
_DOCS_CSP = (
    "default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _with_csp(response):
    """The same page with a CSP that admits exactly its own inline scripts."""
    body = response.body.decode("utf-8")
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode('utf-8')).digest()).decode()}'"
        for s in _INLINE_SCRIPT.findall(body)
    )
    return HTMLResponse(
        body, headers={"Content-Security-Policy": _DOCS_CSP.format(hashes=hashes), "Cache-Control": "no-cache"}
    )


def install_docs(app):
    """Add ``/docs``, ``/docs/oauth2-redirect`` and ``/redoc`` that load nothing from elsewhere.

    Parameters
    ----------
    app : fastapi.FastAPI
        Created with ``docs_url=None, redoc_url=None`` (so FastAPI's CDN pages are not
        there too), and serving the package's ``static/`` folder at ``/static``.

    Returns
    -------
    fastapi.FastAPI
        ``app``.

    Examples
    --------
    >>> from fastapi import FastAPI
    >>> app = install_docs(FastAPI(docs_url=None, redoc_url=None))
    >>> sorted(r.path for r in app.routes if r.path.startswith(("/docs", "/redoc")))
    ['/docs', '/docs/oauth2-redirect', '/redoc']
    """
    redirect_url = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request):
        root = request.scope.get("root_path", "")
        return _with_csp(
            get_swagger_ui_html(
                openapi_url=root + app.openapi_url,
                title=f"{app.title} – API documentation",
                swagger_js_url=root + SWAGGER_JS,
                swagger_css_url=root + SWAGGER_CSS,
                swagger_favicon_url=root + FAVICON,
                oauth2_redirect_url=root + redirect_url,
                swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": None},
            )
        )

    @app.get(redirect_url, include_in_schema=False)
    def swagger_ui_redirect():
        return _with_csp(get_swagger_ui_oauth2_redirect_html())

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request):
        root = request.scope.get("root_path", "")
        return _with_csp(
            get_redoc_html(
                openapi_url=root + app.openapi_url,
                title=f"{app.title} – API reference",
                redoc_js_url=root + REDOC_JS,
                redoc_favicon_url=root + FAVICON,
                with_google_fonts=False,
            )
        )

    return app
