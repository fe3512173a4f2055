import { RelayMessage, eventsChannel } from '@labelwork/core';
import type { AppContext } from '../context.ts';

/**
 * Subscribes to the events the workers publish on Redis (`eventsChannel`): each valid message goes
 * to `onMessage`, malformed ones are dropped. One subscriber connection per caller (subscribed
 * connections can do nothing else); `close` disconnects it.
 */
export async function subscribeWorkerEvents(ctx: AppContext, connectionName: string, onMessage: (msg: RelayMessage) => void): Promise<{ close(): void }> {
  const sub = ctx.redis.duplicate({ connectionName });
  sub.on('message', (_channel: string, raw: string) => {
    let msg: RelayMessage;
    try {
      msg = RelayMessage.parse(JSON.parse(raw));
    } catch {
      return;
    }
    onMessage(msg);
  });
  await sub.subscribe(eventsChannel(ctx.config.REDIS_PREFIX));
  return { close: () => sub.disconnect() };
}
