import type { ObjectId } from 'mongodb';
import type { AppContext } from '../../context.ts';
import {
  isDuplicateKey,
  type CertAttemptDoc,
  type CertPanelDoc,
  type CertPanelScoreDoc,
  type CertSpecificationDoc,
  type Database,
  type PortfolioStats,
} from '@labelwork/engine';

/** The server's Redis client, whichever kind the composition root built. */
type Redis = AppContext['redis'];

/** How long a claim or once-only right is kept: a claim left this long is stale and may be taken again. */
const CLAIM_TTL_S = 30 * 86_400;

/**
 * Storage of the parts graded by people: specification exercises and comprehensive-review panels.
 * One-time transitions (hand-in, claim, convene) are taken in Redis with SET NX first: a filtered
 * update is not atomic on every MongoDB-protocol server, so two racing requests could both "win" it.
 */
export const gradedRepo = {
  /** Takes a once-only right (`cert:<what>:<id>`) for `holder`; returns the holder it belongs to now. */
  async takeOnce(redis: Redis, prefix: string, what: string, id: ObjectId, holder: string): Promise<string> {
    const key = `${prefix}:cert:${what}:${id.toHexString()}`;
    if ((await redis.set(key, holder, 'EX', CLAIM_TTL_S, 'NX')) === 'OK') return holder;
    return (await redis.get(key)) ?? holder;
  },
  /** Takes a once-only right (`cert:<what>:<id>`); false when someone took it before. */
  async once(redis: Redis, prefix: string, what: string, id: ObjectId): Promise<boolean> {
    return (await redis.set(`${prefix}:cert:${what}:${id.toHexString()}`, '1', 'EX', CLAIM_TTL_S, 'NX')) === 'OK';
  },
  /** Gives a once-only right back, only when `holder` has it (compare and delete). */
  async giveBack(redis: Redis, prefix: string, what: string, id: ObjectId, holder: string): Promise<boolean> {
    const key = `${prefix}:cert:${what}:${id.toHexString()}`;
    const n = await redis.eval(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end",
      1,
      key,
      holder,
    );
    return n === 1;
  },

  /** Moves an attempt between states, from `from` only; false when it was not in `from`. */
  async setAttempt(db: Database, id: ObjectId, from: CertAttemptDoc['status'], set: Partial<CertAttemptDoc>): Promise<boolean> {
    return (await db.certAttempts.updateOne({ _id: id, status: from }, { $set: set })).matchedCount === 1;
  },

  specification: (db: Database, id: ObjectId) => db.certSpecifications.findOne({ _id: id }),
  insertSpecification: (db: Database, doc: CertSpecificationDoc) => db.certSpecifications.insertOne(doc),
  updateSpecification: (db: Database, id: ObjectId, set: Partial<CertSpecificationDoc>) =>
    db.certSpecifications.updateOne({ _id: id }, { $set: set }),
  /** Handed-in specifications not graded yet, oldest first. */
  openSpecifications: (db: Database) =>
    db.certSpecifications
      .find({ submittedAt: { $ne: null }, grade: null })
      .sort({ submittedAt: 1 })
      .limit(1000)
      .toArray(),

  panel: (db: Database, id: ObjectId) => db.certPanels.findOne({ _id: id }),
  insertPanel: (db: Database, doc: CertPanelDoc) => db.certPanels.insertOne(doc),
  updatePanel: (db: Database, id: ObjectId, set: Partial<CertPanelDoc>) => db.certPanels.updateOne({ _id: id }, { $set: set }),
  openPanels: (db: Database) => db.certPanels.find({ decision: null }).sort({ submittedAt: 1 }).limit(1000).toArray(),
  panelScores: (db: Database, panelId: ObjectId) => db.certPanelScores.find({ panelId }).sort({ at: 1 }).toArray(),
  /** Stores a member's score; false when this member already scored this panel. */
  async insertPanelScore(db: Database, doc: CertPanelScoreDoc): Promise<boolean> {
    try {
      await db.certPanelScores.insertOne(doc);
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  },

  /** The figures a portfolio carries: gold accuracy on real projects, review acceptance of their work, reviews given, practice. */
  async portfolioStats(db: Database, userId: ObjectId): Promise<Omit<PortfolioStats, 'certificates' | 'mentored'>> {
    const gold = await db.agreements.find({ scope: 'gold', userId }).sort({ at: -1 }).limit(500).toArray();
    const values = gold.flatMap((g) => (g.scope === 'gold' && g.value !== null ? [g.value] : []));
    const verdicts = await db.reviews.find({ type: 'verdict', annotatorId: userId }).limit(5000).toArray();
    const accepted = verdicts.filter((v) => v.type === 'verdict' && v.verdict === 'accept').length;
    const reviewsGiven = await db.reviews.countDocuments({ type: 'verdict', reviewerId: userId });
    const practice = await db.certPractice.find({ userId }).limit(20_000).toArray();
    return {
      goldAnswers: values.length,
      goldAccuracy: values.length ? values.reduce((s, v) => s + v, 0) / values.length : null,
      reviewedAnnotations: verdicts.length,
      reviewAcceptance: verdicts.length ? accepted / verdicts.length : null,
      reviewsGiven,
      practiceAnswered: practice.length,
      practiceMean: practice.length ? practice.reduce((s, p) => s + p.score, 0) / practice.length : null,
    };
  },
};
