"""The API's interactive reference at /docs: Swagger UI 5 from the fastapi-offline package, never a CDN.

It works offline and under a policy that runs scripts from this origin only (the config is a file, not an
inline script). Only the package's assets are used (its FastAPI wrapper is not); /redoc is not served; /openapi.json
is the reference.
"""
from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"
# Swagger UI sets inline styles and draws icons as data: images; "Try it out" calls this origin only.
DOCS_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")

PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vigie observatory API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css"><link rel="icon" href="{ASSETS}/favicon.png"></head>
<body><div id="swagger-ui"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/docs/start.js"></script></body></html>
"""
# validatorUrl null: the default would send the spec to a public validator
START = """window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", validatorUrl: null,
  deepLinking: true, presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout"});
"""


def mount(app: FastAPI) -> None:
    """Serve /docs; create the app with docs_url=None and redoc_url=None (FastAPI's own pages use a CDN)."""
    app.mount(ASSETS, StaticFiles(directory=str(files("fastapi_offline") / "static")), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(PAGE, headers={"Content-Security-Policy": DOCS_POLICY})

    @app.get("/docs/start.js", include_in_schema=False)
    def start() -> Response:
        return Response(START, media_type="text/javascript")
