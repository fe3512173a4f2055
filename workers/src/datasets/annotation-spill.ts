import { appendFile, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ObjectId, type Filter } from 'mongodb';
import type { AnnotationDoc, Database } from '@labelwork/engine';
import { scratchDir } from '../infra/scratch.ts';
import { ReadAhead } from './read-ahead.ts';

/** What an entry needs of an annotation. */
export type AnnotationRow = Pick<
  AnnotationDoc,
  '_id' | 'itemId' | 'userId' | 'version' | 'regions' | 'updatedAt' | 'guidelineVersion' | 'status'
>;

const PROJECTION = { _id: 1, itemId: 1, userId: 1, version: 1, regions: 1, updatedAt: 1, guidelineVersion: 1, status: 1 } as const;
/** Buffered text over all ranges before it is written out. */
const FLUSH_BYTES = 8 << 20;

/**
 * A project's annotations grouped by ranges of item ids, read in ONE unsorted pass and spilled to a
 * temporary file per range, so an export can take them a range (a batch of items) at a time.
 *
 * Why not one cursor sorted by item id: FerretDB sorts in memory, after decoding every document, so
 * a sorted read holds the project's whole annotation set in the database process (223 MB for 100k
 * boxes, about ten times that for 1M) and costs more CPU; unsorted it streams (81 MB). Memory here
 * is bounded by the buffer and one range.
 * Regions go through JSON, as every format writes them (a -0 comes back as 0, which they print as 0).
 */
export class AnnotationSpill {
  private constructor(
    private readonly dir: string,
    /** First item id (hex) of each range after the first, ascending. */
    private readonly starts: readonly string[],
  ) {}

  /** The range an item id falls in: the number of range starts at or below it. */
  rangeOf(itemId: string): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! <= itemId) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  static async build(db: Database, query: Filter<AnnotationDoc>, starts: readonly string[]): Promise<AnnotationSpill> {
    const dir = await scratchDir('annotations');
    const spill = new AnnotationSpill(dir, starts);
    try {
      const buffers = new Map<number, string[]>();
      let buffered = 0;
      const flush = async () => {
        for (const [range, lines] of buffers) await appendFile(spill.path(range), lines.join(''), 'utf8');
        buffers.clear();
        buffered = 0;
      };
      const docs = new ReadAhead(db.annotations.find(query).project<AnnotationRow>(PROJECTION));
      try {
        for (let a = await docs.next(); a; a = await docs.next()) {
          const itemId = a.itemId.toHexString();
          const line = `${JSON.stringify([a._id.toHexString(), itemId, a.userId.toHexString(), a.version, a.updatedAt.getTime(), a.status, a.guidelineVersion ?? null, a.regions])}\n`;
          const range = spill.rangeOf(itemId);
          let lines = buffers.get(range);
          if (!lines) buffers.set(range, (lines = []));
          lines.push(line);
          buffered += line.length;
          if (buffered > FLUSH_BYTES) await flush();
        }
      } finally {
        await docs.close();
      }
      await flush();
      return spill;
    } catch (e) {
      await spill.dispose();
      throw e;
    }
  }

  private path(range: number): string {
    return join(this.dir, `r${range}`);
  }

  /** The annotations of one range by item id (hex), each item's in `_id` order. */
  async take(range: number): Promise<Map<string, AnnotationRow[]>> {
    const out = new Map<string, AnnotationRow[]>();
    let text: string;
    try {
      text = await readFile(this.path(range), 'utf8');
    } catch {
      return out;
    }
    await rm(this.path(range), { force: true });
    for (const line of text.split('\n')) {
      if (!line) continue;
      const [id, itemId, userId, version, updatedAt, status, guidelineVersion, regions] = JSON.parse(line) as [
        string,
        string,
        string,
        number,
        number,
        AnnotationRow['status'],
        string | null,
        AnnotationRow['regions'],
      ];
      let list = out.get(itemId);
      if (!list) out.set(itemId, (list = []));
      list.push({
        _id: new ObjectId(id),
        itemId: new ObjectId(itemId),
        userId: new ObjectId(userId),
        version,
        updatedAt: new Date(updatedAt),
        status,
        ...(guidelineVersion !== null ? { guidelineVersion } : {}),
        regions,
      });
    }
    for (const list of out.values()) if (list.length > 1) list.sort((a, b) => (a._id.toHexString() < b._id.toHexString() ? -1 : 1));
    return out;
  }

  dispose(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}
