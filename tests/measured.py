"""Run a command as a child of this small process and record the child's own peak memory.

    python -S tests/measured.py RSS_FILE COMMAND...

A child started straight from pytest inherits the accounting of pytest's own address space (with
vfork, Linux folds the parent's peak into the child's `ru_maxrss` at exec), so the gate would be
charged for the test suite's memory. Forked from this process instead, it is charged for a few
megabytes at most. Signals sent to this process are passed on, as the runner's are to the gate.
"""

import os
import signal
import sys
from pathlib import Path

rss_file, *command = sys.argv[1:]
child = os.fork()
if child == 0:
    os.execv(command[0], command)  # noqa: S606 - the gate itself, as the runner starts it
for number in (signal.SIGTERM, signal.SIGINT):
    signal.signal(number, lambda received, _frame: os.kill(child, received))
_, status, usage = os.wait4(child, 0)  # retried after a signal handler runs (PEP 475)
Path(rss_file).write_text(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
