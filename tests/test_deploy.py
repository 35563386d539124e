"""Scale-out configuration: settings read from the environment alone, the periodic
jobs, and the deploy/ files kept in step with the settings (compose itself is not run:
there is no container engine in CI; tests/topology runs the same topology as processes)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from newsite.celery import app, periodic_jobs
from newsite.env import parse_email_url
from newsite.proxy import ForwardedFor

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def settings_in_subprocess(code: str, **env) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS", "DATABASE"))}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_redis_url_alone_drives_cache_and_broker():
    """Fire-and-forget tasks keep no results: no result backend to wait on when Redis is
    down (tests/faults/test_redis_outage.py)."""
    out = settings_in_subprocess(
        "from django.conf import settings as s; from newsite.celery import app; "
        "print(s.CACHES['default']['LOCATION'], app.conf.broker_url, "
        "app.conf.result_backend, app.conf.task_always_eager)",
        REDIS_URL="redis://cache.internal:6379/3",
    )
    assert out == "redis://cache.internal:6379/3 redis://cache.internal:6379/3 None False"


def test_database_connections_are_kept_and_checked():
    out = settings_in_subprocess(
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
        DATABASE_URL="postgres://u:p@db.internal:5432/news",
        CONN_MAX_AGE="300",
    )
    assert out == "newsite.postgresql 300 True"


def test_postgresql_prepares_what_a_connection_repeats_unless_told_not_to():
    code = "from django.conf import settings as s; print(s.DATABASES['default'].get('OPTIONS'))"
    url = "postgres://u:p@db.internal:5432/news"
    on = settings_in_subprocess(code, DATABASE_URL=url)
    assert on == "{'server_side_binding': True, 'prepare_threshold': 5}"
    assert settings_in_subprocess(code, DATABASE_URL=url, DB_PREPARED_STATEMENTS="0") == "{}"


def test_email_url_can_write_files_for_another_process_to_read():
    config = parse_email_url("file:///srv/newsite/mail")
    assert config["EMAIL_BACKEND"].endswith("filebased.EmailBackend")
    assert config["EMAIL_FILE_PATH"] == "/srv/newsite/mail"
    with pytest.raises(ImproperlyConfigured):
        parse_email_url("file://")


def test_s3_addressing_style_and_prefix_come_from_the_environment():
    out = settings_in_subprocess(
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(s.addressing_style, s.location, s.endpoint_url)",
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="media",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
        AWS_S3_ADDRESSING_STYLE="path",
        AWS_LOCATION="prod",
    )
    assert out == "path prod http://minio:9000"


def test_beat_schedules_every_periodic_job():
    app.loader.import_default_modules()
    scheduled = {task for _, _, task in periodic_jobs(settings)}
    assert scheduled == {
        "comments.tasks.send_moderation_digest",
        "comments.tasks.drain_outbox",
        "comments.tasks.expire_idempotency_keys",
        "comments.tasks.spam_model_retrain",
        "social.tasks.fetch_social_sources",
        "newsletter.tasks.resume_stalled_issues",
        "newsletter.tasks.forget_unconfirmed_subscribers",
        "newsite.clear_expired_sessions",
        "webhooks.tasks.deliver_due",
        "staff.tasks.daily_stats_rollup",
    }
    assert scheduled <= set(app.tasks)


@pytest.mark.django_db
def test_expired_sessions_are_cleared():
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    now = timezone.now()
    Session.objects.create(session_key="old", session_data="x", expire_date=now - timedelta(1))
    Session.objects.create(session_key="new", session_data="x", expire_date=now + timedelta(1))
    app.tasks["newsite.clear_expired_sessions"]()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["new"]


# --- The client's address behind our proxies -------------------------------------------
def remote_addr(hops: int, forwarded: str | None, peer: str = "10.0.0.5") -> str:
    seen = {}
    environ = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        environ["HTTP_X_FORWARDED_FOR"] = forwarded
    ForwardedFor(lambda env, start: seen.update(env), hops)(environ, None)
    return seen["REMOTE_ADDR"]


def test_behind_nginx_the_client_address_is_the_one_nginx_saw():
    assert remote_addr(1, "203.0.113.7") == "203.0.113.7"
    # Whatever the client wrote itself stays to the left and is ignored.
    assert remote_addr(1, "1.2.3.4, 203.0.113.7") == "203.0.113.7"
    assert remote_addr(2, "1.2.3.4, 203.0.113.7, 10.0.0.2") == "203.0.113.7"


def test_missing_or_bad_forwarded_for_keeps_the_peer_address():
    assert remote_addr(1, None) == "10.0.0.5"
    assert remote_addr(2, "203.0.113.7") == "10.0.0.5"
    assert remote_addr(1, "not-an-address") == "10.0.0.5"


# --- deploy/ ---------------------------------------------------------------------------
def variables_read_by_settings() -> set[str]:
    source = "".join(path.read_text() for path in (ROOT / "newsite").glob("settings*.py"))
    return set(re.findall(r'env_\w+\(\s*"([A-Z0-9_]+)"', source))


def variables_in_env_example() -> set[str]:
    text = (DEPLOY / "env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))


def test_env_example_lists_every_variable_the_settings_read():
    missing = variables_read_by_settings() - variables_in_env_example()
    assert not missing, f"add to deploy/env.example: {sorted(missing)}"


def test_env_example_lists_nothing_that_nobody_reads():
    compose = (DEPLOY / "compose.yaml").read_text()
    gunicorn = (DEPLOY / "gunicorn.conf.py").read_text()
    read_elsewhere = set(re.findall(r"\$\{([A-Z0-9_]+)", compose)) | set(
        re.findall(r'environ\.get\("([A-Z0-9_]+)"', gunicorn)
    )
    unknown = variables_in_env_example() - variables_read_by_settings() - read_elsewhere
    assert not unknown, f"nothing reads these from deploy/env.example: {sorted(unknown)}"


def test_compose_file_runs_every_role_of_the_topology():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "minio", "nginx"} <= set(services)
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["beat"]["command"][:4] == ["celery", "-A", "newsite", "beat"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "newsite", "worker"]
    assert "gunicorn" in services["web"]["command"]
    app_env = services["web"]["environment"]
    assert app_env["MEDIA_STORAGE"] == "s3" and app_env["REDIS_URL"].startswith("redis://redis")
    assert services["web"]["depends_on"]["release"]["condition"] == (
        "service_completed_successfully"
    )
    nginx_conf = services["nginx"]["volumes"][0].split(":")[0]
    assert (DEPLOY / nginx_conf).exists()


def test_nginx_never_serves_uploads_and_overwrites_the_forwarded_proto():
    conf = (DEPLOY / "nginx" / "newsite.conf").read_text()
    media = re.search(r"location /media/ \{(.*?)\}", conf, re.DOTALL).group(1)
    assert "return 404" in media
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "immutable" in conf


def test_the_wsgi_application_loads_every_view_and_sets_them_aside_from_the_gc():
    out = settings_in_subprocess(
        "import gc, sys; before = gc.get_freeze_count(); import newsite.wsgi; "
        "print(before, gc.get_freeze_count() > 50_000, 'comments.api.threads' in sys.modules)"
    )
    assert out == "0 True True"
