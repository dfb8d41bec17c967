"""Extractor for mmpretrain's model zoo: ``configs/*/metafile.yml`` plus the config files.

A metafile lists ``Collections``, one per paper, whose ``Metadata`` names
the training data, techniques, resources and architecture terms. It also
lists ``Models``, one per checkpoint: each has its own ``Metadata`` (which
overrides the collection's), ``Results`` per dataset and a ``Config`` path
relative to the repository root. One record is made per model and
image-classification result with a Top-1 accuracy. When the config file is present (a full
checkout), it is resolved as data by
:mod:`efficientdl.extractors.repos.mmengine_config` and its recipe
(optimizer, learning rate, schedule, epochs, batch size, augmentations,
regularisation) wins over the metafile's summary.

Examples
--------
>>> input_size_from_name("deit-base_224px-pre_3rdparty_in1k-384px")
384
>>> input_size_from_name("swin-base_3rdparty_in1k-384")
384
>>> pretraining_from_name("convnext-tiny_in21k-pre_3rdparty_in1k")
'ImageNet-21k'
>>> pretraining_from_name("resnet50_byol-pre_8xb512-linear-coslr-90e_in1k")
'ImageNet-1k self-supervised'
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import regex
import yaml

from efficientdl.extractors.records import ExtractorItem, Problem, RawRecord, Skipped
from efficientdl.extractors.repos.mmengine_config import ConfigError, ConfigResolver, ResolvedConfig
from efficientdl.extractors.repos.mmpretrain_recipe import gpus_from_name, read_recipe
from efficientdl.extractors.repos.mmpretrain_terms import map_terms
from efficientdl.extractors.repos.naming import architecture_family, pretraining_from_tag
from efficientdl.extractors.repos.published_facts import apply_published_facts
from efficientdl.schema.components import IDENTITY_FIELDS
from efficientdl.schema.normalize import NormalizationError, parse_hardware

logger = logging.getLogger(__name__)

SOURCE = "mmpretrain"
EXTRACTOR = "mmpretrain-metafile/2"
EXTRACTOR_WITH_CONFIG = "mmpretrain-metafile+config/2"

_TOP1 = "Top 1 Accuracy"
_CLASSIFICATION_TASKS = ("Image Classification",)
_PX_SUFFIX = regex.compile(r"^(\d{2,4})px$")
#: A trailing resolution after the data part of the name, as in ``swin-base_3rdparty_in1k-384``.
_TRAILING_SIZE = regex.compile(r"_[a-z][a-z0-9]*-(\d{3})$")


def input_size_from_name(name: str) -> int | None:
    """Return the input side named by ``-384px`` or a trailing ``-384``; a ``224px-pre`` part names pretraining."""
    size = None
    for token in name.split("_"):
        for part in token.split("-"):
            match = _PX_SUFFIX.match(part)
            if match and not token.endswith("-pre") and f"{part}-pre" not in token:
                size = int(match[1])
    if size is None:
        trailing = _TRAILING_SIZE.search(name)
        if trailing:
            size = int(trailing[1])
    return size


def pretraining_from_name(name: str) -> str | None:
    """Read the pretraining data from a ``<tag>-pre`` part of an mmpretrain model name.

    Returns None when the name has no such part. A tag naming only a
    self-supervised method (``byol-pre``, ``mae-pre``) means self-supervised
    pretraining on ImageNet-1k. A tag naming only a resolution
    (``224px-pre``) means supervised training on the same data.
    """
    for token in name.split("_"):
        match = regex.search(r"^(?P<tag>.+?)-pre(?:-|$)", token)
        if match is None:
            continue
        tag = match["tag"]
        named = pretraining_from_tag(tag)
        if named != "none":
            return named
        if regex.fullmatch(r"\d+px", tag):
            return "none"
        return "ImageNet-1k self-supervised"
    return None


def extract_mmpretrain(directory: str | Path) -> Iterator[ExtractorItem]:
    """Yield one record per model and Top-1 result in every ``metafile.yml`` under ``directory``.

    ``directory`` may be a folder of metafiles (one subfolder per
    collection) or an mmpretrain checkout, whose config files are then
    resolved too.

    Raises
    ------
    FileNotFoundError
        When ``directory`` contains no ``metafile.yml``.
    """
    directory = Path(directory)
    # Hidden folders (.git, .mim) are skipped; only the parts below ``directory`` count, so a
    # directory given as ../something is still searched.
    files = sorted(
        p for p in directory.rglob("metafile.yml")
        if not any(part.startswith(".") for part in p.relative_to(directory).parts)
    )
    if not files:
        raise FileNotFoundError(
            f"{directory} contains no metafile.yml; point it at an mmpretrain checkout or its configs/ folder"
        )
    reader = _MetafileReader(directory)
    for path in files:
        yield from reader.read(path)
    if reader.unmapped:
        logger.info("mmpretrain terms with no component: %s", dict(sorted(reader.unmapped.items())))


class _MetafileReader:
    """Turn metafiles into records; configs are cached by path, so each is resolved once per run."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.resolver = ConfigResolver()
        self.configs: dict[Path, ResolvedConfig | ConfigError] = {}
        self.unmapped: dict[str, int] = {}

    def read(self, path: Path) -> Iterator[ExtractorItem]:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            reason = f"{path}: invalid YAML ({_one_line(exc)}); fix the file"
            yield Problem(SOURCE, str(path), path.parent.name, reason, text[:2000])
            return
        if not isinstance(data, dict) or not isinstance(data.get("Models") or [], list):
            reason = f"{path}: expected a mapping with a Models list"
            yield Problem(SOURCE, str(path), path.parent.name, reason, text[:2000])
            return

        collections = {
            c.get("Name"): (index, c)
            for index, c in enumerate(data.get("Collections") or [])
            if isinstance(c, dict)
        }
        for index, model in enumerate(data.get("Models") or []):
            if not isinstance(model, dict) or not isinstance(model.get("Name"), str):
                key = f"{path.parent.name}:Models[{index}]"
                yield Problem(SOURCE, str(path), key, f"{path}: Models[{index}] has no Name", model)
                continue
            collection = collections.get(model.get("In Collection"), (None, {}))
            yield from self._model(path, index, model, collection)

    def _model(
        self, path: Path, index: int, model: dict, collection: tuple[int | None, dict]
    ) -> Iterator[ExtractorItem]:
        name = model["Name"]
        results = model.get("Results")
        if not results:
            yield Skipped(SOURCE, str(path), name, "no results: a checkpoint published without an evaluation")
            return
        if not isinstance(results, list):
            yield Problem(SOURCE, str(path), name, f"{path}: Results of {name} is not a list", results)
            return

        for result_index, result in enumerate(results):
            if not isinstance(result, dict):
                reason = f"{path}: Results[{result_index}] of {name} is not a mapping"
                yield Problem(SOURCE, str(path), f"{name}:Results[{result_index}]", reason, result)
                continue
            dataset = result.get("Dataset")
            key = f"{name}:{dataset}"
            metrics = result.get("Metrics") if isinstance(result.get("Metrics"), dict) else {}
            task = result.get("Task")
            if _TOP1 not in metrics:
                yield Skipped(SOURCE, str(path), key, f"no Top-1 accuracy ({task or 'unknown task'})")
                continue
            if metrics[_TOP1] is None or (isinstance(metrics[_TOP1], str) and not metrics[_TOP1].strip()):
                yield Skipped(SOURCE, str(path), key, "Top-1 accuracy left empty (no checkpoint published)")
                continue
            if task is not None and task not in _CLASSIFICATION_TASKS:
                yield Skipped(SOURCE, str(path), key, f"task {task} is not image classification")
                continue
            yield self._record(path, index, model, collection, result_index, result)

    def _record(
        self, path: Path, index: int, model: dict, collection: tuple[int | None, dict], result_index: int, result: dict
    ) -> RawRecord:
        name = model["Name"]
        dataset = result.get("Dataset")
        build = _RecordBuilder(path, index, model, collection)

        metric_path = f"Models[{index}].Results[{result_index}].Metrics"
        build.set("model_name", name, f"metafile Models[{index}].Name")
        build.set("architecture_family", architecture_family(name), f"metafile Models[{index}].Name (name rule)")
        build.set("dataset", dataset, f"metafile Models[{index}].Results[{result_index}].Dataset")
        build.set("top1", result["Metrics"][_TOP1], f"metafile {metric_path}.{_TOP1}")
        build.set("framework", "PyTorch", "mmpretrain is a PyTorch library")
        if "Top 5 Accuracy" in result["Metrics"]:
            build.details["top5"] = result["Metrics"]["Top 5 Accuracy"]
        if "zeroshot" in name.replace("-", "").lower():
            build.details["zero_shot"] = True

        build.metadata_number("parameters", "Parameters")
        build.metadata_number("epochs", "Epochs")
        build.batch_size(name)
        build.pretraining(name, dataset)
        build.hardware()
        build.techniques()
        build.input_size(name)
        build.extras()
        for term in build.unmapped:
            self.unmapped[term] = self.unmapped.get(term, 0) + 1

        extractor = EXTRACTOR
        config = self._config(model.get("Config"), path)
        if isinstance(config, ResolvedConfig):
            build.apply_config(config, self._root_of(config.path, model["Config"]))
            extractor = EXTRACTOR_WITH_CONFIG
        elif isinstance(config, ConfigError):
            build.details["config_error"] = str(config)

        paper = build.collection.get("Paper")
        title, url = None, None
        if isinstance(paper, dict):
            title, url = paper.get("Title"), paper.get("URL")
        elif isinstance(paper, str):
            url = paper
        # Architecture facts fill only what neither the metafile nor the config states.
        apply_published_facts(build.fields, build.field_sources, name)
        return RawRecord(
            source=SOURCE,
            source_file=str(path),
            source_key=f"{name}:{dataset}",
            extractor=extractor,
            fields=build.fields,
            details=build.details,
            field_sources=build.field_sources,
            paper_title=title,
            paper_url=url,
        )

    def _config(self, relative: Any, metafile: Path) -> ResolvedConfig | ConfigError | None:
        if not isinstance(relative, str) or not relative.endswith(".py"):
            return None
        if Path(relative).is_absolute() or ".." in Path(relative).parts:
            logger.warning("%s: config path %r leaves the repository; not read", metafile, relative)
            return None
        path = self._find_config(relative, metafile)
        if path is None:
            return None
        if path not in self.configs:
            try:
                self.configs[path] = self.resolver.resolve(path)
            except ConfigError as exc:
                logger.warning("config of %s not resolved: %s", metafile, exc)
                self.configs[path] = exc
        return self.configs[path]

    def _find_config(self, relative: str, metafile: Path) -> Path | None:
        """Find ``relative`` (from the repository root) under the directory, the metafile's folders or their parents."""
        roots = [self.directory, *self.directory.parents, *metafile.parents]
        for root in dict.fromkeys(roots):
            candidate = root / relative
            if candidate.is_file():
                return candidate
        return None

    @staticmethod
    def _root_of(config_path: Path, relative: str) -> Path:
        root = config_path
        for _ in Path(relative).parts:
            root = root.parent
        return root


