import { createHash } from 'node:crypto';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BSON, type ObjectId } from 'mongodb';
import yazl from 'yazl';
import type { Database, SnapshotDoc } from '@labelwork/engine';
import { AppError } from '../../http/errors.ts';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  imageName,
  jsonlName,
  labelworkVersion,
  type BackupCollection,
  type BackupManifest,
  type BackupSnapshotCollection,
} from './backup-archive.ts';
import { backupsRepo, type GridFileDoc } from './backups.repository.ts';

const { EJSON } = BSON;

const BATCH = 500;

/** One JSON line per document, read from `docs` lazily (a cursor): memory stays one batch. */
function jsonLines(docs: AsyncIterable<unknown>): Readable {
  return Readable.from(
    (async function* () {
      for await (const d of docs) yield `${EJSON.stringify(d, { relaxed: true })}\n`;
    })(),
  );
}

export interface BackupSummary {
  project: { id: string; name: string };
  counts: Record<string, number>;
  files: number;
  bytes: number;
}

/**
 * Writes a whole project as one backup zip into `out` (a file for the CLI, the HTTP response for a
 * download), streamed: every collection is read with a cursor and each entry is hashed while it is
 * zipped, so memory stays bounded whatever the project's size. The manifest comes last, with every
 * file's sha256. yazl writes entries one after another, so each is awaited before the next.
 */
export async function writeBackup(db: Database, projectId: ObjectId, out: Writable, now = new Date()): Promise<BackupSummary> {
  const project = await backupsRepo.project(db, projectId);
  if (!project) throw new AppError('NOT_FOUND', 'no such project');
  const zip = new yazl.ZipFile();
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  const written = pipeline(zip.outputStream, counter, out);
  const files: BackupManifest['files'] = {};
  const counts: Record<string, number> = {};
  const add = async (name: string, source: Readable) => {
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer | string, _enc, cb) {
        const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        hash.update(b);
        size += b.length;
        cb(null, b);
      },
    });
    const done = new Promise<void>((resolve, reject) => {
      tap.on('end', resolve);
      tap.on('error', reject);
      source.on('error', reject);
    });
    zip.addReadStream(source.pipe(tap), name, { mtime: now, mode: 0o100644 });
    await done;
    files[name] = { bytes: size, sha256: hash.digest('hex') };
  };
  const counted = (c: BackupCollection | BackupSnapshotCollection, docs: AsyncIterable<unknown>) =>
    (async function* () {
      counts[c] = 0;
      for await (const d of docs) {
        counts[c]++;
        yield d;
      }
    })();
  try {
    const queue = await backupsRepo.queueSettings(db, projectId);
    await add('project.json', Readable.from([EJSON.stringify({ project, queue }, { relaxed: true })]));
    await add(jsonlName('users'), jsonLines(counted('users', Readable.from(await backupsRepo.users(db, project)))));
    await add(jsonlName('imports'), jsonLines(counted('imports', backupsRepo.imports(db, projectId))));
    await add(jsonlName('files'), jsonLines(counted('files', fileDocs(db, projectId))));
    for (const c of ['items', 'annotations', 'reviews', 'agreements', 'predictions'] as const)
      await add(jsonlName(c), jsonLines(counted(c, backupsRepo.ofProject(db, c, projectId))));
    const snapshots = await backupsRepo.snapshots(db, projectId).toArray();
    await add(jsonlName('snapshots'), jsonLines(counted('snapshots', Readable.from(snapshots))));
    await add(jsonlName('snapshotEntries'), jsonLines(counted('snapshotEntries', snapshotEntries(db, snapshots))));
    for await (const f of fileDocs(db, projectId)) await add(imageName(f._id.toHexString()), backupsRepo.openFile(db, f._id));
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      labelworkVersion: labelworkVersion(),
      createdAt: now.toISOString(),
      project: { id: projectId.toHexString(), name: project.name },
      counts,
      files,
    };
    zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2), 'utf8'), 'manifest.json', { mtime: now, mode: 0o100644 });
    zip.end();
    await written;
  } catch (e) {
    (zip.outputStream as Readable).destroy();
    await written.catch(() => undefined);
    throw e;
  }
  return { project: { id: projectId.toHexString(), name: project.name }, counts, files: Object.keys(files).length + 1, bytes };
}

/** The snapshots' entries, one snapshot after another, each in its canonical (hash) order. */
async function* snapshotEntries(db: Database, snapshots: readonly SnapshotDoc[]): AsyncGenerator<unknown> {
  for (const s of snapshots) yield* backupsRepo.snapshotEntries(db, s._id);
}

/** The GridFS file documents of the project's images and thumbnails, looked up a batch of items at a time. */
async function* fileDocs(db: Database, projectId: ObjectId): AsyncGenerator<GridFileDoc> {
  let batch: ObjectId[] = [];
  const flush = async function* () {
    if (batch.length) yield* await backupsRepo.fileInfos(db, batch);
    batch = [];
  };
  for await (const id of backupsRepo.fileIds(db, projectId)) {
    batch.push(id);
    if (batch.length >= BATCH) yield* flush();
  }
  yield* flush();
}
