import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Flow, isFlow, TfError } from '@tf/core';

/** A module holds no flow under the name asked for (or no single flow to take). */
export class FlowExportError extends TfError {
  constructor(message: string) {
    super('TF_FLOW_EXPORT_NOT_FOUND', message);
  }
}

/** A Flow, or a function of no arguments that makes one (a flow factory). */
function asFlow(value: unknown): Flow | undefined {
  if (isFlow(value)) return value;
  if (typeof value === 'function' && value.length === 0) {
    const made: unknown = (value as () => unknown)();
    if (isFlow(made)) return made;
  }
  return undefined;
}

/**
 * The flow a module exports: `exportName` if given, else the default export, else its only
 * exported flow. An export may be a flow or a function of no arguments that returns one.
 * A TypeScript module needs a loader (`node --import tsx`), as for `tf-worker --tasks`.
 */
export async function loadFlowModule(file: string, exportName?: string, cwd = process.cwd()): Promise<Flow> {
  const url = pathToFileURL(path.resolve(cwd, file)).href;
  const module = (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
  if (exportName !== undefined) {
    const flow = Object.hasOwn(module, exportName) ? asFlow(module[exportName]) : undefined;
    if (!flow) throw new FlowExportError(`${file} has no flow exported as '${exportName}'`);
    return flow;
  }
  const byDefault = asFlow(module.default);
  if (byDefault) return byDefault;
  const flows = Object.entries(module).filter(([name, value]) => name !== 'default' && isFlow(value));
  if (flows.length === 1) return flows[0]![1] as Flow;
  const names = flows.map(([name]) => name).join(', ');
  throw new FlowExportError(
    flows.length === 0
      ? `${file} exports no flow (export one, as default or by name, or a function of no arguments that returns one)`
      : `${file} exports several flows (${names}): choose one with --export <name>`,
  );
}
