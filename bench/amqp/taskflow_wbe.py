"""Python TaskFlow's worker-based engine on RabbitMQ, for bench/amqp/run.ts.

  /usr/bin/python3 taskflow_wbe.py worker <url> <exchange> <topic>    # a worker process
  /usr/bin/python3 taskflow_wbe.py engine <url> <exchange> <topics,> <linear|unordered> <n>

The engine prints one JSON line: {"pattern", "n", "seconds"} (load + run, workers already up).
"""
import json
import signal
import sys
import time

from taskflow import engines, task
from taskflow.engines.worker_based import worker
from taskflow.patterns import linear_flow, unordered_flow


class Noop(task.Task):
    def execute(self):
        return 1


def run_worker(url, exchange, topic):
    w = worker.Worker(exchange=exchange, topic=topic, url=url, tasks=["__main__:Noop"])
    signal.signal(signal.SIGTERM, lambda *_: w.stop())
    print("ready", flush=True)
    w.run()


def run_engine(url, exchange, topics, pattern, n):
    flow = (linear_flow.Flow if pattern == "linear" else unordered_flow.Flow)("f")
    flow.add(*[Noop(name="t%d" % i) for i in range(n)])
    started = time.perf_counter()
    engine = engines.load(
        flow, engine="worker-based", url=url, exchange=exchange, topics=topics, transition_timeout=600
    )
    # Where a run stopped at a time limit: stderr lines "compiled", "prepared", then "done N"
    # every 1,000 tasks finished.
    engine.compile()
    print("compiled after %.1f s" % (time.perf_counter() - started), file=sys.stderr, flush=True)
    engine.prepare()
    print("prepared after %.1f s" % (time.perf_counter() - started), file=sys.stderr, flush=True)
    done = [0]

    def count(state, details):
        done[0] += 1
        if done[0] % 1000 == 0:
            print("done %d after %.1f s" % (done[0], time.perf_counter() - started), file=sys.stderr, flush=True)

    engine.atom_notifier.register("SUCCESS", count)
    engine.run()
    print(json.dumps({"pattern": pattern, "n": n, "seconds": time.perf_counter() - started}), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "worker":
        run_worker(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        run_engine(sys.argv[2], sys.argv[3], sys.argv[4].split(","), sys.argv[5], int(sys.argv[6]))
