import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./image-probe-child.mjs', import.meta.url));
/** Exit code of the child when its memory limit is reached. */
const OUT_OF_MEMORY = 90;
/** `timeoutMs` is the budget per this many pixels (read from the header before any pixel is decoded). */
export const DECODE_BUDGET_PIXELS = 100_000_000;

export interface ProbeLimits {
  /**
   * Longest one image may take to decode and thumbnail, per 100 megapixels: once the child has read
   * the header, a 400-megapixel image gets four times this (the pixel limit still bounds it).
   */
  timeoutMs: number;
  /** The pixels `timeoutMs` is for (default {@link DECODE_BUDGET_PIXELS}). */
  budgetPixels?: number;
  /** Resident memory of the decoding process. */
  memoryMb: number;
  /** Largest width × height decoded. */
  maxPixels: number;
  thumbSize: number;
}

export type ProbeResult =
  | { ok: true; width: number; height: number; orientation: number; thumb: Buffer }
  | { ok: false; costly: false; message: string }
  | { ok: false; costly: true; reason: 'timeout' | 'memory' | 'pixels'; message: string };

interface Pending {
  id: number;
  child: ChildProcess;
  resolve: (r: ProbeResult) => void;
  timer: NodeJS.Timeout;
  started: number;
  /** When the image's time is up (epoch ms); moved on once its header is read. */
  deadline: number;
}

/**
 * Decodes images in a child process with a time and memory limit, one at a time, so that an image
 * that is costly to decode can neither stall nor exhaust the server. A child that runs over is
 * killed and the next image gets a new one. Close it when the import is done.
 */
export class ImageProbe {
  private child: ChildProcess | null = null;
  private pending: Pending | null = null;
  private seq = 0;

  constructor(private readonly limits: ProbeLimits) {}

  private spawn(): ChildProcess {
    const child = fork(CHILD, [], {
      execArgv: ['--max-old-space-size=128'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      env: { ...process.env, LW_PROBE_MEMORY_MB: String(this.limits.memoryMb) },
    });
    child.on(
      'message',
      (m: {
        id: number;
        /** The header was read: the time budget follows the image's size. */
        header?: { pixels: number };
        ok: boolean;
        width?: number;
        height?: number;
        orientation?: number;
        thumb?: Uint8Array;
        message?: string;
        tooLarge?: boolean;
      }) => {
        const p = this.pending;
        if (!p || p.id !== m.id) return;
        if (m.header) {
          const budget = this.limits.timeoutMs * Math.max(1, m.header.pixels / (this.limits.budgetPixels ?? DECODE_BUDGET_PIXELS));
          if (budget > this.limits.timeoutMs) this.extend(p, budget - this.limits.timeoutMs);
          return;
        }
        this.settle(
          m.ok
            ? { ok: true, width: m.width!, height: m.height!, orientation: m.orientation ?? 1, thumb: Buffer.from(m.thumb!) }
            : m.tooLarge
              ? { ok: false, costly: true, reason: 'pixels', message: m.message ?? 'too many pixels' }
              : { ok: false, costly: false, message: m.message ?? 'error' },
        );
      },
    );
    child.on('exit', (code) => {
      if (this.child === child) this.child = null;
      if (this.pending?.child !== child) return;
      if (code === OUT_OF_MEMORY)
        this.settle({ ok: false, costly: true, reason: 'memory', message: `decoding needed more than ${this.limits.memoryMb} MB` });
      else this.settle({ ok: false, costly: false, message: `the decoder stopped (exit ${code})` });
    });
    child.on('error', () => undefined);
    return child;
  }

  /** Gives the pending image `ms` more (its header says it is large). */
  private extend(p: Pending, ms: number): void {
    clearTimeout(p.timer);
    p.timer = setTimeout(() => this.timeout(p), Math.max(0, p.deadline + ms - Date.now()));
    p.deadline += ms;
  }

  private timeout(p: Pending): void {
    if (this.pending !== p) return;
    this.child = null;
    p.child.kill('SIGKILL');
    this.settle({ ok: false, costly: true, reason: 'timeout', message: `decoding took longer than ${p.deadline - p.started} ms` });
  }

  private settle(r: ProbeResult): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    clearTimeout(p.timer);
    p.resolve(r);
  }

  /** Decodes the image at `path` completely and makes its thumbnail (refused beyond `maxPixels`, default the limits'). */
  probe(path: string, maxPixels = this.limits.maxPixels): Promise<ProbeResult> {
    if (this.pending) throw new Error('ImageProbe: one image at a time');
    const child = (this.child ??= this.spawn());
    const id = ++this.seq;
    return new Promise((resolve) => {
      const started = Date.now();
      const pending: Pending = {
        id,
        child,
        resolve,
        timer: undefined as unknown as NodeJS.Timeout,
        started,
        deadline: started + this.limits.timeoutMs,
      };
      pending.timer = setTimeout(() => this.timeout(pending), this.limits.timeoutMs);
      this.pending = pending;
      child.send({ id, path, maxPixels, thumbSize: this.limits.thumbSize });
    });
  }

  close(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
  }
}

/** At most `size` image imports decode at once (each has a child process); the others wait in order. */
export class DecodeSlots {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.busy--;
    }
  }
}
