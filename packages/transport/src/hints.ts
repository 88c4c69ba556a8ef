import { TransportNotGivenError } from './errors';

/**
 * The Levenshtein distance between `a` and `b`: the fewest single-character insertions,
 * deletions and substitutions that turn one into the other. Two rows of the table; names
 * are short, so this costs nothing next to the failed lookup it explains.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The candidate closest to `name` by edit distance, if it is close enough to be a slip of
 * the keyboard: at most 1 edit for names of up to 4 characters, at most 2 otherwise. Ties go
 * to the earlier candidate. `name` itself is never suggested.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = name.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const distance = editDistance(name, candidate);
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** The message of an unknown, uninstalled transport name: the closest known name first, then how third-party transports are found. */
export function unknownTransportMessage(name: string, known: readonly string[], suggestion: string | undefined): string {
  const guess = suggestion === undefined ? '.' : `: did you mean '${suggestion}'?`;
  return (
    `Unknown transport '${name}'${guess} Known transports: ${known.join(', ')}. ` +
    `No factory is registered as '${name}', and neither @tf/transport-${name} nor tf-transport-${name} is installed. ` +
    'A third-party transport is found as the package @tf/transport-<name>, then tf-transport-<name>: ' +
    'install the package its author names, or register its factory with registerTransport().'
  );
}

const NO_DEFAULT = "There is no default: the in-process 'memory' transport reaches nothing in another process, so it must be named.";

/**
 * The error for a selection with neither `transport` nor `url`. Its message lists the
 * ways to give one: as options (the engine, the worker, `resolveTransport()`), or as
 * `tf-worker`'s flags and config file keys when `commandLine`.
 */
export function transportNotGiven(owner?: string, commandLine = false): TransportNotGivenError {
  const message = commandLine
    ? "no transport was given. Give one with --transport filesystem|amqp|redis|memory (or a third-party transport's name), " +
      'with --url, whose scheme picks the transport (amqp://, redis://, file://, memory://), ' +
      'or with the key "transport" or "url" in the --config file. ' +
      "There is no default: the in-process 'memory' transport would reach no engine in another process."
    : `${owner === undefined ? 'No' : `${owner}: no`} transport was given. ` +
      "Give one with the option transport: 'filesystem' | 'amqp' | 'redis' | 'memory' (or a third-party transport's name), " +
      'with a url whose scheme picks the transport (amqp://, redis://, file://, memory://), ' +
      `or with a transport object as the transport option. ${NO_DEFAULT}`;
  return new TransportNotGivenError(message, owner);
}
