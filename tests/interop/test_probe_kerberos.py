#!/usr/bin/python3
"""`smbdiag probe --auth kerberos` against a throw-away MIT KDC and smbd.

The KDC (realm SMBDIAG.TEST) holds alice and cifs/fs1.smbdiag.test; smbd
accepts Kerberos with a dedicated keytab holding that service key. The
probe connects to 127.0.0.1 (-I) while the typed name stays the SPN.
Cases: success; an alias without an SPN (KDC_ERR_S_PRINCIPAL_UNKNOWN,
exit 12 before any SESSION_SETUP); a wrong password
(KDC_ERR_PREAUTH_FAILED); an expired password (KDC_ERR_KEY_EXPIRED); a
principal refused tickets (KDC_ERR_CLIENT_REVOKED); no KDC; the user's cache is never touched; --auth auto
picks Kerberos for a name, falls back to NTLM after
KDC_ERR_S_PRINCIPAL_UNKNOWN and uses NTLM for an address, and without a
password takes the TGT of the default cache (after kinit).

What the Kerberos library concludes on its own is an error finding, never
a KRB-ERROR nobody sent: a realm krb5.conf does not know, no password and
no cache, no common encryption type, a wrong password for a principal
without pre-authentication (an AS-REP that does not decrypt), an expired
TGT in the cache, and -U naming someone else than the cache's principal.
A missing cross-realm trust is no missing cifs SPN; every dead KDC is
named; a KDC slower than --timeout neither times out the SMB connection
nor passes for a skewed clock.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import krblab  # noqa: E402
import listeners  # noqa: E402
import peers  # noqa: E402

BUILD = os.environ.get('SMBDIAG_BUILD', os.path.join(peers.ROOT, 'build'))
SMBDIAG = os.path.join(BUILD, 'src', 'cli', 'smbdiag')
from krblab import HOST  # noqa: E402


def probe(env, target, *args, user='alice%Secret123', experiments=False):
    return krblab.probe(SMBDIAG, env, target, *args, user=user, experiments=experiments)


def ids(report):
    return [f.get('id') for f in (report or {}).get('findings', [])]


def session(report):
    conns = (report or {}).get('connections') or [{}]
    return conns[0].get('session') or {}


def krb_errors(report):
    return [k.get('error') for k in (report or {}).get('kerberos', []) if k.get('message') == 'KRB-ERROR']


def finding(report, fid):
    for f in (report or {}).get('findings', []):
        if f.get('id') == fid:
            return f
    return {}


def evidence(report, fid):
    return ' | '.join(finding(report, fid).get('evidence', []))


def conf_copy(env, path, edit):
    """A copy of env's krb5.conf passed through edit(text); its path."""
    with open(env['KRB5_CONFIG']) as f:
        text = f.read()
    with open(path, 'w') as f:
        f.write(edit(text))
    return path


def slow_relay(kdc_port, delay):
    """A listeners.Listener handler relaying one Kerberos request over TCP
    to a real KDC and holding its answer back `delay` seconds (a congested
    link, a slow proxy). The record marker's high byte is 0 for any
    message under 16 MiB, so read_pdu frames it as it frames NetBIOS."""
    def handler(conn):
        conn.settimeout(30)
        request = listeners.read_pdu(conn)
        if request is None:
            return
        with socket.create_connection(('127.0.0.1', kdc_port), timeout=30) as up:
            up.sendall(request)
            answer = listeners.read_pdu(up)
        if answer is not None:
            time.sleep(delay)
            conn.sendall(answer)
    return handler


def slow_and_dead_kdcs(tap, work, kdc, env, target):
    """A KDC 1.5 s slow per answer with --timeout 1: the SMB connection is
    not timed out by the time the tickets took, and the slowness is no
    clock skew. Two KDCs that never answer: both named."""
    with listeners.Listener(slow_relay(kdc.port, 1.5)) as proxy:
        slow = conf_copy(env, os.path.join(work, 'slow-krb5.conf'),
                         lambda t: t.replace(f'127.0.0.1:{kdc.port}', f'127.0.0.1:{proxy.port}'))
        rc, rep, out = probe(dict(env, KRB5_CONFIG=slow), target, '--auth', 'kerberos', '--timeout', '1')
    tap.ok(rc == 0 and 'tcp.timeout' not in ids(rep),
           'KDC slower than --timeout: the SMB connection is not timed out by the ticket exchanges', out)
    timed = [k for k in (rep or {}).get('kerberos', []) if k.get('ms', 0) > 1400]
    tap.ok(len(timed) >= 3 and all(abs(k.get('kdc_clock_skew_s', 99)) < 0.5 for k in timed),
           'KDC slower than --timeout: a 1.5 s answer is no clock skew (the round trip bounds the estimate)',
           json.dumps(timed, indent=1) + '\n' + out)
    first, second = peers.free_port(), peers.free_port()
    dead = conf_copy(env, os.path.join(work, 'two-dead-krb5.conf'),
                     lambda t: t.replace(f'    kdc = 127.0.0.1:{kdc.port}',
                                         f'    kdc = 127.0.0.1:{first}\n    kdc = 127.0.0.1:{second}'))
    rc, rep, out = probe(dict(env, KRB5_CONFIG=dead), target, '--auth', 'kerberos')
    ev = evidence(rep, 'kerberos.kdc_unreachable')
    tap.ok(rc == 12 and f'no answer from KDC 127.0.0.1:{first}' in ev and f'no answer from KDC 127.0.0.1:{second}' in ev,
           'two dead KDCs: kerberos.kdc_unreachable names each', out)


