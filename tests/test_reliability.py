"""Reliability: one clearly named test per unusual or hostile input.

Every case either ingests, with what happened recorded in the ingest report
(``result.report``), or fails with a :class:`CorpusError` whose message names
the file or the metadata row; never a bare traceback. The pytest id names the
case (``pytest -k html-markup``). Some cases are also covered, differently, in
test_corpus.py, test_text.py, test_config.py and test_workflow.py.

Workflow-level cases (interrupted embedding, determinism across core counts,
hostile text in the HTML report, an article with nothing left after cleaning)
are marked ``slow``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from framelens.config import validate_config
from framelens.corpus import IngestResult, IngestSettings, doc_id_for, ingest_corpus
from framelens.errors import ConfigError, CorpusError, ModelError
from framelens.models import ModelSpec
from framelens.steps import run_logged
from framelens.steps.ingest import ingest
from framelens.text import normalise_text

from .conftest import ROOT, SHARED, write_metadata
from .runs import (
    CORPUS_TABLES,
    HOSTILE_SCRIPT,
    assert_no_markup_ran,
    chromium,
    copy_corpus_subset,
    dump_dom,
    snakemake,
    snakemake_command,
    snakemake_env,
    table_bytes,
    write_config,
)

ARTICLE = "The minister said talks would resume. Both sides agreed to meet again.\n"
SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
ECBPLUS = SHARED / "data" / "ecbplus" / "corpus"


def case(name: str) -> pytest.MarkDecorator:
    """Give a single test the pytest id ``name`` (select it with ``pytest -k name``)."""
    return pytest.mark.parametrize("case", [name])


def squash(text: str) -> str:
    """All non-whitespace characters of ``text``, in order."""
    return "".join(text.split())


def flag_codes(result: IngestResult, file: str) -> list[str]:
    """The flag codes the report records for one file."""
    (entry,) = [e for e in result.report["files"] if e["file"] == file]
    return [flag["code"] for flag in entry["flags"]]


def texts_of(result: IngestResult, file: str) -> list[str]:
    """The sentence texts of one file, in order."""
    doc_id = doc_id_for(file)
    return result.sentences.loc[result.sentences["doc_id"] == doc_id, "text"].tolist()


def one_file_corpus(folder: Path, text: str, **row: str) -> Path:
    """A corpus folder holding ``a.txt`` (``text`` as UTF-8) and its metadata row."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_bytes(text.encode("utf-8"))
    write_metadata(folder, [{"file": "a.txt", "outlet": "X", **row}])
    return folder


# ============================================================================ errors
#
# (files, metadata rows or None for one row per file, substrings the error must contain)

