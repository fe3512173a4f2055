import { MongoNetworkError, MongoNotConnectedError, MongoServerSelectionError, MongoTopologyClosedError } from 'mongodb';

/**
 * The database could not be reached (down, restarting, connection reset): the request may succeed
 * when it is back, so callers answer 503 rather than 500. A request that reached the database and
 * was refused (a duplicate key, a bad query) is not this. Covers the driver's connection-pool
 * errors too (`MongoPoolClearedError` is a network error).
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  return (
    err instanceof MongoNetworkError ||
    err instanceof MongoServerSelectionError ||
    err instanceof MongoNotConnectedError ||
    err instanceof MongoTopologyClosedError
  );
}