def library_conclusions(tap, work, kdc, env, target):
    """What the library concludes without a KRB-ERROR: an error finding
    with what happened and what to do (exit 12 is never "No problem
    found"), and no KRB-ERROR record invented for it."""
    rc, rep, out = probe(env, target, '--auth', 'kerberos', user='alice@OTHER.TEST%Secret123')
    tap.ok(rc == 12 and 'Cannot find KDC for realm' in evidence(rep, 'kerberos.kdc_unreachable')
           and 'name the KDCs of OTHER.TEST in krb5.conf' in evidence(rep, 'kerberos.kdc_unreachable'),
           'realm krb5.conf does not know: kerberos.kdc_unreachable, the library\'s words and the remedy', out)
    nocache = dict(env, KRB5CCNAME='FILE:' + os.path.join(work, 'no-such.ccache'))
    rc, rep, out = probe(nocache, target, '--auth', 'kerberos', user=None)
    tap.ok(rc == 12 and 'no TGT in the default credential cache' in evidence(rep, 'kerberos.other')
           and 'kinit' in evidence(rep, 'kerberos.other'),
           'no password, no cache: kerberos.other says so and to run kinit', out)
    aes256 = conf_copy(env, os.path.join(work, 'aes256-krb5.conf'),
                       lambda t: t.replace('[libdefaults]', '[libdefaults]\n  permitted_enctypes = aes256-cts-hmac-sha1-96'
                                           '\n  default_tkt_enctypes = aes256-cts-hmac-sha1-96'
                                           '\n  default_tgs_enctypes = aes256-cts-hmac-sha1-96'))
    rc, rep, out = probe(dict(env, KRB5_CONFIG=aes256), target, '--auth', 'kerberos', user='frank%Secret123')
    ev = evidence(rep, 'kerberos.etype_unsupported')
    tap.ok(rc == 12 and 'aes256-cts-hmac-sha1-96' in ev and 'Generic preauthentication failure' in ev
           and 'kerberos.preauth_required' not in ids(rep),
           'no common encryption type (aes128-only principal, aes256-only client): kerberos.etype_unsupported', out)
    rc, rep, out = probe(env, target, '--auth', 'kerberos', user='bob%Wrong999')
    tgt = [k for k in (rep or {}).get('kerberos', []) if k.get('step') == 'tgt']
    tap.ok(rc == 12 and 'wrong password' in evidence(rep, 'kerberos.preauth_failed')
           and not krb_errors(rep) and [k.get('message') for k in tgt] == ['AS-REP', 'none']
           and 'TGT obtained' not in json.dumps(tgt),
           'wrong password, no pre-authentication: the AS-REP came, the client could not decrypt it; '
           'preauth_failed without an invented KRB-ERROR', out)
    cache = dict(env, KRB5CCNAME='FILE:' + os.path.join(work, 'short.ccache'))
    subprocess.run(['kinit', '-l', '2s', 'alice'], input='Secret123\n', text=True, env=cache, timeout=30,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3)
    rc, rep, out = probe(cache, target, '--auth', 'kerberos', user=None)
    ev = evidence(rep, 'kerberos.other')
    tap.ok(rc == 12 and 'the TGT in the credential cache expired at' in ev and 'kinit alice@SMBDIAG.TEST' in ev
           and not krb_errors(rep),
           'expired TGT in the cache: kerberos.other says when it expired and to run kinit; no KRB-ERROR', out)
    subprocess.run(['kinit', 'alice'], input='Secret123\n', text=True, env=cache, timeout=30,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rc, rep, out = probe(cache, target, '--auth', 'kerberos', user='bob')
    tap.ok(rc == 12 and 'holds a TGT of alice@SMBDIAG.TEST, not of bob@SMBDIAG.TEST' in evidence(rep, 'kerberos.other')
           and session(rep).get('user') != 'alice',
           "-U bob without a password and alice's cache: refused, and the report says whose the cache is", out)


def cross_realm(tap, work, keytab, env, target):
    """carol@OTHER.TEST, whose KDC has no cross-realm key for SMBDIAG.TEST:
    no missing cifs SPN, a missing trust."""
    other = peers.Kdc(realm='OTHER.TEST', principals={'carol': 'Secret123'})
    try:
        other.start()
        two = conf_copy(env, os.path.join(work, 'two-realms-krb5.conf'),
                        lambda t: t.replace('[domain_realm]', f'  OTHER.TEST = {{\n    kdc = 127.0.0.1:{other.port}\n  }}'
                                            '\n[domain_realm]'))
        rc, rep, out = probe(dict(env, KRB5_CONFIG=two), target, '--auth', 'kerberos', user='carol@OTHER.TEST%Secret123')
        ev = evidence(rep, 'kerberos.other')
        tap.ok(rc == 12 and 'kerberos.spn_unknown' not in ids(rep) and 'setspn' not in out
               and 'no cross-realm key krbtgt/SMBDIAG.TEST@OTHER.TEST' in ev and 'create the trust' in ev,
               'no trust from OTHER.TEST: kerberos.other names the missing cross-realm key, not an SPN', out)
    finally:
        other.cleanup()


def no_terminal_probe(env, target, user):
    """The probe with no password and no terminal to ask one on."""
    cmd = [SMBDIAG, 'probe', target, '-I', '127.0.0.1', '--json', '--no-experiments', '-U', user]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120, env=env,
                       stdin=subprocess.DEVNULL, start_new_session=True)
    return r.returncode, f'$ {" ".join(cmd)}\nexit {r.returncode}\n{r.stdout}\n{r.stderr}'


