"""Self-hosted vLLM: replica capacity, compute billing and each pairing's monthly cost."""
