"""Typed readers for environment variables that fail loudly on bad values.

A typo in production configuration must stop the process at start-up with a message
naming the variable, not fall back silently to a development default.
"""

import os
import re
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no), got {raw!r}")


def _number(name: str, default, convert, kind: str):
    """The variable read by ``convert`` (``int``, ``float``), or ``default`` if unset."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return convert(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {kind}, got {raw!r}") from None


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _number(name, default, int, "an integer")
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_float(name: str, default: float, *, low: float, high: float) -> float:
    """A number between ``low`` and ``high`` (inclusive)."""
    value = _number(name, default, float, "a number")
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name} must be between {low} and {high}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


_RATE = re.compile(r"^\s*(\d+)\s*/\s*([smh])\s*$")


def env_rate(name: str, default: str) -> str:
    """A rate such as ``10/m`` (N per second, minute or hour)."""
    value = os.environ.get(name, default)
    if not _RATE.match(value):
        raise ImproperlyConfigured(f"{name} must look like N/s, N/m or N/h; got {value!r}")
    return value.replace(" ", "")


_RATES = re.compile(r"^\d+/\d*[smhd](/(ip|key|user))?(,\d+/\d*[smhd](/(ip|key|user))?)*$")


def env_rates(name: str, default: str) -> str:
    """django-allauth's rate list, e.g. ``10/m/ip,5/5m/key`` (N per duration per
    ip, key or user; comma-separated), or empty to turn that limit off."""
    value = os.environ.get(name, default).replace(" ", "")
    if value and not _RATES.match(value):
        raise ImproperlyConfigured(
            f"{name} must look like 10/m/ip or 5/5m/key (comma-separated); got {value!r}"
        )
    return value


def parse_email_url(url: str) -> dict:
    """Turn ``smtp://user:pass@host:587?tls=1`` (or ``console:``, or ``file:///dir`` for
    one file per connection in ``dir``) into EMAIL_* settings."""
    parsed = urlparse(url)
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
        "submission": "django.core.mail.backends.smtp.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
    }
    if parsed.scheme not in backends:
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme must be one of {', '.join(backends)}; got {parsed.scheme!r}"
        )
    query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    config = {"EMAIL_BACKEND": backends[parsed.scheme]}
    if parsed.scheme == "file":
        if not parsed.path or parsed.path == "/":
            raise ImproperlyConfigured("EMAIL_URL file:///dir needs a directory.")
        config["EMAIL_FILE_PATH"] = unquote(parsed.path)
    if parsed.scheme in ("smtp", "smtps", "submission"):
        config.update(
            EMAIL_HOST=parsed.hostname or "localhost",
            EMAIL_PORT=parsed.port or {"smtps": 465, "submission": 587}.get(parsed.scheme, 25),
            EMAIL_HOST_USER=unquote(parsed.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parsed.password or ""),
            EMAIL_USE_SSL=parsed.scheme == "smtps" or query.get("ssl") in _TRUE,
            EMAIL_USE_TLS=parsed.scheme == "submission" or query.get("tls") in _TRUE,
        )
    return config
