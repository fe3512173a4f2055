import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Config } from './config.ts';
import type { AppContext, ProcessState } from './context.ts';
import { AppError, errorHandler } from './http/errors.ts';
import { csrfProtection, loadSession, userCache } from './http/middleware.ts';
import { AccessChanges } from './infra/access-changes.ts';
import { createLogger, type Logger } from './infra/logger.ts';
import { connectDatabase } from '@labelwork/engine';
import { checkEvictionPolicy, createRedis } from './infra/redis.ts';
import { attachSocket } from './socket.ts';
import { TaskQueues, stalledIntervalFor } from './infra/queues.ts';
import { authRoutes } from './modules/auth/index.ts';
import { LoginGuard } from './modules/auth/index.ts';
import { SessionStore } from './modules/auth/index.ts';
import { guidelinesRoutes } from './modules/guidelines/index.ts';
import { loadGuidelines } from './modules/guidelines/index.ts';
import { certificationRoutes, loadPracticeSets } from './modules/certification/index.ts';
import { healthRoutes } from './modules/health/index.ts';
import { itemsRoutes } from './modules/items/index.ts';
import { sweepStaleImports } from './modules/items/index.ts';
import { projectsRoutes } from './modules/projects/index.ts';
import { accessDecisionAffected, accessDecisionCache, projectCache } from './modules/access/index.ts';
import { annotationsRoutes } from './modules/annotations/index.ts';
import { startTaskRuntime } from './modules/tasks/index.ts';
import { createTaskRuntime } from './modules/tasks/index.ts';
import { onLeaseStalled } from './modules/tasks/index.ts';
import { tasksRoutes } from './modules/tasks/index.ts';
import { reviewRoutes } from './modules/review/index.ts';
import { startReviewRuntime } from './modules/review/index.ts';
import { startSnapshotRestoreRuntime } from './modules/datasets/index.ts';
import { dashboardRoutes } from './modules/dashboard/index.ts';
import { PlanThreads, datasetImportsRoutes } from './modules/dataset-imports/index.ts';
import { datasetsRoutes } from './modules/datasets/index.ts';
import { backupsRoutes } from './modules/backups/index.ts';
import { bootstrapAdmin } from './modules/users/index.ts';
import { usersRoutes } from './modules/users/index.ts';

import { mlAssistRoutes, mlMediaRoutes, mlRoutes } from './modules/ml/index.ts';
import { Queue } from 'bullmq';
import { EXPORT_QUEUE, SNAPSHOT_RESTORE_QUEUE } from '@labelwork/core';
import { ML_QUEUE } from '@labelwork/core';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface LabelworkApp {
  ctx: AppContext;
  app: Express;
  http: HttpServer;
  /** A password generated for the bootstrap admin on this start (null if none was needed). */
  generatedAdminPassword: string | null;
  listen(): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
}

/** Builds the Express app on an existing context (tests use this to reach internals). */

/** Paths (under /api) whose JSON bodies carry an annotation's regions: they take ANNOTATION_BODY_MAX_BYTES. */
const ANNOTATION_BODY_ROUTES =
  /^\/(tasks\/[^/]+\/(draft|submit)|projects\/[^/]+\/(review\/tasks\/[^/]+\/verdict|rework\/[^/]+)|items\/[^/]+\/gold)\/?$/;

export function buildExpress(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  // Off unless configured: a client must not choose the address the sign-in limit counts.
  app.set('trust proxy', ctx.config.TRUST_PROXY);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'", 'ws:', 'wss:'],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
        },
      },
      crossOriginEmbedderPolicy: false,
      strictTransportSecurity: ctx.config.NODE_ENV === 'production',
    }),
  );
  app.use((req, res, next) => {
    const t = performance.now();
    res.on('finish', () => {
      if (req.path !== '/api/health') {
        ctx.log.info('request', {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Math.round(performance.now() - t),
          user: req.auth?.user.username,
        });
      }
    });
    next();
  });
  // Request bodies are small, except on the routes that carry an annotation's regions (50,000 boxes are ~5 MB).
  const json = express.json({ limit: ctx.config.JSON_BODY_MAX_BYTES });
  const annotationJson = express.json({ limit: ctx.config.ANNOTATION_BODY_MAX_BYTES });
  app.use('/api', (req, res, next) => (ANNOTATION_BODY_ROUTES.test(req.path) ? annotationJson : json)(req, res, next));
  app.use('/api/health', healthRoutes(ctx));
  app.use('/api', mlMediaRoutes(ctx));
  app.use('/api', loadSession(ctx), csrfProtection);
  app.use('/api/auth', authRoutes(ctx));
  app.use('/api/users', usersRoutes(ctx));
  app.use('/api/projects', projectsRoutes(ctx));
  app.use('/api/guidelines', guidelinesRoutes(ctx));
  app.use('/api/certification', certificationRoutes(ctx));
  app.use('/api', itemsRoutes(ctx));
  app.use('/api', tasksRoutes(ctx));
  app.use('/api', mlAssistRoutes(ctx));
  app.use('/api', annotationsRoutes(ctx));
  app.use('/api', reviewRoutes(ctx));
  app.use('/api', dashboardRoutes(ctx));
  app.use('/api', mlRoutes(ctx));
  app.use('/api', datasetImportsRoutes(ctx));
  app.use('/api', datasetsRoutes(ctx));
  app.use('/api', backupsRoutes(ctx));
  app.use('/api', (_req, _res, next) => next(new AppError('NOT_FOUND', 'no such API route')));

  const dist = ctx.config.CLIENT_DIST || path.join(repoRoot, 'client', 'dist');
  if (existsSync(path.join(dist, 'index.html'))) {
    app.use(express.static(dist, { index: false, maxAge: '1h' }));
    app.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(dist, 'index.html'));
    });
  } else {
    app.get('/', (_req, res) => {
      res.type('text/plain').send('Labelwork API is running. The client is not built: run `npm run build`.');
    });
  }
  app.use(errorHandler(ctx.log));
  return app;
}

