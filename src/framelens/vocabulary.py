"""Words and phrases that distinguish each outlet, compared on the events it covers.

The measure is the weighted log-odds ratio with an informative Dirichlet prior of
Monroe, Colaresi & Quinn (2008), "Fightin' Words: Lexical Feature Selection and Evaluation
for Identifying the Content of Political Conflict", *Political Analysis* 16(4): 372-403,
section 3.5 (see :func:`weighted_log_odds`). Its z-score shrinks rare words towards zero, so
a word an outlet used once does not top its list, while a word it uses far more often than
the other outlets does.

An outlet is compared only with the other outlets' articles **on the events it covers**:
an outlet that reported one of two events is not credited with "distinctive" words that
merely belong to that event's story, nor penalised for the event it skipped.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from framelens.basics.tables import event_of_documents, outlet_keys
from framelens.basics.tokens import PHRASE_STOP_WORDS, per_text, word_tokens
from framelens.io import read_arrays, write_arrays
from framelens.lookup import map_values
from framelens.schema import defaults

__all__ = [
    "DISTINCTIVE_COLUMNS",
    "LOG_ODDS_COLUMNS",
    "CellCounts",
    "cell_counts",
    "distinctive_from_counts",
    "distinctive_terms",
    "ngrams",
    "term_counts",
    "weighted_log_odds",
]

LOG_ODDS_COLUMNS = ["group", "term", "count", "log_odds", "variance", "z"]
DISTINCTIVE_COLUMNS = [
    "outlet",
    "term",
    "z",
    "log_odds",
    "count",
    "count_other",
    "rank",
    "n_events",
]
MIN_ALPHA = 0.01
OTHER = "\x00other"


# --------------------------------------------------------------------------- log odds


def weighted_log_odds(
    counts: pd.DataFrame,
    prior: pd.Series | None = None,
    alpha0: float | None = None,
) -> pd.DataFrame:
    """Log-odds ratio of each term in each group against all other groups pooled, with an
    informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, section 3.5).

    ``counts``: terms x groups (index: terms, columns: groups; at least two groups),
    non-negative counts. For term w, group i and the other groups j pooled, with
    y = counts, n = total count of a group, and prior pseudo-counts
    alpha_w = alpha0 * pi_w (pi = ``prior`` normalised to shares; by default the terms'
    shares of all counts, i.e. the pooled corpus is the background) floored at
    ``MIN_ALPHA`` (0.01), and a0 = sum of alpha_w::

        log_odds_w = log((y_iw + alpha_w) / (n_i + a0 - y_iw - alpha_w))
                     - log((y_jw + alpha_w) / (n_j + a0 - y_jw - alpha_w))
        variance_w = 1 / (y_iw + alpha_w) + 1 / (y_jw + alpha_w)
        z_w        = log_odds_w / sqrt(variance_w)

    ``alpha0`` is the prior's strength in pseudo-counts; None (default) uses the total
    count of ``counts``, a prior as strong as the data, which keeps rare terms near zero.
    ``prior`` (background frequencies by term, e.g. from a larger corpus) may miss terms
    (they get the floor).

    Returns :data:`LOG_ODDS_COLUMNS`, one row per group and term: ``group``, ``term``,
    ``count`` (y_iw), ``log_odds``, ``variance``, ``z``; sorted by group, then z
    descending, then term.
    """
    if counts.shape[1] < 2:
        raise ValueError(f"weighted_log_odds needs at least two groups, got {counts.shape[1]}")
    y = counts.to_numpy(dtype=float)
    if (y < 0).any():
        raise ValueError("counts must be non-negative")
    background = (
        prior.reindex(counts.index).fillna(0.0).to_numpy(dtype=float)
        if prior is not None
        else y.sum(axis=1)
    )
    shares = background / background.sum() if background.sum() > 0 else background
    strength = float(y.sum()) if alpha0 is None else float(alpha0)
    alpha = np.maximum(strength * shares, MIN_ALPHA)
    a0 = alpha.sum()
    totals = y.sum(axis=1)
    tables = []
    for column, group in enumerate(counts.columns):
        mine, rest = y[:, column], totals - y[:, column]
        n_mine, n_rest = mine.sum(), rest.sum()
        log_odds = np.log((mine + alpha) / (n_mine + a0 - mine - alpha)) - np.log(
            (rest + alpha) / (n_rest + a0 - rest - alpha)
        )
        variance = 1.0 / (mine + alpha) + 1.0 / (rest + alpha)
        tables.append(
            pd.DataFrame(
                {
                    "group": group,
                    "term": counts.index,
                    "count": mine,
                    "log_odds": log_odds,
                    "variance": variance,
                    "z": log_odds / np.sqrt(variance),
                }
            )
        )
    table = pd.concat(tables, ignore_index=True)
    table["count"] = table["count"].round().astype(int)
    order = (
        table.assign(_neg=-table["z"]).sort_values(["group", "_neg", "term"], kind="stable").index
    )
    return table.loc[order, LOG_ODDS_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- counting


def ngrams(
    tokens: list[str], ngram_range: tuple[int, int], stop_words: frozenset[str]
) -> list[str]:
    """Word n-grams of a token list, space-joined, for n in ``ngram_range`` (inclusive).

    An n-gram is kept when every word has a letter and at least two characters, and it
    neither starts nor ends with a stop word ("prime minister", "licence plates"; not "of
    the", "minister of"). n-grams are formed before stop words are dropped, so no phrase
    spans a removed word.
    """
    low, high = ngram_range
    usable = [len(t) >= 2 and any(c.isalpha() for c in t) for t in tokens]
    found = []
    for n in range(low, high + 1):
        for i in range(len(tokens) - n + 1):
            gram = tokens[i : i + n]
            if all(usable[i : i + n]) and gram[0] not in stop_words and gram[-1] not in stop_words:
                found.append(" ".join(gram))
    return found


def _content_rows(sentences: pd.DataFrame) -> np.ndarray:
    """Which rows carry content: boilerplate and repeats inside a document are dropped
    when the table has those columns (a mask; the table is not copied)."""
    keep = np.ones(len(sentences), dtype=bool)
    if "boilerplate" in sentences:
        keep &= ~sentences["boilerplate"].fillna(False).astype(bool).to_numpy()
    if "duplicate_of" in sentences:
        keep &= sentences["duplicate_of"].isna().to_numpy()
    return keep


def term_counts(
    sentences: pd.DataFrame,
    group_of_doc: pd.Series,
    ngram_range: tuple[int, int] = (1, 2),
    stop_words: frozenset[str] = PHRASE_STOP_WORDS,
) -> pd.DataFrame:
    """Counts of words and phrases per group.

    ``sentences``: ``doc_id`` and ``text`` (boilerplate and repeats are skipped when
    ``boilerplate``/``duplicate_of`` are present); ``group_of_doc``: group by ``doc_id``
    (documents without a group are skipped). Words are :func:`framelens.basics.tokens.word_tokens`
    (lower-cased, accents and punctuation removed); phrases are :func:`ngrams`.

    Returns a terms x groups table of ints (index ``term``, sorted; columns: the groups,
    sorted), terms used at least once. The table is dense: meant for a few groups (e.g.
    outlets); :func:`distinctive_terms` counts sparsely.
    """
    matrix, groups, terms = _count_matrix(sentences, group_of_doc, ngram_range, stop_words)
    order = sorted(range(len(groups)), key=lambda i: str(groups[i]))
    table = pd.DataFrame(
        matrix[order].T.toarray().astype(np.int64),
        index=pd.Index(terms, name="term"),
        columns=[groups[i] for i in order],
    )
    return table


_FLUSH_EVERY = 1 << 20  # n-gram occurrences buffered before they are summed into counts
_TEXTS_AT_ONCE = 1 << 16  # sentences turned into Python strings at a time


def _count_matrix(
    sentences: pd.DataFrame,
    group_of_doc: pd.Series,
    ngram_range: tuple[int, int],
    stop_words: frozenset[str],
    groups: list[object] | None = None,
) -> tuple[sp.csr_matrix, list[object], np.ndarray]:
    """Sparse counts of words and phrases per group: ``(matrix, groups, terms)``.

    ``matrix`` is groups x terms (CSR, int32), its rows the ``groups`` (default: those
    with a content sentence, in order of appearance), its columns ``terms`` in sorted
    order. Sentences are read group by group and at most ``_FLUSH_EVERY`` n-gram
    occurrences are buffered, so memory grows with the distinct (group, term) pairs,
    never with groups x terms.
    """
    labels = map_values(sentences["doc_id"], group_of_doc)
    rows_used = np.flatnonzero(_content_rows(sentences) & labels.notna().to_numpy())
    labels = labels.to_numpy()[rows_used]
    if groups is None:
        codes, uniques = pd.factorize(labels)
        groups = list(uniques)
    else:
        codes = pd.Index(groups).get_indexer(labels)
    order = np.argsort(codes, kind="stable")
    codes, rows_used = codes[order], rows_used[order]
    text = sentences["text"]
    vocabulary: dict[str, int] = {}
    parts: list[sp.csr_matrix] = []
    rows, columns = array("q"), array("q")
    first_row = 0  # groups before this one are in ``parts``

    def flush(end_row: int) -> None:
        part = sp.coo_matrix(
            (
                np.ones(len(columns), dtype=np.int32),
                (
                    np.frombuffer(rows, dtype=np.int64) - first_row,
                    np.frombuffer(columns, dtype=np.int64),
                ),
            ),
            shape=(end_row - first_row, len(vocabulary)),
        ).tocsr()
        part.sum_duplicates()
        parts.append(part)
        del rows[:], columns[:]

    @per_text
    def term_ids(sentence: str) -> list[int]:
        """The vocabulary ids of a sentence's n-grams (new ones added; ids never change)."""
        grams = ngrams(word_tokens(sentence), ngram_range, stop_words)
        return [vocabulary.setdefault(gram, len(vocabulary)) for gram in grams]

    for chunk in range(0, len(rows_used), _TEXTS_AT_ONCE):  # texts as Python strings
        chunk_codes = codes[chunk : chunk + _TEXTS_AT_ONCE].tolist()
        texts = text.iloc[rows_used[chunk : chunk + _TEXTS_AT_ONCE]].tolist()
        for position, (code, sentence) in enumerate(
            zip(chunk_codes, texts, strict=True), start=chunk
        ):
            ids = term_ids(str(sentence))
            columns.extend(ids)
            rows.extend([code] * len(ids))
            if len(columns) >= _FLUSH_EVERY and (
                position + 1 == len(codes) or codes[position + 1] != code
            ):
                flush(code + 1)
                first_row = code + 1
    flush(len(groups))
    n_terms = len(vocabulary)
    matrix = sp.vstack(
        [sp.csr_matrix((p.data, p.indices, p.indptr), shape=(p.shape[0], n_terms)) for p in parts],
        format="csr",
        dtype=np.int32,
    )
    del parts[:]
    terms = np.array(list(vocabulary), dtype=object)
    vocabulary.clear()
    by_term = np.argsort(terms, kind="stable")  # ids were given in order of first use
    rank = np.empty(n_terms, dtype=matrix.indices.dtype)
    rank[by_term] = np.arange(n_terms)
    matrix.indices = rank[matrix.indices]
    matrix.has_sorted_indices = False
    matrix.sort_indices()
    return matrix, groups, terms[by_term]


# --------------------------------------------------------------------------- outlets


@dataclass(frozen=True)
class CellCounts:
    """Sparse counts of words and phrases per (event, outlet) cell: what
    :func:`distinctive_terms` compares, and all it needs of the text. Cells of disjoint
    events add up by :meth:`concat` (event shards), exactly: the counts are integers."""

    counts: sp.csr_matrix  # cells x terms, int32
    terms: np.ndarray  # sorted
    event: np.ndarray  # event of each cell
    outlet: np.ndarray  # outlet of each cell

    def save(self, path: str) -> None:
        """Write the counts to an ``.npz`` (no pickle)."""
        write_arrays(
            {
                "data": self.counts.data,
                "indices": self.counts.indices,
                "indptr": self.counts.indptr,
                "shape": np.asarray(self.counts.shape),
                "terms": np.asarray(self.terms, dtype=str),
                "event": np.asarray(self.event, dtype=str),
                "outlet": np.asarray(self.outlet, dtype=str),
            },
            path,
        )

    @classmethod
    def load(cls, path: str) -> CellCounts:
        """Read what :meth:`save` wrote."""
        arrays = read_arrays(path)
        shape = tuple(int(n) for n in arrays["shape"])
        return cls(
            sp.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape),
            arrays["terms"].astype(object),
            arrays["event"].astype(object),
            arrays["outlet"].astype(object),
        )

    @classmethod
    def concat(cls, parts: list[CellCounts]) -> CellCounts:
        """The cells of ``parts`` (of disjoint events) one after another, over the union of
        their terms (sorted)."""
        terms = np.unique(np.concatenate([np.asarray(p.terms, dtype=str) for p in parts]))
        blocks = []
        for part in parts:
            columns = np.searchsorted(terms, np.asarray(part.terms, dtype=str))
            coo = part.counts.tocoo()
            blocks.append(
                sp.csr_matrix(
                    (coo.data, (coo.row, columns[coo.col])),
                    shape=(part.counts.shape[0], len(terms)),
                    dtype=np.int32,
                )
            )
        counts = sp.vstack(blocks, format="csr", dtype=np.int32)
        counts.sort_indices()
        return cls(
            counts,
            terms.astype(object),
            np.concatenate([np.asarray(p.event, dtype=object) for p in parts]),
            np.concatenate([np.asarray(p.outlet, dtype=object) for p in parts]),
        )


