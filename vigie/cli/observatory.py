"""The observatory's commands: serve, user add/list/deactivate/activate/password/token/tokens/revoke-token,
export-evidence, verify-evidence."""
from __future__ import annotations

import errno
import sys
from pathlib import Path
from typing import Iterator

import click
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from observatory.accounts import AccountError, add_user, issue_token, revoke_tokens, set_password, tokens_of
from observatory.config import ObservatoryConfig
from observatory.evidence import NoSuchListing, save_bundle
from observatory.transport import Transport
from store.db import session_scope
from store.models_observatory import ROLES, User
from vigie.cli.app import App, BadInput, Failure
from vigie.cli.main import cli
from vigie.cli.output import print_json, print_json_stream, print_table, print_table_pages, say
from vigie.cli.params import ID, PORT
from vigie.registration import RegistrationError, account_named
from vigie.settings import Settings


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=PORT)
@click.option("--public-url", envvar="VIGIE_PUBLIC_URL", metavar="URL",
              help="The address users type, e.g. https://vigie.example.fr (env VIGIE_PUBLIC_URL). "
                   "https makes cookies Secure and sends HSTS.")
@click.option("--trusted-proxies", envvar="VIGIE_TRUSTED_PROXIES", metavar="IPS",
              help="Addresses or networks of the reverse proxies whose X-Forwarded-For/-Proto are believed, "
                   "comma-separated (env VIGIE_TRUSTED_PROXIES; default: none).")
@click.option("--secure-cookies", is_flag=True, hidden=True, help="Older spelling: Secure cookies without a public URL.")
@click.pass_obj
def serve(app: App, host: str, port: int, public_url: str | None, trusted_proxies: str | None,
          secure_cookies: bool) -> None:
    """The observatory: web UI for sellers and investigators, and the JSON API (/docs, /openapi.json)."""
    import uvicorn

    from observatory.app import create_app
    from observatory.transport import TransportError, transport

    try:
        reach = transport(public_url, trusted_proxies)
    except TransportError as exc:
        raise BadInput(str(exc)) from None
    listening = listen(host, port)
    if not reach.https and not _loopback(host):
        say(f"warning: serving plain HTTP on {host}: passwords and session cookies cross the network in clear; "
            "put a TLS proxy in front and set VIGIE_PUBLIC_URL=https://...")
    config = observatory_config(app.settings, reach, secure_cookies=secure_cookies)
    say(f"observatory on http://{host}:{port}/"
        + (f" for {reach.public_url} (Secure cookies, HSTS)" if reach.public_url else "")
        + (f", forwarded headers trusted from {', '.join(reach.trusted_proxies)}" if reach.trusted_proxies else "")
        + " (API description at /openapi.json)")
    server = uvicorn.Server(uvicorn.Config(create_app(config, app.sessions), host=host, port=port, log_level="info",
                                           **reach.uvicorn_options()))
    server.run(sockets=[listening])


def listen(host: str, port: int):
    """The listening socket, bound here so that a port in use or a host not of this machine is one line."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise BadInput(f"--host {host}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: restart while TIME_WAIT
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise BadInput(f"port {port} on {host} is already in use (another vigie serve?); choose another "
                           "with --port") from None
        raise BadInput(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


def observatory_config(settings: Settings, reach: Transport, *, secure_cookies: bool = False) -> ObservatoryConfig:
    """What `vigie serve` hands the app: the URL policy of `vigie add` (one for every way in), cookies, language."""
    return ObservatoryConfig(allow_private_hosts=settings.allow_private_hosts, allow_networks=settings.allow_networks,
                             secure_cookies=reach.https or secure_cookies, hsts=reach.https, lang=settings.lang,
                             channel_timeout=settings.channel_timeout, smtp_url=settings.smtp_url,
                             outbox_dir=settings.outbox_dir, mail_from=settings.mail_from,
                             data_dir=settings.data_dir,
                             tsa_certs=settings.tsa_certs.read_bytes() if settings.tsa_certs else None)


def _loopback(host: str) -> bool:
    import ipaddress
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@cli.group()
def user() -> None:
    """Observatory users: sellers, investigators, admins."""


@user.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--account", help="The seller account (required for sellers; created if new).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.pass_obj
def user_add(app: App, email: str, role: str, account: str | None, password_stdin: bool) -> None:
    """Add a user who can log in to the observatory (without a password: API token only)."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    if password_stdin and not password:
        raise BadInput("--password-stdin: no password on the first line of stdin")
    try:
        with session_scope(app.sessions) as session:
            owner = account_named(session, account, now=app.now(), lang=app.settings.lang) if account else None
            created = add_user(session, email, role, now=app.now(), account=owner, password=password)
            say(f"user {created.id} added: {created.email} ({role}{', account ' + account if owner else ''})")
    except (AccountError, RegistrationError) as exc:
        raise BadInput(str(exc)) from None


