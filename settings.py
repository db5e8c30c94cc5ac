"""All configuration in one typed object, read from the environment and `.env`.

No messenger SDK is imported here: every layer may read settings.
"""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent


class Settings(BaseSettings):
    """Bot settings. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'data' / 'bot.db'}",
        description="SQLAlchemy URL; SQLite file by default, postgresql+psycopg://… in production",
    )
    org_file: Path | None = Field(default=None, description="Editable organisation file (YAML)")
    calendar_file: Path | None = Field(
        default=None, description="Yearly overrides: extra days off and make-up working days (YAML)"
    )
    demo_db_path: Path = Field(default=PROJECT_ROOT / "data" / "demo.db", description="SQLite file of the demo data")
    demo_out_dir: Path = Field(
        default=PROJECT_ROOT / "data" / "demo-out", description="Where the console demo saves files the bot sends"
    )
    cli_log_file: Path = Field(
        default=PROJECT_ROOT / "data" / "logs" / "cli.log",
        description="Tracebacks of unexpected command-line errors (the terminal shows one line)",
    )

    # Telegram
    telegram_bot_token: SecretStr | None = None
    telegram_bot_username: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_file_base_url: str = "https://api.telegram.org/file/bot"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    max_file_mb: int = Field(default=20, ge=1, le=2000)

    # Zalo
    zalo_bot_token: SecretStr | None = None
    zalo_api_base_url: str = "https://bot-api.zaloplatforms.com/bot"

    # Time and language
    timezone: str = "Asia/Ho_Chi_Minh"
    locale: str = "vi"
    work_morning_start: time = time(7, 30)
    work_morning_end: time = time(11, 30)
    work_afternoon_start: time = time(13, 30)
    work_afternoon_end: time = time(17, 0)

    # Reminder policy (working days)
    remind_before_days: list[int] = Field(default_factory=lambda: [7, 3, 1, 0])
    remind_overdue_every_days: int = Field(default=2, ge=1, le=30)
    escalate_after_overdue_days: int = Field(default=5, ge=1, le=60)
    due_soon_days: int = Field(default=3, ge=1, le=30)
    invite_valid_days: int = Field(default=7, ge=1, le=365)

    # Digest
    digest_weekday: int = Field(default=0, ge=0, le=6, description="0 = Monday")
    digest_time: time = time(7, 30)

    # PAR index
    par_framework: str = Field(default="dept-2022-2030", description="Shipped framework id or path to a YAML copy")

    # Outbox
    outbox_max_attempts: int = Field(default=8, ge=1, le=100)
    outbox_backoff_seconds: float = Field(default=30.0, gt=0, le=3600,
                                          description="first wait before an outbox retry (doubles each time)")
    dispatch_every_seconds: float = Field(default=5.0, gt=0, le=300, description="how often the outbox is checked")
    # How hard a channel's sender retries one call before the reply goes to the outbox
    send_retry_attempts: int = Field(default=6, ge=1, le=20)
    send_retry_base_seconds: float = Field(default=0.5, gt=0, le=60)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in {"vi", "en"}:
            raise ValueError("locale must be 'vi' or 'en'")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("only sqlite:/// and postgresql+psycopg:// URLs are supported")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> "Settings":
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("WEBHOOK_URL is set but WEBHOOK_SECRET is not; a webhook needs a secret")
        return self


def describe_error(exc: ValidationError) -> str:
    """One clear line naming the first bad setting, for start-up failures."""
    err = exc.errors()[0]
    name = ".".join(str(p) for p in err.get("loc", ())).upper() or "SETTINGS"
    return f"Cấu hình không hợp lệ: {name} — {err.get('msg', 'giá trị sai')}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