/** The composition root: connects to the database and Redis, wires modules, HTTP and Socket.IO. */
export async function createApp(config: Config, opts: { log?: Logger; now?: () => number } = {}): Promise<LabelworkApp> {
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const db = await connectDatabase(config.MONGO_URL, config.MONGO_DB, {
    ...(config.MONGO_WRITE_CONCERN !== undefined ? { writeConcern: config.MONGO_WRITE_CONCERN } : {}),
    dashboardReadPreference: config.MONGO_DASHBOARD_READ_PREFERENCE,
  });
  const redis = createRedis(config.REDIS_URL, 'server');
  await redis.ping();
  await checkEvictionPolicy(redis, log, config.REQUIRE_NOEVICTION);
  let onStalled: (projectId: string, jobId: string) => void = () => undefined;
  const tasks = new TaskQueues({
    prefix: config.REDIS_PREFIX,
    redisUrl: config.REDIS_URL,
    leaseMs: config.LEASE_MS,
    stalledIntervalMs: stalledIntervalFor(config.LEASE_MS, config.STALLED_INTERVAL_MS),
    maxOpenProjects: config.TASK_QUEUES_MAX,
    log,
    onStalled: (p, j) => onStalled(p, j),
  });
  const now = opts.now ?? Date.now;
  // All state of this process lives here: each cache is built once and registered with the one
  // invalidation path (access changes and the access epoch, projects/access-cache.ts).
  const state: ProcessState = {
    access: new AccessChanges(),
    accessDecisions: accessDecisionCache(now, () => ctx),
    users: userCache(db, now),
    projects: projectCache(db, now),
    tasks: createTaskRuntime(redis, db, now),
    importPlans: new PlanThreads(config.IMPORT_PLAN_THREADS, config.IMPORT_PLAN_HEAP_MB),
  };
  state.access.register(state.accessDecisions, accessDecisionAffected);
  state.access.register(state.users, (userId, change) => userId === change.userId);
  state.access.register(state.projects, (projectId, change) => projectId === change.projectId);
  state.access.register(state.tasks.settings, (projectId, change) => projectId === change.projectId);
  const ctx: AppContext = {
    config,
    db,
    redis,
    log,
    sessions: new SessionStore(redis, config.REDIS_PREFIX, config.SESSION_TTL_S, now),
    loginGuard: new LoginGuard(redis, config.REDIS_PREFIX, config.LOGIN_MAX_PER_MINUTE),
    queues: {
      export: new Queue(EXPORT_QUEUE, { connection: redis, prefix: config.REDIS_PREFIX }),
      quality: tasks.quality,
      ml: new Queue(ML_QUEUE, { connection: redis, prefix: config.REDIS_PREFIX }),
      snapshotRestore: new Queue(SNAPSHOT_RESTORE_QUEUE, { connection: redis, prefix: config.REDIS_PREFIX }),
    },
    tasks,
    guidelines: loadGuidelines(config.GUIDELINES_DIR || path.join(repoRoot, 'guidelines'), log),
    practiceSets: loadPracticeSets(config.GUIDELINES_DIR || path.join(repoRoot, 'guidelines'), log),
    io: null,
    now,
    state,
  };
  const generatedAdminPassword = await bootstrapAdmin(ctx);
  const swept = await sweepStaleImports(ctx, 60 * 60_000);
  if (swept) log.warn('removed interrupted imports', { count: swept });

  const app = buildExpress(ctx);
  const http = createServer(app);
  const socket = attachSocket(ctx, http);
  ctx.io = socket.io;
  onStalled = (p, j) =>
    void onLeaseStalled(ctx, p, j).catch((e: unknown) => log.warn('lease expiry handling failed', { projectId: p, jobId: j, err: e }));
  const taskRuntime = await startTaskRuntime(ctx);
  const reviewRuntime = await startReviewRuntime(ctx);
  const restoreRuntime = startSnapshotRestoreRuntime(ctx);

  return {
    ctx,
    app,
    http,
    generatedAdminPassword,
    listen: () =>
      new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(config.PORT, config.HOST, () => {
          const addr = http.address();
          const port = typeof addr === 'object' && addr ? addr.port : config.PORT;
          resolve({ url: `http://${config.HOST}:${port}`, port });
        });
      }),
    close: async () => {
      // No new leases from here on; requests in flight (a submit) get a moment to finish.
      tasks.closing = true;
      await socket.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeIdleConnections?.();
        setTimeout(() => http.closeAllConnections?.(), 2000).unref();
        if (!http.listening) resolve();
      });
      await taskRuntime.close();
      await reviewRuntime.close();
      await restoreRuntime.close();
      await ctx.queues.snapshotRestore.close();
      await ctx.queues.ml.close();
      await ctx.queues.export.close();
      await tasks.close();
      redis.disconnect();
      await db.close();
    },
  };
}
