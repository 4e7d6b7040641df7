"""The Kerberos lab the interop tests share: a throw-away MIT realm with its
users and service principals, the server keytab, the smbd options that use
it, the client environment and `smbdiag probe` run against it.

Each test keeps what is specific to it (extra principals, expired or
revoked users, its own shares); this module holds only what every Kerberos
test sets up the same way.
"""
import json
import os
import shutil
import subprocess

import peers

REALM = 'SMBDIAG.TEST'
HOST = 'fs1.smbdiag.test'
ALIAS = 'alias.smbdiag.test'   # a name with no SPN of its own
PASSWORD = 'Secret123'


LIBDIR = '/usr/lib/x86_64-linux-gnu'
FAKETIME = os.path.join(LIBDIR, 'faketime', 'libfaketime.so.1')


def preload(lib, program):
    """LD_PRELOAD for lib in program; an ASan build of program needs its
    runtime loaded first."""
    try:
        out = subprocess.run(['ldd', program], stdout=subprocess.PIPE, text=True, timeout=30).stdout
    except OSError:
        out = ''
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0].startswith('libasan') and len(parts) >= 3 and parts[2].startswith('/'):
            return f'{parts[2]} {lib}'
    return lib


def skewed_env(env, program, offset='+1h'):
    """env with the clock of program moved by offset (libfaketime)."""
    return dict(env, LD_PRELOAD=preload(FAKETIME, program), FAKETIME=offset, FAKETIME_DONT_FAKE_MONOTONIC='1',
                FAKETIME_NO_CACHE='1')


def start_realm(keytab, users=('alice',), services=(f'cifs/{HOST}',), keytab_services=None, realm=REALM,
                preauth=True, pac=False):
    """Start a KDC for realm holding users (password PASSWORD) and the
    service principals, and export keytab_services (default: all services)
    into keytab. Users require pre-authentication unless preauth is False.
    The caller owns the returned Kdc and must call cleanup()."""
    principals = {u: PASSWORD for u in users}
    principals.update({s: None for s in services})
    kdc = peers.Kdc(realm=realm, principals=principals)
    try:
        kdc.start()
        if preauth:
            for user in users:
                kdc.kadmin(f'modprinc +requires_preauth {user}')
        if not pac:
            for service in services:
                drop_pac(kdc, service)
        for service in (services if keytab_services is None else keytab_services):
            kdc.keytab(service, keytab)
    except Exception:
        kdc.cleanup()
        raise
    return kdc


def drop_pac(kdc, service):
    # MIT 1.20 puts a PAC in every ticket; smbd as a standalone server
    # refuses tickets with a PAC (auth3_generate_session_info_pac:
    # "Unexpected PAC ... in standalone mode", NT_STATUS_BAD_TOKEN_TYPE).
    kdc.kadmin(f'modprinc +no_auth_data_required {service}')


def smbd_options(keytab, realm=REALM, **extra):
    """smbd options accepting Kerberos with the service keys in keytab."""
    opts = {'realm': realm, 'kerberos method': 'dedicated keytab', 'dedicated keytab file': 'FILE:' + keytab}
    opts.update(extra)
    return opts


def client_env(kdc, ccache=None, export=True):
    """The environment for Kerberos clients of kdc (C locale); ccache, when
    given, is the client's own credential cache. With export, KRB5_CONFIG
    is also set in this process: peers.Smbd starts smbd with os.environ,
    and smbd must find the realm."""
    env = dict(kdc.env(), LANG='C', LC_ALL='C')
    if ccache:
        env['KRB5CCNAME'] = 'FILE:' + ccache
    if export:
        os.environ['KRB5_CONFIG'] = env['KRB5_CONFIG']
    return env


def dead_kdc_config(env, kdc, path):
    """A copy of env's krb5.conf whose KDC address has no listener; the
    path of the copy."""
    with open(env['KRB5_CONFIG']) as f:
        conf = f.read().replace(f'127.0.0.1:{kdc.port}', f'127.0.0.1:{peers.free_port()}')
    with open(path, 'w') as f:
        f.write(conf)
    return path


def probe(smbdiag, env, target, *args, user=f'alice%{PASSWORD}', experiments=False, text=False):
    """`smbdiag probe target` to 127.0.0.1: (exit code, JSON report or
    None, a log of the command and its output)."""
    cmd = [smbdiag, 'probe', target, '-I', '127.0.0.1'] + list(args)
    if not text:
        cmd.append('--json')
    if not experiments:
        cmd.append('--no-experiments')
    if user:
        cmd += ['-U', user]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120,
                       env=env, stdin=subprocess.DEVNULL)
    report = None
    if not text:
        try:
            report = json.loads(r.stdout)
        except ValueError:
            pass
    return r.returncode, report, f'$ {" ".join(cmd)}\nexit {r.returncode}\n{r.stdout}\n{r.stderr}'


def cleanup(work, *started):
    """Stop the started peers (None for one that never started), in order,
    then remove work unless SMBDIAG_KEEP_TMP is set."""
    for peer in started:
        if peer:
            peer.cleanup()
    if os.environ.get('SMBDIAG_KEEP_TMP') is None:
        shutil.rmtree(work, ignore_errors=True)
