"""Issue 10: selective analysis, batched multi-process ingest, crash safety, reprocess."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

VEILLE = Path(sys.executable).with_name("veille")

COUNTRIES = [
    ("la France", "l'Inde"),
    ("la Russie", "la Turquie"),
    ("les États-Unis", "la Pologne"),
    ("la Corée du Sud", "la Pologne"),
    ("l'Allemagne", "l'Ukraine"),
]
SYSTEMS = ["Rafale", "S-400", "Abrams", "K2", "Leopard 2"]
MONTHS = ["janvier", "mars", "mai", "juillet", "septembre", "novembre"]
FILLER = [
    "La météo était clémente sur la côte ce jour-là et les marchés restaient calmes.",
    "Les commentateurs ont longuement évoqué la saison touristique à venir.",
    "Le trafic ferroviaire a été perturbé dans la matinée par une grève locale.",
    "Une exposition de peinture ouvre ses portes au public la semaine prochaine.",
]


def _article(i: int) -> str:
    """A short article of our own, varied by its index (state pair, system, figures, date)."""
    supplier, recipient = COUNTRIES[i % len(COUNTRIES)]
    system = SYSTEMS[(i // 5) % len(SYSTEMS)]
    day, month, year = 1 + i % 27, MONTHS[i % len(MONTHS)], 2010 + i % 13
    filler = " ".join(FILLER[(i + k) % len(FILLER)] for k in range(2))
    return (
        f"Livraison numéro {i}\n\n"
        f"Le {day} {month} {year}, {supplier} a livré {3 + i % 40} {system} à {recipient}, "
        f"pour un montant de {100 + i} millions d'euros. {filler}\n\n"
        f"Le contrat avait été signé {1 + i % 9} ans plus tôt, selon le ministère. "
        f"Le dossier {i} reste ouvert.\n"
    )


def _write_corpus(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"art{i:04d}.txt").write_text(_article(i), encoding="utf-8")
    return folder


def _rows(db: str) -> dict[str, tuple[object, ...]]:
    """Per stored document: its content and the size of its extraction."""
    con = sqlite3.connect(db)
    try:
        out = {}
        for doc_id, chash, done in con.execute("SELECT id, content_hash, consolidated FROM documents"):
            counts = tuple(
                con.execute(f"SELECT COUNT(*) FROM {table} WHERE doc_id = ?", (doc_id,)).fetchone()[0]
                for table in ("sentences", "mentions", "timexes", "events")
            )
            out[doc_id] = (chash, done, *counts)
        return out
    finally:
        con.close()


def _deals(db: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(db)
    try:
        return sorted(con.execute("SELECT id, latest_stage, n_sources FROM deals"))
    finally:
        con.close()


def test_conjugated_and_inflected_triggers_are_recognised_before_any_model(nlp) -> None:  # type: ignore[no-untyped-def]
    from veille.nlp.selective import is_trigger

    for word in ("livrées", "livrera", "Achètera", "signé", "rencontrés", "sanctionnée", "commandes", "exercices"):
        assert is_trigger(word), word
    for word in ("chaise", "météo", "peinture", "calmes"):
        assert not is_trigger(word), word


def test_only_relevant_sentences_are_parsed_and_text_is_whole(nlp) -> None:  # type: ignore[no-untyped-def]
    from veille.nlp import parse
    from veille.nlp.selective import analyse

    body = (
        "La météo était clémente sur la côte ce jour-là.\n\n"
        "En mars 2021, la France a livré trois Rafale à l'Inde.\n\n"
        "Une exposition de peinture ouvre demain au public."
    )
    (doc,) = analyse([body])
    full = parse(body)
    assert doc.text == body
    assert [(s.start, s.end) for s in doc.sents] == [(s.start, s.end) for s in full.sents]
    first, second, third = list(doc.sents)
    assert all(t.pos_ == "" and t.dep_ == "" for t in first)  # no trigger, no system: never parsed
    assert all(t.pos_ == "" for t in third)
    assert [t.lemma_ for t in second] == [t.lemma_ for t in list(full.sents)[1]]
    assert [(t.dep_, t.head.i) for t in second] == [(t.dep_, t.head.i) for t in list(full.sents)[1]]


def test_skipped_sentences_change_no_document_result(analyse) -> None:  # type: ignore[no-untyped-def]
    """The selective path gives the same facts as parsing everything, on a text of our own."""
    from veille.extract import extract
    from veille.link import link
    from veille.nlp import load, parse, tag

    text = (
        "Rafale : nouvelle livraison\n\n"
        "Le 3 mai 2022, la France a livré six Rafale à la Grèce, a indiqué le ministère des Armées. "
        "La météo était clémente ce jour-là sur la base de Tanagra.\n\n"
        "Le contrat, d'un montant de 2,5 milliards d'euros, avait été signé à Athènes en janvier 2021. "
        "Une exposition de peinture ouvre ses portes au public la semaine prochaine.\n"
    )
    result = analyse(text)
    body = result.clean.body
    doc = parse(body)
    timexes = tag(body, result.clean.published)
    mentions = link(doc, load(), result.clean.published, result.clean.inferred_year)
    events = extract(doc, mentions, timexes, result.clean.published)
    assert [(m.start, m.end, m.entity_id) for m in result.mentions] == [(m.start, m.end, m.entity_id) for m in mentions]
    assert [(e.key(), e.when, e.modality) for e in result.events] == [(e.key(), e.when, e.modality) for e in events]
    assert any(e.type == "ARMS_TRANSFER" for e in events)


def test_fingerprint_changes_with_a_knowledge_base_edit(tmp_path: Path) -> None:
    from veille.batch import fingerprint, fingerprint_of
    from veille.resources import DATA

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    src = Path(__file__).resolve().parents[1] / "src" / "veille"
    before = fingerprint_of(data, src, "m")
    assert fingerprint_of(data, src, "m") == before
    with (data / "kb" / "systems.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("\n")
    assert fingerprint_of(data, src, "m") != before
    assert fingerprint_of(DATA, src, "m") == before
    assert len(fingerprint()) == 16


@pytest.mark.slow
def test_two_workers_store_what_one_worker_stores(tmp_path: Path) -> None:
    from veille.pipeline import ingest_paths

    folder = tmp_path / "in"
    folder.mkdir()
    for path in sorted((EXAMPLES / "corpus").glob("*.txt"))[:6]:
        shutil.copy(path, folder / path.name)
    one, two = str(tmp_path / "one.db"), str(tmp_path / "two.db")
    report = ingest_paths([folder], one, workers=1, batch_size=2)
    ingest_paths([folder], two, workers=2, batch_size=2)
    assert len(report.processed) == 6
    assert _rows(one) == _rows(two)
    assert _deals(one) == _deals(two)


@pytest.mark.slow
def test_sigkill_mid_ingest_then_rerun_stores_each_document_once_and_complete(tmp_path: Path) -> None:
    from veille.pipeline import ingest_paths

    n = 300
    corpus = _write_corpus(tmp_path / "corpus", n)
    reference = str(tmp_path / "reference.db")
    ingest_paths([corpus], reference, workers=1)
    expected = _rows(reference)
    assert len(expected) == n

    db = str(tmp_path / "killed.db")
    cmd = [str(VEILLE), "ingest", str(corpus), "--db", db, "--workers", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stored = 0
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        if os.path.exists(db):
            try:
                con = sqlite3.connect(db, timeout=1)
                stored = con.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
                con.close()
            except sqlite3.OperationalError:
                continue  # schema not created yet
            if stored >= 64:
                break
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL, "the ingest finished before it could be killed"
    assert 0 < len(_rows(db)) < n  # killed mid-run: some batches stored, not all

    again = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert again.returncode == 0, again.stderr
    assert "already stored" in again.stdout
    assert _rows(db) == expected  # every document once, with all its rows, and consolidated
    assert _deals(db) == _deals(reference)


@pytest.mark.slow
def test_reprocess_redoes_only_stale_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import veille.reprocess as rp
    from veille.pipeline import ingest_paths

    corpus = _write_corpus(tmp_path / "corpus", 4)
    db = str(tmp_path / "store.db")
    ingest_paths([corpus], db, workers=1)
    before = _rows(db)
    deals = _deals(db)

    report = rp.reprocess(db, workers=1)
    assert report.reprocessed == [] and report.current == 4  # nothing changed: nothing redone

    con = sqlite3.connect(db)
    con.execute("UPDATE documents SET extracted_with = 'older-rules' WHERE id = 'art0002'")
    con.execute("DELETE FROM events WHERE doc_id = 'art0002'")  # what the older rules found
    con.commit()
    con.close()
    report = rp.reprocess(db, workers=1)
    assert report.reprocessed == ["art0002"]
    assert _rows(db) == before
    assert _deals(db) == deals

    monkeypatch.setattr(rp, "fingerprint", lambda: "new-knowledge-base")
    report = rp.reprocess(db, workers=1)
    assert sorted(report.reprocessed) == sorted(before)
    assert rp.reprocess(db, workers=1).reprocessed == []
    assert len(rp.reprocess(db, everything=True, workers=1).reprocessed) == 4


def test_reprocess_command_reports_what_it_did(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from veille.cli import app
    from veille.store import open_store

    db = str(tmp_path / "empty.db")
    open_store(db)
    result = CliRunner().invoke(app, ["reprocess", "--db", db, "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "0 reprocessed, 0 already current" in result.output


def test_mentions_decide_for_meeting_and_sanction_words(nlp) -> None:  # type: ignore[no-untyped-def]
    """A meeting word with nobody named, a sanction word with no side: nothing to read, no parse."""
    from veille.link import link
    from veille.nlp.selective import analyse_linked

    body = (
        "La discussion a été longue et les restrictions nombreuses.\n\n"
        "Emmanuel Macron a rencontré Narendra Modi à New Delhi.\n\n"
        "Washington a imposé des sanctions à Ankara."
    )
    ((doc, mentions),) = analyse_linked([body], lambda d: link(d, nlp, None, None))
    first, second, third = list(doc.sents)
    assert all(t.pos_ == "" for t in first)
    assert all(t.pos_ != "" for t in second if not t.is_space)
    assert all(t.pos_ != "" for t in third if not t.is_space)
    assert {m.entity_id for m in mentions} >= {"USA", "TUR"}


def test_only_sentences_with_an_unknown_name_go_through_ner(nlp) -> None:  # type: ignore[no-untyped-def]
    """NER runs where a name may hide, and a person unknown to the KB is still found there."""
    from veille.nlp.selective import analyse, plan, sentence_bounds, tokenize

    body = (
        "Le Premier ministre a salué mardi la Défense nationale.\n\n"
        "La Grèce a reçu les avions.\n\n"
        "Le général Kostas Vrontakis a inspecté la base."
    )
    doc = tokenize(body)
    assert plan(doc, nlp, sentence_bounds(doc)).ner == [False, False, True]
    (analysed,) = analyse([body])
    assert [(e.text, e.label_) for e in analysed.ents] == [("Kostas Vrontakis", "PER")]


def test_array_lemmatizer_gives_spacys_lemmas(nlp) -> None:  # type: ignore[no-untyped-def]
    """The per-(word, POS) lemma cache writes exactly what spaCy's lemmatizer writes."""
    from veille.nlp.selective import PARSE_COMPONENTS, lemmatize

    text = (
        "Les batteries livrées en 2021 étaient attendues ; Ankara achètera d'autres systèmes. "
        "Les ministres se sont entretenus, puis ont signé les contrats qu'ils avaient négociés."
    )
    docs = [nlp.make_doc(text)]
    for name in PARSE_COMPONENTS:
        docs = list(nlp.get_pipe(name).pipe(docs))
    theirs = nlp.get_pipe("lemmatizer")(docs[0].copy())
    lemmatize(docs)
    assert [t.lemma_ for t in docs[0]] == [t.lemma_ for t in theirs]
    assert {"livrer", "acheter", "entretenir", "signer"} <= {t.lemma_ for t in docs[0]}


