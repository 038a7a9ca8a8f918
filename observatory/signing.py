"""The instance's own signing key, and WACZ signatures in Webrecorder's convention (WACZ Signing and
Verification, "anonymous signature"): `datapackage-digest.json` holds `signedData` with the hash of
datapackage.json, the ECDSA P-256 signature of that hash string, and the public key that verifies it.

The key is made once, in the data directory, readable by its owner only; its fingerprint (SHA-256 of the
public key) names the installation that signed a bundle. The signature is the raw r||s pair, base64, as the
Web Crypto API that ArchiveWeb.page uses writes and reads it; the public key is its DER SubjectPublicKeyInfo.
"""
from __future__ import annotations

import base64
import hashlib
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

KEY_FILE = "evidence-signing-key.pem"


def instance_key(data_dir: Path) -> ec.EllipticCurvePrivateKey:
    """The installation's key, generated on first use (exclusive create: two processes never make two)."""
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            with os.fdopen(fd, "wb") as file:
                file.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path} is not an ECDSA key")
    return key


def public_key_b64(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> str:
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return base64.b64encode(public.public_bytes(serialization.Encoding.DER,
                                                serialization.PublicFormat.SubjectPublicKeyInfo)).decode()


def fingerprint(public_key_base64: str) -> str:
    return hashlib.sha256(base64.b64decode(public_key_base64)).hexdigest()


def signed_data(key: ec.EllipticCurvePrivateKey, digest: str, *, created: datetime, software: str,
                version: str) -> dict[str, Any]:
    r, s = decode_dss_signature(key.sign(digest.encode(), ec.ECDSA(hashes.SHA256())))
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return {"hash": digest, "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"), "software": software,
            "version": version, "signature": base64.b64encode(raw).decode(), "publicKey": public_key_b64(key)}


def verify_signed_data(signed: dict[str, Any]) -> str | None:
    """None when `signature` is the publicKey's signature of `hash`; else what is wrong."""
    try:
        public = serialization.load_der_public_key(base64.b64decode(signed["publicKey"], validate=True))
        raw = base64.b64decode(signed["signature"], validate=True)
    except (KeyError, TypeError, ValueError) as exc:
        return f"unreadable signedData ({exc})"
    if not isinstance(public, ec.EllipticCurvePublicKey) or len(raw) != 64:
        return "not an ECDSA P-256 signature"
    try:
        public.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                      str(signed.get("hash", "")).encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "the signature does not match the hash and public key"
    return None
