#!/usr/bin/python3
"""The scenarios: one capture per failure, recorded from real peers
(record.py), and what `smbdiag analyze` must find in it (cases.json,
written by hand).

For each case: the exit status, exactly the findings listed (id and
connection: no more, no fewer), a piece of each finding's evidence, and
the JSON report read by a strict parser. Needs only the build: the
captures are committed beside this file.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def load_cases():
    with open(os.path.join(HERE, 'cases.json'), encoding='utf-8') as f:
        return json.load(f)


def check(smbdiag, case, capture):
    """(problems, output) of `analyze --json` of capture against case."""
    cmd = [smbdiag, 'analyze', '--json', capture] + case.get('options', [])
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120,
                       env=dict(os.environ, LANG='C', LC_ALL='C'))
    out = f'$ {" ".join(cmd)}\nexit {r.returncode}\n{r.stderr}{r.stdout[-6000:]}'
    problems = []
    try:
        report = json.loads(r.stdout)
    except ValueError as e:
        return [f'not JSON: {e}'], out
    if r.returncode != case['exit']:
        problems.append(f'exit {r.returncode}, expected {case["exit"]}')
    found = [(f.get('id'), f.get('connection')) for f in report.get('findings', [])]
    wanted = [(f['id'], f.get('connection')) for f in case['findings']]
    if sorted(found, key=str) != sorted(wanted, key=str):
        problems.append(f'findings {found}, expected {wanted}')
    for want in case['findings']:
        lines = [line for f in report.get('findings', [])
                 if (f.get('id'), f.get('connection')) == (want['id'], want.get('connection'))
                 for line in f.get('evidence', [])]
        if want.get('evidence') and not any(want['evidence'] in line for line in lines):
            problems.append(f'{want["id"]}: no evidence line holds {want["evidence"]!r}')
    if len(report.get('connections', [])) != case['connections']:
        problems.append(f'{len(report.get("connections", []))} connections, expected {case["connections"]}')
    return problems, out


def snap_length_case(smbdiag, n):
    """A capture cut by a small snap length has lost the messages that
    failed: analyze must say so instead of a bare "No problem found"."""
    editcap = shutil.which('editcap')
    if not editcap:
        print(f'ok {n} - snap length note # SKIP editcap (wireshark-common) not installed', flush=True)
        return True
    with tempfile.TemporaryDirectory() as tmp:
        cut = os.path.join(tmp, 'cut.pcapng')
        subprocess.run([editcap, '-s', '100', os.path.join(HERE, 'tree-bad-network-name.pcapng'), cut], check=True,
                       timeout=60)
        r = subprocess.run([smbdiag, 'analyze', cut], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=120, env=dict(os.environ, LANG='C', LC_ALL='C'))
        j = subprocess.run([smbdiag, 'analyze', '--json', cut], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=120)
    try:
        conns = json.loads(j.stdout).get('connections', [])
    except ValueError:
        conns = []
    good = ("the capture's snap length cut packets short" in r.stderr
            and "snap length cut packets of this connection short" in r.stdout
            and any(c.get('capture', {}).get('snapped') is True for c in conns))
    print(f'{"ok" if good else "not ok"} {n} - a capture cut at 100 bytes a packet: analyze says failures may be '
          'missing, and which connection lost them (text and JSON capture.snapped)', flush=True)
    if not good:
        for line in (r.stdout + r.stderr).splitlines()[-20:]:
            print(f'#   {line}', flush=True)
    return good


def main():
    build = os.environ.get('SMBDIAG_BUILD', os.path.join(HERE, '..', '..', 'build'))
    smbdiag = os.path.join(build, 'src', 'cli', 'smbdiag')
    cases = load_cases()
    n = failed = 0
    for case in cases:
        n += 1
        capture = os.path.join(HERE, case['name'] + '.pcapng')
        if not os.path.exists(capture):
            problems, out = [f'{capture} is missing (record.py records it)'], ''
        else:
            problems, out = check(smbdiag, case, capture)
        print(f'{"not ok" if problems else "ok"} {n} - {case["name"]}: {case["about"]}', flush=True)
        if problems:
            failed += 1
            for line in ('\n'.join(problems) + '\n' + out).splitlines()[-40:]:
                print(f'#   {line}', flush=True)
    n += 1
    if not snap_length_case(smbdiag, n):
        failed += 1
    print(f'1..{n}', flush=True)
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
