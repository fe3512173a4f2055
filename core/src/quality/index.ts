export * from './item-quality.ts';
export * from './project-agreement.ts';
