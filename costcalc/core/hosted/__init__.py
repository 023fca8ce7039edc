"""Hosted API offers: what a request costs and which rate-limit tier it needs."""
