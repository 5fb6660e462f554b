"""A synthetic news corpus of any size, built from real ECB+ sentences, with planted gold.

Usage: python -m bench.synthetic --n 1000 --out /tmp/synth [--seed 42] [--events N/10]
                                 [--ecbplus ../shared/data/ecbplus]

N articles over N/10 events, in framelens's input format: one ``.txt`` per article
(one sentence per paragraph) and ``metadata.csv`` with ``file, outlet, date`` (no
``event`` column: the pipeline has to find the events). Beside them, the gold:

- ``gold_events.csv``: ``file, event, ecb_event, topic`` (the synthetic event, and the
  ECB+ gold event and topic its sentences come from);
- ``gold_reuse.csv``: ``event, file_a, index_a, text_a, file_b, index_b, text_b,
  relation, how, planted``: every pair of sentences in two articles of one event that
  come from the same ECB+ sentence. ``planted`` pairs are the copies made on purpose
  (``file_b`` copied ``text_a`` from the earlier ``file_a``; ``how`` is ``copy``,
  ``trimmed`` or ``reordered``); the others (``how`` = ``pool``, or ``indirect`` for
  two copies of one original) are incidental. ``relation`` is ``verbatim`` when the two
  texts are the same, else ``rewrite``. ``index`` is the paragraph (= sentence) number
  in the article, from 0;
- ``synthetic.json``: parameters and counts.

How it is built (deterministic given the seed; same seed, same bytes):

1. *Pool.* ECB+ sentences of 6-60 words that framelens ingests as exactly one
   content sentence (not boilerplate, no header, no markup). Within each ECB+ topic,
   an exact repeat or a near-repeat (the alignment's lexical score, mean of
   word-bigram and trigram containment, at least ``alignment.rewrite`` = 0.25) of an
   earlier sentence stands as that sentence: ECB+ itself holds wire copy, and this way
   every repeat is one pool sentence that the gold knows, and distinct pool
   sentences are never near-repeats of each other. Each ECB+ document becomes the
   list of its pool sentences, in order.
2. *Events.* Synthetic event j takes its sentences from one ECB+ gold event with at
   least 25 pool sentences (cycling through them in a shuffled order). Article i of
   the event retells ECB+ document ``i mod d`` of that gold event (its d documents in
   a shuffled order): the document's sentences from the top, topped up from the gold
   event's other sentences (a shuffled, cyclic list) to the article's length. So the
   articles of one event report the same facts as ECB+'s own reports of it do: they
   share names, places and wording, and some sentences (where ECB+'s documents
   share wire copy, where the top-ups meet, or where an event has more articles than
   its source has documents); those are incidental gold pairs (``how`` = ``pool``).
   (Version 1 drew disjoint sentences per article, from the source and then the
   other gold event of its topic; same-event articles were then less alike than
   real reports, and events came out over-split.) Every synthetic event of a topic
   gets its own date, at least 14 days from the others of that topic (events spread
   over a year, longer if a topic needs more room), and its articles are dated within
   0-3 days of it: so events that share sentences are never within framelens's
   ``events.max_days_apart`` (7) of each other. Event sizes follow a log-normal
   spread, at least 2 articles, scaled by the source's number of documents.
3. *Articles.* 10-25 sentences each; outlets drawn from 30 names with Zipf-like
   weights, each event covered by only some outlets.
4. *Planted reuse.* About 20% of articles copy 20-50% of their sentences, as one
   passage, from an earlier article of the same event by another outlet: half
   verbatim, a quarter trimmed (20-40% of the words cut at the start or the end), a
   quarter reordered (clauses swapped at the comma nearest the middle; trimmed where
   there is none), as in ``bench/planted.py``.

ECB+ is read at run time from ``../shared/data/ecbplus`` (never copied into the project).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import itertools
import json
import math
import random
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from framelens.basics.tokens import word_tokens
from framelens.corpus import duplicate_key, sentence_rows
from framelens.text import normalise_text, parse_header, strip_markup

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ECBPLUS = ROOT.parent / "shared" / "data" / "ecbplus"
GENERATOR_VERSION = 2  # bumped when the same seed would give other bytes
START_DATE = dt.date(2023, 1, 1)
MIN_EVENT_GAP_DAYS = 14  # > events.max_days_apart (7) + article spread (3) + rounding
ARTICLE_SPREAD_DAYS = 3
MIN_WORDS, MAX_WORDS = 6, 60
NEAR_REPEAT = 0.25  # alignment.rewrite: lexical score from which a pair may be a rewrite
COPIER_SHARE = 0.20
MIN_LENGTH, MAX_LENGTH = 10, 25  # sentences per article
MIN_SOURCE_SENTENCES = MAX_LENGTH  # an ECB+ event with fewer cannot fill one article
OUTLETS = [
    "Northern Ledger",
    "Daily Courier",
    "Evening Standard Wire",
    "Coastal Times",
    "Metro Gazette",
    "The Civic Post",
    "Valley Herald",
    "Global Dispatch",
    "Harbour News",
    "Capital Observer",
    "Prairie Tribune",
    "The Morning Record",
    "Union Press Service",
    "City Chronicle",
    "Lakeside Journal",
    "National Bulletin",
    "The Weekly Lens",
    "Summit Reporter",
    "Riverside Examiner",
    "Atlas Newswire",
    "Pinewood Sentinel",
    "The Daily Compass",
    "Eastern Mercury",
    "Western Beacon",
    "Highland Voice",
    "Central Monitor",
    "Bay Area Ledger",
    "Frontier Times",
    "The Open Register",
    "Meridian Wire",
]
CLAUSE_COMMA = re.compile(r",\s+")


@dataclass(frozen=True)
class PoolSentence:
    """One usable ECB+ sentence."""

    uid: int
    text: str
    ecb_event: str
    topic: int


@dataclass
class Sentence:
    """A sentence placed in a synthetic article."""

    origin: int  # PoolSentence.uid
    text: str
    how: str  # fresh | copy | trimmed | reordered
    copied_from: tuple[int, int] | None = None  # (article index, position) it copies


@dataclass
class Article:
    """One synthetic article."""

    index: int
    event: int
    outlet: str
    date: dt.date
    sentences: list[Sentence] = field(default_factory=list)
    file: str = ""


# --------------------------------------------------------------------------- pool


def ingests_as_one_sentence(text: str) -> bool:
    """True when framelens reads ``text`` alone as exactly itself: one content sentence."""
    clean, markup = strip_markup(normalise_text(text))
    if markup or clean != text:
        return False
    header, body = parse_header(clean)
    if body != text or header.date or header.outlet or header.dateline:
        return False
    rows = sentence_rows("x", body)
    return len(rows) == 1 and rows[0]["text"] == text and not rows[0]["boilerplate"]


def ngram_sets(tokens: list[str]) -> tuple[frozenset, frozenset]:
    """Word bigrams and trigrams of a token list."""
    return (
        frozenset(itertools.pairwise(tokens)),
        frozenset(zip(tokens, tokens[1:], tokens[2:], strict=False)),
    )


def lexical_score(a: tuple[frozenset, frozenset], b: tuple[frozenset, frozenset]) -> float:
    """Mean bigram/trigram containment, as ``framelens.align.lexical_overlap`` (>= 3 words)."""
    total = 0.0
    for x, y in zip(a, b, strict=True):
        smaller = min(len(x), len(y))
        total += len(x & y) / smaller if smaller else 0.0
    return total / 2


def near_repeat_groups(texts: list[str], threshold: float = NEAR_REPEAT) -> list[int]:
    """For each text, the index of the text it counts as: itself when it is kept, else the
    first kept text it repeats (the same :func:`duplicate_key`, or a lexical score >=
    ``threshold``). Greedy, in order, so kept texts score below ``threshold`` pairwise.

    An inverted index on bigrams limits the comparisons to texts sharing a bigram.
    """
    group: list[int] = []
    kept: list[int] = []  # indices into texts
    grams: list[tuple[frozenset, frozenset]] = []
    exact: dict[str, int] = {}
    index: dict[tuple[str, str], list[int]] = defaultdict(list)  # bigram -> positions in kept
    for k, text in enumerate(texts):
        key = duplicate_key(text)
        if key in exact:
            group.append(exact[key])
            continue
        mine = ngram_sets(word_tokens(text))
        shared: set[int] = set()
        for bigram in mine[0]:
            shared.update(index.get(bigram, ()))
        match = next(
            (
                kept[other]
                for other in sorted(shared)
                if lexical_score(mine, grams[other]) >= threshold
            ),
            None,
        )
        if match is not None:
            group.append(match)
            continue
        for bigram in mine[0]:
            index[bigram].append(len(kept))
        exact[key] = k
        kept.append(k)
        grams.append(mine)
        group.append(k)
    return group


def read_pool(ecbplus: Path) -> tuple[list[PoolSentence], dict[str, list[list[int]]]]:
    """The usable ECB+ sentences (module docstring, step 1) in a fixed order, and per ECB+
    gold event its documents, each as the pool ids of its usable sentences in order (a
    near-repeat stands as the sentence it repeats; each id once per document)."""
    gold = read_csv_rows(ecbplus / "gold_events.csv")
    by_topic: dict[int, list[tuple[str, str, str]]] = defaultdict(list)  # event, file, text
    topic_of_key: dict[str, int] = {}
    for row in sorted(gold, key=lambda r: r["file"]):
        topic = int(row["topic"])
        path = ecbplus / "corpus" / row["file"]
        for line in path.read_text(encoding="utf-8").splitlines():
            text = " ".join(line.split())
            if not MIN_WORDS <= len(text.split()) <= MAX_WORDS:
                continue
            if topic_of_key.setdefault(duplicate_key(text), topic) != topic:
                continue  # the same sentence in another topic: kept there only
            if ingests_as_one_sentence(text):
                by_topic[topic].append((row["event"], row["file"], text))
    pool: list[PoolSentence] = []
    documents: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for topic in sorted(by_topic):
        entries = by_topic[topic]
        uid_of: dict[int, int] = {}
        for k, canonical in enumerate(near_repeat_groups([text for _, _, text in entries])):
            if canonical not in uid_of:
                uid_of[canonical] = len(pool)
                event, _, text = entries[canonical]
                pool.append(PoolSentence(len(pool), text, event, topic))
            event, file, _ = entries[k]
            uids = documents[event].setdefault(file, [])
            if uid_of[canonical] not in uids:
                uids.append(uid_of[canonical])
    return pool, {
        event: [docs[f] for f in sorted(docs)] for event, docs in sorted(documents.items())
    }


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------- edits


def trimmed_copy(text: str, rng: random.Random) -> str:
    """Cut 20-40% of the words at the start or the end, keeping it a sentence."""
    words = text.split()
    cut = max(1, round(len(words) * rng.uniform(0.2, 0.4)))
    if rng.random() < 0.5:
        kept = words[cut:]
        kept[0] = kept[0][:1].upper() + kept[0][1:]
    else:
        kept = words[:-cut]
        kept[-1] = kept[-1].rstrip(",;:-")
        if kept[-1][-1:] not in ".!?":
            kept[-1] += "."
    return " ".join(kept)


def reordered_copy(text: str) -> str | None:
    """Swap the clauses at the comma nearest the middle (20-80% in); None without one."""
    splits = [m for m in CLAUSE_COMMA.finditer(text) if 0.2 < m.start() / len(text) < 0.8]
    if not splits:
        return None
    middle = len(text) / 2
    m = min(splits, key=lambda m: abs(m.start() - middle))
    first, second = text[: m.start()], text[m.end() :].rstrip(".!? ")
    if not first or not second:
        return None
    return f"{second[0].upper()}{second[1:]}, {first[0].lower()}{first[1:]}."


def planted_edit(text: str, rng: random.Random) -> tuple[str, str]:
    """A copy of ``text`` and how it was made: ``copy`` (verbatim, 1/2), ``trimmed`` or
    ``reordered`` (1/4 each).

    An edit that framelens would not read as one sentence of at least 4 words falls back
    to the next simpler one (reordered -> trimmed -> verbatim copy).
    """
    draw = rng.random()
    if draw < 0.5:
        return text, "copy"
    attempts = ["trimmed"] if draw < 0.75 else ["reordered", "trimmed"]
    for how in attempts:
        edited = trimmed_copy(text, rng) if how == "trimmed" else reordered_copy(text)
        if (
            edited is not None
            and len(edited.split()) >= 4
            and duplicate_key(edited) != duplicate_key(text)
            and ingests_as_one_sentence(edited)
        ):
            return edited, how
    return text, "copy"


# --------------------------------------------------------------------------- corpus


def allocate(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split ``total`` into integers >= ``minimum`` roughly proportional to ``weights``
    (largest remainder; deterministic)."""
    n = len(weights)
    spare = total - minimum * n
    if spare < 0:
        raise ValueError(f"cannot give {n} events {minimum} articles each out of {total}")
    scale = sum(weights)
    exact = [spare * w / scale for w in weights]
    sizes = [math.floor(x) for x in exact]
    order = sorted(range(n), key=lambda i: (-(exact[i] - sizes[i]), i))
    for i in order[: spare - sum(sizes)]:
        sizes[i] += 1
    return [minimum + s for s in sizes]


