import { Ajv, type ValidateFunction } from 'ajv';
import { BackendSchemaError } from './errors';
import { type StoredAtom, type StoredFlow, type StoredLogbook, storedAtomSchema, storedFlowSchema, storedLogbookSchema } from './stored';

let ajv: Ajv | undefined;
const compiled = new Map<object, ValidateFunction>();

function check<T>(schema: object, value: unknown, location: string, what: string): T {
  ajv ??= new Ajv({ allErrors: false, strict: false });
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
  if (validate(value)) return value as T;
  const problem = (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`).join('; ');
  throw new BackendSchemaError(location, `not a valid ${what}: ${problem || 'invalid'}`);
}

/** Checks JSON read from a store (untrusted) against the stored forms. */
export const parseStoredAtom = (value: unknown, location: string): StoredAtom =>
  check<StoredAtom>(storedAtomSchema, value, location, 'atom detail');
export const parseStoredFlow = (value: unknown, location: string): StoredFlow =>
  check<StoredFlow>(storedFlowSchema, value, location, 'flow detail');
export const parseStoredLogbook = (value: unknown, location: string): StoredLogbook =>
  check<StoredLogbook>(storedLogbookSchema, value, location, 'logbook');

/** JSON.parse that reports a corrupt text as a schema error naming where it came from. */
export function parseJson(text: string, location: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BackendSchemaError(location, `corrupt JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}
