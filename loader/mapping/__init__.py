"""Declarative mapping: a partner's records, read by its config, become RDF in our vocabulary."""
