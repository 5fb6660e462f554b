"""Events: group articles into the real-world events they report.

When metadata names each article's event, that is used as it is. Otherwise
articles are clustered without being told how many events there are:

1. Three similarities between articles, each a cosine in [0, 1], averaged
   with equal weights:
   - *sentences*: the symmetric best-match similarity under the model (each
     sentence's best cosine in the other article, averaged both ways) of the
     articles' first ``lead_sentences`` content sentences, where news states its
     event. A sentence's best cosine among many unrelated ones grows with their
     number, so over whole articles two long reports of different stories look
     more alike than two short ones; over the leads they do not;
   - *words*: TF-IDF of the articles' words and word pairs (English stop words
     out, terms in at least two articles of the date window);
   - *names and numbers*: TF-IDF of capitalised words that do not open a
     sentence and of tokens with digits (people, places, organisations, dates,
     counts): two rehab stories about different stars differ here.
   Both TF-IDF views count document frequencies within each article's date
   window (:func:`window_tfidf`), so an article weighs the same in a week's
   corpus and in a year's.
2. Articles dated more than ``max_days_apart`` apart are never linked.
3. Only each article's ``neighbours`` most similar articles (by the word and
   name vectors) are compared at all, so the graph is sparse.
4. Average linkage on that sparse graph (pairs never compared count as
   similarity 0), merging while the average similarity between two groups is
   at least ``min_similarity``.

Memory is linear in the number of articles times ``neighbours``: no dense
article × article matrix is built.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from framelens.basics.linkage import sparse_average_linkage
from framelens.basics.similarity import (
    Matrix,
    as_float32,
    blocked_topk,
    cos_sim,
    l2_normalise,
    rowwise_dot,
)
from framelens.basics.tables import content_layout, content_mask
from framelens.basics.tokens import TOKEN, per_text
from framelens.settings import EventSettings
from framelens.vectorfile import VectorFile, take_rows


def names_and_numbers(sentences: list[str]) -> str:
    """Capitalised words that do not open a sentence, and tokens with a digit, as one
    space-separated lower-case string ("Tara Reid, 33, entered ..." -> "reid 33 ...")."""
    return " ".join(word for sentence in sentences for word in sentence_names(sentence))


@per_text
def sentence_names(sentence: str) -> tuple[str, ...]:
    """The words :func:`names_and_numbers` takes from one sentence (once per distinct
    text: wire copy repeats sentences word for word)."""
    found = []
    for i, token in enumerate(TOKEN.findall(sentence)):
        token = token.strip(".'’-")
        if not token:
            continue
        if (i > 0 and token[0].isupper()) or any(ch.isdigit() for ch in token):
            found.append(token.lower())
    return tuple(found)


def term_counts(texts: list[str], min_df: int, **options: object) -> sp.csr_matrix:
    """Term counts of each text (terms in at least ``min_df`` texts); one all-zero column
    when no text has a term."""
    try:
        return CountVectorizer(min_df=min_df, **options).fit_transform(texts).tocsr()
    except ValueError:  # no term at all
        return sp.csr_matrix((len(texts), 1), dtype=np.int64)


def window_bounds(days: np.ndarray, max_days: int | None) -> tuple[np.ndarray, ...]:
    """The dated articles in date order, and for each article the ``[lo, hi)`` range of
    positions in that order dated within ``max_days`` of it (all of them for an undated
    article, or when ``max_days`` is None)."""
    dated = np.flatnonzero(~np.isnan(days))
    order = dated[np.argsort(days[dated], kind="stable")]
    sorted_days = days[order]
    lo, hi = np.zeros(len(days), dtype=np.int64), np.full(len(days), len(order), np.int64)
    if max_days is not None:
        lo[dated] = np.searchsorted(sorted_days, days[dated] - max_days, side="left")
        hi[dated] = np.searchsorted(sorted_days, days[dated] + max_days, side="right")
    return order, lo, hi


def window_document_frequency(
    counts: sp.csr_matrix, days: np.ndarray, max_days: int | None, chunk: int = 2_000_000
) -> tuple[np.ndarray, np.ndarray]:
    """For each stored entry of ``counts`` (article ``a``, term ``t``; indices sorted), how
    many articles that may share an event with ``a`` hold ``t`` (``a`` itself included):
    those dated within ``max_days`` of ``a``, and every undated one; all articles when
    ``a`` is undated. Also returns, per article, how many articles its window holds.

    The dated articles holding each term are laid out term by term in date order, and
    each one's window is counted there by binary search, ``chunk`` entries at a time and
    in that same order (so the search sweeps memory once). Memory grows with the stored
    entries, never with articles x terms.
    """
    n, n_terms = counts.shape
    order, lo, hi = window_bounds(days, max_days)
    undated = np.isnan(days)
    dated_entry = np.repeat(~undated, np.diff(counts.indptr))
    undated_df = np.bincount(counts.indices[~dated_entry], minlength=n_terms)
    by_term = sp.csr_matrix(
        (np.ones(counts.nnz, dtype=np.int32), counts.indices, counts.indptr), shape=counts.shape
    )[order].tocsc()
    by_term.sort_indices()  # per term, the positions (in date order) of its articles
    stride = len(order) + 1
    keys = np.repeat(np.arange(n_terms, dtype=np.int64) * stride, np.diff(by_term.indptr))
    keys += by_term.indices
    for lo_entry in range(0, len(keys), chunk):
        part = slice(lo_entry, lo_entry + chunk)
        position = by_term.indices[part]
        first_key = keys[part] - position  # the term's key for position 0
        article = order[position]
        by_term.data[part] = np.searchsorted(
            keys, first_key + hi[article], side="left"
        ) - np.searchsorted(keys, first_key + lo[article], side="left")
    del keys
    if undated.any():
        by_term.data += undated_df[np.repeat(np.arange(n_terms), np.diff(by_term.indptr))].astype(
            np.int32
        )
    position_of = np.empty(n, dtype=np.int64)
    position_of[order] = np.arange(len(order))
    df = np.empty(counts.nnz, dtype=np.int32)
    df[dated_entry] = by_term.tocsr()[position_of[np.flatnonzero(~undated)]].data
    all_df = np.diff(by_term.indptr) + undated_df  # dated holders + undated holders
    df[~dated_entry] = all_df[counts.indices[~dated_entry]]
    n_window = np.where(undated, n, hi - lo + int(undated.sum()))
    return df, n_window


def window_tfidf(
    counts: sp.csr_matrix, days: np.ndarray, max_days: int | None, min_df: int = 1
) -> sp.csr_matrix:
    """L2-normalised TF-IDF rows (sublinear term frequency, smoothed IDF, as scikit-learn's
    ``TfidfVectorizer``) whose document frequencies are counted within each article's
    date window (:func:`window_document_frequency`), and without the terms fewer than
    ``min_df`` articles of that window hold.

    So an article's vector depends only on the articles it may share an event with: a
    term common in other months neither dilutes it nor loses weight, and a small corpus
    and a year of coverage give the same similarities for the same articles. Without
    dates (or ``max_days``) the window is the whole corpus and this equals
    ``TfidfVectorizer(sublinear_tf=True, min_df=min_df)``.
    """
    counts = counts.tocsr()
    counts.sort_indices()  # in place: the same matrix
    df, n_window = window_document_frequency(counts, days, max_days)
    # one array per step, worked in place (a corpus's word counts hold ~10^8 entries)
    weights = counts.data.astype(np.float64)
    np.log(weights, out=weights)
    weights += 1
    idf = np.repeat(n_window, np.diff(counts.indptr)).astype(np.float64)
    idf += 1
    idf /= 1 + df
    np.log(idf, out=idf)
    idf += 1
    weights *= idf
    del idf
    weights[df < min_df] = 0
    del df
    matrix = sp.csr_matrix(
        (weights, counts.indices.copy(), counts.indptr.copy()), shape=counts.shape
    )
    matrix.eliminate_zeros()
    return l2_normalise(matrix)


def lexical_views(
    content: pd.DataFrame,
    doc_ids: list[str],
    days: np.ndarray | None = None,
    max_days: int | None = None,
) -> tuple[sp.csr_matrix, ...]:
    """The word and the names-and-numbers TF-IDF rows of each article, in ``doc_ids``
    order, weighted within each article's date window (:func:`window_tfidf`)."""
    grouped = content.groupby("doc_id")["text"].agg(list).reindex(doc_ids)
    grouped = grouped.apply(lambda x: x if isinstance(x, list) else [])
    days = np.full(len(doc_ids), np.nan) if days is None else np.asarray(days, dtype=float)
    min_df = 2 if len(doc_ids) >= 3 else 1
    # counting only terms in min_df articles of the corpus drops nothing the window keeps
    # (a window holds no more of a term's articles than the corpus) and saves memory
    words = term_counts(
        [" ".join(s) for s in grouped], min_df, stop_words="english", ngram_range=(1, 2)
    )
    names = term_counts(
        [names_and_numbers(s) for s in grouped],
        1,
        token_pattern=r"\S+",
        lowercase=False,
        ngram_range=(1, 2),
    )
    del grouped  # every sentence as a Python string: not needed from here
    return (window_tfidf(words, days, max_days, min_df), window_tfidf(names, days, max_days, 1))


