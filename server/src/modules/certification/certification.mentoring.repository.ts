import type { ObjectId } from 'mongodb';
import type { CertCoachingNoteDoc, CertGoalDoc, CertMentorshipDoc, Database } from '@labelwork/engine';

/** Mentorships, coaching notes and goals (collections declared in engine/src/db/certification.ts). */
export const mentoringRepo = {
  mentorshipOf: (db: Database, traineeId: ObjectId) => db.certMentorships.findOne({ _id: traineeId }),
  menteesOf: (db: Database, mentorId: ObjectId) => db.certMentorships.find({ mentorId }).limit(1000).toArray(),
  mentorships: (db: Database, traineeIds: ObjectId[]) => db.certMentorships.find({ _id: { $in: traineeIds } }).toArray(),
  putMentorship: (db: Database, doc: CertMentorshipDoc) => db.certMentorships.replaceOne({ _id: doc._id }, doc, { upsert: true }),
  deleteMentorship: (db: Database, traineeId: ObjectId) => db.certMentorships.deleteOne({ _id: traineeId }),
  notesOf: (db: Database, traineeId: ObjectId) => db.certCoachingNotes.find({ traineeId }).sort({ date: -1, at: -1 }).limit(1000).toArray(),
  insertNote: (db: Database, doc: CertCoachingNoteDoc) => db.certCoachingNotes.insertOne(doc),
  goalsOf: (db: Database, traineeIds: ObjectId[]) =>
    db.certGoals
      .find({ traineeId: { $in: traineeIds } })
      .sort({ due: 1 })
      .limit(5000)
      .toArray(),
  goal: (db: Database, id: ObjectId) => db.certGoals.findOne({ _id: id }),
  insertGoal: (db: Database, doc: CertGoalDoc) => db.certGoals.insertOne(doc),
  setGoalDone: (db: Database, id: ObjectId, done: boolean, at: Date) =>
    db.certGoals.updateOne({ _id: id }, { $set: { done, doneAt: done ? at : null } }),
  /** Projects the user owns or is a member of. */
  projectsWith: (db: Database, userId: ObjectId) =>
    db.projects
      .find({ $or: [{ ownerId: userId }, { memberIds: userId }] })
      .limit(5000)
      .toArray(),
};
