"""Sentence rules for the optimisation recipe: optimizer, learning rate, batch
size, epochs or iterations, schedule and warm-up, and regularisation.

Each rule returns :class:`~efficientdl.extractors.rules.base.Finding`
objects for one sentence. Confidence starts from the section the sentence
is in (:data:`~efficientdl.extractors.rules.base.SECTION_CONFIDENCE`) and
rises when the sentence reads like a training recipe.
"""

from __future__ import annotations

import regex

from efficientdl.extractors.pdf.sentences import Sentence
from efficientdl.extractors.rules.base import NUMBER, SECTION_CONFIDENCE, Finding, negated, read_number
from efficientdl.schema.components import COMPONENTS

_I = regex.IGNORECASE
_RECIPE_WORDS = regex.compile(r"\b(?:we (?:use|train|adopt|apply|follow|set)|(?:are|is|were|was) (?:trained|optimi[sz]ed|used|set)|training|train(?:ed)? (?:with|using|for)|optimi[sz](?:er|ation|e)|hyper-?parameters?|following)\b", _I)


_DOWNSTREAM = regex.compile(
    r"\b(?:detection|detector|segmentation|COCO|ADE20K|Cityscapes|Mask R-CNN|RetinaNet|Faster R-CNN|fine-?tun\w*|transfer\w*|downstream|localization|inference time|latency)\b",
    _I,
)


def base_confidence(sentence: Sentence) -> float:
    """Return the confidence of a value read from ``sentence``, before rule-specific changes.

    It starts from the section kind, rises for recipe wording, and falls for
    sentences about downstream tasks (detection, fine-tuning, timing) and
    for run-on "sentences" of over 70 words, which are usually flattened tables.
    """
    section = sentence.section or "method"
    confidence = SECTION_CONFIDENCE.get(section, SECTION_CONFIDENCE.get(section.replace("appendix-", ""), 0.7))
    if _RECIPE_WORDS.search(sentence.text) and section not in ("related", "references"):
        confidence = min(0.95, confidence + 0.1)
    if _DOWNSTREAM.search(sentence.text) or (sentence.heading and _DOWNSTREAM.search(sentence.heading)):
        confidence -= 0.3
    if len(sentence.text.split()) > 70:
        confidence -= 0.2
    return round(confidence, 3)


def sentence_finding(sentence: Sentence, component: str, value, raw: str, rule: str, confidence: float, **details) -> Finding:
    """Return a finding read from ``sentence``, its confidence clipped to [0, 1]."""
    return Finding(
        component=component,
        value=value,
        raw_text=raw,
        snippet=sentence.text,
        page=sentence.page,
        bbox=sentence.bbox,
        rule=f"sentence:{rule}",
        confidence=round(max(0.0, min(1.0, confidence)), 3),
        details=details,
    )


_OPTIMIZER = regex.compile(
    r"\b(?P<name>AdamW|Adam\s?W|Adam|RMSProp(?:Optimizer)?|RMSprop|LAMB|LARS|AdaGrad|Adagrad|AdamP|AdaBelief|Adafactor|RAdam|NAdam|Lion|"
    r"Nesterov(?:'s)?\s+(?:accelerated\s+gradient|momentum)|SGD|stochastic gradient descent)\b"
    r"(?P<tail>[^.;]{0,40})",
)


def optimizer_rule(sentence: Sentence) -> list[Finding]:
    """``We use SGD with momentum 0.9``, ``optimized with AdamW``, ``RMSProp with decay 0.9``."""
    found = []
    vocabulary = COMPONENTS["optimizer"].vocabulary
    for match in _OPTIMIZER.finditer(sentence.text):
        if negated(sentence.text, match.start()):
            continue
        name = match["name"]
        if name.lower().startswith("nesterov"):
            canonical = "Nesterov"
        elif name.upper() == "SGD" or name.lower().startswith("stochastic"):
            canonical = "SGD momentum" if regex.search(r"momentum", match["tail"], _I) else "SGD"
            if regex.search(r"nesterov", match["tail"], _I):
                canonical = "Nesterov"
        else:
            canonical = vocabulary.lookup(regex.sub(r"Optimizer$", "", name))
        if canonical is None:
            continue
        confidence = base_confidence(sentence)
        if not regex.search(r"optimi[sz]|train|use|adopt|momentum|learning rate|solver|with", sentence.text, _I):
            confidence -= 0.2
        found.append(sentence_finding(sentence, "optimizer", canonical, match[0].strip(), "optimizer", confidence))
    return found


