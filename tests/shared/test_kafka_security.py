"""Kafka connection security from the settings: PLAINTEXT for the embedded broker and the laptop,
SASL_SSL (or SSL) for production brokers, refused when incomplete."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from pydantic import ValidationError

from deploy.tls import self_signed_pem
from shared.messaging.kafka import client_options
from shared.settings import PlatformSettings


def test_plaintext_adds_no_tls_and_no_credentials() -> None:
    options = client_options(PlatformSettings(kafka_bootstrap_servers="b:9092"))
    assert options == {"bootstrap_servers": "b:9092", "security_protocol": "PLAINTEXT"}


def test_sasl_ssl_verifies_the_brokers_against_the_configured_ca_and_sends_the_credentials(
    tmp_path: Path,
) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_bytes(self_signed_pem("kafka-1"))
    platform = PlatformSettings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username="ddt",
        kafka_sasl_password="s3cret-from-env",
        kafka_ssl_cafile=ca,
    )
    options = client_options(platform)
    context = options["ssl_context"]
    assert (
        options["security_protocol"],
        options["sasl_mechanism"],
        options["sasl_plain_username"],
        options["sasl_plain_password"],
        context.verify_mode,
        context.check_hostname,
        context.cert_store_stats()["x509"],
    ) == ("SASL_SSL", "PLAIN", "ddt", "s3cret-from-env", ssl.CERT_REQUIRED, True, 1)


def test_a_missing_ca_file_fails_at_connection_setup_not_silently(tmp_path: Path) -> None:
    platform = PlatformSettings(kafka_security_protocol="SSL", kafka_ssl_cafile=tmp_path / "absent.pem")
    with pytest.raises(OSError):
        client_options(platform)


@pytest.mark.parametrize(
    "values",
    [
        {"kafka_security_protocol": "SASL_SSL"},  # no credentials
        {"kafka_security_protocol": "SASL_SSL", "kafka_sasl_username": "ddt"},  # no password
        {"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_sasl_username": "u", "kafka_sasl_password": "p"},
        {"kafka_security_protocol": "SSL", "kafka_ssl_certfile": "/c.pem"},  # a certificate without its key
        {"kafka_security_protocol": "TLS"},
        {"kafka_security_protocol": "SASL_SSL", "kafka_sasl_mechanism": "GSSAPI",
         "kafka_sasl_username": "u", "kafka_sasl_password": "p"},
    ],
)  # fmt: skip
def test_incomplete_or_unsafe_kafka_security_is_refused_at_start(values: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        PlatformSettings(**values)  # type: ignore[arg-type]


def test_the_password_never_shows_in_the_settings_repr() -> None:
    platform = PlatformSettings(
        kafka_security_protocol="SASL_SSL", kafka_sasl_username="ddt", kafka_sasl_password="s3cret-from-env"
    )
    assert "s3cret-from-env" not in repr(platform)
