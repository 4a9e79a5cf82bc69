"""Datto Autotask PSA connector for the MSP integration hub."""
