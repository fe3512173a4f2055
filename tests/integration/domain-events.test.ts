import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { MongoClient } from 'mongodb';
import type { Socket } from 'socket.io-client';
import {
  CLIENT_EVENTS,
  DOMAIN_EVENTS,
  DOMAIN_EVENT_GROUPS,
  SERVER_EVENTS,
  domainEventsStream,
  parseDomainEvent,
  reviewKeys,
  type Ack,
  type DomainEvent,
  type ItemCompletePayload,
  type ProjectAgreementPayload,
} from '@labelwork/core';
import { startDomainEventConsumer } from '@labelwork/engine';
import { createLogger } from '../../server/src/infra/logger.ts';
import { handleReviewEvent, lowAgreementRoutedKey } from '../../server/src/modules/review/review.routing.ts';
import { appendDomainEvent } from '@labelwork/engine';
import { ApiClient } from '../support/api-client.ts';
import { testRedis } from '../support/redis-client.ts';
import { spawnServer, spawnWorkers, sharedEnv, type Proc, type ServerProc } from '../support/processes.ts';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../support/test-app.ts';
import { answer, connected, makeUsers, sid, socketFor, textProject, waitFor, type TestUser } from '../support/tasks.ts';

/**
 * Domain events on the Redis Stream: routing that must happen (low-agreement review) survives a
 * time with no server process and happens once; a failed handler's event is retried by another
 * consumer; socket relay reaches clients on every process; malformed entries are skipped.
 */

const redis = testRedis(inject('redisUrl'));
const sockets: Socket[] = [];
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  redis.disconnect();
});

async function annotate(u: TestUser, projectId: string, i: number): Promise<{ itemId: string; annotationId: string }> {
  const n = await u.client.post(`/api/projects/${projectId}/tasks/next`);
  if (n.status !== 200) throw new Error(`next: ${JSON.stringify(n.body)}`);
  const s = await u.client.post(`/api/tasks/${n.body.task.leaseId}/submit`, { submissionId: sid(), ...answer(i) });
  if (s.status !== 201) throw new Error(`submit: ${JSON.stringify(s.body)}`);
  return { itemId: n.body.task.item.id, annotationId: s.body.annotation.id };
}

/** Review tasks in a project's queue (pending or leased), as {annotationId, reasons}. */
async function reviewTasks(
  prefix: string,
  projectId: string,
): Promise<{ taskId: string; itemId: string; annotationId: string; reasons: string }[]> {
  const keys = reviewKeys(prefix, projectId);
  const ids = [...(await redis.zrange(keys.pending, 0, -1)), ...(await redis.zrange(keys.leased, 0, -1))];
  return Promise.all(
    ids.map(async (taskId) => {
      const h = await redis.hgetall(keys.task(taskId));
      return { taskId, itemId: h.itemId!, annotationId: h.annotationId!, reasons: h.reasons! };
    }),
  );
}

async function pendingCount(prefix: string, group: string): Promise<number> {
  const [count] = (await redis.xpending(domainEventsStream(prefix), group)) as [number, ...unknown[]];
  return Number(count);
}

async function streamEvents(prefix: string): Promise<DomainEvent[]> {
  const entries = (await redis.xrange(domainEventsStream(prefix), '-', '+')) as [string, string[]][];
  return entries.map(([, f]) => parseDomainEvent(f)).filter((e): e is DomainEvent => e !== null);
}

const policy = { agreementBelow: 0.99, sampleRate: 0 };

/** The same session on another server process (sessions live in Redis). */
function sameSessionOn(url: string, c: ApiClient): ApiClient {
  const other = new ApiClient(url);
  other.cookie = c.cookie;
  other.csrf = c.csrf;
  return other;
}

