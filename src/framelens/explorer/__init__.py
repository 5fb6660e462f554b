"""The offline explorer (``results/explorer/``): articles, alignments and claims of a run,
read in a browser from ``file://`` with no server and no network.

It reads every stage's tables, so it sits above the stages, beside :mod:`framelens.compare`.

- :mod:`.tables`: the tables it reads, checked (a missing column names the file);
- :mod:`.findings`: the run's headline findings, computed from the tables, each with the
  deep link to its evidence; also written as reStructuredText for the report's landing page;
- :mod:`.data`: the data files (one per article, article pair, event, outlet pair and
  search shard), so a view loads only what it shows;
- :mod:`.write`: safe JavaScript data files and the atomic write of the whole folder.

The page itself (``assets/``: ``index.html``, ``explorer.js``, ``explorer.css``) is small
vanilla code that builds the DOM with ``textContent`` only: article text is never HTML.
"""

from framelens.explorer.data import build_files, file_groups, iter_files
from framelens.explorer.findings import findings_rst, run_findings
from framelens.explorer.tables import ModelTables, RunTables, read_run
from framelens.explorer.write import js_data, write_explorer, write_groups

__all__ = [
    "ModelTables",
    "RunTables",
    "build_files",
    "file_groups",
    "findings_rst",
    "iter_files",
    "js_data",
    "read_run",
    "run_findings",
    "write_explorer",
    "write_groups",
]