def day_numbers(dates: list[object]) -> np.ndarray:
    """Days since 1970-01-01 of each ``YYYY-MM-DD`` date; NaN where the date is unknown."""
    parsed = pd.to_datetime(pd.Series(dates, dtype=object), errors="coerce", format="%Y-%m-%d")
    return ((parsed - pd.Timestamp("1970-01-01")).dt.days).to_numpy(dtype=float)


def candidate_pairs(
    views: tuple[sp.csr_matrix, ...],
    k: int,
    days: np.ndarray | None = None,
    max_days: int | None = None,
    block_size: int = 512,
) -> set[tuple[int, int]]:
    """Each article's ``k`` nearest others by the mean cosine of the lexical views, among
    the articles it may share an event with: dated within ``max_days`` of it, or undated.

    Articles are taken in date order, ``block_size`` at a time, and each block is compared
    only with the articles inside its date window, so time grows with the number of
    articles times the articles per window, and memory with the block size times the
    window: never an article × article matrix.
    """
    stacked = (sp.hstack(views).tocsr() / np.sqrt(len(views))).tocsr()
    n = stacked.shape[0]
    days = np.full(n, np.nan) if days is None else np.asarray(days, dtype=float)
    order, lo, hi = window_bounds(days, max_days)
    undated = np.flatnonzero(np.isnan(days))

    def window(rows: np.ndarray) -> np.ndarray:
        """The union of the rows' windows (every article once a row is undated)."""
        return np.sort(np.concatenate([order[lo[rows].min() : hi[rows].max()], undated]))

    def too_far(rows: np.ndarray, cols: np.ndarray, sims: np.ndarray) -> None:
        """Articles dated more than ``max_days`` apart are never neighbours."""
        gap = np.abs(days[rows][:, None] - days[cols][None, :])
        sims[gap > max_days] = -np.inf  # NaN (undated) compares False: kept

    blocks = [
        part[start : start + block_size]
        for part in (order, undated)
        for start in range(0, len(part), block_size)
    ]
    pairs: set[tuple[int, int]] = set()
    for rows, _group, nearest, scores in blocked_topk(
        stacked, k, blocks=blocks, columns=window, mask=too_far if max_days is not None else None
    ):
        for i, found, sims in zip(rows.tolist(), nearest, scores, strict=True):
            # a pair with no similarity at all is no candidate
            pairs.update((min(i, j), max(i, j)) for j in found[sims > 0].tolist())
    return pairs


