"""Brokerage: the open calls (expertise, volunteer missions, job offers, calls for applications), offers, matching."""
