export * from './box.ts';
export * from './polygon.ts';
export * from './keypoints.ts';
export * from './polygon-budget.ts';
export * from './mask.ts';
