"""SPARQL 1.1 queries read, checked and written by the hub itself: the gate of the public endpoint."""
