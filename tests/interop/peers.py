"""Start and stop the real peers the interop tests talk to.

Everything runs on loopback with private state under a temporary folder:
Samba smbd on a high port (users through nss_wrapper, so /etc/passwd is left
alone), dumpcap for captures. Processes are stopped by the PIDs we started,
with bounded waits. Scripts print TAP through the Tap class.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NSS_WRAPPER = '/usr/lib/x86_64-linux-gnu/libnss_wrapper.so'


class Tap:
    """Minimal TAP producer: ok / not ok lines, skips, a plan at the end."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, diag=None):
        self.n += 1
        print(f'{"ok" if cond else "not ok"} {self.n} - {desc}', flush=True)
        if not cond:
            self.failed += 1
            for line in str(diag or '').splitlines()[-40:]:
                print(f'#   {line}', flush=True)
        return cond

    def skip(self, desc, reason):
        self.n += 1
        print(f'ok {self.n} - {desc} # SKIP {reason}', flush=True)

    def diag(self, msg):
        for line in str(msg).splitlines():
            print(f'# {line}', flush=True)

    def done(self):
        print(f'1..{self.n}', flush=True)
        return 1 if self.failed else 0


def skip_all(reason):
    print(f'1..0 # SKIP {reason}', flush=True)
    sys.exit(0)


def rerun_in_new_netns(script, marker):
    """Runs script again in a network namespace of its own (unshare -n),
    with marker=1 in its environment so that it knows it is inside; the
    child inherits stdout, so its TAP is the caller's, and the namespace
    ends with it. Skips the whole test when no namespace can be made.
    Returns the child's exit code."""
    if shutil.which('unshare') is None:
        skip_all('unshare (util-linux) is missing: cannot make a network namespace')
    probe = subprocess.run(['unshare', '-n', 'true'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=30)
    if probe.returncode != 0:
        skip_all('cannot make a network namespace (unshare -n: ' + probe.stdout.strip() + ')')
    return subprocess.run(['unshare', '-n', sys.executable, os.path.abspath(script)],
                          env=dict(os.environ, **{marker: '1'}), timeout=600).returncode


def analyze_live(smbdiag, args, duration, client):
    """`smbdiag analyze -i lo --duration duration --json` plus args while
    client() runs (it starts once the capture is open and returns its own
    output): (exit code, report or {}, a log of both)."""
    cmd = [smbdiag, 'analyze', '-i', 'lo', '--duration', str(duration)] + list(args) + ['--json']
    live = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)  # the capture is open before the client starts
    said = client()
    try:
        out, err = live.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        stop_process(live)
        out, err = '', 'analyze -i did not stop after --duration'
    try:
        report = json.loads(out)
    except ValueError:
        report = {}
    return live.returncode, report, f'$ {" ".join(cmd)}\nexit {live.returncode}\n{err}\n{out[-3000:]}\n{said}'


def require(*programs):
    missing = [p for p in programs if shutil.which(p) is None and not os.path.exists(p)]
    if missing:
        skip_all('missing ' + ', '.join(missing) + ' (scripts/install-deps installs them)')


