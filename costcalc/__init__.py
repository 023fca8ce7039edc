"""costcalc: hosted LLM API or self-hosted vLLM, and at what traffic that flips."""

__version__ = "0.1.0"
__all__ = ["__version__"]