ERROR_CASES = [
    pytest.param(
        {"latin1.txt": "First line is fine.\nSecond: caf\xe9.".encode("latin-1")},
        None,
        ["latin1.txt, line 2: not valid UTF-8"],
        id="not-utf8",
    ),
    pytest.param(
        {"empty.txt": b""}, None, ["empty.txt: empty or whitespace-only article"], id="empty-file"
    ),
    pytest.param(
        {"blank.txt": " \n\t\r\n"},
        None,
        ["blank.txt: empty or whitespace-only"],
        id="empty-file-whitespace-only",
    ),
    pytest.param(
        {"image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
        None,
        ["image.txt: binary file"],
        id="binary-file",
    ),
    pytest.param(
        {"a.txt": ARTICLE, "stray.txt": ARTICLE},
        [{"file": "a.txt", "outlet": "X"}],
        ["stray.txt: not listed in metadata.csv"],
        id="missing-from-metadata",
    ),
    pytest.param(
        {"a.txt": ARTICLE},
        [{"file": "a.txt", "outlet": "X"}, {"file": "gone.txt", "outlet": "Y"}],
        ["metadata.csv, line 3: lists 'gone.txt', which is not in the corpus folder"],
        id="row-without-file",
    ),
    pytest.param(
        {"a.txt": ARTICLE},
        [{"file": "a.txt", "outlet": "X"}, {"file": "a.txt", "outlet": "Y"}],
        ["line 3: file 'a.txt' is listed twice (also line 2)"],
        id="duplicate-file-names-listed-twice",
    ),
    pytest.param(
        {"a/b.txt": ARTICLE, "a__b.txt": ARTICLE},
        None,
        ["files 'a/b.txt' (line 2) and 'a__b.txt' both get document id 'a__b'"],
        id="duplicate-file-names-same-doc-id",
    ),
    pytest.param(
        {"A.txt": ARTICLE, "a.txt": ARTICLE},
        None,
        ["files 'A.txt' (line 2) and 'a.txt'", "differ only in case"],
        id="duplicate-file-names-case",
    ),
    pytest.param(
        {"caf\u00e9.txt": ARTICLE, "cafe\u0301.txt": ARTICLE},
        None,
        ["files 'caf\u00e9.txt' (line 2) and 'cafe\u0301.txt'", "Unicode normalisation"],
        id="duplicate-file-names-unicode-normalisation",
    ),
    pytest.param(
        {"a.txt": ARTICLE},
        [{"file": "a.txt", "outlet": "X"}, {"file": "../../etc/passwd", "outlet": "Y"}],
        ["line 3: file '../../etc/passwd' points outside the corpus folder"],
        id="path-traversal-dotdot",
    ),
    pytest.param(
        {"a.txt": ARTICLE},
        [{"file": "a.txt", "outlet": "X"}, {"file": "/etc/hostname", "outlet": "Y"}],
        ["line 3: file '/etc/hostname' points outside the corpus folder"],
        id="path-traversal-absolute",
    ),
    pytest.param(
        {"a.txt": ARTICLE},
        [{"file": "a.txt", "outlet": "X", "language": "English"}],
        ["line 2: language 'English' for 'a.txt' is not a BCP-47 language tag"],
        id="unknown-language-name-not-code",
    ),
    pytest.param(
        {"a.txt": ARTICLE},
        [{"file": "a.txt", "outlet": "X", "language": "xx-??"}],
        ["line 2: language 'xx-??' for 'a.txt'"],
        id="unknown-language-malformed",
    ),
    pytest.param(
        {"a.txt": ARTICLE},
        [{"file": "a.txt", "outlet": ""}],
        ["line 2: empty 'outlet' for 'a.txt'"],
        id="unknown-outlet-empty",
    ),
    pytest.param(
        {"a.txt": ARTICLE},
        [{"file": "a.txt", "outlet": "X", "date": "21/08/2022"}],
        ["line 2: date '21/08/2022' for 'a.txt'"],
        id="bad-date",
    ),
]


@pytest.mark.parametrize(("files", "rows", "expected"), ERROR_CASES)
def test_bad_corpus_fails_naming_the_file_or_row(make_corpus, files, rows, expected):
    folder = make_corpus(files, rows)
    with pytest.raises(CorpusError) as excinfo:
        ingest_corpus(folder)
    message = str(excinfo.value)
    for part in expected:
        assert part in message


@case("path-traversal-symlink")
def test_path_traversal_symlink_out_of_the_folder_is_rejected(case, make_corpus, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Outside the corpus.\n")
    folder = make_corpus(
        {"a.txt": ARTICLE},
        rows=[{"file": "a.txt", "outlet": "X"}, {"file": "link.txt", "outlet": "Y"}],
    )
    (folder / "link.txt").symlink_to(secret)
    with pytest.raises(CorpusError, match=r"line 3: file 'link\.txt' points outside"):
        ingest_corpus(folder)


@case("unreadable-file")
def test_unreadable_file_is_named(case, make_corpus, monkeypatch):
    folder = make_corpus({"a.txt": ARTICLE, "locked.txt": ARTICLE})
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(CorpusError, match=r"locked\.txt: cannot be read \(Permission denied\)"):
        ingest_corpus(folder)


@case("metadata-not-csv")
def test_metadata_not_csv_is_named(case, make_corpus):
    folder = make_corpus({"a.txt": ARTICLE})
    (folder / "metadata.csv").write_text("file,outlet\na.txt," + "x" * 200_000 + "\n")
    with pytest.raises(CorpusError, match=r"metadata\.csv, line \d+: not a readable CSV file"):
        ingest_corpus(folder)


@case("no-bare-traceback")
def test_corpus_error_in_the_ingest_step_is_one_line_not_a_traceback(case, make_corpus, tmp_path):
    folder = make_corpus({"a.txt": ARTICLE, "b.txt": b"\x00\x01"})
    log = tmp_path / "ingest.log"
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as excinfo:
        run_logged(
            str(log),
            ingest,
            corpus=str(folder),
            settings=IngestSettings(),
            documents=str(out / "d.parquet"),
            sentences=str(out / "s.parquet"),
            report=str(out / "r.json"),
        )
    assert excinfo.value.code == 1
    text = log.read_text()
    assert "b.txt: binary file" in text
    assert "Traceback" not in text
    assert not out.exists()


# ============================================================================ metadata variants


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"bom": True}, id="metadata-bom"),
        pytest.param({"crlf": True}, id="metadata-crlf"),
        pytest.param({"bom": True, "crlf": True}, id="metadata-bom-and-crlf"),
    ],
)
def test_metadata_encoding_variants_are_read(make_corpus, options):
    rows = [{"file": "a.txt", "outlet": "X", "date": "2022-08-01", "title": "T"}]
    result = ingest_corpus(make_corpus({"a.txt": ARTICLE}, rows=rows, **options))
    doc = result.documents.iloc[0]
    assert (doc["file"], doc["outlet"], doc["date"], doc["title"]) == (
        "a.txt",
        "X",
        "2022-08-01",
        "T",
    )


