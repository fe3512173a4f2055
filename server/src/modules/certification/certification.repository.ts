import type { ObjectId } from 'mongodb';
import type { Redis } from 'ioredis';
import {
  isDuplicateKey,
  reserveSeq,
  storedAttemptResult,
  storedPractice,
  type CertAttemptDoc,
  type CertConfigDoc,
  type CertificateDoc,
  type CertContestDoc,
  type CertPauseDoc,
  type CertPracticeDoc,
  type Database,
} from '@labelwork/engine';
import type { Level } from '@labelwork/core';

export const certificationRepo = {
  config: (db: Database) => db.certConfig.findOne({ _id: 'config' }),
  putConfig: (db: Database, doc: CertConfigDoc) => db.certConfig.replaceOne({ _id: doc._id }, doc, { upsert: true }),

  attempt: async (db: Database, id: ObjectId) => storedAttemptResult.decode(await db.certAttempts.findOne({ _id: id })),
  /** A user's attempts at one level, oldest first. */
  attemptsAt: async (db: Database, userId: ObjectId, level: Level) =>
    (await db.certAttempts.find({ userId, level }).sort({ startedAt: 1 }).limit(1000).toArray()).map(storedAttemptResult.decode),
  attemptsOf: (db: Database, userIds: ObjectId[]) =>
    db.certAttempts
      .find({ userId: { $in: userIds } }, { projection: { answers: 0, result: 0, draw: 0 } })
      .sort({ startedAt: -1 })
      .limit(5000)
      .toArray(),
  /** Inserts a new attempt; false when its slot (attempt number) is taken by a concurrent start. */
  async insertAttempt(db: Database, doc: CertAttemptDoc): Promise<boolean> {
    try {
      await db.certAttempts.insertOne(doc);
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  },
  /** Saves answers while the attempt runs and its deadline has not passed; false otherwise. */
  async saveAnswers(db: Database, id: ObjectId, userId: ObjectId, answers: CertAttemptDoc['answers'], now: Date): Promise<boolean> {
    const r = await db.certAttempts.updateOne({ _id: id, userId, status: 'running', deadline: { $gt: now } }, { $set: { answers } });
    return r.matchedCount === 1;
  },
  /**
   * The right to close an attempt, taken once in Redis (SET NX): an update filtered on
   * `status: 'running'` is not atomic on every MongoDB-protocol server, so racing submits would all
   * "win" it. Kept a day; by then the attempt is long closed.
   */
  async claimClose(redis: Redis, prefix: string, id: ObjectId): Promise<boolean> {
    return (await redis.set(`${prefix}:cert:close:${id.toHexString()}`, '1', 'EX', 86_400, 'NX')) === 'OK';
  },
  /** Writes the grade of an attempt whose close this process claimed. */
  async close(
    db: Database,
    id: ObjectId,
    set: Pick<CertAttemptDoc, 'answers' | 'finishedAt' | 'score' | 'passed' | 'timedOut' | 'result'>,
  ): Promise<boolean> {
    const stored = { ...set, result: storedAttemptResult.encode(set.result) };
    const r = await db.certAttempts.updateOne({ _id: id, status: 'running' }, { $set: { ...stored, status: 'graded' } });
    return r.matchedCount === 1;
  },

  /** Stores a first practice answer; false when this user already answered the item (only the first counts). */
  async insertPractice(db: Database, doc: CertPracticeDoc): Promise<boolean> {
    try {
      await db.certPractice.insertOne(storedPractice.encode(doc));
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  },
  practiceOf: async (db: Database, userIds: ObjectId[]) =>
    (
      await db.certPractice
        .find({ userId: { $in: userIds } })
        .sort({ at: -1 })
        .limit(20_000)
        .toArray()
    ).map(storedPractice.decode),

  pause: (db: Database, id: string) => db.certPauses.findOne({ _id: id }),
  putPause: (db: Database, doc: CertPauseDoc) => db.certPauses.replaceOne({ _id: doc._id }, doc, { upsert: true }),
  activePauses: (db: Database) => db.certPauses.find({ active: true }).limit(5000).toArray(),
  /** Lifts an active pause; false when there was none. */
  async liftPause(db: Database, id: string, by: ObjectId, at: Date): Promise<boolean> {
    const r = await db.certPauses.updateOne({ _id: id, active: true }, { $set: { active: false, liftedAt: at, liftedBy: by } });
    return r.matchedCount === 1;
  },
  /** A person's latest scored gold answers on a project (the workers' gold scores), newest first. */
  async goldAnswers(
    db: Database,
    projectId: ObjectId,
    userId: ObjectId,
    window: number,
    since?: Date,
  ): Promise<{ at: Date; score: number }[]> {
    // Answers to a gold item up to an accepted contest of it do not count: that gold was wrong.
    const [contests, docs] = await Promise.all([
      db.certContests.find({ projectId, status: 'accepted' }).toArray(),
      db.agreements
        .find({ scope: 'gold', projectId, userId, ...(since ? { at: { $gt: since } } : {}) })
        .sort({ at: -1 })
        .limit(window)
        .toArray(),
    ]);
    const voided = new Map(contests.map((c) => [c.itemId.toHexString(), c.resolvedAt]));
    return docs.flatMap((d) => {
      if (d.scope !== 'gold' || d.value === null) return [];
      const until = voided.get(d.itemId.toHexString());
      return until && d.at <= until ? [] : [{ at: d.at, score: d.value }];
    });
  },
  /** Inserts a contest; false when this person already contested this item. */
  async insertContest(db: Database, doc: CertContestDoc): Promise<boolean> {
    try {
      await db.certContests.insertOne(doc);
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  },
  contest: (db: Database, id: ObjectId) => db.certContests.findOne({ _id: id }),
  openContests: (db: Database) => db.certContests.find({ status: 'open' }).sort({ at: 1 }).limit(5000).toArray(),
  acceptedContests: (db: Database, projectId: ObjectId) => db.certContests.find({ projectId, status: 'accepted' }).limit(5000).toArray(),
  /** Resolves an open contest; false when it was not open. */
  async resolveContest(
    db: Database,
    id: ObjectId,
    set: Pick<CertContestDoc, 'status' | 'resolvedAt' | 'resolvedBy' | 'resolution'>,
  ): Promise<boolean> {
    return (await db.certContests.updateOne({ _id: id, status: 'open' }, { $set: set })).matchedCount === 1;
  },
  /** The caller's scored answer to a gold item, if any (a person contests only gold they answered). */
  goldAnswerOf: (db: Database, itemId: ObjectId, userId: ObjectId) => db.agreements.findOne({ scope: 'gold', itemId, userId }),
  projectsByIds: (db: Database, ids: ObjectId[]) => db.projects.find({ _id: { $in: ids } }).toArray(),
  usersByIds: (db: Database, ids: ObjectId[]) => db.users.find({ _id: { $in: ids } }, { projection: { passwordHash: 0 } }).toArray(),
  certificate: (db: Database, id: ObjectId) => db.certificates.findOne({ _id: id }),
  certificatesOf: (db: Database, userIds: ObjectId[]) =>
    db.certificates
      .find({ userId: { $in: userIds } })
      .sort({ issuedAt: -1 })
      .limit(5000)
      .toArray(),
  /** Inserts a certificate; false when this user already holds one for that level. */
  async insertCertificate(db: Database, doc: CertificateDoc): Promise<boolean> {
    try {
      await db.certificates.insertOne(doc);
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  },
  nextCertificateSeq: (db: Database, year: number) => reserveSeq(db, `certificate:${year}`, 1),
};
