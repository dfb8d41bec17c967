"""The `efficientdl review` commands, run through click on a real warehouse file."""

from __future__ import annotations

import json

from click.testing import CliRunner

from efficientdl.cli.main import cli
from efficientdl.warehouse.db import Warehouse


def _run(queue_db, *args):
    return CliRunner().invoke(cli, ["--db", str(queue_db.db_path), "review", *args])


def _status(queue_db, extraction_id):
    with Warehouse(queue_db.db_path, read_only=True) as wh:
        return wh.con.execute("SELECT status FROM extractions WHERE extraction_id = ?", [extraction_id]).fetchone()[0]


def test_cli_list_json(queue_db):
    result = _run(queue_db, "list", "--format", "json", "--component", "top1")
    rows = json.loads(result.output)
    assert result.exit_code == 0
    assert {r["extraction_id"] for r in rows} == {queue_db.ids["top1_r50"], queue_db.ids["top1_r101"]}


def test_cli_list_table(queue_db):
    result = _run(queue_db, "list", "--min-confidence", "0.9")
    assert result.exit_code == 0
    assert queue_db.ids["top1_r50"] in result.output


def test_cli_accept_prefix(queue_db):
    result = _run(queue_db, "accept", queue_db.ids["top1_r50"][:7], "--reviewer", "alice")
    assert result.exit_code == 0, result.output
    assert _status(queue_db, queue_db.ids["top1_r50"]) == "accepted"
    assert "1 loaded" in result.output


def test_cli_accept_unknown_id(queue_db):
    result = _run(queue_db, "accept", "zzzz9999", "--reviewer", "alice")
    assert result.exit_code == 1
    assert "'zzzz9999'" in result.output


def test_cli_accept_batch(queue_db):
    result = _run(queue_db, "accept", "--min-confidence", "0.8", "--component", "top1", "--reviewer", "alice")
    assert result.exit_code == 0, result.output
    assert _status(queue_db, queue_db.ids["top1_r50"]) == "accepted"
    assert _status(queue_db, queue_db.ids["top1_r101"]) == "pending"


def test_cli_accept_needs_ids(queue_db):
    result = _run(queue_db, "accept", "--reviewer", "alice")
    assert result.exit_code == 2


def test_cli_edit_invalid(queue_db):
    result = _run(queue_db, "edit", queue_db.ids["top1_r50"], "abc", "--reviewer", "alice")
    assert result.exit_code == 1
    assert "is not a number" in result.output


def test_cli_edit_json_list(queue_db):
    result = _run(queue_db, "edit", queue_db.ids["optimizer_paper"], "adamw", "--reviewer", "alice")
    assert result.exit_code == 0, result.output
    assert "SGD -> AdamW" in result.output


def test_cli_reject_then_undo(queue_db):
    extraction_id = queue_db.ids["optimizer_paper"]
    rejected = _run(queue_db, "reject", extraction_id, "--reason", "baseline only", "--reviewer", "bob")
    undone = _run(queue_db, "undo", extraction_id, "--reviewer", "bob")
    assert rejected.exit_code == 0, rejected.output
    assert undone.exit_code == 0, undone.output
    assert _status(queue_db, extraction_id) == "pending"


def test_cli_show(queue_db, tmp_path):
    result = _run(queue_db, "show", queue_db.ids["epochs_paper"], "--out", str(tmp_path / "crops"))
    png = tmp_path / "crops" / f"{queue_db.ids['epochs_paper']}-p1.png"
    assert result.exit_code == 0, result.output
    assert "page       1" in result.output
    assert f"image      {png}" in result.output
    assert png.is_file()


def test_cli_show_moved_pdf(queue_db, tmp_path):
    with Warehouse(queue_db.db_path) as wh:
        wh.con.execute("UPDATE papers SET pdf_path = ?", [str(tmp_path / "gone.pdf")])
    result = _run(queue_db, "show", queue_db.ids["epochs_paper"], "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "gone.pdf" in result.output
    assert "We train for" in result.output


def test_cli_assemble_repairs(queue_db):
    with Warehouse(queue_db.db_path) as wh:
        wh.con.execute("UPDATE extractions SET status = 'accepted' WHERE component = 'top1'")
    result = _run(queue_db, "assemble", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["loaded"] == 2
