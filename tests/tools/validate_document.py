#!/usr/bin/python3
"""Validate fabricperf result documents against results/schema/fabricperf-2.schema.json
(documents saying "schema": "fabricperf/1" against fabricperf-1.schema.json).

Usage: validate_document.py DOC.json [DOC.json ...]
Exit 0 when every document is valid; 1 with one line per problem otherwise; 2 for usage.
Uses Debian's python3-jsonschema (run with /usr/bin/python3).
"""
import json
import pathlib
import sys

import jsonschema

SCHEMAS = pathlib.Path(__file__).resolve().parents[2] / "results" / "schema"


def main(argv):
    if len(argv) < 2:
        print("usage: validate_document.py DOC.json [DOC.json ...]", file=sys.stderr)
        return 2
    validators = {v: jsonschema.Draft202012Validator(json.loads((SCHEMAS / f"fabricperf-{v}.schema.json").read_text()))
                  for v in (1, 2)}
    failures = 0
    for path in argv[1:]:
        try:
            doc = json.loads(pathlib.Path(path).read_text())
        except (OSError, json.JSONDecodeError) as e:
            print(f"{path}: cannot read JSON: {e}")
            failures += 1
            continue
        validator = validators[1 if isinstance(doc, dict) and doc.get("schema") == "fabricperf/1" else 2]
        for error in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
            where = "/".join(str(p) for p in error.absolute_path) or "(document)"
            print(f"{path}: {where}: {error.message}")
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
