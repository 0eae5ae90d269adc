"""A consumer run as its own process, so a test can SIGKILL it mid-batch.

``python -m tests.backbone.consumer_process <db url> <bootstrap> <topic> <group>``
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

from sqlalchemy.engine import Connection

from onceonly.common.consumer import ConsumeLoop
from onceonly.common.db import make_engine
from onceonly.common.events import Envelope
from onceonly.common.kafka import make_consumer
from onceonly.common.settings import KafkaSettings
from tests.backbone.store import record_batch


def slow_record_batch(conn: Connection, envelopes: Sequence[Envelope]) -> None:
    record_batch(conn, envelopes)
    # Long enough inside the transaction that a kill lands mid-batch.
    time.sleep(0.05)


def main() -> None:
    db_url, bootstrap, topic, group = sys.argv[1:5]
    settings = KafkaSettings(bootstrap_servers=bootstrap, topic=topic, dead_letter_topic=f"{topic}.dlq")
    loop = ConsumeLoop(
        make_engine(db_url),
        settings,
        group_id=group,
        batch_handler=slow_record_batch,
        max_records=200,
        # Static membership: the restarted process takes the killed one's partitions at once instead
        # of waiting for its session to time out.
        consumer_factory=lambda: make_consumer(
            settings,
            group_id=group,
            max_poll_records=200,
            group_instance_id=f"{group}-0",
            session_timeout_ms=10_000,
        ),
    )
    loop.install_signal_handlers()
    loop.run()


if __name__ == "__main__":
    main()