def best_match_pair(a: Matrix, b: Matrix) -> float:
    """Symmetric best-match similarity of two sets of sentence vectors."""
    if a.shape[0] == 0 or b.shape[0] == 0:
        return 0.0
    sims = cos_sim(a, b)
    return float((sims.max(axis=1).mean() + sims.max(axis=0).mean()) / 2)


def best_match_pairs(
    vectors: Matrix | VectorFile,
    rows_of: np.ndarray,
    starts: np.ndarray,
    counts: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    *,
    days: np.ndarray | None = None,
    rows_at_once: int = 1 << 16,
) -> np.ndarray:
    """:func:`best_match_pair` of many article pairs at once.

    Article ``d``'s sentence vectors are rows ``rows_of[starts[d]:starts[d] + counts[d]]``
    of ``vectors`` (in memory, or a file); ``first`` is sorted, so each article is compared
    with all its partners in one product. Articles are taken in order of ``days`` (their
    day numbers, when given: partners are dated near each other), in batches whose
    articles and partners hold at most about ``rows_at_once`` rows, each batch's rows read
    once (never all the vectors). An article without sentences scores 0 with every other.
    """
    result = np.zeros(len(first))
    for batch, articles in article_batches(counts, first, second, days, rows_at_once):
        wanted = np.unique(rows_of[article_rows(starts, counts, articles)])
        block = as_float32(take_rows(vectors, wanted))  # the batch's rows, read once
        for a, partners in batch:
            others = second[partners]
            own = np.searchsorted(wanted, rows_of[starts[a] : starts[a] + counts[a]])
            theirs = np.searchsorted(wanted, rows_of[article_rows(starts, counts, others)])
            sims = cos_sim(block[own], block[theirs])
            seg = np.concatenate([[0], np.cumsum(counts[others])[:-1]])
            a_side = np.maximum.reduceat(sims, seg, axis=1).mean(axis=0)
            b_side = np.add.reduceat(sims.max(axis=0), seg) / counts[others]
            result[partners] = (a_side + b_side) / 2
    return result


