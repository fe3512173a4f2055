export * from './item-quality.ts';
export * from './project-agreement.ts';
export * from './review-policy.ts';
export * from './dashboard.ts';
export * from './region-confusion.ts';
