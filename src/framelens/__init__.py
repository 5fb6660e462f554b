"""framelens: compare how news outlets frame the same events.

The package holds all logic; the Snakemake workflow in ``workflow/`` only wires
its functions together. Nothing here imports Snakemake.
"""

__version__ = "0.1.0"
