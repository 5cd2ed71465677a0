#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
A paced UDP stream (1000 packets/s by default) that measures loss windows.

As scripts, inside topotest gears (network namespaces):

    lib_traffic.py recv --listen ADDR:PORT [--max-seconds S] [--out FILE]
                        [--ready-file FILE]
    lib_traffic.py send --dst ADDR:PORT [--rate PPS] [--seconds S]
                        [--size BYTES]

Every packet carries a magic, its sequence number and its send time
(CLOCK_MONOTONIC in nanoseconds; network namespaces share that clock, so
the receiver can compare it with its own). When the sender is done it
sends an end marker (five times, 10 ms apart) carrying the number of
packets it sent, then prints one JSON line about its own pacing.

The receiver stops shortly after the end marker, or after --max-seconds
whatever happens, and prints one JSON line (also written to --out):

    sent, received, lost          distinct sequence numbers; 'sent' comes
                                  from the end marker (end_seen), or is the
                                  highest sequence number seen plus one
    longest_gap                   most packets missing between two
                                  consecutively received sequence numbers
    window_ms                     send time of the first packet after that
                                  gap minus send time of the last one
                                  before it (null without such a gap)
    window_recv_ms                the same on the receiver's clock
    window_missing                packets missing in it (= longest_gap)
    gap_start_seq                 first sequence number missing in it
    gap_before_send_ns,           send times (CLOCK_MONOTONIC) of the packets
    gap_after_send_ns             around it, to compare with when a test cut
    head_lost, tail_lost          missing before the first / after the last
                                  received packet (not gaps: a stream that
                                  never came back has tail_lost > 0)
    gaps                          number of gaps; top_gaps: the five longest
    duplicates, reordered
    delay_ms                      one-way delay (min, p50, p99, max)

