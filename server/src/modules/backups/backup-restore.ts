import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { BSON, ObjectId, type Document } from 'mongodb';
import { snapshotHeaderLine, type SnapshotHeader } from '@labelwork/core';
import {
  tilePyramids,
  type Database,
  type ItemDoc,
  type ProjectDoc,
  type PyramidDoc,
  type QueueDoc,
  type SnapshotDoc,
  type SnapshotEntryDoc,
  type UserDoc,
} from '@labelwork/engine';
import { AppError } from '../../http/errors.ts';
import { DEFAULT_ZIP_LIMITS, unpackZip, type ZipLimits } from '../../infra/zip.ts';
import { newUserDoc, usersRepo } from '../users/index.ts';
import { BACKUP_COLLECTIONS, BackupManifest, IdRemap, imageName, jsonlName, type BackupUser } from './backup-archive.ts';
import { backupsRepo, type GridFileDoc } from './backups.repository.ts';

/** A backup holds one file per image and thumbnail: more entries than an upload of images may have. */
export const BACKUP_ZIP_LIMITS: ZipLimits = { ...DEFAULT_ZIP_LIMITS, maxEntries: 2_000_000, maxTotalBytes: 64 * 1024 ** 3 };

const { EJSON } = BSON;

/** IMAGE_TILES_MIN_SIDE's default (server/src/config.ts), for restores given none. */
const DEFAULT_TILES_MIN_SIDE = 4096;
const BATCH = 500;

/** A refused archive: BAD_IMPORT with `details.reason` BACKUP_INVALID (the file, line or collection at fault beside it). */
const invalid = (message: string, details: Record<string, unknown> = {}) =>
  new AppError('BAD_IMPORT', message, { reason: 'BACKUP_INVALID', ...details });

export interface RestoreOptions {
  /** The new project's owner (an active admin or lead here); default: the archive's owner, found here by username. */
  owner?: UserDoc;
  /** Where the archive is unpacked (default: the system's temp directory); removed afterwards. */
  workDir?: string;
  limits?: ZipLimits;
  now?: Date;
  /** Images longer than this on a side get a tile pyramid (the server's IMAGE_TILES_MIN_SIDE; default 4096). */
  tilesMinSide?: number;
}

export interface RestoreSummary {
  project: { id: string; name: string };
  from: { id: string; labelworkVersion: string; createdAt: string };
  counts: Record<string, number>;
  /** Users of the archive that did not exist here: created as disabled accounts of the same name. */
  placeholders: string[];
  /**
   * Image files whose tile pyramid was recorded as queued (archives carry no tiles): the server queues
   * their builds at once; after a restore from the command line the workers' sweep does.
   */
  pyramids: string[];
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The documents of one JSON-lines file, a line at a time (a bad line names its file and line). */
async function* readLines(file: string, name: string): AsyncGenerator<Document> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let doc: unknown;
    try {
      doc = EJSON.parse(line, { relaxed: true });
    } catch (e) {
      throw invalid(`${name}:${n} is not valid JSON (${e instanceof Error ? e.message : String(e)})`, { file: name, line: n });
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !('_id' in doc))
      throw invalid(`${name}:${n} is not a document with an _id`, { file: name, line: n });
    yield doc as Document;
  }
}

/** The archive's owner if an active admin or lead of that name is here; else the caller must name one. */
async function originalOwner(db: Database, users: Map<string, ObjectId>, oldOwner: ObjectId, missing: { newId: ObjectId }[]) {
  const id = users.get(oldOwner.toHexString());
  const here = id && !missing.some((m) => m.newId.equals(id)) ? await usersRepo.byId(db, id) : null;
  if (!here || here.disabled || (here.role !== 'admin' && here.role !== 'lead'))
    throw new AppError('VALIDATION_FAILED', "the backup's owner is not an active admin or lead here: name the new project's owner", {
      reason: 'OWNER_REQUIRED',
    });
  return here;
}

