#!/usr/bin/python3
"""Samba's smbtorture (samba-testsuite) against `smbdiag serve`.

The server implements NEGOTIATE, SESSION_SETUP, TREE_CONNECT and what
follows them (ECHO, LOGOFF, TREE_DISCONNECT, the validate-negotiate IOCTL),
not a file service. EXPECTED below records, for each smbtorture test that
touches those steps, the outcome it has against the server and why: most of
smbtorture's session tests open a file first and so fail for that reason
alone. Each smbtorture run is one TAP point, ok when its outcome is the
recorded one; a test that starts passing (a file service arrived) is a
point to update, like one that starts failing.

Two servers: the main one (users alice and bob, shares data and noperm, as
Samba's selftest names them) and one with RequireSecuritySignature for the
signing-required regression test.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402

BUILD = os.environ.get('SMBDIAG_BUILD', os.path.join(peers.ROOT, 'build'))
SMBDIAG = os.path.join(BUILD, 'src', 'cli', 'smbdiag')
PASSWORD = 'Passw0rd'
RUN_TIMEOUT = 60        # seconds for one smbtorture run
BUDGET = 480            # seconds for all of them (meson gives the test 600)

SERVE_INI = '''[server]
NetbiosName = FS1
Domain = WORKGROUP
DnsName = fs1.example.test
MinDialect = 2.0.2
MaxDialect = 3.1.1
{extra}
[user alice]
Password = {password}

[user bob]
Password = {password}

[share data]
Path = {root}/data

[share noperm]
Path = {root}/noperm
'''

NO_CREATE = 'needs CREATE: no file service'
NO_MULTICHANNEL = 'no SMB2_CAP_MULTI_CHANNEL: multichannel and session binding are out of scope'
NO_KERBEROS = 'needs Kerberos (-k yes): serve authenticates with NTLM only'
CREDITS = 'serve grants at most MaxCredits (512 by default, 1024 at most); the test wants 8192 like Windows 2016'
SMB1 = 'SMB1-only client: EnableSMB1Protocol is off by default and serve has no SMB1 command set'
PROTO = '--option=client max protocol='
# An expected failure or skip must be the recorded one: what smbtorture
# prints for it (a session setup broken some other way must not hide behind
# "needs CREATE").
CLUES = [
    (NO_CREATE, r'NT_STATUS_NOT_SUPPORTED|smb2_util_setup_dir'),
    (NO_MULTICHANNEL, r'MULTI_CHANNEL'),
    (NO_KERBEROS, r'requires -k yes'),
    (CREDITS, r'Server only granted 512 credits'),
    (SMB1, r'Failed to open (secondary )?connection'),
    ('STATUS_REQUEST_NOT_ACCEPTED', r'was NT_STATUS_REQUEST_NOT_ACCEPTED, expected NT_STATUS_INVALID_PARAMETER'),
    ('FSCTL_QUERY_NETWORK_INTERFACE_INFO', r'NT_STATUS_NOT_SUPPORTED.*FSCTL_QUERY_NETWORK_INTERFACE_INFO'),
    ('no multichannel', r'does not support multichannel'),
    ('needs SMB 3', r"without SMB 3"),
]

BIND_NEGATIVE = [
    'smb202', 'smb210s', 'smb210d', 'smb2to3s', 'smb2to3d', 'smb3to2s', 'smb3to2d', 'smb3to3s', 'smb3to3d',
    'smb3encGtoCs', 'smb3encGtoCd', 'smb3signCtoHs', 'smb3signCtoHd', 'smb3signCtoGs', 'smb3signCtoGd',
    'smb3signHtoCs', 'smb3signHtoCd', 'smb3signHtoGs', 'smb3signHtoGd', 'smb3signGtoCs', 'smb3signGtoCd',
    'smb3signGtoHs', 'smb3signGtoHd', 'smb3sneGtoCs', 'smb3sneGtoCd', 'smb3sneGtoHs', 'smb3sneGtoHd',
    'smb3sneCtoGs', 'smb3sneCtoGd', 'smb3sneHtoGs', 'smb3sneHtoGd', 'smb3signC30toGs', 'smb3signC30toGd',
    'smb3signH2XtoGs', 'smb3signH2XtoGd', 'smb3signGtoC30s', 'smb3signGtoC30d', 'smb3signGtoH2Xs',
    'smb3signGtoH2Xd',
]

# (smbtorture test, label for variants, extra arguments, server, expected
# outcome, why). Outcomes: pass, fail, skip (smbtorture skipped it itself),
# error.
EXPECTED = [
    # Negotiate, session setup, tree connect, logoff: each dialect and mode.
    ('smb2.session.two_logoff', '', [], 'main', 'pass', ''),
    ('smb2.session.two_logoff', 'SMB2_02', [PROTO + 'SMB2_02'], 'main', 'pass', ''),
    ('smb2.session.two_logoff', 'SMB2_10', [PROTO + 'SMB2_10'], 'main', 'pass', ''),
    ('smb2.session.two_logoff', 'SMB3_00', [PROTO + 'SMB3_00'], 'main', 'pass', ''),
    ('smb2.session.two_logoff', 'SMB3_02', [PROTO + 'SMB3_02'], 'main', 'pass', ''),
    ('smb2.session.two_logoff', 'encrypted', ['--option=client smb encrypt=required'], 'main', 'pass', ''),
    ('smb2.session.two_logoff', 'signing required', ['--option=client signing=required'], 'main', 'pass', ''),
    ('smb2.session-require-signing.bug15397', '', [], 'signing', 'pass', ''),
    # FSCTL_VALIDATE_NEGOTIATE_INFO on a tree connect (bug 14788).
    ('smb2.ioctl.bug14788.VALIDATE_NEGOTIATE', '', [], 'main', 'pass', ''),
    ('smb2.ioctl.bug14788.VALIDATE_NEGOTIATE', 'SMB3_00', [PROTO + 'SMB3_00'], 'main', 'pass', ''),
    ('smb2.ioctl.bug14788.VALIDATE_NEGOTIATE', 'SMB3_02', [PROTO + 'SMB3_02'], 'main', 'pass', ''),
    ('smb2.ioctl.bug14788.VALIDATE_NEGOTIATE', 'SMB2_10', [PROTO + 'SMB2_10'], 'main', 'skip',
     'the test needs SMB 3'),
    ('smb2.ioctl.bug14788.VALIDATE_NEGOTIATE', 'encrypted', ['--option=client smb encrypt=required'], 'main',
     'pass', ''),
    ('smb2.ioctl.bug14788.NETWORK_INTERFACE', '', [], 'main', 'fail',
     'FSCTL_QUERY_NETWORK_INTERFACE_INFO is answered STATUS_NOT_SUPPORTED: no multichannel'),
    ('smb2.ioctl.network_interface_info', '', [], 'main', 'skip', NO_MULTICHANNEL),
    # Session setup with random bad credentials, echoes on tree connects.
    ('smb2.secleak', '', ['-t', '3'], 'main', 'pass', ''),
    ('smb2.bench.echo', '', ['-t', '2'], 'main', 'pass', ''),
    # The rest of smb2.session.
    ('smb2.session.reconnect1', '', [], 'main', 'fail', NO_CREATE),
    ('smb2.session.reconnect2', '', [], 'main', 'fail', NO_CREATE),
    ('smb2.session.reauth1', '', [], 'main', 'fail', NO_CREATE),
    ('smb2.session.reauth2', '', [], 'main', 'fail', NO_CREATE),
    ('smb2.session.reauth3', '', [], 'main', 'fail', NO_CREATE),
    ('smb2.session.reauth4', '', [], 'main', 'fail', NO_CREATE),
    ('smb2.session.reauth5', '', [], 'main', 'fail', NO_CREATE + ' (smb2_util_setup_dir)'),
    ('smb2.session.reauth6', '', [], 'main', 'fail', NO_CREATE),
    ('smb2.session.expire1n', '', [], 'main', 'skip', NO_KERBEROS),
    ('smb2.session.expire1s', '', [], 'main', 'skip', NO_KERBEROS),
    ('smb2.session.expire1e', '', [], 'main', 'skip', NO_KERBEROS),
    ('smb2.session.expire2s', '', [], 'main', 'skip', NO_KERBEROS),
    ('smb2.session.expire2e', '', [], 'main', 'skip', NO_KERBEROS),
    ('smb2.session.expire_disconnect', '', [], 'main', 'skip', NO_KERBEROS),
    ('smb2.session.bind1', '', [], 'main', 'skip', NO_MULTICHANNEL),
    ('smb2.session.bind2', '', [], 'main', 'skip', NO_MULTICHANNEL),
    ('smb2.session.bind_invalid_auth', '', [], 'main', 'skip', NO_MULTICHANNEL),
    ('smb2.session.bind_different_user', '', ['--option=torture:user2name=bob',
                                               f'--option=torture:user2password={PASSWORD}'],
     'main', 'skip', NO_MULTICHANNEL),
] + [
    (f'smb2.session.bind_negative_{n}', '', [], 'main', 'fail', NO_CREATE + ' (a file is opened before the bind)')
    for n in BIND_NEGATIVE
] + [
    (f'smb2.session.{n}', '', [], 'main', 'fail', NO_CREATE + ' (the root handle)')
    for n in ('signing-hmac-sha-256', 'signing-aes-128-cmac', 'signing-aes-128-gmac', 'encryption-aes-128-ccm',
              'encryption-aes-128-gcm', 'encryption-aes-256-ccm', 'encryption-aes-256-gcm')
] + [
    ('smb2.session.ntlmssp_bug14932', '', [], 'main', 'fail',
     're-authentication of a valid session is refused with STATUS_REQUEST_NOT_ACCEPTED; the test wants '
     'STATUS_INVALID_PARAMETER for its malformed NTLMv2 blob on that re-authentication'),
    ('smb2.session-id', '', [], 'main', 'fail', NO_CREATE),
    ('smb2.credits.session_setup_credits_granted', '', [], 'main', 'fail', CREDITS),
    ('smb2.credits.single_req_credits_granted', '', [], 'main', 'fail', NO_CREATE),
    ('smb2.credits.skipped_mid', '', [], 'main', 'fail', CREDITS),
    ('smb2.multichannel.generic.interface_info', '', [], 'main', 'skip', NO_MULTICHANNEL),
    ('smb2.multichannel.generic.num_channels', '', [], 'main', 'fail', 'no multichannel'),
    ('smb2.connect', '', [], 'main', 'fail', NO_CREATE),
    ('smb2.tcon', '', [], 'main', 'fail', NO_CREATE + ' (tcontest.tmp)'),
    ('smb2.ioctl.req_resume_key', '', [], 'main', 'fail', NO_CREATE),
    ('base.negnowait', '', [], 'main', 'fail', SMB1),
    ('base.tcon', '', [], 'main', 'fail', SMB1),
    ('base.vuid', '', [], 'main', 'fail', SMB1),
]

RESULT = re.compile(r'^(success|failure|error|skip|xfail|uxsuccess): ')
OUTCOME = {'success': 'pass', 'failure': 'fail', 'error': 'error', 'skip': 'skip', 'xfail': 'fail',
           'uxsuccess': 'pass'}


class Serve:
    """smbdiag serve on a free port; its --json-log kept for the end."""

    def __init__(self, root, extra=''):
        self.root = root
        self.extra = extra
        self.port = peers.free_port()
        self.proc = None
        self.log = None

    def __enter__(self):
        tag = 'signing' if self.extra else 'main'
        for share in ('data', 'noperm'):
            os.makedirs(os.path.join(self.root, share), exist_ok=True)
        ini = os.path.join(self.root, f'{tag}.ini')
        with open(ini, 'w') as f:
            f.write(SERVE_INI.format(extra=self.extra, password=PASSWORD, root=self.root))
        self.log = os.path.join(self.root, f'{tag}.jsonl')
        with open(self.log, 'w') as out:
            self.proc = subprocess.Popen([SMBDIAG, 'serve', '-c', ini, '--listen', f'127.0.0.1:{self.port}',
                                          '--json-log'], stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        if not peers.wait_listening(self.port):
            peers.stop_process(self.proc)
            raise RuntimeError('smbdiag serve did not listen')
        return self

    def __exit__(self, *exc):
        peers.stop_process(self.proc)

    def trouble(self):
        """Sanitizer reports, or a crash, in what the server printed."""
        with open(self.log, errors='replace') as f:
            text = f.read()
        for marker in ('AddressSanitizer', 'LeakSanitizer', 'runtime error:'):
            if marker in text:
                return f'{marker}\n' + text[-3000:]
        if self.proc.returncode not in (0, -15):
            return f'exit status {self.proc.returncode}\n' + text[-2000:]
        return None


def known_tests():
    """Every test name the installed smbtorture knows, suites included."""
    r = subprocess.run(['smbtorture', '//127.0.0.1/x', '--list', 'smb2', 'base'], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL)
    names = set()
    for line in r.stdout.splitlines():
        parts = line.strip().split('.')
        for i in range(2, len(parts) + 1):
            names.add('.'.join(parts[:i]))
    return names


def torture(port, test, extra):
    """Runs one smbtorture test; returns (outcome, its output)."""
    cmd = ['smbtorture', '//127.0.0.1/data', '-p', str(port), '-U', f'alice%{PASSWORD}'] + extra + [test]
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=RUN_TIMEOUT,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors='replace') if isinstance(e.stdout, bytes) else (e.stdout or '')
        return 'timeout', out
    outcomes = [OUTCOME[m.group(1)] for m in map(RESULT.match, r.stdout.splitlines()) if m]
    if not outcomes:
        return 'error', r.stdout
    # A suite with one test reports it once; anything that failed wins.
    for worst in ('error', 'fail'):
        if worst in outcomes:
            return worst, r.stdout
    return outcomes[0], r.stdout


def as_recorded(got, expected, reason, output):
    """The outcome is the recorded one, and so is its reason."""
    if got != expected:
        return False
    for key, clue in CLUES:
        if key in reason:
            return re.search(clue, output) is not None
    return True


def why_line(output):
    """The line after smbtorture's 'failure: NAME [' (its reason)."""
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if RESULT.match(line) and not line.startswith('success'):
            for nxt in lines[i + 1:]:
                if nxt.strip():
                    return nxt.strip()
    return ''


def main():
    peers.require('smbtorture', SMBDIAG)
    peers.isolated_loopback()
    tap = peers.Tap()
    known = known_tests()
    root = tempfile.mkdtemp(prefix='smbdiag-torture-')
    start = time.monotonic()
    table = []
    try:
        with Serve(os.path.join(root, 'main')) as main_srv, \
                Serve(os.path.join(root, 'signing'), 'RequireSecuritySignature = true') as signing_srv:
            servers = {'main': main_srv, 'signing': signing_srv}
            for test, label, extra, server, expected, reason in EXPECTED:
                desc = f'{test} [{label}]' if label else test
                if test not in known:
                    tap.skip(desc, 'not in this smbtorture')
                    continue
                if time.monotonic() - start > BUDGET:
                    tap.ok(False, f'{desc}: no time left', f'the runs took more than {BUDGET} s in all')
                    continue
                got, out = torture(servers[server].port, test, extra)
                table.append((desc, got, expected, reason or why_line(out)))
                note = f': {reason}' if reason else ''
                tap.ok(as_recorded(got, expected, reason, out), f'{desc}: {got} (expected {expected}{note})', out)
        for name, srv in (('main', main_srv), ('signing', signing_srv)):
            trouble = srv.trouble()
            tap.ok(trouble is None, f'smbdiag serve ({name}) ran clean through smbtorture', trouble)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    passed = sum(1 for _, got, _, _ in table if got == 'pass')
    tap.diag(f'smbtorture against smbdiag serve: {passed} of {len(table)} runs pass')
    for desc, got, expected, reason in table:
        tap.diag(f'  {got:7} {desc}' + (f'  -- {reason}' if got != 'pass' and reason else ''))
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