def cell_counts(
    sentences: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    events: pd.Series | None = None,
    ngram_range: tuple[int, int] = (1, 2),
) -> CellCounts:
    """Counts of words and phrases per (event, outlet) cell that has a document (in order
    of the documents); arguments as :func:`distinctive_terms`."""
    outlet_of = outlet_keys(documents)
    event_of = events if events is not None else event_of_documents(documents)
    event_of = event_of.reindex(outlet_of.index).fillna("unassigned").astype(str)
    # one row per (event, outlet) cell that has a document
    cell_of_doc = pd.MultiIndex.from_arrays([event_of.to_numpy(), outlet_of.to_numpy()])
    cell_codes, cells = pd.factorize(cell_of_doc)
    counts, _, terms = _count_matrix(
        sentences,
        pd.Series(cell_codes, index=outlet_of.index),
        ngram_range,
        PHRASE_STOP_WORDS,
        groups=list(range(len(cells))),
    )
    return CellCounts(
        counts,
        terms,
        cells.get_level_values(0).to_numpy(),
        cells.get_level_values(1).to_numpy(),
    )


def distinctive_terms(
    sentences: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    events: pd.Series | None = None,
    top: int = defaults("framing")["vocabulary_top"],
    ngram_range: tuple[int, int] = (1, 2),
    alpha0: float | None = None,
) -> pd.DataFrame:
    """Each outlet's most distinctive words and phrases against the other outlets, on the
    same events.

    ``sentences``: ``doc_id``, ``text`` (content sentences; see :func:`term_counts`);
    ``documents``: ``doc_id``, ``outlet``, ``outlet_label`` (an unattributed document is
    its own outlet, :func:`framelens.basics.tables.outlet_keys`) and ``event``; ``events``:
    event by ``doc_id`` (default :func:`framelens.basics.tables.event_of_documents`: the metadata
    event, or one event for all). For each outlet, its term counts are compared with those
    of the other outlets' documents in the events the outlet covers
    (:func:`weighted_log_odds`, prior = that pooled sub-corpus); an outlet that shares no
    event with another outlet gets no rows.

    Counts are kept sparse, per event and outlet (never terms x documents), and each
    outlet's comparison covers only the terms used in the events it covers.

    Returns :data:`DISTINCTIVE_COLUMNS`: ``outlet``, ``term``, ``z``, ``log_odds``,
    ``count`` (in the outlet), ``count_other`` (in the compared documents), ``rank`` (1 =
    most distinctive, by z, ties by term) and ``n_events`` compared; at most ``top`` rows
    per outlet.
    """
    cells = cell_counts(sentences, documents, events=events, ngram_range=ngram_range)
    return distinctive_from_counts(cells, top=top, alpha0=alpha0)


