#!/usr/bin/python3
"""Fails when doc/findings.md differs from what the catalog generates.

usage: check_findings_doc.py SMBDIAG DOC   (prints TAP)
"""
import difflib
import os
import subprocess
import sys


def main():
    smbdiag, doc = sys.argv[1], sys.argv[2]
    print('1..1')
    env = dict(os.environ, LANGUAGE='', LC_ALL='C')
    res = subprocess.run([smbdiag, 'explain', '--catalog-markdown'], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if res.returncode != 0:
        print(f'not ok 1 - smbdiag explain --catalog-markdown exited {res.returncode}')
        print('# ' + res.stderr.decode(errors='replace').replace('\n', '\n# '))
        return 1
    want = res.stdout.decode('utf-8')
    try:
        with open(doc, encoding='utf-8') as f:
            have = f.read()
    except OSError as e:
        have = ''
        print(f'# cannot read {doc}: {e}')
    if want == have:
        print('ok 1 - doc/findings.md matches the finding catalog')
        return 0
    print('not ok 1 - doc/findings.md is out of date: run `make docs` '
          '(or: BUILD/src/cli/smbdiag explain --catalog-markdown > doc/findings.md)')
    for line in list(difflib.unified_diff(have.splitlines(), want.splitlines(),
                                          'doc/findings.md (committed)', 'generated', lineterm=''))[:60]:
        print('# ' + line)
    return 1


if __name__ == '__main__':
    sys.exit(main())