@case("metadata-extra-columns")
def test_metadata_extra_columns_are_tolerated(case, make_corpus):
    rows = [{"section": "world", "file": "a.txt", "wordcount": "12", "outlet": "X"}]
    result = ingest_corpus(make_corpus({"a.txt": ARTICLE}, rows=rows))
    assert result.documents["outlet"].tolist() == ["X"]
    assert flag_codes(result, "a.txt") == []


# ============================================================================ articles that work


@case("10mb-single-line")
def test_10mb_single_line_ingests_and_sentences_reconstruct_it(case, tmp_path):
    parts, size, i = [], 0, 0
    while size < 10_000_000:
        sentence = f"Report {i} says the minister met Mr. Smith at 10.30 in the U.S. capital. "
        parts.append(sentence)
        size += len(sentence)
        i += 1
    text = "".join(parts)
    assert "\n" not in text and len(text) >= 10_000_000
    result = ingest_corpus(one_file_corpus(tmp_path / "c", text))
    sentences = result.sentences["text"].tolist()
    assert len(sentences) == len(parts)
    assert squash("".join(sentences)) == squash(text)
    assert result.documents["n_chars"].item() == len(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "© 2022 The Associated Press. All rights reserved.\n",
            id="no-sentence-after-cleaning-copyright-only",
        ),
        pytest.param(
            "<div><p></p><script>var x = 1;</script></div>\n",
            id="no-sentence-after-cleaning-markup-only",
        ),
        pytest.param(
            "(Reporting by Jane Doe; Editing by John Roe)\n",
            id="no-sentence-after-cleaning-credit-only",
        ),
    ],
)
def test_no_sentence_after_cleaning_is_flagged_no_content(make_corpus, text):
    result = ingest_corpus(make_corpus({"a.txt": text, "b.txt": ARTICLE}))
    assert "no_content" in flag_codes(result, "a.txt")
    assert result.documents.set_index("file").loc["a.txt", "n_content_sentences"] == 0
    assert "no_content" not in flag_codes(result, "b.txt")


HTML_ARTICLE = (
    "<html><head><title>Leaders meet</title><style>p { color: red }</style></head><body>\n"
    "<p>Serbia &amp; Kosovo leaders met in Brussels.<br/>Talks were &quot;tough&quot;.</p>"
    "<p>Officials said 3 < 5 and fans sent <3 online.</p>\n"
    "<script>document.title='pwned';window.__pwned=1</script>"
    "<img src=x onerror=\"document.title='pwned'\"><!-- tracking pixel -->"
    "<p>The EU&#8217;s envoy will return on Monday.</p></body></html>\n"
)


@case("html-markup")
def test_html_markup_is_converted_to_text_and_recorded(case, make_corpus):
    result = ingest_corpus(make_corpus({"a.txt": HTML_ARTICLE}))
    sentences = texts_of(result, "a.txt")
    assert sentences == [
        "Leaders meet",
        "Serbia & Kosovo leaders met in Brussels.",
        'Talks were "tough".',
        "Officials said 3 < 5 and fans sent <3 online.",
        "The EU\u2019s envoy will return on Monday.",
    ]
    (entry,) = result.report["files"]
    (flag,) = [f for f in entry["flags"] if f["code"] == "html_stripped"]
    removed = [item["text"] for item in entry["removed"]]
    assert flag["count"] == len(removed)
    assert "<script>document.title='pwned';window.__pwned=1</script>" in removed
    assert "<style>p { color: red }</style>" in removed
    assert "<img src=x onerror=\"document.title='pwned'\">" in removed
    assert {"&amp;", "&quot;", "&#8217;", "<!-- tracking pixel -->", "<br/>"} <= set(removed)
    assert not any("pwned" in s or "<p>" in s for s in result.sentences["text"])


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "If a < b and c > d the model fails. Fans sent <3 to x<y and z>w.",
            id="html-markup-lookalike-prose",
        ),
        pytest.param(
            "AT&T said Q&A sessions &c. continue. The <Reuters> tag is unknown.",
            id="html-markup-lookalike-ampersands",
        ),
    ],
)
def test_prose_that_only_looks_like_markup_is_kept(make_corpus, text):
    result = ingest_corpus(make_corpus({"a.txt": text}))
    assert squash(" ".join(texts_of(result, "a.txt"))) == squash(text)
    assert "html_stripped" not in flag_codes(result, "a.txt")


