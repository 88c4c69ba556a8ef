"""A Python TaskFlow worker for the interop tests.

    /usr/bin/python3 worker.py --url amqp://guest:guest@127.0.0.1:5672// --exchange E --topic T

Serves the tasks of interop_tasks.py (an allow-list of classes), prints ``PYWORKER READY <pid>``
once it consumes, and stops on SIGTERM or SIGINT (printing ``PYWORKER STOPPED``).
"""

import argparse
import logging
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from taskflow.engines.worker_based import worker as wbe_worker  # noqa: E402

import interop_tasks  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--url', required=True)
    parser.add_argument('--exchange', required=True)
    parser.add_argument('--topic', required=True)
    parser.add_argument('--threads', type=int, default=4)
    parser.add_argument('--log-level', default='WARNING')
    args = parser.parse_args()
    logging.basicConfig(level=getattr(logging, args.log_level.upper()), stream=sys.stderr)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    w = wbe_worker.Worker(
        exchange=args.exchange,
        topic=args.topic,
        tasks=list(interop_tasks.ALL),
        url=args.url,
        threads_count=args.threads,
    )
    runner = threading.Thread(target=w.run, kwargs={'display_banner': False}, daemon=True)
    runner.start()
    w.wait()
    print('PYWORKER READY %d' % os.getpid(), flush=True)
    while not stop.wait(0.2):
        if not runner.is_alive():
            print('PYWORKER DIED', flush=True)
            return 1
    w.stop()
    runner.join(10)
    print('PYWORKER STOPPED', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
