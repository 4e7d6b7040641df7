#!/usr/bin/env python3
"""The translations: each catalog in po/LINGUAS passes msgfmt --check
(a translated printf format takes the same arguments as the English one:
evidence lines are formatted from translated formats, so a mismatch would
be undefined behaviour, not a typo), is complete (no untranslated or
fuzzy message: a report half in one language and half in another is what
--lang exists to avoid), and covers the sources as they are: the texts
xgettext finds today, with the keywords of po/meson.build, are all in it
(a new evidence line would otherwise stay English without a word); and
po/POTFILES names every source file that marks texts, since a file missing
there would escape all of the above. TAP output.

usage: check_translations.py PO_DIR SOURCE_ROOT"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def xgettext_args(po_dir):
    """The extraction options po/meson.build gives xgettext."""
    with open(os.path.join(po_dir, 'meson.build')) as f:
        text = f.read()
    return [a for a in re.findall(r"'(--[a-z-]+=[^']*)'", text)
            if a.startswith(('--keyword=', '--flag=', '--from-code='))]


def covers_sources(po_dir, source_root, path, tmp):
    """The statistics of the catalog merged with what the sources hold
    today: untranslated or fuzzy there means texts the catalog lacks."""
    pot = os.path.join(tmp, 'now.pot')
    merged = os.path.join(tmp, 'merged.po')
    subprocess.run(['xgettext', '--files-from', os.path.join(po_dir, 'POTFILES'), '--directory', source_root,
                    '-o', pot, '--language=C'] + xgettext_args(po_dir), check=True, timeout=120,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    subprocess.run(['msgmerge', '--quiet', '--no-fuzzy-matching', '-o', merged, path, pot], check=True, timeout=120)
    r = subprocess.run(['msgfmt', '--statistics', '-o', os.devnull, merged], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=120)
    return r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ''


def unlisted_sources(po_dir, source_root, tmp):
    """Source files under src/ that mark texts for translation but are
    missing from po/POTFILES."""
    with open(os.path.join(po_dir, 'POTFILES')) as f:
        listed = {line.strip() for line in f if line.strip() and not line.startswith('#')}
    others = []
    for top, _, names in os.walk(os.path.join(source_root, 'src')):
        for name in names:
            rel = os.path.relpath(os.path.join(top, name), source_root)
            if name.endswith(('.c', '.h')) and rel not in listed:
                others.append(rel)
    if not others:
        return []
    pot = os.path.join(tmp, 'unlisted.pot')
    subprocess.run(['xgettext', '--directory', source_root, '-o', pot, '--language=C', '--force-po']
                   + xgettext_args(po_dir) + sorted(others), check=True, timeout=120,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with open(pot) as f:
        return sorted({m for m in re.findall(r'^#: (.*)$', f.read(), re.M) for m in
                       (ref.rsplit(':', 1)[0] for ref in m.split())})


def main():
    po_dir, source_root = sys.argv[1], sys.argv[2]
    with open(os.path.join(po_dir, 'LINGUAS')) as f:
        langs = [w for line in f for w in line.split('#')[0].split()]
    print(f'1..{3 * len(langs) + 1}')
    n = 0
    for lang in langs:
        path = os.path.join(po_dir, f'{lang}.po')
        if not all(shutil.which(t) for t in ('msgfmt', 'xgettext', 'msgmerge')):
            for what in ('passes msgfmt --check', 'is complete', 'covers the sources'):
                n += 1
                print(f'ok {n} - {lang}.po {what} # SKIP gettext tools missing (Debian package gettext)')
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
        print(f'{"ok" if complete else "not ok"} {n} - {lang}.po is complete ({stats})')
        with tempfile.TemporaryDirectory(prefix='smbdiag-po-') as tmp:
            now = covers_sources(po_dir, source_root, path, tmp)
        n += 1
        print(f'{"ok" if now and "untranslated" not in now and "fuzzy" not in now else "not ok"} {n} - '
              f'{lang}.po covers the texts the sources hold today ({now}); after new texts: '
              f'ninja -C BUILD smbdiag-pot smbdiag-update-po, then translate')
    n += 1
    if not shutil.which('xgettext'):
        print(f'ok {n} - po/POTFILES names every source that marks texts # SKIP gettext tools missing')
        return 0
    with tempfile.TemporaryDirectory(prefix='smbdiag-po-') as tmp:
        missing = unlisted_sources(po_dir, source_root, tmp)
    print(f'{"ok" if not missing else "not ok"} {n} - po/POTFILES names every source that marks texts'
          f'{": add " + ", ".join(missing) if missing else ""}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
