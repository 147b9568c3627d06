from __future__ import annotations

import json
from pathlib import Path

import pytest

from veille.ingest import MAX_BYTES, iter_inputs, read_path
from veille.models import RawDocument, Rejection


def _read(path: Path) -> list[RawDocument | Rejection]:
    return list(read_path(path))


def test_ingest_reads_text_html_and_jsonl(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("La Pologne a commandé des chars.", encoding="utf-8")
    (tmp_path / "b.html").write_text("<html><body><p>Texte</p></body></html>", encoding="utf-8")
    rows = [{"id": "x1", "text": "Premier article."}, {"html": "<p>Second</p>", "url": "http://e.x/2018/10/05/a"}]
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    docs = [d for p in iter_inputs([tmp_path]) for d in _read(p)]
    assert [type(d).__name__ for d in docs] == ["RawDocument"] * 4
    kinds = {d.doc_id: d.kind for d in docs if isinstance(d, RawDocument)}
    assert kinds == {"a": "text", "b": "html", "x1": "text", "c-2": "html"}


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.txt", b"", "E101"),
        ("report.txt", b"%PDF-1.7\n%binary", "E103"),
        ("photo.html", b"\x89PNG\r\n\x1a\n\x00\x00", "E103"),
        ("nul.txt", b"abc\x00def" * 10, "E103"),
        ("blank.txt", b"   \n\n  ", "E101"),
        ("notes.docx", b"PK\x03\x04", "E105"),
    ],
)
def test_ingest_rejects_bad_files_with_a_reason(tmp_path: Path, name: str, content: bytes, code: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    (result,) = _read(path)
    assert isinstance(result, Rejection)
    assert result.code == code
    assert str(path) == result.path
    assert result.reason.startswith(f"[{code}]")


def test_ingest_rejects_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * (MAX_BYTES + 1))
    (result,) = _read(path)
    assert isinstance(result, Rejection) and result.code == "E102"


def test_ingest_decodes_latin1(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("La Défense française a reçu les hélicoptères à Montpellier. ".encode("latin-1") * 3)
    (doc,) = _read(path)
    assert isinstance(doc, RawDocument)
    assert "hélicoptères" in doc.text


def test_ingest_keeps_good_jsonl_lines_around_a_bad_one(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text('{"text": "un"}\n{not json\n{"title": "sans texte"}\n{"text": "deux"}\n', encoding="utf-8")
    results = _read(path)
    assert [type(r).__name__ for r in results] == ["RawDocument", "Rejection", "Rejection", "RawDocument"]
    assert results[1].path.endswith("feed.jsonl:2")  # type: ignore[union-attr]


def test_same_content_gets_same_hash_whatever_the_whitespace(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Un  texte\nidentique.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Un texte identique.\n", encoding="utf-8")
    a, b = (_read(tmp_path / n)[0] for n in ("a.txt", "b.txt"))
    assert isinstance(a, RawDocument) and isinstance(b, RawDocument)
    assert a.content_hash == b.content_hash