From a topotest, Stream(sender_gear, receiver_gear, ...) runs both and
returns the receiver's result merged with the sender's.
"""

import argparse
import json
import os
import socket
import struct
import sys
import time
from array import array

MAGIC = b"MLT1"
KIND_DATA, KIND_END = 0, 1
# magic, kind, pad, sequence number (or count sent for the end marker),
# send time in ns (CLOCK_MONOTONIC)
HEADER = struct.Struct("!4sB3xIQ")
END_REPEAT, END_SPACING = 5, 0.010
LINGER_AFTER_END = 0.3
PYTHON = "/usr/bin/python3"
HERE = os.path.realpath(__file__)


def parse_hostport(text):
    host, _, port = text.rpartition(":")
    host = host.strip("[]")
    if not host or not port:
        raise argparse.ArgumentTypeError("expected ADDR:PORT, got %r" % text)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return family, (host, int(port))


# ----------------------------------------------------------------------
# Sender


def send(dst, rate, seconds, size):
    family, addr = dst
    sock = socket.socket(family, socket.SOCK_DGRAM)
    pad = b"\0" * max(0, size - HEADER.size)
    interval_ns = int(1e9 / rate)
    count = int(rate * seconds)
    errors = 0
    late_max_ns = 0
    t0 = time.monotonic_ns()
    for seq in range(count):
        due = t0 + seq * interval_ns
        now = time.monotonic_ns()
        if due > now:
            time.sleep((due - now) / 1e9)
            now = time.monotonic_ns()
        elif now - due > late_max_ns:
            late_max_ns = now - due
        try:
            # Unconnected: an ICMP error from a router on the way must not
            # turn into an error on the next send.
            sock.sendto(HEADER.pack(MAGIC, KIND_DATA, seq, now) + pad, addr)
        except OSError:
            errors += 1
    elapsed = (time.monotonic_ns() - t0) / 1e9
    for _ in range(END_REPEAT):
        try:
            sock.sendto(HEADER.pack(MAGIC, KIND_END, count, time.monotonic_ns()), addr)
        except OSError:
            pass
        time.sleep(END_SPACING)
    return {
        "sent": count,
        "rate": rate,
        "seconds": round(elapsed, 3),
        "send_errors": errors,
        "late_max_ms": round(late_max_ns / 1e6, 3),
    }


# ----------------------------------------------------------------------
# Receiver


def receive(listen, max_seconds, ready_file=None):
    """Collects (seq, send_ns, recv_ns) until shortly after the end marker
    or max_seconds; returns them with the count from the end marker."""
    family, addr = listen
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
    sock.bind(addr)
    if ready_file:
        with open(ready_file, "w") as f:
            f.write("%d\n" % os.getpid())
    seqs, sent_ns, recv_ns = array("Q"), array("Q"), array("Q")
    end_count = None
    deadline = time.monotonic() + max_seconds
    while True:
        now = time.monotonic()
        if now >= deadline:
            break
        sock.settimeout(min(0.2, deadline - now))
        try:
            data = sock.recv(65535)
        except socket.timeout:
            continue
        arrived = time.monotonic_ns()
        if len(data) < HEADER.size:
            continue
        magic, kind, seq, stamp = HEADER.unpack_from(data)
        if magic != MAGIC:
            continue
        if kind == KIND_END:
            if end_count is None:
                end_count = seq
                deadline = min(deadline, time.monotonic() + LINGER_AFTER_END)
            continue
        seqs.append(seq)
        sent_ns.append(stamp)
        recv_ns.append(arrived)
    return seqs, sent_ns, recv_ns, end_count


def analyse(seqs, sent_ns, recv_ns, end_count=None):
    """The loss figures of one stream (see the module comment)."""
    first = {}
    duplicates = reordered = 0
    highest = -1
    for i, seq in enumerate(seqs):
        if seq in first:
            duplicates += 1
            continue
        first[seq] = i
        if seq < highest:
            reordered += 1
        else:
            highest = seq
    sent = end_count if end_count is not None else highest + 1
    order = sorted(s for s in first if s < sent)
    received = len(order)
    result = {
        "sent": sent,
        "received": received,
        "lost": sent - received,
        "end_seen": end_count is not None,
        "duplicates": duplicates,
        "reordered": reordered,
        "head_lost": order[0] if order else sent,
        "tail_lost": sent - 1 - order[-1] if order else sent,
        "longest_gap": 0,
        "window_ms": None,
        "window_recv_ms": None,
        "window_missing": 0,
        "gap_start_seq": None,
        "gap_before_send_ns": None,
        "gap_after_send_ns": None,
        "gaps": 0,
        "top_gaps": [],
    }
    if order:
        delays = sorted((recv_ns[first[q]] - sent_ns[first[q]]) / 1e6 for q in order)
        pick = lambda f: round(delays[min(len(delays) - 1, int(f * len(delays)))], 3)
        result["delay_ms"] = {"min": pick(0), "p50": pick(0.5), "p99": pick(0.99),
                              "max": pick(1.0)}
    gaps = []
    for prev, nxt in zip(order, order[1:]):
        missing = nxt - prev - 1
        if missing > 0:
            a, b = first[prev], first[nxt]
            gaps.append({
                "after_seq": prev,
                "missing": missing,
                "window_ms": round((sent_ns[b] - sent_ns[a]) / 1e6, 3),
                "window_recv_ms": round((recv_ns[b] - recv_ns[a]) / 1e6, 3),
                "before_send_ns": sent_ns[a],
                "after_send_ns": sent_ns[b],
            })
    if gaps:
        gaps.sort(key=lambda g: (-g["missing"], g["after_seq"]))
        top = gaps[0]
        result.update({
            "longest_gap": top["missing"],
            "window_ms": top["window_ms"],
            "window_recv_ms": top["window_recv_ms"],
            "window_missing": top["missing"],
            "gap_start_seq": top["after_seq"] + 1,
            "gap_before_send_ns": top["before_send_ns"],
            "gap_after_send_ns": top["after_send_ns"],
            "gaps": len(gaps),
            "top_gaps": gaps[:5],
        })
    return result


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


# ----------------------------------------------------------------------
# From a topotest


class Stream:
    """One stream from sender_gear to dst_addr:port on receiver_gear.

        s = Stream(tgen.gears["h1"], tgen.gears["h2"], "10.0.2.2", seconds=8,
                   workdir=tgen.logdir, name="bfd300")
        s.start()
        ... cut something ...
        result = s.wait()

    The receiver runs at most seconds + margin; the sender exactly
    `seconds` of packets (rate x seconds of them). recv_port, when the
    receiver listens on another port than the one sent to (a relay in
    between, on the receiver's gear)."""

    def __init__(self, sender_gear, receiver_gear, dst_addr, port=5001, rate=1000,
                 seconds=10.0, size=64, workdir="/tmp", name="stream", margin=5.0,
                 recv_port=None):
        self.sender_gear, self.receiver_gear = sender_gear, receiver_gear
        self.dst = "%s:%d" % (("[%s]" % dst_addr) if ":" in dst_addr else dst_addr, port)
        self.listen = "%s:%d" % ("[::]" if ":" in dst_addr else "0.0.0.0",
                                 recv_port or port)
        self.rate, self.seconds, self.size = rate, seconds, size
        self.margin = margin
        self.out = os.path.join(workdir, "traffic-%s.json" % name)
        self.ready = os.path.join(workdir, "traffic-%s.ready" % name)
        self.recv_proc = self.send_proc = None
        self.started = None

    def start(self, ready_timeout=5.0):
        for path in (self.out, self.ready):
            if os.path.exists(path):
                os.unlink(path)
        self.recv_proc = self.receiver_gear.popen([
            PYTHON, HERE, "recv", "--listen", self.listen,
            "--max-seconds", str(self.seconds + self.margin),
            "--out", self.out, "--ready-file", self.ready])
        deadline = time.monotonic() + ready_timeout
        while not os.path.exists(self.ready):
            if self.recv_proc.poll() is not None or time.monotonic() > deadline:
                _, err = self.recv_proc.communicate(timeout=5)
                raise RuntimeError("traffic receiver did not start: %s" % err)
            time.sleep(0.05)
        self.send_proc = self.sender_gear.popen([
            PYTHON, HERE, "send", "--dst", self.dst, "--rate", str(self.rate),
            "--seconds", str(self.seconds), "--size", str(self.size)])
        self.started = time.monotonic()
        return self

    def elapsed(self):
        """Seconds since the sender started."""
        return time.monotonic() - self.started

    def wait(self):
        """Waits for both ends; returns the receiver's figures plus the
        sender's under 'sender'."""
        limit = self.seconds + self.margin + 10
        s_out, s_err = self.send_proc.communicate(timeout=limit)
        r_out, r_err = self.recv_proc.communicate(timeout=limit)
        if os.path.exists(self.ready):
            os.unlink(self.ready)
        try:
            result = json.loads(r_out.strip().splitlines()[-1])
        except (IndexError, ValueError):
            raise RuntimeError("traffic receiver said: %r %r" % (r_out, r_err))
        try:
            result["sender"] = json.loads(s_out.strip().splitlines()[-1])
        except (IndexError, ValueError):
            raise RuntimeError("traffic sender said: %r %r" % (s_out, s_err))
        return result

    def stop(self):
        for p in (self.send_proc, self.recv_proc):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()


# ----------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("recv", help="receive and print loss figures")
    r.add_argument("--listen", type=parse_hostport, required=True)
    r.add_argument("--max-seconds", type=float, default=30.0)
    r.add_argument("--out", help="also write the JSON result here")
    r.add_argument("--ready-file", help="created once the socket is bound")
    s = sub.add_parser("send", help="send a paced stream")
    s.add_argument("--dst", type=parse_hostport, required=True)
    s.add_argument("--rate", type=float, default=1000.0, help="packets per second")
    s.add_argument("--seconds", type=float, default=10.0)
    s.add_argument("--size", type=int, default=64, help="UDP payload bytes")
    args = parser.parse_args(argv)

    if args.mode == "send":
        if args.seconds <= 0 or args.seconds > 600 or args.rate <= 0:
            parser.error("--seconds must be in (0, 600], --rate positive")
        print(json.dumps(send(args.dst, args.rate, args.seconds, args.size)), flush=True)
        return 0
    seqs, sent_ns, recv_ns, end_count = receive(args.listen, args.max_seconds,
                                                args.ready_file)
    text = json.dumps(analyse(seqs, sent_ns, recv_ns, end_count))
    if args.out:
        write_atomic(args.out, text + "\n")
    print(text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
