"""Users, passwords (argon2), login sessions and API tokens.

Only hashes of session and API tokens are stored: a copy of the database does not let anyone
log in. Unknown emails still cost one argon2 verification, so timing does not tell which
emails have accounts.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from observatory.passwords import WeakPassword, check_password
from store.models import Account
from store.models_observatory import ROLES, ApiToken, LoginSession, User

TOKEN_PREFIX = "vigie_"


class AccountError(ValueError):
    """One line saying what is wrong; nothing was stored."""


@dataclass(frozen=True)
class Viewer:
    """Who is asking. Sellers see their account only; investigators and admins see everything."""

    user_id: int
    email: str
    role: str
    account_id: int | None
    account_name: str | None = None
    csrf_token: str | None = None
    lang: str | None = None  # the language the user chose for the observatory; None: the browser's

    @property
    def reads_everything(self) -> bool:
        return self.role in ("investigator", "admin")

    @property
    def manages_listings(self) -> bool:
        return self.role in ("seller", "admin")


def _hasher() -> PasswordHasher:
    return PasswordHasher()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str, *, email: str | None = None) -> str:
    """The argon2 hash of a password fit to use (observatory.passwords says which are not)."""
    try:
        check_password(password, email=email)
    except WeakPassword as exc:
        raise AccountError(str(exc)) from None
    return _hasher().hash(password)


def add_user(session: Session, email: str, role: str, *, now: datetime, account: Account | None = None,
             password: str | None = None) -> User:
    if role not in ROLES:
        raise AccountError(f"role {role!r} must be one of {', '.join(ROLES)}")
    if role == "seller" and account is None:
        raise AccountError("a seller user needs an account (the seller account it manages)")
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError(f"invalid email {email!r}: {exc}") from None
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise AccountError(f"a user {email} already exists")
    user = User(email=email, role=role, account_id=account.id if account and role == "seller" else None,
                password_hash=hash_password(password, email=email) if password else None, active=True, created_at=now)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> int:
    """Give the user a new password (the rules of hash_password) and end their login sessions, so a
    password changed because it leaked shuts out whoever used it; the number of sessions ended."""
    user.password_hash = hash_password(password, email=user.email)
    ended = list(session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)))
    for row in ended:
        session.delete(row)
    session.flush()
    return len(ended)


def viewer(user: User, csrf_token: str | None = None) -> Viewer:
    return Viewer(user.id, user.email, user.role, user.account_id, user.account.name if user.account else None,
                  csrf_token, user.lang)


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == email.strip().lower(), User.active.is_(True)))
    stored = user.password_hash if user is not None and user.password_hash else None
    try:
        _hasher().verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user if stored else None


# A fixed argon2 hash of a random string, verified when the email is unknown (see module doc).
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$2m5Y0E4d0PZ4m4kzGq3n0T1w8vJc0ZpQwW7m0mH1y2E"


def start_session(session: Session, user: User, *, now: datetime, lifetime: timedelta) -> str:
    """A new login session; returns the cookie value (shown once, stored hashed)."""
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token_sha256=_digest(token), user_id=user.id, csrf_token=secrets.token_urlsafe(24),
                             created_at=now, expires_at=now + lifetime))
    session.flush()
    return token


def session_viewer(session: Session, token: str | None, *, now: datetime) -> Viewer | None:
    if not token:
        return None
    row = session.scalar(select(LoginSession).where(LoginSession.token_sha256 == _digest(token)))
    if row is None or row.expires_at <= now or not row.user.active:
        return None
    return viewer(row.user, row.csrf_token)


def end_session(session: Session, token: str | None) -> None:
    if token:
        row = session.scalar(select(LoginSession).where(LoginSession.token_sha256 == _digest(token)))
        if row is not None:
            session.delete(row)


def issue_token(session: Session, user: User, *, now: datetime) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(token_sha256=_digest(token), user_id=user.id, created_at=now, revoked=False))
    session.flush()
    return token


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_tokens(session: Session, user: User, ids: Iterable[int] | None = None) -> list[int]:
    """Revoke the user's tokens with these ids (all of them with None); the ids revoked now.

    An id that is not one of this user's tokens is an error, so a typo never passes for done.
    """
    tokens = {token.id: token for token in tokens_of(session, user)}
    wanted = set(tokens) if ids is None else set(ids)
    unknown = sorted(wanted - set(tokens))
    if unknown:
        raise AccountError(f"{user.email} has no token {', '.join(map(str, unknown))}")
    revoked = [i for i in sorted(wanted) if not tokens[i].revoked]
    for token_id in revoked:
        tokens[token_id].revoked = True
    session.flush()
    return revoked


def token_viewer(session: Session, token: str) -> Viewer | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == _digest(token), ApiToken.revoked.is_(False)))
    if row is None or not row.user.active:
        return None
    return viewer(row.user)


def same_secret(given: str | None, expected: str | None) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
