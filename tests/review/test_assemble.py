"""Assembly of reviewed values into configurations rows (source pdf)."""

from __future__ import annotations

from efficientdl.pipeline import review
from efficientdl.pipeline.assemble import ASSEMBLY_EXTRACTOR, AcceptedValue, assemble_configurations, build_records
from efficientdl.warehouse.db import from_json

from .conftest import PAPER_ID, insert_extraction


def _configs(wh):
    cursor = wh.con.execute("SELECT * FROM configurations WHERE source = 'pdf' ORDER BY source_key")
    names = [d[0] for d in cursor.description]
    return {row[names.index("model_name")] + "/" + row[names.index("dataset")]: dict(zip(names, row)) for row in cursor.fetchall()}


def test_accept_top1_creates_configuration(queue):
    wh, ids = queue
    review.accept(wh, [ids["top1_r50"]], reviewer="alice")
    config = _configs(wh)["ResNet-50/ImageNet-1k"]
    assert config["top1"] == 76.1
    assert config["source_key"] == f"{PAPER_ID}:ResNet-50:ImageNet-1k"
    assert config["paper_id"] == PAPER_ID
    assert config["paper_title"] == "Deep Residual Learning"
    assert config["extractor"] == ASSEMBLY_EXTRACTOR


def test_no_top1_no_configuration(queue):
    wh, ids = queue
    review.accept(wh, [ids["params_r50"], ids["epochs_paper"]], reviewer="alice")
    assert _configs(wh) == {}


def test_paper_wide_fills_every_model(queue):
    wh, ids = queue
    review.accept(wh, [ids["top1_r50"], ids["top1_r101"], ids["epochs_paper"], ids["epochs_r101"]], reviewer="alice")
    configs = _configs(wh)
    assert configs["ResNet-50/ImageNet-1k"]["epochs"] == 90
    assert configs["ResNet-101/ImageNet-1k"]["epochs"] == 120


def test_model_value_stays_with_model(queue):
    wh, ids = queue
    review.accept(wh, [ids["top1_r50"], ids["top1_r101"], ids["params_r50"]], reviewer="alice")
    configs = _configs(wh)
    assert configs["ResNet-50/ImageNet-1k"]["parameters"] == 25.6
    assert configs["ResNet-101/ImageNet-1k"]["parameters"] is None


def test_pending_value_not_assembled(queue):
    wh, ids = queue
    review.accept(wh, [ids["top1_r50"]], reviewer="alice")
    assert _configs(wh)["ResNet-50/ImageNet-1k"]["optimizer"] is None


def test_null_dataset_fills_all_datasets(queue):
    wh, ids = queue
    insert_extraction(wh, "cifar0001", model="ResNet-50", dataset="CIFAR-10", component="top1", value=93.0)
    review.accept(wh, [ids["top1_r50"], "cifar0001", ids["epochs_paper"]], reviewer="alice")
    configs = _configs(wh)
    assert configs["ResNet-50/ImageNet-1k"]["epochs"] == 90
    assert configs["ResNet-50/CIFAR-10"]["epochs"] == 90


def test_dataset_synonyms_join(queue):
    wh, ids = queue
    insert_extraction(wh, "bs0001", model=None, dataset="ILSVRC-2012", component="batch_size", value=256)
    review.accept(wh, [ids["top1_r50"], "bs0001"], reviewer="alice")
    assert _configs(wh)["ResNet-50/ImageNet-1k"]["batch_size"] == 256


def test_edit_top1_updates_configuration(queue):
    wh, ids = queue
    review.accept(wh, [ids["top1_r50"]], reviewer="alice")
    outcome = review.edit(wh, ids["top1_r50"], "76.5", reviewer="alice")
    assert _configs(wh)["ResNet-50/ImageNet-1k"]["top1"] == 76.5
    assert outcome.assembly.updated == 1


def test_undo_top1_accept_removes_configuration(queue):
    wh, ids = queue
    review.accept(wh, [ids["top1_r50"], ids["epochs_paper"]], reviewer="alice")
    outcome = review.undo(wh, ids["top1_r50"], reviewer="alice")
    assert _configs(wh) == {}
    assert outcome.assembly.removed == 1


def test_reject_clears_component(queue):
    wh, ids = queue
    review.accept(wh, [ids["top1_r50"], ids["epochs_paper"]], reviewer="alice")
    review.reject(wh, ids["epochs_paper"], "the baseline's schedule", reviewer="alice")
    assert _configs(wh)["ResNet-50/ImageNet-1k"]["epochs"] is None


def test_reject_pending_skips_assembly(queue):
    wh, ids = queue
    outcome = review.reject(wh, ids["optimizer_paper"], "not this paper's optimizer", reviewer="alice")
    assert outcome.assembly is None


