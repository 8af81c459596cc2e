#!/usr/bin/python3
"""Holds connections open against sipca serve, for tests/cli/acme_load.sh:
IDLE connections that send nothing (half to the HTTPS port, never
starting TLS, half to the HTTP port) and SLOW slowloris requests that send
a header line every two seconds (half over TLS, half over plain HTTP),
never ending their headers.

It prints "ready" once all are open, "open IDLE SLOW" (how many of each the
server has not closed yet) whenever it gets SIGUSR1, and at the end, when
every connection is closed or LIMIT seconds have passed, one line:
"closed IDLE_CLOSED SLOW_CLOSED IDLE_FIRST IDLE_LAST SLOW_FIRST SLOW_LAST"
(the times are seconds since the connection was opened).

usage: hold.py HOST HTTPS_PORT HTTP_PORT CA_PEM IDLE SLOW LIMIT
"""
import resource
import select
import signal
import socket
import ssl
import sys
import time

HOST, HTTPS, HTTP, CA_PEM = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
IDLE, SLOW, LIMIT = int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])


class Conn:
    def __init__(self, sock, slow):
        self.sock, self.slow = sock, slow
        self.opened = time.monotonic()
        self.closed = None
        self.lines = 0


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.setblocking(True)
    return s


def open_all():
    conns = []
    for i in range(IDLE):
        s = connect(HTTPS if i % 2 else HTTP)
        conns.append(Conn(s, False))
    ctx = ssl.create_default_context(cafile=CA_PEM)
    for i in range(SLOW):
        raw = connect(HTTPS if i % 2 else HTTP)
        sock = ctx.wrap_socket(raw, server_hostname=HOST) if i % 2 else raw
        sock.sendall(b"GET /ca.pem HTTP/1.1\r\nHost: %s\r\n" % HOST.encode())
        conns.append(Conn(sock, True))
    return conns


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    conns = open_all()
    by_fd = {c.sock.fileno(): c for c in conns}
    poller = select.poll()
    for fd in by_fd:
        poller.register(fd, select.POLLIN)
    print("ready", flush=True)
    report = []
    signal.signal(signal.SIGUSR1, lambda *a: report.append(1))
    start = time.monotonic()
    next_line = start + 2
    while time.monotonic() - start < LIMIT:
        if all(c.closed is not None for c in conns):
            break
        ready = poller.poll(200)
        now = time.monotonic()
        # The request never ends, so the server has nothing to say: a
        # socket that turns readable has its end (or a TLS alert before it).
        for fd, _ in ready:
            by_fd[fd].closed = now - by_fd[fd].opened
            poller.unregister(fd)
        if report:
            report.clear()
            print("open %d %d" % (
                sum(1 for c in conns if c.closed is None and not c.slow),
                sum(1 for c in conns if c.closed is None and c.slow)), flush=True)
        if now >= next_line:
            next_line = now + 2
            for c in conns:
                if c.slow and c.closed is None:
                    try:
                        c.sock.sendall(b"X-Line-%d: y\r\n" % c.lines)
                        c.lines += 1
                    except OSError:
                        c.closed = now - c.opened
                        poller.unregister(c.sock.fileno())

    def times(slow):
        t = sorted(c.closed for c in conns if c.slow == slow and c.closed is not None)
        return (len(t), t[0] if t else -1, t[-1] if t else -1)

    idle, slow = times(False), times(True)
    print("closed %d %d %.1f %.1f %.1f %.1f" % (idle[0], slow[0], idle[1], idle[2],
                                                slow[1], slow[2]), flush=True)


main()
