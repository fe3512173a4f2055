import yazl from 'yazl';

/** Zips for tests, built in memory; bad names (which yazl refuses) are patched into the bytes afterwards. */
export interface ZipEntrySpec {
  name: string;
  data: Buffer | string;
  mode?: number;
  compress?: boolean;
  zip64?: boolean;
}

/** Builds a zip in memory with yazl (which refuses bad names itself: those are patched in afterwards). */
export async function buildZip(entries: ZipEntrySpec[]): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const e of entries)
    z.addBuffer(Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data), e.name, {
      ...(e.mode !== undefined ? { mode: e.mode } : {}),
      compress: e.compress ?? true,
      forceZip64Format: e.zip64 ?? false,
    });
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Replaces every occurrence of a same-length name (local header and central directory). */
export function patchName(zip: Buffer, from: string, to: string): Buffer {
  const a = Buffer.from(from);
  const b = Buffer.from(to);
  if (a.length !== b.length) throw new Error('patchName: names must have the same length');
  let at = zip.indexOf(a);
  if (at < 0) throw new Error(`patchName: ${from} not found`);
  while (at >= 0) {
    b.copy(zip, at);
    at = zip.indexOf(a, at + 1);
  }
  return zip;
}

/** Offsets of the central directory headers. */
export function centralHeaders(zip: Buffer): number[] {
  const out: number[] = [];
  for (let i = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); i >= 0; i = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), i + 4))
    out.push(i);
  return out;
}
