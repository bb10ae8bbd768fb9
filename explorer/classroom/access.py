"""Who may do what on a class board: class codes, nicknames, the presenter key, and rate limits.

A class code is the only thing between a stranger and a class, so new codes carry 30 random bits
(6 characters of Crockford's base 32: no I, L, O or U to misread). Everything a person types is
NFKC-normalised first, so a Chinese input method's full-width ``ＭＬＰ－４０８３`` is ``MLP-4083``.
Limits are counted in this process per client address and per session (:class:`RateLimiter`): a
reload makes a new session, but not a new address.
"""

from __future__ import annotations

import hmac
import re
import secrets
import threading
import time
import unicodedata
from collections import deque
from datetime import timedelta

from explorer.i18n import N_, Explained
from explorer import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: 5 bits a character
CODE_CHARS = 6  # 30 random bits: a billion codes
# Read as Crockford does: O is 0, I and L are 1 (a code read aloud or copied by hand still works).
_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})
# MLP- and 6 characters (the random codes, or a presenter's own choice of that shape), or the 4 digits of
# a class started before codes had letters (MLP-4821).
CODE_PATTERN = re.compile(rf"^MLP-([{ALPHABET}]{{{CODE_CHARS}}}|\d{{4}})$")
NICKNAME_PATTERN = re.compile(r"^[^\W_][\w .-]*$")  # starts with a letter or digit; then also space . - _
MAX_NICKNAME = 24
MIN_PRESENTER_KEY = 12
ANIMALS = ("Otter", "Lynx", "Heron", "Badger", "Gecko", "Puffin", "Marmot", "Ibex", "Koala", "Narwhal",
           "Okapi", "Quokka", "Tapir", "Walrus", "Yak", "Zebra", "Falcon", "Beaver", "Dingo", "Panda")
ADJECTIVES = ("Curious", "Brave", "Quick", "Calm", "Bright", "Clever", "Lucky", "Merry", "Bold", "Keen")


class ClassroomError(Explained, ValueError):
    """A request the class board refuses; the message says why (``err.message(_)`` translated)."""


class BadClassCode(ClassroomError):
    pass


class BadNickname(ClassroomError):
    pass


class UnknownClass(ClassroomError):
    pass


class ClassClosed(ClassroomError):
    pass


class SharingRefused(ClassroomError):
    """Rate limit, locked sharing, a full board or an oversized run."""


class NotYourRun(ClassroomError):
    pass


class BoardUnavailable(RuntimeError):
    """The database cannot be reached; nothing was written."""


def closed_class_lifetime() -> timedelta | None:
    """How long a closed class (board and all) is kept: ``$EXPLORER_CLASS_EXPIRY_HOURS`` (default 48; 0 keeps
    it for ever)."""
    hours = settings.get("EXPLORER_CLASS_EXPIRY_HOURS")
    return timedelta(hours=hours) if hours > 0 else None


class TooManyAttempts(ClassroomError):
    """A rate limit: ``retry_after`` seconds until the next attempt counts."""

    def __init__(self, message: str, retry_after: float = 60.0, **values):
        super().__init__(message, **values)
        self.retry_after = retry_after


def new_code() -> str:
    return "MLP-" + "".join(secrets.choice(ALPHABET) for _ in range(CODE_CHARS))


def normalize_code(text: str) -> str:
    """``mlp-7kq2xm``, ``MLP 7KQ 2XM``, full-width ``ＭＬＰ－４０８３`` and ``4083`` all find their class."""
    typed = unicodedata.normalize("NFKC", text or "").upper()
    body = re.sub(r"[\s\-‐‑–—_]", "", typed).removeprefix("MLP").translate(_MISREAD)
    code = f"MLP-{body}"
    if not CODE_PATTERN.match(code):
        raise BadClassCode(f"{(text or '')[:20]!r} is not a class code; codes look like MLP-7KQ2XM.")
    return code


def default_nickname(rng: secrets.SystemRandom | None = None) -> str:
    rng = rng or secrets.SystemRandom()
    return f"{rng.choice(ADJECTIVES)} {rng.choice(ANIMALS)}"


def clean_nickname(text: str) -> str:
    """The nickname as stored: NFKC (full-width letters become plain ones), spaces collapsed; refused if
    too long or with odd characters."""
    nick = " ".join(unicodedata.normalize("NFKC", text or "").split())
    if not nick:
        raise BadNickname(N_("Choose a nickname of at least one letter."))
    if len(nick) > MAX_NICKNAME:
        raise BadNickname(N_("Nicknames have at most {n} characters."), n=MAX_NICKNAME)
    if not NICKNAME_PATTERN.match(nick):
        raise BadNickname(N_("Nicknames may use letters, digits, spaces, '.', '-' and '_' only."))
    return nick


def presenter_key_problem(key: str | None) -> ClassroomError | None:
    """Why a configured presenter key cannot be used (None when it can, or when none is set): a short key
    falls to guessing, so the server refuses it at start-up rather than run with it."""
    if key and len(key) < MIN_PRESENTER_KEY:
        return ClassroomError(N_("The presenter key is too short ({length} characters); set one of at least "
                                 "{minimum}, e.g. the output of `python -c \"import secrets; "
                                 "print(secrets.token_urlsafe(16))\"`."), length=len(key), minimum=MIN_PRESENTER_KEY)
    return None


def presenter_key_ok(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; no usable configured key means nobody is the presenter."""
    if not expected or not given or presenter_key_problem(expected):
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


class RateLimiter:
    """At most ``limit`` events per ``window`` seconds for each key (a client address, a session id).

    Thread-safe and in memory: one per server process, shared by its sessions."""

    def __init__(self, limit: int, window: float = 60.0, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._events: dict[str, deque] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque:
        """The key's events within the window (an idle key is forgotten, so the table stays small)."""
        events = self._events.get(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        if not events:
            self._events.pop(key, None)
        return events

    def wait(self, *keys: str) -> float:
        """Seconds until every key may act again (0 if it may now)."""
        now = self.clock()
        with self._lock:
            waits = [events[0] + self.window - now for events in (self._recent(k, now) for k in keys)
                     if len(events) >= self.limit]
        return max(waits, default=0.0)

    def hit(self, *keys: str) -> None:
        """Count one event for every key."""
        now = self.clock()
        with self._lock:
            if len(self._events) > 10_000:  # many one-off keys (sessions that left): sweep them all
                for key in list(self._events):
                    self._recent(key, now)
            for key in keys:
                self._events[key] = self._recent(key, now)
                self._events[key].append(now)

    def check(self, *keys: str, message: str = N_("Too many attempts; try again in {seconds} s.")) -> None:
        """Raise :class:`TooManyAttempts` if any key is over its limit; otherwise count the event."""
        wait = self.wait(*keys)
        if wait > 0:
            raise TooManyAttempts(message, retry_after=wait, seconds=max(1, round(wait)))
        self.hit(*keys)


class Backoff:
    """After ``n`` failures in a row, the next attempt waits ``base · 2^(n-1)`` seconds (up to ``cap``)."""

    def __init__(self, base: float = 1.0, cap: float = 300.0, clock=time.monotonic):
        self.base, self.cap, self.clock = base, cap, clock
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def wait(self, *keys: str) -> float:
        now = self.clock()
        with self._lock:
            waits = [min(self.cap, self.base * 2 ** (n - 1)) - (now - at)
                     for n, at in (self._failures.get(k, (0, now)) for k in keys) if n]
        return max([0.0, *waits])

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                self._failures[key] = (self._failures.get(key, (0, now))[0] + 1, now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
