"""The project as a whole: production settings, the OpenAPI schema."""

import os
import subprocess
import sys

import pytest
import yaml
from django.conf import settings
from drf_spectacular.validation import validate_schema


def production_env(**overrides):
    # The browser tests relax async safety for this process; a production process never would.
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}}
    return {**env, **overrides}


def test_check_deploy_is_clean_with_production_settings():
    env = production_env(
        **{
            "DEBUG": "0",
            "SECRET_KEY": "a-production-like-secret-key-that-is-long-and-random-enough-2026",
            "ALLOWED_HOSTS": "tracker.example.nhs.uk",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_static_files_collect_for_production(tmp_path):
    env = production_env(
        DEBUG="0",
        SECRET_KEY="a-production-like-secret-key-that-is-long-and-random-enough-2026",
        STATIC_ROOT=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "nhsuk-frontend/nhsuk-frontend.min.css" in manifest and "tracker/tracker.css" in manifest


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env(DEBUG="0", SECRET_KEY="")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_the_openapi_schema_validates_and_describes_the_filters(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    params = {p["name"] for p in schema["paths"]["/api/v1/recommendations/"]["get"]["parameters"]}
    assert {"publication", "theme", "audience", "trackable", "q", "page", "page_size"} <= params


@pytest.mark.django_db
def test_the_interactive_docs_are_served_without_a_cdn(client):
    body = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in body
    assert "cdn" not in body.lower()
