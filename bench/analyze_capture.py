"""Makes the capture of bench/analyze.sh; run inside its network namespace.

smbd listens on 445 of the namespace's loopback (MTU 1500, no GSO) and dumpcap
records everything on that port while rounds of clients run: successful
smbclient and impacket sessions, wrong passwords, a missing share, a share
that requires encryption reached by an SMB 2.1 client, and one large put or
get per round (every fourth one encrypted) so that most bytes are file data.
Rounds stop once the file holds TARGET bytes (or after MAX_ROUNDS).

usage: analyze_capture.py OUT.pcapng TESTS/INTEROP
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

TARGET = 1 << 30            # at least 1 GiB; the last round adds ~70 MB
MAX_ROUNDS = 40
TRANSFER_MB = 64
CLIENT_TIMEOUT = 180

IMPACKET = r'''
import sys
from impacket.smbconnection import SMBConnection
user, password, share = sys.argv[1], sys.argv[2], sys.argv[3]
c = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=445)
try:
    c.login(user, password)
    tid = c.connectTree(share)
    c.listPath(share, '*')
    c.disconnectTree(tid)
    c.logoff()
except Exception as e:
    print(e)
    sys.exit(1)
'''


def on_term(signum, frame):
    raise SystemExit(128 + signum)


def run_all(cmds):
    """Runs the commands side by side; returns how many exited non-zero."""
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              stdin=subprocess.DEVNULL) for c in cmds]
    failed = 0
    for p in procs:
        try:
            failed += p.wait(timeout=CLIENT_TIMEOUT) != 0
        except subprocess.TimeoutExpired:
            peers.stop_process(p)
            failed += 1
    return failed


def smbclient(share, user, command='ls', extra=()):
    cmd = ['smbclient', f'//127.0.0.1/{share}', '-p', '445', '-U', user, '-c', command]
    return cmd + list(extra)


def round_commands(i, work, impacket):
    ok = [smbclient('data', 'alice%Secret123') for _ in range(6)]
    ok += [smbclient('data', 'bob%Hunter22', extra=('-m', 'SMB2_10'))]
    ok += [['/usr/bin/python3', impacket, 'alice', 'Secret123', 'data'] for _ in range(3)]
    bad = [smbclient('data', 'alice%wrong-password') for _ in range(2)]
    bad += [smbclient('nosuchshare', 'alice%Secret123')]
    bad += [smbclient('secure', 'alice%Secret123', extra=('-m', 'SMB2_10'))]
    bad += [['/usr/bin/python3', impacket, 'bob', 'not-his', 'data']]
    if i % 2 == 0:
        name = f'up{i}.bin'
        xfer = smbclient('data', 'alice%Secret123',
                         f'put {os.path.join(work, "big.bin")} {name}; rm {name}')
    else:
        xfer = smbclient('data', 'alice%Secret123', 'get big.bin /dev/null')
    if i % 4 == 3:
        xfer.append('--client-protection=encrypt')
    return ok, bad, xfer


def main():
    out, interop = sys.argv[1], sys.argv[2]
    sys.path.insert(0, interop)
    global peers
    import peers  # noqa: E402
    signal.signal(signal.SIGTERM, on_term)
    work = tempfile.mkdtemp(prefix='smbdiag-bench-')
    os.chmod(work, 0o755)
    impacket = os.path.join(work, 'impacket_session.py')
    with open(impacket, 'w') as f:
        f.write(IMPACKET)
    with open(os.path.join(work, 'big.bin'), 'wb') as f:
        f.write(os.urandom(TRANSFER_MB << 20))
    smbd = peers.Smbd(port=445, users={'alice': 'Secret123', 'bob': 'Hunter22'},
                      shares={'data': {}, 'secure': {'smb encrypt': 'required'}},
                      options={'max log size': '1000'})
    dumpcap = None
    started = time.monotonic()
    try:
        smbd.start()
        data = os.path.join(smbd.dir, 'shares', 'data')
        os.link(os.path.join(work, 'big.bin'), os.path.join(data, 'big.bin'))
        err = open(os.path.join(work, 'dumpcap.err'), 'w+')
        dumpcap = subprocess.Popen(['dumpcap', '-q', '-i', 'lo', '-B', '64', '-f', 'tcp port 445',
                                    '-w', out], stdout=subprocess.DEVNULL, stderr=err,
                                   stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and dumpcap.poll() is None and \
                not (os.path.exists(out) and os.path.getsize(out) > 0):
            time.sleep(0.05)
        time.sleep(0.3)
        sessions = failures = transfers = 0
        for i in range(MAX_ROUNDS):
            ok, bad, xfer = round_commands(i, work, impacket)
            # The transfer runs alongside the handshakes, as on a busy server.
            failed_ok = run_all(ok + [xfer])
            failed_bad = run_all(bad)
            sessions += len(ok) + 1 + len(bad)
            failures += failed_bad   # each of them should fail
            transfers += 1
            if failed_ok:
                print(f'round {i}: {failed_ok} of the successful clients failed', file=sys.stderr)
            size = os.path.getsize(out)
            print(f'round {i + 1}: {size / 1e6:.0f} MB', file=sys.stderr, flush=True)
            if size >= TARGET:
                break
        time.sleep(0.5)
        dumpcap.send_signal(signal.SIGINT)
        dumpcap.wait(timeout=30)
        err.seek(0)
        tail = err.read().strip().splitlines()[-3:]
        print(f'{sessions} sessions ({failures} failed on purpose), {transfers} transfers of '
              f'{TRANSFER_MB} MiB, {time.monotonic() - started:.0f} s; dumpcap: ' + ' / '.join(tail))
    finally:
        if dumpcap is not None and dumpcap.poll() is None:
            peers.stop_process(dumpcap)
        smbd.cleanup()
        for name in os.listdir(work):
            os.unlink(os.path.join(work, name))
        os.rmdir(work)
    if os.path.getsize(out) < TARGET:
        print(f'capture is only {os.path.getsize(out)} bytes', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
