"""Warranty write-back: preview, opt-in runs within the API budget, audit log, rollback."""
