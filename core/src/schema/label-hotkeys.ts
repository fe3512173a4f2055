import type { LabelSchema } from './label-schema.ts';

/**
 * Label hotkeys: each label's own hotkey, and digits 1–9 for the first nine labels in schema
 * order unless that digit is some label's own hotkey. Retired labels get no key but keep their
 * place, so retiring a label shifts no other label's number. Keys are lower case → label name.
 */
export function labelHotkeys(schema: Pick<LabelSchema, 'labels'>): Map<string, string> {
  const keys = new Map<string, string>();
  for (const l of schema.labels) if (l.hotkey && !l.retired) keys.set(l.hotkey.toLowerCase(), l.name);
  const own = new Set(schema.labels.flatMap((l) => (l.hotkey ? [l.hotkey.toLowerCase()] : [])));
  schema.labels.slice(0, 9).forEach((l, i) => {
    const digit = String(i + 1);
    if (!l.retired && !own.has(digit) && !keys.has(digit)) keys.set(digit, l.name);
  });
  return keys;
}

/** One label whose keys change between two schemas: `before` and `after` list its keys (lower case, sorted). */
export interface HotkeyChange {
  label: string;
  before: string[];
  after: string[];
}

/**
 * Labels present (and not retired) in both schemas whose keys differ, e.g. the labels after a
 * removed one, whose implicit number moves up. For the project form's warning.
 */
export function hotkeyChanges(before: Pick<LabelSchema, 'labels'>, after: Pick<LabelSchema, 'labels'>): HotkeyChange[] {
  const byLabel = (s: Pick<LabelSchema, 'labels'>) => {
    const out = new Map<string, string[]>();
    for (const [key, name] of labelHotkeys(s)) out.set(name, [...(out.get(name) ?? []), key].sort());
    return out;
  };
  const a = byLabel(before);
  const b = byLabel(after);
  const kept = new Set(after.labels.filter((l) => !l.retired).map((l) => l.name));
  return before.labels
    .filter((l) => !l.retired && kept.has(l.name))
    .flatMap((l) => {
      const x = a.get(l.name) ?? [];
      const y = b.get(l.name) ?? [];
      return x.join(',') === y.join(',') ? [] : [{ label: l.name, before: x, after: y }];
    });
}
