"""Similarity between documents (the cosines of rows: :mod:`framelens.basics.similarity`).

Three document measures, chosen with ``similarity.doc_method`` in the config:

``story`` (default)
    "Are these two articles telling the same story?", the judgement people make
    when they rate news pairs. A weighted sum of three cosines
    (:class:`StorySettings`):

    - the model: cosine of the articles' *lead-weighted* mean sentence vectors,
      sentence ``i`` (0 = headline or first sentence) weighing ``1 / (1 + i / decay)``.
      News puts the story in the headline and lead; every sentence still counts, so
      nothing of a long article is cut off (a whole-article ``encode`` truncates
      MiniLM at 256 word pieces);
    - names and numbers: TF-IDF cosine of the sets of names, numbers and dates each
      article mentions (:func:`framelens.basics.tokens.anchors`);
    - words: TF-IDF cosine of the articles' words (English stop words removed).

    A *cross-language* pair (both documents' languages known, ``documents.language``,
    and different: :func:`cross_language`) is scored on the model and the names alone,
    ``(model * model_cos + names * names_cos) / (model + names)``, on the same scale: the
    words of two languages are not comparable (shared spellings mean different things),
    and names count only where they occur in documents of at least two known languages
    (:func:`shared_across_languages`), so German's capitalised common nouns cannot dilute
    the names two languages share. Every other pair, and every pair of a corpus in one
    language, is scored as above.

    Symmetric. The weights were calibrated on public human judgements (LP50, ECB+
    event pairs; ``make bench-agreement``, README "Document similarity").
``best_match``
    For articles A and B: the mean, over A's content sentences, of each
    sentence's highest cosine to any content sentence of B. Directional
    (row A, column B): "how much of A can be found in B". It sees shared
    sentences that whole-article measures wash out: use it for reuse.
``mean_vector``
    Cosine between the documents' mean sentence vectors. Symmetric; every
    article on the same story scores high, so it separates topics rather
    than reuse.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from framelens.basics.similarity import (
    Matrix,
    as_float32,
    cos_sim,
    document_vectors,
    l2_normalise,
    rowwise_dot,
)
from framelens.basics.tables import content_layout
from framelens.basics.tokens import anchors
from framelens.errors import FramelensError
from framelens.io import write_arrays
from framelens.lookup import run_bounds
from framelens.settings import DocMethod, StorySettings
from framelens.vectorfile import VectorFile, csr_arrays, read_csr_rows, take_rows
from framelens.workers import ordered_map

# --------------------------------------------------------------------------- story


def lead_weights(positions: np.ndarray, decay: float) -> np.ndarray:
    """Weight of a sentence at each position (0 = the article's first content sentence):
    ``1 / (1 + position / decay)``, so the headline and lead weigh most and every later
    sentence still counts.

    >>> lead_weights(np.array([0, 2, 6]), 2.0).tolist()
    [1.0, 0.5, 0.25]
    """
    return 1.0 / (1.0 + np.asarray(positions, dtype=np.float64) / decay)


def weighted_document_vectors(
    vectors: Matrix | VectorFile,
    rows: np.ndarray,
    docs: np.ndarray,
    weights: np.ndarray,
    n_docs: int,
    chunk: int = 5_000,
) -> Matrix:
    """Weighted sum of each document's sentence vectors, L2-normalised; [n_docs, dim]
    (sparse when ``vectors`` is). A document without rows gets a zero row. ``docs`` is
    sorted (:func:`~framelens.basics.tables.content_layout`); dense vectors are taken
    ``chunk`` documents at a time, so they are never all held, and each document's sum is
    what one product gives."""
    if (isinstance(vectors, VectorFile) and vectors.layout is None) or sp.issparse(vectors):
        whole = take_rows(vectors, rows)
        assign = sp.csr_matrix((weights, (docs, np.arange(len(rows)))), shape=(n_docs, len(rows)))
        return l2_normalise(assign @ whole)
    parts = []
    doc_bounds = [*range(0, n_docs, chunk), n_docs]  # whole documents per chunk
    bounds = np.searchsorted(docs, doc_bounds).tolist()  # their rows
    for (lo, hi), (first, last) in zip(
        itertools.pairwise(bounds), itertools.pairwise(doc_bounds), strict=True
    ):
        assign = sp.csr_matrix(
            (weights[lo:hi], (docs[lo:hi] - first, np.arange(hi - lo))),
            shape=(last - first, hi - lo),
        )
        parts.append(
            np.asarray(assign @ as_float32(take_rows(vectors, rows[lo:hi])), dtype=np.float32)
        )
    if not parts:  # no documents (nothing to normalise)
        return np.zeros((0, take_rows(vectors, rows[:0]).shape[1]), np.float32)
    return l2_normalise(np.concatenate(parts))


def tfidf_profiles(texts: list[str], **options: Any) -> sp.csr_matrix:
    """Sublinear TF-IDF of each text over these texts, L2-normalised rows; an all-zero
    matrix (one column) when no text holds a term."""
    try:
        return (
            TfidfVectorizer(sublinear_tf=True, dtype=np.float32, **options)
            .fit_transform(texts)
            .tocsr()
        )
    except ValueError:  # empty vocabulary: no text has a term
        return sp.csr_matrix((len(texts), 1), dtype=np.float32)


Languages: TypeAlias = Mapping[str, Any] | pd.Series
"""Each document's language tag by ``doc_id`` (``documents.language``)."""

UNKNOWN = ""
"""The language code of a document whose language is not known."""


def language_code(tag: Any) -> str:
    """The primary language subtag of a BCP-47 tag, lower case; :data:`UNKNOWN` for a
    missing tag or ``und`` (undetermined). Regional variants are one language.

    >>> [language_code(t) for t in ["de", "en-GB", "EN", "und", None, ""]]
    ['de', 'en', 'en', '', '', '']
    """
    if not isinstance(tag, str):
        return UNKNOWN
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return UNKNOWN if primary == "und" else primary


def language_codes(languages: Languages | None, doc_ids: list[str]) -> np.ndarray:
    """:func:`language_code` of each document in ``doc_ids`` (object array);
    :data:`UNKNOWN` for a document ``languages`` does not hold, or for all when ``None``."""
    if languages is None:
        return np.full(len(doc_ids), UNKNOWN, dtype=object)
    tags = pd.Series(languages, dtype=object).reindex(doc_ids)
    return np.array([language_code(t) for t in tags], dtype=object)


def cross_language(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether documents of language codes ``a`` and ``b`` (elementwise, broadcast) are a
    cross-language pair: both languages known, and different.

    >>> cross_language(np.array(["de", "de", ""]), np.array(["en", "de", "en"])).tolist()
    [True, False, False]
    """
    return (a != UNKNOWN) & (b != UNKNOWN) & (a != b)


def shared_across_languages(profiles: sp.csr_matrix, codes: np.ndarray) -> np.ndarray:
    """Which columns (terms) of ``profiles`` occur in documents of at least two different
    known languages (``codes``: :func:`language_codes`, one per row); a boolean mask."""
    known = np.flatnonzero(codes != UNKNOWN)
    languages, language_of = np.unique(codes[known].astype(str), return_inverse=True)
    if len(languages) < 2:
        return np.zeros(profiles.shape[1], dtype=bool)
    member = sp.csr_matrix(
        (np.ones(len(known)), (language_of, known)), shape=(len(languages), profiles.shape[0])
    )
    in_language = (member @ (profiles != 0).astype(np.float64)) > 0  # [languages, terms]
    return np.asarray(in_language.sum(axis=0)).ravel() >= 2


def restrict_columns(profiles: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    """``profiles`` with only the columns in ``keep``, rows re-normalised to unit length
    (a row left without a term is all zero). Nothing kept (a corpus in one language)
    gives an empty matrix, not a copy of the profiles."""
    columns = np.flatnonzero(keep)
    if not len(columns):
        return sp.csr_matrix((profiles.shape[0], 1), dtype=profiles.dtype)
    return sp.csr_matrix(l2_normalise(sp.csr_matrix(profiles)[:, columns]))


@dataclass(frozen=True)
class StoryProfiles:
    """What the ``story`` measure compares, one row per document."""

    vectors: Matrix  # lead-weighted mean sentence vectors, L2-normalised
    names: sp.csr_matrix  # TF-IDF of the names, numbers and dates mentioned
    words: sp.csr_matrix  # TF-IDF of the words, English stop words removed
    empty: np.ndarray  # documents without a content sentence
    languages: np.ndarray  # language codes (:func:`language_codes`)
    cross_names: sp.csr_matrix  # names shared across languages (:attr:`StoryText.cross_names`)


def story_profiles(
    vectors: Matrix,
    sentences: pd.DataFrame,
    doc_ids: list[str],
    settings: StorySettings,
    text: StoryText | None = None,
    languages: Languages | None = None,
) -> StoryProfiles:
    """The three profiles of every document in ``doc_ids``, from its content sentences
    (``vectors`` has one row per row of ``sentences``). TF-IDF weights are fitted on
    these documents, so a document's profile depends on the corpus it is in; ``text``
    gives them fitted on a larger corpus instead (:func:`story_text`, e.g. the whole
    corpus for one event shard's documents), with that corpus's ``languages``;
    ``languages`` is for ``text`` left out (``None``: every language unknown)."""
    rows, docs, positions = content_layout(sentences, doc_ids)
    n = len(doc_ids)
    if text is None:
        text = story_text(sentences, doc_ids, languages)
    elif languages is not None:
        raise ValueError("give the languages to story_text, which fits the given text")
    at = text.rows(doc_ids)
    return StoryProfiles(
        vectors=weighted_document_vectors(
            vectors, rows, docs, lead_weights(positions, settings.lead_decay), n
        ),
        names=text.names[at],
        words=text.words[at],
        empty=np.bincount(docs, minlength=n) == 0,
        languages=text.languages[at],
        cross_names=text.cross_names[at],
    )


@dataclass(frozen=True)
class StoryText:
    """The ``story`` measure's TF-IDF profiles (names; words) of a corpus's documents,
    with their languages and the names profiles restricted to the names that documents of
    two or more known languages mention (``cross_names``, re-normalised)."""

    doc_ids: list[str]
    names: sp.csr_matrix
    words: sp.csr_matrix
    languages: np.ndarray
    cross_names: sp.csr_matrix

    def rows(self, doc_ids: list[str]) -> np.ndarray:
        """The rows of ``doc_ids``."""
        index = pd.Index(self.doc_ids)
        at = index.get_indexer(doc_ids)
        if (at < 0).any():
            raise ValueError("documents without a story text profile")
        return at


def story_text(
    sentences: pd.DataFrame,
    doc_ids: list[str],
    languages: Languages | None = None,
    workers: int = 1,
) -> StoryText:
    """TF-IDF of the names and of the words of each document in ``doc_ids`` (its content
    sentences in ``sentences``), fitted on these documents; no vectors needed.
    ``languages``: each document's language tag (``None``: every language unknown), for
    the cross-language names profiles. With ``workers`` > 1 the two views are fitted side
    by side (:func:`framelens.workers.ordered_map`; the same profiles)."""
    rows, docs, _ = content_layout(sentences, doc_ids)
    n = len(doc_ids)
    texts = sentences["text"].to_numpy()[rows]
    spans = list(itertools.pairwise(np.searchsorted(docs, np.arange(n + 1)).tolist()))

    def profiles(view: int) -> sp.csr_matrix:
        if view == 0:  # the names (and numbers) of each document, once each
            names = [
                " ".join(sorted(set().union(*(anchors(t) for t in texts[lo:hi]))))
                for lo, hi in spans
            ]
            return tfidf_profiles(names, token_pattern=r"\S+", lowercase=False)
        return tfidf_profiles([" ".join(texts[lo:hi]) for lo, hi in spans], stop_words="english")

    name_profiles, word_profiles = ordered_map(profiles, 2, workers)  # one view per worker
    codes = language_codes(languages, list(doc_ids))
    return StoryText(
        doc_ids=list(doc_ids),
        names=name_profiles,
        words=word_profiles,
        languages=codes,
        cross_names=restrict_columns(name_profiles, shared_across_languages(name_profiles, codes)),
    )


def save_story_text(text: StoryText, path: str | Path) -> None:
    """Write a :class:`StoryText` (the corpus-wide TF-IDF of the ``story`` measure) to one
    ``.npz``, so that each event shard reads its documents' rows only
    (:func:`read_story_text`)."""
    write_arrays(
        {
            "doc_ids": np.asarray(text.doc_ids, dtype=str),
            "languages": np.asarray(text.languages, dtype=str),
            **csr_arrays("names", text.names),
            **csr_arrays("words", text.words),
            **csr_arrays("cross_names", text.cross_names),
        },
        path,
    )


def read_story_text(path: str | Path, doc_ids: list[str]) -> StoryText:
    """The rows of ``doc_ids`` of a :func:`save_story_text` file, as a :class:`StoryText`
    of those documents (fitted on the whole corpus, read without the other rows)."""
    with np.load(path, allow_pickle=False) as data:
        known = [str(d) for d in data["doc_ids"]]
        languages = data["languages"].astype(object)
    at = pd.Index(known).get_indexer(doc_ids)
    if (at < 0).any():
        raise FramelensError(f"{path} has no story profile for some documents; rerun story_text")
    return StoryText(
        doc_ids=list(doc_ids),
        names=read_csr_rows(path, "names", at),
        words=read_csr_rows(path, "words", at),
        languages=languages[at],
        cross_names=read_csr_rows(path, "cross_names", at),
    )


def story_scores(
    profiles: StoryProfiles,
    settings: StorySettings,
    cosine: Callable[[Matrix], np.ndarray],
    cross: np.ndarray,
) -> np.ndarray:
    """The weighted ``story`` sum for some cells, before clipping: ``cosine(profile)``
    gives those cells' cosines under one profile, ``cross`` marks the cross-language
    cells, scored on the model and the shared names alone (module docstring). Without
    a cross-language cell, or without model and names weight, every cell is scored alike."""
    model = cosine(profiles.vectors)
    result = (
        settings.model * model
        + settings.names * cosine(profiles.names)
        + settings.words * cosine(profiles.words)
    )
    kept = settings.model + settings.names
    if not cross.any() or kept <= 0:
        return result
    across = (settings.model * model + settings.names * cosine(profiles.cross_names)) / kept
    return np.where(cross, across.astype(result.dtype), result)


def story_matrix(profiles: StoryProfiles, settings: StorySettings) -> np.ndarray:
    """``story`` similarity of every pair of documents; [n_docs, n_docs], symmetric, 1 on
    the diagonal, NaN in the rows and columns of documents without content."""
    codes = profiles.languages
    result = story_scores(
        profiles,
        settings,
        lambda m: cos_sim(m, m),
        cross_language(codes[:, None], codes[None, :]),
    )
    result = np.clip(result, -1.0, 1.0)
    np.fill_diagonal(result, 1.0)
    result[profiles.empty, :] = np.nan
    result[:, profiles.empty] = np.nan
    return result


def story_pairs(
    profiles: StoryProfiles, a: np.ndarray, b: np.ndarray, settings: StorySettings
) -> np.ndarray:
    """``story`` similarity of documents ``a[i]`` and ``b[i]``; the values of
    :func:`story_matrix` for those cells, without the matrix."""
    codes = profiles.languages
    result = story_scores(
        profiles,
        settings,
        lambda m: rowwise_dot(m, a, b),
        cross_language(codes[a], codes[b]),
    )
    result = np.clip(result, -1.0, 1.0)
    result[a == b] = 1.0
    result[profiles.empty[a] | profiles.empty[b]] = np.nan
    return result


# ------------------------------------------------------------ best match and mean vector


def best_match_matrix(vectors: Matrix, doc_of_row: np.ndarray, n_docs: int) -> np.ndarray:
    """Directional best-match similarity between documents; shape [n_docs, n_docs].

    ``vectors`` are content-sentence vectors (L2-normalised rows) and
    ``doc_of_row[i]`` the document index of row ``i``. Entry [a, b] is the
    mean over a's sentences of their best cosine in b; a document with no
    sentence gives NaN in its row and column. The diagonal is 1.
    """
    order = np.argsort(doc_of_row, kind="stable")
    vectors = vectors[order]
    doc_of_row = doc_of_row[order]
    counts = np.bincount(doc_of_row, minlength=n_docs)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    present = np.flatnonzero(counts)
    result = np.full((n_docs, n_docs), np.nan)
    for a in present:
        block = cos_sim(vectors[starts[a] : starts[a] + counts[a]], vectors)
        best = np.maximum.reduceat(block, starts[present], axis=1)
        result[a, present] = best.mean(axis=0)
    result[present, present] = 1.0
    return result


def mean_vector_matrix(doc_vectors: np.ndarray) -> np.ndarray:
    """Cosine between document mean vectors; zero vectors give NaN rows."""
    result = cos_sim(doc_vectors, doc_vectors)
    empty = ~np.any(doc_vectors, axis=1)
    result[empty, :] = np.nan
    result[:, empty] = np.nan
    np.fill_diagonal(result, np.where(empty, np.nan, 1.0))
    return np.clip(result, -1.0, 1.0)


def doc_similarity(
    vectors: Matrix,
    sentences: pd.DataFrame,
    doc_ids: list[str],
    method: DocMethod | str,
    story: StorySettings | None = None,
    languages: Languages | None = None,
) -> pd.DataFrame:
    """Square document × document similarity table, ``doc_id`` on both axes.

    ``vectors`` has one row per row of ``sentences``; boilerplate and
    repeats inside a document are left out of every measure. ``story`` holds the
    weights of the ``story`` measure (default: :class:`StorySettings`), ``languages``
    each document's language tag for its cross-language pairs (``None``: all unknown).
    """
    method = DocMethod.parse(method) if isinstance(method, str) else method
    if method is DocMethod.STORY:
        settings = story or StorySettings()
        profiles = story_profiles(vectors, sentences, doc_ids, settings, languages=languages)
        matrix = story_matrix(profiles, settings)
    elif method is DocMethod.MEAN_VECTOR:
        matrix = mean_vector_matrix(document_vectors(vectors, sentences, doc_ids))
    else:
        rows, docs, _ = content_layout(sentences, doc_ids)
        matrix = best_match_matrix(vectors[rows], docs, len(doc_ids))
    table = pd.DataFrame(matrix, index=pd.Index(doc_ids, name="doc_id"), columns=doc_ids)
    return table


DOC_PAIR_COLUMNS = ["event_id", "doc_id_a", "doc_id_b", "similarity"]


def doc_pairs_within_events(
    vectors: Matrix,
    sentences: pd.DataFrame,
    events: pd.DataFrame,
    method: DocMethod | str,
    story: StorySettings | None = None,
    text: StoryText | None = None,
    languages: Languages | None = None,
) -> pd.DataFrame:
    """The document similarity of every ordered pair of documents in the same event.

    Long form (``event_id, doc_id_a, doc_id_b, similarity``; ``a`` ≠ ``b``), the same
    values :func:`doc_similarity` gives for those cells, computed event by event: time
    grows with the sum of the events' squared sizes, not with the corpus squared, and no
    corpus-wide matrix is built. ``events`` has ``doc_id, event_id``; ``text``: the
    ``story`` TF-IDF fitted on a larger corpus than ``events``' documents (event shards),
    with its languages; ``languages``: the documents' language tags when ``text`` is not
    given (as in :func:`doc_similarity`).
    """
    events = events.sort_values(["event_id", "doc_id"], kind="stable").reset_index(drop=True)
    doc_ids = events["doc_id"].tolist()
    block_values = event_block_scorer(vectors, sentences, doc_ids, method, story, text, languages)
    event_codes = events["event_id"].to_numpy()
    bounds = run_bounds(event_codes)
    parts = []
    for lo, hi in itertools.pairwise(bounds):
        if hi - lo < 2:
            continue
        a, b = np.nonzero(~np.eye(hi - lo, dtype=bool))
        parts.append(
            (
                np.full(len(a), event_codes[lo], dtype=object),
                lo + a,
                lo + b,
                block_values(lo, hi, a, b),
            )
        )
    if not parts:
        return pd.DataFrame(
            {c: pd.Series(dtype=object if c != "similarity" else float) for c in DOC_PAIR_COLUMNS}
        )
    ids = np.asarray(doc_ids, dtype=object)
    return pd.DataFrame(
        {
            "event_id": np.concatenate([p[0] for p in parts]),
            "doc_id_a": ids[np.concatenate([p[1] for p in parts])],
            "doc_id_b": ids[np.concatenate([p[2] for p in parts])],
            "similarity": np.concatenate([p[3] for p in parts]),
        }
    )


def event_block_scorer(
    vectors: Matrix,
    sentences: pd.DataFrame,
    doc_ids: list[str],
    method: DocMethod | str,
    story: StorySettings | None = None,
    text: StoryText | None = None,
    languages: Languages | None = None,
) -> Callable[[int, int, np.ndarray, np.ndarray], np.ndarray]:
    """A function ``(lo, hi, a, b) -> values`` giving the similarity of documents
    ``lo + a[i]`` and ``lo + b[i]`` of ``doc_ids`` (one event's block ``lo:hi``), with
    whatever the method needs for the whole corpus prepared once (``text``, ``languages``:
    as in :func:`doc_pairs_within_events`)."""
    method = DocMethod.parse(method) if isinstance(method, str) else method
    if method is DocMethod.STORY:
        settings = story or StorySettings()
        profiles = story_profiles(vectors, sentences, doc_ids, settings, text, languages)
        return lambda lo, hi, a, b: story_pairs(profiles, lo + a, lo + b, settings)
    if method is DocMethod.MEAN_VECTOR:
        doc_vectors = document_vectors(vectors, sentences, doc_ids)
        return lambda lo, hi, a, b: mean_vector_matrix(doc_vectors[lo:hi])[a, b]
    rows, doc_of_row, _ = content_layout(sentences, doc_ids)
    content_vectors = vectors[rows]
    row_bounds = np.searchsorted(doc_of_row, np.arange(len(doc_ids) + 1))

    def best_match_block(lo: int, hi: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        block = slice(row_bounds[lo], row_bounds[hi])
        return best_match_matrix(content_vectors[block], doc_of_row[block] - lo, hi - lo)[a, b]

    return best_match_block
