"""Network namespaces for the SSRF tests: a "marketplace" host on a test network and a client with private
targets of its own, so Vigie's refusals are shown against real routing, real DNS and real sockets.

    client namespace (vigie runs here)            market namespace
      lo: 127.0.0.1, ::1          canary :80        veth 198.18.0.2/24
      lo: 10.66.0.1, 169.254.169.254     canary     HTTP :80 (redirects, a product page)
      veth 198.18.0.1/24  <-------------------->    DNS :53 (rebind.test: public, then 127.0.0.1)
      /etc/resolv.conf → nameserver 198.18.0.2 (ip netns exec bind-mounts /etc/netns/<ns>/)

The canary answers every private address of the client on port 80 and logs each request it gets:
a refusal is only real if the canary's log stays empty. Run as a script, this module is the servers:
`python -m tests.security.netns canary LOG` or `... market BUDGET_FILE`.
"""
from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TEST_NETWORK = "198.18.0.0/24"  # RFC 2544 benchmarking range: never routed on the internet
CLIENT_ADDRESS, MARKET_ADDRESS = "198.18.0.1", "198.18.0.2"
PRIVATE_ADDRESSES = ("10.66.0.1", "169.254.169.254")  # on the client's lo, the canary behind them
REBIND_NAME = "rebind.test"
ROOT = Path(__file__).resolve().parents[2]

# where each redirect of the market host points: a private target of the client, spelt as an attacker would
REDIRECTS = {
    "loopback": "http://127.0.0.1/canary/loopback",
    "ipv6-loopback": "http://[::1]/canary/ipv6-loopback",
    "metadata": "http://169.254.169.254/latest/meta-data/",
    "private-10": "http://10.66.0.1/canary/private-10",
    "ipv4-mapped": "http://[::ffff:127.0.0.1]/canary/ipv4-mapped",
    "decimal": "http://2130706433/canary/decimal",
    "octal": "http://0177.0.0.1/canary/octal",
}

PRODUCT = ("<html><head><title>Lampe</title><script type='application/ld+json'>"
           '{"@context": "https://schema.org", "@type": "Product", "name": "Lampe", "offers": '
           '{"@type": "Offer", "price": "19.99", "priceCurrency": "EUR", '
           '"availability": "https://schema.org/InStock"}}</script></head><body>Lampe</body></html>')


class Unavailable(RuntimeError):
    """Namespaces cannot be made here (not root, no `ip`, no CAP_SYS_ADMIN): the tests skip."""


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10)
    if done.returncode != 0:
        raise Unavailable(f"ip {' '.join(args)}: {done.stderr.strip() or done.returncode}")


class Topology:
    """The two namespaces and their servers; `close()` removes everything, whatever state it is in."""

    def __init__(self, work: Path):
        self.work = work
        tag = f"{os.getpid() % 100000}"
        self.client, self.market = f"vgc{tag}", f"vgm{tag}"
        self.canary_log = work / "canary.log"
        self.dns_budget = work / "dns-budget"  # how many more A answers for rebind.test are public
        self.dns_log = work / "dns.log"
        self.processes: list[subprocess.Popen] = []
        self.etc = Path("/etc/netns") / self.client

    def open(self) -> Topology:
        if shutil.which("ip") is None:
            raise Unavailable("no `ip` command (iproute2); .ci/setup.d/iproute2.sh installs it")
        try:
            _ip("netns", "add", self.client)
            _ip("netns", "add", self.market)
            c, m = ("-n", self.client), ("-n", self.market)
            _ip(*c, "link", "set", "lo", "up")
            _ip(*m, "link", "set", "lo", "up")
            _ip(*c, "link", "add", "vc0", "type", "veth", "peer", "name", "vm0", "netns", self.market)
            _ip(*c, "addr", "add", f"{CLIENT_ADDRESS}/24", "dev", "vc0")
            _ip(*m, "addr", "add", f"{MARKET_ADDRESS}/24", "dev", "vm0")
            _ip(*c, "link", "set", "vc0", "up")
            _ip(*m, "link", "set", "vm0", "up")
            for address in PRIVATE_ADDRESSES:  # on lo: no dummy interfaces in every kernel
                _ip(*c, "addr", "add", f"{address}/32", "dev", "lo")
            self.etc.mkdir(parents=True, exist_ok=True)
            (self.etc / "resolv.conf").write_text(f"nameserver {MARKET_ADDRESS}\noptions timeout:1 attempts:1\n")
            (self.etc / "hosts").write_text("127.0.0.1 localhost\n::1 localhost\n")
            self.canary_log.write_text("")
            self.dns_budget.write_text("0")
            self.dns_log.write_text("")
            self._serve(self.client, "canary", str(self.canary_log))
            self._serve(self.market, "market", str(self.dns_budget), str(self.dns_log))
            self._wait_for(self.client, "127.0.0.1", 80)
            self._wait_for(self.client, MARKET_ADDRESS, 80)
        except BaseException:
            self.close()
            raise
        return self

    def _serve(self, namespace: str, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with open(self.work / f"{args[0]}.out", "ab") as log:  # the child keeps its own descriptor
            self.processes.append(subprocess.Popen(
                ["ip", "netns", "exec", namespace, sys.executable, "-m", "tests.security.netns", *args],
                env=env, cwd=str(ROOT), stdout=log, stderr=log, start_new_session=True))

    def _wait_for(self, namespace: str, host: str, port: int) -> None:
        probe = f"import socket; socket.create_connection(({host!r}, {port}), timeout=1).close()"
        for _ in range(100):
            if subprocess.run(["ip", "netns", "exec", namespace, sys.executable, "-c", probe],
                              capture_output=True).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError(f"server at {host}:{port} did not start (see {self.work})")

    def command(self, *argv: str) -> list[str]:
        """`argv` run inside the client namespace."""
        return ["ip", "netns", "exec", self.client, *argv]

    def canary_hits(self) -> list[str]:
        return [line for line in self.canary_log.read_text().splitlines() if line]

    def rebind(self, public_answers: int) -> None:
        """The next `public_answers` A look-ups of rebind.test get the market's address, every later one 127.0.0.1."""
        self.dns_budget.write_text(str(public_answers))

    def dns_answers(self) -> list[str]:
        return [line for line in self.dns_log.read_text().splitlines() if line]

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, 9)
                except ProcessLookupError:
                    pass
                process.wait(timeout=10)
        for namespace in (self.client, self.market):  # deleting one end of the veth deletes both
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True, timeout=10)
        shutil.rmtree(self.etc, ignore_errors=True)


