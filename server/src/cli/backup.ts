import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ObjectId } from 'mongodb';
import { connectDatabase, type Database } from '@labelwork/engine';
import { ConfigSchema } from '../config.ts';
import { AppError } from '../http/errors.ts';
import { restoreBackup, writeBackup } from '../modules/backups/index.ts';
import { usersRepo } from '../modules/users/index.ts';
import { fail, type CliIo } from './io.ts';

const BACKUP_HELP = `usage: labelwork backup --project <id> --output <file.zip>

Writes the whole project (schema, guideline reference, queue settings, items, images, annotations,
reviews, agreement, predictions, gold) into one zip. Connects with MONGO_URL and MONGO_DB like the server.
output: one JSON line {"project", "counts", "files", "bytes"}; exit 2 with a one-line message on bad input.
`;

const RESTORE_HELP = `usage: labelwork restore --input <file.zip> [--owner <username>]

Restores a backup into a NEW project (all ids new; users matched by username, missing ones created
as disabled placeholder accounts). --owner names the new project's owner (an active admin or lead);
default: the backup's owner, if an active admin or lead of that name exists here.
Connects with MONGO_URL and MONGO_DB like the server. Nothing is stored unless everything is.
output: one JSON line {"project", "from", "counts", "placeholders"}; exit 2 with a one-line message on bad input.
`;

class UsageError extends Error {}

async function withDatabase<T>(run: (db: Database) => Promise<T>): Promise<T> {
  const env = ConfigSchema.pick({ MONGO_URL: true, MONGO_DB: true }).safeParse(process.env);
  if (!env.success) throw new UsageError('MONGO_URL (a mongodb:// URL) and MONGO_DB must be set as for the server');
  const db = await connectDatabase(env.data.MONGO_URL, env.data.MONGO_DB, { maxPoolSize: 4 });
  try {
    return await run(db);
  } finally {
    await db.close();
  }
}

function parse(args: string[], names: string[]): Record<string, string | boolean | undefined> {
  const options = Object.fromEntries(names.map((n) => [n, { type: 'string' as const }]));
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean' } }, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

async function guarded(io: CliIo, command: string, run: () => Promise<unknown>): Promise<number> {
  try {
    io.stdout.write(`${JSON.stringify(await run())}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof AppError) return fail(io, command, e.message);
    throw e;
  }
}

/** `labelwork backup`: a project into one zip (written beside the target first, moved into place when whole). */
export async function runBackup(args: string[], io: CliIo): Promise<number> {
  const v = parse(args, ['project', 'output']);
  if (v.help) {
    io.stdout.write(BACKUP_HELP);
    return 0;
  }
  return guarded(io, 'backup', async () => {
    const project = v.project as string | undefined;
    const output = v.output as string | undefined;
    if (!project || !ObjectId.isValid(project) || project.length !== 24) throw new UsageError('--project <id> (24 hex digits) is required');
    if (!output) throw new UsageError('--output <file.zip> is required');
    if ((await stat(output).catch(() => null))?.isDirectory()) throw new UsageError(`--output ${output} is a directory`);
    const partial = `${output}.partial-${process.pid}`;
    try {
      const summary = await withDatabase((db) => writeBackup(db, new ObjectId(project), createWriteStream(partial, { flags: 'wx' })));
      await rename(partial, output);
      return { ...summary, output };
    } catch (e) {
      await rm(partial, { force: true });
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EACCES')
        throw new UsageError(`cannot write ${output}: ${(e as Error).message}`);
      throw e;
    }
  });
}

/** `labelwork restore`: a backup zip into a new project. */
export async function runRestore(args: string[], io: CliIo): Promise<number> {
  const v = parse(args, ['input', 'owner']);
  if (v.help) {
    io.stdout.write(RESTORE_HELP);
    return 0;
  }
  return guarded(io, 'restore', async () => {
    const input = v.input as string | undefined;
    if (!input) throw new UsageError('--input <file.zip> is required');
    if (!(await stat(input).catch(() => null))?.isFile()) throw new UsageError(`--input ${input} is not a file`);
    return withDatabase(async (db) => {
      let owner;
      if (typeof v.owner === 'string') {
        owner = await usersRepo.byUsername(db, v.owner);
        if (!owner || owner.disabled || (owner.role !== 'admin' && owner.role !== 'lead'))
          throw new UsageError(`--owner ${v.owner} is not an active admin or lead here`);
      }
      return restoreBackup(db, input, owner ? { owner } : {});
    });
  });
}
