import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExportParts } from '../../workers/src/datasets/export-file.ts';

describe('export parts (temp files per file and section)', () => {
  it('joins each file from its sections in section order, files in order of first appearance, and removes its directory', async () => {
    const parts = await ExportParts.create('test');
    await parts.put([
      { file: 'annotations.json', text: '{"images":[', section: 1 },
      { file: 'annotations.json', text: '{', section: 0 },
    ]);
    await parts.put([{ file: 'labels/图片 1.txt', text: '0 0.5 0.5 0.1 0.1\n' }]);
    await parts.flush();
    await parts.put([
      { file: 'annotations.json', text: '1]}', section: 1 },
      { file: 'annotations.json', text: '', section: 2 },
    ]);
    await parts.flush();
    const layout = parts.layout();
    expect(layout.map((l) => l.file)).toEqual(['annotations.json', 'labels/图片 1.txt']);
    const joined = await Promise.all(layout[0]!.paths.map((p) => readFile(p, 'utf8')));
    expect(joined.join('')).toBe('{{"images":[1]}');
    expect(await readFile(layout[1]!.paths[0]!, 'utf8')).toBe('0 0.5 0.5 0.1 0.1\n');
    await parts.dispose();
    expect(existsSync(parts.dir)).toBe(false);
  });
});
