/**
 * One client process of the real-time benchmark (bench/realtime.bench.ts forks several, over IPC).
 * It connects a slice of the signed-in users' Socket.IO clients to the server and joins them to the
 * project room, then records, for every announcement each client receives, the broadcast number and
 * the receipt time on the machine's monotonic clock (`process.hrtime`, the same clock in every
 * process, so the parent can subtract its own send times), plus the fan-out time from the server's
 * `at` (wall clock, 1 ms resolution).
 *
 * Why several processes: decoding 1000 Socket.IO messages per broadcast in one event loop queues
 * the later clients behind the earlier ones, so a single client process measures itself as much
 * as the server.
 */
import { performance } from 'node:perf_hooks';
import { io as connect, type Socket } from 'socket.io-client';
import type { Ack, AnnouncementPayload } from '../core/src/index.ts';

export type ToClients =
  | { type: 'connect'; url: string; projectId: string; cookies: string[]; width: number }
  | { type: 'start' }
  | { type: 'collect'; broadcasts: number; deadlineMs: number };
export type FromClients =
  | { type: 'ready' }
  | { type: 'error'; message: string }
  /** Flat triples: broadcast number, receipt (hrtime ms), fan-out ms (NaN when `at` was not parsable). */
  | { type: 'result'; receipts: number[]; elu: number };

const hrMs = () => Number(process.hrtime.bigint()) / 1e6;

async function pool(n: number, width: number, f: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) await f(next++);
    }),
  );
}

if (process.send) {
  const send = (m: FromClients) => process.send!(m);
  const sockets: Socket[] = [];
  const receipts: number[] = [];
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
        sockets.push(s);
        await new Promise<void>((resolve, reject) => {
          s.once('connect', () => resolve());
          s.once('connect_error', reject);
        });
        s.on('project:announcement', (a: AnnouncementPayload) => {
          const at = hrMs();
          receipts.push(Number(a.text.slice(2)), at, Date.now() - Date.parse(a.at));
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
      const expected = m.broadcasts * sockets.length * 3;
      const deadline = Date.now() + m.deadlineMs;
      const finish = () => {
        if (receipts.length < expected && Date.now() < deadline) return void setTimeout(finish, 50);
        for (const s of sockets) s.disconnect();
        send({ type: 'result', receipts, elu }); // the parent ends this process once it has the result
      };
      finish();
    }
  });
}