class Supply:
    """Cyclic, shuffled lists of the sentences in each ECB+ gold event's documents."""

    def __init__(
        self, documents: dict[str, list[list[int]]], pool: list[PoolSentence], rng: random.Random
    ) -> None:
        self.text = {sentence.uid: sentence.text for sentence in pool}
        self.lists: dict[str, list[int]] = {}
        for event, docs in documents.items():
            uids = sorted({uid for doc in docs for uid in doc})
            rng.shuffle(uids)
            self.lists[event] = uids
        self.cursor = dict.fromkeys(self.lists, 0)

    def take(self, event: str, count: int) -> list[int]:
        """The next ``count`` sentences of ``event``'s list (at most one full cycle)."""
        uids = self.lists[event]
        count = min(count, len(uids))
        start = self.cursor[event]
        self.cursor[event] = (start + count) % len(uids)
        return [uids[(start + i) % len(uids)] for i in range(count)]


def event_dates(topics: list[int], rng: random.Random) -> list[dt.date]:
    """A date per synthetic event: events of one topic at least 14 days apart."""
    by_topic: dict[int, list[int]] = defaultdict(list)
    for j, topic in enumerate(topics):
        by_topic[topic].append(j)
    busiest = max(len(v) for v in by_topic.values())
    span = max(365, MIN_EVENT_GAP_DAYS * busiest)
    dates: list[dt.date] = [START_DATE] * len(topics)
    for topic in sorted(by_topic):
        members = by_topic[topic][:]
        rng.shuffle(members)
        spacing = span / len(members)
        offset = rng.uniform(0, spacing - MIN_EVENT_GAP_DAYS)
        for k, j in enumerate(members):
            dates[j] = START_DATE + dt.timedelta(days=math.floor(offset + k * spacing))
    return dates


