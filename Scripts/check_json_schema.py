#!/usr/bin/env python3
"""Checks JSON documents against a JSON Schema (draft 2020-12) with Python's jsonschema.

Usage: check_json_schema.py SCHEMA.json DOCUMENT.json ...

Checks the schema itself against the draft's meta-schema first (exit 2 when it is not a valid
schema), then prints one JSON line per document, in the order given:
  {"document": "pipelines/x.json", "valid": true, "errors": []}
  {"document": "bad.json", "valid": false, "errors": [{"path": "stages/5/sink/batch_size", "message": "..."}]}
Exit 0 when every document is valid, 1 otherwise. The tests of `debtflow schema` run it; so can
you (Scripts/ensure-system-packages.sh installs jsonschema).
"""
import json
import sys

from jsonschema import Draft202012Validator


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        schema = json.load(handle)
    try:
        Draft202012Validator.check_schema(schema)
    except Exception as error:  # the schema itself is wrong
        print(f"{argv[1]}: not a valid draft 2020-12 schema: {error}", file=sys.stderr)
        return 2
    validator = Draft202012Validator(schema)
    all_valid = True
    for document_path in argv[2:]:
        with open(document_path, encoding="utf-8") as handle:
            document = json.load(handle)
        errors = [{"path": "/".join(str(part) for part in error.absolute_path), "message": error.message}
                  for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))]
        all_valid = all_valid and not errors
        print(json.dumps({"document": document_path, "valid": not errors, "errors": errors}, ensure_ascii=False))
    return 0 if all_valid else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
