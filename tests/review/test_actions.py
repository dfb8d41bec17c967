"""Review actions on a real warehouse: list filters, accept, edit, reject, undo, the log."""

from __future__ import annotations

import pytest

from efficientdl.pipeline import review
from efficientdl.pipeline.review import ReviewError
from efficientdl.warehouse.db import from_json

from .conftest import ARXIV_ID, insert_extraction


def _row(wh, extraction_id):
    status, value = wh.con.execute(
        "SELECT status, value FROM extractions WHERE extraction_id = ?", [extraction_id]
    ).fetchone()
    return status, from_json(value)


def _log(wh, extraction_id):
    cursor = wh.con.execute("SELECT * FROM review_log WHERE extraction_id = ? ORDER BY log_id", [extraction_id])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def test_list_default_pending(queue):
    wh, ids = queue
    rows = review.list_extractions(wh)
    assert {r["extraction_id"] for r in rows} == set(ids.values())


def test_list_component_filter(queue):
    wh, ids = queue
    rows = review.list_extractions(wh, component="top1")
    assert {r["extraction_id"] for r in rows} == {ids["top1_r50"], ids["top1_r101"]}


def test_list_min_confidence(queue):
    wh, ids = queue
    rows = review.list_extractions(wh, min_confidence=0.8)
    assert {r["extraction_id"] for r in rows} == {ids["top1_r50"], ids["params_r50"], ids["epochs_paper"]}


def test_list_paper_by_arxiv_id(queue):
    wh, ids = queue
    assert len(review.list_extractions(wh, paper=ARXIV_ID)) == len(ids)


def test_list_other_paper_empty(queue):
    wh, _ = queue
    assert review.list_extractions(wh, paper="no-such-paper") == []


def test_list_status_filter(queue):
    wh, ids = queue
    review.accept(wh, [ids["params_r50"]], reviewer="alice")
    rows = review.list_extractions(wh, status="accepted")
    assert [r["extraction_id"] for r in rows] == [ids["params_r50"]]


def test_list_limit(queue):
    wh, _ = queue
    assert len(review.list_extractions(wh, status="all", limit=2)) == 2


def test_list_unknown_component(queue):
    wh, _ = queue
    with pytest.raises(ReviewError, match="unknown component 'epoch'"):
        review.list_extractions(wh, component="epoch")


def test_list_values_parsed(queue):
    wh, _ = queue
    rows = review.list_extractions(wh, component="optimizer")
    assert rows[0]["value"] == "SGD"


def test_accept_sets_status(queue):
    wh, ids = queue
    outcome = review.accept(wh, [ids["top1_r50"]], reviewer="alice")
    assert _row(wh, ids["top1_r50"]) == ("accepted", 76.1)
    assert [r.outcome for r in outcome.results] == ["changed"]


def test_accept_twice_unchanged(queue):
    wh, ids = queue
    review.accept(wh, [ids["top1_r50"]], reviewer="alice")
    outcome = review.accept(wh, [ids["top1_r50"]], reviewer="alice")
    assert outcome.results[0].outcome == "unchanged"
    assert len(_log(wh, ids["top1_r50"])) == 1


def test_accept_unknown_id_names_it(queue):
    wh, ids = queue
    with pytest.raises(ReviewError, match="'ffff0000nope'"):
        review.accept(wh, [ids["top1_r50"], "ffff0000nope"], reviewer="alice")
    assert _row(wh, ids["top1_r50"])[0] == "pending"


def test_accept_unique_prefix(queue):
    wh, ids = queue
    review.accept(wh, [ids["params_r50"][:8]], reviewer="alice")
    assert _row(wh, ids["params_r50"])[0] == "accepted"


def test_prefix_ambiguous(queue):
    wh, _ = queue
    for suffix in ("1", "2"):
        insert_extraction(wh, f"abcd000{suffix}", model=None, dataset=None, component="epochs", value=100)
    with pytest.raises(ReviewError, match="'abcd' is ambiguous: it matches abcd0001, abcd0002"):
        review.resolve_extraction_id(wh, "abcd")


def test_exact_id_beats_prefix(queue):
    wh, _ = queue
    insert_extraction(wh, "abcd", model=None, dataset=None, component="epochs", value=100)
    insert_extraction(wh, "abcdef", model=None, dataset=None, component="epochs", value=100)
    assert review.resolve_extraction_id(wh, "abcd") == "abcd"


def test_accept_invalid_stored_value(queue):
    wh, ids = queue
    insert_extraction(wh, "bad0001", model="ResNet-50", dataset="ImageNet-1k", component="top1", value=180.0)
    outcome = review.accept(wh, ["bad0001", ids["params_r50"]], reviewer="alice")
    assert [r.outcome for r in outcome.results] == ["failed", "changed"]
    assert "outside the valid range" in outcome.results[0].note
    assert _row(wh, "bad0001")[0] == "pending"


def test_accept_batch_by_confidence(queue):
    wh, ids = queue
    outcome = review.accept_batch(wh, 0.8, reviewer="alice")
    accepted = {r["extraction_id"] for r in review.list_extractions(wh, status="accepted")}
    assert accepted == {ids["top1_r50"], ids["params_r50"], ids["epochs_paper"]}
    assert len(outcome.changed) == 3
    assert len(review.list_extractions(wh, status="pending")) == 3


def test_accept_batch_component(queue):
    wh, ids = queue
    review.accept_batch(wh, 0.5, component="top1", reviewer="alice")
    accepted = {r["extraction_id"] for r in review.list_extractions(wh, status="accepted")}
    assert accepted == {ids["top1_r50"], ids["top1_r101"]}