_LR = regex.compile(
    r"\b(?:(?:initial|base|peak|starting|maximum|max)\s+)?(?:learning[- ]rate|\blr\b)s?"
    r"(?P<between>(?:(?!\b(?:decay|warm|decrease|divided|reduced|multiplied|drop)\w*)[^.;=\d]){0,40}?)"
    r"(?:=|:|\bof\b|\bis\b|\bto\b|\bat\b|\bfrom\b|\bwas\b|\bas\b|\s)\s*(?P<num>" + NUMBER + r")"
    r"(?P<rule>\s*(?:[×x·*]|\\times)\s*(?:the\s+)?(?:total\s+)?(?:batch[- ]?size|bs|B|b)\s*/\s*(?P<den>\d+))?",
    _I,
)


def learning_rate_rule(sentence: Sentence) -> list[Finding]:
    """``learning rate of 0.1``, ``lr = 5e-4 × batchsize/512``, ``learning rate starts from 0.1``."""
    found = []
    for match in _LR.finditer(sentence.text):
        try:
            value = read_number(match["num"])
        except ValueError:
            continue
        if not 1e-7 <= value <= 10 or (value >= 1 and not match["rule"] and value == int(value) and value > 2):
            continue
        confidence = base_confidence(sentence)
        details = {}
        if match["den"]:
            details = {"per_batch": value, "reference_batch": int(match["den"])}
        found.append(sentence_finding(sentence, "learning_rate", value, match[0].strip(), "learning_rate", confidence, **details))
    return found


_BATCH = regex.compile(
    r"\b(?:mini-?batch(?:es)?(?:[- ]size)?|batch[- ]size)(?:\s+(?:of|is|was|=|to|set to|:))?\s*(?:size\s+)?(?:of\s+)?(?P<num>\d[\d,]*)"
    r"(?P<unit>\s*(?:images?|examples?|samples?)?\s*(?:per|/|on each|for each|each)\s*(?:GPU|device|card|TPU|core|worker|node)s?)?"
    r"(?:[^.;]{0,40}?\b(?:on|across|over|with|using)\s+(?P<devices>\d+)\s+(?:\w+\s+){0,2}(?:GPUs|devices|cards|TPUs|cores|workers))?",
    _I,
)


_PER_DEVICE = regex.compile(
    r"\b(?P<per>\d[\d,]*)\s*(?:images?|samples?|examples?)\s*(?:per|on each|for each|each|/)\s*(?:GPU|device|card|TPU|core|worker)s?\b"
    r"(?:[^.;]{0,40}?\b(?:on|across|over|with|using)\s+(?P<devices>\d+)\s+(?:\w+\s+){0,2}(?:GPUs|devices|cards|TPUs|cores|workers))?",
    _I,
)


def batch_size_rule(sentence: Sentence) -> list[Finding]:
    """``mini-batch size of 256``, ``batch size 4096``, ``128 images per GPU on 8 GPUs``."""
    found = []
    for match in _BATCH.finditer(sentence.text):
        number = int(match["num"].replace(",", ""))
        if not 2 <= number <= 1_000_000:
            continue
        confidence = base_confidence(sentence)
        if match["unit"]:
            if match["devices"]:
                found.append(sentence_finding(sentence, "batch_size", number * int(match["devices"]), match[0].strip(), "batch_size", confidence))
            else:
                found.append(sentence_finding(sentence, "batch_size", number, match[0].strip(), "batch_size", confidence - 0.3, per_device=number))
            continue
        found.append(sentence_finding(sentence, "batch_size", number, match[0].strip(), "batch_size", confidence))
    if not found:
        for match in _PER_DEVICE.finditer(sentence.text):
            per = int(match["per"].replace(",", ""))
            confidence = base_confidence(sentence)
            if match["devices"]:
                found.append(sentence_finding(sentence, "batch_size", per * int(match["devices"]), match[0].strip(), "batch_size", confidence))
            else:
                found.append(sentence_finding(sentence, "batch_size", per, match[0].strip(), "batch_size", confidence - 0.3, per_device=per))
    return found


_EPOCHS = regex.compile(
    r"(?P<lead>\b(?:for|of|total(?:\s+of)?|train\w*|takes?|last(?:s|ing)?|run|over|up to|within|=)\b[^.;\d]{0,25}?)?"
    r"(?P<num>\d[\d,]*)\s*(?:training\s+)?(?:epochs\b|(?:passes|cycles)\s+(?:through|over)\s+the\s+(?:whole\s+|entire\s+)?training\s+(?:set|data))",
    _I,
)
_NOT_TOTAL = regex.compile(r"(?:every|each|after|first|last|per|warm-?\s?up|at|in|linear|initial|cooldown|cool-down|extra|additional|more)\W+(?:\w+\W+)?$", _I)


