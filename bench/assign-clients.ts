/**
 * One client process of the assignment benchmark (bench/assign.bench.ts forks several, over IPC). It
 * holds a slice of the signed-in annotators (a keep-alive HTTP client and a Socket.IO connection
 * each, to the server process the parent chose for that annotator) and runs the next → think
 * (heartbeating) → submit loop of tests/support/annotators.ts for them. Latencies are taken here, in
 * the client, on the monotonic clock (`performance.now()`, i.e. `process.hrtime`).
 *
 * Why several processes: 1,000 annotators' requests, responses and sockets in one event loop queue
 * behind each other, so one load process measures itself as much as the server. Each process reports
 * its event-loop utilisation and delay so the parent can tell whether the clients kept up.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { io as connect } from 'socket.io-client';
import { pool } from './ipc.ts';
import { annotate, LeanClient, newRun, type Annotator, type Run } from '../tests/support/annotators.ts';

export interface AnnotatorLogin {
  id: string;
  cookie: string;
  csrf: string;
  /** The server process this annotator talks to (HTTP and socket). */
  url: string;
}

export type ToAnnotators =
  | { type: 'connect'; annotators: AnnotatorLogin[] }
  | {
      type: 'run';
      projectId: string;
      /** Latencies and throughput count from this epoch ms on (after the warm-up). */
      from: number;
      until: number;
      /** Think time drawn uniformly from [thinkMin, thinkMax] ms (0, 0: saturation). */
      thinkMin: number;
      thinkMax: number;
      /** Each annotator's first next comes at a uniform random time within this many ms. */
      startWithin: number;
      /** Only the first `only` annotators of this process take part (all when absent). */
      only?: number;
    }
  | { type: 'close' };

export type FromAnnotators =
  | { type: 'ready'; connectMs: number }
  | { type: 'error'; message: string }
  | {
      type: 'result';
      run: Run;
      /** Event-loop utilisation (0–1) and delay (p99, max; ms) of this client process during the run. */
      elu: number;
      loop_delay_p99_ms: number;
      loop_delay_max_ms: number;
      /** Requests sent again after a kept-alive connection closed under them (LeanClient). */
      connection_retries: number;
    };

if (process.send) {
  const send = (m: FromAnnotators) => process.send!(m);
  const annotators: Annotator[] = [];
  process.on('message', (m: ToAnnotators) => {
    if (m.type === 'connect') {
      const t0 = performance.now();
      pool(m.annotators.length, 25, async (i) => {
        const a = m.annotators[i]!;
        const socket = connect(a.url, { transports: ['websocket'], extraHeaders: { cookie: a.cookie }, forceNew: true });
        annotators[i] = { id: a.id, client: new LeanClient(a.url, a.cookie, a.csrf), socket };
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
      }).then(
        () => send({ type: 'ready', connectMs: performance.now() - t0 }),
        (e: unknown) => send({ type: 'error', message: String(e) }),
      );
    } else if (m.type === 'run') {
      const run = newRun(m.from);
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const elu0 = performance.eventLoopUtilization();
      const retries0 = LeanClient.retries;
      const think = () => (m.thinkMax > 0 ? m.thinkMin + Math.random() * (m.thinkMax - m.thinkMin) : 0);
      const taking = annotators.slice(0, m.only ?? annotators.length);
      Promise.all(taking.map((a) => annotate(a, m.projectId, m.until, think, run, m.startWithin))).then(
        () => {
          delay.disable();
          send({
            type: 'result',
            run,
            elu: performance.eventLoopUtilization(elu0).utilization,
            loop_delay_p99_ms: delay.percentile(99) / 1e6,
            loop_delay_max_ms: delay.max / 1e6,
            connection_retries: LeanClient.retries - retries0,
          });
        },
        (e: unknown) => send({ type: 'error', message: String(e) }),
      );
    } else {
      for (const a of annotators) a.socket.disconnect();
      process.disconnect();
    }
  });
}
