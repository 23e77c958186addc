"""Absolute links in files people download (exports, PDFs): the configured public address.

The request's Host header is the client's word; a link built from it in a file that is
passed on (or cached, as the report PDFs are) can point anywhere. With BASE_URL set, links
use it and nothing of the request; without it, the address the request came to.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request, url_for


def public_root() -> str:
    """BASE_URL with a trailing slash, or else the request's root URL."""
    base = current_app.config.get("BASE_URL")
    return base.rstrip("/") + "/" if base else request.url_root


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for `endpoint` under `public_root()`."""
    base = current_app.config.get("BASE_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path.rstrip("/") or "/",
                                       url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)
