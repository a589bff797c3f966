"""rstheory: the mathematics of randomized-smoothing robustness certificates."""
__version__ = "0.1.0"
