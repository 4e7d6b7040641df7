#!/usr/bin/python3
"""Command-line checks of `smbdiag explain`: exit statuses, text and JSON
output, code spellings, translations. usage: test_explain_cli.py SMBDIAG
Prints TAP."""
import json
import os
import subprocess
import sys

SMBDIAG = sys.argv[1] if len(sys.argv) > 1 else 'build/src/cli/smbdiag'
BASE_ENV = dict(os.environ, LANGUAGE='', LC_ALL='C.UTF-8')
results = []


def run(*args, env=None):
    e = dict(BASE_ENV)
    e.update(env or {})
    res = subprocess.run([SMBDIAG] + list(args), env=e, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, check=False)
    return res.returncode, res.stdout.decode('utf-8'), res.stderr.decode('utf-8')


def check(name, cond, detail=''):
    results.append((bool(cond), name, detail))


def skip(name, why):
    results.append((None, name, why))


def explain_json(*args):
    rc, out, err = run('explain', '--json', *args)
    if rc != 0:
        return rc, None
    return rc, json.loads(out)


def test_tree_connect_access_denied():
    rc, out, _ = run('explain', '0xC0000022', '--step', 'tree_connect')
    check('0xC0000022 --step tree_connect exits 0', rc == 0)
    for s in ('tree.access_denied', 'tree.encryption_required', 'Get-SmbServerConfiguration | select Encrypt*',
              'Get-SmbShare | select Name, EncryptData', 'smb encrypt', 'BAD_NETWORK_NAME',
              'Likely causes', 'Checks', 'Fixes', 'References'):
        check(f'0xC0000022 tree_connect text mentions {s!r}', s in out)
    check('permissions come before encryption',
          out.find('tree.access_denied') < out.find('tree.encryption_required'))


def test_json():
    rc, doc = explain_json('0xC0000022', '--step', 'tree_connect')
    check('--json exits 0 and parses', rc == 0 and doc is not None)
    if not doc:
        return
    check('json: name and code', doc['name'] == 'STATUS_ACCESS_DENIED' and doc['code'] == '0xC0000022'
          and doc['kind'] == 'ntstatus' and doc['value'] == 0xC0000022)
    check('json: one step, tree_connect', [s['step'] for s in doc['steps']] == ['tree_connect'])
    ids = [c.get('finding') for c in doc['steps'][0]['causes']]
    check('json: causes point to findings', 'tree.access_denied' in ids and 'tree.encryption_required' in ids)
    check('json: findings carry SPEC fields', all(
        set(f) >= {'id', 'severity', 'step', 'title', 'cause', 'remedy', 'refs'} for f in doc['findings']))
    check('json: checks have platform and text', all(
        c['platform'] in ('windows', 'samba', 'any') and c['text'] for c in doc['checks']))
    rc, out, _ = run('explain', '--json', '--compact', 'tree.encryption_required')
    check('--compact is one line of JSON', rc == 0 and out.count('\n') == 1 and json.loads(out)['kind'] == 'finding')


def test_all_steps():
    rc, doc = explain_json('0xC0000022')
    steps = [s['step'] for s in doc['steps']] if doc else []
    check('0xC0000022 without step covers session_setup and tree_connect',
          rc == 0 and 'session_setup' in steps and 'tree_connect' in steps)
    ids = {c.get('finding') for s in (doc or {}).get('steps', []) for c in s['causes']}
    check('0xC0000022 all steps: encryption, name hardening, signing',
          {'session.encryption_required', 'session.name_hardening', 'session.signing_mismatch'} <= ids)


