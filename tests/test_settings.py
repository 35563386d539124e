import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from newsite.env import env_bool, env_choice, env_int, env_rate, parse_email_url

ROOT = Path(__file__).resolve().parent.parent


def test_env_bool_rejects_garbage(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG", default=False)


def test_env_int_rejects_non_numbers_and_small_values(monkeypatch):
    monkeypatch.setenv("N", "ten")
    with pytest.raises(ImproperlyConfigured, match="N must be an integer"):
        env_int("N", 1)
    monkeypatch.setenv("N", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("N", 1, minimum=0)


def test_env_choice_names_the_choices(monkeypatch):
    monkeypatch.setenv("COMMENTS_MODERATION", "sometimes")
    with pytest.raises(ImproperlyConfigured, match="none, guests"):
        env_choice("COMMENTS_MODERATION", "all", ("none", "guests", "all"))


def test_env_rate_accepts_per_second_minute_hour(monkeypatch):
    monkeypatch.setenv("R", "5/h")
    assert env_rate("R", "10/m") == "5/h"
    monkeypatch.setenv("R", "5 per hour")
    with pytest.raises(ImproperlyConfigured):
        env_rate("R", "10/m")


def test_email_url_configures_smtp():
    config = parse_email_url("submission://mailer:s%40cret@smtp.example.org")
    assert config["EMAIL_HOST"] == "smtp.example.org"
    assert config["EMAIL_PORT"] == 587
    assert config["EMAIL_HOST_PASSWORD"] == "s@cret"
    assert config["EMAIL_USE_TLS"] is True


def _manage(*args, **env):
    drop = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = _manage("check", DEBUG="0", ALLOWED_HOSTS="news.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-value-1234567890",
    "ALLOWED_HOSTS": "news.example.org",
}


def test_deploy_check_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout


def _production_setting(expression, **env):
    result = _manage("shell", "-c", f"from django.conf import settings; print({expression})", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_turns_on_https_only_cookies_hsts_and_the_redirect():
    shown = _production_setting(
        "settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS, "
        "settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD, "
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE",
        **PRODUCTION,
    )
    assert shown == "True 31536000 True False True True"


def test_plain_http_runs_turn_the_redirect_off_by_environment():
    shown = _production_setting(
        "settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="600",
        **PRODUCTION,
    )
    assert shown == "False 600"


def test_deploy_check_catches_a_production_site_without_https():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", SESSION_COOKIE_SECURE="0", **PRODUCTION
    )
    assert result.returncode != 0
    assert "security.W012" in result.stderr


def test_bad_allauth_rate_stops_start_up():
    result = _manage("check", ACCOUNT_RATE_LIMIT_LOGIN_FAILED="five per minute")
    assert result.returncode != 0
    assert "ACCOUNT_RATE_LIMIT_LOGIN_FAILED" in result.stderr


def test_s3_media_storage_needs_a_bucket():
    result = _manage("check", MEDIA_STORAGE="s3")
    assert result.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME" in result.stderr


def test_s3_media_storage_is_configured_from_the_environment():
    result = _manage(
        "shell",
        "-c",
        "from django.core.files.storage import storages; "
        "s = storages['default']; print(type(s).__name__, s.bucket_name)",
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="news-media",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
    )
    assert result.returncode == 0, result.stderr
    assert "S3Storage news-media" in result.stdout
