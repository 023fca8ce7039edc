"""Write the JSON Schemas in schemas/ from the models: `python -m costcalc.schema.export`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from costcalc.schema.catalog import ComputeFile, GpusFile, HostedFile, ModelsFile, ThroughputFile
from costcalc.schema.profile import Profile
from costcalc.schema.project import Project
from costcalc.schema.report import CompareReport
from costcalc.schema.report_bench import PredictReport
from costcalc.schema.report_gates import CheckReport, DiffReport, SensitivityReport
from costcalc.schema.report_project import ProjectCompareReport, ProjectDiffReport
from costcalc.schema.uncertain import UNCERTAIN_FIELDS, Lognormal, Triangular, Uniform

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"  # of the source checkout
DIALECT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://github.com/costcalc/costcalc/schemas/"
COMMAND = "python -m costcalc.schema.export"

# file under schemas/ → (model, title, description); reports take theirs from the model
SCHEMAS: dict[str, tuple[type[BaseModel], str | None, str | None]] = {
    "compare.schema.json": (CompareReport, None, None),
    "check.schema.json": (CheckReport, None, None),
    "diff.schema.json": (DiffReport, None, None),
    "compare-project.schema.json": (ProjectCompareReport, None, None),
    "diff-project.schema.json": (ProjectDiffReport, None, None),
    "project.schema.json": (
        Project,
        "costcalc project file (costcalc.yaml)",
        "The profiles, budgets, catalog directories and default range every command reads.",
    ),
    "sensitivity.schema.json": (SensitivityReport, None, None),
    "bench-predict.schema.json": (PredictReport, None, None),
    "profile.schema.json": (
        Profile,
        "costcalc traffic profile",
        "A traffic profile (DESIGN §2.1), schema_version 1. Facts about traffic, requests and "
        "overheads (not SLO targets or choices) may be a distribution instead of a number: "
        "{median, p90} (lognormal), {low, high} (uniform) or {low, mode, high} (triangular).",
    ),
    **{
        f"catalog/{name}.schema.json": (model, f"costcalc catalog: {name}.yaml", None)
        for name, model in (
            ("hosted", HostedFile),
            ("compute", ComputeFile),
            ("gpus", GpusFile),
            ("models", ModelsFile),
            ("throughput", ThroughputFile),
        )
    },
}


def _target(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """The definition a property points to, directly or through anyOf (a model or null)."""
    refs = [node.get("$ref"), *(alt.get("$ref") for alt in node.get("anyOf", []))]
    ref = next(r for r in refs if r)
    target: dict[str, Any] = schema["$defs"][ref.rsplit("/", 1)[1]]
    return target


def _allow_distributions(schema: dict[str, Any]) -> None:
    """Let each field a profile may give as a distribution (schema/uncertain.py) be one: the
    model validates after the loader has replaced distributions by their means."""
    names: dict[str, type[BaseModel]] = {
        "Lognormal": Lognormal,
        "Uniform": Uniform,
        "Triangular": Triangular,
    }
    for name, model in names.items():
        schema["$defs"][name] = model.model_json_schema()
    choices = [{"$ref": f"#/$defs/{name}"} for name in names]
    for path in UNCERTAIN_FIELDS:
        *parents, leaf = path.split(".")
        node = schema
        for key in parents:
            node = _target(schema, node["properties"][key])
        prop = node["properties"][leaf]
        if "anyOf" in prop:
            prop["anyOf"] = [*prop["anyOf"], *[c for c in choices if c not in prop["anyOf"]]]
            continue
        meta = {k: prop.pop(k) for k in ("title", "description", "default") if k in prop}
        node["properties"][leaf] = {"anyOf": [prop, *choices], **meta}


def schema_of(name: str) -> dict[str, Any]:
    model, title, description = SCHEMAS[name]
    schema = model.model_json_schema()
    if model is Profile:
        _allow_distributions(schema)
    if title:
        schema["title"] = title
    if description:
        schema["description"] = description
    return {"$schema": DIALECT, "$id": BASE_ID + name, **schema}


def generate() -> dict[str, str]:
    """Each schema file's path under schemas/ and its text."""
    return {
        name: json.dumps(schema_of(name), indent=2, ensure_ascii=False) + "\n" for name in SCHEMAS
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is out of date")
    parser.add_argument("--dir", type=Path, default=SCHEMA_DIR, help="default: %(default)s")
    args = parser.parse_args(argv)
    stale = []
    for name, text in generate().items():
        path = args.dir / name
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(name)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    verb = "out of date" if args.check else "written"
    print(f"{len(stale)} schema(s) {verb} in {args.dir}: {', '.join(stale) or 'none'}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