USERS_PAGE = 1_000


def user_pages(sessions) -> Iterator[list[dict]]:
    """Every user, a keyset page at a time (by id), with the account's name and language in the same query."""
    after = 0
    while True:
        with session_scope(sessions) as session:
            page = [{"id": u.id, "email": u.email, "role": u.role, "account": u.account.name if u.account else None,
                     "lang": u.account.lang if u.account else None, "active": u.active,
                     "created_at": u.created_at.isoformat()}
                    for u in session.scalars(select(User).options(joinedload(User.account)).where(User.id > after)
                                             .order_by(User.id).limit(USERS_PAGE))]
        if page:
            yield page
        if len(page) < USERS_PAGE:
            return
        after = page[-1]["id"]


@user.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def user_list(app: App, as_json: bool) -> None:
    """Show the observatory's users: role, seller account (and its alert language), active or not."""
    pages = user_pages(app.sessions)
    if as_json:
        print_json_stream(pages)
        return
    print_table_pages("Users", ["id", "email", "role", "account", "lang", "active", "created (UTC)"],
                      ([[u["id"], u["email"], u["role"], u["account"], u["lang"], "yes" if u["active"] else "no",
                         u["created_at"][:19]] for u in page] for page in pages), empty="no users yet")


@user.command("deactivate")
@click.argument("email")
@click.pass_obj
def user_deactivate(app: App, email: str) -> None:
    """Stop the user's access at once: browser sessions and API tokens stop working (`activate` restores it)."""
    _set_active(app, email, False)


@user.command("activate")
@click.argument("email")
@click.pass_obj
def user_activate(app: App, email: str) -> None:
    """Let a deactivated user in again (their API tokens work again unless revoked)."""
    _set_active(app, email, True)


def _set_active(app: App, email: str, active: bool) -> None:
    with session_scope(app.sessions) as session:
        found = _user(session, email)
        was, found.active, who = found.active, active, found.email
    state = "active" if active else "deactivated"
    say(f"user {who} {'was already ' if was == active else 'is now '}{state}")


@user.command("password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin (required).")
@click.pass_obj
def user_password(app: App, email: str, password_stdin: bool) -> None:
    """Set or change the user's password (their browser sessions end; API tokens stay)."""
    if not password_stdin:
        raise BadInput("give the password on stdin with --password-stdin (never on the command line)")
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise BadInput("--password-stdin: no password on the first line of stdin")
    try:
        with session_scope(app.sessions) as session:
            found = _user(session, email)
            who, ended = found.email, set_password(session, found, password)
    except AccountError as exc:
        raise BadInput(str(exc)) from None
    say(f"password of {who} set; {ended} browser session(s) ended")


def _user(session, email: str) -> User:
    found = session.scalar(select(User).where(User.email == email.strip().lower()))
    if found is None:
        raise BadInput(f"no user {email}")
    return found


@user.command("token")
@click.argument("email")
@click.pass_obj
def user_token(app: App, email: str) -> None:
    """Print a new API token for the user (shown once; use it as Authorization: Bearer TOKEN)."""
    with session_scope(app.sessions) as session:
        token = issue_token(session, _user(session, email), now=app.now())
    click.echo(token)