def test_spellings():
    for spelling in ('0xC00000CC', 'C00000CC', 'c00000cc', 'STATUS_BAD_NETWORK_NAME',
                     'NT_STATUS_BAD_NETWORK_NAME', 'nt:0xc00000cc', '-1073741620'):
        rc, doc = explain_json(spelling)
        check(f'{spelling} is 0xC00000CC', rc == 0 and doc['code'] == '0xC00000CC')
    for spelling, name in (('KDC_ERR_S_PRINCIPAL_UNKNOWN', 'KDC_ERR_S_PRINCIPAL_UNKNOWN'),
                           ('krb:7', 'KDC_ERR_S_PRINCIPAL_UNKNOWN'), ('7', 'KDC_ERR_S_PRINCIPAL_UNKNOWN'),
                           ('krb:37', 'KRB_AP_ERR_SKEW'), ('KRB5KRB_AP_ERR_SKEW', 'KRB_AP_ERR_SKEW')):
        rc, doc = explain_json(spelling)
        check(f'{spelling} is Kerberos {name}', rc == 0 and doc['kind'] == 'kerberos' and doc['name'] == name)
    for spelling in ('nbss:0x82', '0x82', 'nbss:130'):
        rc, doc = explain_json(spelling)
        check(f'{spelling} is NetBIOS 0x82', rc == 0 and doc['kind'] == 'nbss' and doc['value'] == 0x82)


def test_knowledge():
    rc, out, _ = run('explain', 'KDC_ERR_PREAUTH_REQUIRED')
    check('PREAUTH_REQUIRED says it is normal', rc == 0 and 'not a fault' in out
          and 'kerberos.preauth_required' in out)
    rc, out, _ = run('explain', 'KDC_ERR_S_PRINCIPAL_UNKNOWN')
    check('S_PRINCIPAL_UNKNOWN suggests setspn -S cifs/alias host',
          rc == 0 and 'setspn -S cifs/alias host' in out and 'kerberos.spn_unknown' in out)
    rc, out, _ = run('explain', '0xC000006D')
    check('LOGON_FAILURE: credentials, Kerberos ticket, guest',
          rc == 0 and all(s in out for s in ('session.logon_failure', 'kerberos.ticket_rejected',
                                             'session.guest_fallback', 'security blob')))
    rc, out, _ = run('explain', 'STATUS_NOT_SUPPORTED', '--step', 'negotiate')
    check('NOT_SUPPORTED in negotiate is no common dialect',
          rc == 0 and 'negotiate.no_common_dialect' in out and 'session.ntlm_used' not in out)
    rc, doc = explain_json('0xC0000001')
    if rc == 0:
        check('a known status without knowledge gets a note', doc['specific'] is False and doc['note'])
    else:
        skip('a known status without knowledge gets a note', 'STATUS_UNSUCCESSFUL not in the names table')


def test_errors():
    for args in (['explain', '0xDEADBEEF'], ['explain', 'no.such_finding'], ['explain', 'not a code'],
                 ['explain'], ['explain', '0xC0000022', '--step', 'bogus'], ['explain', '--bogus'],
                 ['explain', '0xC0000022', 'extra'], ['explain', 'krb:999'], ['nosuchcommand'], []):
        rc, out, err = run(*args)
        check(f'{" ".join(args) or "(no arguments)"} exits 2 with a message', rc == 2 and err.strip())
    for typed, meant in (('STATUS_BAD_NETWORK_NAM', 'STATUS_BAD_NETWORK_NAME'),
                         ('tree.bad_network', 'tree.bad_network_name'),
                         ('KDC_ERR_PREAUTH_FAIL', 'KDC_ERR_PREAUTH_FAILED')):
        rc, out, err = run('explain', typed)
        check(f'{typed}: exit 2, did you mean: {meant}?', rc == 2 and f'did you mean: {meant}' in err, err)
    rc, out, err = run('explain', '0xDEADBEEF')
    check('an unknown number: no guess', rc == 2 and 'did you mean' not in err, err)
    rc, out, _ = run('explain', '--help')
    check('explain --help exits 0', rc == 0 and 'usage: smbdiag explain' in out)
    rc, out, _ = run('--help')
    check('smbdiag --help lists explain', rc == 0 and 'explain' in out)
    rc, out, _ = run('explain', '--list')
    check('--list lists the catalog', rc == 0 and len(out.splitlines()) >= 32 and 'tree.bad_network_name' in out)
    rows = len(out.splitlines())
    for args in (['--list', '--json'], ['--json', '--list', '--compact'], ['-l', '-j']):
        rc, out, _ = run('explain', *args)
        try:
            doc = json.loads(out)
        except ValueError:
            doc = None
        check(f'explain {" ".join(args)}: a JSON array of every finding', rc == 0 and isinstance(doc, list)
              and len(doc) == rows and all(set(f) == {'id', 'step', 'severity', 'title'} for f in doc)
              and {'id': 'tree.bad_network_name', 'step': 'tree_connect', 'severity': 'error',
                   'title': 'Share not found (STATUS_BAD_NETWORK_NAME)'} in doc, out[:300])
    rc, out, _ = run('explain', '--list', '--json', '--compact')
    check('explain --list --json --compact: one line', rc == 0 and out.count('\n') == 1)
    rc, out, _ = run('explain', '--help')
    check('explain --help tells what --list --json prints', '{id, step, severity, title}' in out, out)


