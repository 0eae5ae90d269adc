"""Fixtures shared by the whole suite: real PostgreSQL and Kafka (see tests/fixtures/)."""

pytest_plugins = ["tests.fixtures.services", "tests.fixtures.databases", "tests.fixtures.kafka"]
