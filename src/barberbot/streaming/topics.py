"""Creating the inquiry and dead-letter topics when they are missing."""

from __future__ import annotations

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from barberbot.core.settings import Settings
from barberbot.streaming import kafka_config


def ensure_topics(settings: Settings, timeout: float = 30.0) -> list[str]:
    """Create the topics that do not exist yet; returns the names created."""
    admin = AdminClient(kafka_config.common(settings))
    existing = set(admin.list_topics(timeout=timeout).topics)
    wanted = [
        NewTopic(
            name,
            num_partitions=settings.kafka_topic_partitions,
            replication_factor=settings.kafka_topic_replication,
        )
        for name in (settings.kafka_topic, settings.kafka_dlq_topic)
        if name not in existing
    ]
    if not wanted:
        return []
    created = []
    for name, future in admin.create_topics(wanted, operation_timeout=timeout).items():
        try:
            future.result(timeout)
            created.append(name)
        except KafkaException as error:
            if error.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
    return created
