"""Stand-ins, in the Python engine's process, for tasks a tf (TypeScript) worker runs.

A worker-based TaskFlow engine names a task on the wire by its class's fully qualified name
(``tstasks.Square``) and derives the arguments it sends from the signatures of ``execute``
and ``revert``; the TypeScript classes in test-integration/fixtures/interop-tasks.ts have those
task names and requires. These bodies never run: the engine only sends requests for them.
"""

from taskflow import task


def _never(atom):
    raise AssertionError('%s must run on a tf worker, not in the Python engine' % type(atom).__name__)


class Square(task.Task):
    def execute(self, x, revert_log):
        _never(self)

    def revert(self, x, revert_log, result, flow_failures, **kwargs):
        _never(self)


class Describe(task.Task):
    def execute(self, y, revert_log):
        _never(self)

    def revert(self, y, revert_log, result, flow_failures, **kwargs):
        _never(self)


class Explode(task.Task):
    def execute(self, revert_log):
        _never(self)

    def revert(self, revert_log, result, flow_failures, **kwargs):
        _never(self)
