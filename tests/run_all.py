#!/usr/bin/python3
"""Runs every test smbdiag has and ends with one line 'N passed, N failed'.

Stages: a -Werror build and all meson test suites (unit, capture, interop);
the same suites again in an ASan + UBSan build; then each libFuzzer target
for a short smoke run over its seed corpus. Counts are per TAP test point
(a cmocka case, an interop check), per fuzz target otherwise.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAP_LINE = re.compile(r'^(not ok|ok)\b(.*)$')


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.failures = []

    def add(self, kind, label):
        if kind == 'pass':
            self.passed += 1
        elif kind == 'skip':
            self.skipped += 1
        else:
            self.failed += 1
            self.failures.append(label)


def log(msg):
    print(msg, flush=True)


class Stage:
    """Logs how long a stage took, so that a slow CI run says where."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc):
        log(f'stage {self.name}: {time.monotonic() - self.started:.0f} s')
        return False


def run(cmd, **kw):
    log('+ ' + ' '.join(cmd))
    return subprocess.run(cmd, cwd=ROOT, **kw)


def setup(builddir, options, env=None):
    path = os.path.join(ROOT, builddir)
    if os.path.exists(os.path.join(path, 'build.ninja')):
        return run(['meson', 'setup', '--reconfigure', builddir] + options, env=env).returncode
    if os.path.exists(path):
        shutil.rmtree(path)
    return run(['meson', 'setup', builddir] + options, env=env).returncode


def build(builddir):
    return run(['ninja', '-C', builddir]).returncode


def count_meson_tests(builddir, stage, tally):
    logfile = os.path.join(ROOT, builddir, 'meson-logs', 'testlog.json')
    if not os.path.exists(logfile):
        tally.add('fail', f'{stage}: no meson test log')
        return
    with open(logfile, encoding='utf-8') as f:
        for line in f:
            rec = json.loads(line)
            name, result = rec['name'], rec['result']
            points = 0
            failed_points = 0
            for tline in (rec.get('stdout') or '').splitlines():
                m = TAP_LINE.match(tline)
                if not m:
                    continue
                points += 1
                rest = m.group(2)
                label = f'{stage}: {name}{rest}'
                if '# SKIP' in rest.upper():
                    tally.add('skip', label)
                elif m.group(1) == 'ok':
                    tally.add('pass', label)
                else:
                    failed_points += 1
                    tally.add('fail', label)
            if points == 0:
                kind = {'OK': 'pass', 'SKIP': 'skip', 'EXPECTEDFAIL': 'pass'}.get(result, 'fail')
                tally.add(kind, f'{stage}: {name} ({result})')
            elif result not in ('OK', 'SKIP') and failed_points == 0:
                # Crashed or timed out after some points passed.
                tally.add('fail', f'{stage}: {name} ended {result} (exit {rec.get("returncode")})')


def meson_test(builddir, stage, tally, env=None, suites=None):
    # One test per CPU: the interop tests spend most of their time waiting
    # on peers and timeouts, so that already halves the run; one more made
    # the timing checks of the ASan run flaky on a 2-CPU machine.
    jobs = str(os.cpu_count() or 1)
    cmd = ['meson', 'test', '-C', builddir, '--print-errorlogs', '--num-processes', jobs]
    for s in suites or []:
        cmd += ['--suite', s]
    run(cmd, env=env)
    count_meson_tests(builddir, stage, tally)


