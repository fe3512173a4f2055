import type { AnnotationContent, Item } from '@labelwork/core';
import { http, seg } from './http.ts';

export async function getItem(id: string, signal?: AbortSignal): Promise<Item> {
  return (await http.get<{ item: Item }>(`/api/items/${seg(id)}`, signal ? { signal } : {})).item;
}

/**
 * Sets (or, with null, clears) an item's gold answer. Answers 400 VALIDATION_FAILED with
 * `details: [{path, message}]` when regions do not fit the label schema or the item.
 */
export async function setItemGold(id: string, gold: AnnotationContent | null): Promise<Item> {
  return (await http.put<{ item: Item }>(`/api/items/${seg(id)}/gold`, { gold })).item;
}
