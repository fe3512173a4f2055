/**
 * Simulated annotators over the real HTTP API and Socket.IO, shared by the benchmarks
 * (bench/assign.bench.ts, bench/scale.bench.ts) and the failover test: a lean keep-alive client, the
 * next → think (heartbeating) → submit loop, and the reconciliation of what annotators were told with
 * the database.
 */
import http from 'node:http';
import type { ObjectId } from 'mongodb';
import { io as connect, type Socket } from 'socket.io-client';
import { CLIENT_EVENTS, type Ack } from '@labelwork/core';
import type { Database } from '@labelwork/engine';
import { ApiClient } from './api-client.ts';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const sid = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 12)}`;

export function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10;
}

/**
 * A lean JSON client on node:http with keep-alive, for the load loops: `fetch` costs several times
 * more CPU per request, and the load generator shares the machine with what it measures.
 */
function isConnectionError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE' || (e instanceof Error && e.message === 'socket hang up');
}

export class LeanClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly host: string;
  private readonly port: number;
  constructor(
    baseUrl: string,
    private readonly cookie: string,
    private readonly csrf: string,
    /** Connection failures tolerated per request (1: only a kept-alive connection closed under it). */
    private readonly connectRetries = 1,
  ) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
  }

  /** Requests sent again after the server closed a kept-alive connection as it was reused. */
  static retries = 0;

  /**
   * POSTs, and once more if the kept-alive connection was closed under the request ("socket hang
   * up", ECONNRESET), as a browser does: a next resumes the lease, a submit is idempotent by its
   * submissionId, so the database check still holds the bench to what was stored.
   */
  async post(path: string, body: unknown = {}): Promise<{ status: number; body: any }> {
    try {
      return await this.postOnce(path, body);
    } catch (e) {
      if (!isConnectionError(e)) throw e;
      LeanClient.retries++;
      // Behind a load balancer a dead server's connections fail until it is taken out: try a few times.
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.postOnce(path, body);
        } catch (again) {
          if (!isConnectionError(again) || attempt >= this.connectRetries) throw again;
          LeanClient.retries++;
          await sleep(100 * attempt);
        }
      }
    }
  }

  private postOnce(path: string, body: unknown): Promise<{ status: number; body: any }> {
    const data = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          path,
          method: 'POST',
          agent: this.agent,
          headers: {
            cookie: this.cookie,
            'x-csrf-token': this.csrf,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(data),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }
}

export interface Annotator {
  id: string;
  client: LeanClient;
  socket: Socket;
}

/**
 * Creates `n` annotators (`ann0`…) through the admin's API, 20 at a time, each signed in with a lean
 * client and a connected websocket to `url`. `onSocket` sees every socket as soon as it exists (so a
 * caller can close them even if a later one fails); `connectRetries` goes to each LeanClient.
 */
export async function signUpAnnotators(
  admin: ApiClient,
  url: string,
  n: number,
  opts: { connectRetries?: number; onSocket?: (s: Socket) => void } = {},
): Promise<Annotator[]> {
  const annotators: Annotator[] = [];
  for (let i = 0; i < n; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, n - i) }, async (_, j) => {
        const username = `ann${i + j}`;
        const r = await admin.post('/api/users', { username, password: `${username}-password`, role: 'annotator', level: 'L4' });
        const client = new ApiClient(url);
        await client.login(username, `${username}-password`);
        const socket = connect(url, { transports: ['websocket'], extraHeaders: { cookie: client.cookie }, forceNew: true });
        opts.onSocket?.(socket);
        await new Promise<void>((res, rej) => {
          socket.once('connect', () => res());
          socket.once('connect_error', rej);
        });
        annotators[i + j] = { id: r.body.user.id, client: new LeanClient(url, client.cookie, client.csrf, opts.connectRetries), socket };
      }),
    );
  }
  return annotators;
}

export interface Run {
  /** Latencies and throughput count from this time on (after the warm-up). */
  from: number;
  /** Submits that succeeded inside the measured window. */
  measured: number;
  next: number[];
  /** [start ms since epoch, latency] of each next, to see whether slow ones come together. */
  nextAt: [number, number][];
  submit: number[];
  /**
   * From "Submit" to the next task in hand (the submit, then the next it is followed by): what a
   * person waits between two tasks, as the workspace sends the next only once the submit is answered
   * (a person holds one lease per project).
   */
  turnaround: number[];
  leases: { user: string; item: string }[];
  submitted: number;
  /** When each successful submit was answered (epoch ms): gaps show how long a failure stopped work. */
  submittedAt: number[];
  failedSubmits: string[];
  /** Next requests answered with neither a task nor NOTHING_TO_DO, or not answered at all. */
  errors: string[];
  nothing: number;
  /** The annotator of each next answered with a task in the measured window: who actually got work. */
  servedUsers: string[];
}

export const newRun = (from = 0): Run => ({
  from,
  measured: 0,
  next: [],
  nextAt: [],
  submit: [],
  turnaround: [],
  leases: [],
  submitted: 0,
  submittedAt: [],
  failedSubmits: [],
  errors: [],
  nothing: 0,
  servedUsers: [],
});

/** One annotator: next → think → submit until `until`; the lease is heartbeated over Socket.IO while thinking. */
export async function annotate(
  a: Annotator,
  projectId: string,
  until: number,
  think: () => number,
  run: Run,
  startWithin = 0,
  /** Ends the loop early (everything done). */
  done: () => boolean = () => false,
): Promise<void> {
  // People do not all click "next" in the same millisecond: starts are spread like a think time.
  if (startWithin) await sleep(Math.random() * startWithin);
  /** When the submit this next follows was sent (performance.now()), measured from run.from on; null after anything else. */
  let submitSent: number | null = null;
  while (Date.now() < until && !done()) {
    let t0 = performance.now();
    const started = Date.now();
    const n = await a.client.post(`/api/projects/${projectId}/tasks/next`).catch((e: unknown) => ({ status: 0, body: String(e) }));
    if (started >= run.from) {
      run.next.push(performance.now() - t0);
      run.nextAt.push([started, performance.now() - t0]);
    }
    if (submitSent !== null && n.status === 200) run.turnaround.push(performance.now() - submitSent);
    submitSent = null;
    if (n.status !== 200) {
      if (n.status === 404 && n.body?.error?.code === 'NOTHING_TO_DO') run.nothing++;
      else run.errors.push(`next ${n.status} ${JSON.stringify(n.body).slice(0, 200)}`);
      await sleep(200);
      continue;
    }
    const task = n.body.task as { leaseId: string; heartbeatMs: number; item: { id: string } };
    run.leases.push({ user: a.id, item: task.item.id });
    if (started >= run.from) run.servedUsers.push(a.id);
    const wait = think();
    if (wait > 0) {
      const beat = setInterval(
        () => a.socket.emit(CLIENT_EVENTS.leaseHeartbeat, { leaseId: task.leaseId }, (_: Ack) => undefined),
        task.heartbeatMs,
      );
      await sleep(wait);
      clearInterval(beat);
    }
    t0 = performance.now();
    const submitStarted = Date.now();
    const body = { submissionId: sid(), regions: [{ id: 'c', type: 'class', label: Math.random() < 0.7 ? 'pos' : 'neg' }] };
    // A failed request (5xx, no answer) is sent again with the same submissionId, as the client does:
    // the submit is idempotent, so a retry never stores a second annotation.
    let s: { status: number; body: any } = { status: 0, body: null };
    for (let attempt = 0; attempt < 5; attempt++) {
      s = await a.client.post(`/api/tasks/${task.leaseId}/submit`, body).catch((e: unknown) => ({ status: 0, body: String(e) }));
      if (s.status !== 0 && s.status < 500) break;
      await sleep(300);
    }
    if (submitStarted >= run.from) run.submit.push(performance.now() - t0);
    // 201: stored now; 200: a retry of a submit that was stored already (idempotent by submissionId).
    if (s.status === 201 || s.status === 200) {
      run.submitted++;
      run.submittedAt.push(Date.now());
      if (submitStarted >= run.from && Date.now() <= until) run.measured++;
      if (submitStarted >= run.from) submitSent = t0;
    } else run.failedSubmits.push(`${s.status} ${JSON.stringify(s.body).slice(0, 200)}`);
  }
}

/**
 * Reconciles a project's annotations in the database with what the annotators were told: every
 * successful submit stored once (`lost_db` counts submits missing and annotations nobody was told
 * about), one annotation per (item, user) and at most k per item (`duplicates_db` counts the extra
 * ones).
 */
export async function reconcileDatabase(
  d: Database,
  projectId: ObjectId,
  submitted: number,
  k: number,
): Promise<{ stored: number; lost_db: number; duplicates_db: number; items_over_k: number; repeated_item_user: number }> {
  const stored = await d.annotations.countDocuments({ projectId, gold: false });
  const pairs = await d.annotations
    .aggregate<{ n: number }>([
      { $match: { projectId, gold: false } },
      { $group: { _id: { item: '$itemId', user: '$userId' }, n: { $sum: 1 } } },
      { $match: { n: { $gt: 1 } } },
    ])
    .toArray();
  const items = await d.annotations
    .aggregate<{ n: number }>([
      { $match: { projectId, gold: false } },
      { $group: { _id: '$itemId', n: { $sum: 1 } } },
      { $match: { n: { $gt: k } } },
    ])
    .toArray();
  const repeated = pairs.reduce((sum, p) => sum + p.n - 1, 0);
  const overK = items.reduce((sum, i) => sum + i.n - k, 0);
  return {
    stored,
    lost_db: Math.abs(stored - submitted),
    duplicates_db: repeated + overK,
    items_over_k: items.length,
    repeated_item_user: repeated,
  };
}

/**
 * How long work stopped after `from` (a failure): the longest wait, after `from`, for the next
 * successful submit, among submits answered within `windowMs` of it (seconds, 0.1 s steps).
 */
export function longestStall(submittedAt: number[], from: number, windowMs = 30_000): number {
  const times = [...submittedAt].sort((a, b) => a - b).filter((t) => t <= from + windowMs);
  let last = from;
  let longest = 0;
  for (const t of times) {
    if (t <= from) continue;
    longest = Math.max(longest, t - last);
    last = t;
  }
  return Math.round(longest / 100) / 10;
}
