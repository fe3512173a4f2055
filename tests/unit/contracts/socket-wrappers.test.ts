import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLIENT_EVENTS, type ClientToServerEvents, type ServerToClientEvents } from '@labelwork/core';
import { ApiError } from '../../../client/src/api/http.ts';
import { joinItem, joinProject, leaseHeartbeat, SOCKET_ACK_TIMEOUT_MS, type LabelworkSocket } from '../../../client/src/api/socket.ts';

const P = 'a'.repeat(24);
const I = 'b'.repeat(24);

// A real Socket.IO server answering as a Labelwork server may: a good ack, a failed one, a malformed one, none.
let server: Server<ClientToServerEvents, ServerToClientEvents>;
let socket: LabelworkSocket;
let url = '';

beforeAll(async () => {
  const http = createServer();
  server = new Server(http);
  server.on('connection', (s) => {
    s.on(CLIENT_EVENTS.leaseHeartbeat, (p, ack) => {
      if (p.leaseId === 'gone') ack({ ok: false, code: 'LEASE_EXPIRED', message: 'the lease is gone' });
      else if (p.leaseId === 'silent') return;
      else ack({ ok: true, leaseUntil: '2026-12-06T09:00:00.000Z' });
    });
    s.on(CLIENT_EVENTS.joinItem, (_p, ack) => (ack as (a: unknown) => void)({ ok: true, users: 'not a list' }));
    s.on(CLIENT_EVENTS.joinProject, (_p, ack) => ack({ ok: true }));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  socket = connect(url, { transports: ['websocket'] });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
});

afterAll(async () => {
  socket.disconnect();
  await server.close();
});

describe('client socket wrappers', () => {
  it('resolve with the ack body', async () => {
    await expect(leaseHeartbeat(socket, 'live')).resolves.toEqual({ leaseUntil: '2026-12-06T09:00:00.000Z' });
    await expect(joinProject(socket, P)).resolves.toBeUndefined();
  });

  it('turn a failed ack into the HTTP client’s ApiError with the code and its status', async () => {
    const e = await leaseHeartbeat(socket, 'gone').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ code: 'LEASE_EXPIRED', status: 410, message: 'the lease is gone' });
  });

  it('refuse an ack of the wrong shape as BAD_RESPONSE', async () => {
    await expect(joinItem(socket, P, I)).rejects.toMatchObject({ code: 'BAD_RESPONSE', status: 0 });
  });

  it('fail with TIMEOUT when no ack comes within SOCKET_ACK_TIMEOUT_MS', async () => {
    // Socket.IO's client takes its timer functions when the socket is made: this socket gets fake ones.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const own: LabelworkSocket = connect(url, { transports: ['websocket'] });
    try {
      await new Promise<void>((resolve) => own.once('connect', () => resolve()));
      let settled = false;
      const beat = leaseHeartbeat(own, 'silent')
        .catch((x: unknown) => x)
        .finally(() => (settled = true));
      await vi.advanceTimersByTimeAsync(SOCKET_ACK_TIMEOUT_MS - 1);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(await beat).toMatchObject({ name: 'ApiError', code: 'TIMEOUT', status: 0 });
    } finally {
      own.disconnect();
      vi.useRealTimers();
    }
  });
});
