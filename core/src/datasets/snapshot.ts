import { ownEntry } from '../schema/label-keys.ts';
import type { LabelDef, Tool } from '../schema/label-schema.ts';
import type { Region } from '../schema/region.ts';

/**
 * Dataset snapshots: the canonical form of a project's labeled state. A snapshot is a header plus
 * one entry per item, sorted by item id; each is serialised as canonical JSON (sorted keys, no
 * `undefined`), one per line. The snapshot id is the sha256 of that text, computed by the caller
 * (engine/workers, node:crypto) as the lines stream by — so the same state always gives the same id
 * and nothing here needs the whole snapshot in memory. See docs/datasets.md.
 */

/** The format tag of the canonical text; part of the hashed header so a new layout gives new ids. */
export const SNAPSHOT_FORMAT = 'labelwork-snapshot/1';

/** A label as far as a dataset consumer cares: name, tool, keypoint names and edges (not colour, hotkey or text). */
export interface SnapshotLabel {
  name: string;
  tool: Tool;
  points?: string[];
  edges?: { from: string; to: string }[];
  retired?: boolean;
}

/** Who made a frozen annotation and how review judged it. */
export interface SnapshotProvenance {
  annotator?: string;
  at?: string;
  guidelineVersion?: string;
  verdict?: string;
}

/** One frozen set of regions on an item. `ref` names it stably: the annotation id, `gold` or `consensus`. */
export interface SnapshotAnnotation {
  kind: 'annotation' | 'gold' | 'consensus';
  ref: string;
  /** The annotation's revision (`version`) that was frozen; 0 for gold and consensus. */
  version: number;
  regions: Region[];
  provenance?: SnapshotProvenance;
}

/** One item of a snapshot: its identity, content hash and the frozen annotations. */
export interface SnapshotEntry {
  itemId: string;
  /** sha256 (hex) of the image bytes or the text; '' when unknown (items imported before hashing). */
  itemHash: string;
  /** File name (images) or external id / item id (texts), as exports name the item. */
  name: string;
  kind: 'image' | 'text';
  width?: number;
  height?: number;
  text?: string;
  status: string;
  annotations: SnapshotAnnotation[];
}

export interface SnapshotHeader {
  format: typeof SNAPSHOT_FORMAT;
  projectId: string;
  kind: 'image' | 'text';
  labels: SnapshotLabel[];
  guideline?: { slug: string; version: string };
  /** What the snapshot includes (e.g. `{ annotations: 'all' }`), part of the state it describes. */
  selection: Record<string, string | boolean | number>;
}

/** Canonical JSON: object keys sorted, `undefined` members dropped, no whitespace. Arrays keep their order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('canonicalJson: non-finite number');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** The labels of a schema as a snapshot records them (only the fields that change what a dataset means). */
export function snapshotLabels(labels: readonly LabelDef[]): SnapshotLabel[] {
  return labels.map((l) => ({
    name: l.name,
    tool: l.tool,
    ...(l.points ? { points: [...l.points] } : {}),
    ...(l.edges ? { edges: l.edges.map((e) => ({ from: e.from, to: e.to })) } : {}),
    ...(l.retired ? { retired: true } : {}),
  }));
}

const KIND_ORDER: Record<SnapshotAnnotation['kind'], number> = { gold: 0, consensus: 1, annotation: 2 };

/**
 * An entry in canonical order: annotations by kind (gold, consensus, annotation) then ref, regions
 * by id. Callers build entries from database documents in any order; this fixes the order.
 */
export function normaliseEntry(entry: SnapshotEntry): SnapshotEntry {
  const annotations = [...entry.annotations]
    .map((a) => ({ ...a, regions: [...a.regions].sort((x, y) => cmp(x.id, y.id)) }))
    .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || cmp(a.ref, b.ref));
  return { ...entry, annotations };
}

/** The header's line of the canonical text (with its newline). */
export function snapshotHeaderLine(header: SnapshotHeader): string {
  return `${canonicalJson(header)}\n`;
}

