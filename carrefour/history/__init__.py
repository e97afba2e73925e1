"""The hub's history: every version of every record, kept in one graph of the store.

Each write session that changes records (a harvest, ``carrefour init``'s curated
data, a push) appends one version per changed record to ``graph/history``: created,
updated, or removed (a tombstone).  The same versions are the members of the Linked
Data Event Streams (one for the hub, one per partner) and the Mementos of each record:
one store of versions, on whichever backend the hub runs.
"""
