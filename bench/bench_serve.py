"""`smbdiag serve` for the benchmarks: one user (alice / Secret123), one
share `data` in a private folder, a free loopback port, its log nowhere.
Imported by bench/probe.sh and bench/serve.sh (they put bench/ and
tests/interop/ on sys.path)."""
import os
import shutil
import subprocess
import tempfile

import peers

USER, PASSWORD = 'alice', 'Secret123'
SERVE_INI = '''[server]
NetbiosName = FS1
Domain = WORKGROUP
MinDialect = 2.0.2
MaxDialect = 3.1.1

[user {user}]
Password = {password}

[share data]
Path = {path}
'''


class Serve:
    """Use as a context manager; .port, .proc, .pids()."""

    def __init__(self, smbdiag):
        self.smbdiag = smbdiag
        self.dir = tempfile.mkdtemp(prefix='smbdiag-bench-serve-')
        self.port = peers.free_port()
        self.proc = None

    def __enter__(self):
        share = os.path.join(self.dir, 'share')
        os.mkdir(share)
        ini = os.path.join(self.dir, 'serve.ini')
        with open(ini, 'w') as f:
            f.write(SERVE_INI.format(user=USER, password=PASSWORD, path=share))
        self.proc = subprocess.Popen([self.smbdiag, 'serve', '-c', ini, '--listen', f'127.0.0.1:{self.port}'],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     stdin=subprocess.DEVNULL)
        if not peers.wait_listening(self.port):
            self.__exit__()
            raise RuntimeError('smbdiag serve did not listen')
        return self

    def __exit__(self, *exc):
        peers.stop_process(self.proc)
        shutil.rmtree(self.dir, ignore_errors=True)

    def pids(self):
        return [self.proc.pid]
