"""Small listeners on 127.0.0.1 that stand in for servers Samba cannot
imitate: one that never answers NEGOTIATE, one that relays NEGOTIATE to a
real smbd and then swallows SESSION_SETUP, and a port where nothing
listens. Shared by the probe's and the analyzer's interop tests."""
import socket
import struct
import threading
import time


class Listener:
    """Accepts connections on 127.0.0.1 (port 0: any free port) and hands
    each to handler(sock)."""

    def __init__(self, handler, port=0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(('127.0.0.1', port))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.handler = handler
        self.stop = False
        self.conns = set()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn):
        with self.lock:
            self.conns.add(conn)
        try:
            self.handler(conn)
        except OSError:
            pass
        finally:
            with self.lock:
                self.conns.discard(conn)
            conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Stops listening and resets the connections still open, as a
        server that quits: the port is free when this returns (the accept
        loop has let go of the socket), and no half-closed connection is
        left to collide with a client's next one from a reused port."""
        self.stop = True
        self.thread.join(timeout=5)
        self.sock.close()
        with self.lock:
            open_conns = list(self.conns)
        for conn in open_conns:
            try:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def reset(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    conn.close()


def read_pdu(conn):
    head = b''
    while len(head) < 4:
        chunk = conn.recv(4 - len(head))
        if not chunk:
            return None
        head += chunk
    length = int.from_bytes(head[1:4], 'big')
    body = b''
    while len(body) < length:
        chunk = conn.recv(length - len(body))
        if not chunk:
            return None
        body += chunk
    return head + body


def silent_then_reset(after):
    def handler(conn):
        conn.settimeout(after)
        deadline = time.time() + after
        while time.time() < deadline:
            try:
                if not conn.recv(65536):
                    return
            except socket.timeout:
                break
        reset(conn)
    return handler


def swallow_session(smbd_port):
    """Relays NEGOTIATE to smbd and its answer back, then swallows the rest."""
    def handler(conn):
        upstream = socket.create_connection(('127.0.0.1', smbd_port))
        try:
            request = read_pdu(conn)
            if request is None:
                return
            upstream.sendall(request)
            answer = read_pdu(upstream)
            if answer is None:
                return
            conn.sendall(answer)
            conn.settimeout(30)
            while conn.recv(65536):
                pass
        finally:
            upstream.close()
    return handler


def closed_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port
