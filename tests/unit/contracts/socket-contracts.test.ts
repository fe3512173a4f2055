import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_EVENT_ACKS,
  CLIENT_EVENT_PAYLOADS,
  CLIENT_EVENTS,
  DOMAIN_EVENT_SOCKET,
  INTER_SERVER_EVENTS,
  SERVER_EVENTS,
  AckEnvelope,
} from '@labelwork/core';
import { SOCKET_CALLS } from '../../../client/src/api/socket.ts';

const root = join(import.meta.dirname, '../../..');
const SCANNED = ['server/src', 'client/src', 'workers/src'];
/** The one file that sends client events (components call its wrappers). */
const CLIENT_WRAPPERS = 'client/src/api/socket.ts';

/**
 * Event names that are not part of the realtime contract and may be written as literals: Socket.IO's
 * own events, and those of Node (process, streams, sockets) and BullMQ workers.
 */
const BUILT_IN_EVENTS = new Set([
  'connect',
  'connection',
  'disconnect',
  'disconnecting',
  'connect_error',
  'reconnect',
  'reconnect_attempt',
  'reconnect_failed',
  'ping',
  'error',
  'close',
  'end',
  'finish',
  'drain',
  'data',
  'exit',
  'message',
  'ready',
  'SIGINT',
  'SIGTERM',
  'stalled',
  'failed',
  'completed',
  'active',
  'progress',
  'drained',
]);

const mapNames = new Set<string>([...Object.values(SERVER_EVENTS), ...Object.values(CLIENT_EVENTS), ...Object.values(INTER_SERVER_EVENTS)]);

/** Emit/listen calls whose event is a string literal: `.emit('x'`, `.timeout(n).emit('x'`, `.on('x'`, … */
const LITERAL_EVENT =
  /\.(emit|emitWithAck|volatile\.emit|serverSideEmit|serverSideEmitWithAck|on|once|off|addListener|removeListener|prependListener)\(\s*(['"`])([^'"`]*)\2/g;

/** Problems in one source text: literal event names that belong to (or look like) the realtime contract, or are unknown. */
function literalEventProblems(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(LITERAL_EVENT)) {
    const name = m[3]!;
    const line = text.slice(0, m.index).split('\n').length;
    if (mapNames.has(name)) out.push(`${file}:${line} names '${name}' as a literal; use its constant from core/src/contracts/socket.ts`);
    else if (!BUILT_IN_EVENTS.has(name))
      out.push(`${file}:${line} uses event '${name}', which is not in the realtime map (core/src/contracts/socket.ts)`);
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

const files = SCANNED.flatMap(sourceFiles);

describe('the realtime contract', () => {
  it('scans a real tree', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain(CLIENT_WRAPPERS);
    expect(files).toContain('server/src/socket.ts');
  });

  it('flags literal event names and names missing from the map', () => {
    const src = [
      "socket.timeout(5000).emit('review:join', { projectId }, cb);",
      "ctx.io?.to(room).emit('review:surprise', {});",
      "socket.on(SERVER_EVENTS.reviewQueued, f); socket.on('connect', f); process.on('SIGTERM', f);",
    ].join('\n');
    expect(literalEventProblems('x.ts', src)).toEqual([
      "x.ts:1 names 'review:join' as a literal; use its constant from core/src/contracts/socket.ts",
      "x.ts:2 uses event 'review:surprise', which is not in the realtime map (core/src/contracts/socket.ts)",
    ]);
  });

  it('server, workers and client emit and listen only through the map (or built-in events)', () => {
    const problems = files.flatMap((f) => literalEventProblems(f, readFileSync(join(root, f), 'utf8')));
    expect(problems).toEqual([]);
  });

  it('names every event once, and no client and server event share a name', () => {
    const all = [...Object.values(SERVER_EVENTS), ...Object.values(CLIENT_EVENTS), ...Object.values(INTER_SERVER_EVENTS)];
    expect(new Set(all).size).toBe(all.length);
  });

  it('gives every client event a payload schema that refuses an empty payload, and an ack schema', () => {
    for (const event of Object.values(CLIENT_EVENTS)) {
      expect(CLIENT_EVENT_PAYLOADS[event], event).toBeDefined();
      expect(CLIENT_EVENT_PAYLOADS[event].safeParse({}).success, event).toBe(false);
      expect(CLIENT_EVENT_ACKS[event], event).toBeDefined();
    }
    expect(Object.keys(CLIENT_EVENT_PAYLOADS).sort()).toEqual(Object.values(CLIENT_EVENTS).sort());
    expect(Object.keys(CLIENT_EVENT_ACKS).sort()).toEqual(Object.values(CLIENT_EVENTS).sort());
  });

  it('accepts acks with a code from the error table only', () => {
    expect(AckEnvelope.safeParse({ ok: false, code: 'LEASE_EXPIRED', message: 'gone' }).success).toBe(true);
    expect(AckEnvelope.safeParse({ ok: false, code: 'TIMEOUTISH', message: 'x' }).success).toBe(false);
    expect(CLIENT_EVENT_ACKS[CLIENT_EVENTS.leaseHeartbeat].safeParse({ ok: true }).success).toBe(false);
    expect(CLIENT_EVENT_ACKS[CLIENT_EVENTS.leaseHeartbeat].safeParse({ ok: true, leaseUntil: '2026-12-06T09:00:00.000Z' }).success).toBe(
      true,
    );
  });

  it('has one client wrapper per client event, and only the wrappers file sends client events', () => {
    expect(Object.keys(SOCKET_CALLS).sort()).toEqual(Object.values(CLIENT_EVENTS).sort());
    for (const f of Object.values(SOCKET_CALLS)) expect(typeof f).toBe('function');
    const wrappers = readFileSync(join(root, CLIENT_WRAPPERS), 'utf8');
    for (const key of Object.keys(CLIENT_EVENTS))
      expect(wrappers, key).toMatch(new RegExp(`send\\(socket, CLIENT_EVENTS\\.${key}\\b|emit\\(CLIENT_EVENTS\\.${key}\\b`));
    const senders = files.filter(
      (f) =>
        f.startsWith('client/') &&
        f !== CLIENT_WRAPPERS &&
        /CLIENT_EVENTS|\.emitWithAck\(|\.timeout\([^)]*\)\s*\.emit/.test(readFileSync(join(root, f), 'utf8')),
    );
    expect(senders).toEqual([]);
  });

  it('relays every domain event as a server event of the map', () => {
    const serverEvents = new Set<string>(Object.values(SERVER_EVENTS));
    for (const socketEvent of Object.values(DOMAIN_EVENT_SOCKET)) expect(serverEvents.has(socketEvent)).toBe(true);
  });
});
