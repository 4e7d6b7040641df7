#!/bin/sh
# `smbdiag serve` against Samba smbd on the same machine, in one run, with
# the same load generator (bench/loadgen.c, smbdiag's own client core):
#  - session rate: K concurrent clients doing full sessions (NEGOTIATE,
#    NTLMv2 SESSION_SETUP, signed TREE_CONNECT, TREE_DISCONNECT, LOGOFF) on
#    fresh connections for D seconds; sessions per second for each server,
#    the ratio, and sessions per CPU second of the server (steadier on a
#    busy machine than the wall-clock rate);
#  - memory per idle authenticated connection: N clients authenticate,
#    connect the tree and stay idle; the servers' PSS and RSS from /proc
#    before and after (smbd forks a process per client: all of its
#    processes are summed).
# Numbers only: a benchmark asserts nothing. Goals from issue 6: at least
# 10x smbd's session rate, under 64 KiB per idle connection.
#
# usage: bench/serve.sh [PATH/TO/smbdiag]
#   BENCH_CONNS=32 BENCH_SECONDS=5 BENCH_ROUNDS=2 BENCH_IDLE=200
# smbdiag-loadgen is looked up in the same build folder (BUILD/bench/).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
smbdiag=${1:-$here/../build/src/cli/smbdiag}
build=$(cd "$(dirname "$smbdiag")/../.." && pwd)
loadgen=$build/bench/smbdiag-loadgen
if [ ! -x "$loadgen" ]; then
	echo "bench/serve.sh: $loadgen is missing (ninja -C $build builds it)" >&2
	exit 1
fi
exec /usr/bin/python3 - "$smbdiag" "$loadgen" "$here/../tests/interop" \
	"${BENCH_CONNS:-32}" "${BENCH_SECONDS:-5}" "${BENCH_ROUNDS:-2}" "${BENCH_IDLE:-200}" <<'PY'
import os
import shutil
import subprocess
import sys
import tempfile
import time

smbdiag, loadgen, interop = sys.argv[1], sys.argv[2], sys.argv[3]
conns, seconds, rounds, idle_n = (int(v) for v in sys.argv[4:8])
sys.path.insert(0, interop)
sys.path.insert(0, os.path.join(interop, '..', '..', 'bench'))
import peers  # noqa: E402
from bench_serve import PASSWORD, USER, Serve  # noqa: E402

TICK = os.sysconf('SC_CLK_TCK')
def smbd_pids(smbd):
    """smbd, its forked children, and daemons it started on demand."""
    pids = {smbd.proc.pid} | set(peers._descendants(smbd.proc.pid))
    return sorted(pids | set(peers.pids_using(smbd.conf_path())))


