import { describe, expect, it } from 'vitest';
import { ReplyError } from 'ioredis';
import { isRedisUnavailable } from '@labelwork/engine';

const reply = (message: string) => new ReplyError(message);

describe('isRedisUnavailable', () => {
  it('takes the replies of a cluster failing over, a server loading and a demoted master as "try again"', () => {
    for (const m of [
      'CLUSTERDOWN The cluster is down',
      'TRYAGAIN Multiple keys request during rehashing of slot',
      'LOADING Redis is loading the dataset in memory',
      "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
      "READONLY You can't write against a read only replica.",
      'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
    ])
      expect(isRedisUnavailable(reply(m)), m).toBe(true);
  });

  it('takes ioredis\'s own errors when no node answers as "try again"', () => {
    expect(isRedisUnavailable(new Error('Too many Cluster redirections. Last error: Error: Connection is closed.'))).toBe(true);
    expect(isRedisUnavailable(new Error('None of startup nodes is available'))).toBe(true);
    expect(isRedisUnavailable(new Error('Connection is closed.'))).toBe(true);
    expect(isRedisUnavailable(Object.assign(new Error('Failed to refresh slots cache.'), { name: 'ClusterAllFailedError' }))).toBe(true);
    expect(
      isRedisUnavailable(Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' })),
    ).toBe(true);
  });

  it('leaves errors of the command itself, and anything else, to be reported as they are', () => {
    expect(isRedisUnavailable(reply('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(false);
    expect(isRedisUnavailable(reply('ERR Error running script (call to f_x): @user_script:1: boom'))).toBe(false);
    expect(isRedisUnavailable(new Error('something READONLY'))).toBe(false);
    expect(isRedisUnavailable('CLUSTERDOWN')).toBe(false);
    expect(isRedisUnavailable(null)).toBe(false);
  });
});
