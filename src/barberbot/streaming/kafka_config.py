"""librdkafka configuration built from settings: nothing here knows which broker runs."""

from __future__ import annotations

from barberbot.core.settings import Settings

KafkaConfig = dict[str, str | int | float | bool]


def common(settings: Settings) -> KafkaConfig:
    config: KafkaConfig = {
        "bootstrap.servers": settings.kafka_bootstrap_servers,
        "security.protocol": settings.kafka_security_protocol,
        "client.id": "barberbot",
    }
    if settings.kafka_sasl_mechanism:
        config["sasl.mechanism"] = settings.kafka_sasl_mechanism
    if settings.kafka_sasl_username:
        config["sasl.username"] = settings.kafka_sasl_username
    if settings.kafka_sasl_password is not None:
        config["sasl.password"] = settings.kafka_sasl_password.get_secret_value()
    if settings.kafka_ssl_ca_location:
        config["ssl.ca.location"] = settings.kafka_ssl_ca_location
    return config


def producer(settings: Settings) -> KafkaConfig:
    """Idempotent, acknowledged by all in-sync replicas, failing within 30 s when unreachable.

    Keys (shop slugs) are hashed as Java's clients do (murmur2), so every producer that keeps
    Kafka's default partitioner, in any language, puts a shop's inquiries on the same partition
    and their order holds (docs/streaming.md).
    """
    return {
        **common(settings),
        "enable.idempotence": True,
        "acks": "all",
        "partitioner": "murmur2_random",
        "linger.ms": 5,
        "message.timeout.ms": 30_000,
        **settings.kafka_producer_config,
    }


def consumer(settings: Settings) -> KafkaConfig:
    """Manual offset commits (after the database commit); quick group joins and leaves."""
    return {
        **common(settings),
        "group.id": settings.kafka_consumer_group,
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "earliest",
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 1000,
        "max.poll.interval.ms": 300_000,
        **settings.kafka_consumer_config,
    }