def distinctive_from_counts(
    cells: CellCounts,
    *,
    top: int = defaults("framing")["vocabulary_top"],
    alpha0: float | None = None,
) -> pd.DataFrame:
    """:func:`distinctive_terms` from the (event, outlet) cells' counts."""
    counts, terms, cell_event, cell_outlet = cells.counts, cells.terms, cells.event, cells.outlet
    cells_of_event = pd.Series(np.arange(len(cell_event))).groupby(cell_event).agg(list)
    cells_of_outlet = pd.Series(np.arange(len(cell_event))).groupby(cell_outlet).agg(list)
    tables = []
    for outlet in sorted(cells_of_outlet.index):
        own = np.asarray(cells_of_outlet[outlet], dtype=np.intp)
        covered = sorted(set(cell_event[own]))
        in_covered = np.concatenate([cells_of_event[e] for e in covered]).astype(np.intp)
        others = in_covered[cell_outlet[in_covered] != outlet]
        table = _outlet_vs_others(counts, terms, own, others, alpha0)
        if table is None:
            continue
        table = table.head(top).assign(
            outlet=outlet, rank=range(1, min(top, len(table)) + 1), n_events=len(covered)
        )
        tables.append(table)
    if not tables:
        return pd.DataFrame(columns=DISTINCTIVE_COLUMNS)
    return pd.concat(tables, ignore_index=True)[DISTINCTIVE_COLUMNS]


