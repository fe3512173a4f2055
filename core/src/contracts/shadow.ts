import { z } from 'zod';
import { Id } from '../schema/common.ts';
import { Region } from '../schema/region.ts';
import type { ErrorCode } from './errors.ts';

/**
 * Read-only shadowing: a lead (or an admin) watches an annotator's canvas live, for coaching.
 *
 * The annotator's workspace registers as a *source* for its project (`shadow:publish`); a lead
 * joins the watch room of (project, annotator) with `shadow:watch`. The server tells the source
 * who watches (`shadow:watchers`, the workspace shows a "a lead is watching" chip) and the source
 * sends its editor state (`shadow:state`, throttled, only while someone watches). Frames go to
 * the watch room through the Redis adapter; the last one is kept in Redis for a short while so a
 * watcher who arrives later sees the current state at once. Event names: `CLIENT_EVENTS.shadow*` and
 * `SERVER_EVENTS.shadow*` (contracts/socket.ts).
 */

/** Most frames per second a source may send (the client throttles to this, trailing edge). */
export const SHADOW_MAX_FPS = 10;
/** A frame's size limit, in characters of its JSON (bigger frames are refused with PAYLOAD_TOO_LARGE). */
export const SHADOW_MAX_FRAME_CHARS = 256_000;
export const SHADOW_MAX_REGIONS = 5000;
/** How long the server keeps the last frame of a source (seconds). */
export const SHADOW_FRAME_TTL_S = 120;

export const shadowRooms = {
  /** Watchers of one annotator in one project. */
  watch: (projectId: string, userId: string) => `shadow:${projectId}:${userId}`,
  /** The annotator's workspace sockets for one project (sources of frames). */
  source: (projectId: string, userId: string) => `shadow-src:${projectId}:${userId}`,
};

export const ShadowTarget = z.object({ projectId: Id, userId: Id });
export type ShadowTarget = z.infer<typeof ShadowTarget>;

export const ShadowSourceInput = z.object({ projectId: Id });
export type ShadowSourceInput = z.infer<typeof ShadowSourceInput>;

const RegionId = z.string().min(1).max(64);
export const SHADOW_TOOLS = ['select', 'bbox', 'polygon', 'keypoints', 'assist'] as const;

/** What a source publishes: the editor state of the item in hand, or `itemId: null` when it has none. */
export const ShadowState = z.object({
  projectId: Id,
  /** Random per page load of the source; `seq` counts up within it (watchers drop older frames). */
  sid: z.string().regex(/^[A-Za-z0-9_-]{6,40}$/),
  seq: z.number().int().nonnegative(),
  itemId: Id.nullable(),
  itemKind: z.enum(['image', 'text']).nullable(),
  /** The answer as it stands (every region, proposals included). */
  regions: z.array(Region).max(SHADOW_MAX_REGIONS),
  /** The shape being drawn or dragged right now (not yet part of `regions`). */
  draft: Region.nullable(),
  selection: z.array(RegionId).max(100),
  tool: z.enum(SHADOW_TOOLS),
  activeLabel: z.string().max(200).nullable(),
  /** Text items: the selected range in code points. */
  textSelection: z.object({ anchor: z.number().int().nonnegative(), focus: z.number().int().nonnegative() }).nullable(),
  /** The frame was too big to send whole: regions were left out. */
  truncated: z.boolean().optional(),
});
export type ShadowState = z.infer<typeof ShadowState>;

/** A frame as watchers get it: the published state with who sent it and when the server saw it. */
export interface ShadowFrame extends ShadowState {
  userId: Id;
  /** Server time (ISO). */
  at: string;
}

export interface ShadowUser {
  userId: Id;
  username: string;
  displayName?: string;
}

export interface ShadowWatchersPayload {
  projectId: Id;
  watchers: ShadowUser[];
}

/** Watching stopped because the watcher lost access (or the annotator left the project). */
export interface ShadowRevokedPayload {
  projectId: Id;
  userId: Id;
  code: ErrorCode;
  message: string;
}

export interface ShadowStatusPayload {
  projectId: Id;
  userId: Id;
  /** True while the annotator has the project's workspace open. */
  online: boolean;
}

/** The answer to `shadow:watch`: who is watched, whether they are in the workspace, their last frame. */
export interface ShadowWatchInfo {
  annotator: ShadowUser;
  online: boolean;
  frame: ShadowFrame | null;
}

/** Watchers keep the newest frame: same source page and a higher `seq`, or a new page. */
export function isNewerFrame(current: Pick<ShadowState, 'sid' | 'seq'> | null, next: Pick<ShadowState, 'sid' | 'seq'>): boolean {
  return current === null || current.sid !== next.sid || next.seq > current.seq;
}