def epochs_rule(sentence: Sentence) -> list[Finding]:
    """``trained for 300 epochs``; skips ``every 30 epochs``, ``5 warm-up epochs``."""
    found = []
    for match in _EPOCHS.finditer(sentence.text):
        before = sentence.text[max(0, match.start("num") - 30) : match.start("num")]
        if _NOT_TOTAL.search(before) or regex.search(r"warm", sentence.text[match.start("num") : match.end() + 10], _I):
            continue
        number = float(match["num"].replace(",", ""))
        if not 1 <= number <= 10_000:
            continue
        confidence = base_confidence(sentence)
        if not match["lead"] or not regex.search(r"for|total|train|up to|=", match["lead"], _I):
            confidence -= 0.2
        found.append(sentence_finding(sentence, "epochs", number, match[0].strip(), "epochs", confidence))
    return found


_ITERATIONS = regex.compile(
    r"\b(?:for|up to|total of|terminate\w* (?:training )?at|train\w* (?:\w+ ){0,3}for)\s+(?P<num>(?P<mantissa>\d+(?:\.\d+)?)\s*(?:(?:[×x]\s*|\s)10\s*\^?\s*(?P<exp>\d)\b|[kKM]\b)?)\s*(?:training\s+)?(?:iterations|iters|steps)\b",
    _I,
)


def iterations_rule(sentence: Sentence) -> list[Finding]:
    """``trained for up to 60 × 10^4 iterations``: converted to epochs later, when the batch size is known."""
    found = []
    for match in _ITERATIONS.finditer(sentence.text):
        text = match["num"].replace(" ", "")
        if match["exp"]:
            iterations = float(match["mantissa"]) * 10 ** int(match["exp"])
        elif text[-1] in "kK":
            iterations = float(text[:-1]) * 1e3
        elif text[-1] == "M":
            iterations = float(text[:-1]) * 1e6
        else:
            iterations = float(text)
        if iterations < 100:
            continue
        found.append(sentence_finding(sentence, "iterations", iterations, match[0].strip(), "iterations", base_confidence(sentence)))
    return found


_SCHEDULES: tuple[tuple[str, str], ...] = (
    (r"\bcosine\b|\bcos(?:ine)?[- ]anneal|half[- ]cosine", "cosine"),
    (r"\bpoly(?:nomial)?\b(?=[^.;]{0,30}(?:decay|schedule|learning|lr|policy))", "polynomial"),
    (r"\bone[- ]?cycle\b|\b1cycle\b", "one-cycle"),
    (r"(?:learning rate|\blr\b)[^.;]{0,60}(?:decay\w*|multipl\w+)[^.;]{0,20}(?:rate\s+of\s+|by\s+|factor\s+of\s+)?0?\.\d+\s*(?:per|every)\s+(?:\w+\s+)?epochs?|exponential(?:ly)?\s+decay", "exponential"),
    (r"(?:divided|reduced|decreased|dropped|lowered)\s+by\s+(?:a factor of\s+)?(?:10|ten|5|2)\b[^.;]{0,40}\bplateau|\bplateaus?\b[^.;]{0,40}(?:divide|reduce|decrease)"
     r"|(?:divide|reduce|decrease)\w*\s+the\s+learning\s+rate\s+by\s+(?:a factor of\s+)?(?:10|ten|5|2)\b[^.;]{0,40}\bstop(?:ped|s)?\s+improving", "reduce on plateau"),
    (r"(?:divided|reduced|decreased|dropped|decayed|multiplied)\s+by\s+(?:a factor of\s+)?(?:10|ten|0\.1|5|2|0\.2|0\.5)\b[^.;]{0,30}\b(?:at|after)\s+(?:epochs?\s+)?\d+[^.;]{0,10}(?:,|and)\s*\d+", "multistep"),
    (r"(?:divided|reduced|decreased|dropped|decayed|multiplied)\s+by\s+(?:a factor of\s+)?(?:10|ten|0\.1|5|2|0\.2|0\.5|0\.\d+)\b[^.;]{0,30}\bevery\s+(?:\d+(?:\.\d+)?\s+)?(?:epochs?|iterations|steps)", "step"),
    (r"\bstep(?:[- ]wise)?\s+(?:decay|schedule|learning rate)", "step"),
    (r"\blinear(?:ly)?\s+(?:decay|decreas|anneal)\w*", "linear decay"),
)
_SCHEDULE_RES = tuple((regex.compile(p, _I), name) for p, name in _SCHEDULES)
_WARMUP = regex.compile(r"\bwarm[- ]?up\b|\bwarming up\b|\bgradual warmup\b", _I)