def test_numpy_blas_gives_the_parses_of_spacys_default_ops(nlp) -> None:  # type: ignore[no-untyped-def]
    """The pipeline multiplies with NumPy's BLAS, one thread, and parses as spaCy's default (BLIS) does."""
    import spacy
    from thinc.api import NumpyOps, use_ops
    from threadpoolctl import threadpool_info

    from veille.nlp.pipeline import MODEL

    models = [p.model for _, p in nlp.pipeline if getattr(p, "model", None) is not None]
    assert len(models) >= 4
    assert all(not layer.ops.use_blis for model in models for layer in model.walk())
    assert all(pool["num_threads"] == 1 for pool in threadpool_info() if pool["user_api"] == "blas")
    with use_ops("numpy", use_blis=True):
        default = spacy.load(MODEL)
    default.add_pipe("veille_sentence_breaks", before="parser")
    assert isinstance(default.get_pipe("parser").model.ops, NumpyOps)
    text = (
        "Le 12 mars 2024, Athènes a reçu six Rafale supplémentaires, selon le ministère grec. "
        "Les livraisons doivent s'achever en 2026 ; Paris n'a pas confirmé le montant du contrat. "
        "Le ministre Kostas Vrontakis s'est entretenu avec son homologue français à Tanagra."
    )
    ours, theirs = nlp(text), default(text)
    assert [(t.tag_, t.dep_, t.head.i, t.lemma_) for t in ours] == [
        (t.tag_, t.dep_, t.head.i, t.lemma_) for t in theirs
    ]
    assert [(e.text, e.label_) for e in ours.ents] == [(e.text, e.label_) for e in theirs.ents]
