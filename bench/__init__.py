"""framelens benchmarks: accuracy against public gold data, speed and memory at scale.

Each benchmark is a module of this package, run from the project root (the folder that
holds ``bench/``, ``src/`` and the ``Makefile``) with the project's interpreter::

    .venv/bin/python -m bench.alignment      # or: make bench-alignment
    .venv/bin/python -m bench.scale --help   # every module takes --help

``make bench-<name>`` runs the usual settings (see bench/README.md for the table of
targets). The public data (STS-B, ECB+, LP50) is read from ``../shared/data`` beside the
project, never copied into it; corpora built from it (``bench.synthetic``) go to the
temporary folder. Results, figures and profiles are written to ``results/bench/``.

Modules import each other as ``from bench.synthetic import generate``; nothing here
changes ``sys.path``. The benchmarks are not part of the installed ``framelens``
package: they import it like any other user of it.
"""
