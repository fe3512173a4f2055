import type { ReviewComment, ReviewRecord, ReviewVerdictPayload } from '@labelwork/core';

/** One thing a reviewer told the annotator: a verdict (with its comments) or a comment on its own. */
export interface InboxEntry {
  id: string;
  kind: 'verdict' | 'comment';
  verdict?: ReviewRecord['verdict'];
  projectId: string;
  itemId: string;
  text: string;
  at: string;
}

export function fromVerdict(v: ReviewVerdictPayload | ReviewRecord): InboxEntry {
  return {
    id: 'reviewId' in v ? v.reviewId : v.id,
    kind: 'verdict',
    verdict: v.verdict,
    projectId: v.projectId,
    itemId: v.itemId,
    text: v.comments.map((c) => c.text).join(' · '),
    at: v.at,
  };
}

export function fromComment(c: ReviewComment): InboxEntry {
  return { id: c.id, kind: 'comment', projectId: c.projectId, itemId: c.itemId, text: c.text, at: c.at };
}

/**
 * The entries of a GET /review/inbox answer, oldest first: verdicts, and comments that did not come
 * inside a verdict (those are part of the verdict's entry). Only what is newer than `since`.
 */
export function inboxEntries(inbox: { verdicts: ReviewRecord[]; comments: ReviewComment[] }, since: string | null): InboxEntry[] {
  const withVerdict = new Set(inbox.verdicts.flatMap((v) => v.comments.map((c) => c.id)));
  const list = [...inbox.verdicts.map(fromVerdict), ...inbox.comments.filter((c) => !withVerdict.has(c.id)).map(fromComment)];
  return list.filter((e) => !since || e.at > since).sort((a, b) => a.at.localeCompare(b.at));
}

/** Remembers what was shown: live events and catch-up answers overlap, nothing is shown twice. */
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
