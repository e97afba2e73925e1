"""The catalogue: what people look for in the hub (initiatives, support programmes, actors), findable.

Shared by the publication, which writes the catalogue's index (``carrefour.artifacts.catalogue``),
and the web pages that read it (``server.catalogue``): the way French text is cut into
search keys (:mod:`.french`) and places are recognised in a query (:mod:`.places`) must be
the same on both sides.
"""
