"""What is asked of the model: tokens per request, traffic over the day, per-row inputs."""
