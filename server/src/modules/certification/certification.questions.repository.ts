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
};
