import type { InboxEntry, ReviewCommentPayload, ReviewVerdictPayload } from '@labelwork/core';

/** A live `review:verdict` as an (unread) inbox entry: the same id and shape the inbox API answers with. */
export function fromVerdict(v: ReviewVerdictPayload): InboxEntry {
  return {
    id: v.reviewId,
    kind: 'verdict',
    verdict: v.verdict,
    projectId: v.projectId,
    itemId: v.itemId,
    annotationId: v.annotationId,
    taskId: v.taskId,
    itemName: v.itemName ?? null,
    text: v.comments.map((c) => c.text).join(' · '),
    at: v.at,
    read: false,
  };
}

/** A live stand-alone `review:comment` as an (unread) inbox entry. */
export function fromComment(c: ReviewCommentPayload): InboxEntry {
  return {
    id: c.id,
    kind: 'comment',
    projectId: c.projectId,
    itemId: c.itemId,
    annotationId: c.annotationId,
    taskId: c.taskId,
    itemName: c.itemName ?? null,
    text: c.text,
    at: c.at,
    read: false,
  };
}

/**
 * The inbox list after new entries arrive (live or from a re-read): each id once, the newer copy's
 * read state winning only towards read (a live event never makes a read entry unread again),
 * unread first, then newest first, as the server orders it.
 */
export function mergeEntries(current: readonly InboxEntry[], incoming: readonly InboxEntry[]): InboxEntry[] {
  const byId = new Map(current.map((e) => [e.id, e]));
  for (const e of incoming) {
    const had = byId.get(e.id);
    byId.set(e.id, had ? { ...e, read: had.read || e.read } : e);
  }
  return [...byId.values()].sort((a, b) => Number(a.read) - Number(b.read) || b.at.localeCompare(a.at) || b.id.localeCompare(a.id));
}

/** Remembers what was toasted: live events and re-reads overlap, nothing toasts twice. */
export class SeenEntries {
  private readonly ids = new Set<string>();

  /** The entries not seen before (in the order given), now marked seen. */
  fresh(list: readonly InboxEntry[]): InboxEntry[] {
    const out: InboxEntry[] = [];
    for (const e of list) {
      if (this.ids.has(e.id)) continue;
      this.ids.add(e.id);
      out.push(e);
    }
    return out;
  }
}

/** A toast: one entry, or a group of accepted verdicts ("10 annotations accepted"). */
export interface Toast {
  key: string;
  kind: 'single' | 'accepted';
  entries: InboxEntry[];
  /** When it goes away by itself (ms); renewed when more accepts join a group. */
  until: number;
}

/**
 * The toasts after new entries arrive. Accepts need no action, so they fold into one "N
 * annotations accepted" toast as soon as there are two (arriving together or while the first
 * still shows); rejects, fixes and comments keep a toast each. At most `max` toasts, newest last.
 */
export function addToasts(current: readonly Toast[], fresh: readonly InboxEntry[], now: number, showMs: number, max = 4): Toast[] {
  let out = current.filter((t) => t.until > now);
  for (const e of fresh) {
    if (e.kind === 'verdict' && e.verdict === 'accept') {
      const i = out.findIndex(
        (t) => t.kind === 'accepted' || (t.kind === 'single' && t.entries[0]!.kind === 'verdict' && t.entries[0]!.verdict === 'accept'),
      );
      if (i >= 0) {
        const t = out[i]!;
        out = [
          ...out.slice(0, i),
          ...out.slice(i + 1),
          { key: `accepted-${t.entries[0]!.id}`, kind: 'accepted', entries: [...t.entries, e], until: now + showMs },
        ];
        continue;
      }
    }
    out = [...out, { key: e.id, kind: 'single', entries: [e], until: now + showMs }];
  }
  return out.slice(-max);
}
