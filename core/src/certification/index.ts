export * from './config.ts';
export * from './draw.ts';
export * from './theory.ts';
export * from './feedback.ts';
export * from './practical.ts';
export * from './review-exercise.ts';
export * from './promotion.ts';
export * from './gold-accuracy.ts';
