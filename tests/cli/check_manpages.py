#!/usr/bin/env python3
"""The man pages doc/smbdiag.1 and doc/smbdiag-serve.ini.5 are written by
hand, so this keeps them true: groff renders each without a warning; every
option a command's --help shows is described in that command's section of
smbdiag(1) (or under COMMON OPTIONS), and every option described there is
one the command's --help shows, so neither drifts from the other; every
command takes --version; the exit statuses each --help names are in EXIT
STATUS; and every key src/cli/serve_config.c reads is described in its
section of smbdiag-serve.ini(5), and no key there is one the reader
refuses. TAP output.

usage: check_manpages.py SMBDIAG DOC_DIR SERVE_CONFIG_C"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'interop'))
from peers import Tap  # noqa: E402

COMMANDS = ['probe', 'analyze', 'serve', 'explain', 'hash']
OPTION = re.compile(r'(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])')


def render(path):
    """The page as man shows it, and groff's warnings."""
    r = subprocess.run(['groff', '-man', '-Tutf8', '-ww', path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=60,
                       env=dict(os.environ, MANWIDTH='80', LC_ALL='C'))
    return r.returncode, r.stdout, r.stderr


def tagged_paragraphs(path):
    """(section, subsection) -> the tags of its .TP paragraphs, read from
    the roff source with the font escapes and quotes taken out."""
    tags, sh, ss, after_tp = {}, None, None, False
    with open(path, encoding='utf-8') as f:
        for line in f.read().splitlines():
            if after_tp:
                tag = re.sub(r'^\.[A-Z]{1,2}\s+', '', line)
                tag = re.sub(r'\\f[BIRP]', '', tag).replace('\\-', '-').replace('\\e', '\\').replace('"', '')
                tags.setdefault((sh, ss), []).append(tag)
                after_tp = False
            elif line.startswith('.SH '):
                sh, ss = line[4:].strip().strip('"'), None
                tags.setdefault((sh, ss), [])
            elif line.startswith('.SS '):
                ss = line[4:].strip().strip('"')
                tags.setdefault((sh, ss), [])
            elif line.strip() == '.TP':
                after_tp = True
    return tags


def help_text(smbdiag, command):
    r = subprocess.run([smbdiag, command, '--help'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=30)
    return r.returncode, r.stdout


def help_options(text):
    """Options of a --help: those that start a line of the option list."""
    found = set()
    for line in text.splitlines():
        m = re.match(r'^\s+((?:-[a-zA-Z], )?--?[a-zA-Z][\w-]*)', line)
        if m:
            found.update(OPTION.findall(m.group(1)))
    return found


def page_options(tags):
    """Options named by the tags of tagged paragraphs."""
    found = set()
    for tag in tags:
        found.update(OPTION.findall(tag))
    return found


def serve_keys(source):
    """Section -> keys, from the functions of serve_config.c that read them."""
    owners = {'server_key': 'server', 'fault_key': 'fault', 'user_key': 'user NAME',
              'share_key': 'share NAME', 'kerberos_key': 'kerberos'}
    keys, current = {}, None
    for line in source.splitlines():
        m = re.match(r'^(\w+)\(struct parser \*p, const char \*k, const char \*v\)', line)
        if m:
            current = owners.get(m.group(1))
            continue
        if current:
            for key in re.findall(r'strcasecmp\(k, "(\w+)"\)', line):
                keys.setdefault(current, set()).add(key)
    return keys


def check_smbdiag_1(tap, smbdiag, path):
    rc, _, warnings = render(path)
    tap.ok(rc == 0 and warnings == '', 'smbdiag.1 renders without a groff warning', warnings)
    tags = tagged_paragraphs(path)
    common = page_options(tags.get(('COMMON OPTIONS', None), []))
    exits = {t.split()[0] for (sh, _), ts in tags.items() if sh == 'EXIT STATUS' for t in ts}
    for command in COMMANDS:
        rc, helptext = help_text(smbdiag, command)
        has_section = ('COMMANDS', command) in tags
        tap.ok(rc == 0 and has_section, f'{command}: --help works and smbdiag.1 describes its options', helptext)
        described = page_options(tags.get(('COMMANDS', command), []))
        offered = help_options(helptext) - {'-h', '--help'}
        missing = sorted(o for o in offered if o not in described and o not in common)
        tap.ok(not missing, f'{command}: every option of --help is in smbdiag.1', f'missing: {missing}')
        extra = sorted(described - help_options(helptext))
        tap.ok(not extra, f'{command}: every option smbdiag.1 gives it is in its --help', f'unknown: {extra}')
        r = subprocess.run([smbdiag, command, '--version'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=30)
        tap.ok(r.returncode == 0 and r.stdout.startswith('smbdiag '), f'{command} --version (COMMON OPTIONS)',
               r.stdout)
        m = re.search(r'exit status:(.*)', helptext, re.S)
        codes = set(re.findall(r'\b(\d{1,2})\b', m.group(1))) if m else set()
        tap.ok(codes <= exits, f'{command}: the exit statuses of --help are in EXIT STATUS',
               f'absent: {sorted(codes - exits)}')


def check_serve_ini_5(tap, path, config_source):
    rc, _, warnings = render(path)
    tap.ok(rc == 0 and warnings == '', 'smbdiag-serve.ini.5 renders without a groff warning', warnings)
    tags = tagged_paragraphs(path)
    with open(config_source, encoding='utf-8') as f:
        keys = serve_keys(f.read())
    tap.ok(len(keys) == 5, 'serve_config.c: the keys of five sections found', sorted(keys))
    for section, names in sorted(keys.items()):
        found = tags.get((f'[{section}]', None))
        tap.ok(found is not None, f'smbdiag-serve.ini.5 has a [{section}] section', sorted(tags))
        described = {w for t in found or [] for w in re.findall(r'\b[A-Z][A-Za-z0-9]+\b', t)}
        missing = sorted(names - described)
        tap.ok(not missing, f'[{section}]: every key serve reads is described', f'missing: {missing}')
        unknown = sorted(described - names)
        tap.ok(not unknown, f'[{section}]: every key described is one serve reads', f'unknown: {unknown}')


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    smbdiag, doc_dir, config_source = sys.argv[1:]
    tap = Tap()
    check_smbdiag_1(tap, smbdiag, os.path.join(doc_dir, 'smbdiag.1'))
    check_serve_ini_5(tap, os.path.join(doc_dir, 'smbdiag-serve.ini.5'), config_source)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
