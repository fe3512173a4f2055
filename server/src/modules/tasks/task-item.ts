import type { AnnotationContent, ItemExtent, TaskItem } from '@labelwork/core';
import { codePointLength } from '@labelwork/core';
import type { ItemDoc } from '../../infra/mongo.ts';

/** What is cached in Redis per queued item: the annotator's view plus its extent. */
export interface CachedItem {
  item: TaskItem;
  extent: ItemExtent;
}

/** The item as an annotator may see it: never the gold answer. */
export function taskItemOf(d: ItemDoc): CachedItem {
  const item: TaskItem = { id: d._id.toHexString(), kind: d.kind };
  let extent: ItemExtent;
  if (d.text !== undefined) {
    item.text = d.text;
    item.textLength = d.textLength ?? codePointLength(d.text);
    extent = { kind: 'text', length: item.textLength };
  } else if (d.image) {
    item.image = { fileId: d.image.fileId.toHexString(), name: d.image.name, mime: d.image.mime, width: d.image.width, height: d.image.height };
    extent = { kind: 'image', width: d.image.width, height: d.image.height };
  } else extent = { kind: 'text', length: 0 };
  if (d.meta) item.meta = d.meta;
  return { item, extent };
}

export function goldOf(d: ItemDoc): AnnotationContent | null {
  return d.isGold && d.gold ? d.gold : null;
}
