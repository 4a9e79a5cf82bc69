"""Core tests use the fixtures of :mod:`hub.testing.fixtures` (loaded as a pytest plugin).

The Autotask sandbox fixtures (``sandbox``, ``synced``) come from :mod:`tests.sandbox_fixtures`.
"""

from tests.sandbox_fixtures import sandbox, synced  # noqa: F401  (fixtures)
