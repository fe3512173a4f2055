import type { AnnotationContent } from '@labelwork/core';
import type { ItemDoc } from '@labelwork/engine';

export { taskItemOf, type CachedItem } from '@labelwork/core';

export function goldOf(d: ItemDoc): AnnotationContent | null {
  return d.isGold && d.gold ? d.gold : null;
}
