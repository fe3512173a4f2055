import { MongoBulkWriteError, MongoServerError, type WriteError } from 'mongodb';
import type { AnnotationDoc } from '../db/documents.ts';
import type { Database } from '../db/database.ts';
import { isDatabaseUnreachable } from '../db/availability.ts';

interface Pending {
  doc: AnnotationDoc;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** Most annotations written by one insertMany (the driver splits by message size on its own as well). */
export const ANNOTATION_INSERT_BATCH_MAX = 200;

/**
 * Group commit of submitted annotations, one per server process (built by its composition root).
 * An insert that finds no write in flight is written at once, alone: no added latency when the
 * process is quiet. Inserts that arrive while a write is in flight wait for it and are then written
 * together, as one `insertMany({ ordered: false })`. On FerretDB (SQLite) each write is a
 * transaction of its own, and the database's CPU per annotation falls about fivefold from single
 * inserts to batches of ten (docs/assignment.md, *What a task costs*).
 *
 * Each caller's promise settles with its own document's outcome, only after the database answered:
 * resolved means stored. A document the database refuses (duplicate submission id, slot or
 * item-and-user) fails only its own insert, with a `MongoServerError` of the database's code and
 * message (so `isDuplicateKey` reads it as before); the others of the batch are stored. An error of
 * the whole write (the database unreachable, a write-concern error) fails every insert of the batch
 * that the database did not report as stored: those callers fail as a lone insert would have, and
 * the client's retry with the same submission id finds the annotation if it was stored after all.
 * When that error says the database could not be reached, the inserts queued behind the write fail
 * with it at once instead of waiting out another server selection each.
 */
export class AnnotationInserts {
  private queue: Pending[] = [];
  private writing = false;

  constructor(
    private readonly db: Pick<Database, 'annotations'>,
    private readonly maxBatch = ANNOTATION_INSERT_BATCH_MAX,
  ) {}

  /** Stores one annotation (resolves once it is stored; rejects with its own error otherwise). */
  insert(doc: AnnotationDoc): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ doc, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /** Inserts waiting for the write in flight (for tests and diagnostics). */
  get waiting(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.maxBatch);
        const unreachable = await this.write(batch);
        // The database is down: the inserts that waited for this write would each wait out the
        // driver's server selection again (10 s) before failing the same way, and a submit that
        // waits that long outlives its lease. They fail now (503, the client sends them again).
        if (unreachable) for (const p of this.queue.splice(0)) p.reject(unreachable);
      }
    } finally {
      this.writing = false;
    }
  }

  /** Writes a batch and settles its callers; returns the error when the database could not be reached. */
  private async write(batch: Pending[]): Promise<unknown> {
    if (batch.length === 1) {
      const [p] = batch as [Pending];
      try {
        await this.db.annotations.insertOne(p.doc);
        p.resolve();
      } catch (e) {
        p.reject(e);
        return isDatabaseUnreachable(e) ? e : null;
      }
      return null;
    }
    try {
      await this.db.annotations.insertMany(
        batch.map((p) => p.doc),
        { ordered: false },
      );
      for (const p of batch) p.resolve();
      return null;
    } catch (e) {
      const whole = settleFailedBatch(batch, e);
      return isDatabaseUnreachable(whole) ? whole : null;
    }
  }
}

/**
 * Maps a failed insertMany back to its callers: each refused document fails alone, stored ones
 * succeed. Returns the error of the whole write (what the callers not refused alone got).
 */
function settleFailedBatch(batch: Pending[], e: unknown): unknown {
  if (!(e instanceof MongoBulkWriteError)) {
    for (const p of batch) p.reject(e);
    return e;
  }
  const writeErrors: WriteError[] = (Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors]).filter((w) => w !== undefined);
  const refused = new Map(writeErrors.map((w) => [w.index, w]));
  // The others are stored for sure only if the database said so for every one of them. `insertedIds`
  // cannot tell: the driver lists every document it sent there, stored or not (a connection lost
  // mid-batch, the database killed, comes back as a bulk error with the whole batch in it).
  const othersStored = !e.writeConcernError && e.insertedCount === batch.length - refused.size;
  // A batch that never reached the database (connection refused or lost) is a bulk error wrapping the
  // driver's own error: the callers get that one, so a database that is down reads as unreachable (503).
  const whole = e.errorResponse instanceof Error ? e.errorResponse : e;
  batch.forEach((p, i) => {
    const w = refused.get(i);
    if (w) p.reject(new MongoServerError({ message: w.errmsg ?? 'write error', errmsg: w.errmsg, code: w.code }));
    else if (othersStored) p.resolve();
    else p.reject(whole);
  });
  return whole;
}