def _outlet_vs_others(
    counts: sp.csr_matrix,
    terms: np.ndarray,
    mine: np.ndarray,
    others: np.ndarray,
    alpha0: float | None,
) -> pd.DataFrame | None:
    """Log-odds of one outlet's (event, outlet) cells against the compared cells, best
    first; None when either side has no words. Only the terms either side uses enter."""
    if not len(others):
        return None
    pick = sp.csr_matrix(
        (
            np.ones(len(mine) + len(others), dtype=counts.dtype),
            (
                np.r_[np.zeros(len(mine), dtype=np.intp), np.ones(len(others), dtype=np.intp)],
                np.r_[mine, others],
            ),
        ),
        shape=(2, counts.shape[0]),
    )
    sides = (pick @ counts).tocsc()
    used = np.flatnonzero(np.diff(sides.indptr))  # terms in sorted order
    values = sides[:, used].toarray().astype(np.int64)
    if values[0].sum() == 0 or values[1].sum() == 0:
        return None
    pair = pd.DataFrame(
        {"mine": values[0], OTHER: values[1]}, index=pd.Index(terms[used], name="term")
    )
    scored = weighted_log_odds(pair, alpha0=alpha0)
    scored = scored[scored["group"] == "mine"].copy()
    scored["count_other"] = pair.loc[scored["term"], OTHER].to_numpy().astype(int)
    return scored.reset_index(drop=True)
