"""Webhooks: registering them remotely, receiving signed deliveries, applying what changed."""
