/**
 * One client process of the real-time benchmark (bench/realtime.bench.ts forks several, over IPC).
 * It connects a slice of the signed-in users' Socket.IO clients to the server and joins them to the
 * project room, as the project dashboard and queue tab do, then records, for every `queue:counts`
 * each client receives, the `done` count it carries and the receipt time on the machine's monotonic
 * clock (`process.hrtime`, the same clock in every process, so the parent can subtract the time of
 * the submit that changed the counts).
 *
 * Why several processes: decoding thousands of Socket.IO messages per broadcast in one event loop queues
 * the later clients behind the earlier ones, so a single client process measures itself as much
 * as the server.
 */
import { performance } from 'node:perf_hooks';
import { io as connect, type Socket } from 'socket.io-client';
import { SERVER_EVENTS, type Ack, type QueueCounts } from '../core/src/index.ts';
import { pool } from './ipc.ts';

export type ToClients =
  | { type: 'connect'; url: string; projectId: string; cookies: string[]; width: number }
  | { type: 'start' }
  /** Stop once every client has seen counts with `done` ≥ finalDone (or at the deadline). */
  | { type: 'collect'; finalDone: number; deadlineMs: number };
export type FromClients =
  | { type: 'ready' }
  | { type: 'error'; message: string }
  /** Flat triples: client index in this process, the counts' `done`, receipt (hrtime ms). */
  | { type: 'result'; receipts: number[]; elu: number };

const hrMs = () => Number(process.hrtime.bigint()) / 1e6;

if (process.send) {
  const send = (m: FromClients) => process.send!(m);
  const sockets: Socket[] = [];
  const receipts: number[] = [];
  const seen: number[] = [];
  let elu0 = performance.eventLoopUtilization();
  process.on('message', (m: ToClients) => {
    if (m.type === 'connect') {
      pool(m.cookies.length, m.width, async (i) => {
        const s = connect(m.url, {
          transports: ['websocket'],
          extraHeaders: { cookie: m.cookies[i]! },
          reconnection: false,
          forceNew: true,
        });
        const index = sockets.push(s) - 1;
        await new Promise<void>((resolve, reject) => {
          s.once('connect', () => resolve());
          s.once('connect_error', reject);
        });
        s.on(SERVER_EVENTS.queueCounts, (c: QueueCounts) => {
          const at = hrMs();
          receipts.push(index, c.done, at);
          seen[index] = Math.max(seen[index] ?? 0, c.done);
        });
        const ack = await new Promise<Ack>((resolve) => s.emit('project:join', { projectId: m.projectId }, resolve));
        if (!ack.ok) throw new Error(`join: ${ack.message}`);
      }).then(
        () => send({ type: 'ready' }),
        (e: unknown) => send({ type: 'error', message: String(e) }),
      );
    } else if (m.type === 'start') {
      elu0 = performance.eventLoopUtilization();
    } else if (m.type === 'collect') {
      const elu = performance.eventLoopUtilization(elu0).utilization;
      const deadline = Date.now() + m.deadlineMs;
      const finish = () => {
        const all = sockets.every((_, i) => (seen[i] ?? 0) >= m.finalDone);
        if (!all && Date.now() < deadline) return void setTimeout(finish, 50);
        for (const s of sockets) s.disconnect();
        send({ type: 'result', receipts, elu }); // the parent ends this process once it has the result
      };
      finish();
    }
  });
}