describe('domain events across server processes (real main.ts processes)', () => {
  const env = sharedEnv(inject('mongoUrl'), inject('redisUrl'));
  const procs: Proc[] = [];
  let lead: TestUser;
  let annos: TestUser[];
  let projectId = '';
  let itemId = '';
  let annotationIds: string[] = [];
  let serverB: ServerProc;
  let serverC: ServerProc;

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    const mongo = await new MongoClient(env.MONGO_URL!).connect();
    await mongo
      .db(env.MONGO_DB)
      .dropDatabase()
      .catch(() => undefined);
    await mongo.close();
  });

  it('routes a low-agreement item once when its event was appended while no server process ran; a later server does not route it again', async () => {
    const a = await spawnServer(env);
    procs.push(a);
    const admin = new ApiClient(a.url);
    await admin.login('admin', ADMIN_PASSWORD);
    [lead] = (await makeUsers(admin, 'lead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
    annos = await makeUsers(admin, 'anno', 2);
    ({ projectId } = await textProject(
      lead.client,
      annos.map((u) => u.id),
      { n: 1, overlap: 2, reviewPolicy: policy },
    ));
    // Two different answers (neg vs pos): agreement under the threshold. No workers yet: no event.
    const first = await annotate(annos[0]!, projectId, 0);
    const second = await annotate(annos[1]!, projectId, 1);
    itemId = first.itemId;
    annotationIds = [first.annotationId, second.annotationId].sort();
    expect(await a.stop()).toBe(0);
    procs.splice(procs.indexOf(a), 1);

    // No server process at all while the worker records the item's completion.
    const workers = await spawnWorkers(env);
    procs.push(workers);
    const completed = await waitFor(
      'item.completed on the stream',
      async () => (await streamEvents(env.REDIS_PREFIX!)).find((e) => e.type === DOMAIN_EVENTS.itemCompleted && e.data.itemId === itemId),
      30_000,
    );
    expect(completed.data).toMatchObject({ projectId, itemId, annotators: 2 });
    expect(await reviewTasks(env.REDIS_PREFIX!, projectId)).toEqual([]);

    serverB = await spawnServer(env);
    procs.push(serverB);
    const routed = await waitFor(
      'low-agreement routing on the server that started later',
      async () => {
        const tasks = await reviewTasks(env.REDIS_PREFIX!, projectId);
        return tasks.length >= 2 ? tasks : null;
      },
      20_000,
    );
    expect(routed.map((t) => t.annotationId).sort()).toEqual(annotationIds);
    expect(routed.every((t) => t.itemId === itemId && t.reasons === 'low-agreement')).toBe(true);
    await waitFor('the event acknowledged', async () => (await pendingCount(env.REDIS_PREFIX!, DOMAIN_EVENT_GROUPS.reviewRouting)) === 0);
    expect(await redis.exists(lowAgreementRoutedKey(env.REDIS_PREFIX!, projectId, itemId))).toBe(1);

    // A second server process joins the group later: the event is not handed to it again.
    serverC = await spawnServer(env);
    procs.push(serverC);
    // The same fact recorded twice (a retried job appends the same eventId): still routed once.
    await appendDomainEvent(redis, env.REDIS_PREFIX!, completed);
    await waitFor('the duplicate acknowledged', async () => {
      const groups = (await redis.xinfo('GROUPS', domainEventsStream(env.REDIS_PREFIX!))) as unknown[][];
      const g = groups.find((x) => x[1] === DOMAIN_EVENT_GROUPS.reviewRouting)!;
      return Number(g[g.indexOf('lag') + 1]) === 0 && Number(g[g.indexOf('pending') + 1]) === 0;
    });
    await new Promise((r) => setTimeout(r, 500));
    const after = await reviewTasks(env.REDIS_PREFIX!, projectId);
    expect(after.map((t) => t.annotationId).sort()).toEqual(annotationIds);
    // The reviewer sees it on either process (one queue), the item's two annotations once each.
    const counts = (await sameSessionOn(serverC.url, lead.client).get(`/api/projects/${projectId}/review/counts`)).body;
    expect(counts.pending).toBe(2);
  }, 180_000);

  it('relays events to the sockets of every server process, each client once', async () => {
    const onB = sameSessionOn(serverB.url, lead.client);
    const onC = sameSessionOn(serverC.url, lead.client);
    const [sb, sc] = [socketFor(onB), socketFor(onC)];
    sockets.push(sb, sc);
    await Promise.all([connected(sb), connected(sc)]);
    for (const s of [sb, sc])
      expect(await new Promise<Ack>((resolve) => s.emit(CLIENT_EVENTS.joinProject, { projectId }, resolve))).toEqual({ ok: true });
    const got = { b: [] as unknown[], c: [] as unknown[] };
    sb.on(SERVER_EVENTS.projectAgreement, (p) => got.b.push(p));
    sc.on(SERVER_EVENTS.projectAgreement, (p) => got.c.push(p));
    sb.on(SERVER_EVENTS.itemComplete, (p) => got.b.push(p));
    sc.on(SERVER_EVENTS.itemComplete, (p) => got.c.push(p));
    const agreement: ProjectAgreementPayload = { projectId, at: new Date().toISOString(), items: 1, byTool: { 'class-single': 0 } };
    await appendDomainEvent(redis, env.REDIS_PREFIX!, {
      type: DOMAIN_EVENTS.projectAgreementUpdated,
      eventId: sid(),
      at: Date.now(),
      data: agreement,
    });
    const complete: ItemCompletePayload = { projectId, itemId, annotators: 2, agreement: { 'class-single': 0 } };
    await appendDomainEvent(redis, env.REDIS_PREFIX!, {
      type: DOMAIN_EVENTS.itemCompleted,
      eventId: sid(),
      at: Date.now(),
      data: complete,
    });
    await waitFor('both processes relayed both events', async () => got.b.length >= 2 && got.c.length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(got.b).toEqual([agreement, complete]);
    expect(got.c).toEqual([agreement, complete]);
  }, 60_000);
});

describe('domain-event consumers (in-process server)', () => {
  let t: TestApp;
  let annos: TestUser[];
  let projectId = '';
  const items: { itemId: string; annotationIds: string[] }[] = [];
  const log = createLogger('silent');

  beforeAll(async () => {
    t = await startTestApp();
    const admin = await t.admin();
    const [lead] = (await makeUsers(admin, 'lead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
    annos = await makeUsers(admin, 'anno', 2);
    ({ projectId } = await textProject(
      lead.client,
      annos.map((u) => u.id),
      { n: 2, overlap: 2, reviewPolicy: policy },
    ));
    // No workers: the items' completions are recorded by the tests themselves.
    const done = new Map<string, string[]>();
    for (let round = 0; round < 2; round++) {
      for (const [i, u] of annos.entries()) {
        const r = await annotate(u, projectId, i);
        done.set(r.itemId, [...(done.get(r.itemId) ?? []), r.annotationId]);
      }
    }
    for (const [itemId, ids] of done) items.push({ itemId, annotationIds: ids.sort() });
    expect(items).toHaveLength(2);
  });
  afterAll(async () => {
    await t?.close();
  });

  const completedEvent = (itemId: string, eventId = sid()): DomainEvent => ({
    type: DOMAIN_EVENTS.itemCompleted,
    eventId,
    at: Date.now(),
    data: { projectId, itemId, annotators: 2, agreement: { 'class-single': 0 } },
  });

  it('leaves an event whose handler failed pending, and another consumer claims and handles it (XAUTOCLAIM)', async () => {
    // A stream of its own (another prefix), read by two consumers of one group whose handler is the
    // review module's; the server's own consumer does not read it.
    const prefix = `${t.prefix}x`;
    const deps = { redis: t.app.ctx.redis, prefix, log };
    let failed = 0;
    const crashing = await startDomainEventConsumer(deps, {
      group: DOMAIN_EVENT_GROUPS.reviewRouting,
      claimIdleMs: 60_000,
      blockMs: 200,
      handle: async () => {
        failed++;
        throw new Error('database unreachable');
      },
    });
    const item = items[0]!;
    await appendDomainEvent(redis, prefix, completedEvent(item.itemId));
    await waitFor('the first consumer tried', async () => failed === 1);
    const [count, , , perConsumer] = (await redis.xpending(domainEventsStream(prefix), DOMAIN_EVENT_GROUPS.reviewRouting)) as [
      number,
      string,
      string,
      [string, string][],
    ];
    expect([Number(count), perConsumer]).toEqual([1, [[crashing.consumer, '1']]]);
    expect(await reviewTasks(t.prefix, projectId)).toEqual([]);

    let handled = 0;
    const healthy = await startDomainEventConsumer(deps, {
      group: DOMAIN_EVENT_GROUPS.reviewRouting,
      claimIdleMs: 300,
      blockMs: 200,
      handle: async (e) => {
        await handleReviewEvent(t.app.ctx, e);
        handled++;
      },
    });
    try {
      const routed = await waitFor(
        'routed by the second consumer',
        async () => {
          const tasks = (await reviewTasks(t.prefix, projectId)).filter((x) => x.itemId === item.itemId);
          return tasks.length === 2 ? tasks : null;
        },
        10_000,
      );
      expect(routed.map((x) => x.annotationId).sort()).toEqual(item.annotationIds);
      await waitFor('acknowledged', async () => (await pendingCount(prefix, DOMAIN_EVENT_GROUPS.reviewRouting)) === 0);
      expect([failed, handled]).toEqual([1, 1]);
    } finally {
      await crashing.close();
      await healthy.close();
      await redis.del(domainEventsStream(prefix));
    }
  });

  it('removes the consumers of processes that died once they hold nothing, and keeps one that still holds an event', async () => {
    const prefix = `${t.prefix}g`;
    const stream = domainEventsStream(prefix);
    const group = DOMAIN_EVENT_GROUPS.reviewRouting;
    await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
    // Two processes that died: one left nothing, one left an event unacknowledged.
    await redis.xgroup('CREATECONSUMER', stream, group, 'dead-empty');
    await appendDomainEvent(redis, prefix, completedEvent(items[0]!.itemId));
    await redis.xreadgroup('GROUP', group, 'dead-holding', 'COUNT', 1, 'STREAMS', stream, '>');
    await new Promise((r) => setTimeout(r, 400));
    const names = async () =>
      ((await redis.xinfo('CONSUMERS', stream, group)) as unknown[][]).map((c) => String(c[c.indexOf('name') + 1])).sort();
    let handled = 0;
    const live = await startDomainEventConsumer(
      { redis: t.app.ctx.redis, prefix, log },
      {
        group,
        claimIdleMs: 60_000,
        blockMs: 200,
        deadConsumerIdleMs: 300,
        handle: async () => {
          handled++;
        },
      },
    );
    try {
      await waitFor('the empty dead consumer removed', async () => !(await names()).includes('dead-empty'));
      // The one holding an event stays until its entry is claimed (here: it is idle less than claimIdleMs).
      expect(await names()).toContain('dead-holding');
      expect(handled).toBe(0);
    } finally {
      await live.close();
      await redis.del(stream);
    }
  });

  it('skips and acknowledges malformed entries without stopping, then handles the next event', async () => {
    const stream = domainEventsStream(t.prefix);
    await redis.xadd(stream, '*', 'e', 'not json');
    await redis.xadd(stream, '*', 'x', 'no event field');
    await redis.xadd(
      stream,
      '*',
      'type',
      'item.completed',
      'e',
      JSON.stringify({ type: 'item.completed', eventId: 'e1', at: 1, data: { projectId } }),
    );
    await redis.xadd(stream, '*', 'e', JSON.stringify({ type: 'item.deleted', eventId: 'e2', at: 1, data: {} }));
    const item = items[1]!;
    await appendDomainEvent(redis, t.prefix, completedEvent(item.itemId));
    const routed = await waitFor(
      'the valid event routed after the malformed ones',
      async () => {
        const tasks = (await reviewTasks(t.prefix, projectId)).filter((x) => x.itemId === item.itemId);
        return tasks.length === 2 ? tasks : null;
      },
      15_000,
    );
    expect(routed.map((x) => x.annotationId).sort()).toEqual(item.annotationIds);
    await waitFor('everything acknowledged', async () => (await pendingCount(t.prefix, DOMAIN_EVENT_GROUPS.reviewRouting)) === 0);
    expect((await fetch(`${t.url}/api/health`)).status).toBe(200);
  });
});
