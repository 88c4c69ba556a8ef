"""Tasks a Python TaskFlow worker serves to tf (TypeScript) engines in the interop tests.

Their wire names (task_cls) are ``interop_tasks.<Class>``: the TypeScript mirrors in
test-integration/interop.test.ts use exactly these as ``taskName``.

Every task takes ``revert_log`` (a file path from the engine's store): ``revert`` appends one
JSON line there with what it received, so the test can check that reverts ran here, in this
order, with the arguments and results the engine sent.
"""

import json
import os
import time

from taskflow import task


def _log_revert(path, atom, arguments, result, flow_failures):
    if hasattr(result, 'to_dict'):  # a taskflow Failure
        result = {'failure': result.to_dict()}
    else:
        result = {'success': result}
    line = {
        'task': atom.name,
        'cls': '%s.%s' % (type(atom).__module__, type(atom).__name__),
        'pid': os.getpid(),
        'arguments': arguments,
        'result': result,
        'flow_failures': {name: f.to_dict() for name, f in (flow_failures or {}).items()},
    }
    with open(path, 'a', encoding='utf-8') as fh:
        fh.write(json.dumps(line, sort_keys=True) + '\n')


class AddOne(task.Task):
    def execute(self, x, revert_log):
        return x + 1

    def revert(self, x, revert_log, result, flow_failures, **kwargs):
        _log_revert(revert_log, self, {'x': x}, result, flow_failures)


class Multiply(task.Task):
    def execute(self, a, b, revert_log):
        return a * b

    def revert(self, a, b, revert_log, result, flow_failures, **kwargs):
        _log_revert(revert_log, self, {'a': a, 'b': b}, result, flow_failures)


class Echo(task.Task):
    """Returns a structure that exercises JSON: unicode, nesting, floats, null, booleans."""

    def execute(self, value, revert_log):
        return {
            'value': value,
            'text': 'h\u00e9llo \u2603 \U0001F600',
            'nested': {'list': [1, 2.5, None, True, False, 'x'], 'empty': {}, 'none': None},
            'big': 2**53 - 1,
            'pid': os.getpid(),
        }


class Nothing(task.Task):
    """Returns None (null on the wire)."""

    def execute(self, revert_log):
        return None


class Progress(task.Task):
    """Reports progress twice, then returns its input."""

    def execute(self, x, revert_log):
        self.update_progress(0.25)
        self.update_progress(0.75)
        return x


class Fail(task.Task):
    """Raises RuntimeError from an IOError, so the failure dict has a nested cause."""

    def execute(self, revert_log):
        try:
            raise IOError('disk on fire')
        except IOError as e:
            raise RuntimeError('boom from python') from e

    def revert(self, revert_log, result, flow_failures, **kwargs):
        _log_revert(revert_log, self, {}, result, flow_failures)


class Sleep(task.Task):
    """Sleeps ``ms`` milliseconds, then returns ``x`` and the pid that ran it."""

    def execute(self, x, ms, revert_log):
        time.sleep(ms / 1000.0)
        return {'x': x, 'pid': os.getpid()}


ALL = [AddOne, Multiply, Echo, Nothing, Progress, Fail, Sleep]
