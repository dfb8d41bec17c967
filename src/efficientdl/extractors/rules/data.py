"""Sentence rules for data, hardware and framework: augmentations, datasets,
input resolution, accelerator type and count, framework, and Top-1 or
parameter counts stated in prose."""

from __future__ import annotations

import regex

from efficientdl.extractors.pdf.sentences import Sentence
from efficientdl.extractors.rules.base import WORD_NUMBER, Finding, find_datasets, negated, word_or_number
from efficientdl.extractors.rules.training import base_confidence, sentence_finding
from efficientdl.schema.normalize import NormalizationError, parse_hardware

_I = regex.IGNORECASE

#: Augmentations named in prose; the generic ones (flip, crop, colour) need an augmentation context.
_AUGMENTATIONS: tuple[tuple[str, str, bool], ...] = (
    (r"\bRand[- ]?Aug(?:ment)?\b", "RandAugment", True),
    (r"\bAuto[- ]?Aug(?:ment)?\b", "AutoAugment", True),
    (r"\bTrivial[- ]?Augment\b", "TrivialAugment", True),
    (r"\bAugMix\b", "AugMix", True),
    (r"\bmix[- ]?up\b", "mixup", True),
    (r"\bCut[- ]?Mix\b", "CutMix", True),
    (r"\brandom[- ]?erasing\b|\brandom[- ]?erase\b", "random erasing", True),
    (r"\bcut[- ]?out\b", "cutout", True),
    (r"\brepeated[- ]augmentation\b", "repeated augmentation", True),
    (r"\b(?:horizontal(?:ly)?\s+flip\w*|flip\w*\s+horizontal\w*|(?:random|left-right|horizontal)\s+(?:flip|mirror)\w*|mirror\w*|horizontal\s+reflections?)\b", "flip", False),
    (r"\brandom(?:ly)?[- ]?resized?[- ]?crop\w*|\brandom-?size[d]?\s+crop\w*|\bscale augmentation\b|\b(?:scale and )?aspect[- ]ratio augmentation\b|\bInception[- ]style\s+(?:crop|cropping|pre-?processing|augmentation)\b", "random resized crop", False),
    (r"\brandom(?:ly)?\s+(?:sampled\s+)?crop\w*|\bcrop\w*\s+(?:is|are)\s+random(?:ly)?\s+sampled|\brandom\s+\d+\s*[×x]?\s*\d+\s+patches", "random crop", False),
    (r"\bcolou?r\s+(?:jitter\w*|augmentation|distortion\w*)|\bphotometric\s+distortions?\b", "color jitter", False),
    (r"\b(?:fancy\s+)?PCA\b[^.;]{0,60}(?:colou?r|lighting|intensit|noise|RGB|pixel)|\blighting\s+noise\b", "PCA lighting", False),
    (r"\bGaussian\s+blur\b", "Gaussian blur", False),
    (r"\bsolari[sz]\w*", "solarization", False),
)
_AUGMENTATION_RES = tuple((regex.compile(p, _I), name, specific) for p, name, specific in _AUGMENTATIONS)
_AUGMENTATION_CONTEXT = regex.compile(r"augment|data|training|train|crop|flip|random|pre-?process", _I)


def augmentation_rule(sentence: Sentence) -> list[Finding]:
    """Augmentations named in a sentence; generic ones only in an augmentation context."""
    text = sentence.text
    found = []
    context = bool(_AUGMENTATION_CONTEXT.search(text))
    for pattern, name, specific in _AUGMENTATION_RES:
        match = pattern.search(text)
        if match is None or negated(text, match.start()):
            continue
        if not specific and not context:
            continue
        confidence = base_confidence(sentence)
        if not specific and not regex.search(r"augment|train|follow|use|adopt|randomly|sampled", text, _I):
            confidence -= 0.2
        found.append(sentence_finding(sentence, "data_augmentation", [name], match[0].strip(), "data_augmentation", confidence))

    # A crop that is resized ("random-size crop", "scale augmentation") is not also a plain random crop.
    names = {f.value[0] for f in found}
    if "random resized crop" in names:
        found = [f for f in found if f.value != ["random crop"]]
    return found


