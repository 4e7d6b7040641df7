#!/bin/sh
# Times `smbdiag probe` against smbclient (-c exit), an impacket script doing
# the same three steps, and nmap's smb2-security-mode, in one run against the
# same private smbd on loopback. Prints the mean wall and CPU time (user +
# system of the process and its children) per run, and the ratios to smbdiag.
#
# usage: bench/probe.sh [PATH/TO/smbdiag]    (BENCH_RUNS=20 by default)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
smbdiag=${1:-$here/../build/src/cli/smbdiag}
exec /usr/bin/python3 - "$smbdiag" "$here/../tests/interop" "${BENCH_RUNS:-20}" <<'PY'
import os
import shutil
import subprocess
import sys
import tempfile
import time

smbdiag, interop, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, interop)
import peers  # noqa: E402

IMPACKET = r'''
import sys
from impacket.smbconnection import SMBConnection
port = int(sys.argv[1])
c = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=port)
c.login('alice', 'Secret123')
tid = c.connectTree('data')
c.disconnectTree(tid)
c.logoff()
'''


def measure(cmd):
    """Wall and CPU seconds of one run (CPU of the child and its children)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, proc.returncode


def bench(name, cmd):
    rc0 = measure(cmd)[2]   # warm-up, and a check that it works at all
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu, rc = measure(cmd)
        walls.append(wall)
        cpus.append(cpu)
    return name, sum(walls) / runs, sum(cpus) / runs, rc0


def main():
    tmp = tempfile.mkdtemp(prefix='smbdiag-bench-')
    script = os.path.join(tmp, 'impacket_probe.py')
    with open(script, 'w') as f:
        f.write(IMPACKET)
    results = []
    with peers.Smbd() as smbd:
        port = str(smbd.port)
        results.append(bench('smbdiag probe', [smbdiag, 'probe', f'//127.0.0.1:{port}/data',
                                               '-U', 'alice%Secret123', '--json']))
        if shutil.which('smbclient'):
            results.append(bench('smbclient -c exit', ['smbclient', '//127.0.0.1/data', '-p', port,
                                                       '-U', 'alice%Secret123', '-c', 'exit']))
        if subprocess.run(['/usr/bin/python3', '-c', 'import impacket'], capture_output=True).returncode == 0:
            results.append(bench('impacket (3 steps)', ['/usr/bin/python3', script, port]))
        if shutil.which('nmap'):
            results.append(bench('nmap smb2-security-mode', [
                'nmap', '-Pn', '-n', '-p', port, '--script', 'smb2-security-mode',
                '--script-args', f'smbport={port}', '127.0.0.1']))
    shutil.rmtree(tmp, ignore_errors=True)
    base_wall, base_cpu = results[0][1], results[0][2]
    print(f'{runs} runs each against smbd on 127.0.0.1 (mean per run)')
    print(f'{"tool":26} {"wall ms":>9} {"cpu ms":>9} {"wall x":>7} {"cpu x":>7}  exit')
    for name, wall, cpu, rc in results:
        print(f'{name:26} {wall * 1e3:9.2f} {cpu * 1e3:9.2f} {wall / base_wall:7.1f} '
              f'{cpu / base_cpu if base_cpu else 0:7.1f}  {rc}')


main()
PY
