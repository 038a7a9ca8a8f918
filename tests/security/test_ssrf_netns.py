"""SSRF for real (issue 14 point 5): a marketplace on a test network redirects Vigie to the client's own
private addresses, spelt every way an attacker would, and a name rebinds to loopback between the
check and the connect. The real `vigie` runs inside a network namespace whose loopback, 10.x and
metadata addresses are served by a canary: every check must end `error` naming the refusal, and the
canary must see no request at all. VIGIE_ALLOW_NETWORKS admits the test network, and only it.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.cli.runner import Run, vigie_command, work_dir
from tests.security.netns import MARKET_ADDRESS, REBIND_NAME, REDIRECTS, TEST_NETWORK, Topology, Unavailable

CHROMIUM = "/usr/bin/chromium"
MARKET = f"http://{MARKET_ADDRESS}"
# redirect → a part of the one reason its check must give
REFUSED = {
    "loopback": "refused: 127.0.0.1 is a loopback address",
    "ipv6-loopback": "refused: ::1 is a loopback address",
    "metadata": "refused: 169.254.169.254 is a link-local address",
    "private-10": "refused: 10.66.0.1 is a private address",
    "ipv4-mapped": "refused: ::ffff:127.0.0.1 is a loopback address",
    # w3lib 2.6 and later write these as 127.0.0.1 before the guard sees them, as browsers do
    "decimal": ("refused: 2130706433 is a loopback address", "refused: 127.0.0.1 is a loopback address"),
    "octal": ("refused: 0177.0.0.1 is a loopback address", "refused: 127.0.0.1 is a loopback address"),
}
# Chromium canonicalises the spelling before the egress proxy sees it
BROWSER_REFUSED = {**REFUSED, "ipv4-mapped": "refused: ::ffff:7f00:1 is a loopback address",
                   "decimal": "refused: 127.0.0.1 is a loopback address",
                   "octal": "refused: 127.0.0.1 is a loopback address"}
REBIND_REASON = f"refused: {REBIND_NAME} resolves to 127.0.0.1, a loopback address"


@pytest.fixture
def net(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root (ip netns add)")
    topology = Topology(tmp_path)
    try:
        topology.open()
    except Unavailable as exc:
        pytest.skip(f"cannot create network namespaces here: {exc}")
    yield topology
    topology.close()


class NamespacedVigie:
    """The real `vigie` CLI, run inside the client namespace, on a SQLite database of its own."""

    def __init__(self, net: Topology, data_dir: Path):
        self.net = net
        self.env = {**os.environ, "VIGIE_DATA_DIR": str(data_dir), "VIGIE_DATABASE_URL": "",
                    "VIGIE_ALLOW_NETWORKS": TEST_NETWORK, "VIGIE_OBEY_ROBOTS": "0", "VIGIE_TIMEOUT": "10",
                    "VIGIE_BROWSER_PATH": CHROMIUM}
        for name in ("VIGIE_ALLOW_PRIVATE_HOSTS", "VIGIE_SMTP_URL"):
            self.env.pop(name, None)
        self.cwd = work_dir()

    def __call__(self, *args: str) -> Run:
        done = subprocess.run(self.net.command(*vigie_command(), *args), env=self.env, capture_output=True,
                              text=True, timeout=120, cwd=self.cwd)
        return Run(done.returncode, done.stdout, done.stderr)

    def ok(self, *args: str) -> Run:
        run = self(*args)
        assert run.code == 0, f"vigie {' '.join(args)} exited {run.code}: {run.err}"
        return run


def ssrf_pass(net: Topology, tmp_path: Path, *, browser: bool) -> dict[str, dict]:
    vigie = NamespacedVigie(net, tmp_path / "data")
    flags = ["--json", *(["--browser"] if browser else [])]
    urls = {name: f"{MARKET}/r/{name}" for name in REFUSED} | {"good": f"{MARKET}/item"}
    ids = {vigie.ok("add", url, *flags).json()["id"]: name for name, url in urls.items()}
    net.rebind(1)  # registration's look-up
    ids[vigie.ok("add", f"http://{REBIND_NAME}/item", *flags).json()["id"]] = "rebind"
    # the look-ups before the fetch are public (the netguard middleware's; for the browser also the route
    # policy's), the one made to connect (the resolver's, the egress proxy's) gets 127.0.0.1
    net.rebind(2 if browser else 1)
    run = vigie.ok("check", "--all", "--json")
    return {ids[r["listing_id"]]: r for r in run.json()["results"]}


def assert_refused(found: dict[str, dict], net: Topology, refused: dict[str, str]) -> None:
    assert found["good"]["outcome"] == "listed", found["good"]  # the test network itself is allowed
    for name, reason in refused.items():
        result = found[name]
        assert result["outcome"] == "error", (name, result)
        reasons = reason if isinstance(reason, tuple) else (reason,)
        assert any(one in r for one in reasons for r in result["reasons"]), (name, result["reasons"])
    assert net.canary_hits() == [], "a private target was fetched"


def test_static_path_refuses_every_private_target(net, tmp_path):
    found = ssrf_pass(net, tmp_path, browser=False)
    assert_refused(found, net, REFUSED)
    rebind = found["rebind"]
    assert rebind["outcome"] == "error", rebind
    assert any(REBIND_REASON in r for r in rebind["reasons"]), rebind["reasons"]
    # the name passed registration and the pre-fetch check; the connect-time look-up caught it
    assert net.dns_answers()[:2] == [f"{REBIND_NAME} {MARKET_ADDRESS}"] * 2
    assert f"{REBIND_NAME} 127.0.0.1" in net.dns_answers()
    assert net.canary_hits() == []


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}")
def test_browser_path_refuses_every_private_target(net, tmp_path):
    found = ssrf_pass(net, tmp_path, browser=True)
    assert_refused(found, net, BROWSER_REFUSED)
    rebind = found["rebind"]
    assert rebind["outcome"] == "error", rebind
    # Chromium's own look-up never happens: the egress proxy resolves, checks and connects
    assert any(REBIND_REASON in r for r in rebind["reasons"]), rebind["reasons"]
    assert net.dns_answers()[:3] == [f"{REBIND_NAME} {MARKET_ADDRESS}"] * 3
    assert net.canary_hits() == []