RTL_CASES = [
    pytest.param(
        "اجتمع قادة صربيا وكوسوفو في بروكسل يوم الخميس. وقال الاتحاد الأوروبي إن المحادثات "
        "كانت صعبة. هل ستستأنف المحادثات الأسبوع المقبل؟ لم يتم تحديد موعد بعد.",
        "ar",
        4,
        id="rtl-text-arabic",
    ),
    pytest.param(
        "מנהיגי סרביה וקוסובו נפגשו בבריסל ביום חמישי. האיחוד האירופי אמר כי השיחות היו קשות. "
        "\u200fמועד חדש טרם נקבע.",
        "he",
        3,
        id="rtl-text-hebrew",
    ),
]
CJK_CASES = [
    pytest.param(
        "塞尔维亚和科索沃领导人周四在布鲁塞尔会面。欧盟表示会谈很艰难！下周会继续谈判吗？",
        "zh",
        3,
        id="cjk-text-chinese",
    ),
    pytest.param(
        "セルビアとコソボの首脳がブリュッセルで会談した。協議は難航している。来週も続く予定だ。",
        "ja",
        3,
        id="cjk-text-japanese",
    ),
    pytest.param(
        "세르비아와 코소보 정상이 브뤼셀에서 만났다. 회담은 어려웠다. 다음 주에 다시 만난다.",
        "ko",
        3,
        id="cjk-text-korean",
    ),
]


@pytest.mark.parametrize(("text", "language", "n_sentences"), RTL_CASES + CJK_CASES)
def test_rtl_and_cjk_text_give_sentences_and_detected_language(
    make_corpus, text, language, n_sentences
):
    result = ingest_corpus(make_corpus({"a.txt": text}))
    sentences = texts_of(result, "a.txt")
    assert len(sentences) == n_sentences
    assert squash("".join(sentences)) == squash(text)
    doc = result.documents.iloc[0]
    assert (doc["language"], doc["language_source"]) == (language, "detected")
    assert flag_codes(result, "a.txt") == []


@pytest.mark.parametrize(
    ("outlet", "flagged"),
    [
        pytest.param("Novi Sad Daily Courier", False, id="unknown-outlet-any-name"),
        pytest.param("unattributed", False, id="unknown-outlet-unattributed"),
        pytest.param("!!! ---", True, id="unknown-outlet-only-punctuation"),
        pytest.param("Outlet " * 20, True, id="unknown-outlet-too-long"),
        pytest.param("<img src=x onerror=alert(1)>", True, id="unknown-outlet-markup"),
    ],
)
def test_unknown_outlet_is_kept_and_odd_ones_are_flagged(make_corpus, outlet, flagged):
    result = ingest_corpus(
        make_corpus({"a.txt": ARTICLE}, rows=[{"file": "a.txt", "outlet": outlet}])
    )
    assert result.documents["outlet"].item() == outlet.strip()
    assert ("outlet_unusual" in flag_codes(result, "a.txt")) is flagged


@pytest.mark.parametrize(
    "code",
    ["sw", "tlh", "sr-Latn", "zh-Hant-TW", "es-419", "und", "EN"],
    ids=lambda code: f"unknown-language-well-formed-{code}",
)
def test_unknown_language_code_that_is_well_formed_is_kept(make_corpus, code):
    rows = [{"file": "a.txt", "outlet": "X", "language": code}]
    result = ingest_corpus(make_corpus({"a.txt": ARTICLE}, rows=rows))
    doc = result.documents.iloc[0]
    assert (doc["language"], doc["language_source"]) == (code, "metadata")


