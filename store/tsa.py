"""Asking an RFC 3161 timestamp authority to vouch for a digest, and checking what it answers.

rfc3161-client (Trail of Bits, the library sigstore uses) builds the request, parses the answer and verifies
tokens against a certificate chain with `cryptography`'s X.509 path validation: maintained, typed, no
hand-written ASN.1. The request is plain HTTP (RFC 3161 §3.4) through urllib: one POST, nothing to keep open.
"""
from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from rfc3161_client import (HashAlgorithm, PKIStatus, TimestampRequestBuilder, VerificationError, VerifierBuilder,
                            decode_timestamp_response)

QUERY_TYPE, REPLY_TYPE = "application/timestamp-query", "application/timestamp-reply"
MAX_REPLY = 1 << 20


class TSAError(RuntimeError):
    """The authority could not be reached or gave no usable token; the stamp is retried later."""


@dataclass(frozen=True)
class Stamp:
    response: bytes  # the DER TimeStampResp, kept whole: it is what verifiers parse
    gen_time: datetime


def request_stamp(url: str, message: bytes, *, timeout: float = 30.0) -> Stamp:
    """A token over sha256(message) from the authority at `url`; TSAError when there is none."""
    query = TimestampRequestBuilder().data(message).hash_algorithm(HashAlgorithm.SHA256).cert_request(
        cert_request=True).nonce(nonce=True).build()
    request = urllib.request.Request(url, data=query.as_bytes(), method="POST",
                                     headers={"Content-Type": QUERY_TYPE, "Accept": REPLY_TYPE})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 (the operator's TSA URL)
            raw = reply.read(MAX_REPLY)
    except OSError as exc:  # refused, timed out, DNS, HTTP error status
        raise TSAError(f"timestamp authority {url} unreachable: {exc}") from None
    try:
        response = decode_timestamp_response(raw)
    except Exception as exc:  # noqa: BLE001 (the Rust parser's errors are ValueErrors of several shapes)
        raise TSAError(f"timestamp authority {url} answered something that is not a timestamp reply: {exc}") from None
    if PKIStatus(response.status) not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise TSAError(f"timestamp authority {url} refused: status {response.status} {response.status_string}")
    info = response.tst_info
    if info.nonce != query.nonce or info.message_imprint.message != query.message_imprint.message:
        raise TSAError(f"timestamp authority {url} answered another request (nonce or digest differ)")
    return Stamp(response=response.as_bytes(), gen_time=info.gen_time.astimezone(UTC))


def certificates(response: bytes) -> list[x509.Certificate]:
    """The certificates the authority put in its token (its own, usually; sometimes the chain)."""
    return [x509.load_der_x509_certificate(der) for der in decode_timestamp_response(response).signed_data.certificates]


def verify(response: bytes, message: bytes, roots: list[x509.Certificate],
           intermediates: list[x509.Certificate] = ()) -> datetime:
    """The token's time, once its signature, its certificate chain up to one of `roots` (timeStamping
    usage) and its digest of `message` hold; VerificationError (or ValueError when unparseable) otherwise."""
    parsed = decode_timestamp_response(response)
    builder = VerifierBuilder()
    for root in roots:
        builder = builder.add_root_certificate(root)
    for cert in intermediates:
        if cert not in roots:
            builder = builder.add_intermediate_certificate(cert)
    builder.build().verify_message(parsed, message)
    return parsed.tst_info.gen_time.astimezone(UTC)


__all__ = ["Stamp", "TSAError", "VerificationError", "certificates", "request_stamp", "verify"]
