import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isDuplicateKey, type CertQuestionDoc, type CertQuestionVersionDoc, type Database } from '@labelwork/engine';
import type { GuidelineRef } from '@labelwork/core';

const ofGuideline = (g: GuidelineRef) => ({ 'guideline.slug': g.slug, 'guideline.version': g.version });

/** The exam banks' questions and their versions (collections declared in engine/src/db/certification.ts). */
export const questionsRepo = {
  count: (db: Database, g: GuidelineRef) => db.certQuestions.countDocuments(ofGuideline(g)),
  /** Every question of a bank, in id order. */
  all: (db: Database, g: GuidelineRef) => db.certQuestions.find(ofGuideline(g)).sort({ _id: 1 }).limit(5000).toArray(),
  active: (db: Database, g: GuidelineRef) =>
    db.certQuestions
      .find({ ...ofGuideline(g), status: 'active' })
      .sort({ _id: 1 })
      .limit(5000)
      .toArray(),
  byRef: (db: Database, ref: string) => db.certQuestions.findOne({ _id: ref }),
  refs: async (db: Database, g: GuidelineRef) =>
    new Set((await db.certQuestions.find(ofGuideline(g), { projection: { _id: 1 } }).toArray()).map((d) => d._id)),
  /** The versions with these ids (`<ref>~<version>`). */
  versions: (db: Database, ids: string[]) => db.certQuestionVersions.find({ _id: { $in: ids } }).toArray(),
  history: (db: Database, ref: string) => db.certQuestionVersions.find({ ref }).sort({ version: 1 }).limit(1000).toArray(),
  /** Writes a version; false when that version number exists already (someone saved first). */
  async insertVersion(db: Database, doc: CertQuestionVersionDoc): Promise<boolean> {
    try {
      await db.certQuestionVersions.insertOne(doc);
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  },
  /** Inserts a new question; false when its ref exists (a concurrent import). */
  async insert(db: Database, doc: CertQuestionDoc): Promise<boolean> {
    try {
      await db.certQuestions.insertOne(doc);
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  },
  /** Replaces the current state when it is still at `expected`; false otherwise. */
  async replaceAt(db: Database, doc: CertQuestionDoc, expected: number): Promise<boolean> {
    const r = await db.certQuestions.replaceOne({ _id: doc._id, version: expected }, doc);
    return r.matchedCount === 1;
  },
  /**
   * Holds a bank's change lock (Redis SET NX, 10 s) while `f` runs, so two retirements checked
   * against the same counts cannot both pass the paper check; null when another change holds it.
   */
  async withBankLock<T>(redis: Redis, prefix: string, g: GuidelineRef, f: () => Promise<T>): Promise<{ value: T } | null> {
    const key = `${prefix}:cert:bank-lock:${g.slug}@${g.version}`;
    const token = randomUUID();
    for (let i = 0; i < 40; i++) {
      if ((await redis.set(key, token, 'PX', 10_000, 'NX')) === 'OK') {
        try {
          return { value: await f() };
        } finally {
          if ((await redis.get(key)) === token) await redis.del(key);
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return null;
  },
};
