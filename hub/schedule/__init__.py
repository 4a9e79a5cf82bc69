"""Sync schedules: settings per integration, what is due, and the one dispatcher that queues it."""
