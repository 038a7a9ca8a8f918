"""Failed logins slow password guessing down: after too many failures in a window, a user name, or a
client address, is refused for the rest of the window without its password being checked.

Two keys, because the two attacks differ: many passwords against one user (5 failures per user
per 15 minutes), and one password against many users from one address (20 per address). The
password is not checked while refused, so a locked-out attacker learns nothing and costs no
argon2 hashing. Counts live in this process's memory: a restart forgets them, and several
observatory processes each count on their own (put the limit in the reverse proxy too then).
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=15)
PER_USER = 5
PER_ADDRESS = 20
MAX_KEYS = 10_000  # bounded memory whatever is thrown at the form


@dataclass
class LoginThrottle:
    window: timedelta = WINDOW
    per_user: int = PER_USER
    per_address: int = PER_ADDRESS
    _failures: dict[str, deque[datetime]] = field(default_factory=dict)

    def refused_for(self, user: str, address: str, *, now: datetime) -> timedelta | None:
        """How long this attempt must wait, or None when it may be tried."""
        waits = [self._wait(key, limit, now) for key, limit in self._keys(user, address)]
        return max((w for w in waits if w is not None), default=None)

    def failed(self, user: str, address: str, *, now: datetime) -> None:
        for key, _ in self._keys(user, address):
            if key not in self._failures and len(self._failures) >= MAX_KEYS:
                self._forget_oldest(now)
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, user: str) -> None:
        self._failures.pop(_user_key(user), None)

    def _keys(self, user: str, address: str) -> tuple[tuple[str, int], ...]:
        return (_user_key(user), self.per_user), (f"address:{address}", self.per_address)

    def _wait(self, key: str, limit: int, now: datetime) -> timedelta | None:
        failures = self._failures.get(key)
        if not failures:
            return None
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return None
        if len(failures) < limit:
            return None
        return failures[-limit] + self.window - now  # until the oldest failure that counts leaves the window

    def _forget_oldest(self, now: datetime) -> None:
        for key in [k for k, times in self._failures.items() if times[-1] <= now - self.window]:
            del self._failures[key]
        while len(self._failures) >= MAX_KEYS:
            oldest = min(self._failures, key=lambda k: self._failures[k][-1])
            del self._failures[oldest]


def _user_key(user: str) -> str:
    return f"user:{user.strip().lower()}"
