"""A real RFC 3161 timestamp authority on loopback: OpenSSL's `openssl ts -reply` behind a tiny HTTP server.

The CA and the TSA certificate (extendedKeyUsage critical timeStamping) are made fresh for each test session;
`down()` makes the server answer 503, as an authority under maintenance would.
"""
from __future__ import annotations

import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TSA_CONF = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _run(*args: str, cwd: Path, data: bytes | None = None) -> bytes:
    return subprocess.run(["openssl", *args], cwd=cwd, input=data, capture_output=True, check=True).stdout


def make_authority(folder: Path) -> Path:
    """CA and TSA keys and certificates in `folder`; returns the TSA config file."""
    _run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
         "-out", "ca.pem", "-days", "3650", "-subj", "/CN=Vigie Test Root CA",
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=folder)
    _run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "tsa.key",
         "-out", "tsa.csr", "-subj", "/CN=Vigie Test TSA", cwd=folder)
    (folder / "tsa.ext").write_text("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                                    "extendedKeyUsage=critical,timeStamping\n")
    _run("x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "tsa.pem",
         "-days", "3650", "-extfile", "tsa.ext", cwd=folder)
    (folder / "serial").write_text("01\n")
    conf = folder / "tsa.cnf"
    conf.write_text(TSA_CONF.format(dir=folder))
    return conf


class LocalTSA:
    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="vigie-tsa-"))
        self.conf = make_authority(self.folder)
        self.available = True
        self.requests = 0
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                query = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                tsa.requests += 1
                if not tsa.available:
                    self.send_error(503, "down for maintenance")
                    return
                reply = _run("ts", "-reply", "-config", str(tsa.conf), "-queryfile", "/dev/stdin", "-out", "-",
                             cwd=tsa.folder, data=query)
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/tsr"

    @property
    def ca_pem(self) -> Path:
        return self.folder / "ca.pem"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