def test_provenance_names_extraction_page(queue):
    wh, ids = queue
    review.accept(wh, [ids["top1_r50"], ids["epochs_paper"]], reviewer="alice")
    provenance = from_json(_configs(wh)["ResNet-50/ImageNet-1k"]["provenance"])
    assert provenance["fields"]["top1"] == f"extraction {ids['top1_r50']} page 1"
    assert provenance["fields"]["epochs"] == f"extraction {ids['epochs_paper']} page 1"


def test_assembly_idempotent(queue):
    wh, ids = queue
    review.accept(wh, [ids["top1_r50"], ids["top1_r101"], ids["epochs_paper"]], reviewer="alice")
    before = wh.con.execute("SELECT config_id, content_hash, updated_at FROM configurations ORDER BY 1").fetchall()
    report = assemble_configurations(wh)
    after = wh.con.execute("SELECT config_id, content_hash, updated_at FROM configurations ORDER BY 1").fetchall()
    assert after == before
    assert (report.loaded, report.updated, report.unchanged, report.removed) == (0, 0, 2, 0)


def test_other_extractor_rows_kept(queue):
    wh, ids = queue
    wh.con.execute(
        "INSERT INTO configurations (config_id, source, source_key, extractor, paper_id, model_name, dataset, top1, "
        "content_hash) VALUES ('other-row-1', 'pdf', 'other', 'pdf-table/1', ?, 'VGG-16', 'ImageNet-1k', 71.5, 'x')",
        [PAPER_ID],
    )
    assemble_configurations(wh, [PAPER_ID])
    assert wh.count("configurations", "config_id = 'other-row-1'") == 1


def test_invalid_record_quarantined(queue):
    wh, ids = queue
    insert_extraction(wh, "opt0001", model=None, dataset=None, component="optimizer", value="FooOpt", confidence=0.9)
    review.accept(wh, [ids["top1_r50"]], reviewer="alice")
    wh.con.execute("UPDATE extractions SET status = 'accepted' WHERE extraction_id = 'opt0001'")
    report = assemble_configurations(wh, [PAPER_ID])
    assert report.quarantined == 1
    assert report.removed == 1
    assert wh.count("quarantine", "source = 'pdf'") == 1


def _value(extraction_id, component, value, model=None, dataset=None, status="accepted", confidence=0.5):
    return AcceptedValue(extraction_id, "p1", model, dataset, component, value, 2, status, confidence)


def test_conflict_listed_in_details():
    values = [
        _value("t1", "top1", 80.0, "ViT-B", "ImageNet-1k"),
        _value("e1", "epochs", 300, confidence=0.9),
        _value("e2", "epochs", 100, confidence=0.4),
    ]
    (record,), _ = build_records({"paper_id": "p1"}, values)
    assert record.fields["epochs"] == 300
    assert record.details == {"conflicts": {"epochs": ["e2"]}}


def test_edited_value_wins_conflict():
    values = [
        _value("t1", "top1", 80.0, "ViT-B", "ImageNet-1k"),
        _value("e1", "epochs", 300, confidence=0.9),
        _value("e2", "epochs", 100, status="edited", confidence=0.4),
    ]
    (record,), _ = build_records({"paper_id": "p1"}, values)
    assert record.fields["epochs"] == 100


def test_top1_without_dataset_single_dataset():
    values = [_value("t1", "top1", 80.0, "ViT-B"), _value("b1", "batch_size", 4096, dataset="ImageNet-1k")]
    (record,), skipped = build_records({"paper_id": "p1"}, values)
    assert record.source_key == "p1:ViT-B:ImageNet-1k"
    assert skipped == []


def test_top1_without_dataset_ambiguous():
    values = [
        _value("t1", "top1", 80.0, "ViT-B"),
        _value("t2", "top1", 98.0, "ViT-B", "CIFAR-10"),
        _value("b1", "batch_size", 4096, dataset="ImageNet-1k"),
    ]
    records, skipped = build_records({"paper_id": "p1"}, values)
    assert [r.source_key for r in records] == ["p1:ViT-B:CIFAR-10"]
    assert "names no dataset" in skipped[0]


def test_top1_without_model_skipped():
    records, skipped = build_records({"paper_id": "p1"}, [_value("t1", "top1", 80.0, dataset="ImageNet-1k")])
    assert records == []
    assert "names no model" in skipped[0]


def test_top1_dataset_from_dataset_extraction():
    values = [_value("t1", "top1", 80.0, "ViT-B"), _value("d1", "dataset", "ILSVRC-2012")]
    (record,), _ = build_records({"paper_id": "p1"}, values)
    assert record.source_key == "p1:ViT-B:ImageNet-1k"


def test_top1_dataset_for_its_model():
    values = [
        _value("t1", "top1", 80.0, "ViT-B"),
        _value("d1", "dataset", "ImageNet-1k"),
        _value("d2", "dataset", "CIFAR-100"),
        _value("d3", "dataset", "CIFAR-100", model="ViT-B"),
    ]
    (record,), _ = build_records({"paper_id": "p1"}, values)
    assert record.source_key == "p1:ViT-B:CIFAR-100"
