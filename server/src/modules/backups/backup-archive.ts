import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ObjectId } from 'mongodb';
import { z } from 'zod';

/**
 * The whole-project backup archive (docs/datasets.md, "Backups"): a zip with `project.json`, one
 * JSON-lines file per collection (documents in MongoDB Extended JSON, relaxed), the GridFS files as
 * `images/<fileId>` and `manifest.json` last, with every other file's size and sha256.
 */
export const BACKUP_FORMAT = 'labelwork-backup';
export const BACKUP_FORMAT_VERSION = 1;

/** The JSON-lines files, in the order they are written and restored (references point backwards). */
export const BACKUP_COLLECTIONS = ['users', 'imports', 'files', 'items', 'annotations', 'reviews', 'agreements', 'predictions'] as const;
export type BackupCollection = (typeof BACKUP_COLLECTIONS)[number];

/**
 * The project's complete dataset snapshots and their canonical entry lines, after the collections
 * above. Optional on restore (archives written before snapshots were backed up have none); each
 * snapshot's lines are checked against its sha256 before anything is stored.
 */
export const BACKUP_SNAPSHOT_COLLECTIONS = ['snapshots', 'snapshotEntries'] as const;
export type BackupSnapshotCollection = (typeof BACKUP_SNAPSHOT_COLLECTIONS)[number];

export const jsonlName = (c: BackupCollection | BackupSnapshotCollection) => `${c}.jsonl`;
export const imageName = (fileId: string) => `images/${fileId}`;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const BackupManifest = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.literal(BACKUP_FORMAT_VERSION),
  labelworkVersion: z.string(),
  createdAt: z.string(),
  project: z.object({ id: z.string().regex(/^[0-9a-f]{24}$/), name: z.string() }),
  counts: z.record(z.string(), z.number().int().min(0)),
  files: z.record(z.string(), z.object({ bytes: z.number().int().min(0), sha256: Sha256 })),
});
export type BackupManifest = z.infer<typeof BackupManifest>;

/** What a user is in the archive: enough to find them on another installation by username (never a password hash). */
export interface BackupUser {
  _id: ObjectId;
  username: string;
  displayName: string;
  role: string;
  level: string;
  reviewer: boolean;
}

/** Labelwork's version (server/package.json), written into the manifest. */
export function labelworkVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

const HEX_ID = /\b[0-9a-f]{24}\b/g;

/**
 * The new ids of a restore. Users map to the target's accounts (by username); every other ObjectId
 * keeps its timestamp and counter bytes and gets its 5 process-unique bytes from
 * sha256(restore nonce, old bytes): the same old id always gives the same new id within one restore
 * (references stay consistent without a table of every id, so memory stays constant), two restores
 * give different ids, and items keep their order by id.
 */
export class IdRemap {
  private readonly middles = new Map<string, Buffer>();
  constructor(
    private readonly nonce: Buffer,
    private readonly users: ReadonlyMap<string, ObjectId>,
  ) {}

  id(old: ObjectId): ObjectId {
    const hex = old.toHexString();
    const user = this.users.get(hex);
    if (user) return user;
    const bytes = Buffer.from(hex, 'hex');
    const key = bytes.subarray(4, 9).toString('hex');
    let middle = this.middles.get(key);
    if (!middle) {
      middle = createHash('sha256').update(this.nonce).update(key).digest().subarray(0, 5);
      this.middles.set(key, middle);
    }
    return new ObjectId(Buffer.concat([bytes.subarray(0, 4), middle, bytes.subarray(9)]));
  }

  /** Every 24-hex-digit id inside a string key (`item:<id>`, `<itemId>-2`, `<source>:<item>`). */
  text(s: string): string {
    return s.replace(HEX_ID, (h) => this.id(new ObjectId(h)).toHexString());
  }

  /** A unique key that may hold no id (a gold lease's slot, a client's submission id): made unique to this restore. */
  unique(s: string): string {
    const t = this.text(s);
    return t !== s ? t : `restored-${this.nonce.subarray(0, 6).toString('hex')}-${s}`;
  }

  /** Every ObjectId in a document, at any depth (strings are left alone: item text is data). */
  doc<T>(value: T): T {
    return this.walk(value) as T;
  }

  private walk(v: unknown): unknown {
    if (v instanceof ObjectId) return this.id(v);
    if (Array.isArray(v)) return v.map((x) => this.walk(x));
    if (v !== null && typeof v === 'object' && !(v instanceof Date) && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.walk(x);
      return out;
    }
    return v;
  }
}
