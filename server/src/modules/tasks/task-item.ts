import type { AnnotationContent } from '@labelwork/core';
import type { ItemDoc } from '../../infra/mongo.ts';

export { taskItemOf, type CachedItem } from '@labelwork/core';

export function goldOf(d: ItemDoc): AnnotationContent | null {
  return d.isGold && d.gold ? d.gold : null;
}
