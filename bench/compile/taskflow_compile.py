"""Python TaskFlow's compile on the same linear and unordered flows as run.ts.

Usage: /usr/bin/python3 taskflow_compile.py <linear|unordered> <n>
Prints one JSON line: {"pattern", "n", "seconds"}: engine.compile() alone (the flow is
built and the engine loaded before the clock starts), as run.ts times compile(flow).
"""
import json
import sys
import time

from taskflow import engines, task
from taskflow.patterns import linear_flow, unordered_flow


class Noop(task.Task):
    def execute(self, *args, **kwargs):
        return 0


def build(pattern, n):
    if pattern == "linear":
        # t0 reads x, t(i) reads v(i-1) and provides v(i): run.ts's buildLinear.
        flow = linear_flow.Flow("linear")
        flow.add(*[Noop(name="t%d" % i, requires=["x" if i == 0 else "v%d" % (i - 1)], provides="v%d" % i) for i in range(n)])
    else:
        # Every task reads x and provides its own symbol: run.ts's buildUnordered.
        flow = unordered_flow.Flow("unordered")
        flow.add(*[Noop(name="t%d" % i, requires=["x"], provides="v%d" % i) for i in range(n)])
    return flow


def main():
    pattern, n = sys.argv[1], int(sys.argv[2])
    engine = engines.load(build(pattern, n), engine="serial", store={"x": 0})
    started = time.perf_counter()
    engine.compile()
    seconds = time.perf_counter() - started
    print(json.dumps({"pattern": pattern, "n": n, "seconds": seconds}))


if __name__ == "__main__":
    main()
