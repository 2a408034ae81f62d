#!/usr/bin/python3
"""Validate fabricperf result documents against results/schema/fabricperf-1.schema.json.

Usage: validate_document.py DOC.json [DOC.json ...]
Exit 0 when every document is valid; 1 with one line per problem otherwise; 2 for usage.
Uses Debian's python3-jsonschema (run with /usr/bin/python3).
"""
import json
import pathlib
import sys

import jsonschema

SCHEMA = pathlib.Path(__file__).resolve().parents[2] / "results" / "schema" / "fabricperf-1.schema.json"


def main(argv):
    if len(argv) < 2:
        print("usage: validate_document.py DOC.json [DOC.json ...]", file=sys.stderr)
        return 2
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    failures = 0
    for path in argv[1:]:
        try:
            doc = json.loads(pathlib.Path(path).read_text())
        except (OSError, json.JSONDecodeError) as e:
            print(f"{path}: cannot read JSON: {e}")
            failures += 1
            continue
        for error in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
            where = "/".join(str(p) for p in error.absolute_path) or "(document)"
            print(f"{path}: {where}: {error.message}")
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
