"""A task that kills the worker process running it, every time: poison work for tests/test_faults.py
(the test's worker imports this module with ``--include``)."""

import os
import signal

from celery import shared_task


@shared_task(name="tests.poison_tasks.kill_my_worker")
def kill_my_worker(note):
    os.kill(os.getpid(), signal.SIGKILL)
    return note  # never reached
