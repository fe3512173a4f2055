import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Request } from 'express';
import type multer from 'multer';
import { withoutUnsafeNameChars } from '@labelwork/core';
import { AppError } from '../../http/errors.ts';
import type { UploadedFile } from './images.ts';

type StoredFile = Express.Multer.File & { sha256: string };

/** Temp files this old are left over from a process that died mid-upload. */
const LEFTOVER_AGE_MS = 24 * 3600_000;

function sweepLeftovers(root: string, before: number): void {
  for (const name of readdirSync(root)) {
    const file = path.join(root, name);
    try {
      if (statSync(file).mtimeMs < before) rmSync(file, { force: true });
    } catch {
      // gone already, or not ours to remove
    }
  }
}

/**
 * A multer storage engine that streams each file to a temp file (never into memory), hashes it on
 * the way (sha256, for duplicate detection), and refuses the request with PAYLOAD_TOO_LARGE as
 * soon as all its files together pass `maxTotal` bytes. Files are removed by `removeUploads`.
 */
export function tempDiskStorage(dir: string, maxTotal: number): multer.StorageEngine {
  const root = dir || path.join(os.tmpdir(), 'labelwork-uploads');
  mkdirSync(root, { recursive: true, mode: 0o700 });
  sweepLeftovers(root, Date.now() - LEFTOVER_AGE_MS);
  const totals = new WeakMap<Request, number>();
  return {
    _handleFile(req, file, cb) {
      const target = path.join(root, randomUUID());
      const out = createWriteStream(target, { flags: 'wx', mode: 0o600 });
      const hash = createHash('sha256');
      let size = 0;
      let failed = false;
      const fail = (err: Error) => {
        if (failed) return;
        failed = true;
        file.stream.resume();
        out.destroy();
        void rm(target, { force: true }).finally(() => cb(err));
      };
      file.stream.on('data', (chunk: Buffer) => {
        if (failed) return;
        size += chunk.length;
        const total = (totals.get(req) ?? 0) + chunk.length;
        totals.set(req, total);
        if (total > maxTotal) {
          fail(
            new AppError('PAYLOAD_TOO_LARGE', `the files of one upload may be at most ${maxTotal} bytes together`, {
              reason: 'total',
              limit: maxTotal,
            }),
          );
          return;
        }
        hash.update(chunk);
        if (!out.write(chunk)) {
          file.stream.pause();
          out.once('drain', () => file.stream.resume());
        }
      });
      file.stream.once('error', fail);
      out.once('error', fail);
      file.stream.once('end', () => {
        if (failed) return;
        out.end(() => cb(null, { path: target, size, sha256: hash.digest('hex') } as Partial<StoredFile>));
      });
    },
    _removeFile(_req, file, cb) {
      void rm(file.path, { force: true }).finally(() => cb(null));
    },
  };
}

/** The request's uploads, names decoded (multer gives latin1-decoded names; browsers send UTF-8). */
export function uploadsOf(req: Request): UploadedFile[] {
  return ((req.files as StoredFile[] | undefined) ?? []).map((f) => ({
    // Names are shown as the item's title: no controls or text-direction tricks ("x\u202Egnp.exe").
    name: withoutUnsafeNameChars(Buffer.from(f.originalname, 'latin1').toString('utf8')),
    path: f.path,
    size: f.size,
    sha256: f.sha256,
  }));
}

/** Deletes the temp files of an upload (and anything derived from them, named `<path>.*`). */
export async function removeUploads(files: UploadedFile[]): Promise<void> {
  await Promise.all(files.flatMap((f) => [rm(f.path, { force: true }), rm(`${f.path}.clean.svg`, { force: true })]));
}
