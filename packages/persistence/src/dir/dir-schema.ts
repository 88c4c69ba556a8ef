import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BackendSchemaError } from '../errors';
import { parseJson } from '../validate';
import { writeFileAtomic } from './atomic-write';
import { readBounded } from './read-bounded';

export const DIR_FORMAT = 'tf-persistence-dir';

/** A migration from `version - 1` to `version`, run on open over the whole folder. */
export interface DirMigration {
  version: number;
  description: string;
  migrate(root: string): Promise<void>;
}

/** Version 1: schema.json, logbooks/, flows/, locks/. Later versions append here, never edit. */
export const DIR_MIGRATIONS: readonly DirMigration[] = [
  {
    version: 1,
    description: 'logbooks/, flows/ and locks/ folders',
    migrate: async (root) => {
      for (const folder of ['logbooks', 'flows', 'locks']) await mkdir(join(root, folder), { recursive: true });
    },
  },
];

export const DIR_SCHEMA_VERSION = DIR_MIGRATIONS.length;

interface SchemaFile {
  format: string;
  version: number;
}

/**
 * Creates the layout in an empty (or new) folder, or migrates one of ours to the current
 * version. A folder with files but no schema.json, another format, or a newer version is a
 * `BackendSchemaError`; nothing in it is changed.
 */
export async function openDirSchema(root: string, migrations: readonly DirMigration[] = DIR_MIGRATIONS): Promise<number> {
  const schemaPath = join(root, 'schema.json');
  const current = migrations.length;
  const text = await readBounded(schemaPath, 64 * 1024);
  let version = 0;
  if (text === undefined) {
    const entries = (await readdir(root)).filter((e) => !e.startsWith('.'));
    if (entries.length > 0) {
      throw new BackendSchemaError(
        root,
        `not a tf dir backend (no schema.json; it holds ${entries.slice(0, 5).join(', ')}${entries.length > 5 ? ', ...' : ''}). Refusing to write into it: use an empty or new folder.`,
      );
    }
  } else {
    const parsed = parseJson(text, schemaPath) as Partial<SchemaFile> | null;
    if (parsed === null || typeof parsed !== 'object' || parsed.format !== DIR_FORMAT) {
      throw new BackendSchemaError(schemaPath, `not a tf dir backend schema (expected format '${DIR_FORMAT}').`);
    }
    if (typeof parsed.version !== 'number' || !Number.isInteger(parsed.version) || parsed.version < 1) {
      throw new BackendSchemaError(schemaPath, `invalid schema version ${JSON.stringify(parsed.version)}.`);
    }
    version = parsed.version;
    if (version > current) {
      throw new BackendSchemaError(
        schemaPath,
        `schema version ${version} is newer than this @tf/persistence knows (${current}); upgrade @tf/persistence.`,
      );
    }
  }
  for (const migration of migrations.slice(version)) {
    await migration.migrate(root);
    await writeFileAtomic(schemaPath, `${JSON.stringify({ format: DIR_FORMAT, version: migration.version })}\n`, true);
  }
  return current;
}
