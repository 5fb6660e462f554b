"""Figures: one module per figure; each function takes data and returns a Figure.

Everything a figure shows is decided here, titles and the figure for nothing to show
(:mod:`.common`) included: the workflow's plot steps (:mod:`framelens.steps`) only read
the tables, call one function and write what it returns.
"""