def capture_seeds(builddir):
    """Seeds cut at fuzzing time out of captures (tests/fuzz/seeds_from_captures.py):
    our scenarios (tests/scenarios) and, when it is there, the shared corpus
    (../shared/captures), which is not ours to commit. {target: folder}."""
    out = os.path.join(ROOT, builddir, 'fuzz-seeds')
    shutil.rmtree(out, ignore_errors=True)
    captures = sorted(os.path.join(ROOT, 'tests', 'scenarios', f)
                      for f in os.listdir(os.path.join(ROOT, 'tests', 'scenarios')) if f.endswith('.pcapng'))
    shared = os.path.join(os.environ.get('SMBDIAG_SHARED') or os.path.join(ROOT, '..', 'shared'), 'captures')
    if os.path.isdir(shared):
        captures += sorted(os.path.join(shared, f) for f in os.listdir(shared) if '.pcap' in f)
    # fuzz_capture reads whole capture files.
    os.makedirs(os.path.join(out, 'capture'))
    for c in captures:
        if os.path.getsize(c) <= 65536:
            shutil.copy(c, os.path.join(out, 'capture'))
    pdu_dump = os.path.join(ROOT, 'build', 'tests', 'capture', 'pdu_dump')
    if os.access(pdu_dump, os.X_OK):
        subprocess.run([sys.executable, os.path.join(ROOT, 'tests', 'fuzz', 'seeds_from_captures.py'),
                        '--pdu-dump', pdu_dump, out] + captures, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    else:
        log('fuzz: build/tests/capture/pdu_dump missing: no seeds cut from captures')
    log(f'fuzz: seeds cut from {len(captures)} captures into {out}')
    return {t: os.path.join(out, t) for t in os.listdir(out)}


def fuzz_smoke(builddir, tally, seconds):
    fuzzdir = os.path.join(ROOT, builddir, 'tests', 'fuzz')
    corpus_root = os.path.join(ROOT, 'tests', 'fuzz', 'corpus')
    cut = capture_seeds(builddir)
    targets = sorted(t for t in os.listdir(fuzzdir) if t.startswith('fuzz_')
                     and os.access(os.path.join(fuzzdir, t), os.X_OK)
                     and os.path.isfile(os.path.join(fuzzdir, t))) if os.path.isdir(fuzzdir) else []
    if not targets:
        log('fuzz: no targets built')
    runs = []
    for t in targets:
        name = t[len('fuzz_'):]
        seeds = os.path.join(corpus_root, name)
        work = os.path.join(ROOT, builddir, 'fuzz-work', name)
        os.makedirs(work, exist_ok=True)
        cmd = [os.path.join(fuzzdir, t), f'-max_total_time={seconds}', '-timeout=10',
               '-rss_limit_mb=1024', '-max_len=65536', '-print_final_stats=0',
               f'-artifact_prefix={work}/', work]
        if os.path.isdir(seeds):
            cmd.append(seeds)
            if name in cut:
                cmd.append(cut[name])
        else:
            tally.add('fail', f'fuzz: {name} has no seed corpus tests/fuzz/corpus/{name}/')
            continue
        runs.append((name, cmd))

    def smoke(run):
        name, cmd = run
        return name, subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, errors='replace')

    # One target per CPU at a time: -max_total_time is wall time, and each
    # libFuzzer run is a single thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for name, res in pool.map(smoke, runs):
            if res.returncode == 0:
                tally.add('pass', f'fuzz: {name}')
                log(f'fuzz: {name} ok ({seconds}s)')
            else:
                tally.add('fail', f'fuzz: {name} (exit {res.returncode})')
                log(res.stdout[-4000:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--fuzz-seconds', type=int, default=int(os.environ.get('SMBDIAG_FUZZ_SECONDS', '5')))
    ap.add_argument('--skip', action='append', default=[], choices=['plain', 'asan', 'fuzz'])
    ap.add_argument('--suite', action='append', default=[], help='meson suites to run (default all)')
    args = ap.parse_args()

    tally = Tally()
    started = time.monotonic()
    san_env = dict(os.environ,
                   ASAN_OPTIONS='detect_leaks=1:abort_on_error=0:strict_string_checks=1',
                   UBSAN_OPTIONS='halt_on_error=1:print_stacktrace=1')

    if 'plain' not in args.skip:
        with Stage('plain'):
            if setup('build', ['-Dwerror=true']) or build('build'):
                tally.add('fail', 'build: -Werror build failed')
            else:
                meson_test('build', 'plain', tally, suites=args.suite)

    if 'asan' not in args.skip:
        with Stage('asan'):
            if setup('build-asan', ['-Dwerror=true', '-Db_sanitize=address,undefined', '-Db_lundef=false',
                                    '-Dbuildtype=debug']) or build('build-asan'):
                tally.add('fail', 'build: ASan+UBSan build failed')
            else:
                meson_test('build-asan', 'asan', tally, env=san_env, suites=args.suite)

    if 'fuzz' not in args.skip:
        with Stage('fuzz'):
            fuzz_env = dict(os.environ, CC='clang')
            if setup('build-fuzz', ['-Dfuzz=true', '-Db_sanitize=address,undefined', '-Db_lundef=false',
                                    '-Dbuildtype=debugoptimized'], env=fuzz_env) or build('build-fuzz'):
                tally.add('fail', 'build: fuzz build failed')
            else:
                fuzz_smoke('build-fuzz', tally, args.fuzz_seconds)

    log(f'\nran for {time.monotonic() - started:.0f} s')
    for f in tally.failures:
        log(f'FAILED: {f}')
    summary = f'{tally.passed} passed, {tally.failed} failed'
    if tally.skipped:
        summary += f', {tally.skipped} skipped'
    log(summary)
    return 1 if tally.failed else 0


if __name__ == '__main__':
    sys.exit(main())
