import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildZip, centralHeaders, patchName } from '../support/zip.ts';
import { DEFAULT_ZIP_LIMITS, inspectZip, unpackZip, type ZipLimits } from '../../server/src/infra/zip.ts';

let dir: string;
const limits = (over: Partial<ZipLimits> = {}): ZipLimits => ({ ...DEFAULT_ZIP_LIMITS, ...over });

async function zipFile(buf: Buffer): Promise<string> {
  const f = path.join(dir, `in-${Math.random().toString(36).slice(2)}.zip`);
  await writeFile(f, buf);
  return f;
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code: string; details: Record<string, unknown> };
    return { code: err.code, details: err.details };
  }
  throw new Error('expected the zip to be refused');
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'zip-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('safe zip unpacking', () => {
  it('unpacks plain files into the target, keeping nested paths, spaces and Chinese names', async () => {
    const zip = await zipFile(
      await buildZip([
        { name: 'annotations.json', data: '{"images":[]}' },
        { name: 'images/图片 1.JPG', data: Buffer.alloc(3000, 7) },
        { name: 'images/a.png', data: 'png' },
      ]),
    );
    const out = path.join(dir, 'out');
    await mkdir(out);
    const files = await unpackZip(zip, out);
    expect(files.map((f) => f.path).sort()).toEqual(['annotations.json', 'images/a.png', 'images/图片 1.JPG']);
    expect(await readFile(path.join(out, 'images', '图片 1.JPG'))).toEqual(Buffer.alloc(3000, 7));
    expect((await readdir(out)).sort()).toEqual(['annotations.json', 'images']);
  });

  it('refuses a ../ entry before writing anything', async () => {
    const zip = await zipFile(
      patchName(
        await buildZip([
          { name: 'ok.txt', data: 'fine' },
          { name: 'aa/evil', data: 'pwned' },
        ]),
        'aa/evil',
        '../evil',
      ),
    );
    const out = path.join(dir, 'out');
    await mkdir(out);
    const r = await refusal(unpackZip(zip, out));
    expect(r).toEqual({ code: 'ZIP_UNSAFE_PATH', details: { entry: '../evil', reason: 'traversal' } });
    expect(await readdir(out)).toEqual([]);
    expect(await readdir(dir)).not.toContain('evil');
  });

  it('refuses absolute paths, drive letters and backslashes', async () => {
    for (const [from, to, reason] of [
      ['xetc/passwd', '/etc/passwd', 'absolute'],
      ['xx/win.ini', 'C:/win.ini', 'absolute'],
      ['ab/x', '..\\x', 'backslash'],
    ] as const) {
      const zip = await zipFile(patchName(await buildZip([{ name: from, data: 'x' }]), from, to));
      const r = await refusal(inspectZip(zip));
      expect(r.code, to).toBe('ZIP_UNSAFE_PATH');
      expect(r.details.reason, to).toBe(reason);
    }
  });

  it('refuses a symbolic link entry (file mode in the external attributes)', async () => {
    const zip = await zipFile(await buildZip([{ name: 'link', data: '/etc/passwd', mode: 0o120777 }]));
    expect(await refusal(inspectZip(zip))).toEqual({ code: 'ZIP_SYMLINK', details: { entry: 'link' } });
  });

  it('refuses an encrypted entry', async () => {
    const buf = await buildZip([{ name: 'secret.txt', data: 'x' }]);
    for (const at of centralHeaders(buf)) buf.writeUInt16LE(buf.readUInt16LE(at + 8) | 0x1, at + 8);
    expect((await refusal(inspectZip(await zipFile(buf)))).code).toBe('ZIP_ENCRYPTED');
  });

  it('refuses too many entries', async () => {
    const zip = await zipFile(await buildZip(Array.from({ length: 6 }, (_, i) => ({ name: `f${i}.txt`, data: 'x' }))));
    expect(await refusal(inspectZip(zip, limits({ maxEntries: 5 })))).toEqual({
      code: 'ZIP_TOO_MANY_ENTRIES',
      details: { entries: 6, limit: 5 },
    });
    expect(await inspectZip(zip, limits({ maxEntries: 6 }))).toHaveLength(6);
  });

  it('refuses a zip bomb claiming 10 GB from its central directory, before inflating', async () => {
    const buf = await buildZip([{ name: 'bomb.bin', data: Buffer.alloc(1000), zip64: true }]);
    // The zip64 extra field (id 1) holds the real sizes: claim 10 GB uncompressed.
    const [cd] = centralHeaders(buf);
    const nameLen = buf.readUInt16LE(cd! + 28);
    let extra = cd! + 46 + nameLen;
    while (buf.readUInt16LE(extra) !== 1) extra += 4 + buf.readUInt16LE(extra + 2);
    buf.writeBigUInt64LE(10n * 1000n ** 3n, extra + 4);
    const r = await refusal(inspectZip(await zipFile(buf)));
    expect(r.code).toBe('ZIP_TOO_LARGE');
    expect(r.details).toMatchObject({ entry: 'bomb.bin', size: 10 * 1000 ** 3 });
  });

  it('refuses a suspicious compression ratio', async () => {
    const zip = await zipFile(await buildZip([{ name: 'zeros.bin', data: Buffer.alloc(8 * 1024 * 1024) }]));
    const r = await refusal(inspectZip(zip));
    expect(r.code).toBe('ZIP_BOMB');
    expect(r.details.entry).toBe('zeros.bin');
    // A small file of zeros is below the floor and passes.
    expect(await inspectZip(await zipFile(await buildZip([{ name: 'z.bin', data: Buffer.alloc(1000) }])))).toHaveLength(1);
  });

  it('stops a zip that claims a small size but inflates to much more, while streaming', async () => {
    const real = 32 * 1024 * 1024;
    const buf = await buildZip([{ name: 'liar.bin', data: Buffer.alloc(real) }]);
    const [cd] = centralHeaders(buf);
    buf.writeUInt32LE(4096, cd! + 24); // uncompressed size: 4 KB claimed
    const zip = await zipFile(buf);
    expect(await inspectZip(zip)).toEqual([{ path: 'liar.bin', size: 4096, compressedSize: expect.any(Number) as number }]);
    const out = path.join(dir, 'out');
    await mkdir(out);
    const r = await refusal(unpackZip(zip, out));
    expect(r.code).toBe('ZIP_BOMB');
    expect(r.details).toMatchObject({ entry: 'liar.bin', reason: 'size_mismatch' });
    // Cut off near the claim, not after inflating everything.
    const { size } = await stat(path.join(out, 'liar.bin')).catch(() => ({ size: 0 }));
    expect(size).toBeLessThanOrEqual(4096);
  });

  it('holds the total inflated size to the limit', async () => {
    const zip = await zipFile(
      await buildZip([
        { name: 'a.bin', data: Buffer.alloc(600, 1), compress: false },
        { name: 'b.bin', data: Buffer.alloc(600, 2), compress: false },
      ]),
    );
    expect(await refusal(inspectZip(zip, limits({ maxTotalBytes: 1000 })))).toEqual({
      code: 'ZIP_TOO_LARGE',
      details: { limit: 1000 },
    });
  });

  it('refuses a file that is not a zip and a name given twice', async () => {
    expect((await refusal(inspectZip(await zipFile(Buffer.from('not a zip at all'))))).code).toBe('ZIP_CORRUPT');
    const twice = patchName(
      await buildZip([
        { name: 'a.txt', data: '1' },
        { name: 'b.txt', data: '2' },
      ]),
      'b.txt',
      'a.txt',
    );
    expect(await refusal(inspectZip(await zipFile(twice)))).toEqual({
      code: 'ZIP_UNSAFE_PATH',
      details: { entry: 'a.txt', reason: 'duplicate' },
    });
  });
});
