"""The ``efficientdl extract`` command."""

from __future__ import annotations

import json

from click.testing import CliRunner

from efficientdl.cli.main import cli


def test_extract_json_summary(db_path, paper_pdf, corrupt_pdf):
    result = CliRunner().invoke(cli, ["--db", str(db_path), "extract", str(paper_pdf), str(corrupt_pdf), "--json", "--workers", "1"])
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert result.exit_code == 0
    assert summary["extracted"] == 1
    assert summary["quarantined"] == 1


def test_extract_all_bad_exits_nonzero(db_path, corrupt_pdf):
    result = CliRunner().invoke(cli, ["--db", str(db_path), "extract", str(corrupt_pdf)])
    assert result.exit_code == 1
