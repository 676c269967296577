"""Settings come from the environment and refuse unsafe production configurations."""

from __future__ import annotations

import pytest

from services.core.config import DEFAULT_SECRET, ConfigError, load_settings


def test_production_refuses_the_default_secret(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="default SECRET_KEY"):
        load_settings()
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    assert load_settings().secret_key == "x" * 48


def test_bad_values_are_reported_by_name(monkeypatch):
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(ConfigError, match="PORT"):
        load_settings()


def test_defaults_are_safe(monkeypatch):
    for name in ("SECRET_KEY", "PORT", "HOST", "APP_ENV"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.secret_key == DEFAULT_SECRET and settings.host == "127.0.0.1" and settings.port == 8000
