"""Analytical performance model (roofline per target)."""
from .model import Estimate, estimate  # noqa: F401
