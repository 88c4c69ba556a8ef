"""A Python TaskFlow worker-based engine for the interop tests.

    /usr/bin/python3 engine.py '<spec as JSON>'

spec: {"url", "exchange", "topics": [...], "transition_timeout": seconds, "store": {...},
       "flow": {"kind": "linear" | "unordered", "name": "...",
                "tasks": [{"cls": "tstasks.Square", "name": "...", "provides": "...",
                           "rebind": {...}, "inject": {...}}, ...]}}

Loads the flow (task classes imported by their dotted name), runs it with
engine='worker-based', and prints one line ``PYENGINE RESULT <json>`` with:
  ok        - whether run() returned normally
  results   - storage.fetch_all()
  failures  - on failure, the failure(s) run() raised, as TaskFlow dicts (Failure.to_dict())
  raised    - the exception class run() raised (e.g. WrappedFailure), or null
  progress  - [{"task", "event", "details"}] every event a task's notifier saw (update_progress)
  states    - [[atom name, state], ...] from the engine's atom notifier, in order
"""

import importlib
import json
import logging
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from taskflow import engines  # noqa: E402
from taskflow import exceptions as tf_exc  # noqa: E402
from taskflow.patterns import linear_flow, unordered_flow  # noqa: E402
from taskflow.types import failure as tf_failure  # noqa: E402
from taskflow.types import notifier as tf_notifier  # noqa: E402


def load_class(dotted):
    module, _, name = dotted.rpartition('.')
    return getattr(importlib.import_module(module), name)


def main():
    logging.basicConfig(level=os.environ.get('PYENGINE_LOG_LEVEL', 'WARNING'), stream=sys.stderr)
    spec = json.loads(sys.argv[1])
    flow_spec = spec['flow']
    pattern = {'linear': linear_flow, 'unordered': unordered_flow}[flow_spec.get('kind', 'linear')]
    flow = pattern.Flow(flow_spec.get('name', 'interop'))

    progress = []
    states = []
    for t in flow_spec['tasks']:
        kwargs = {'name': t['name']}
        for key in ('provides', 'rebind', 'inject'):
            if t.get(key) is not None:
                kwargs[key] = t[key]
        atom = load_class(t['cls'])(**kwargs)

        def on_event(event_type, details, _name=atom.name):
            progress.append({'task': _name, 'event': event_type, 'details': dict(details)})

        atom.notifier.register(tf_notifier.Notifier.ANY, on_event)
        flow.add(atom)

    engine = engines.load(
        flow,
        store=spec.get('store', {}),
        engine='worker-based',
        url=spec['url'],
        exchange=spec['exchange'],
        topics=spec['topics'],
        transition_timeout=spec.get('transition_timeout', 60),
    )

    def on_atom(state, details):
        states.append([details.get('task_name') or details.get('retry_name'), state])

    engine.atom_notifier.register(tf_notifier.Notifier.ANY, on_atom)

    out = {'ok': True, 'failures': [], 'raised': None}
    try:
        engine.run()
    except tf_exc.WrappedFailure as wrapped:
        out['ok'] = False
        out['raised'] = type(wrapped).__name__
        out['failures'] = [f.to_dict() for f in wrapped]
    except Exception as e:  # a local failure (its exc_info is here)
        out['ok'] = False
        out['raised'] = type(e).__name__
        out['failures'] = [tf_failure.Failure.from_exception(e).to_dict()]
    out['results'] = engine.storage.fetch_all()
    out['progress'] = progress
    out['states'] = states
    print('PYENGINE RESULT ' + json.dumps(out, sort_keys=True, default=repr), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
