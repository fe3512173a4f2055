import { ObjectId } from 'mongodb';
import {
  activeThroughput,
  addConfusion,
  bucketCounts,
  forecast,
  labelConfusion,
  meanCi,
  outliers,
  singleClassChoice,
  toCsv,
  type AnnotatorFigures,
  type AnnotatorHistory,
  type Dashboard,
  type Outlier,
} from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import type { AgreementDoc, ProjectDoc, UserDoc } from '@labelwork/engine';
import { AppError } from '../../http/errors.ts';
import { loadProject } from '../access/index.ts';
import { queueCounts } from '../tasks/index.ts';
import { reviewQueue } from '../review/index.ts';

type ItemRow = Extract<AgreementDoc, { scope: 'item' }>;
type ProjectRow = Extract<AgreementDoc, { scope: 'project' }>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Items listed behind an outlier. */
const LINKED_ITEMS = 50;
/** A gold answer under this score counts as wrong in the links behind a gold-accuracy outlier. */
const GOLD_WRONG = 0.5;

interface Facts {
  project: ProjectDoc;
  anns: { _id: ObjectId; userId: ObjectId; itemId: ObjectId; createdAt: Date; durationMs?: number; gold: boolean; leaseId?: string }[];
  gold: { userId: ObjectId; itemId: ObjectId; value: number | null; annotationId: ObjectId }[];
  verdicts: { annotatorId: ObjectId; itemId: ObjectId; verdict: 'accept' | 'reject' | 'fix'; at: Date }[];
  items: ItemRow[];
  series: ProjectRow[];
  names: Map<string, string>;
}

async function facts(ctx: AppContext, project: ProjectDoc, userId?: ObjectId): Promise<Facts> {
  const projectId = project._id;
  const by = userId ? { userId } : {};
  const [anns, gold, verdicts, items, series] = await Promise.all([
    ctx.db.annotations
      .find({ projectId, ...by }, ctx.db.dashboardReads)
      .project<Facts['anns'][number]>({ userId: 1, itemId: 1, createdAt: 1, durationMs: 1, gold: 1, leaseId: 1 })
      .limit(500_000)
      .toArray(),
    ctx.db.agreements
      .find({ projectId, scope: 'gold', ...by }, ctx.db.dashboardReads)
      .project<Facts['gold'][number]>({ userId: 1, itemId: 1, value: 1, annotationId: 1 })
      .toArray(),
    ctx.db.reviews
      .find({ projectId, type: 'verdict', ...(userId ? { annotatorId: userId } : {}) }, ctx.db.dashboardReads)
      .project<Facts['verdicts'][number]>({ annotatorId: 1, itemId: 1, verdict: 1, at: 1 })
      .toArray(),
    userId
      ? Promise.resolve([])
      : (ctx.db.agreements.find({ projectId, scope: 'item' }, ctx.db.dashboardReads).toArray() as Promise<ItemRow[]>),
    ctx.db.agreements.find({ projectId, scope: 'project' }, ctx.db.dashboardReads).sort({ at: 1 }).limit(1000).toArray() as Promise<
      ProjectRow[]
    >,
  ]);
  const ids = new Set<string>([...project.memberIds, project.ownerId].map((i) => i.toHexString()));
  for (const a of anns) ids.add(a.userId.toHexString());
  const users = await ctx.db.users.find({}).project<{ _id: ObjectId; username: string }>({ username: 1 }).toArray();
  const names = new Map(users.filter((u) => ids.has(u._id.toHexString())).map((u) => [u._id.toHexString(), u.username]));
  return { project, anns, gold, verdicts, items, series, names };
}

function figuresOf(f: Facts): AnnotatorFigures[] {
  const latestPairs = f.series.at(-1)?.pairs ?? [];
  const per = new Map<string, { submitted: number; dur: number[]; gold: number[]; reviewed: number; rejected: number; pair: number[] }>();
  const row = (id: string) => per.get(id) ?? per.set(id, { submitted: 0, dur: [], gold: [], reviewed: 0, rejected: 0, pair: [] }).get(id)!;
  for (const a of f.anns) {
    const r = row(a.userId.toHexString());
    r.submitted++;
    if (typeof a.durationMs === 'number') r.dur.push(a.durationMs / 1000);
  }
  for (const g of f.gold) if (typeof g.value === 'number') row(g.userId.toHexString()).gold.push(g.value);
  for (const v of f.verdicts) {
    const r = row(v.annotatorId.toHexString());
    r.reviewed++;
    if (v.verdict === 'reject') r.rejected++;
  }
  for (const p of latestPairs) {
    const v = pairValue(p);
    if (v === null) continue;
    row(p.a).pair.push(v);
    row(p.b).pair.push(v);
  }
  return [...per.entries()].map(([userId, r]) => ({
    userId,
    submitted: r.submitted,
    secondsPerItem: meanCi(r.dur, false).mean,
    goldAccuracy: meanCi(r.gold).mean,
    goldN: r.gold.length,
    reviewed: r.reviewed,
    rejected: r.rejected,
    rejectionRate: r.reviewed ? r.rejected / r.reviewed : null,
    agreement: meanCi(r.pair).mean,
  }));
}

