"""The one settings object, read from `BARBERBOT_*` environment variables."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything configurable, with safe embedded defaults (SQLite in `./var`)."""

    model_config = SettingsConfigDict(env_prefix="BARBERBOT_", env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    data_dir: Path = Path("var")
    database_url: str = ""
    secret_key: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    forwarded_allow_ips: str = Field(
        default="",
        description="The proxies whose X-Forwarded-For/-Proto `serve` believes (comma-separated "
        "IPs or networks, or *); none by default, so no client can pose as another.",
    )
    public_url: str = Field(
        default="", description="Base URL the outside world uses; derived from requests if empty."
    )
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "console"
    rate_limit_per_minute: int = Field(
        default=20, ge=0, description="Submissions per client per minute; 0 turns it off."
    )
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    session_cookie_secure: bool = False

    # Streaming: set the bootstrap servers and accepted inquiries go through Kafka.
    kafka_bootstrap_servers: str = ""
    kafka_topic: str = "barberbot.inquiries.v1"
    kafka_dlq_topic: str = "barberbot.inquiries.dlq.v1"
    kafka_topic_partitions: int = Field(default=6, ge=1)
    kafka_topic_replication: int = Field(default=1, ge=1)
    kafka_consumer_group: str = "barberbot-workers"
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: str = ""
    kafka_sasl_username: str = ""
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_ca_location: str = ""
    kafka_producer_config: dict[str, str] = Field(
        default_factory=dict, description="Extra librdkafka producer settings (JSON object)."
    )
    kafka_consumer_config: dict[str, str] = Field(
        default_factory=dict, description="Extra librdkafka consumer settings (JSON object)."
    )
    outbox_path: Path | None = None
    worker_batch_size: int = Field(default=1000, ge=1)
    worker_batch_wait_seconds: float = Field(default=0.5, gt=0)
    worker_metrics_port: int = Field(default=9102, ge=0, le=65535)

    # Settling: the rollups and customers brought up to the settled days by the writers' side.
    settle_interval_seconds: float = Field(
        default=60, gt=0, description="How often the worker, or `serve`, settles at most."
    )
    settle_in_serve: bool | None = Field(
        default=None,
        description="Settle in a background task of `serve`. Default: when no Kafka worker "
        "does (no BARBERBOT_KAFKA_BOOTSTRAP_SERVERS), except in tests.",
    )

    # Outgoing messages: e-mail over SMTP, SMS through a provider; with neither set up, each
    # message is kept in the local outbox (shown at /outbox) instead of sent.
    smtp_host: str = Field(
        default="",
        description="The mail server, e.g. smtp.example.com. Empty: no mail server; e-mail is "
        "kept in the local outbox (BARBERBOT_DATA_DIR/outbox/) instead of sent.",
    )
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=30, gt=0)
    mail_from: str = Field(
        default="BarberBot <campaigns@barberbot.local>", description="The From of campaign e-mail."
    )
    bounce_address: str = Field(
        default="",
        pattern=r"^([^@+\s]+@[^@\s]+\.[^@\s]+)?$",
        description="Envelope sender of campaign e-mail, e.g. bounces@bounces.example.com: "
        "each message goes out as bounces+<signed recipient>@..., and `barberbot campaigns "
        "bounces` reads the reports that come back. Empty: the From address, reports unread.",
    )
    sms_provider: Literal["outbox", "twilio"] = Field(
        default="outbox",
        description="twilio: SMS go through a Twilio-compatible API; outbox: they are kept in "
        "the local outbox instead of sent.",
    )
    sms_api_base_url: str = "https://api.twilio.com"
    sms_account_sid: str = ""
    sms_auth_token: SecretStr | None = None
    sms_from: str = ""
    sms_webhook_insecure: bool = Field(
        default=False,
        description="Accept inbound SMS (STOP) without the provider's signature: for "
        "development only. Without it, and without BARBERBOT_SMS_AUTH_TOKEN, the webhook "
        "refuses every request (anyone could otherwise withdraw any number's consent).",
    )
    local_outbox_dir: Path | None = Field(
        default=None,
        description="Where the messages kept instead of sent go. "
        "Default: BARBERBOT_DATA_DIR/outbox.",
    )
    campaign_send_rate: float = Field(
        default=10, ge=0, description="Messages per second per sender; 0 means unthrottled."
    )
    campaign_poll_seconds: float = Field(default=5, gt=0)
    inbox_send_rate: float = Field(
        default=20,
        ge=0,
        description="Replies, acknowledgements and notifications per second per sender; 0 means "
        "unthrottled. Capturing comes first: a flood of inquiries is acknowledged at this pace.",
    )
    send_in_serve: bool | None = Field(
        default=None,
        description="Run the sender (campaigns) in a background thread of `serve`. Default: "
        "when no separate sender runs beside Kafka (no BARBERBOT_KAFKA_BOOTSTRAP_SERVERS), "
        "except in tests.",
    )
    campaign_claim_timeout_seconds: float = Field(
        default=300,
        gt=0,
        description="A message claimed this long ago by a sender that died "
        "is recorded failed (interrupted), never sent again; keep above the SMTP timeout.",
    )
    inbox_scan_lag_seconds: float = Field(
        default=5,
        ge=0,
        description="The sender acknowledges and notifies inquiries received at least this "
        "long ago, so one still being written is not passed over.",
    )

    # Custom answers: in the SQL database unless a MongoDB URL is set.
    mongodb_url: SecretStr | None = Field(
        default=None, description="mongodb://... (a database in the path, else 'barberbot')"
    )
    mongodb_timeout_ms: int = Field(
        default=3000, ge=100, description="How long a write waits for MongoDB before failing."
    )

    @model_validator(mode="after")
    def _refuse_missing_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key is None:
            raise ValueError(
                "BARBERBOT_SECRET_KEY must be set when BARBERBOT_ENVIRONMENT=production"
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'barberbot.db'}"

    @property
    def has_mail_server(self) -> bool:
        return bool(self.smtp_host.strip())

    @property
    def resolved_local_outbox_dir(self) -> Path:
        return self.local_outbox_dir or self.data_dir / "outbox"

    @property
    def streaming(self) -> bool:
        return bool(self.kafka_bootstrap_servers)

    @property
    def settles_in_serve(self) -> bool:
        if self.settle_in_serve is not None:
            return self.settle_in_serve
        return not self.streaming and self.environment != "test"

    @property
    def sends_in_serve(self) -> bool:
        if self.send_in_serve is not None:
            return self.send_in_serve
        return not self.streaming and self.environment != "test"

    @property
    def resolved_outbox_path(self) -> Path:
        return self.outbox_path or self.data_dir / "outbox.db"

    @cached_property
    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept in the data folder."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        key_file = self.data_dir / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.touch(mode=0o600)
        key_file.write_text(key)
        return key
