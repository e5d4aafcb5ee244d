from __future__ import annotations

from pathlib import Path

import pytest

from workers.settings import Settings, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_documented_in_the_readme() -> None:
    text = README.read_text()
    missing = [n for n in Settings.model_fields if f"DROPWIRE_{n.upper()}" not in text]
    assert missing == []


def test_settings_come_from_dropwire_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DROPWIRE_SPACY_MODEL", "en_core_web_md")
    monkeypatch.setenv("DROPWIRE_MAX_FILE_BYTES", "1234")
    settings = load_settings()
    assert settings.spacy_model == "en_core_web_md"
    assert settings.max_file_bytes == 1234


def test_time_limits_must_stay_below_the_visibility_timeout() -> None:
    with pytest.raises(ValueError, match="visibility_timeout"):
        load_settings(task_time_limit=700, visibility_timeout=600)


def test_without_a_redis_url_the_embedded_servers_url_is_used(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(RuntimeError, match="dropwire up"):
        _ = settings.effective_redis_url
    (tmp_path / "redis.json").write_text('{"url": "redis://:pw@127.0.0.1:7000/0"}')
    assert settings.effective_redis_url == "redis://:pw@127.0.0.1:7000/0"
    assert settings.effective_database_url.endswith(str(tmp_path / "dropwire.db"))
