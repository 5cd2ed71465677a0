#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
A UDP relay that adds delay, for topotests on kernels without netem.

    udp_relay.py run --listen ADDR:PORT --target ADDR:PORT
                     [--delay-ms MS] [--reverse-delay-ms MS]
                     [--control-port PORT] [--max-seconds S]
    udp_relay.py ctl --control-port PORT COMMAND...

'run' listens on ADDR:PORT and sends every datagram it receives there to
the target after the forward delay, from a socket of its own; datagrams
that come back from the target on that socket go to the last client that
sent something to the listen address, after the reverse delay (default:
the same as the forward delay). One client is all it serves: a WireGuard
peer, a probe sender.

Order is kept in each direction: a datagram never leaves before one that
arrived earlier, even when the delay is lowered while datagrams wait.

At run time the relay takes commands on a UDP socket bound to
127.0.0.1:PORT in its own network namespace (one datagram, one command,
one JSON answer to the sender):

    delay MS           both directions
    forward MS         client -> target only
    reverse MS         target -> client only
    drop on|off        drop everything (also what is queued), both ways
    loss PCT           drop each datagram with probability PCT %, both ways
    status             counters and settings
    quit               stop

'ctl' sends one command and prints the answer (exit status 1 without an
answer), so a test runs it in the relay's namespace:

    router.cmd("udp_relay.py ctl --control-port 9999 delay 20")

The relay stops by itself after --max-seconds (default 600) and prints
its final status as one JSON line on stdout. Standard library only.

