"""A shop's messages land on the partition Java's clients (and KafkaJS) would choose."""

from __future__ import annotations

import struct
import uuid

from confluent_kafka import Consumer, Producer

from barberbot.core.settings import Settings
from barberbot.streaming import kafka_config

M = 0x5BD1E995
MASK = 0xFFFFFFFF


def java_murmur2(key: bytes) -> int:
    """Kafka's `Utils.murmur2` (seed 0x9747b28c), as 32-bit unsigned arithmetic."""
    length = len(key)
    h = (0x9747B28C ^ length) & MASK
    whole = length - length % 4
    for (k,) in struct.iter_unpack("<I", key[:whole]):
        k = (k * M) & MASK
        k ^= k >> 24
        k = (k * M) & MASK
        h = ((h * M) & MASK) ^ k
    tail = key[whole:]
    if tail:
        for shift, byte in reversed(list(enumerate(tail))):
            h ^= byte << (8 * shift)
        h = (h * M) & MASK
    h ^= h >> 13
    h = (h * M) & MASK
    h ^= h >> 15
    return h


def java_partition(key: bytes, partitions: int) -> int:
    """`Utils.toPositive(murmur2(key)) % numPartitions`, the default partitioner's choice."""
    return (java_murmur2(key) & 0x7FFFFFFF) % partitions


def test_the_murmur2_here_is_javas() -> None:
    # values Kafka's own tests give for Utils.murmur2 (as signed 32-bit ints)
    assert java_murmur2(b"21") == -973932308 & MASK
    assert java_murmur2(b"foobar") == -790332482 & MASK
    assert java_murmur2(b"a-little-bit-long-string") == -985981536 & MASK
    assert java_murmur2(b"a-little-bit-longer-string") == -1486304829 & MASK
    assert java_murmur2(b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") == -58897971 & MASK
    assert java_murmur2(bytes([ord(c) for c in "abc"])) == 479470107


def test_barberbots_producer_partitions_shops_as_java_does(streaming_settings: Settings) -> None:
    shops = [f"shop-{n}".encode() for n in range(40)] + [b"kings-cuts", "café-ü".encode()]
    producer = Producer(kafka_config.producer(streaming_settings))
    for shop in shops:
        producer.produce(streaming_settings.kafka_topic, key=shop, value=b"{}")
    assert producer.flush(10) == 0
    consumer = Consumer(
        kafka_config.consumer(streaming_settings) | {"group.id": f"probe-{uuid.uuid4().hex}"}
    )
    consumer.subscribe([streaming_settings.kafka_topic])
    landed: dict[bytes, int] = {}
    for _ in range(60):
        for message in consumer.consume(100, 0.5):
            key, partition = message.key(), message.partition()
            if message.error() is None and key is not None and partition is not None:
                landed[key] = partition
        if len(landed) == len(shops):
            break
    consumer.close()

    partitions = streaming_settings.kafka_topic_partitions
    assert landed == {shop: java_partition(shop, partitions) for shop in shops}
    assert len(set(landed.values())) == partitions  # the test can tell partitions apart
