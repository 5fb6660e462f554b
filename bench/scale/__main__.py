"""``python -m bench.scale``: the scale benchmark's command line (:mod:`bench.scale.cli`)."""

from bench.scale.cli import main

if __name__ == "__main__":
    main()
