"""A real `vigie serve` on loopback: forwarded headers believed only from configured proxies; Secure cookies
and HSTS when the public URL is https; neither on the plain loopback demo."""
from __future__ import annotations

import socket
import subprocess
import time

import httpx
import pytest

from observatory.deps import LOGIN_CSRF_COOKIE
from observatory.login_throttle import PER_ADDRESS
from store.db import sqlite_url
from tests.cli.runner import Vigie, vigie_command

PASSWORD = "Quai des Orfevres 36, 2e etage"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve(tmp_path):
    vigie = Vigie(tmp_path, sqlite_url(tmp_path))
    added = vigie("user", "add", "inv@example.fr", "--role", "investigator", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.code == 0, added.err
    started = []

    def start(*args: str, **env: str) -> str:
        port = _free_port()
        log = tmp_path / f"serve-{port}.log"
        with open(log, "wb") as handle:  # the child keeps its own copy of the descriptor
            process = subprocess.Popen([*vigie_command(), "serve", "--port", str(port), *args],
                                       env={**vigie.env, **env}, cwd=vigie.cwd, stdout=handle, stderr=handle)
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(url + "/login", timeout=1)
                return url
            except httpx.TransportError:
                assert process.poll() is None, log.read_text()
                time.sleep(0.1)
        raise TimeoutError("vigie serve did not start")

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=15)


def _csrf(page: httpx.Response) -> str:
    return page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def _failed_logins_from_spoofed_addresses(url: str, attempts: int) -> list[int]:
    """Each attempt names another user and claims another client address."""
    with httpx.Client(base_url=url) as client:
        token = _csrf(client.get("/login"))
        codes = []
        for n in range(attempts):
            reply = client.post("/login", data={"email": f"nobody{n}@example.fr", "password": "wrong password",
                                                "csrf": token},
                                headers={"X-Forwarded-For": f"203.0.113.{n + 1}"})
            codes.append(reply.status_code)
            token = _csrf(reply)  # each refusal renders the form again, with a new token
        return codes


def test_spoofed_forwarded_for_does_not_escape_the_address_throttle(serve):
    url = serve()
    codes = _failed_logins_from_spoofed_addresses(url, PER_ADDRESS + 1)
    assert codes[:PER_ADDRESS] == [401] * PER_ADDRESS
    assert codes[PER_ADDRESS] == 429  # counted against 127.0.0.1 whatever the header says


def test_forwarded_for_is_believed_from_a_configured_proxy(serve):
    url = serve(VIGIE_TRUSTED_PROXIES="127.0.0.1")
    assert _failed_logins_from_spoofed_addresses(url, PER_ADDRESS + 1) == [401] * (PER_ADDRESS + 1)


def _login(url: str) -> tuple[httpx.Response, httpx.Response]:
    with httpx.Client(base_url=url) as client:
        page = client.get("/login")
        # as the TLS proxy would: a Secure cookie goes back over https only, which httpx sees as plain http here
        client.cookies.clear()
        reply = client.post("/login", data={"email": "inv@example.fr", "password": PASSWORD, "csrf": _csrf(page)},
                            headers={"Cookie": f"{LOGIN_CSRF_COOKIE}={page.cookies[LOGIN_CSRF_COOKIE]}",
                                     "X-Forwarded-Proto": "https"})
        assert reply.status_code == 303, reply.text
        return page, reply


def test_https_public_url_makes_cookies_secure_and_sends_hsts(serve):
    url = serve(VIGIE_PUBLIC_URL="https://vigie.example.fr", VIGIE_TRUSTED_PROXIES="127.0.0.1")
    page, reply = _login(url)
    for response in (page, reply):
        assert "max-age=" in response.headers["strict-transport-security"]
        assert all("; secure" in c.lower() for c in response.headers.get_list("set-cookie")
                   if "max-age=0" not in c.lower() and 'expires=thu, 01 jan 1970' not in c.lower())
    assert any("secure" in c.lower() for c in reply.headers.get_list("set-cookie"))


def test_plain_loopback_demo_has_neither(serve):
    page, reply = _login(serve())
    for response in (page, reply):
        assert "strict-transport-security" not in response.headers
        assert not any("secure" in c.lower() for c in response.headers.get_list("set-cookie"))


def test_bad_transport_settings_are_one_line_and_exit_2(tmp_path):
    vigie = Vigie(tmp_path, sqlite_url(tmp_path))
    for env in ({"VIGIE_TRUSTED_PROXIES": "*"}, {"VIGIE_TRUSTED_PROXIES": "proxy.local"},
                {"VIGIE_PUBLIC_URL": "vigie.example.fr"}):
        vigie.env.update(env)
        run = vigie("serve", "--port", str(_free_port()))
        assert run.code == 2, run
        assert len(run.err.strip().splitlines()) == 1, run.err
        for name in env:
            vigie.env.pop(name)


def test_proxies_may_be_addresses_or_networks_and_plain_http_is_not_https():
    from observatory.transport import transport

    reach = transport("http://127.0.0.1:8000/", "127.0.0.1, 10.0.0.0/8 ::1")
    assert reach.trusted_proxies == ("127.0.0.1/32", "10.0.0.0/8", "::1/128") and not reach.https
    assert reach.uvicorn_options() == {"proxy_headers": True, "forwarded_allow_ips": "127.0.0.1/32,10.0.0.0/8,::1/128"}
    assert transport(None, None).uvicorn_options() == {"proxy_headers": False, "forwarded_allow_ips": ""}
