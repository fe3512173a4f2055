import { MongoClient, type Collection, type Db, type ObjectId, GridFSBucket } from 'mongodb';
import type { AnnotationContent, ImageInfo, ItemStatus, LabelSchema, Lang, Level, ProjectKind, ProjectStatus, ReviewPolicy, Role, GuidelineRef } from '@labelwork/core';

export interface UserDoc {
  _id: ObjectId;
  schemaVersion: 1;
  username: string;
  usernameLower: string;
  displayName: string;
  role: Role;
  reviewer: boolean;
  level: Level;
  lang: Lang;
  passwordHash: string;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProjectDoc {
  _id: ObjectId;
  schemaVersion: 1;
  name: string;
  description: string;
  kind: ProjectKind;
  labelSchema: LabelSchema;
  overlap: number;
  goldRate: number;
  minLevel: Level;
  guideline?: GuidelineRef;
  reviewPolicy: ReviewPolicy;
  status: ProjectStatus;
  ownerId: ObjectId;
  memberIds: ObjectId[];
  counts: { items: number; gold: number; done: number };
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ItemDoc {
  _id: ObjectId;
  schemaVersion: 1;
  projectId: ObjectId;
  seq: number;
  kind: ProjectKind;
  externalId?: string;
  text?: string;
  textLength?: number;
  image?: Omit<ImageInfo, 'fileId' | 'thumbId'> & { fileId: ObjectId; thumbId: ObjectId };
  meta?: Record<string, unknown>;
  gold?: AnnotationContent;
  isGold: boolean;
  status: ItemStatus;
  annotationCount: number;
  /** Items are visible only once their import is complete (see itemsRepo.visible). */
  importId: ObjectId;
  createdAt: Date;
}

export interface ImportDoc {
  _id: ObjectId;
  schemaVersion: 1;
  projectId: ObjectId;
  kind: 'images' | 'text';
  fileName: string;
  status: 'running' | 'complete' | 'failed';
  total: number;
  done: number;
  error?: string;
  byId: ObjectId;
  createdAt: Date;
  finishedAt?: Date;
}

export interface AuditDoc {
  _id?: ObjectId;
  schemaVersion: 1;
  at: Date;
  actorId: ObjectId | null;
  action: string;
  targetType: string;
  targetId: string;
  details?: Record<string, unknown>;
}

export interface CounterDoc {
  _id: string;
  seq: number;
}

export interface Database {
  client: MongoClient;
  db: Db;
  users: Collection<UserDoc>;
  projects: Collection<ProjectDoc>;
  items: Collection<ItemDoc>;
  imports: Collection<ImportDoc>;
  audit: Collection<AuditDoc>;
  counters: Collection<CounterDoc>;
  files: GridFSBucket;
  close(): Promise<void>;
}

/** Connects and makes sure the indexes exist (idempotent; safe with several servers starting at once). */
export async function connectDatabase(url: string, dbName: string): Promise<Database> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 50 });
  await client.connect();
  const db = client.db(dbName);
  const database: Database = {
    client,
    db,
    users: db.collection<UserDoc>('users'),
    projects: db.collection<ProjectDoc>('projects'),
    items: db.collection<ItemDoc>('items'),
    imports: db.collection<ImportDoc>('imports'),
    audit: db.collection<AuditDoc>('audit'),
    counters: db.collection<CounterDoc>('counters'),
    files: new GridFSBucket(db, { bucketName: 'files' }),
    close: () => client.close(),
  };
  await ensureIndexes(database);
  return database;
}

async function ensureIndexes(d: Database): Promise<void> {
  await d.users.createIndex({ usernameLower: 1 }, { unique: true, name: 'username_unique' });
  await d.projects.createIndex({ ownerId: 1, status: 1 }, { name: 'owner_status' });
  await d.projects.createIndex({ memberIds: 1 }, { name: 'members' });
  await d.items.createIndex({ projectId: 1, seq: 1 }, { name: 'project_seq' });
  await d.imports.createIndex({ projectId: 1, status: 1 }, { name: 'project_status' });
  await d.items.createIndex({ importId: 1 }, { name: 'import' });
  await d.imports.createIndex({ projectId: 1, createdAt: -1 }, { name: 'project_created' });
  await d.audit.createIndex({ at: -1 }, { name: 'at' });
  await d.audit.createIndex({ targetType: 1, targetId: 1, at: -1 }, { name: 'target' });
}

/** Reserves `n` consecutive numbers of a named sequence; returns the first. */
export async function reserveSeq(d: Database, name: string, n: number): Promise<number> {
  const r = await d.counters.findOneAndUpdate({ _id: name }, { $inc: { seq: n } }, { upsert: true, returnDocument: 'after' });
  if (!r) throw new Error(`counter ${name} not returned`);
  return r.seq - n + 1;
}