function pairValue(p: ProjectRow['pairs'][number]): number | null {
  if (typeof p.classKappa === 'number') return p.classKappa;
  return meanCi(Object.values(p.byTool).filter((v): v is number => typeof v === 'number')).mean;
}

function outlierItems(f: Facts, o: Outlier): string[] {
  const uid = o.userId;
  let ids: ObjectId[];
  if (o.figure === 'goldAccuracy')
    ids = f.gold.filter((g) => g.userId.toHexString() === uid && (g.value ?? 1) < GOLD_WRONG).map((g) => g.itemId);
  else if (o.figure === 'rejectionRate')
    ids = f.verdicts.filter((v) => v.annotatorId.toHexString() === uid && v.verdict === 'reject').map((v) => v.itemId);
  else ids = f.anns.filter((a) => a.userId.toHexString() === uid && !a.gold).map((a) => a.itemId);
  return [...new Set(ids.map((i) => i.toHexString()))].slice(0, LINKED_ITEMS);
}

/** Everything the lead's dashboard shows for a project (leads and admins). */
export async function projectDashboard(ctx: AppContext, user: UserDoc, projectId: ObjectId): Promise<Dashboard> {
  const project = await loadProject(ctx, user, projectId, 'manage');
  const f = await facts(ctx, project);
  const now = ctx.now();
  const pid = project._id.toHexString();
  const [items, live, reviewCounts] = await Promise.all([
    ctx.db.items.countDocuments({ projectId: project._id, isGold: false }),
    queueCounts(ctx, project._id).catch(() => null),
    reviewQueue(ctx, pid).counts(now),
  ]);
  const work = f.anns.filter((a) => !a.gold);
  const doneTimes = work.map((a) => a.createdAt.getTime());
  const tasksTotal = items * project.overlap;
  const byTool: Dashboard['agreement']['byTool'] = {};
  const latest = f.series.at(-1);
  const tools = new Set<string>([...Object.keys(latest?.byTool ?? {}), ...f.items.flatMap((r) => Object.keys(r.summary))]);
  for (const tool of tools) {
    const vals = f.items
      .map((r) => (r.summary as Record<string, number | null | undefined>)[tool])
      .filter((v): v is number => typeof v === 'number');
    const lt = (latest?.byTool as Record<string, { value: number | null; metric: string; items: number } | undefined> | undefined)?.[tool];
    byTool[tool] = {
      value: lt?.value ?? null,
      metric: lt?.metric ?? 'mean item agreement',
      items: lt?.items ?? vals.length,
      ci: meanCi(vals),
    };
  }
  const consensusClass = (r: ItemRow) => singleClassChoice(r.consensus.regions, project.labelSchema);
  const figures = figuresOf(f);
  const name = (id: string) => f.names.get(id) ?? id;
  // Outliers link to the items behind them, shown by their number in the project.
  const flagged = outliers(figures).map((o) => ({ ...o, username: name(o.userId), itemIds: outlierItems(f, o) }));
  const linked = [...new Set(flagged.flatMap((o) => o.itemIds))].map((id) => new ObjectId(id));
  const seqs = linked.length
    ? new Map(
        (
          await ctx.db.items
            .find({ _id: { $in: linked } })
            .project<{ _id: ObjectId; seq: number }>({ seq: 1 })
            .toArray()
        ).map((d) => [d._id.toHexString(), d.seq]),
      )
    : new Map<string, number>();
  const accepted = f.verdicts.filter((v) => v.verdict === 'accept').length;
  const rejected = f.verdicts.filter((v) => v.verdict === 'reject').length;
  const fixed = f.verdicts.filter((v) => v.verdict === 'fix').length;
  return {
    projectId: pid,
    generatedAt: new Date(now).toISOString(),
    progress: {
      items,
      done: f.items.length,
      leased: live?.leased ?? null,
      submitted: work.length,
      tasksTotal,
      forecast: forecast(Math.max(0, tasksTotal - work.length), doneTimes, now, DAY),
    },
    throughput: {
      hourly: bucketCounts(doneTimes, now - 48 * HOUR, now, HOUR),
      daily: bucketCounts(doneTimes, now - 30 * DAY, now, DAY),
      // Live work only: imported annotations (a dataset import's, lease `import:<id>`; placeholder annotators') are no one's activity.
      active: activeThroughput(
        work
          .filter((a) => !a.leaseId?.startsWith('import:'))
          .map((a) => ({ userId: a.userId.toHexString(), at: a.createdAt.getTime(), durationMs: a.durationMs ?? null })),
        now - DAY,
        now,
      ),
    },
    agreement: {
      byTool,
      series: f.series.map((s) => ({
        at: s.at.toISOString(),
        byTool: Object.fromEntries(Object.entries(s.byTool).map(([t, v]) => [t, v?.value ?? null])),
      })),
    },
    pairs: (latest?.pairs ?? []).map((p) => ({ a: p.a, b: p.b, items: p.items, value: pairValue(p) })),
    confusion: {
      ...labelConfusion(f.items.map((r) => ({ classChoice: r.classChoice, consensus: consensusClass(r) }))),
      regions: f.items.reduce((m, r) => addConfusion(m, r.regionConfusion), {}),
    },
    annotators: figures.map((r) => ({ ...r, username: name(r.userId) })).sort((a, b) => a.username.localeCompare(b.username)),
    outliers: flagged.map((o) => ({
      ...o,
      itemSeqs: Object.fromEntries(o.itemIds.flatMap((id) => (seqs.has(id) ? [[id, seqs.get(id)!]] : []))),
    })),
    review: { counts: reviewCounts, accepted, rejected, fixed, rejectionRate: f.verdicts.length ? rejected / f.verdicts.length : null },
  };
}

