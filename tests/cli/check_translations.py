#!/usr/bin/env python3
"""The translations: each catalog in po/LINGUAS passes msgfmt --check
(a translated printf format takes the same arguments as the English one:
evidence lines are formatted from translated formats, so a mismatch would
be undefined behaviour, not a typo) and is complete (no untranslated or
fuzzy message: a report half in one language and half in another is what
--lang exists to avoid). TAP output.

usage: check_translations.py PO_DIR"""
import os
import shutil
import subprocess
import sys


def main():
    po_dir = sys.argv[1]
    with open(os.path.join(po_dir, 'LINGUAS')) as f:
        langs = [w for line in f for w in line.split('#')[0].split()]
    print(f'1..{2 * len(langs)}')
    n = 0
    for lang in langs:
        path = os.path.join(po_dir, f'{lang}.po')
        if not shutil.which('msgfmt'):
            for what in ('passes msgfmt --check', 'is complete'):
                n += 1
                print(f'ok {n} - {lang}.po {what} # SKIP msgfmt missing (gettext)')
            continue
        r = subprocess.run(['msgfmt', '--check', '--statistics', '-o', os.devnull, path],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        n += 1
        print(f'{"ok" if r.returncode == 0 else "not ok"} {n} - {lang}.po passes msgfmt --check')
        for line in r.stdout.splitlines():
            print(f'# {line}')
        stats = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ''
        complete = r.returncode == 0 and 'fuzzy' not in stats and 'untranslated' not in stats
        n += 1
        print(f'{"ok" if complete else "not ok"} {n} - {lang}.po is complete ({stats}); '
              f'after new texts: ninja -C BUILD smbdiag-pot smbdiag-update-po, then translate')
    return 0


if __name__ == '__main__':
    sys.exit(main())
