"""Core tests use the fixtures of :mod:`hub.testing.fixtures` (loaded as a pytest plugin)."""
