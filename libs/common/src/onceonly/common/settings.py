"""The settings base every service builds its own settings on.

Settings are read once, in each service's ``main()``, and passed down; nothing reads the environment
deep inside. Each service has its own prefix (``ONCEONLY_LOOKUP_``, ``ONCEONLY_GATEWAY_`` …); what the
services share (the broker, the pseudonym key, logging) is read without one, so one variable points
every service at the same broker.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DOSSIER_EVENTS_TOPIC = "onceonly.dossier-events.v1"
DEAD_LETTER_TOPIC = f"{DOSSIER_EVENTS_TOPIC}.dlq"

# Only for demos and tests: a deployment sets ONCEONLY_PSEUDONYM_KEY from a secret store.
DEV_PSEUDONYM_KEY = "onceonly-development-pseudonym-key"


class KafkaSettings(BaseSettings):
    """Where the event stream lives (``KAFKA_BOOTSTRAP_SERVERS`` …)."""

    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore")

    bootstrap_servers: str = "127.0.0.1:9092"
    topic: str = DOSSIER_EVENTS_TOPIC
    dead_letter_topic: str = DEAD_LETTER_TOPIC


class LoggingSettings(BaseSettings):
    """``ONCEONLY_LOG_LEVEL`` and ``ONCEONLY_LOG_JSON``."""

    model_config = SettingsConfigDict(env_prefix="ONCEONLY_LOG_", extra="ignore")

    level: str = "INFO"
    json_output: bool = Field(default=False, alias="ONCEONLY_LOG_JSON")


class PseudonymSettings(BaseSettings):
    """``ONCEONLY_PSEUDONYM_KEY``: the HMAC key that turns personal ids into pseudonyms."""

    model_config = SettingsConfigDict(env_prefix="ONCEONLY_PSEUDONYM_", extra="ignore")

    key: SecretStr = SecretStr(DEV_PSEUDONYM_KEY)


class ServiceSettings(BaseSettings):
    """Base of each service's settings; subclasses set ``env_prefix`` and add their own fields."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    # ONCEONLY_DEV_MODE=true (make run, make up, the tests) admits development secrets and plaintext
    # channels; without it a service refuses to start on them.
    dev_mode: bool = Field(default=False, alias="ONCEONLY_DEV_MODE")
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    pseudonym: PseudonymSettings = Field(default_factory=PseudonymSettings)