class _RecordBuilder:
    """Collect the fields of one record with the metafile path each came from."""

    def __init__(self, path: Path, index: int, model: dict, collection: tuple[int | None, dict]) -> None:
        self.path = path
        self.index = index
        self.model = model
        self.collection_index, self.collection = collection
        self.fields: dict[str, Any] = {}
        self.details: dict[str, Any] = {}
        self.field_sources: dict[str, str] = {}
        self.unmapped: list[str] = []

    def set(self, name: str, value: Any, source: str) -> None:
        self.fields[name] = value
        self.field_sources[name] = source

    def metadata(self, key: str) -> tuple[Any, str | None]:
        """Return a Metadata value and its path; the model's Metadata overrides the collection's."""
        model_meta = self.model.get("Metadata") if isinstance(self.model.get("Metadata"), dict) else {}
        if key in model_meta:
            return model_meta[key], f"metafile Models[{self.index}].Metadata.{key}"
        collection_meta = self.collection.get("Metadata") if isinstance(self.collection.get("Metadata"), dict) else {}
        if key in collection_meta:
            return collection_meta[key], f"metafile Collections[{self.collection_index}].Metadata.{key}"
        return None, None

    def metadata_number(self, name: str, key: str) -> None:
        value, source = self.metadata(key)
        if value is not None:
            self.set(name, value, source)

    def batch_size(self, name: str) -> None:
        value, source = self.metadata("Batch Size")
        if value is not None:
            self.set("batch_size", value, source)
            return
        gpus = gpus_from_name(name)
        if gpus is not None:
            self.set("batch_size", gpus[0] * gpus[1], f"metafile Models[{self.index}].Name ({gpus[0]}xb{gpus[1]})")
            return

        # The config's name describes mmpretrain's own recipe, not how converted (3rdparty) weights were trained.
        config = self.model.get("Config")
        gpus = gpus_from_name(Path(config).stem) if isinstance(config, str) and "3rdparty" not in name else None
        if gpus is not None:
            self.set("batch_size", gpus[0] * gpus[1], f"metafile Models[{self.index}].Config ({gpus[0]}xb{gpus[1]})")

    def pretraining(self, name: str, dataset: Any) -> None:
        value, source = self.metadata("Training Data")
        if isinstance(value, str):
            value = [value]
        names = [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
        earlier = [n for n in names if n.lower() != str(dataset).lower()]
        if earlier:
            self.set("pretraining_data", earlier[0], source)
            if len(earlier) > 1:
                self.details["pretraining_stages"] = earlier
            return
        from_name = pretraining_from_name(name)
        if from_name is not None:
            self.set("pretraining_data", from_name, f"metafile Models[{self.index}].Name (-pre tag)")
        elif self.details.get("zero_shot"):
            self.set("pretraining_data", "other", f"metafile Models[{self.index}].Name (zero-shot)")
        else:
            self.set("pretraining_data", "none", source or f"metafile Models[{self.index}] (no earlier training data)")

    def hardware(self) -> None:
        value, source = self.metadata("Training Resources")
        if not isinstance(value, str):
            return
        try:
            setups = parse_hardware(value)
        except NormalizationError as exc:
            self.details["training_resources_error"] = str(exc)
            return
        first = setups[0]
        if first.gpu_type:
            self.set("gpu_type", first.gpu_type, source)
        if first.gpu_count:
            self.set("gpu_count", first.gpu_count, source)
        self.details["training_resources"] = value
        if len(setups) > 1:
            self.details["other_training_resources"] = [f"{h.gpu_count}x {h.gpu_type}" for h in setups[1:]]

    def techniques(self) -> None:
        for key in ("Training Techniques", "Architecture"):
            value, source = self.metadata(key)
            if isinstance(value, str):
                value = [value]
            terms = [term for term in value if isinstance(term, str)] if isinstance(value, list) else []
            mapped, unmapped = map_terms(terms)
            for component, values in mapped.items():
                if component in self.fields and isinstance(self.fields[component], list):
                    self.fields[component] = sorted(set(self.fields[component]) | set(values))
                    self.field_sources[component] += f"; {source}"
                elif component in ("optimizer", "lr_schedule", "output_function"):
                    # A single-choice component keeps the first value met; the rest go to details.
                    if component not in self.fields:
                        self.set(component, values[0], source)
                        values = values[1:]
                    if values:
                        self.details.setdefault(f"other_{component}", []).extend(values)
                else:
                    self.set(component, sorted(values), source)
            if unmapped:
                self.details.setdefault("unmapped_techniques", []).extend(unmapped)
                self.unmapped.extend(unmapped)
                logger.debug("%s: %s terms with no component: %s", self.model["Name"], key, unmapped)

    def input_size(self, name: str) -> None:
        size = input_size_from_name(name)
        if size is not None:
            self.set("input_size", size, f"metafile Models[{self.index}].Name (-{size}px)")

    def extras(self) -> None:
        flops, _ = self.metadata("FLOPs")
        if flops is not None:
            self.details["flops"] = flops
        for key, detail in (("Weights", "weights"), ("Config", "config")):
            if self.model.get(key):
                self.details[detail] = self.model[key]
        name = self.model["Name"]
        if "3rdparty" in name:
            self.details["converted_weights"] = True
        if "-linear-" in name or name.endswith("-linear"):
            self.details["evaluation"] = "linear probe"

    def apply_config(self, config: ResolvedConfig, root: Path) -> None:
        """Overlay the config's recipe.

        A config number or choice wins over the metafile's, which is kept in
        ``details["metafile_values"]``. Set components (augmentations,
        regularisation) take the union, because the metafile's architecture
        terms and the config's recipe describe different parts of a model.
        """
        label = str(config.path.relative_to(root)) if config.path.is_relative_to(root) else config.path.name
        recipe = read_recipe(config, label=label, name=self.model["Name"], root=root)
        replaced: dict[str, Any] = {}
        for field, value in recipe.fields.items():
            if field in IDENTITY_FIELDS:
                continue
            previous = self.fields.get(field)
            if isinstance(value, list):
                self.fields[field] = sorted(set(value) | set(previous or []))
                sources = [recipe.field_sources[field], self.field_sources.get(field)]
                self.field_sources[field] = "; ".join(s for s in sources if s)
                continue
            if previous is not None and previous != value:
                replaced[field] = previous
            self.fields[field] = value
            self.field_sources[field] = recipe.field_sources[field]
        if replaced:
            self.details["metafile_values"] = replaced
        self.details.update(recipe.details)
        self.details["config_files"] = [
            str(p.relative_to(root)) if p.is_relative_to(root) else p.name for p in config.files
        ]
        self.unmapped.extend(recipe.unmapped)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