_DATASET_CONTEXT = regex.compile(r"\b(?:train\w*|evaluat\w*|experiments?|benchmark|dataset|classification|validation|test set|val(?:idation)? set|accuracy|top-?1)\b", _I)


def dataset_rule(sentence: Sentence) -> list[Finding]:
    """Datasets the paper trains or evaluates on ("we evaluate on the ImageNet 2012 classification dataset")."""
    text = sentence.text
    if not _DATASET_CONTEXT.search(text):
        return []
    found = []
    seen = set()
    for name, start, end in find_datasets(text):
        if name in seen:
            continue
        seen.add(name)
        confidence = base_confidence(sentence) - 0.05
        if sentence.section in ("related", "introduction", "front", "abstract", "references"):
            confidence -= 0.2
        found.append(sentence_finding(sentence, "dataset", name, text[start:end], "dataset", confidence))
    return found


_RESOLUTION = regex.compile(
    r"(?P<a>\d{2,4})\s*(?:[×x]|\\times|\s)\s*(?P<b>\d{2,4})(?!\s*(?:conv|kernel|filter|max|avg|average|pool|patch|feature|window|grid|spatial|blocks?))"
    r"|(?:resolution|input size|image size|crop size|input resolution)\s+(?:of\s+)?(?P<c>\d{2,4})\b",
    _I,
)
_RESOLUTION_CONTEXT = regex.compile(r"\b(?:crop\w*|input|resolution|image size|resiz\w*|pixels?|images? (?:of|at))\b", _I)


def input_size_rule(sentence: Sentence) -> list[Finding]:
    """``a 224×224 crop is randomly sampled``, ``input resolution of 224``."""
    text = sentence.text
    if not _RESOLUTION_CONTEXT.search(text):
        return []
    found = []
    for match in _RESOLUTION.finditer(text):
        if match["a"] and match["a"] != match["b"]:
            continue
        size = int(match["a"] or match["c"])
        if not 16 <= size <= 1024:
            continue
        window = text[max(0, match.start() - 60) : match.end() + 60]
        if not regex.search(r"crop|input|resolution|resiz|image|train", window, _I):
            continue
        confidence = base_confidence(sentence) - 0.05
        if not regex.search(r"train\w*|random\w*|augment\w*", text, _I):
            confidence -= 0.2
        elif regex.search(r"\b(?:test\w*|evaluat\w*|inference|validation)\b", text, _I) and not regex.search(r"\btrain\w*", text, _I):
            confidence -= 0.2
        found.append(sentence_finding(sentence, "input_size", size, match[0], "input_size", confidence))
        break
    return found


_DEVICE = (
    r"(?:NVIDIA\s+|Nvidia\s+|Tesla\s+|GeForce\s+|Cloud\s+)*"
    r"(?:V100|A100|H100|P100|K40m?|K80|M40|T4|A6000|(?:GTX|RTX)\s*\d{3,4}(?:\s*Ti)?|TITAN\s*(?:Xp|X|V|RTX)?|Titan\s*(?:Xp|X|V|Black)?|TPU\s*-?\s*v\d(?:\s*-\s*\d+)?)"
)
_HARDWARE = regex.compile(
    r"(?:(?P<count>\d+|" + WORD_NUMBER + r")\s*(?:[×x]\s*)?(?:\w+\s+)?)?(?P<device>" + _DEVICE + r")(?:\s+\d+\s*GB)?(?:\s+(?P<kind>GPUs?|cards|TPUs?|cores|chips|accelerators))?"
    r"|(?P<count2>\d+|" + WORD_NUMBER + r")\s+(?:\w+\s+)?(?P<kind2>GPUs|TPUs|TPU cores|TPUv3 cores|GPU (?:asynchronous |synchronous )?workers)\b",
    _I,
)


