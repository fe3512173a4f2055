import type { Redis } from 'ioredis';
import type { Server as IOServer, Socket as IOSocket } from 'socket.io';
import type {
  ClientToServerEvents,
  Guideline,
  InterServerEvents,
  QueueSettings,
  ServerToClientEvents,
  SocketData,
  SwrCache,
} from '@labelwork/core';
import type { Config } from './config.ts';
import type { AccessChanges, AccessOutcome } from './infra/access-changes.ts';
import type { AnnotationInserts, Database, ProjectDoc, UserDoc } from '@labelwork/engine';
import type { CountsPush, LeaseScripts } from './modules/tasks/index.ts';
import type { Logger } from './infra/logger.ts';
import type { SessionStore } from './modules/auth/index.ts';
import type { LoginGuard } from './modules/auth/index.ts';
import type { Queue } from 'bullmq';
import type { LoadedPracticeSet } from './modules/certification/index.ts';
import type { TaskQueues } from './infra/queues.ts';
import type { PlanThreads } from './modules/dataset-imports/index.ts';

/**
 * `socket.data` on this server: core's SocketData (the session id) and, only until the connection
 * handler takes it, the session's user (never sent to other processes after that).
 */
export interface ServerSocketData extends SocketData {
  auth?: { user: UserDoc };
}

/** Socket.IO typed by the realtime contract (core/src/contracts/socket.ts). */
export type IO = IOServer<ClientToServerEvents, ServerToClientEvents, InterServerEvents, ServerSocketData>;
export type LwSocket = IOSocket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, ServerSocketData>;

/** The assignment engine's per-process state (modules/tasks/task-runtime.ts builds it). */
export interface TaskRuntime {
  scripts: LeaseScripts;
  settings: SwrCache<QueueSettings>;
  /** Whether a project has any prediction (the next-task path skips the per-item read when not). */
  hasPredictions: SwrCache<boolean>;
  countsPushes: Map<string, CountsPush>;
  /** Group commit of submitted annotations (one insertMany for the submits that arrive during a write). */
  annotationInserts: AnnotationInserts;
}

/**
 * Everything a server process keeps between requests, built once by the composition root (app.ts):
 * no module holds state of its own. Every cache is a {@link SwrCache} registered with `access`, the
 * one way cached entries are dropped (projects/access-cache.ts raises its changes).
 */
export interface ProcessState {
  /** The invalidation path: access changes (own, other processes', a moved access epoch) reach every cache here. */
  access: AccessChanges;
  /** Project-access decisions keyed `user:project:need` (projects/access-cache.ts). */
  accessDecisions: SwrCache<AccessOutcome>;
  /** Users by id for session resolution (http/middleware.ts). */
  users: SwrCache<UserDoc | null>;
  /** Project documents by id for hot paths and background handlers (access/project-cache.ts). */
  projects: SwrCache<ProjectDoc | null>;
  tasks: TaskRuntime;
  /** Dataset-import planning threads (parsing and planning an upload off the event loop), a bounded number at a time. */
  importPlans: PlanThreads;
}

/** What every module gets from the composition root (app.ts). */
export interface AppContext {
  config: Config;
  db: Database;
  redis: Redis;
  log: Logger;
  sessions: SessionStore;
  loginGuard: LoginGuard;
  queues: { export: Queue; quality: Queue; ml: Queue; snapshotRestore: Queue };
  /** The assignment engine's BullMQ queues (project queues, quality, maintenance). */
  tasks: TaskQueues;
  /** Guidelines loaded from GUIDELINES_DIR at start, keyed `slug@version`. */
  guidelines: Map<string, Guideline>;
  /** Practice sets loaded from GUIDELINES_DIR at start (`<slug>/practice-<version>/set.json`), keyed `slug@version`. */
  practiceSets: Map<string, LoadedPracticeSet>;
  /** Set once Socket.IO is attached; emitters check for it. */
  io: IO | null;
  now: () => number;
  /** Caches and runtimes of this process (see {@link ProcessState}). */
  state: ProcessState;
}
