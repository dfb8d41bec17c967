"""Tie findings to models and datasets, and combine what belongs together.

Settings stated once for the whole paper ("all models are trained for 300
epochs with AdamW") stay paper-wide (``model_name`` None); table rows carry
their model. A sentence's dataset is the one it names, else the one its
section heading names (a heading such as "CIFAR-10 experiments"), else
None, which stands for every dataset of the paper.

Then the combining steps, in order: a momentum value turns a plain SGD into
SGD with momentum; a learning-rate scaling rule (``0.1 × b/256``) is
evaluated at the paper's batch size; a per-GPU batch size is multiplied by
the GPU count; iterations become epochs when the batch size and training
set size are known; repeated values are merged, and conflicting
paper-wide values lose confidence unless they are the most confident
(then the most repeated, then the first stated).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

from efficientdl.extractors.pdf.document import ParsedDocument
from efficientdl.extractors.pdf.sentences import Sentence
from efficientdl.extractors.rules.base import Finding, find_datasets
from efficientdl.extractors.rules.data import DATA_RULES
from efficientdl.extractors.rules.results_table import table_findings
from efficientdl.extractors.rules.training import TRAINING_RULES
from efficientdl.schema.datasets import dataset_facts

#: Components whose paper-wide value is a single number or choice, so two values conflict.
_SINGLE_VALUED = ("optimizer", "learning_rate", "batch_size", "epochs", "lr_schedule", "framework", "gpu_type", "gpu_count", "input_size")


def sentence_dataset(sentence: Sentence) -> str | None:
    """Return the dataset a sentence's setting applies to, or None for every dataset."""
    named = {name for name, _, _ in find_datasets(sentence.text)}
    if len(named) == 1:
        return named.pop()
    if sentence.heading:
        in_heading = {name for name, _, _ in find_datasets(sentence.heading)}
        if len(in_heading) == 1:
            return in_heading.pop()
    return None


def main_dataset(findings: list[Finding]) -> str | None:
    """Return the paper's main dataset: ImageNet-1k when it is named with confidence, else the most named one."""
    counts = Counter(f.value for f in findings if f.component == "dataset" and f.confidence >= 0.6)
    if not counts:
        return None
    if "ImageNet-1k" in counts:
        return "ImageNet-1k"
    return counts.most_common(1)[0][0]


def sentence_findings(document: ParsedDocument) -> list[Finding]:
    """Run every sentence rule over the document's sentences (the references excluded)."""
    findings: list[Finding] = []
    for sentence in document.sentences:
        if sentence.section == "references":
            continue
        dataset = sentence_dataset(sentence)
        for rule in (*TRAINING_RULES, *DATA_RULES):
            for finding in rule(sentence):
                if finding.component not in ("dataset",):
                    finding.dataset = dataset
                findings.append(finding)
    return findings


def _best(findings: list[Finding], component: str, dataset: str | None) -> Finding | None:
    candidates = [f for f in findings if f.component == component and f.model_name is None and f.dataset in (dataset, None) and f.confidence >= 0.6]
    if not candidates:
        return None
    return max(candidates, key=lambda f: (f.dataset == dataset, f.confidence))


def _combine(findings: list[Finding]) -> list[Finding]:
    momentum_contexts = {f.dataset for f in findings if f.component == "momentum" and f.confidence >= 0.6}
    for finding in findings:
        if finding.component == "optimizer" and finding.value == "SGD" and (finding.dataset in momentum_contexts or None in momentum_contexts):
            finding.value = "SGD momentum"
            finding.details["momentum_stated_elsewhere"] = True

    for finding in findings:
        if finding.component == "learning_rate" and "reference_batch" in finding.details:
            batch = _best(findings, "batch_size", finding.dataset)
            if batch is not None:
                finding.value = round(finding.details["per_batch"] * batch.value / finding.details["reference_batch"], 10)
                finding.details["scaled_to_batch"] = batch.value
            else:
                finding.confidence = round(finding.confidence - 0.2, 3)
        if finding.component == "batch_size" and "per_device" in finding.details:
            count = _best(findings, "gpu_count", finding.dataset)
            if count is not None:
                finding.value = finding.details["per_device"] * int(count.value)
                finding.confidence = round(finding.confidence + 0.2, 3)
                finding.details["devices"] = count.value

    combined = []
    for finding in findings:
        if finding.component == "momentum":
            continue
        if finding.component == "iterations":
            batch = _best(findings, "batch_size", finding.dataset)
            facts = dataset_facts(finding.dataset or "ImageNet-1k")
            if batch is None or not facts or not facts.get("train_size"):
                continue
            epochs = round(finding.value * batch.value / facts["train_size"], 1)
            finding.component, finding.value = "epochs", epochs
            finding.confidence = min(finding.confidence, 0.7)
            finding.rule = "sentence:iterations"
            finding.details.update(iterations=finding.raw_text, batch_size=batch.value)
        combined.append(finding)
    return combined


def _value_key(value) -> str:
    return json.dumps(value, sort_keys=True)


def _merge(findings: list[Finding]) -> list[Finding]:
    groups: dict[tuple, list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[(finding.model_name, finding.dataset, finding.component, _value_key(finding.value))].append(finding)

    merged = []
    for group in groups.values():
        best = max(group, key=lambda f: f.confidence)
        strong = sum(1 for f in group if f.confidence >= 0.6)
        best.details["support"] = len(group)
        if strong >= 2 and best.component != "top1":
            best.confidence = round(min(0.97, best.confidence + 0.03 * min(strong - 1, 2)), 3)
        merged.append(best)

    by_slot: dict[tuple, list[Finding]] = defaultdict(list)
    for finding in merged:
        if finding.model_name is None and finding.component in _SINGLE_VALUED:
            by_slot[(finding.dataset, finding.component)].append(finding)
    for slot in by_slot.values():
        if len(slot) < 2:
            continue
        leader = max(slot, key=lambda f: (f.confidence, f.details.get("support", 1), -f.page))
        for finding in slot:
            if finding is not leader:
                finding.confidence = round(finding.confidence - 0.2, 3)
                finding.details["conflicts_with"] = finding.details.get("conflicts_with", 0) + 1
    return merged


def associate(document: ParsedDocument) -> list[Finding]:
    """Return every finding of a parsed document, tied to models and datasets and combined."""
    findings = sentence_findings(document)
    default_dataset = main_dataset(findings)
    for table in document.tables:
        findings.extend(table_findings(table, default_dataset))
    # NOTE: a sentence naming one model ("ResNet-50 is trained for 90 epochs") still yields a paper-wide value.
    return _merge(_combine(findings))
