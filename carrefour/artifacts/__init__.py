"""What each published version has beside its graphs: statistics, dumps, indexes (:mod:`carrefour.artifacts.build`).

The package imports none of its modules: the indexes' own modules (the search's texts, the
catalogue's records) are read by lower layers without the whole publication coming along.
"""
