"""Corpus sources: the ``corpus`` config key and a reader per input format.

Each reader yields :class:`~framelens.sources.records.SourceRecord` objects, one per
article; :mod:`framelens.corpus` ingests them all the same way.
"""