# ============================================================================ config


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            {"random_state": "forty-two"},
            "config key random_state",
            id="config-wrong-type-random-state",
        ),
        pytest.param({"corpus": 42}, "config key corpus", id="config-wrong-type-corpus"),
        pytest.param(
            {"models": {"m": {"kind": "tfidf", "batch_size": "big"}}},
            "config key models.m.batch_size",
            id="config-wrong-type-batch-size",
        ),
        pytest.param(
            {"models": {"m": {"kind": "tfidf", "trust_remote_code": "yes"}}},
            "config key models.m.trust_remote_code",
            id="config-wrong-type-trust-remote-code",
        ),
        pytest.param({"ingest": []}, "config key ingest", id="config-wrong-type-ingest"),
    ],
)
def test_config_wrong_type_names_the_key(change, message):
    config = {**yaml.safe_load((ROOT / "config" / "config.yaml").read_text()), **change}
    with pytest.raises(ConfigError) as excinfo:
        validate_config(config, SCHEMA)
    assert message in str(excinfo.value)


@case("unknown-model")
def test_unknown_model_names_the_key_and_lists_alternatives(case):
    config = {
        **yaml.safe_load((ROOT / "config" / "config.yaml").read_text()),
        "models": {"mpnet": {"kind": "package", "name": "all-mpnet-base-v2"}},
    }
    with pytest.raises(ModelError, match=r"models\.mpnet\.name: 'all-mpnet-base-v2'.*Available"):
        validate_config(config, SCHEMA)


# ============================================================================ properties

_FRAGMENTS = st.sampled_from(
    [
        *"aZé1 .!?…。؟,;:\n\r\t\u00a0\ufeff”\"’')]([“«@#-—<>&;/=",
        " date 2022-08-21 (AP) -- ",
        "BRUSSELS (AP) — ",
        "Mr.",
        "U.S.",
        "The",
        " he",
        "\n\n",
        "<p>",
        "</p>",
        "<br/>",
        "<BR>",
        '<div class="x">',
        "</div>",
        "<td>",
        "<li>",
        "<script>if (a<b) x='</p>';</script>",
        "<style>p{}</style>",
        "<script>",
        "</script>",
        "<img src=x onerror=\"document.title='pwned'\">",
        "<a href='/x'>",
        "</a>",
        "<!-- c -->",
        "<!--",
        "<!DOCTYPE html>",
        "<?xml v?>",
        "&amp;",
        "&lt;p&gt;",
        "&#8212;",
        "&#x0d;",
        "&#0;",
        "&nbsp;",
        "&bogus;",
        "a < b",
        "<3",
        "x<y and z>",
        "c\u0301",
        "©2022 X.",
        "pic.twitter.com/x",
        "你好。",
        "مرحبا.",
        "שלום.",
    ]
)
_ANY_TEXT = st.one_of(st.text(), st.lists(_FRAGMENTS, max_size=50).map("".join))


def ingest_text(text: str) -> tuple[IngestResult | None, str]:
    """Ingest ``text`` as a one-file corpus in a fresh temporary folder.

    Returns the result (``None`` when ingest refused the file, which must then be empty,
    whitespace-only or binary) and the error message, if any.
    """
    with tempfile.TemporaryDirectory() as tmp:
        try:
            return ingest_corpus(one_file_corpus(Path(tmp) / "c", text)), ""
        except CorpusError as error:
            return None, str(error)


def reconstruct(entry: dict[str, Any], sentences: pd.DataFrame) -> str:
    """The normalised article, rebuilt from its sentences and the report's ``removed`` list.

    Sentences sit at ``body_offset + char_start`` in the cleaned text, the header at its
    ``at``; whitespace between them is unknown (a space stands for it). Then every markup
    item is put back in place of its ``replacement``, last first.
    """
    chars: dict[int, str] = {}

    def place(at: int, text: str) -> None:
        chars.update((at + i, c) for i, c in enumerate(text))

    markup = [item for item in entry["removed"] if item["what"] != "header"]
    for item in entry["removed"]:
        if item["what"] == "header":
            place(item["at"], item["text"])
    for start, text in zip(sentences["char_start"], sentences["text"], strict=True):
        if start >= 0:  # -1: a headline taken from the title, not in the text
            place(entry["body_offset"] + int(start), text)
    length = max([0, *(k + 1 for k in chars), *(m["at"] + len(m["replacement"]) for m in markup)])
    cleaned = "".join(chars.get(i, " ") for i in range(length))
    for item in reversed(markup):
        at = item["at"]
        cleaned = cleaned[:at] + item["text"] + cleaned[at + len(item["replacement"]) :]
    return cleaned


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ANY_TEXT)
@example(HTML_ARTICLE)
@example(" date 2022-08-21 (AP) -- <p>Serbia &amp; Kosovo.</p> ©2022 AP.")
@example("<p> date 2022-08-21 (AP) -- Talks.</p>")
@example("&lt;script&gt;x&lt;/script&gt; &#13;&#0; e&#769;")
@example("\ufeff")
@case("nothing-lost")
def test_nothing_lost_property(case, raw: str) -> None:
    result, error = ingest_text(raw)
    if result is None:
        assert "a.txt" in error
        assert not raw.strip() or "\x00" in raw
        return
    report = json.loads(json.dumps(result.report))  # what the report file says
    (entry,) = report["files"]
    rebuilt = reconstruct(entry, result.sentences)
    assert squash(rebuilt) == squash(normalise_text(raw))
    html_flags = [f for f in entry["flags"] if f["code"] == "html_stripped"]
    n_markup = sum(item["what"] != "header" for item in entry["removed"])
    assert (html_flags[0]["count"] if html_flags else 0) == n_markup