def hardware_rule(sentence: Sentence) -> list[Finding]:
    """``8 Tesla V100 GPUs``, ``two GTX 580 3GB GPUs``, ``on 8 GPUs``, ``TPUv3 with 8 cores``."""
    text = sentence.text
    found = []
    timing = bool(regex.search(r"\b(?:ms|milliseconds?|timings?|forward|backward|inference|throughput|speed|benchmark\w*)\b", text, _I))
    for match in _HARDWARE.finditer(text):
        if negated(text, match.start()):
            continue
        confidence = base_confidence(sentence) - (0.3 if timing else 0.0)
        count_text = match["count"] or match["count2"]
        if match["device"]:
            try:
                hardware = parse_hardware(match["device"])[0]
            except NormalizationError:
                continue
            found.append(sentence_finding(sentence, "gpu_type", hardware.gpu_type, match["device"], "gpu_type", confidence))
            count = hardware.gpu_count
        else:
            count = None
        if count_text and (match["kind"] or match["kind2"]):
            try:
                count = word_or_number(count_text)
            except (ValueError, KeyError):
                count = None
        if count and 1 <= count <= 100_000:
            found.append(sentence_finding(sentence, "gpu_count", count, match[0].strip(), "gpu_count", confidence - 0.05))
    return found


_FRAMEWORK = regex.compile(r"\b(?P<name>PyTorch|TensorFlow|JAX|Flax|Caffe2|Caffe|MXNet|PaddlePaddle|Torch\s?7|Torch|Theano|MatConvNet|DistBelief|Keras|timm)\b")
_FRAMEWORK_NAMES = {"flax": "JAX", "torch7": "Torch7", "torch 7": "Torch7", "torch": "Torch7", "keras": "TensorFlow", "timm": "PyTorch"}


def framework_rule(sentence: Sentence) -> list[Finding]:
    """``implemented in PyTorch``, ``based on Caffe``, ``our Torch 7 implementation``."""
    text = sentence.text
    match = _FRAMEWORK.search(text)
    if match is None or negated(text, match.start()):
        return []
    name = match["name"]
    canonical = _FRAMEWORK_NAMES.get(name.lower(), name)
    if canonical == "Torch7" and "torch" in name.lower() and regex.search(r"py", text[max(0, match.start() - 2) : match.start()], _I):
        return []
    confidence = base_confidence(sentence)
    window = text[max(0, match.start() - 60) : match.end() + 30]
    if not regex.search(r"implement\w*|our code|framework|toolbox|based on|trained (?:in|with|using)|built|written|we use", window, _I):
        confidence -= 0.3
    return [sentence_finding(sentence, "framework", canonical, name, "framework", confidence)]


_TOP1_TEXT = regex.compile(
    r"(?P<num>\d{1,2}(?:\.\d+)?)\s*%\s*(?:\w+\s+){0,2}?(?P<kind>top-?\s?1|Top-?\s?1)\s*(?P<what>accuracy|acc\.?|error|err\.?)?",
)


def top1_text_rule(sentence: Sentence) -> list[Finding]:
    """Top-1 stated in prose ("reaches 79.8% top-1 accuracy"); paper-level, so weak evidence."""
    found = []
    for match in _TOP1_TEXT.finditer(sentence.text):
        value = float(match["num"])
        converted = match["what"] and match["what"].lower().startswith("err")
        if converted:
            value = round(100.0 - value, 4)
        found.append(sentence_finding(sentence, "top1", value, match[0], "top1", min(0.6, base_confidence(sentence) - 0.2), converted_from_error=bool(converted)))
    return found


DATA_RULES = (augmentation_rule, dataset_rule, input_size_rule, hardware_rule, framework_rule, top1_text_rule)
