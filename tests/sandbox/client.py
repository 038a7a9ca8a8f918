"""A small urllib client for the sandbox: no proxy, no redirect following, errors as answers."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any


@dataclass
class Fetched:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# ProxyHandler({}): a proxy from the environment must never see loopback test traffic
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def fetch(url: str, method: str = "GET", body: object = None, *, raw: bytes | None = None,
          timeout: float = 10) -> Fetched:
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Fetched(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Fetched(error.code, error.headers, error.read())


