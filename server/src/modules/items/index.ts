export { goldLabelCounts, putGoldAnswers, relabelGold } from './gold-labels.ts';
export { itemsRoutes } from './items.routes.ts';
export { deleteItems, importImages, importText, sweepStaleImports } from './items.service.ts';
export { startPyramids } from './tile-pyramids.ts';