/**
 * Restores a backup zip (backup-write.ts) into a NEW project on this installation, all or nothing:
 * the archive is unpacked with the upload limits of infra/zip.ts, every file is checked against
 * the manifest's sha256 before anything is stored, every ObjectId is remapped (IdRemap), users are
 * matched by username (missing ones become disabled placeholder accounts of the same name), and
 * on any error everything stored so far is removed again.
 */
export async function restoreBackup(db: Database, zipFile: string, opts: RestoreOptions): Promise<RestoreSummary> {
  const dir = await mkdtemp(path.join(opts.workDir ?? tmpdir(), 'labelwork-restore-'));
  try {
    return await restoreUnpacked(db, zipFile, dir, opts);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function restoreUnpacked(db: Database, zipFile: string, dir: string, opts: RestoreOptions): Promise<RestoreSummary> {
  const now = opts.now ?? new Date();
  const unpacked = await unpackZip(zipFile, dir, opts.limits ?? BACKUP_ZIP_LIMITS);
  const byName = new Map(unpacked.map((f) => [f.path, f.file]));
  const manifestFile = byName.get('manifest.json');
  if (!manifestFile) throw invalid('the archive has no manifest.json: it is not a Labelwork backup');
  let manifest: BackupManifest;
  try {
    manifest = BackupManifest.parse(JSON.parse(await readFile(manifestFile, 'utf8')));
  } catch (e) {
    throw invalid(`manifest.json is not a Labelwork backup manifest (${e instanceof Error ? e.message.slice(0, 300) : String(e)})`);
  }
  // Every file checked before anything is stored: none missing, none extra, every hash right.
  for (const name of byName.keys())
    if (name !== 'manifest.json' && !manifest.files[name]) throw invalid(`${name} is not listed in the manifest`, { file: name });
  for (const [name, want] of Object.entries(manifest.files)) {
    const file = byName.get(name);
    if (!file) throw invalid(`${name} is listed in the manifest but missing from the archive`, { file: name });
    if ((await sha256File(file)) !== want.sha256)
      throw invalid(`${name} does not match its sha256 in the manifest: the archive was changed or damaged`, { file: name });
  }
  const required = ['project.json', ...BACKUP_COLLECTIONS.map(jsonlName)];
  for (const name of required) if (!byName.has(name)) throw invalid(`the archive has no ${name}`, { file: name });

  const { project: oldProject, queue: oldQueue } = EJSON.parse(await readFile(byName.get('project.json')!, 'utf8'), { relaxed: true }) as {
    project: ProjectDoc;
    queue: QueueDoc | null;
  };
  const oldProjectId = oldProject?._id;
  if (!(oldProjectId instanceof ObjectId) || oldProjectId.toHexString() !== manifest.project.id)
    throw invalid('project.json does not hold the project the manifest names');

  // Users by username; the missing ones are planned as placeholders (created only once storing starts).
  const users = new Map<string, ObjectId>();
  const missing: (BackupUser & { newId: ObjectId })[] = [];
  for await (const u of readLines(byName.get(jsonlName('users'))!, jsonlName('users'))) {
    const bu = u as BackupUser;
    if (!(bu._id instanceof ObjectId) || typeof bu.username !== 'string' || bu.username.length === 0)
      throw invalid('users.jsonl holds a user without an id or username');
    const here = await usersRepo.byUsername(db, bu.username);
    if (here) users.set(bu._id.toHexString(), here._id);
    else {
      const newId = new ObjectId();
      users.set(bu._id.toHexString(), newId);
      missing.push({ ...bu, newId });
    }
  }
  const owner = opts.owner ?? (await originalOwner(db, users, oldProject.ownerId, missing));
  const nonce = randomBytes(16);
  const restoreId = nonce.toString('hex');
  const remap = new IdRemap(nonce, users);
  const projectId = remap.id(oldProjectId);
  const counter = `items:${projectId.toHexString()}`;
  const placeholders: ObjectId[] = [];
  const pyramids: PyramidDoc[] = [];
  const counts: Record<string, number> = {};
  let uploading: ObjectId | null = null;
  try {
    for (const u of missing) {
      const doc: UserDoc = {
        ...newUserDoc(
          {
            username: u.username,
            displayName: typeof u.displayName === 'string' ? u.displayName : u.username,
            role: 'annotator',
            reviewer: false,
            level: (typeof u.level === 'string' && /^L[1-5]$/.test(u.level) ? u.level : 'L1') as UserDoc['level'],
            lang: 'en',
            // Never a valid scrypt hash: nobody can sign in as a placeholder (and it is disabled).
            passwordHash: '!restored-placeholder',
          },
          now,
        ),
        _id: u.newId,
        disabled: true,
      };
      if (!(await usersRepo.insert(db, doc))) throw invalid(`the user ${u.username} was created while the restore ran; try again`);
      placeholders.push(doc._id);
    }
    const belongs = (d: Document, name: string) => {
      if (!(d.projectId instanceof ObjectId) || !d.projectId.equals(oldProjectId))
        throw invalid(`${name} holds a document of another project (${String(d._id)})`, { file: name });
    };
    // Files: stored under their remapped ids, tagged with the restore so a rollback finds them.
    counts.files = 0;
    for await (const f of readLines(byName.get(jsonlName('files'))!, jsonlName('files'))) {
      const g = f as GridFileDoc;
      if (!(g._id instanceof ObjectId)) throw invalid('files.jsonl holds a file without an ObjectId');
      const blob = byName.get(imageName(g._id.toHexString()));
      if (!blob) throw invalid(`the archive has no ${imageName(g._id.toHexString())}`);
      uploading = remap.id(g._id);
      await backupsRepo.storeFile(db, uploading, String(g.filename), blob, { ...remap.doc(g.metadata ?? {}), restoreId });
      uploading = null;
      counts.files++;
    }
    let maxSeq = 0;
    for (const c of ['imports', 'items', 'annotations', 'reviews', 'agreements', 'predictions'] as const) {
      const name = jsonlName(c);
      counts[c] = 0;
      let batch: Document[] = [];
      for await (const raw of readLines(byName.get(name)!, name)) {
        belongs(raw, name);
        const d = remap.doc(raw);
        if (typeof d._id === 'string') d._id = remap.text(d._id);
        if (c === 'items' && typeof d.seq === 'number') maxSeq = Math.max(maxSeq, d.seq);
        if (c === 'items') pyramids.push(...tilePyramids.forItems([d as ItemDoc], opts.tilesMinSide ?? DEFAULT_TILES_MIN_SIDE, now));
        if (c === 'annotations') {
          d.slot = remap.unique(String(d.slot));
          d.submissionId = remap.unique(String(d.submissionId));
        }
        if (c === 'reviews' && typeof d.taskId === 'string') d.taskId = remap.text(d.taskId);
        if (c === 'predictions' && d.source && typeof d.source.id === 'string') d.source = { ...d.source, id: remap.text(d.source.id) };
        batch.push(d);
        counts[c]++;
        if (batch.length >= BATCH) {
          await backupsRepo.insert(db, c, batch);
          batch = [];
        }
      }
      await backupsRepo.insert(db, c, batch);
    }
    const snapshotFiles = [byName.get(jsonlName('snapshots')), byName.get(jsonlName('snapshotEntries'))] as const;
    if (snapshotFiles[0] && snapshotFiles[1])
      await restoreSnapshots(db, { snapshots: snapshotFiles[0], entries: snapshotFiles[1] }, remap, counts, (d, name) => belongs(d, name));
    for (const [c, n] of Object.entries(manifest.counts))
      if (counts[c] !== undefined && counts[c] !== n)
        throw invalid(`the archive holds ${counts[c]} ${c}, its manifest says ${n}`, { collection: c });
    // Recorded before the project is visible, like an import's: a visible large item has its pyramid's state.
    await tilePyramids.queue(db, pyramids);
    // Later imports into the restored project number their items after the restored ones.
    await backupsRepo.setCounter(db, counter, maxSeq);
    if (oldQueue) await backupsRepo.insertQueue(db, { ...remap.doc(oldQueue), _id: projectId, createdAt: now, updatedAt: now });
    const project: ProjectDoc = {
      ...remap.doc(oldProject),
      _id: projectId,
      ownerId: owner._id,
      memberIds: [...new Set([owner._id, ...oldProject.memberIds.map((m) => remap.id(m))].map((m) => m.toHexString()))].map(
        (h) => new ObjectId(h),
      ),
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    // Written last: until now nobody could see the project.
    await backupsRepo.insertProject(db, project);
    return {
      project: { id: projectId.toHexString(), name: project.name },
      from: { id: manifest.project.id, labelworkVersion: manifest.labelworkVersion, createdAt: manifest.createdAt },
      counts,
      placeholders: missing.map((u) => u.username),
      pyramids: pyramids.map((p) => p._id.toHexString()),
    };
  } catch (e) {
    await tilePyramids.remove(
      db,
      pyramids.map((p) => p._id),
    );
    await backupsRepo.rollback(db, projectId, restoreId, counter, placeholders, uploading);
    throw e;
  }
}

/**
 * The archive's dataset snapshots into the new project: documents with their ids remapped, entries
 * with their canonical lines byte for byte (so each snapshot keeps its sha256, its id as a dataset
 * version) and `itemRef` naming the restored item. Every snapshot's lines are hashed as they are read
 * and must give the sha256 and item count the snapshot records; a mismatch refuses the restore
 * (rolled back with the rest).
 */
async function restoreSnapshots(
  db: Database,
  files: { snapshots: string; entries: string },
  remap: IdRemap,
  counts: Record<string, number>,
  belongs: (d: Document, name: string) => void,
): Promise<void> {
  const snaps = new Map<string, { doc: SnapshotDoc; hash: ReturnType<typeof createHash>; items: number }>();
  counts.snapshots = 0;
  const name = jsonlName('snapshots');
  for await (const raw of readLines(files.snapshots, name)) {
    belongs(raw, name);
    const old = raw as SnapshotDoc;
    if (old.status !== 'complete' || !old.header || typeof old.hash !== 'string' || !old.counts)
      throw invalid(`${name} holds snapshot ${String(old._id)} that is not complete`, { file: name });
    const doc = remap.doc(old);
    snaps.set(old._id.toHexString(), {
      doc,
      hash: createHash('sha256').update(snapshotHeaderLine(old.header as SnapshotHeader)),
      items: 0,
    });
    counts.snapshots++;
  }
  await backupsRepo.insertSnapshots(
    db,
    [...snaps.values()].map((s) => s.doc),
  );
  counts.snapshotEntries = 0;
  const entriesName = jsonlName('snapshotEntries');
  let batch: SnapshotEntryDoc[] = [];
  for await (const raw of readLines(files.entries, entriesName)) {
    const e = raw as Partial<SnapshotEntryDoc>;
    const s = e.snapshotId instanceof ObjectId ? snaps.get(e.snapshotId.toHexString()) : undefined;
    if (!s || typeof e.line !== 'string' || typeof e.itemId !== 'string')
      throw invalid(`${entriesName} holds an entry of no snapshot in the archive (${String(e._id)})`, { file: entriesName });
    s.hash.update(`${e.line}\n`);
    s.items++;
    const snapshotId = s.doc._id;
    batch.push({
      _id: `${snapshotId.toHexString()}:${e.itemId}`,
      snapshotId,
      itemId: e.itemId,
      line: e.line,
      itemRef: remap.text(e.itemRef ?? e.itemId),
    });
    counts.snapshotEntries++;
    if (batch.length >= BATCH) {
      await backupsRepo.insertSnapshotEntries(db, batch);
      batch = [];
    }
  }
  await backupsRepo.insertSnapshotEntries(db, batch);
  for (const { doc, hash, items } of snaps.values()) {
    if (hash.digest('hex') !== doc.hash || items !== doc.counts?.items)
      throw invalid(`snapshot #${doc.number} (${doc.version ?? '?'}) does not match its sha256: the archive was changed or damaged`, {
        file: entriesName,
        snapshot: doc.number,
      });
  }
}