From a topotest, RelayProcess(gear, listen, target, control_port, ...)
starts it in a gear and sends it commands.
"""

import argparse
import collections
import errno
import json
import os
import random
import select
import socket
import subprocess
import sys
import time

RCVBUF = 4 * 1024 * 1024
MAX_DATAGRAM = 65535


def parse_hostport(text):
    """'10.0.0.1:51820' or '[fd00::1]:51820' -> (family, (host, port))."""
    if text.startswith("["):
        host, _, port = text[1:].partition("]:")
    else:
        host, _, port = text.rpartition(":")
    if not host or not port:
        raise argparse.ArgumentTypeError("expected ADDR:PORT, got %r" % text)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return family, (host, int(port))


class Direction:
    """One direction of the relay: a FIFO of (due, payload) and counters."""

    def __init__(self, name, delay_ms):
        self.name = name
        self.delay = delay_ms / 1000.0
        self.queue = collections.deque()
        self.last_due = 0.0
        self.received = 0
        self.sent = 0
        self.dropped = 0
        self.send_errors = 0
        self.max_late_ms = 0.0

    def push(self, now, payload):
        # Never earlier than the previous datagram: order is kept when
        # the delay goes down while datagrams are waiting.
        due = max(now + self.delay, self.last_due)
        self.last_due = due
        self.queue.append((due, payload))

    def next_due(self):
        return self.queue[0][0] if self.queue else None

    def flush(self):
        self.dropped += len(self.queue)
        self.queue.clear()

    def status(self):
        return {
            "delay_ms": round(self.delay * 1000.0, 3),
            "received": self.received,
            "sent": self.sent,
            "dropped": self.dropped,
            "queued": len(self.queue),
            "send_errors": self.send_errors,
            "max_late_ms": round(self.max_late_ms, 3),
        }


class Relay:
    def __init__(self, listen, target, delay_ms, reverse_delay_ms, control_port,
                 upstream_bind=None):
        lfam, self.listen_addr = listen
        tfam, self.target = target
        self.lsock = socket.socket(lfam, socket.SOCK_DGRAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(self.listen_addr)
        self.usock = socket.socket(tfam, socket.SOCK_DGRAM)
        if upstream_bind:
            self.usock.bind(upstream_bind[1])
        self.usock.connect(self.target)
        self.csock = None
        if control_port:
            self.csock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.csock.bind(("127.0.0.1", control_port))
        for s in (self.lsock, self.usock):
            s.setblocking(False)
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, RCVBUF)
            except OSError:
                pass
        self.fwd = Direction("forward", delay_ms)
        self.rev = Direction("reverse",
                             delay_ms if reverse_delay_ms is None else reverse_delay_ms)
        self.client = None
        self.drop = False
        self.loss = 0.0
        self.stopping = False
        self.started = time.monotonic()

    # -- control ------------------------------------------------------

    def status(self):
        return {
            "listen": "%s:%d" % self.listen_addr[:2],
            "target": "%s:%d" % self.target[:2],
            "client": "%s:%d" % self.client[:2] if self.client else None,
            "drop": self.drop,
            "loss_pct": self.loss * 100.0,
            "uptime_s": round(time.monotonic() - self.started, 3),
            "forward": self.fwd.status(),
            "reverse": self.rev.status(),
        }

    def command(self, text):
        words = text.split()
        if not words:
            return {"error": "empty command"}
        verb, args = words[0], words[1:]
        try:
            if verb in ("delay", "forward", "reverse") and len(args) == 1:
                ms = float(args[0])
                if ms < 0:
                    return {"error": "negative delay"}
                if verb in ("delay", "forward"):
                    self.fwd.delay = ms / 1000.0
                if verb in ("delay", "reverse"):
                    self.rev.delay = ms / 1000.0
            elif verb == "drop" and args in (["on"], ["off"]):
                self.drop = args[0] == "on"
                if self.drop:
                    self.fwd.flush()
                    self.rev.flush()
            elif verb == "loss" and len(args) == 1:
                pct = float(args[0])
                if not 0 <= pct <= 100:
                    return {"error": "loss must be within 0..100"}
                self.loss = pct / 100.0
            elif verb == "quit" and not args:
                self.stopping = True
            elif verb != "status" or args:
                return {"error": "unknown command %r" % text}
        except ValueError:
            return {"error": "bad number in %r" % text}
        result = self.status()
        result["ok"] = True
        return result

    def serve_control(self):
        try:
            data, peer = self.csock.recvfrom(2048)
        except OSError:
            return
        answer = self.command(data.decode("utf-8", "replace"))
        try:
            self.csock.sendto(json.dumps(answer).encode(), peer)
        except OSError:
            pass

    # -- data ---------------------------------------------------------

    def drain(self, sock, direction, from_client):
        """Reads everything waiting on sock into direction's queue."""
        while True:
            try:
                payload, peer = sock.recvfrom(MAX_DATAGRAM)
            except BlockingIOError:
                return
            except OSError as exc:
                # ICMP errors (port unreachable) surface on the connected
                # upstream socket; they are not datagrams.
                if exc.errno in (errno.ECONNREFUSED, errno.EHOSTUNREACH,
                                 errno.ENETUNREACH):
                    continue
                raise
            direction.received += 1
            if from_client:
                self.client = peer
            if self.drop or (self.loss and random.random() < self.loss):
                direction.dropped += 1
                continue
            direction.push(time.monotonic(), payload)

    def send_due(self, now):
        for direction, sock in ((self.fwd, self.usock), (self.rev, self.lsock)):
            queue = direction.queue
            while queue and queue[0][0] <= now:
                due, payload = queue.popleft()
                late = (now - due) * 1000.0
                if late > direction.max_late_ms:
                    direction.max_late_ms = late
                try:
                    if direction is self.fwd:
                        sock.send(payload)
                    elif self.client:
                        sock.sendto(payload, self.client)
                    else:
                        direction.dropped += 1
                        continue
                    direction.sent += 1
                except OSError:
                    direction.send_errors += 1

    def run(self, max_seconds):
        deadline = self.started + max_seconds
        rlist = [self.lsock, self.usock] + ([self.csock] if self.csock else [])
        while not self.stopping:
            now = time.monotonic()
            if now >= deadline:
                break
            self.send_due(now)
            wake = deadline
            for d in (self.fwd.next_due(), self.rev.next_due()):
                if d is not None and d < wake:
                    wake = d
            # select() takes a timeval: microsecond resolution, where
            # epoll/poll would round up to whole milliseconds.
            timeout = max(0.0, wake - time.monotonic())
            readable, _, _ = select.select(rlist, [], [], timeout)
            for sock in readable:
                if sock is self.lsock:
                    self.drain(sock, self.fwd, True)
                elif sock is self.usock:
                    self.drain(sock, self.rev, False)
                else:
                    self.serve_control()
        # What is still queued at the end is dropped, not flushed early.
        return self.status()


def control(port, words, timeout):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(timeout)
    sock.sendto(" ".join(words).encode(), ("127.0.0.1", port))
    try:
        data, _ = sock.recvfrom(65535)
    except socket.timeout:
        return None
    return json.loads(data.decode())


