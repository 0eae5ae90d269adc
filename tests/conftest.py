"""Fixtures shared by the whole suite: real PostgreSQL and Kafka (see tests/fixtures/)."""

import os

# The suite runs in development mode, and so does every process it starts (they inherit the
# environment): development secrets and plaintext channels admitted. Tests of the refusals unset it.
os.environ["ONCEONLY_DEV_MODE"] = "true"

pytest_plugins = ["tests.fixtures.services", "tests.fixtures.databases", "tests.fixtures.kafka"]
