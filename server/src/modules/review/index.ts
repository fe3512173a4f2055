export { reviewQueue } from './review.counts.ts';
export { reviewRoutes } from './review.routes.ts';
export { reviewOnSubmit, startReviewRuntime } from './review.routing.ts';
export { registerReviewSocket } from './review.socket.ts';