def article_batches(
    counts: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    days: np.ndarray | None,
    rows_at_once: int,
) -> Iterator[tuple[list[tuple[int, np.ndarray]], np.ndarray]]:
    """The work of :func:`best_match_pairs` in batches: ``([(article, positions in
    first of its partners with sentences), ...], every article the batch reads)``,
    articles by day when ``days`` is given, each batch's articles holding at most about
    ``rows_at_once`` sentence rows (an article with more is a batch alone)."""
    bounds = np.flatnonzero(np.diff(first, prepend=-1, append=first.max(initial=0) + 1))
    work = []
    for lo, hi in itertools.pairwise(bounds.tolist()):
        partners = np.arange(lo, hi)[counts[second[lo:hi]] > 0]
        if counts[first[lo]] > 0 and len(partners):
            work.append((int(first[lo]), partners))
    if days is not None:  # by day (undated last), then by article
        key = np.array([a for a, _ in work], dtype=np.int64)
        when = days[key]
        order = np.lexsort((key, np.where(np.isnan(when), np.inf, when)))
        work = [work[i] for i in order.tolist()]
    marked = np.zeros(len(counts), dtype=bool)  # the articles the batch reads
    batch: list[tuple[int, np.ndarray]] = []
    size = 0
    for a, partners in work:
        articles = np.append(second[partners], a)
        new = np.unique(articles[~marked[articles]])
        if batch and size + int(counts[new].sum()) > rows_at_once:
            yield batch, np.flatnonzero(marked)
            marked[:] = False
            batch, size = [], 0
            new = np.unique(articles)
        marked[new] = True
        size += int(counts[new].sum())
        batch.append((a, partners))
    if batch:
        yield batch, np.flatnonzero(marked)


def article_rows(starts: np.ndarray, counts: np.ndarray, articles: np.ndarray) -> np.ndarray:
    """The content rows of ``articles``, article after article."""
    if not len(articles):
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([np.arange(starts[j], starts[j] + counts[j]) for j in articles])


def similarity_edges(
    vectors: Matrix | VectorFile,
    sentences: pd.DataFrame,
    documents: pd.DataFrame,
    settings: EventSettings,
) -> dict[tuple[int, int], float]:
    """Combined similarity of each candidate article pair (indices into ``documents``)."""
    doc_ids = documents["doc_id"].tolist()
    keep = content_mask(sentences)
    content = sentences[keep]
    days = day_numbers(documents["date"].tolist())
    words, names = lexical_views(content, doc_ids, days, settings.max_days_apart)
    rows, docs, rank = content_layout(sentences, doc_ids)  # by article, in article order
    lead = rank < settings.lead_sentences
    rows_of = rows[lead]  # the vectors' row of each lead sentence
    counts = np.bincount(docs[lead], minlength=len(doc_ids))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    found = sorted(
        candidate_pairs((words, names), settings.neighbours, days, settings.max_days_apart)
    )
    if not found:
        return {}
    first, second = (np.array(side, dtype=np.int64) for side in zip(*found, strict=True))
    sentence_sim = best_match_pairs(vectors, rows_of, starts, counts, first, second, days=days)
    combined = (
        sentence_sim + rowwise_dot(words, first, second) + rowwise_dot(names, first, second)
    ) / 3
    return {(int(i), int(j)): float(s) for i, j, s in zip(first, second, combined, strict=True)}


def cluster_events(
    vectors: Matrix | VectorFile,
    sentences: pd.DataFrame,
    documents: pd.DataFrame,
    settings: EventSettings | None = None,
) -> pd.DataFrame:
    """``doc_id, event_id, event_source``: from metadata where every article names its
    event, else clustered (``settings``: the defaults when none). Event ids are ``e0001``...
    in order of each event's first article (by ``doc_id``), so they are the same on every
    run."""
    settings = settings or EventSettings()
    documents = documents.sort_values("doc_id").reset_index(drop=True)
    given = documents["event"]
    if given.notna().all() and len(documents):
        return pd.DataFrame(
            {
                "doc_id": documents["doc_id"],
                "event_id": given.astype(str),
                "event_source": "metadata",
            }
        )
    edges = similarity_edges(vectors, sentences, documents, settings)
    labels = sparse_average_linkage(len(documents), edges, settings.min_similarity)
    return pd.DataFrame(
        {
            "doc_id": documents["doc_id"],
            "event_id": [f"e{label + 1:04d}" for label in labels],
            "event_source": "clustered",
        }
    )
