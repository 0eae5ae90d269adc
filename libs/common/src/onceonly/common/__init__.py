"""What every Onceonly service shares: settings, logging, stores, personal ids, pseudonyms, Kafka."""