export type { AnnotatorHistory } from '@labelwork/core';

/** One annotator's figures and item history in a project (newest first). */
export async function annotatorHistory(ctx: AppContext, user: UserDoc, projectId: ObjectId, userId: ObjectId): Promise<AnnotatorHistory> {
  const project = await loadProject(ctx, user, projectId, 'manage');
  const f = await facts(ctx, project, userId);
  const uid = userId.toHexString();
  if (!f.names.has(uid) && !f.anns.length) throw new AppError('NOT_FOUND', 'no such annotator in this project');
  const goldBy = new Map(f.gold.map((g) => [g.annotationId.toHexString(), g.value]));
  const verdictsBy = new Map<string, AnnotatorHistory['items'][number]['verdicts']>();
  for (const v of [...f.verdicts].sort((a, b) => a.at.getTime() - b.at.getTime()))
    verdictsBy.set(v.itemId.toHexString(), [...(verdictsBy.get(v.itemId.toHexString()) ?? []), v.verdict]);
  // Item numbers and short names for the history table (the long text itself is not read).
  const itemDocs = await ctx.db.items
    .find({ _id: { $in: [...new Map(f.anns.map((a) => [a.itemId.toHexString(), a.itemId])).values()] } })
    .project<{ _id: ObjectId; seq: number; externalId?: string; image?: { name: string } }>({ seq: 1, externalId: 1, image: 1 })
    .toArray();
  const itemBy = new Map(itemDocs.map((i) => [i._id.toHexString(), i]));
  return {
    userId: uid,
    username: f.names.get(uid) ?? uid,
    figures: figuresOf(f).find((r) => r.userId === uid) ?? null,
    items: f.anns
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((a) => {
        const it = itemBy.get(a.itemId.toHexString());
        return {
          itemId: a.itemId.toHexString(),
          seq: it?.seq ?? null,
          name: it?.image?.name ?? it?.externalId ?? null,
          annotationId: a._id.toHexString(),
          at: a.createdAt.toISOString(),
          durationMs: a.durationMs ?? null,
          gold: a.gold,
          goldScore: goldBy.get(a._id.toHexString()) ?? null,
          verdicts: verdictsBy.get(a.itemId.toHexString()) ?? [],
        };
      }),
  };
}

const CSV_HEADERS = {
  en: [
    'annotator',
    'submitted',
    'seconds per item',
    'gold accuracy',
    'gold items',
    'reviewed',
    'rejected',
    'rejection rate',
    'agreement with others',
  ],
  'zh-CN': ['标注员', '已提交', '每条用时(秒)', '金标准确率', '金标条数', '已审核', '被驳回', '驳回率', '与他人一致性'],
} as const;

/** The annotator table as CSV (header in the user's language). */
export function annotatorsCsv(d: Dashboard, lang: 'en' | 'zh-CN'): string {
  return toCsv(
    CSV_HEADERS[lang],
    d.annotators.map((a) => [
      a.username,
      a.submitted,
      a.secondsPerItem,
      a.goldAccuracy,
      a.goldN,
      a.reviewed,
      a.rejected,
      a.rejectionRate,
      a.agreement,
    ]),
  );
}
