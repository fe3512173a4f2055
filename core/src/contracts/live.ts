import { z } from 'zod';
import { Id } from '../schema/common.ts';

/**
 * A lead's live announcement to everyone in a project room ("guideline 1.2 is out, re-read the
 * span rules"). Also the event the real-time benchmark broadcasts. Event names: `CLIENT_EVENTS.announce`
 * and `SERVER_EVENTS.announcement` (contracts/socket.ts).
 */
export const AnnounceInput = z.object({ projectId: Id, text: z.string().trim().min(1).max(1000) });
export type AnnounceInput = z.infer<typeof AnnounceInput>;

export interface AnnouncementPayload {
  id: string;
  projectId: Id;
  text: string;
  byId: Id;
  byName: string;
  /** Server time (ISO). */
  at: string;
}
