"""Bench-only apps that give the gateway's figures a ceiling measured in the same run."""