def schedule_rule(sentence: Sentence) -> list[Finding]:
    """Learning-rate schedule; a warm-up named in the same sentence turns ``cosine`` into
    ``linear warmup + cosine`` and ``linear decay`` into ``linear warmup + linear decay``."""
    text = sentence.text
    if not regex.search(r"learning[- ]rate|\blr\b|schedul|decay|anneal|divided|reduced|plateau|warm", text, _I):
        return []
    found = []
    warmup = _WARMUP.search(text)
    for pattern, name in _SCHEDULE_RES:
        match = pattern.search(text)
        if match is None or negated(text, match.start()):
            continue
        if name == "cosine" and not regex.search(r"learning[- ]rate|\blr\b|schedul|decay|anneal", text, _I):
            continue
        canonical = name
        if warmup and name == "cosine":
            canonical = "linear warmup + cosine"
        elif warmup and name == "linear decay":
            canonical = "linear warmup + linear decay"
        found.append(sentence_finding(sentence, "lr_schedule", canonical, match[0].strip(), "lr_schedule", base_confidence(sentence), warmup=bool(warmup)))
        break
    return found


_REGULARIZERS: tuple[tuple[str, str], ...] = (
    (r"\bweight[- ]decay\b(?:[^.;\d]{0,25}?(?P<num>" + NUMBER + r"))?", "weight decay"),
    (r"\blabel[- ]smoothing\b(?:[^.;\d]{0,25}?(?P<num>" + NUMBER + r"))?", "label smoothing"),
    (r"\bstochastic[- ]depth\b|\bdrop[- ]?path\b(?:[^.;\d]{0,25}?(?P<num>" + NUMBER + r"))?", "stochastic depth"),
    (r"\bdrop[- ]?out\b(?:[^.;\d]{0,25}?(?P<num>" + NUMBER + r"))?", "dropout"),
    (r"\bDropBlock\b", "DropBlock"),
    (r"\b(?:model\s+)?EMA\b|\bexponential moving average\b", "EMA"),
    (r"\bgradient clipping\b|\bclip(?:ping)? (?:the )?gradients?\b", "gradient clipping"),
)
_REGULARIZER_RES = tuple((regex.compile(p, _I if name != "EMA" else 0), name) for p, name in _REGULARIZERS)


_DISABLED = regex.compile(r"^\W*(?:\[[\d,\s]+\]\s*)?(?:is|are|was|were)\s+(?:disabled|not\s+used|not\s+applied|removed|turned\s+off|omitted)", _I)
_APPLIED = regex.compile(r"\b(?:is|are|was|were)\s+(?:used|applied|adopted|employed|set|enabled|added)|\bwe\s+(?:use|apply|adopt|employ|add)|\busing\b", _I)


def regularization_rule(sentence: Sentence) -> list[Finding]:
    """Weight decay, label smoothing, stochastic depth, dropout, DropBlock, EMA, gradient clipping.

    A value counts only when the sentence sets it (a number follows, or it
    reads like a recipe); "we do not use dropout" is skipped.
    """
    text = sentence.text
    found = []
    for pattern, name in _REGULARIZER_RES:
        for match in pattern.finditer(text):
            if negated(text, match.start()) or _DISABLED.match(text[match.end() :]):
                continue
            number = match.groupdict().get("num")
            if number:
                try:
                    amount = read_number(number)
                except ValueError:
                    amount = None
                if amount == 0:
                    continue
            confidence = base_confidence(sentence)
            window = text[max(0, match.start() - 50) : match.end() + 50]
            if not number and not _APPLIED.search(window):
                confidence -= 0.25
            found.append(sentence_finding(sentence, "regularization", [name], match[0].strip(), "regularization", confidence))
            break
    return found


_MOMENTUM = regex.compile(r"\bmomentum\b[^.;\d]{0,15}(?P<num>0?\.\d+)|(?P<num2>0?\.\d+)\s+momentum", _I)


def momentum_rule(sentence: Sentence) -> list[Finding]:
    """``momentum of 0.9``: not a component, but it turns a plain SGD into SGD with momentum."""
    match = _MOMENTUM.search(sentence.text)
    if match is None:
        return []
    return [sentence_finding(sentence, "momentum", float(match["num"] or match["num2"]), match[0], "momentum", base_confidence(sentence))]


TRAINING_RULES = (
    optimizer_rule,
    learning_rate_rule,
    batch_size_rule,
    epochs_rule,
    iterations_rule,
    schedule_rule,
    regularization_rule,
    momentum_rule,
)