@settings(max_examples=50, deadline=None)
@given(_ANY_TEXT)
@case("idempotent-same-folder-twice")
def test_idempotent_same_folder_twice(case, raw: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = one_file_corpus(Path(tmp) / "c", raw)
        try:
            first = ingest_corpus(folder)
        except CorpusError as error:
            with pytest.raises(CorpusError) as again:
                ingest_corpus(folder)
            assert str(again.value) == str(error)
            return
        second = ingest_corpus(folder)
    pd.testing.assert_frame_equal(first.documents, second.documents)
    pd.testing.assert_frame_equal(first.sentences, second.sentences)
    assert first.report == second.report


_WORDS = st.sampled_from(
    [
        "the",
        "minister",
        "said",
        "talks",
        "would",
        "resume",
        "in",
        "Brussels",
        "on",
        "Monday",
        "and",
        "Serbia",
        "Kosovo",
        "EU",
        "envoy",
        "1.8",
        "million",
        "Mr.",
        "Vucic",
        "U.S.",
        "plan",
        "“not",
        "enough”",
        "(AP)",
        "leaders,",
        "agreed",
    ]
)
_SENTENCE = st.builds(
    lambda first, rest, end: " ".join([first, *rest]) + end,
    st.sampled_from(["The", "Officials", "Serbia", "He", "In", "Talks", "“We", "Mr. Kurti"]),
    st.lists(_WORDS, min_size=1, max_size=12),
    st.sampled_from([".", "!", "?", ".”", '?"']),
)
_HEADING = st.lists(
    st.sampled_from(["Serbia", "Kosovo", "Talks", "Resume", "Plates"]), min_size=1, max_size=5
).map(" ".join)
_PARAGRAPH = st.one_of(_HEADING, st.lists(_SENTENCE, min_size=1, max_size=4).map(" ".join))
_NEWS = st.builds(
    lambda paragraphs, html: "\n\n".join(f"<p>{p}</p>" if html else p for p in paragraphs),
    st.lists(_PARAGRAPH, min_size=1, max_size=6),
    st.booleans(),
)


def content_sentences(result: IngestResult) -> list[str]:
    """Texts of the sentences that are neither boilerplate nor repeats."""
    sents = result.sentences
    return sents.loc[~sents["boilerplate"] & sents["duplicate_of"].isna(), "text"].tolist()


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (line breaks included) made one space."""
    return " ".join(text.split())


@settings(max_examples=150, deadline=None)
@given(_NEWS)
@example("Plates\n\nTalks resume in the U.S.\n\nOfficials said so.")
@example("<p>Talks Resume</p>\n\n<p>Officials said the EU envoy met Mr. Vucic.</p>")
@case("idempotent-reingest-content-sentences")
def test_idempotent_reingesting_content_sentences(case, raw: str) -> None:
    """The content sentences, written one per paragraph, ingest to themselves.

    One per paragraph, not one per line: a line break after an abbreviation is a soft wrap by
    design ("in the U.S.\nOfficials said" is one sentence), so a file with one sentence a line
    cannot tell "U.S." ending a sentence from "U.S." inside one.
    """
    first, _ = ingest_text(raw)
    assert first is not None
    content = [one_line(text) for text in content_sentences(first)]
    again, _ = ingest_text("\n\n".join(content))
    assert again is not None
    assert again.sentences["text"].tolist() == content
    assert content_sentences(again) == content


# ============================================================================ untrusted code paths

_FORBIDDEN = {
    "pickle": re.compile(r"\bimport\s+(?:c?pickle|dill|joblib)\b|\bpickle\.(?:loads?|dumps?)\b"),
    "allow-pickle-true": re.compile(r"allow_pickle\s*=\s*True"),
    "eval": re.compile(r"(?<![\w.])eval\("),
    "exec": re.compile(r"(?<![\w.])exec\("),
    "shell-true": re.compile(r"shell\s*=\s*True"),
    "torch-load": re.compile(r"\btorch\.load\("),
}


def source_files() -> list[Path]:
    """Python sources of the package and the workflow."""
    files = [
        *sorted((ROOT / "src").rglob("*.py")),
        *sorted((ROOT / "workflow").rglob("*.py")),
        *sorted((ROOT / "workflow").rglob("*.smk")),
        ROOT / "Snakefile",
    ]
    assert len(files) > 10
    return files


@pytest.mark.parametrize("name", sorted(_FORBIDDEN), ids=lambda n: f"no-{n}")
def test_no_code_path_deserialises_or_evaluates_untrusted_data(name):
    pattern = _FORBIDDEN[name]
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in source_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert hits == []


@case("no-pickle-npz-loads")
def test_every_npz_load_refuses_pickle(case):
    loads = [
        (path, line)
        for path in source_files()
        for line in path.read_text(encoding="utf-8").splitlines()
        if "np.load(" in line
    ]
    assert loads, "expected np.load calls in the package"
    for path, line in loads:
        assert "allow_pickle=False" in line, f"{path}: {line.strip()}"


@case("trust-remote-code-off")
def test_trust_remote_code_defaults_to_false(case):
    spec = ModelSpec.from_config("m", {"kind": "sentence-transformers", "name": "org/model"})
    assert spec.trust_remote_code is False
    schema = yaml.safe_load(SCHEMA.read_text())
    model_schema = schema["properties"]["models"]["additionalProperties"]
    assert model_schema["properties"]["trust_remote_code"]["default"] is False
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    assert not any(entry.get("trust_remote_code") for entry in config["models"].values())


# ============================================================================ workflow (slow)
# The runs (hostile_run, hostile_corpus) are session fixtures in conftest.py, the helpers
# in runs.py: test_explorer.py reuses both.


@pytest.mark.slow
@case("no-sentence-after-cleaning-workflow")
def test_no_sentence_after_cleaning_workflow_finishes_and_flags_it(case, hostile_run):
    report = json.loads((hostile_run / "results/corpus/ingest_report.json").read_text())
    (entry,) = [e for e in report["files"] if e["file"] == "900_copyright_only.txt"]
    assert "no_content" in [flag["code"] for flag in entry["flags"]]
    for model in ("minilm", "tfidf"):
        table = pd.read_csv(hostile_run / f"results/{model}/doc_similarity.csv", index_col=0)
        assert table.loc["900_copyright_only"].isna().all()  # nothing to compare: NaN
        assert table.drop(index="900_copyright_only").notna().any(axis=None)
        assert (hostile_run / f"results/{model}/figures/doc_similarity.png").stat().st_size


@pytest.mark.slow
@case("determinism-cores")
def test_determinism_cores_1_and_2_give_identical_tables(
    case, hostile_run, hostile_corpus, tmp_path
):
    """Every table and the explorer, from a fresh cache (the figures are not built)."""
    workdir, cache = tmp_path / "run_cores1", tmp_path / "cache_cores1"
    write_config(workdir, hostile_corpus)  # same corpus path: it is in ingest_report.json
    tables = table_bytes(hostile_run)
    assert {f"results/{m}/doc_similarity.csv" for m in ("minilm", "tfidf")} <= set(tables)
    targets = {"results/explorer" if n.startswith("results/explorer/") else n for n in tables}
    done = snakemake(workdir, "--cores", "1", *sorted(targets), cache=cache)
    assert done.returncode == 0, done.stderr[-3000:]
    assert table_bytes(workdir) == tables


@pytest.mark.parametrize(
    ("ci", "outcome"),
    [("true", pytest.fail.Exception), ("", pytest.skip.Exception)],
    ids=["chromium-missing-in-ci-fails", "chromium-missing-locally-skips"],
)
def test_missing_chromium_fails_in_ci_and_skips_locally(monkeypatch, ci, outcome):
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome):
        chromium()


def embedded_results(html: str) -> list[tuple[str, str]]:
    """``(mime type, decoded text)`` of every base64 data URI in a Snakemake report."""
    found = []
    for match in re.finditer(r"data:([\w.+-]+/[\w.+-]+)((?:;[\w.=-]+)*);base64,([\w+/=]+)", html):
        data = base64.b64decode(match.group(3))
        found.append((match.group(1), data.decode("utf-8", errors="replace")))
    return found


@pytest.mark.slow
@case("untrusted-text-report")
def test_untrusted_text_report_never_runs_article_markup(case, hostile_run, tmp_path):
    browser = chromium()
    report = hostile_run / "results/report.html"
    html = report.read_text(encoding="utf-8")
    assert "<img src=x onerror=" not in html
    assert HOSTILE_SCRIPT not in html
    dom = dump_dom(browser, report, tmp_path / "profile")
    assert '<div id="app">' in dom  # the report's app rendered
    assert_no_markup_ran(dom)
    # Results holding the article text are embedded as data, in types a browser shows as
    # text; open each as a reader clicking its link in the report would.
    hostile = [(mime, text) for mime, text in embedded_results(html) if "pwned" in text]
    assert hostile, "the ingest report should carry the article's markup (as data)"
    for number, (mime, text) in enumerate(hostile):
        assert mime in {"application/json", "text/csv", "text/plain", "image/png"}, mime
        page = tmp_path / f"result-{number}.{mime.split('/')[1]}"
        page.write_text(text, encoding="utf-8")
        assert_no_markup_ran(dump_dom(browser, page, tmp_path / f"profile-{number}"))


@pytest.mark.slow
@case("interrupted-embedding")
def test_interrupted_embedding_leaves_nothing_half_written(case, tmp_path):
    """SIGKILL the whole Snakemake process group while MiniLM encodes, then rerun.

    After a kill Snakemake's lock stays behind, so the rerun needs ``--unlock`` first. It needs
    no ``--rerun-incomplete``: the killed job never wrote an output (outputs are written to a
    temporary file and renamed), so nothing half-written is there to be mistaken for finished.
    """
    if not ECBPLUS.is_dir():
        pytest.skip(f"benchmark data not found at {ECBPLUS}")
    corpus = copy_corpus_subset(ECBPLUS, tmp_path / "corpus", lambda number, _row: number < 100)
    targets = [*CORPUS_TABLES, "results/minilm/doc_similarity.csv"]
    reference, reference_cache = tmp_path / "reference", tmp_path / "cache_reference"
    write_config(reference, corpus, ["minilm"])
    done = snakemake(reference, "--cores", "2", *targets, cache=reference_cache)
    assert done.returncode == 0, done.stderr[-3000:]

    killed, cache = tmp_path / "killed", tmp_path / "cache_killed"
    write_config(killed, corpus, ["minilm"])
    kill_while_encoding(killed, cache, targets)
    for output in ("results/minilm/sentence_vectors.npz", "results/minilm/embedding.json"):
        assert not (killed / output).exists() or marked_incomplete(killed, output), output
    for shard in cache.rglob("shard-*.npz"):
        with np.load(shard, allow_pickle=False) as data:
            assert len(data["keys"]) == len(data["vectors"])
    # a leftover temporary file is never read: plant a corrupt one where the shards go
    (fingerprint,) = [p.name for p in reference_cache.iterdir()]
    (cache / fingerprint).mkdir(parents=True, exist_ok=True)
    (cache / fingerprint / ".shard-0000000000000000.npz.abc123.part").write_bytes(b"PK\x03junk")

    locked = snakemake(killed, "--cores", "2", *targets, cache=cache)
    assert locked.returncode != 0 and "cannot be locked" in locked.stderr
    assert snakemake(killed, "--unlock", cache=cache).returncode == 0
    rerun = snakemake(killed, "--cores", "2", *targets, cache=cache)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert table_bytes(killed, targets) == table_bytes(reference, targets)


def kill_while_encoding(workdir: Path, cache: Path, targets: list[str]) -> None:
    """Start Snakemake, wait until the MiniLM embed shard job logs "encoding", SIGKILL its
    group."""
    log = workdir / "results/logs/embed_shard/minilm-0.log"
    process = subprocess.Popen(
        snakemake_command(workdir, "--cores", "2", *targets),
        env=snakemake_env(cache),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while not (log.is_file() and "encoding" in log.read_text(errors="replace")):
            assert process.poll() is None, "snakemake ended before the embed job encoded"
            assert time.monotonic() < deadline, "the embed job never started encoding"
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def marked_incomplete(workdir: Path, output: str) -> bool:
    """True when Snakemake's metadata marks ``output`` as incomplete (its job was killed)."""
    name = base64.b64encode(output.encode()).decode()
    return (workdir / ".snakemake" / "incomplete" / name).exists()
