import { labelHotkeys as coreLabelHotkeys, type LabelDef, type LabelSchema, type Region, type Tool } from '@labelwork/core';
import type { ToolId } from './types.ts';

/** The image tool that draws regions of a label (null for spans and classes). */
export function drawingToolOf(tool: Tool): ToolId | null {
  return tool === 'bbox' || tool === 'polygon' || tool === 'keypoints' ? tool : null;
}

/** Region type a label's tool makes. */
export function regionTypeOf(tool: Tool): Region['type'] {
  return tool === 'class-single' || tool === 'class-multi' ? 'class' : tool;
}

export function labelByName(schema: LabelSchema, name: string | null | undefined): LabelDef | null {
  if (name == null) return null;
  return schema.labels.find((l) => l.name === name) ?? null;
}

/** Label hotkeys (core's rule, shared with the project form's warning about shifting keys). */
export function labelHotkeys(schema: LabelSchema): Map<string, string> {
  return coreLabelHotkeys(schema);
}

/** Hotkeys shown beside each label, e.g. {"car": ["c", "1"]}. */
export function hotkeysByLabel(schema: LabelSchema): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, name] of labelHotkeys(schema)) out.set(name, [...(out.get(name) ?? []), key]);
  return out;
}

/** Whether `label` may be given to region `r` (same kind of region). */
export function labelFits(label: LabelDef, r: Region): boolean {
  return regionTypeOf(label.tool) === r.type;
}

/** Count of regions per label name. */
export function countByLabel(regions: readonly Region[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of regions) out.set(r.label, (out.get(r.label) ?? 0) + 1);
  return out;
}
