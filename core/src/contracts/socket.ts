import { z } from 'zod';
import { Id } from '../schema/common.ts';

/** Event names, shared by server and client. */
export const SERVER_EVENTS = {
  projectUpdated: 'project:updated',
  importProgress: 'import:progress',
} as const;

export const CLIENT_EVENTS = {
  joinProject: 'project:join',
  leaveProject: 'project:leave',
} as const;

export const ProjectUpdatedPayload = z.object({ projectId: Id, version: z.number().int(), by: Id });
export type ProjectUpdatedPayload = z.infer<typeof ProjectUpdatedPayload>;

export const ImportProgressPayload = z.object({
  projectId: Id,
  importId: Id,
  done: z.number().int(),
  total: z.number().int(),
  status: z.enum(['running', 'complete', 'failed']),
});
export type ImportProgressPayload = z.infer<typeof ImportProgressPayload>;

export const JoinProjectPayload = z.object({ projectId: Id });
export type JoinProjectPayload = z.infer<typeof JoinProjectPayload>;

/** Every ack answers `{ok:true, ...}` or `{ok:false, code, message}`. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; code: string; message: string };

export interface ServerToClientEvents {
  [SERVER_EVENTS.projectUpdated]: (p: ProjectUpdatedPayload) => void;
  [SERVER_EVENTS.importProgress]: (p: ImportProgressPayload) => void;
}

export interface ClientToServerEvents {
  [CLIENT_EVENTS.joinProject]: (p: JoinProjectPayload, ack: (a: Ack) => void) => void;
  [CLIENT_EVENTS.leaveProject]: (p: JoinProjectPayload, ack: (a: Ack) => void) => void;
}

/** Room names. */
export const rooms = {
  project: (id: string) => `project:${id}`,
  user: (id: string) => `user:${id}`,
};
