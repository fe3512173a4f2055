export { guidelinesRoutes } from './guidelines.routes.ts';
export { findGuideline, loadGuidelines } from './guidelines.service.ts';
