import type { AnnotationContent, Item, ItemStatus } from '@labelwork/core';
import { http, seg, withQuery } from './http.ts';
import type { ItemPage } from './projects.ts';

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

export interface ItemQuery {
  page: number;
  pageSize: number;
  /** Matches the file name, text or external id (case-insensitive substring). */
  q?: string;
  status?: ItemStatus;
  importId?: string;
}

/** A page of a project's items, filtered; `total` counts the matches. */
export function searchItems(projectId: string, query: ItemQuery, signal?: AbortSignal): Promise<ItemPage> {
  return http.get<ItemPage>(withQuery(`/api/projects/${seg(projectId)}/items`, { ...query }), signal ? { signal } : {});
}

export interface ImportSummary {
  id: string;
  kind: 'images' | 'text';
  fileName: string;
  status: 'running' | 'complete' | 'failed';
  total: number;
  done: number;
  createdAt: string;
}

export async function listImports(projectId: string, signal?: AbortSignal): Promise<ImportSummary[]> {
  return (await http.get<{ imports: ImportSummary[] }>(`/api/projects/${seg(projectId)}/imports`, signal ? { signal } : {})).imports;
}

/**
 * Deletes items without annotations. Rejects with ITEMS_HAVE_ANNOTATIONS (`details.items`:
 * `[{id, seq, annotationCount}]`) when any has annotations, deleting nothing; items being
 * annotated right now are kept and listed in `busy`.
 */
export function deleteItems(projectId: string, ids: string[]): Promise<{ deleted: number; busy: string[]; missing: string[] }> {
  return http.post(`/api/projects/${seg(projectId)}/items/delete`, { ids });
}
