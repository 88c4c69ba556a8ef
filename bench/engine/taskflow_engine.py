"""Python TaskFlow's serial engine on the same flows as run.ts (trivial tasks).

Usage: /usr/bin/python3 taskflow_engine.py <linear|unordered|graph> <n>
Prints one JSON line: {"pattern", "n", "seconds"} (compile + run, like run.ts).
"""
import json
import sys
import time

from taskflow import engines, task
from taskflow.patterns import graph_flow, linear_flow, unordered_flow


class Noop(task.Task):
    def execute(self):
        return 1


class Chain(task.Task):
    def execute(self, *args, **kwargs):
        return 1


def build(pattern, n):
    if pattern == "linear":
        flow = linear_flow.Flow("l")
        flow.add(*[Noop(name="t%d" % i) for i in range(n)])
    elif pattern == "unordered":
        flow = unordered_flow.Flow("u")
        flow.add(*[Noop(name="t%d" % i) for i in range(n)])
    else:
        flow = graph_flow.Flow("g")
        tasks = [Noop(name="t0", provides="v0")]
        for i in range(1, n):
            tasks.append(Chain(name="t%d" % i, provides="v%d" % i, requires=["v%d" % (i - 1)]))
        flow.add(*tasks)
    return flow


def main():
    pattern, n = sys.argv[1], int(sys.argv[2])
    flow = build(pattern, n)
    started = time.perf_counter()
    engine = engines.load(flow, engine="serial")
    engine.run()
    seconds = time.perf_counter() - started
    print(json.dumps({"pattern": pattern, "n": n, "seconds": seconds}))


if __name__ == "__main__":
    main()
