export { certificationRoutes } from './certification.routes.ts';
export { loadPracticeSets, type LoadedPracticeSet } from './certification.content.ts';
export { assertNotGoldPaused, goldPauseQuick } from './certification.pauses.ts';
export { isMentorOf } from './certification.mentoring.ts';
