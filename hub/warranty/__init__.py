"""Warranty expiration dates from sources other than the PSA: admins, CSV files, plugins."""
