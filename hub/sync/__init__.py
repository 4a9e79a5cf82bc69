"""The sync engine: pull (remote to mirror), checkpoints, runs. Knows no connector by name."""