# -- the servers, run inside a namespace ----------------------------------------------------------------

class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def _send(self, code: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(code)
        for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve_canary(log_path: str) -> None:
    """Port 80 on every address of the client (IPv4 and IPv6): any request is a leak, logged."""
    lock = threading.Lock()

    class Canary(_Quiet):
        def do_GET(self) -> None:
            with lock, open(log_path, "a") as log:
                log.write(f"{self.client_address[0]} {self.headers.get('Host')} {self.path}\n")
            self._send(200, b"<html><body>secret</body></html>")

    class DualStack(ThreadingHTTPServer):
        address_family = socket.AF_INET6

        def server_bind(self) -> None:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            super().server_bind()

    DualStack(("::", 80), Canary).serve_forever()


def serve_market(budget_path: str, dns_log: str) -> None:
    """The marketplace: `/r/<name>` redirects to REDIRECTS[name], `/item` is a product page; and its DNS."""

    class Market(_Quiet):
        def do_GET(self) -> None:
            name = self.path.removeprefix("/r/").split("?")[0]
            if self.path.startswith("/r/") and name in REDIRECTS:
                self._send(302, Location=REDIRECTS[name])
            else:
                self._send(200, PRODUCT.encode())

    threading.Thread(target=_serve_dns, args=(budget_path, dns_log), daemon=True).start()
    ThreadingHTTPServer((MARKET_ADDRESS, 80), Market).serve_forever()


def _serve_dns(budget_path: str, dns_log: str) -> None:
    """A DNS server for one name, TTL 0: the budget's worth of public answers, then loopback (rebinding)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((MARKET_ADDRESS, 53))
    while True:
        query, client = sock.recvfrom(512)
        try:
            reply = _dns_reply(query, budget_path, dns_log)
        except (ValueError, struct.error, IndexError):
            continue
        sock.sendto(reply, client)


def _dns_reply(query: bytes, budget_path: str, dns_log: str) -> bytes:
    ident, _flags = struct.unpack("!HH", query[:4])
    labels, at = [], 12
    while query[at]:
        labels.append(query[at + 1:at + 1 + query[at]].decode("ascii").lower())
        at += 1 + query[at]
    qtype, _qclass = struct.unpack("!HH", query[at + 1:at + 5])
    question = query[12:at + 5]
    name = ".".join(labels)
    if name != REBIND_NAME:
        return struct.pack("!HHHHHH", ident, 0x8183, 1, 0, 0, 0) + question  # NXDOMAIN
    if qtype != 1:  # only A records: AAAA and the rest get an empty answer
        return struct.pack("!HHHHHH", ident, 0x8180, 1, 0, 0, 0) + question
    budget = int(Path(budget_path).read_text() or 0)
    address = MARKET_ADDRESS if budget > 0 else "127.0.0.1"
    Path(budget_path).write_text(str(max(budget - 1, 0)))
    with open(dns_log, "a") as log:
        log.write(f"{name} {address}\n")
    answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 0, 4) + socket.inet_aton(address)
    return struct.pack("!HHHHHH", ident, 0x8180, 1, 1, 0, 0) + question + answer


if __name__ == "__main__":
    role, *rest = sys.argv[1:]
    {"canary": serve_canary, "market": serve_market}[role](*rest)
