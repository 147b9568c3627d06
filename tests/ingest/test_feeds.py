from __future__ import annotations

import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from veille.ingest import read_path
from veille.models import RawDocument, Rejection

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Défense Hebdo</title>
<item><title>Varsovie commande des obusiers</title><link>https://defense-hebdo.example/2022/08/26/k9</link>
<guid>k9-2022</guid><pubDate>Fri, 26 Aug 2022 10:00:00 +0200</pubDate>
<description>&lt;p&gt;La Pologne a signé vendredi un contrat pour 212 obusiers K9 avec la Corée du Sud.&lt;/p&gt;</description></item>
<item><title>Manœuvres conjointes</title><link>https://defense-hebdo.example/2020/11/03/malabar</link>
<pubDate>Tue, 03 Nov 2020 08:00:00 +0100</pubDate>
<description>L'Inde, les États-Unis, le Japon et l'Australie ont entamé l'exercice naval Malabar.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Veille</title><id>urn:veille</id><updated>2021-05-04T00:00:00Z</updated>
<entry><title>Trente Rafale de plus</title><id>urn:rafale-egypte</id><updated>2021-05-04T09:00:00Z</updated>
<link href="https://example.org/rafale"/><content type="html">&lt;p&gt;L'Égypte a commandé trente Rafale supplémentaires.&lt;/p&gt;</content></entry>
</feed>"""

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><item><title>&lol3;</title><description>&lol3;</description></item></channel></rss>"""


def _read(tmp_path: Path, name: str, content: str | bytes) -> list[RawDocument | Rejection]:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return list(read_path(path))


def test_rss_entries_become_documents_with_link_title_and_date(tmp_path: Path) -> None:
    docs = _read(tmp_path, "flux.rss", RSS)
    assert [type(d).__name__ for d in docs] == ["RawDocument", "RawDocument"]
    first = docs[0]
    assert isinstance(first, RawDocument)
    assert first.url == "https://defense-hebdo.example/2022/08/26/k9"
    assert first.title == "Varsovie commande des obusiers"
    assert first.published == "2022-08-26"
    assert first.kind == "html" and "212 obusiers K9" in first.text


def test_atom_entries(tmp_path: Path) -> None:
    (doc,) = _read(tmp_path, "flux.atom", ATOM)
    assert isinstance(doc, RawDocument) and doc.title == "Trente Rafale de plus" and doc.published == "2021-05-04"


def test_xml_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    (result,) = _read(tmp_path, "bomb.xml", BOMB)
    assert isinstance(result, Rejection) and result.code == "E110"


def test_feed_without_entries_and_broken_feed_are_rejected_with_a_reason(tmp_path: Path) -> None:
    (empty,) = _read(
        tmp_path, "vide.rss", '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
    )
    (broken,) = _read(tmp_path, "casse.xml", "<rss><channel><item><title>coupé")
    assert isinstance(empty, Rejection) and empty.code == "E111"
    # A truncated feed keeps what it can: here one entry, with no text to read.
    assert isinstance(broken, Rejection) and broken.code in {"E111", "E113"}


def _warc(pages: dict[str, str]) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    for uri, html in pages.items():
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            uri, "response", payload=io.BytesIO(html.encode("utf-8")), http_headers=headers
        )
        writer.write_record(record)
    return out.getvalue()


def test_warc_html_responses_become_documents(tmp_path: Path) -> None:
    pages = {
        "https://example.org/a": "<html><body><article><p>La Grèce a reçu ses premiers Rafale.</p></article></body></html>",
        "https://example.org/b": "<html><body><article><p>Ankara a réceptionné les S-400.</p></article></body></html>",
    }
    docs = _read(tmp_path, "crawl.warc", _warc(pages))
    assert sorted(d.url for d in docs if isinstance(d, RawDocument)) == sorted(pages)  # type: ignore[misc]


def test_corrupt_warc_is_rejected(tmp_path: Path) -> None:
    results = _read(tmp_path, "crawl.warc", b"WARC/1.0\r\nnot really a warc")
    assert all(isinstance(r, Rejection) and r.code == "E112" for r in results) and results
