#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Freeze one thread of a running process for a while, the way a long task
in a daemon's event loop would: ptrace stops only the thread it is given
(a TID), every other thread of the process runs on.

    freeze_thread.py TID SECONDS

Prints how long the thread was stopped, in ms. Must run in the process's
PID namespace (gear.run in a topotest router).
"""

import ctypes
import os
import sys
import time

PTRACE_DETACH = 17
PTRACE_SEIZE = 0x4206
PTRACE_INTERRUPT = 0x4207
WALL = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.ptrace.restype = ctypes.c_long


def ptrace(req, tid):
    if libc.ptrace(req, tid, None, None) != 0:
        err = ctypes.get_errno()
        sys.exit("ptrace {:#x} {}: {}".format(req, tid, os.strerror(err)))


def main():
    tid, seconds = int(sys.argv[1]), float(sys.argv[2])
    ptrace(PTRACE_SEIZE, tid)
    ptrace(PTRACE_INTERRUPT, tid)
    os.waitpid(tid, WALL)
    start = time.monotonic()
    time.sleep(seconds)
    stopped = time.monotonic() - start
    ptrace(PTRACE_DETACH, tid)
    print("stopped {:.0f} ms".format(stopped * 1000))


if __name__ == "__main__":
    main()
