"""The settings base every service builds its own settings on.

Settings are read once, in each service's ``main()``, and passed down; nothing reads the environment
deep inside. Each service has its own prefix (``ONCEONLY_LOOKUP_``, ``ONCEONLY_GATEWAY_`` …); what the
services share (the broker, the pseudonym key, logging) is read without one, so one variable points
every service at the same broker.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from onceonly.common.security import DEV_MODE_VARIABLE, incomplete, production_secret_problem

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

    # How clients authenticate (the names are kafka-python's): SASL_SSL with a SCRAM user in
    # production; PLAINTEXT is admitted only in development mode.
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    # The CA that signed the brokers' certificates (default: the system's), and a client certificate
    # for brokers that authenticate clients by TLS.
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    ssl_check_hostname: bool = True

    def insecure_reasons(self, dev_mode: bool) -> list[str]:
        """What is wrong with the broker settings; outside development mode, any unauthenticated client."""
        reasons: list[str] = []
        sasl = self.security_protocol.startswith("SASL_")
        tls = self.security_protocol.endswith("SSL")
        credentials = {"KAFKA_SASL_USERNAME": self.sasl_username, "KAFKA_SASL_PASSWORD": self.sasl_password}
        if sasl:
            missing = [name for name, value in credentials.items() if not value]
            if missing:
                reasons.append(f"KAFKA_SECURITY_PROTOCOL={self.security_protocol} needs {', '.join(missing)}")
        elif any(credentials.values()):
            reasons.append(
                f"KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD are set but KAFKA_SECURITY_PROTOCOL="
                f"{self.security_protocol} would not send them: use SASL_SSL"
            )
        files = {"KAFKA_SSL_CAFILE": self.ssl_cafile, "KAFKA_SSL_CERTFILE": self.ssl_certfile,
                 "KAFKA_SSL_KEYFILE": self.ssl_keyfile}  # fmt: skip
        if not tls and any(files.values()):
            given = ", ".join(name for name, value in files.items() if value)
            reasons.append(f"{given} set but KAFKA_SECURITY_PROTOCOL={self.security_protocol} is not TLS")
        reasons += incomplete(
            "the Kafka client certificate",
            {"KAFKA_SSL_CERTFILE": self.ssl_certfile, "KAFKA_SSL_KEYFILE": self.ssl_keyfile},
        )
        reasons += incomplete("the Kafka CA", {"KAFKA_SSL_CAFILE": self.ssl_cafile})
        if not dev_mode:
            if not tls:
                reasons.append(
                    f"KAFKA_SECURITY_PROTOCOL={self.security_protocol} reaches the broker unencrypted: "
                    f"set SASL_SSL with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD "
                    f"({DEV_MODE_VARIABLE}=true only for development)"
                )
            elif not sasl and not self.ssl_certfile:
                reasons.append(
                    "KAFKA_SECURITY_PROTOCOL=SSL without KAFKA_SSL_CERTFILE/KAFKA_SSL_KEYFILE is anonymous: "
                    "set SASL_SSL credentials or a client certificate"
                )
        return reasons


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

    def insecure_reasons(self) -> list[str]:
        """Why this service must not start (``onceonly.common.security.refuse_to_start``); each
        service adds its own and keeps only the checks of what it uses."""
        return [*self.kafka_reasons(), *self.pseudonym_reasons()]

    def kafka_reasons(self) -> list[str]:
        return self.kafka.insecure_reasons(self.dev_mode)

    def pseudonym_reasons(self) -> list[str]:
        problem = production_secret_problem(
            self.dev_mode, "ONCEONLY_PSEUDONYM_KEY", self.pseudonym.key, development_value=DEV_PSEUDONYM_KEY
        )
        return [problem] if problem else []