# ----------------------------------------------------------------------
# From a topotest


class RelayProcess:
    """A relay running in a topotest gear, driven from the test:

        relay = RelayProcess(tgen.gears["r3"], "10.0.23.3:51900",
                             "10.0.24.4:51820", control_port=9901,
                             delay_ms=10, max_seconds=300).start()
        relay.command("delay", 40)      # -> status dict, asserts ok
        relay.stop()                    # -> final status dict
    """

    PYTHON = "/usr/bin/python3"

    def __init__(self, gear, listen, target, control_port, delay_ms=0.0,
                 reverse_delay_ms=None, max_seconds=600.0, upstream_bind=None):
        self.gear = gear
        self.control_port = control_port
        self.args = [self.PYTHON, os.path.realpath(__file__), "run",
                     "--listen", listen, "--target", target,
                     "--delay-ms", str(delay_ms), "--control-port", str(control_port),
                     "--max-seconds", str(max_seconds)]
        if reverse_delay_ms is not None:
            self.args += ["--reverse-delay-ms", str(reverse_delay_ms)]
        if upstream_bind:
            self.args += ["--upstream-bind", upstream_bind]
        self.proc = None

    def start(self, timeout=5.0):
        self.proc = self.gear.popen(self.args)
        deadline = time.monotonic() + timeout
        while True:
            time.sleep(0.2)  # Python's start-up, before the first 'ctl'.
            if self.proc.poll() is not None:
                raise RuntimeError("udp_relay exited: %s" % (self.proc.communicate(),))
            if self.query("status") is not None:
                return self
            if time.monotonic() > deadline:
                raise RuntimeError("udp_relay does not answer on its control port")

    def query(self, *words):
        """Runs 'ctl' in the gear; the answer as a dict, or None."""
        out = self.gear.cmd("%s %s ctl --control-port %d --timeout 1 %s" % (
            self.PYTHON, os.path.realpath(__file__), self.control_port,
            " ".join(str(w) for w in words)))
        try:
            answer = json.loads(out.strip().splitlines()[-1])
        except (IndexError, ValueError):
            return None
        return answer if answer.get("ok") else None

    def command(self, *words):
        answer = self.query(*words)
        assert answer is not None, "udp_relay did not take %r" % (words,)
        return answer

    def stop(self):
        """Stops the relay; returns its final status (or None)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.query("quit")
        try:
            out, _ = self.proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        self.proc = None
        try:
            return json.loads(out.strip().splitlines()[-1])
        except (IndexError, ValueError):
            return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    run = sub.add_parser("run", help="relay datagrams")
    run.add_argument("--listen", type=parse_hostport, required=True)
    run.add_argument("--target", type=parse_hostport, required=True)
    run.add_argument("--upstream-bind", type=parse_hostport,
                     help="source ADDR:PORT of the socket toward the target")
    run.add_argument("--delay-ms", type=float, default=0.0)
    run.add_argument("--reverse-delay-ms", type=float, default=None,
                     help="default: the same as --delay-ms")
    run.add_argument("--loss-pct", type=float, default=0.0)
    run.add_argument("--control-port", type=int, default=0,
                     help="UDP port on 127.0.0.1 for run-time commands (0: none)")
    run.add_argument("--max-seconds", type=float, default=600.0)
    ctl = sub.add_parser("ctl", help="send one command to a running relay")
    ctl.add_argument("--control-port", type=int, required=True)
    ctl.add_argument("--timeout", type=float, default=2.0)
    ctl.add_argument("words", nargs="+")
    args = parser.parse_args(argv)

    if args.mode == "ctl":
        answer = control(args.control_port, args.words, args.timeout)
        if answer is None:
            print(json.dumps({"error": "no answer"}))
            return 1
        print(json.dumps(answer))
        return 0 if answer.get("ok") else 1

    relay = Relay(args.listen, args.target, args.delay_ms, args.reverse_delay_ms,
                  args.control_port, args.upstream_bind)
    relay.loss = args.loss_pct / 100.0
    print(json.dumps({"started": relay.status()}), flush=True)
    try:
        final = relay.run(args.max_seconds)
    except KeyboardInterrupt:
        final = relay.status()
    print(json.dumps(final), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