def _enter_netns(mount, required):
    """Re-executes this script under unshare --net (and --mount), or, once
    inside, brings lo up. When no namespace can be made: skips the script if
    required, else returns False and the script goes on where it is."""
    if os.environ.get('SMBDIAG_PRIVATE_NETNS') == '1':
        subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True, timeout=10)
        return True
    flags = ['--net'] + (['--mount'] if mount else [])
    if required:
        require('unshare', 'ip')
    elif shutil.which('unshare') is None or shutil.which('ip') is None:
        return False
    probe = subprocess.run(['unshare'] + flags + ['true'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=10)
    if probe.returncode != 0:
        if not required:
            return False
        skip_all(f'cannot create a private namespace (unshare {" ".join(flags)} needs root or CAP_SYS_ADMIN): '
                 + probe.stdout.strip())
    sys.stdout.flush()
    os.environ['SMBDIAG_PRIVATE_NETNS'] = '1'
    os.environ['SMBDIAG_PRIVATE_MOUNTS'] = '1' if mount else '0'
    os.execvp('unshare', ['unshare'] + flags + ['--', sys.executable] + sys.argv)
    return True  # not reached: execvp replaces this process


def private_netns(mount=False):
    """Re-runs this script in a network namespace of its own (unshare --net)
    with lo up, so it may bind port 139 or filter packets without touching the
    host. The kernel removes the namespace when the script's processes end,
    whatever way they end. Skips the script when no namespace can be made.
    mount=True adds a mount namespace of its own (private_hosts)."""
    _enter_netns(mount, required=True)


def isolated_loopback():
    """Re-runs this script in a network namespace of its own when the system
    allows it (root or CAP_SYS_ADMIN; CI runs as root), so that interop
    scripts can run side by side: each has its own lo, so another script's
    traffic never shows in its captures or in `analyze -i lo`, and no port is
    taken by another script between free_port() and the bind. Where no
    namespace can be made, the script runs on the host's lo as it is."""
    _enter_netns(False, required=False)


def private_hosts(entries):
    """Inside private_netns(mount=True): /etc/hosts becomes these lines
    ("127.0.0.2 fs.lab.test") plus localhost, for this namespace only (a
    bind mount that ends with it), so a name may have several addresses
    without a DNS server. Skips the script when the mount fails."""
    if os.environ.get('SMBDIAG_PRIVATE_MOUNTS') != '1':
        raise RuntimeError('private_hosts needs private_netns(mount=True)')
    fd, path = tempfile.mkstemp(prefix='smbdiag-hosts-')
    with os.fdopen(fd, 'w') as f:
        f.write('127.0.0.1 localhost\n::1 localhost\n' + ''.join(e + '\n' for e in entries))
    os.chmod(path, 0o644)
    r = subprocess.run(['mount', '--bind', path, '/etc/hosts'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=10)
    os.unlink(path)  # the mount keeps the file while the namespace lives
    if r.returncode != 0:
        skip_all('cannot bind-mount a private /etc/hosts in the test namespace: ' + r.stdout.strip())


def add_loopback_address(address):
    """Inside private_netns: one more address on lo (127.0.0.2/8 ...)."""
    subprocess.run(['ip', 'addr', 'add', address + '/8', 'dev', 'lo'], check=True, timeout=10)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_listening(port, host='127.0.0.1', timeout=15.0, proc=None):
    """True once host:port accepts a connection; with proc, only while
    proc still runs (a server that failed to bind must not pass for one
    that listens because something else holds the port)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return proc is None or proc.poll() is None
        except OSError:
            time.sleep(0.05)
    return False


def _children(pid):
    kids = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat', encoding='utf-8', errors='replace') as f:
                fields = f.read().rsplit(')', 1)[1].split()
            if int(fields[1]) == pid:
                kids.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return kids


def _descendants(pid):
    out, todo = [], [pid]
    while todo and len(out) < 10000:
        p = todo.pop()
        for c in _children(p):
            out.append(c)
            todo.append(c)
    return out


def pids_using(marker):
    """PIDs whose command line mentions marker (our private folder)."""
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f'/proc/{entry}/cmdline', 'rb') as f:
                if marker.encode() in f.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def stop_pids(pids, timeout=10.0):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(os.path.exists(f'/proc/{p}') for p in pids):
            time.sleep(0.02)
        pids = [p for p in pids if os.path.exists(f'/proc/{p}')]
        if not pids:
            return


def stop_process(proc, timeout=10.0):
    """SIGTERM the process we started and every descendant of it, by PID."""
    if proc is None or proc.poll() is not None:
        return
    victims = _descendants(proc.pid)
    for pid in [proc.pid] + victims:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        for pid in [proc.pid] + victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait(timeout=5)
    deadline = time.monotonic() + timeout
    for pid in victims:
        while time.monotonic() < deadline and os.path.exists(f'/proc/{pid}'):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.02)


class PrivateServer:
    """A peer the tests start, with a private folder (self.dir) holding its
    log (self.log); subclasses define start()."""

    log_name = 'server.out'

    def stop(self):
        stop_process(self.proc)
        self.proc = None
        if getattr(self, 'log', None):
            self.log.close()
            self.log = None

    def output(self):
        try:
            with open(os.path.join(self.dir, self.log_name), encoding='utf-8', errors='replace') as f:
                return f.read()[-4000:]
        except OSError:
            return ''

    def cleanup(self):
        self.stop()
        if self.dir and os.environ.get('SMBDIAG_KEEP_TMP') is None:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()


class Smbd(PrivateServer):
    """A private Samba smbd on 127.0.0.1:<port>.

    shares: {name: {option: value}} ('path' defaults to a fresh folder);
    users: {name: password}; options: extra [global] lines.
    """

    log_name = 'smbd.out'

    def __init__(self, shares=None, users=None, options=None, port=None, host='127.0.0.1'):
        self.port = port or free_port()
        self.host = host
        self.shares = shares if shares is not None else {'data': {}}
        self.users = users if users is not None else {'alice': 'Secret123'}
        self.options = options or {}
        self.dir = None
        self.proc = None
        self.uid_base = 3000

    def _write_nss(self):
        passwd = ['root:x:0:0:root:/root:/bin/sh', 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false']
        group = ['root:x:0:', 'nogroup:x:65534:']
        for i, user in enumerate(sorted(self.users)):
            uid = self.uid_base + i
            passwd.append(f'{user}:x:{uid}:{uid}:{user}:{self.dir}:/bin/false')
            group.append(f'{user}:x:{uid}:')
        with open(os.path.join(self.dir, 'passwd'), 'w') as f:
            f.write('\n'.join(passwd) + '\n')
        with open(os.path.join(self.dir, 'group'), 'w') as f:
            f.write('\n'.join(group) + '\n')

    def env(self):
        env = dict(os.environ)
        env['NSS_WRAPPER_PASSWD'] = os.path.join(self.dir, 'passwd')
        env['NSS_WRAPPER_GROUP'] = os.path.join(self.dir, 'group')
        env['LD_PRELOAD'] = NSS_WRAPPER
        return env

    def conf_path(self):
        return os.path.join(self.dir, 'smb.conf')

    def _write_conf(self):
        d = self.dir
        g = {
            'private dir': f'{d}/private', 'lock directory': f'{d}/lock',
            'state directory': f'{d}/state', 'cache directory': f'{d}/cache',
            'pid directory': f'{d}/pid', 'ncalrpc dir': f'{d}/state/ncalrpc',
            'log file': f'{d}/log.%m', 'log level': '1',
            'passdb backend': f'tdbsam:{d}/private/passdb.tdb',
            'smb ports': str(self.port), 'interfaces': 'lo' if self.host == '127.0.0.1' else self.host,
            'bind interfaces only': 'yes',
            'server role': 'standalone server', 'workgroup': 'SMBDIAG', 'netbios name': 'SMBDIAGTEST',
            'disable netbios': 'yes', 'load printers': 'no', 'printing': 'bsd',
            'printcap name': '/dev/null', 'disable spoolss': 'yes', 'usershare path': '',
            'guest account': 'nobody', 'server min protocol': 'SMB2_02',
        }
        g.update(self.options)
        lines = ['[global]'] + [f'  {k} = {v}' for k, v in g.items()]
        for name, opts in self.shares.items():
            opts = dict(opts)
            if 'path' not in opts:
                path = os.path.join(d, 'shares', name)
                os.makedirs(path, exist_ok=True)
                os.chmod(path, 0o777)
                opts['path'] = path
            opts.setdefault('read only', 'no')
            lines.append(f'[{name}]')
            lines += [f'  {k} = {v}' for k, v in opts.items()]
        with open(self.conf_path(), 'w') as f:
            f.write('\n'.join(lines) + '\n')

    def start(self):
        self.dir = tempfile.mkdtemp(prefix='smbdiag-smbd-')
        os.chmod(self.dir, 0o755)
        for sub in ('private', 'lock', 'state', 'cache', 'pid', 'shares'):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        os.chmod(os.path.join(self.dir, 'shares'), 0o755)
        self._write_nss()
        self._write_conf()
        for user, password in self.users.items():
            subprocess.run(['smbpasswd', '-c', self.conf_path(), '-s', '-a', user],
                           input=f'{password}\n{password}\n', text=True, env=self.env(),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=30)
        self.log = open(os.path.join(self.dir, self.log_name), 'w')
        # smbd signals its whole process group when it stops: give it a session
        # of its own, and tell it not to make one itself.
        self.proc = subprocess.Popen(['smbd', '-F', '--no-process-group', '--debug-stdout',
                                      '-s', self.conf_path()],
                                     env=self.env(), stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        if not wait_listening(self.port, host=self.host, proc=self.proc):
            self.stop()
            raise RuntimeError(f'smbd did not listen on {self.host}:{self.port}: ' + self.output())
        return self

    def stop(self):
        stop_process(self.proc)
        self.proc = None
        # smbd starts samba-dcerpcd on demand (share listing, IPC$), and that
        # daemon detaches from smbd's process tree: find it, and its rpcd_*
        # workers, by our private smb.conf on their command lines.
        if self.dir:
            stop_pids(pids_using(self.conf_path()))
        if getattr(self, 'log', None):
            self.log.close()
            self.log = None

IMPACKET_SERVER = r"""
import sys
from impacket import smbserver
from impacket.ntlm import compute_lmhash, compute_nthash
port, share, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
server = smbserver.SimpleSMBServer(listenAddress='127.0.0.1', listenPort=port)
server.addShare('DATA', share, '')
server.setSMB2Support(sys.argv[5] == 'smb2')
server.addCredential(user, 0, compute_lmhash(password).hex(), compute_nthash(password).hex())
server.start()
"""


class ImpacketSmbServer(PrivateServer):
    """impacket's SimpleSMBServer (python3-impacket, run with /usr/bin/python3)
    on 127.0.0.1:<port> with one share DATA and one user; smb2=False: SMB1
    only."""

    def __init__(self, user='alice', password='Secret123', port=None, smb2=True):
        self.port = port or free_port()
        self.user, self.password = user, password
        self.smb2 = smb2
        self.dir = None
        self.proc = None
        self.log = None

    def start(self):
        self.dir = tempfile.mkdtemp(prefix='smbdiag-impacket-')
        os.makedirs(os.path.join(self.dir, 'share'))
        self.log = open(os.path.join(self.dir, self.log_name), 'w')
        self.proc = subprocess.Popen(['/usr/bin/python3', '-c', IMPACKET_SERVER, str(self.port),
                                      os.path.join(self.dir, 'share'), self.user, self.password,
                                      'smb2' if self.smb2 else 'smb1'],
                                     stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        if not wait_listening(self.port, proc=self.proc):
            self.cleanup()
            raise RuntimeError(f'impacket smbserver did not listen on {self.port}')
        return self


class Dropbear(PrivateServer):
    """The dropbear SSH server (Debian dropbear-bin) on 127.0.0.1:<port>,
    with a throw-away host key: a service that speaks first."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.dir = None
        self.proc = None
        self.log = None

    def start(self):
        self.dir = tempfile.mkdtemp(prefix='smbdiag-dropbear-')
        key = os.path.join(self.dir, 'host_key')
        subprocess.run(['dropbearkey', '-t', 'ed25519', '-f', key], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True, timeout=30)
        self.log = open(os.path.join(self.dir, self.log_name), 'w')
        # -F: stay in the foreground, -E: log to stderr, -R: no other keys.
        self.proc = subprocess.Popen(['dropbear', '-F', '-E', '-R', '-p', f'127.0.0.1:{self.port}', '-r', key,
                                      '-P', os.path.join(self.dir, 'pid')],
                                     stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        if not wait_listening(self.port, proc=self.proc):
            self.cleanup()
            raise RuntimeError(f'dropbear did not listen on {self.port}')
        return self


class Haproxy(PrivateServer):
    """HAProxy (Debian haproxy) in TCP mode on 127.0.0.1:<port>, sending
    each new connection to the next of backends ("host:port") in turn: a
    load balancer in front of several servers."""

    log_name = 'haproxy.out'

    def __init__(self, backends, port=None):
        self.backends = list(backends)
        self.port = port or free_port()
        self.dir = None
        self.proc = None
        self.log = None

    def start(self):
        self.dir = tempfile.mkdtemp(prefix='smbdiag-haproxy-')
        conf = os.path.join(self.dir, 'haproxy.cfg')
        lines = ['global', '  maxconn 256', 'defaults', '  mode tcp', '  timeout connect 5s',
                 '  timeout client 60s', '  timeout server 60s', 'frontend smb', f'  bind 127.0.0.1:{self.port}',
                 '  default_backend servers', 'backend servers', '  balance roundrobin']
        lines += [f'  server s{i} {b}' for i, b in enumerate(self.backends)]
        with open(conf, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        self.log = open(os.path.join(self.dir, self.log_name), 'w')
        # -db: stay in the foreground, no daemon.
        self.proc = subprocess.Popen(['haproxy', '-db', '-f', conf], stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        if not wait_listening(self.port, proc=self.proc):
            self.cleanup()
            raise RuntimeError(f'haproxy did not listen on {self.port}')
        return self


class Capture:
    """dumpcap on loopback (or the interfaces listed, one pcapng interface
    each) with a capture filter, written to path."""

    def __init__(self, path, bpf, iface='lo'):
        self.path, self.bpf = path, bpf
        self.ifaces = [iface] if isinstance(iface, str) else list(iface)
        self.proc = None

    def __enter__(self):
        self.err = tempfile.TemporaryFile()
        ifaces = [a for i in self.ifaces for a in ('-i', i)]
        self.proc = subprocess.Popen(['dumpcap', '-q'] + ifaces + ['-B', '64', '-f', self.bpf,
                                      '-w', self.path], stdout=subprocess.DEVNULL, stderr=self.err,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        # dumpcap writes the file header once it is capturing.
        while time.monotonic() < deadline:
            if os.path.exists(self.path) and os.path.getsize(self.path) > 0:
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        time.sleep(0.3)  # let the last packets reach the ring buffer
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                stop_process(self.proc)
        self.err.close()


def smbclient(port, unc, user='alice%Secret123', args=(), command='ls', timeout=60):
    cmd = ['smbclient', unc, '-p', str(port), '-c', command]
    cmd += ['-U', user] if user else ['-N']
    cmd += list(args)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


class Kdc(PrivateServer):
    """A throw-away MIT krb5kdc realm on 127.0.0.1:<port> (UDP and TCP).

    principals: {name: password or None for a random key}. env() gives
    KRB5_CONFIG / KRB5_KDC_PROFILE for every krb5 command of the test.
    """

    log_name = 'krb5kdc.out'

    def __init__(self, realm='SMBDIAG.TEST', principals=None, port=None, libdefaults=None):
        self.realm = realm
        self.port = port or free_port()
        self.principals = principals if principals is not None else {'alice': 'Secret123'}
        self.libdefaults = {'kdc_timesync': '0'}
        self.libdefaults.update(libdefaults or {})
        self.dir = None
        self.proc = None

    def env(self):
        env = dict(os.environ)
        env['KRB5_CONFIG'] = os.path.join(self.dir, 'krb5.conf')
        env['KRB5_KDC_PROFILE'] = os.path.join(self.dir, 'kdc.conf')
        env['KRB5CCNAME'] = 'FILE:' + os.path.join(self.dir, 'ccache')
        return env

    def kadmin(self, query):
        return subprocess.run(['kadmin.local', '-r', self.realm, '-q', query], env=self.env(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)

    def _write_conf(self):
        d, r = self.dir, self.realm
        libdefaults = {'default_realm': r, 'dns_lookup_kdc': 'false', 'dns_lookup_realm': 'false',
                       'rdns': 'false', 'udp_preference_limit': '1'}
        libdefaults.update(self.libdefaults)
        krb5 = ['[libdefaults]'] + [f'  {k} = {v}' for k, v in libdefaults.items()]
        krb5 += ['[realms]', f'  {r} = {{', f'    kdc = 127.0.0.1:{self.port}', '  }',
                 '[domain_realm]', f'  .{r.lower()} = {r}', f'  {r.lower()} = {r}']
        with open(os.path.join(d, 'krb5.conf'), 'w') as f:
            f.write('\n'.join(krb5) + '\n')
        kdc = ['[kdcdefaults]', f'  kdc_ports = {self.port}', f'  kdc_tcp_ports = {self.port}',
               '[realms]', f'  {r} = {{', f'    database_name = {d}/principal',
               f'    key_stash_file = {d}/stash', f'    acl_file = {d}/kadm5.acl',
               '    max_life = 10h',
               '    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal',
               '  }', '[logging]', f'  kdc = FILE:{d}/kdc.log']
        with open(os.path.join(d, 'kdc.conf'), 'w') as f:
            f.write('\n'.join(kdc) + '\n')

    def start(self):
        self.dir = tempfile.mkdtemp(prefix='smbdiag-kdc-')
        os.chmod(self.dir, 0o755)
        self._write_conf()
        subprocess.run(['kdb5_util', 'create', '-s', '-r', self.realm, '-P', 'smbdiag-master'],
                       env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True, timeout=60)
        for name, password in self.principals.items():
            q = f'addprinc -pw {password} {name}' if password else f'addprinc -randkey {name}'
            self.kadmin(q)
        self.log = open(os.path.join(self.dir, self.log_name), 'w')
        self.proc = subprocess.Popen(['krb5kdc', '-n', '-r', self.realm], env=self.env(),
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        if not wait_listening(self.port, proc=self.proc):
            self.stop()
            raise RuntimeError('krb5kdc did not listen')
        return self

    def keytab(self, principal, path):
        return self.kadmin(f'ktadd -k {path} {principal}')


def json_lines_after(path, seen, errors='strict'):
    """The lines of a JSON-lines log after the first seen ones, each parsed
    (a line that does not parse as {'event': 'unparsable', 'text': line}),
    and the count of lines read, for the next call."""
    with open(path, errors=errors) as f:
        lines = f.readlines()
    out = []
    for line in lines[seen:]:
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append({'event': 'unparsable', 'text': line})
    return out, len(lines)
