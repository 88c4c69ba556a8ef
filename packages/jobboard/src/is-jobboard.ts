import type { Jobboard } from './types';

const METHODS = [
  'post',
  'get',
  'iterate',
  'count',
  'claim',
  'owner',
  'consume',
  'abandon',
  'trash',
  'note',
  'outcome',
  'waitForOutcome',
  'watch',
  'close',
] as const;

/** A board object (an interface, so recognised by its methods). */
export function isJobboard(value: unknown): value is Jobboard {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v['name'] === 'string' && METHODS.every((m) => typeof v[m] === 'function');
}
