export { goldLabelCounts, putGoldAnswers, relabelGold } from './gold-labels.ts';
export { itemsRoutes } from './items.routes.ts';
export { sweepStaleImports } from './items.service.ts';
