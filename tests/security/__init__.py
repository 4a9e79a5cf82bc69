"""The security suite: tenant isolation, sessions and CSRF, secrets, SSRF, webhooks, fuzzing."""