def auto_from_cache_cases(tap, env, target, port):
    """--auth auto (the default) with a name and no password: the TGT of
    the default cache, as Windows uses the logon session's; a cache of
    another account, or none, still wants a password."""
    for user, how in ((None, 'no -U'), ('alice', '-U alice'), (f'alice@{krblab.REALM}', '-U alice@REALM')):
        rc, rep, out = probe(env, target, user=user)
        tap.ok(rc == 0 and session(rep).get('mechanism') == 'kerberos' and 'session.ntlm_used' not in ids(rep),
               f'auto, {how}, no password, a TGT in the cache: Kerberos', out)
    rc, rep, out = probe(env, f'//{krblab.ALIAS}:{port}/data', user='alice')
    tap.ok(rc == 12 and 'kerberos.spn_unknown' in ids(rep),
           'auto from the cache, alias without SPN: no password for NTLM, the Kerberos refusal stands (exit 12)', out)
    rc, out = no_terminal_probe(env, target, 'carol')
    tap.ok(rc == 2 and 'no password' in out, "auto, the cache holds another account's TGT: a password is wanted", out)
    subprocess.run(['kdestroy'], env=env, timeout=30, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rc, out = no_terminal_probe(env, target, 'alice')
    tap.ok(rc == 2 and 'no password' in out, 'auto, an empty cache: a password is wanted', out)


def main():
    peers.require('krb5kdc', 'kdb5_util', 'kadmin.local', 'smbd', 'kinit', SMBDIAG)
    peers.isolated_loopback()
    tap = peers.Tap()
    work = tempfile.mkdtemp(prefix='smbdiag-krbprobe-')
    keytab = os.path.join(work, 'smbd.keytab')
    kdc = smbd = None
    try:
        kdc = krblab.start_realm(keytab, users=('alice', 'carol', 'dave', 'bob', 'frank'))
        kdc.kadmin('modprinc -pwexpire "2020-01-01 00:00:00" carol')
        kdc.kadmin('modprinc -allow_tix dave')
        kdc.kadmin('modprinc -requires_preauth bob')
        kdc.kadmin('cpw -e aes128-cts-hmac-sha1-96:normal -pw Secret123 frank')
        # The user's own cache: the probe with a password must not touch it.
        user_cache = os.path.join(work, 'user.ccache')
        env = krblab.client_env(kdc, user_cache)
        smbd = peers.Smbd(shares={'data': {}, 'sealed': {'smb encrypt': 'required'}},
                          options=krblab.smbd_options(keytab)).start()
        target = f'//{HOST}:{smbd.port}/data'

        rc, rep, out = probe(env, target, '--auth', 'kerberos')
        tap.ok(rc == 0, 'kerberos: the three steps succeed', out + smbd.output()[-1500:])
        s = session(rep)
        tap.ok(s.get('mechanism') == 'kerberos' and s.get('target_name') == f'cifs/{HOST}',
               'kerberos: session mechanism kerberos, target cifs/<name as typed>', out)
        tap.ok(s.get('signed') or s.get('encrypted'), 'kerberos: the session is signed or sealed with the key', out)
        tap.ok('session.ntlm_used' not in ids(rep), 'kerberos: no session.ntlm_used', out)
        tap.ok(not os.path.exists(user_cache), "kerberos: the user's cache is untouched", out)

        rc, rep, out = probe(env, f'//{HOST}:{smbd.port}/sealed', '--auth', 'kerberos')
        tap.ok(rc == 0 and session(rep).get('encrypted'), 'kerberos: a share that requires encryption, sealed', out)

        rc, rep, out = probe(env, f'//alias.smbdiag.test:{smbd.port}/data', '--auth', 'kerberos')
        tap.ok(rc == 12, 'alias without SPN: exit 12', out)
        tap.ok('kerberos.spn_unknown' in ids(rep), 'alias without SPN: kerberos.spn_unknown', out)
        tap.ok(7 in krb_errors(rep), 'alias without SPN: KRB-ERROR 7 recorded', out)
        tap.ok('setspn -S cifs/alias.smbdiag.test' in out, 'alias without SPN: the setspn remedy', out)

        # With experiments: NTLM instead, as evidence; the exit stays 12.
        rc, rep, out = probe(env, f'//alias.smbdiag.test:{smbd.port}/data', '--auth', 'kerberos',
                             experiments=True)
        exps = [e for e in (rep or {}).get('experiments', []) if e.get('kind') == 'ntlm_instead']
        tap.ok(rc == 12 and exps and exps[0].get('ok') is True,
               'kerberos refused: the NTLM-instead experiment succeeds, exit stays 12', out)

        rc, rep, out = probe(env, target, '--auth', 'kerberos', user='alice%Wrong999')
        tap.ok(rc == 12, 'wrong password: exit 12', out)
        tap.ok('kerberos.preauth_failed' in ids(rep), 'wrong password: kerberos.preauth_failed', out)

        rc, rep, out = probe(env, target, '--auth', 'kerberos', user='carol%Secret123')
        tap.ok(rc == 12 and 'kerberos.key_expired' in ids(rep) and 23 in krb_errors(rep),
               'expired password: kerberos.key_expired, exit 12', out)
        rc, rep, out = probe(env, target, '--auth', 'kerberos', user='dave%Secret123')
        tap.ok(rc == 12 and 'kerberos.client_revoked' in ids(rep) and 18 in krb_errors(rep),
               'principal not allowed tickets: kerberos.client_revoked, exit 12', out)

        # No KDC answers: exit 12, no KRB-ERROR, the step says why.
        dead = krblab.dead_kdc_config(env, kdc, os.path.join(work, 'dead-krb5.conf'))
        rc, rep, out = probe(dict(env, KRB5_CONFIG=dead), target, '--auth', 'kerberos')
        tap.ok(rc == 12 and not krb_errors(rep) and 'contact' in out.lower(),
               'KDC unreachable: exit 12, the step says no KDC answered', out)

        # --auth auto: Kerberos for a name with a ticket to be had ...
        rc, rep, out = probe(env, target, '--auth', 'auto')
        tap.ok(rc == 0 and session(rep).get('mechanism') == 'kerberos', 'auto, a name: Kerberos', out)
        # ... NTLM after KDC_ERR_S_PRINCIPAL_UNKNOWN, both reported ...
        rc, rep, out = probe(env, f'//alias.smbdiag.test:{smbd.port}/data', '--auth', 'auto')
        tap.ok(rc == 0 and session(rep).get('mechanism') == 'ntlmssp'
               and {'kerberos.spn_unknown', 'session.ntlm_used'} <= set(ids(rep)),
               'auto, alias without SPN: NTLM fallback, kerberos.spn_unknown and session.ntlm_used', out)
        # ... and NTLM for an address, with the reason.
        rc, rep, out = probe(env, f'//127.0.0.1:{smbd.port}/data', '--auth', 'auto')
        tap.ok(rc == 0 and 'session.ntlm_used' in ids(rep) and not krb_errors(rep)
               and 'named by its address' in out, 'auto, an address: NTLM, session.ntlm_used says why', out)

        # Without a password: the default cache, filled by kinit.
        subprocess.run(['kinit', 'alice'], input='Secret123\n', text=True, env=env, timeout=30,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rc, rep, out = probe(env, target, '--auth', 'kerberos', user=None)
        tap.ok(rc == 0 and session(rep).get('mechanism') == 'kerberos',
               'kerberos from the default cache (kinit) succeeds', out)
        auto_from_cache_cases(tap, env, target, smbd.port)
        library_conclusions(tap, work, kdc, env, target)
        slow_and_dead_kdcs(tap, work, kdc, env, target)
        cross_realm(tap, work, keytab, env, target)
    except Exception as e:  # noqa: BLE001 - report the peer failure as a test failure
        tap.ok(False, 'peers start and the probe runs', repr(e))
    finally:
        krblab.cleanup(work, smbd, kdc)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