/** An entry's line of the canonical text (normalised, with its newline). Entries go in `itemId` order. */
export function snapshotEntryLine(entry: SnapshotEntry): string {
  return `${canonicalJson(normaliseEntry(entry))}\n`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Changelog between two snapshots

/** Added / changed / removed counts. */
export interface ChangeCounts {
  added: number;
  changed: number;
  removed: number;
}

export interface SnapshotChangelog {
  items: ChangeCounts & { examples: { added: string[]; changed: string[]; removed: string[] } };
  /** Regions per label (every frozen annotation's regions, matched by annotation ref and region id). */
  regionsByLabel: Record<string, ChangeCounts & { examples: string[] }>;
  regions: ChangeCounts;
  labels: { added: string[]; removed: string[]; changed: string[] };
  guideline: { from: string | null; to: string | null } | null;
}

/** How many example item ids the changelog keeps per list. */
export const CHANGELOG_EXAMPLES = 10;

export function emptyChangelog(): SnapshotChangelog {
  return {
    items: { added: 0, changed: 0, removed: 0, examples: { added: [], changed: [], removed: [] } },
    regionsByLabel: {},
    regions: { added: 0, changed: 0, removed: 0 },
    labels: { added: [], removed: [], changed: [] },
    guideline: null,
  };
}

function regionMap(entry: SnapshotEntry | undefined): Map<string, { label: string; text: string }> {
  const m = new Map<string, { label: string; text: string }>();
  for (const a of entry?.annotations ?? [])
    for (const r of a.regions) m.set(`${a.ref}\u0000${r.id}`, { label: r.label, text: canonicalJson(r) });
  return m;
}

function itemContent(e: SnapshotEntry): string {
  return canonicalJson({ h: e.itemHash, n: e.name, w: e.width, ht: e.height, t: e.text });
}

/**
 * Adds one item's difference to a changelog (mutates `log`). Call it for every item id of either
 * snapshot, walking both entry streams in item-id order (a merge), with `undefined` for the side
 * that lacks the item. An item counts as changed when its content or any of its regions changed.
 */
export function addItemDiff(log: SnapshotChangelog, prev: SnapshotEntry | undefined, next: SnapshotEntry | undefined): void {
  const id = (next ?? prev)?.itemId;
  if (id === undefined) return;
  const before = regionMap(prev);
  const after = regionMap(next);
  let regionChanges = 0;
  const bump = (label: string, what: keyof ChangeCounts) => {
    const c = ownEntry(log.regionsByLabel, label, () => ({ added: 0, changed: 0, removed: 0, examples: [] }));
    c[what] += 1;
    log.regions[what] += 1;
    regionChanges += 1;
    if (c.examples.length < CHANGELOG_EXAMPLES && !c.examples.includes(id)) c.examples.push(id);
  };
  for (const [key, b] of before) {
    const a = after.get(key);
    if (!a) bump(b.label, 'removed');
    else if (a.label !== b.label) {
      bump(b.label, 'removed');
      bump(a.label, 'added');
    } else if (a.text !== b.text) bump(a.label, 'changed');
  }
  for (const [key, a] of after) if (!before.has(key)) bump(a.label, 'added');
  const example = (list: string[]) => {
    if (list.length < CHANGELOG_EXAMPLES) list.push(id);
  };
  if (!prev) {
    log.items.added += 1;
    example(log.items.examples.added);
  } else if (!next) {
    log.items.removed += 1;
    example(log.items.examples.removed);
  } else if (regionChanges > 0 || itemContent(prev) !== itemContent(next)) {
    log.items.changed += 1;
    example(log.items.examples.changed);
  }
}

/** Compares two snapshot headers' label lists and guidelines into the changelog (mutates `log`). */
export function addHeaderDiff(log: SnapshotChangelog, prev: SnapshotHeader, next: SnapshotHeader): void {
  const d = labelSchemaDiff(prev.labels, next.labels);
  log.labels = { added: d.added, removed: d.removed, changed: d.changed };
  const from = prev.guideline?.version ?? null;
  const to = next.guideline?.version ?? null;
  log.guideline = from !== to || prev.guideline?.slug !== next.guideline?.slug ? { from, to } : null;
}

// ---------------------------------------------------------------------------------------------
// Versions

export type VersionBump = 'major' | 'minor' | 'patch' | 'none';

export interface LabelSchemaDiff {
  added: string[];
  removed: string[];
  /** Labels whose tool, keypoint names/order, edges or retired flag changed. */
  changed: string[];
  /** `major`: a label removed or renamed, a tool changed, keypoint names changed; `minor`: labels added, edges or retirement changed. */
  bump: VersionBump;
}

/**
 * What a label-schema change means for a dataset consumer. A rename is a removal plus an addition
 * (labels are matched by name), so it is breaking. Changes a model cannot see (colour, hotkey,
 * description) are not changes at all.
 */
export function labelSchemaDiff(prev: readonly SnapshotLabel[], next: readonly SnapshotLabel[]): LabelSchemaDiff {
  const before = new Map(prev.map((l) => [l.name, l]));
  const after = new Map(next.map((l) => [l.name, l]));
  const added = next.filter((l) => !before.has(l.name)).map((l) => l.name);
  const removed = prev.filter((l) => !after.has(l.name)).map((l) => l.name);
  const changed: string[] = [];
  let breaking = removed.length > 0;
  for (const [name, a] of after) {
    const b = before.get(name);
    if (!b) continue;
    const toolOrPoints = a.tool !== b.tool || canonicalJson(a.points ?? []) !== canonicalJson(b.points ?? []);
    const minor = canonicalJson(a.edges ?? []) !== canonicalJson(b.edges ?? []) || Boolean(a.retired) !== Boolean(b.retired);
    if (toolOrPoints) breaking = true;
    if (toolOrPoints || minor) changed.push(name);
  }
  const bump: VersionBump = breaking ? 'major' : added.length > 0 || changed.length > 0 ? 'minor' : 'none';
  return { added, removed, changed, bump };
}

/**
 * The version step from the previous snapshot to this one:
 * - major: the label schema changed incompatibly (see labelSchemaDiff);
 * - minor: labels added (or edges/retirement changed), or items added or removed;
 * - patch: only annotations (regions) or item contents changed, or the guideline version;
 * - none: the same state (same snapshot id).
 */
export function versionBump(log: SnapshotChangelog, schema: LabelSchemaDiff): VersionBump {
  if (schema.bump === 'major') return 'major';
  if (schema.bump === 'minor' || log.items.added > 0 || log.items.removed > 0) return 'minor';
  if (log.items.changed > 0 || log.regions.added + log.regions.changed + log.regions.removed > 0 || log.guideline) return 'patch';
  return 'none';
}

/** The next semantic version. The first snapshot of a project is 1.0.0; `none` keeps the version. */
export function nextVersion(prev: string | null, bump: VersionBump): string {
  if (prev === null) return '1.0.0';
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(prev);
  if (!m) throw new Error(`not a version: ${prev}`);
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  switch (bump) {
    case 'major':
      return `${major + 1}.0.0`;
    case 'minor':
      return `${major}.${minor + 1}.0`;
    case 'patch':
      return `${major}.${minor}.${patch + 1}`;
    case 'none':
      return prev;
  }
}

/** A breaking (major) snapshot needs a release note saying what consumers must change. */
export function releaseNoteRequired(bump: VersionBump): boolean {
  return bump === 'major';
}