def build_corpus(
    pool: list[PoolSentence],
    documents: dict[str, list[list[int]]],
    n: int,
    seed: int,
    n_events: int | None = None,
) -> tuple[list[Article], list[dict[str, object]]]:
    """The articles and, per synthetic event, its source and date (no files written)."""
    rng = random.Random(seed)
    n_events = n_events or max(1, round(n / 10))
    topic_of = {p.ecb_event: p.topic for p in pool}
    supply = Supply(documents, pool, rng)
    sources = sorted(e for e in documents if len(supply.lists[e]) >= MIN_SOURCE_SENTENCES)
    chosen: list[str] = []
    while len(chosen) < n_events:
        cycle = sources[:]
        rng.shuffle(cycle)
        chosen += cycle
    chosen = chosen[:n_events]
    uses = {e: chosen.count(e) for e in sources}
    weights = [len(documents[e]) / uses[e] * rng.lognormvariate(0.0, 0.5) for e in chosen]
    sizes = allocate(n, weights, min(2, n // n_events))
    dates = event_dates([topic_of[e] for e in chosen], rng)
    outlet_weights = [1.0 / (rank + 1) ** 0.7 for rank in range(len(OUTLETS))]
    copy_prob = min(1.0, COPIER_SHARE * n / max(1, n - n_events))
    articles: list[Article] = []
    events: list[dict[str, object]] = []
    for j, (source, size) in enumerate(zip(chosen, sizes, strict=True)):
        events.append(
            {
                "event": f"ev{j + 1:05d}",
                "ecb_event": source,
                "topic": topic_of[source],
                "date": dates[j].isoformat(),
                "size": size,
            }
        )
        articles += build_event(
            j,
            documents[source],
            source,
            size,
            dates[j],
            supply,
            rng,
            outlet_weights,
            copy_prob,
            start=len(articles),
        )
    return articles, events


def build_event(
    j: int,
    documents: list[list[int]],
    source: str,
    size: int,
    date: dt.date,
    supply: Supply,
    rng: random.Random,
    outlet_weights: list[float],
    copy_prob: float,
    start: int,
) -> list[Article]:
    """The articles of one synthetic event, in date order, with planted copies.

    Article i retells ECB+ document ``i mod len(documents)`` (documents in a shuffled
    order): its sentences from the top, topped up with other sentences of the source.
    """
    n_outlets = max(1, min(len(OUTLETS), size, round(size * rng.uniform(0.5, 0.9))))
    covering = weighted_sample(OUTLETS, outlet_weights, n_outlets, rng)
    outlets = covering + [rng.choice(covering) for _ in range(size - n_outlets)]
    rng.shuffle(outlets)
    days = sorted(rng.randint(0, ARTICLE_SPREAD_DAYS) for _ in range(size))
    articles = [
        Article(start + i, j, outlets[i], date + dt.timedelta(days=days[i])) for i in range(size)
    ]
    lengths = [rng.randint(MIN_LENGTH, MAX_LENGTH) for _ in range(size)]
    retold = rng.sample(range(len(documents)), len(documents))
    plans: list[tuple[int, int] | None] = [None]  # (source position in event, sentences)
    for i in range(1, size):
        earlier = [k for k in range(i) if articles[k].outlet != articles[i].outlet]
        if earlier and rng.random() < copy_prob:
            origin = rng.choice(earlier)
            m = min(round(lengths[i] * rng.uniform(0.2, 0.5)), lengths[origin])
            plans.append((origin, max(1, m)))
        else:
            plans.append(None)
    stream: list[int] = []
    for i, article in enumerate(articles):
        plan = plans[i]
        block: list[Sentence] = []
        if plan:
            src = articles[plan[0]]
            m = min(plan[1], len(src.sentences))
            at = rng.randint(0, len(src.sentences) - m)
            for position in range(at, at + m):
                original = src.sentences[position]
                text, how = planted_edit(original.text, rng)
                block.append(Sentence(original.origin, text, how, (src.index, position)))
        copied = {s.origin for s in block}
        wanted = lengths[i] - len(block)
        own = [uid for uid in documents[retold[i % len(retold)]] if uid not in copied][:wanted]
        own += draw_distinct(stream, wanted - len(own), supply, source, exclude=copied | set(own))
        sentences = [Sentence(uid, supply.text[uid], "fresh") for uid in own]
        insert = rng.randint(0, len(sentences))
        sentences[insert:insert] = block
        article.sentences = sentences
    return articles


def draw_distinct(
    stream: list[int], count: int, supply: Supply, source: str, *, exclude: set[int]
) -> list[int]:
    """Pop ``count`` distinct sentence ids, none in ``exclude``, off ``stream``; refill
    from ``source`` if it runs dry (then the event repeats a sentence in two articles: an
    incidental gold pair, ``how`` = ``pool``)."""
    chosen: list[int] = []
    taken = set(exclude)
    deferred: list[int] = []
    refills = 0
    while len(chosen) < count:
        if not stream:
            if refills > 2:
                break  # a source smaller than one article: the article comes out shorter
            stream.extend(supply.take(source, count))
            refills += 1
            continue
        uid = stream.pop(0)
        if uid in taken:
            deferred.append(uid)
        else:
            chosen.append(uid)
            taken.add(uid)
    stream[:0] = deferred
    return chosen


def weighted_sample(
    items: list[str], weights: list[float], k: int, rng: random.Random
) -> list[str]:
    """``k`` distinct items drawn with probability proportional to weight."""
    items, weights = items[:], weights[:]
    picked = []
    for _ in range(min(k, len(items))):
        i = rng.choices(range(len(items)), weights=weights)[0]
        picked.append(items.pop(i))
        weights.pop(i)
    return picked


# --------------------------------------------------------------------------- gold


def gold_pairs(articles: list[Article], files: dict[int, str]) -> list[dict[str, object]]:
    """Every pair of same-origin sentences in two articles of one event (see docstring)."""
    by_event: dict[int, list[Article]] = defaultdict(list)
    for article in articles:
        by_event[article.event].append(article)
    rows: list[dict[str, object]] = []
    for event in sorted(by_event):
        members = by_event[event]  # in date order
        places: dict[int, list[tuple[int, int]]] = defaultdict(list)  # origin -> (rank, pos)
        for rank, article in enumerate(members):
            for position, sentence in enumerate(article.sentences):
                places[sentence.origin].append((rank, position))
        for origin in sorted(places):
            spots = places[origin]
            for x in range(len(spots)):
                for y in range(x + 1, len(spots)):
                    (ra, pa), (rb, pb) = spots[x], spots[y]
                    if ra == rb:
                        continue
                    a, b = members[ra], members[rb]
                    sa, sb = a.sentences[pa], b.sentences[pb]
                    planted = sb.copied_from == (a.index, pa)
                    if planted:
                        how = sb.how
                    elif sa.how == "fresh" and sb.how == "fresh":
                        how = "pool"
                    else:
                        how = "indirect"
                    same = duplicate_key(sa.text) == duplicate_key(sb.text)
                    rows.append(
                        {
                            "event": f"ev{event + 1:05d}",
                            "file_a": files[a.index],
                            "index_a": pa,
                            "text_a": sa.text,
                            "file_b": files[b.index],
                            "index_b": pb,
                            "text_b": sb.text,
                            "relation": "verbatim" if same else "rewrite",
                            "how": how,
                            "planted": planted,
                        }
                    )
    rows.sort(key=lambda r: (r["event"], r["file_a"], r["index_a"], r["file_b"], r["index_b"]))
    return rows


# --------------------------------------------------------------------------- writing


def csv_text(rows: list[dict[str, object]], columns: list[str]) -> str:
    """CSV with ``\\n`` line ends, the columns in this order."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


OWN_FILES = ("metadata.csv", "gold_events.csv", "gold_reuse.csv", "synthetic.json")


def clear_previous(out: Path) -> None:
    """Remove what an earlier run wrote to ``out`` (refuse a folder that is not ours)."""
    if not out.exists():
        return
    if any(out.iterdir()) and not (out / "synthetic.json").is_file():
        raise SystemExit(f"{out} is not empty and holds no synthetic.json; not touching it")
    if (out / "metadata.csv").is_file():
        for row in read_csv_rows(out / "metadata.csv"):
            (out / row["file"]).unlink(missing_ok=True)
    for name in OWN_FILES:
        (out / name).unlink(missing_ok=True)
    for folder in sorted((p for p in out.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def generate(
    n: int,
    out: str | Path,
    *,
    seed: int = 42,
    n_events: int | None = None,
    ecbplus: str | Path = DEFAULT_ECBPLUS,
) -> dict[str, object]:
    """Write a synthetic corpus of ``n`` articles and its gold to ``out``; return the summary."""
    if n < 2:
        raise ValueError("n must be at least 2")
    out = Path(out)
    pool, documents = read_pool(Path(ecbplus))
    articles, events = build_corpus(pool, documents, n, seed, n_events)
    order = list(range(len(articles)))
    random.Random(seed + 1).shuffle(order)  # file names say nothing about the events
    width = max(5, len(str(len(articles))))
    files = {articles[k].index: f"articles/{rank:0{width}d}.txt" for rank, k in enumerate(order)}
    clear_previous(out)
    (out / "articles").mkdir(parents=True, exist_ok=True)
    for article in articles:
        article.file = files[article.index]
        body = "\n\n".join(s.text for s in article.sentences) + "\n"
        (out / article.file).write_bytes(body.encode("utf-8"))
    by_file = sorted(articles, key=lambda a: a.file)
    write(
        out / "metadata.csv",
        csv_text(
            [{"file": a.file, "outlet": a.outlet, "date": a.date.isoformat()} for a in by_file],
            ["file", "outlet", "date"],
        ),
    )
    event_rows = {j: e for j, e in enumerate(events)}
    write(
        out / "gold_events.csv",
        csv_text(
            [
                {
                    "file": a.file,
                    "event": event_rows[a.event]["event"],
                    "ecb_event": event_rows[a.event]["ecb_event"],
                    "topic": event_rows[a.event]["topic"],
                }
                for a in by_file
            ],
            ["file", "event", "ecb_event", "topic"],
        ),
    )
    pairs = gold_pairs(articles, files)
    write(
        out / "gold_reuse.csv",
        csv_text(
            pairs,
            [
                "event",
                "file_a",
                "index_a",
                "text_a",
                "file_b",
                "index_b",
                "text_b",
                "relation",
                "how",
                "planted",
            ],
        ),
    )
    summary = summarise(articles, events, pairs, pool, n, seed)
    write(out / "synthetic.json", json.dumps(summary, indent=2, sort_keys=True) + "\n")
    return summary


def write(path: Path, text: str) -> None:
    """Write UTF-8 text with ``\\n`` line ends, byte for byte."""
    path.write_bytes(text.encode("utf-8"))


def summarise(
    articles: list[Article],
    events: list[dict[str, object]],
    pairs: list[dict[str, object]],
    pool: list[PoolSentence],
    n: int,
    seed: int,
) -> dict[str, object]:
    """Parameters and counts, for synthetic.json."""
    copiers = {p["file_b"] for p in pairs if p["planted"]}
    n_sentences = sum(len(a.sentences) for a in articles)
    origins = {s.origin for a in articles for s in a.sentences}
    planted = [p for p in pairs if p["planted"]]
    copied_per_copier: dict[object, int] = defaultdict(int)
    length_of = {a.file: len(a.sentences) for a in articles}
    for p in planted:
        copied_per_copier[p["file_b"]] += 1
    shares = [copied_per_copier[f] / length_of[f] for f in sorted(copied_per_copier)]
    return {
        "generator_version": GENERATOR_VERSION,
        "n_articles": len(articles),
        "n_events": len(events),
        "seed": seed,
        "n_requested": n,
        "n_sentences": n_sentences,
        "pool_sentences": len(pool),
        "distinct_pool_sentences_used": len(origins),
        "mean_uses_per_pool_sentence": round(n_sentences / max(1, len(origins)), 3),
        "n_outlets": len({a.outlet for a in articles}),
        "event_sizes": {
            "min": min(e["size"] for e in events),
            "max": max(e["size"] for e in events),
        },
        "copier_share": round(len(copiers) / len(articles), 4),
        "copied_share_of_copier": {
            "min": round(min(shares), 3) if shares else None,
            "max": round(max(shares), 3) if shares else None,
        },
        "gold_pairs": {
            how: sum(p["how"] == how for p in pairs)
            for how in ("copy", "trimmed", "reordered", "pool", "indirect")
        },
        "n_planted_pairs": len(planted),
        "date_range": [
            min(a.date for a in articles).isoformat(),
            max(a.date for a in articles).isoformat(),
        ],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="number of articles")
    parser.add_argument("--out", required=True, help="folder to write (created)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--events", type=int, default=None, help="default: n / 10")
    parser.add_argument("--ecbplus", default=str(DEFAULT_ECBPLUS))
    args = parser.parse_args(argv)
    if not (Path(args.ecbplus) / "gold_events.csv").is_file():
        sys.exit(f"ECB+ not found at {args.ecbplus} (expected gold_events.csv and corpus/)")
    summary = generate(args.n, args.out, seed=args.seed, n_events=args.events, ecbplus=args.ecbplus)
    print(json.dumps(summary, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
