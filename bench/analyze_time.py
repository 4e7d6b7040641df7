"""Timing half of bench/analyze.sh: floor, smbdiag analyze and tshark on one file.

usage: analyze_time.py SMBDIAG PCAP_COUNT CAPTURE
MB/s are of the capture file's size (10^6 bytes); the floor and smbdiag run
twice and keep the faster run (the file is read once beforehand so every tool
starts with it in the page cache), tshark once.
"""
import os
import subprocess
import sys
import tempfile
import time

TSHARK_FIELDS = ['frame.number', 'tcp.stream', 'smb2.cmd', 'smb2.flags.response', 'smb2.nt_status',
                 'smb2.msg_id', 'smb2.sesid', 'smb2.tid', 'smb2.dialect', 'smb2.tree']
TIMEOUT = 1200
GOAL_TSHARK_X, GOAL_FLOOR_X, GOAL_RSS_MB = 50.0, 3.0, 200.0


def measure(cmd):
    """(wall s, cpu s, peak RSS MB, exit status, lines of standard output).

    The peak RSS comes from /usr/bin/time: the rusage of our own child would
    count the copy of this Python process it was before exec.
    """
    rss_file = tempfile.NamedTemporaryFile(prefix='smbdiag-bench-rss-', delete=False)
    rss_file.close()
    start = time.perf_counter()
    proc = subprocess.Popen(['/usr/bin/time', '-q', '-f', '%M', '-o', rss_file.name] + cmd,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    lines = 0
    deadline = time.monotonic() + TIMEOUT
    while True:
        chunk = proc.stdout.read(1 << 20)
        if not chunk or time.monotonic() > deadline:
            break
        lines += chunk.count(b'\n')
    if time.monotonic() > deadline:
        proc.kill()   # not reaped yet, so the PID is still ours
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    with open(rss_file.name, encoding='utf-8', errors='replace') as f:
        words = f.read().split()
    os.unlink(rss_file.name)
    rss_kb = int(words[-1]) if words and words[-1].isdigit() else 0
    return (wall, usage.ru_utime + usage.ru_stime, rss_kb / 1024.0,
            os.waitstatus_to_exitcode(status), lines)


def best_of(cmd, runs):
    results = [measure(cmd) for _ in range(runs)]
    best = min(results, key=lambda r: r[0])
    return best[:2] + (max(r[2] for r in results),) + best[3:]


def main():
    smbdiag, pcap_count, capture = sys.argv[1:4]
    size = os.path.getsize(capture)
    with open(capture, 'rb') as f:
        while f.read(1 << 24):
            pass
    mb = size / 1e6
    rows = [
        ('libpcap floor (count)', best_of([pcap_count, capture], 2)),
        ('smbdiag analyze --json', best_of([smbdiag, 'analyze', capture, '--json'], 2)),
    ]
    tshark = ['tshark', '-r', capture, '-Y', 'smb2', '-T', 'fields']
    for field in TSHARK_FIELDS:
        tshark += ['-e', field]
    rows.append(('tshark -Y smb2 -T fields', measure(tshark)))

    print(f'capture: {capture}, {mb:.0f} MB')
    print(f'{"tool":26} {"wall s":>8} {"cpu s":>8} {"MB/s":>8} {"peak MB":>8} {"exit":>5} {"out lines":>10}')
    for name, (wall, cpu, rss, rc, lines) in rows:
        print(f'{name:26} {wall:8.2f} {cpu:8.2f} {mb / wall:8.1f} {rss:8.1f} {rc:5} {lines:10}')
    floor, ours, shark = rows[0][1], rows[1][1], rows[2][1]
    x_tshark = shark[0] / ours[0]
    x_floor = ours[0] / floor[0]
    verdict = {True: 'met', False: 'MISSED'}
    print(f'smbdiag vs tshark: {x_tshark:.1f}x faster (goal >= {GOAL_TSHARK_X:.0f}x: '
          f'{verdict[x_tshark >= GOAL_TSHARK_X]})')
    print(f'smbdiag vs floor:  {x_floor:.2f}x slower (goal <= {GOAL_FLOOR_X:.0f}x: '
          f'{verdict[x_floor <= GOAL_FLOOR_X]})')
    # On a busy machine wall time includes waiting for a CPU: CPU time
    # (user + system) is the steadier comparison.
    print(f'same in CPU time: {shark[1] / ours[1]:.1f}x faster than tshark, '
          f'{ours[1] / floor[1]:.2f}x the floor; load average {os.getloadavg()[0]:.1f} '
          f'on {os.cpu_count()} CPUs')
    print(f'smbdiag peak RSS:  {ours[2]:.1f} MB (goal < {GOAL_RSS_MB:.0f} MB: '
          f'{verdict[ours[2] < GOAL_RSS_MB]})')
    if ours[3] not in (0, 4):
        print(f'smbdiag analyze exited {ours[3]}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