def test_translation():
    modir = os.environ.get('SMBDIAG_LOCALEDIR', '')
    if not os.path.exists(os.path.join(modir, 'zh_TW', 'LC_MESSAGES', 'smbdiag.mo')):
        skip('--lang zh_TW translates', 'no compiled zh_TW catalog (msgfmt missing?)')
        return
    title = '共用要求加密，但用戶端無法加密'
    rc, out, _ = run('explain', '--lang', 'zh_TW', 'tree.encryption_required')
    check('--lang zh_TW prints the Chinese title', rc == 0 and title in out)
    rc, out, _ = run('explain', '--lang', 'zh_TW', '0xC0000022', '--step', 'tree_connect')
    check('--lang zh_TW translates headings and steps', rc == 0 and '可能原因' in out and '樹狀連接' in out)
    rc, out, _ = run('explain', 'tree.encryption_required', env={'LANGUAGE': 'zh_TW'})
    check('LANGUAGE=zh_TW selects Chinese', rc == 0 and title in out)
    rc, out, _ = run('explain', 'tree.encryption_required', env={'LC_ALL': '', 'LANG': 'zh_TW.UTF-8'})
    check('LANG=zh_TW.UTF-8 selects Chinese even without that locale', rc == 0 and title in out)
    rc, out, _ = run('explain', '--lang', 'C', 'tree.encryption_required', env={'LANGUAGE': 'zh_TW'})
    check('--lang C keeps English', rc == 0 and 'Share requires encryption' in out)
    rc, out, _ = run('explain', '--json', '--lang', 'zh_TW', 'tree.encryption_required')
    check('--json --lang zh_TW is valid JSON with the Chinese title',
          rc == 0 and json.loads(out)['findings'][0]['title'] == title)
    rc, out, _ = run('explain', '--lang', 'zh_TW', 'STATUS_ACCESS_DENIED')
    check('--lang zh_TW translates the NTSTATUS meaning',
          rc == 0 and '伺服器拒絕存取' in out and 'The server refused access' not in out)
    rc, out, _ = run('explain', '--json', '--lang', 'zh_TW', 'krb:7')
    check('--json --lang zh_TW translates the Kerberos error meaning',
          rc == 0 and '服務主體名稱' in json.loads(out)['meaning'])


def main():
    for t in (test_tree_connect_access_denied, test_json, test_all_steps, test_spellings, test_knowledge,
              test_errors, test_translation):
        try:
            t()
        except Exception as e:  # a crash in one group must not hide the others
            check(f'{t.__name__} ran', False, repr(e))
    print(f'1..{len(results)}')
    failed = 0
    for i, (ok, name, detail) in enumerate(results, 1):
        if ok is None:
            print(f'ok {i} - {name} # SKIP {detail}')
        elif ok:
            print(f'ok {i} - {name}')
        else:
            failed += 1
            print(f'not ok {i} - {name}')
            if detail:
                print(f'# {detail}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
