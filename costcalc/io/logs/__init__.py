"""Request logs: formats, streaming measurement."""
