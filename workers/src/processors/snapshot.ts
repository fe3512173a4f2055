import { createHash } from 'node:crypto';
import { UnrecoverableError, type Job } from 'bullmq';
import { ObjectId } from 'mongodb';
import {
  SNAPSHOT_FORMAT,
  SnapshotJobData,
  addCount,
  addHeaderDiff,
  addItemDiff,
  emptyChangelog,
  labelSchemaDiff,
  nextVersion,
  snapshotEntryLine,
  snapshotHeaderLine,
  snapshotLabels,
  versionBump,
  type SnapshotEntry,
  type SnapshotHeader,
} from '@labelwork/core';
import { storedSnapshotResult, type SnapshotEntryDoc } from '@labelwork/engine';
import type { WorkerContext } from '../context.ts';
import { frozenEntries, liveEntries } from '../datasets/entries.ts';
import { datasetProgress } from '../datasets/progress.ts';

/**
 * Builds a snapshot: freezes every visible item with its annotations created up to the snapshot's
 * cut-off (`asOf`), the gold answers and the consensus, as canonical entry lines in item-id order;
 * hashes them (the snapshot's id: the same state gives the same hash), diffs them against the
 * previous complete snapshot in the same pass (a merge of two sorted streams) and sets the version.
 * A retry starts over: entries are keyed by snapshot and item and deleted first.
 */
export async function snapshotProcessor(w: WorkerContext, job: Job): Promise<{ status: string }> {
  const parsed = SnapshotJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError('bad snapshot job payload');
  const _id = new ObjectId(parsed.data.snapshotId);
  const snap = await w.db.snapshots.findOne({ _id });
  if (!snap || snap.status !== 'building') return { status: snap?.status ?? 'missing' };
  const project = await w.db.projects.findOne({ _id: snap.projectId });
  const progress = datasetProgress(w, snap.projectId, 'snapshot', _id);
  if (!project) {
    await w.db.snapshots.updateOne(
      { _id },
      { $set: { status: 'failed', error: 'the project no longer exists', finishedAt: new Date(w.now()) } },
    );
    return { status: 'failed' };
  }
  await w.db.snapshotEntries.deleteMany({ snapshotId: _id });
  const header: SnapshotHeader = {
    format: SNAPSHOT_FORMAT,
    projectId: project._id.toHexString(),
    kind: project.kind,
    labels: snapshotLabels(project.labelSchema.labels),
    ...(project.guideline ? { guideline: { slug: project.guideline.slug, version: project.guideline.version } } : {}),
    selection: { annotations: 'all', gold: true, consensus: true },
  };
  const prev = snap.previousId ? await w.db.snapshots.findOne({ _id: snap.previousId, status: 'complete' }) : null;
  const prevIter = prev ? frozenEntries(w.db, prev._id)[Symbol.asyncIterator]() : null;
  // Compared by the item each previous entry stands for now (`itemRef`: a snapshot restored from a backup names the old ids in its lines).
  const nextPrev = async (): Promise<SnapshotEntry | undefined> => {
    const v = (await prevIter!.next()).value;
    return v ? { ...v.entry, itemId: v.itemRef } : undefined;
  };
  let prevNext: SnapshotEntry | undefined = prevIter ? await nextPrev() : undefined;
  const log = emptyChangelog();
  if (prev?.header) addHeaderDiff(log, prev.header, header);
  // Walks the previous snapshot's entries up to (excluding) `itemId`, as removed items.
  const advancePrev = async (itemId: string | null) => {
    while (prevNext && (itemId === null || prevNext.itemId < itemId)) {
      addItemDiff(log, prevNext, undefined);
      prevNext = await nextPrev();
    }
  };
  const hash = createHash('sha256').update(snapshotHeaderLine(header));
  // Annotators' work apart from the gold answers and the consensus frozen beside it: one box and
  // the consensus made of it are one region of work, not two.
  const counts = { items: 0, annotations: 0, regions: 0, byLabel: {} as Record<string, number>, goldRegions: 0, consensusRegions: 0 };
  const total = await w.db.items.countDocuments({ projectId: project._id });
  for await (const { entries } of liveEntries(w.db, project, { asOf: snap.asOf })) {
    const docs: SnapshotEntryDoc[] = [];
    for (const e of entries) {
      const line = snapshotEntryLine(e);
      hash.update(line);
      docs.push({ _id: `${_id.toHexString()}:${e.itemId}`, snapshotId: _id, itemId: e.itemId, line: line.slice(0, -1) });
      counts.items += 1;
      for (const a of e.annotations) {
        if (a.kind === 'gold') counts.goldRegions += a.regions.length;
        else if (a.kind === 'consensus') counts.consensusRegions += a.regions.length;
        else {
          counts.annotations += 1;
          counts.regions += a.regions.length;
          for (const r of a.regions) addCount(counts.byLabel, r.label);
        }
      }
      await advancePrev(e.itemId);
      if (prevNext && prevNext.itemId === e.itemId) {
        addItemDiff(log, prevNext, e);
        prevNext = await nextPrev();
      } else if (prev) addItemDiff(log, undefined, e);
    }
    if (docs.length) await w.db.snapshotEntries.insertMany(docs, { ordered: false });
    await progress('building', counts.items, total);
  }
  await advancePrev(null);
  const digest = hash.digest('hex');
  const bump = prev?.header ? versionBump(log, labelSchemaDiff(prev.header.labels, header.labels)) : 'major';
  const version = nextVersion(prev?.version ?? null, prev ? bump : 'none');
  await w.db.snapshots.updateOne(
    { _id, status: 'building' },
    {
      $set: {
        status: 'complete',
        hash: digest,
        version,
        header,
        ...storedSnapshotResult.encode(counts, prev ? log : null),
        finishedAt: new Date(w.now()),
      },
    },
  );
  await progress('complete', counts.items, counts.items, true);
  return { status: 'complete' };
}
