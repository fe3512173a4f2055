import type { AccessChangeMessage, ErrorCode, SwrCache } from '@labelwork/core';
import type { UserDoc } from '@labelwork/engine';

/** What changed (also the message to the other server processes, INTER_SERVER_EVENTS.accessChanged). */
export type AccessChange = AccessChangeMessage;

/** The user as read for an access decision (no password hash). */
export interface AccessGrant {
  user: Pick<UserDoc, '_id' | 'username' | 'displayName' | 'role'>;
}
/** A cached "may user U view/manage project P" (projects/access-cache.ts). */
export type AccessOutcome = { ok: true; grant: AccessGrant } | { ok: false; code: ErrorCode; message: string };

/**
 * The one invalidation path of a server process: every cache of access-relevant documents is
 * registered here by the composition root (app.ts), and every access change (this process's own,
 * another process's through the Redis adapter, or a moved access epoch) reaches all of them through
 * {@link apply}. The event and the epoch themselves are handled in projects/access-cache.ts.
 */
export class AccessChanges {
  private readonly listeners = new Set<(change: AccessChange) => void>();
  /** The access epoch this process last saw in Redis (null: not yet read, so its caches are not trusted). */
  seenEpoch: string | null = null;

  /** Calls `f` on every access change seen by this process; returns the unsubscribe. */
  on(f: (change: AccessChange) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  /** Drops a cache's entries on every change: all of them on `{all}`, else those `affected` names. */
  register(cache: Pick<SwrCache<unknown>, 'clear' | 'forgetWhere'>, affected: (key: string, change: AccessChange) => boolean): void {
    this.on((change) => {
      if (change.all) cache.clear();
      else cache.forgetWhere((key) => affected(key, change));
    });
  }

  apply(change: AccessChange): void {
    for (const f of this.listeners) {
      try {
        f(change);
      } catch {
        // a listener's failure is its own
      }
    }
  }
}
