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
 *
 * The client library (the bench's CLIENT_LIB, sent with `connect`):
 *  - `wire` (default): each client is a WebSocket (the `ws` package, what socket.io-client uses in
 *    Node) that speaks the Engine.IO 4 / Socket.IO 5 protocol itself — the handshake with the
 *    session cookie, the namespace connect (`40`), pings answered (`2` → `3`), `project:join` with
 *    its ack (`420[…]` → `430[…]`) — and decodes every event frame with JSON.parse, as
 *    socket.io-client does, before it records the receipt. What it leaves out is socket.io-client's
 *    own dispatch (its emitters, Manager and decoder objects), 10–30 µs per message on this
 *    machine: on a dashboard that is spent on its own device, but 5,000 of them in four processes
 *    on the server's two cores are 50–140 ms more CPU per broadcast (one event to 5,000 sockets
 *    measured alone: the clients' CPU 143 vs 90 ms at load 11–14, 254 vs 112 ms at load ~24) that
 *    the broadcast waits behind — the bench measuring itself, which no user feels;
 *  - `socket.io`: the real socket.io-client per user, for comparison (its extra cost is in the
 *    figures then).
 */
import { performance } from 'node:perf_hooks';
import { io as connect, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { CLIENT_EVENTS, SERVER_EVENTS, type Ack, type QueueCounts } from '../core/src/index.ts';
import { pool } from './ipc.ts';

export type ToClients =
  | { type: 'connect'; url: string; projectId: string; cookies: string[]; width: number; lib: ClientLib }
  | { type: 'start' }
  /** Stop once every client has seen counts with `done` ≥ finalDone (or at the deadline). */
  | { type: 'collect'; finalDone: number; deadlineMs: number };
export type FromClients =
  | { type: 'ready' }
  | { type: 'error'; message: string }
  /** Flat triples: client index in this process, the counts' `done`, receipt (hrtime ms). */
  | { type: 'result'; receipts: number[]; elu: number };

/** The bench's client library: see the file comment. */
export type ClientLib = 'wire' | 'socket.io';

const hrMs = () => Number(process.hrtime.bigint()) / 1e6;

/** A dashboard's connection as the bench needs it: joined to the project room, calling back on each `queue:counts`. */
interface Dashboard {
  close(): void;
}
type OnCounts = (c: QueueCounts) => void;

async function socketIoDashboard(url: string, cookie: string, projectId: string, onCounts: OnCounts): Promise<Dashboard> {
  const s: Socket = connect(url, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  s.on(SERVER_EVENTS.queueCounts, onCounts);
  const ack = await new Promise<Ack>((resolve) => s.emit(CLIENT_EVENTS.joinProject, { projectId }, resolve));
  if (!ack.ok) throw new Error(`join: ${ack.message}`);
  return { close: () => void s.disconnect() };
}

/**
 * The same dashboard speaking the wire protocol over `ws`: Engine.IO 4 packets (`0` open, `2` ping,
 * `3` pong, `4` message) carrying Socket.IO 5 packets on the main namespace (`0` connect, `2` event,
 * `3` ack, `4` connect error), text frames only (the server sends no binary here).
 */
async function wireDashboard(url: string, cookie: string, projectId: string, onCounts: OnCounts): Promise<Dashboard> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, {
    headers: { cookie },
    perMessageDeflate: false,
  });
  let joined: ((a: Ack) => void) | null = null;
  const JOIN_ACK_ID = 1;
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`closed before connecting (${code})`)));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const frame = data.toString();
      const eio = frame[0];
      if (eio === '0') return void ws.send('40'); // open → connect to the main namespace
      if (eio === '2') return void ws.send('3'); // ping → pong
      if (eio !== '4') return;
      const sio = frame[1];
      if (sio === '2') {
        // An event: decoded as socket.io-client decodes it, then dispatched by name.
        const [name, payload] = JSON.parse(frame.slice(2)) as [string, unknown];
        if (name === SERVER_EVENTS.queueCounts) onCounts(payload as QueueCounts);
      } else if (sio === '3') {
        const open = frame.indexOf('[');
        if (Number(frame.slice(2, open)) === JOIN_ACK_ID && joined) joined((JSON.parse(frame.slice(open)) as [Ack])[0]);
      } else if (sio === '0') resolve();
      else if (sio === '4') reject(new Error(`connect_error: ${frame.slice(2)}`));
    });
  });
  const ack = await new Promise<Ack>((resolve) => {
    joined = resolve;
    ws.send(`42${JOIN_ACK_ID}${JSON.stringify([CLIENT_EVENTS.joinProject, { projectId }])}`);
  });
  if (!ack.ok) throw new Error(`join: ${ack.message}`);
  return { close: () => ws.close() };
}

if (process.send) {
  const send = (m: FromClients) => process.send!(m);
  const dashboards: Dashboard[] = [];
  const receipts: number[] = [];
  const seen: number[] = [];
  let count = 0;
  let elu0 = performance.eventLoopUtilization();
  process.on('message', (m: ToClients) => {
    if (m.type === 'connect') {
      pool(m.cookies.length, m.width, async (i) => {
        const index = count++;
        const open = m.lib === 'socket.io' ? socketIoDashboard : wireDashboard;
        dashboards[index] = await open(m.url, m.cookies[i]!, m.projectId, (c) => {
          const at = hrMs();
          receipts.push(index, c.done, at);
          seen[index] = Math.max(seen[index] ?? 0, c.done);
        });
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
        const all = dashboards.every((_, i) => (seen[i] ?? 0) >= m.finalDone);
        if (!all && Date.now() < deadline) return void setTimeout(finish, 50);
        for (const d of dashboards) d.close();
        send({ type: 'result', receipts, elu }); // the parent ends this process once it has the result
      };
      finish();
    }
  });
}
