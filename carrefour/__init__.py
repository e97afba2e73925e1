"""Carrefour: the linked-open-data backbone of the social-innovation commons."""

__version__ = "0.1.0"
