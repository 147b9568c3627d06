from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from veille.cli import app

runner = CliRunner()

ARTICLE = """L'Égypte commande trente Rafale supplémentaires

Publié le 4 mai 2021 à 18h00

Le Caire a signé une deuxième commande de trente Rafale avec la France, pour environ 3,75 milliards d'euros, a annoncé le ministère des Armées mardi.
"""


def test_cli_ingest_facts_deals_and_eval(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "rafale.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "junk.txt").write_bytes(b"\x89PNG\r\n\x1a\n")
    db = str(tmp_path / "s.db")

    result = runner.invoke(app, ["ingest", str(corpus), "--db", db])
    assert result.exit_code == 1  # something was rejected
    assert "junk.txt" in result.output and "PNG image" in result.output

    facts_path = tmp_path / "facts.jsonl"
    assert runner.invoke(app, ["facts", "--db", db, "-o", str(facts_path)]).exit_code == 0
    (facts,) = [json.loads(line) for line in facts_path.read_text(encoding="utf-8").splitlines()]
    assert facts["id"] == "rafale" and facts["published"] == "2021-05-04"
    assert "FRA" in facts["entities"]["countries"] and "EGY" in facts["entities"]["countries"]
    contract = next(e for e in facts["events"] if e["type"] == "ARMS_TRANSFER")
    assert (contract["supplier"], contract["recipient"], contract["system"], contract["stage"]) == (
        "FRA",
        "EGY",
        "Rafale",
        "CONTRACT",
    )
    assert contract["value"] == {"amount": 3_750_000_000, "currency": "EUR"}
    assert any("deuxième commande" in sentence for sentence in contract["evidence"])

    deals = runner.invoke(app, ["deals", "--db", db, "--recipient", "EGY"])
    assert deals.exit_code == 0 and "Rafale" in deals.output

    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps(
            {
                "id": "rafale",
                "file": "corpus/rafale.txt",
                "published": "2021-05-04",
                "entities": {"countries": ["EGY", "FRA"]},
                "events": [
                    {
                        "type": "ARMS_TRANSFER",
                        "supplier": "FRA",
                        "recipient": "EGY",
                        "system": "Rafale",
                        "stage": "CONTRACT",
                        "modality": "ASSERTED",
                    }
                ],
                "boilerplate_lines": [3],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    out = runner.invoke(app, ["eval", str(gold), "--texts", str(tmp_path), "--db", db, "--json"])
    assert out.exit_code == 0, out.output
    figures = json.loads(out.output)
    assert figures["events_lenient"]["ALL"]["f1"] == 1.0
    assert figures["published_accuracy"] == 1.0
    assert figures["boilerplate"]["f1"] == 1.0


def test_cli_timex_prints_offsets(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("Signé en septembre 2018, livré vendredi.", encoding="utf-8")
    result = runner.invoke(app, ["timex", str(path), "--published", "2019-07-15"])
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["text"], r["value"]) for r in rows] == [("en septembre 2018", "2018-09"), ("vendredi", "2019-07-12")]
    assert rows[0]["start"] == 6
