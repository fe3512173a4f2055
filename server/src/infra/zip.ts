import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { AppError } from '../http/errors.ts';

/** Bounds on what one uploaded zip may unpack to. */
export interface ZipLimits {
  /** Entries in the central directory (directories count). */
  maxEntries: number;
  /** All files together, uncompressed. */
  maxTotalBytes: number;
  /** One file, uncompressed. */
  maxEntryBytes: number;
  /** Largest uncompressed / compressed ratio of a file bigger than `ratioFloorBytes` (deflate tops out near 1032:1). */
  maxRatio: number;
  /** Files up to this size are not ratio-checked (a tiny file of zeros compresses very well and is harmless). */
  ratioFloorBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 20_000,
  maxTotalBytes: 4 * 1024 ** 3,
  maxEntryBytes: 1024 ** 3,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
};

/** A file of the archive as checked against the central directory. */
export interface ZipEntryInfo {
  /** Relative path with `/` separators, never absolute, never with `..`. */
  path: string;
  /** Uncompressed size the central directory claims (unpacking enforces it). */
  size: number;
  compressedSize: number;
}

/** A file as unpacked: where it is on disk. */
export interface UnpackedFile extends ZipEntryInfo {
  file: string;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

const refuse = (code: ConstructorParameters<typeof AppError>[0], message: string, details: Record<string, unknown>) =>
  new AppError(code, message, details);

/** The entry's name as the archive spells it (UTF-8 flag, Info-ZIP Unicode path, else CP437), backslashes kept. */
function entryName(e: Entry): string {
  return yauzl.getFileNameLowLevel(e.generalPurposeBitFlag, e.fileNameRaw, e.extraFields, true);
}

/**
 * Checks one name: relative, `/`-separated, no `..`/`.`/empty segments, no drive letter, no
 * backslash (a Windows separator that would otherwise smuggle `..\`), no control characters.
 */
export function unsafeNameReason(name: string): string | null {
  if (name.length === 0) return 'empty';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'control_character';
  if (name.includes('\\')) return 'backslash';
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'absolute';
  const segments = name.replace(/\/$/, '').split('/');
  if (segments.includes('..')) return 'traversal';
  if (segments.some((s) => s === '' || s === '.')) return 'empty_segment';
  return null;
}

function isDirectory(e: Entry, name: string): boolean {
  const mode = e.externalFileAttributes >>> 16;
  return name.endsWith('/') || (mode & S_IFMT) === S_IFDIR;
}

/** Refuses what no upload may hold, from the central directory record of one entry. */
function checkEntry(e: Entry, name: string, limits: ZipLimits): void {
  const reason = unsafeNameReason(name);
  if (reason) throw refuse('ZIP_UNSAFE_PATH', `the zip entry "${name}" has an unsafe path (${reason})`, { entry: name, reason });
  // Unix hosts keep the file mode in the upper 16 bits; anything but a plain file or directory
  // (a symlink above all: it could point outside the unpack directory) is refused.
  const mode = e.externalFileAttributes >>> 16;
  const type = mode & S_IFMT;
  if (type === S_IFLNK) throw refuse('ZIP_SYMLINK', `the zip entry "${name}" is a symbolic link`, { entry: name });
  if (type !== 0 && type !== S_IFREG && type !== S_IFDIR)
    throw refuse('ZIP_UNSAFE_PATH', `the zip entry "${name}" is not a regular file`, { entry: name, reason: 'special_file' });
  if (e.generalPurposeBitFlag & 0x41) throw refuse('ZIP_ENCRYPTED', `the zip entry "${name}" is encrypted`, { entry: name });
  if (e.compressionMethod !== 0 && e.compressionMethod !== 8)
    throw refuse('ZIP_CORRUPT', `the zip entry "${name}" uses compression method ${e.compressionMethod} (only stored and deflate)`, {
      entry: name,
      reason: 'compression_method',
    });
  if (e.uncompressedSize > limits.maxEntryBytes)
    throw refuse('ZIP_TOO_LARGE', `the zip entry "${name}" unpacks to ${e.uncompressedSize} bytes (at most ${limits.maxEntryBytes})`, {
      entry: name,
      size: e.uncompressedSize,
      limit: limits.maxEntryBytes,
    });
  const ratio = e.uncompressedSize / Math.max(1, e.compressedSize);
  if (e.uncompressedSize > limits.ratioFloorBytes && ratio > limits.maxRatio)
    throw refuse('ZIP_BOMB', `the zip entry "${name}" is compressed ${Math.round(ratio)}:1 (at most ${limits.maxRatio}:1)`, {
      entry: name,
      ratio: Math.round(ratio),
      limit: limits.maxRatio,
    });
}

/** yauzl's own complaints, as our codes (it checks structure, sizes of stored entries and overlong streams). */
function fromYauzl(err: unknown, name?: string): AppError {
  if (err instanceof AppError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const entry = name === undefined ? {} : { entry: name };
  if (/too many bytes in the stream|expected \d+ bytes?/i.test(message))
    return refuse('ZIP_BOMB', `the zip entry "${name ?? '?'}" inflates to more than it declares`, { ...entry, reason: 'size_mismatch' });
  if (/encrypt/i.test(message)) return refuse('ZIP_ENCRYPTED', 'the zip holds encrypted entries', entry);
  return refuse('ZIP_CORRUPT', `the file is not a readable zip archive (${message})`, { ...entry, reason: 'structure' });
}

async function openZip(file: string): Promise<ZipFile> {
  try {
    return await yauzl.openPromise(file, { autoClose: false, decodeStrings: false, validateEntrySizes: true, strictFileNames: true });
  } catch (e) {
    throw fromYauzl(e);
  }
}

/**
 * Reads the central directory and refuses the archive (with ZIP_UNSAFE_PATH, ZIP_SYMLINK,
 * ZIP_ENCRYPTED, ZIP_TOO_MANY_ENTRIES, ZIP_TOO_LARGE, ZIP_BOMB or ZIP_CORRUPT) before a single
 * byte is inflated. Returns the files (directories left out), each path at most once.
 */
export async function inspectZip(file: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipEntryInfo[]> {
  const out: ZipEntryInfo[] = [];
  await walk(file, limits, (info) => {
    out.push(info);
    return Promise.resolve();
  });
  return out;
}

async function walk(
  file: string,
  limits: ZipLimits,
  onFile: (info: ZipEntryInfo, entry: Entry, zip: ZipFile) => Promise<void>,
): Promise<void> {
  const zip = await openZip(file);
  try {
    if (zip.entryCount > limits.maxEntries)
      throw refuse('ZIP_TOO_MANY_ENTRIES', `the zip has ${zip.entryCount} entries (at most ${limits.maxEntries})`, {
        entries: zip.entryCount,
        limit: limits.maxEntries,
      });
    // First pass: the whole central directory, so a bad entry at the end refuses the zip before anything is written.
    const entries: { entry: Entry; info: ZipEntryInfo }[] = [];
    const seen = new Set<string>();
    let total = 0;
    try {
      for await (const entry of zip.eachEntry()) {
        const name = entryName(entry);
        checkEntry(entry, name, limits);
        if (isDirectory(entry, name)) continue;
        const key = name.normalize('NFC');
        if (seen.has(key)) throw refuse('ZIP_UNSAFE_PATH', `the zip holds "${name}" twice`, { entry: name, reason: 'duplicate' });
        seen.add(key);
        total += entry.uncompressedSize;
        if (total > limits.maxTotalBytes)
          throw refuse('ZIP_TOO_LARGE', `the zip unpacks to more than ${limits.maxTotalBytes} bytes`, { limit: limits.maxTotalBytes });
        entries.push({ entry, info: { path: name, size: entry.uncompressedSize, compressedSize: entry.compressedSize } });
      }
    } catch (e) {
      throw fromYauzl(e);
    }
    for (const { entry, info } of entries) await onFile(info, entry, zip);
  } finally {
    zip.close();
  }
}

/**
 * Counts the bytes that really come out of the inflater and stops the stream as soon as they pass
 * what the central directory declared for the entry or the archive's total budget: a zip that
 * claims a few bytes but inflates to gigabytes is cut off after the claim, not after the disk fills.
 */
class ByteBudget extends Transform {
  private seen = 0;
  constructor(
    private readonly name: string,
    private readonly declared: number,
    private readonly budget: { left: number },
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    this.budget.left -= chunk.length;
    if (this.seen > this.declared)
      return cb(
        refuse('ZIP_BOMB', `the zip entry "${this.name}" inflates to more than the ${this.declared} bytes it declares`, {
          entry: this.name,
          reason: 'size_mismatch',
        }),
      );
    if (this.budget.left < 0) return cb(refuse('ZIP_TOO_LARGE', 'the zip unpacks to more than its size limit', { reason: 'total' }));
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    if (this.seen !== this.declared)
      return cb(
        refuse('ZIP_CORRUPT', `the zip entry "${this.name}" has ${this.seen} bytes, not the ${this.declared} it declares`, {
          entry: this.name,
          reason: 'size_mismatch',
        }),
      );
    cb();
  }
}

/**
 * Unpacks a checked zip into `dir` (which must exist and be empty, and is the caller's to remove):
 * every path is resolved and confirmed inside `dir`, files are created exclusively (`wx`), and
 * each entry's inflated bytes are held to its declared size and the total to `maxTotalBytes`.
 * On any refusal the files written so far stay in `dir` for the caller to remove with it.
 */
export async function unpackZip(file: string, dir: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<UnpackedFile[]> {
  const root = path.resolve(dir);
  const out: UnpackedFile[] = [];
  const budget = { left: limits.maxTotalBytes };
  await walk(file, limits, async (info, entry, zip) => {
    const target = path.resolve(root, ...info.path.split('/'));
    if (!target.startsWith(root + path.sep))
      throw refuse('ZIP_UNSAFE_PATH', `the zip entry "${info.path}" would land outside the target`, {
        entry: info.path,
        reason: 'traversal',
      });
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    let stream;
    try {
      stream = await zip.openReadStreamPromise(entry);
    } catch (e) {
      throw fromYauzl(e, info.path);
    }
    try {
      await pipeline(stream, new ByteBudget(info.path, info.size, budget), createWriteStream(target, { flags: 'wx', mode: 0o600 }));
    } catch (e) {
      stream.destroy();
      throw fromYauzl(e, info.path);
    }
    out.push({ ...info, file: target });
  });
  return out;
}