def test_accept_batch_threshold_range(queue):
    wh, _ = queue
    with pytest.raises(ReviewError, match="between 0 and 1"):
        review.accept_batch(wh, 1.5, reviewer="alice")


def test_edit_normalises_value(queue):
    wh, ids = queue
    review.edit(wh, ids["top1_r50"], "0.765", reviewer="alice")
    assert _row(wh, ids["top1_r50"]) == ("edited", 76.5)


def test_edit_set_component(queue):
    wh, ids = queue
    insert_extraction(wh, "aug0001", model=None, dataset=None, component="data_augmentation", value=["flip"])
    review.edit(wh, "aug0001", "RandAug, mixup", reviewer="alice")
    assert _row(wh, "aug0001")[1] == ["RandAugment", "mixup"]


@pytest.mark.parametrize(
    "name, value, reason",
    [
        ("top1_r50", "abc", "is not a number"),
        ("top1_r50", "150", "outside the valid range"),
        ("optimizer_paper", "FooOpt", "unknown value 'FooOpt'"),
        ("epochs_paper", "-5", "outside the valid range"),
        ("epochs_paper", " ", "empty"),
    ],
)
def test_edit_invalid_rejected(queue, name, value, reason):
    wh, ids = queue
    before = _row(wh, ids[name])
    with pytest.raises(ReviewError, match=reason):
        review.edit(wh, ids[name], value, reviewer="alice")
    assert _row(wh, ids[name]) == before
    assert _log(wh, ids[name]) == []


def test_reject_stores_reason(queue):
    wh, ids = queue
    review.reject(wh, ids["optimizer_paper"], "SGD is the baseline's optimizer", reviewer="bob")
    assert _row(wh, ids["optimizer_paper"])[0] == "rejected"
    assert _log(wh, ids["optimizer_paper"])[0]["reason"] == "SGD is the baseline's optimizer"


def test_reject_needs_reason(queue):
    wh, ids = queue
    with pytest.raises(ReviewError, match="needs a reason"):
        review.reject(wh, ids["optimizer_paper"], "  ", reviewer="bob")


def test_undo_edit_restores_value(queue):
    wh, ids = queue
    review.edit(wh, ids["top1_r50"], "76.5", reviewer="alice")
    review.undo(wh, ids["top1_r50"], reviewer="alice")
    assert _row(wh, ids["top1_r50"]) == ("pending", 76.1)


def test_undo_steps_back(queue):
    wh, ids = queue
    review.accept(wh, [ids["top1_r50"]], reviewer="alice")
    review.edit(wh, ids["top1_r50"], "76.5", reviewer="alice")
    review.undo(wh, ids["top1_r50"], reviewer="alice")
    assert _row(wh, ids["top1_r50"]) == ("accepted", 76.1)
    review.undo(wh, ids["top1_r50"], reviewer="alice")
    assert _row(wh, ids["top1_r50"]) == ("pending", 76.1)


def test_undo_nothing_left(queue):
    wh, ids = queue
    with pytest.raises(ReviewError, match="no review action left to undo"):
        review.undo(wh, ids["top1_r50"], reviewer="alice")


def test_undo_after_outside_change(queue):
    wh, ids = queue
    review.accept(wh, [ids["epochs_paper"]], reviewer="alice")
    wh.con.execute("UPDATE extractions SET value = '95' WHERE extraction_id = ?", [ids["epochs_paper"]])
    with pytest.raises(ReviewError, match="changed after review action"):
        review.undo(wh, ids["epochs_paper"], reviewer="alice")


def test_log_edit_before_after(queue):
    wh, ids = queue
    review.edit(wh, ids["top1_r50"], "76.5", reviewer="alice")
    entry = _log(wh, ids["top1_r50"])[0]
    assert entry["action"] == "edit"
    assert entry["reviewer"] == "alice"
    assert entry["acted_at"] is not None
    assert (entry["status_before"], entry["status_after"]) == ("pending", "edited")
    assert (from_json(entry["value_before"]), from_json(entry["value_after"])) == (76.1, 76.5)
    assert entry["undone"] is False


def test_log_undo_rows(queue):
    wh, ids = queue
    review.edit(wh, ids["top1_r50"], "76.5", reviewer="alice")
    review.undo(wh, ids["top1_r50"], reviewer="bob")
    edit_entry, undo_entry = _log(wh, ids["top1_r50"])
    assert edit_entry["undone"] is True
    assert undo_entry["action"] == "undo"
    assert undo_entry["reviewer"] == "bob"
    assert (undo_entry["status_before"], undo_entry["status_after"]) == ("edited", "pending")
    assert (from_json(undo_entry["value_before"]), from_json(undo_entry["value_after"])) == (76.5, 76.1)


def test_log_accept_batch_rows(queue):
    wh, ids = queue
    review.accept_batch(wh, 0.8, reviewer="alice")
    entry = _log(wh, ids["epochs_paper"])[0]
    assert entry["action"] == "accept"
    assert entry["reason"] is None
    assert from_json(entry["value_after"]) == 90
    assert wh.count("review_log") == 3


def test_reviewer_from_environment(queue, monkeypatch):
    wh, ids = queue
    monkeypatch.setenv("EFFICIENTDL_REVIEWER", "carol")
    review.accept(wh, [ids["top1_r50"]])
    assert _log(wh, ids["top1_r50"])[0]["reviewer"] == "carol"


def test_reviewer_argument_wins(monkeypatch):
    monkeypatch.setenv("EFFICIENTDL_REVIEWER", "carol")
    assert review.default_reviewer("dave") == "dave"