def cpu_seconds(pid):
    """utime + stime of pid and of its reaped children (smbd's exit)."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(v) for v in fields[11:15]) / TICK


def memory_kib(pids):
    """Summed PSS and RSS (KiB) of the processes still alive."""
    pss = rss = 0
    for pid in pids:
        try:
            with open(f'/proc/{pid}/smaps_rollup') as f:
                for line in f:
                    if line.startswith('Pss:'):
                        pss += int(line.split()[1])
                    elif line.startswith('Rss:'):
                        rss += int(line.split()[1])
        except OSError:
            continue
    return pss, rss


def loadgen_cmd(mode, port, *opts):
    return [loadgen, mode, '127.0.0.1', str(port), '127.0.0.1', 'data', USER, PASSWORD] + list(opts)


def fields(line):
    out = {}
    for kv in line.split():
        if '=' in kv:
            k, v = kv.split('=', 1)
            out.setdefault(k, v)
    if 'first_failure=' in line:
        out['first_failure'] = line.split('first_failure=', 1)[1].strip()
    return out


def rate_once(port, pid):
    cpu0 = cpu_seconds(pid)
    r = subprocess.run(loadgen_cmd('rate', port, '-k', str(conns), '-d', str(seconds)),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=seconds + 60, stdin=subprocess.DEVNULL)
    out = fields(r.stdout)
    out['server_cpu'] = cpu_seconds(pid) - cpu0
    out['raw'] = r.stdout.strip()
    return out


def idle_memory(port, pids_of):
    """Memory of the server before and with idle_n idle sessions open."""
    before = memory_kib(pids_of())
    proc = subprocess.Popen(loadgen_cmd('idle', port, '-n', str(idle_n), '-t', '120'),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        time.sleep(1.0)   # let the servers settle (smbd's children finish their setup)
        after = memory_kib(pids_of())
        nprocs = len(pids_of())
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            peers.stop_process(proc)
    info = fields(line)
    return int(info.get('ready', '0')), before, after, nprocs, info.get('first_failure', line.strip())


def print_rates(results):
    print(f'\nsession rate: {conns} concurrent clients, {seconds} s per run, {rounds} run(s) each '
          '(NEGOTIATE + NTLMv2 SESSION_SETUP + signed TREE_CONNECT + TREE_DISCONNECT + LOGOFF)')
    print(f'{"server":16} {"run":>3} {"sessions":>9} {"failed":>7} {"sess/s":>9} {"srv cpu s":>9} '
          f'{"sess/cpu s":>10} {"lg cpu s":>8}  first failure')
    best = {}
    for name, runs in results.items():
        for i, r in enumerate(runs, 1):
            rate = float(r.get('rate', 0))
            sessions = int(r.get('sessions', 0))
            per_cpu = sessions / r['server_cpu'] if r['server_cpu'] > 0 else 0.0
            print(f'{name:16} {i:3} {sessions:9} {r.get("failed", "?"):>7} {rate:9.1f} {r["server_cpu"]:9.2f} '
                  f'{per_cpu:10.1f} {float(r.get("cpu", 0)):8.2f}  {r.get("first_failure", r["raw"])}')
            b = best.setdefault(name, [0.0, 0.0])
            b[0], b[1] = max(b[0], rate), max(b[1], per_cpu)
    s, d = best.get('smbdiag serve', [0, 0]), best.get('smbd', [0, 0])
    if d[0] > 0 and d[1] > 0:
        print(f'ratio serve/smbd (best runs): {s[0] / d[0]:.1f}x sessions/s, {s[1] / d[1]:.1f}x sessions per '
              f'server CPU second  (goal: >= 10x sessions/s: {"met" if s[0] >= 10 * d[0] else "not met"})')


def print_memory(mem):
    print(f'\nmemory per idle authenticated connection ({idle_n} clients, tree connected, idle)')
    print(f'{"server":16} {"ready":>5} {"procs":>5} {"PSS before":>11} {"PSS after":>10} {"PSS/conn":>10} '
          f'{"RSS before":>11} {"RSS after":>10} {"RSS/conn":>10}')
    per = {}
    for name, (ready, before, after, nprocs, failure) in mem.items():
        n = max(ready, 1)
        pss, rss = (after[0] - before[0]) / n, (after[1] - before[1]) / n
        per[name] = pss
        print(f'{name:16} {ready:5} {nprocs:5} {before[0]:8} KiB {after[0]:7} KiB {pss:6.1f} KiB '
              f'{before[1]:8} KiB {after[1]:7} KiB {rss:6.1f} KiB' + ('' if failure == 'none' else f'  ({failure})'))
    s, d = per.get('smbdiag serve'), per.get('smbd')
    if s and d and s > 0:
        print(f'ratio smbd/serve (PSS per connection): {d / s:.0f}x  '
              f'(goal: < 64 KiB per connection: {"met" if s < 64 else "not met"})')


def main():
    peers.require('smbd', 'smbpasswd', peers.NSS_WRAPPER)
    results = {'smbdiag serve': [], 'smbd': []}
    mem = {}
    with Serve(smbdiag) as serve, peers.Smbd(users={USER: PASSWORD}, options={'log level': '0'}) as smbd:
        # Idle memory first, on fresh servers: a heap already grown by the
        # rate runs would hide what idle connections cost.
        print(f'idle memory: {idle_n} connections to each server ...', file=sys.stderr, flush=True)
        mem['smbdiag serve'] = idle_memory(serve.port, serve.pids)
        mem['smbd'] = idle_memory(smbd.port, lambda: smbd_pids(smbd))
        time.sleep(1.0)   # smbd's idle children exit
        for port, pid in ((serve.port, serve.proc.pid), (smbd.port, smbd.proc.pid)):
            subprocess.run(loadgen_cmd('rate', port, '-k', '4', '-d', '1'), stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60)   # warm-up
        print(f'session rate: {rounds} x {seconds} s against each server ...', file=sys.stderr, flush=True)
        for _ in range(rounds):
            results['smbdiag serve'].append(rate_once(serve.port, serve.proc.pid))
            results['smbd'].append(rate_once(smbd.port, smbd.proc.pid))
    version = subprocess.run(['smbd', '--version'], capture_output=True, text=True).stdout.strip()
    load = os.getloadavg()[0]
    print(f'smbdiag serve vs Samba smbd ({version}) on 127.0.0.1, {os.cpu_count()} CPU(s), load average '
          f'{load:.1f} at the end; load generator: {os.path.basename(loadgen)}')
    print_rates(results)
    print_memory(mem)


main()
PY
