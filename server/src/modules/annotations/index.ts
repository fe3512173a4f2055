export { annotationsRoutes } from './annotations.routes.ts';
export { annotationLabelCounts, editAnnotation, relabelAnnotations } from './annotations.service.ts';
