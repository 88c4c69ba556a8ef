import { plainObject, positiveInteger } from '@tf/core';
import { InvalidArgumentError as CommanderArgumentError } from 'commander';

const argumentError = (message: string): Error => new CommanderArgumentError(message);

/** Parses a flag's value as a JSON object. */
export function jsonObjectFlag(flag: string): (value: string) => Record<string, unknown> {
  return (value) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new CommanderArgumentError(`${flag} must be a JSON object: ${(error as Error).message}`);
    }
    return plainObject(flag, parsed, argumentError);
  };
}

/** Parses a flag's value as a positive integer, digits only (Number() would also read '', '1e3' and '0x10'). */
export function positiveIntegerFlag(flag: string): (value: string) => number {
  return (value) => positiveInteger(flag, /^\s*\d+\s*$/.test(value) ? Number(value) : value, argumentError);
}

/** A repeatable flag's values, in order. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
