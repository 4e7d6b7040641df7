#!/usr/bin/python3
"""Holds the JSON report to doc/report.schema.json.

Renders every sample timeline of tests/unit/report_samples.c with the
report_sample helper (--json and --jsonl forms) and validates the output
with a small validator for the part of JSON Schema the schema uses (the
python3-jsonschema package is not a build dependency). The validator
refuses keywords it does not know, so the schema cannot silently grow past
what is checked.

usage: check_report_schema.py REPORT_SAMPLE SCHEMA   (prints TAP)
"""
import json
import re
import subprocess
import sys

ANNOTATIONS = {'$schema', '$id', 'title', 'description', '$defs'}
KEYWORDS = {'type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const',
            'pattern', 'minimum', 'maximum', 'minItems', '$ref'}
TYPES = {
    'object': lambda v: isinstance(v, dict),
    'array': lambda v: isinstance(v, list),
    'string': lambda v: isinstance(v, str),
    'integer': lambda v: isinstance(v, int) and not isinstance(v, bool),
    'number': lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    'boolean': lambda v: isinstance(v, bool),
    'null': lambda v: v is None,
}


class Validator:
    def __init__(self, root):
        self.root = root

    def resolve(self, ref):
        if not ref.startswith('#/'):
            raise ValueError(f'unsupported $ref {ref}')
        node = self.root
        for part in ref[2:].split('/'):
            node = node[part]
        return node

    def check_schema(self, schema, where='#'):
        """Every keyword is one the validator implements."""
        for key, sub in schema.items():
            if key not in KEYWORDS | ANNOTATIONS:
                raise ValueError(f'{where}: unsupported keyword {key}')
            if key in ('properties', '$defs'):
                for name, s in sub.items():
                    self.check_schema(s, f'{where}/{key}/{name}')
            elif key == 'items':
                self.check_schema(sub, f'{where}/items')
            elif key == '$ref':
                self.resolve(sub)

    def errors(self, value, schema, path='$'):
        if '$ref' in schema:
            yield from self.errors(value, self.resolve(schema['$ref']), path)
        if 'type' in schema:
            types = schema['type'] if isinstance(schema['type'], list) else [schema['type']]
            if not any(TYPES[t](value) for t in types):
                yield f'{path}: {value!r} is not of type {schema["type"]}'
                return
        if 'const' in schema and value != schema['const']:
            yield f'{path}: {value!r} is not {schema["const"]!r}'
        if 'enum' in schema and value not in schema['enum']:
            yield f'{path}: {value!r} is not one of {schema["enum"]}'
        if 'pattern' in schema and isinstance(value, str) and not re.search(schema['pattern'], value):
            yield f'{path}: {value!r} does not match {schema["pattern"]}'
        if 'minimum' in schema and TYPES['number'](value) and value < schema['minimum']:
            yield f'{path}: {value!r} is below {schema["minimum"]}'
        if 'maximum' in schema and TYPES['number'](value) and value > schema['maximum']:
            yield f'{path}: {value!r} is above {schema["maximum"]}'
        if isinstance(value, list):
            if 'minItems' in schema and len(value) < schema['minItems']:
                yield f'{path}: fewer than {schema["minItems"]} items'
            if 'items' in schema:
                for i, item in enumerate(value):
                    yield from self.errors(item, schema['items'], f'{path}[{i}]')
        if isinstance(value, dict):
            props = schema.get('properties', {})
            for name in schema.get('required', []):
                if name not in value:
                    yield f'{path}: missing {name}'
            for name, item in value.items():
                if name in props:
                    yield from self.errors(item, props[name], f'{path}.{name}')
                elif schema.get('additionalProperties', True) is False:
                    yield f'{path}: unexpected member {name}'


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, name, details=()):
        self.n += 1
        print(f'{"ok" if ok else "not ok"} {self.n} - {name}')
        if not ok:
            self.failed += 1
            for line in list(details)[:20]:
                print(f'# {line}')


def render(helper, form, index):
    res = subprocess.run([helper, form, str(index)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         check=False)
    return res.returncode, res.stdout.decode('utf-8'), res.stderr.decode('utf-8', errors='replace')


def main():
    helper, schema_path = sys.argv[1], sys.argv[2]
    tap = Tap()
    with open(schema_path, encoding='utf-8') as f:
        schema = json.load(f)
    v = Validator(schema)
    try:
        v.check_schema(schema)
        tap.check(True, 'the schema uses only keywords the validator implements')
    except (ValueError, KeyError) as e:
        tap.check(False, 'the schema uses only keywords the validator implements', [str(e)])
    listing = subprocess.run([helper, 'list'], stdout=subprocess.PIPE, check=True).stdout.decode()
    samples = [line.split(' ', 1) for line in listing.splitlines() if line]
    reports = []
    for index, name in samples:
        rc, out, err = render(helper, 'json', index)
        try:
            doc = json.loads(out)
        except ValueError as e:
            tap.check(False, f'{name}: --json output parses', [str(e), err])
            continue
        reports.append(doc)
        errs = list(v.errors(doc, schema))
        tap.check(rc == 0 and not errs, f'{name}: --json output follows the schema', errs + [err])
        rc, out, err = render(helper, 'jsonl', index)
        line_schema = schema['$defs']['jsonl_line']
        errs = []
        lines = out.splitlines()
        for i, line in enumerate(lines):
            try:
                errs += [f'line {i + 1}: {e}' for e in v.errors(json.loads(line), line_schema)]
            except ValueError as e:
                errs.append(f'line {i + 1} does not parse: {e}')
        tap.check(rc == 0 and not errs and len(lines) >= len(doc['connections']),
                  f'{name}: --jsonl output has a valid object per line', errs + [err])
    # The validator itself catches what it should, so a pass above means something.
    bad = json.loads(json.dumps(reports[0]))
    del bad['tool']
    bad['connections'][0]['steps'][0]['ok'] = 'yes'
    bad['connections'][0]['invented'] = 1
    errs = list(v.errors(bad, schema))
    tap.check(len(errs) == 3, 'the validator reports a missing member, a wrong type and an extra member', errs)
    findings = [f for r in reports for f in r['findings']]
    tap.check(any(f['severity'] == 'error' for f in findings) and all(f['evidence'] for f in findings),
              'the samples produce findings, each with evidence',
              [json.dumps(f)[:200] for f in findings if not f['evidence']])
    print(f'1..{tap.n}')
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())