@user.command("tokens")
@click.argument("email")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def user_tokens(app: App, email: str, as_json: bool) -> None:
    """List the user's API tokens (ids and dates; the tokens themselves are not kept)."""
    with session_scope(app.sessions) as session:
        rows = [{"id": t.id, "created_at": t.created_at.isoformat(), "revoked": t.revoked}
                for t in tokens_of(session, _user(session, email))]
    if as_json:
        print_json(rows)
        return
    print_table(f"API tokens of {email}", ["id", "created (UTC)", "revoked"],
                [[r["id"], r["created_at"][:19], "yes" if r["revoked"] else ""] for r in rows])


@user.command("revoke-token")
@click.argument("email")
@click.argument("token_ids", nargs=-1, type=ID)
@click.option("--all", "every_token", is_flag=True, help="Revoke every token of the user.")
@click.pass_obj
def user_revoke_token(app: App, email: str, token_ids: tuple[int, ...], every_token: bool) -> None:
    """Revoke API tokens by id (see `vigie user tokens`), or all of them: they stop working at once."""
    if bool(token_ids) == every_token:
        raise BadInput("name the token ids to revoke, or --all")
    try:
        with session_scope(app.sessions) as session:
            revoked = revoke_tokens(session, _user(session, email), None if every_token else token_ids)
    except AccountError as exc:
        raise BadInput(str(exc)) from None
    say(f"{len(revoked)} token(s) revoked" + (f": {', '.join(map(str, revoked))}" if revoked else ""))


@cli.command("export-evidence")
@click.argument("listing_id", type=ID)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="FILE.wacz: a signed WACZ web archive (WARC records, replayable); FILE.zip: Vigie's bundle.")
@click.pass_obj
def export_evidence(app: App, listing_id: int, out: Path) -> None:
    """Write the listing's evidence for offline verification; the format follows the extension."""
    from observatory.signing import instance_key

    s = app.settings
    tsa_certs = s.tsa_certs.read_bytes() if s.tsa_certs else None
    wacz = out.suffix.lower() == ".wacz"
    try:
        with session_scope(app.sessions) as session:
            if wacz:
                from observatory.wacz import Signer, save_wacz

                save_wacz(session, listing_id, now=app.now(), out=out,
                          signer=Signer(instance_key(s.data_dir), tsa_certs=tsa_certs))
            else:
                save_bundle(session, listing_id, now=app.now(), out=out, tsa_certs=tsa_certs)
    except NoSuchListing as exc:
        raise BadInput(str(exc)) from None
    except OSError as exc:
        raise Failure(f"cannot write {out}: {exc}") from None
    say(f"evidence {'package (WACZ)' if wacz else 'bundle'} of listing {listing_id} written to {out}")


@cli.command("verify-evidence")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tsa-cert", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The timestamp authority's CA certificate(s), PEM, to check tokens against instead of the "
                   "bundled ones (your own copy, from the authority, is what makes the check independent).")
def verify_evidence(file: Path, tsa_cert: Path | None) -> None:
    """Re-check an evidence bundle or WACZ offline, one line per layer. Exit 0 when every layer holds."""
    from cryptography import x509

    from observatory.verify_evidence import NotEvidence, verify_evidence as check_layers

    if not file.is_file():
        raise BadInput(f"{file}: no such file")
    roots = None
    if tsa_cert is not None:
        try:
            roots = x509.load_pem_x509_certificates(tsa_cert.read_bytes())
        except ValueError:
            raise BadInput(f"{tsa_cert}: not a PEM certificate file") from None
    try:
        layers = check_layers(file, tsa_roots=roots)
    except NotEvidence as exc:
        raise BadInput(str(exc)) from None
    for layer in layers:
        click.echo(layer.line())
    problems = [p for layer in layers for p in layer.problems]
    if problems:
        for problem in problems:
            click.echo(f"ALTERED {problem}", err=True)
        raise Failure(f"{file}: evidence altered ({len(problems)} problem{'s' if len(problems) > 1 else ''}; first: "
                      f"{problems[0]})")
    click.echo(f"{file}: intact")
