"""Harvest partner feeds, map them to the hub's vocabulary, validate and publish them."""
