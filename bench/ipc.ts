import type { ChildProcess } from 'node:child_process';

/** A load-generating child process of a benchmark, and a way to wait for its next message over IPC. */
export interface IpcChild<To, From> {
  child: ChildProcess;
  send(m: To): void;
  next(): Promise<From>;
}

/** Wraps a forked or spawned child (stdio with 'ipc'): messages are queued until `next()` takes them. */
export function ipcChild<To, From>(child: ChildProcess): IpcChild<To, From> {
  const inbox: From[] = [];
  let waiting: ((m: From) => void) | null = null;
  child.on('message', (m: From) => {
    if (waiting) {
      const w = waiting;
      waiting = null;
      w(m);
    } else inbox.push(m);
  });
  return {
    child,
    send: (m) => child.send(m as object),
    next: () => {
      const m = inbox.shift();
      if (m) return Promise.resolve(m);
      return new Promise<From>((resolve, reject) => {
        waiting = resolve;
        child.once('exit', (code) => reject(new Error(`client process exited (${code})`)));
      });
    },
  };
}

/** Runs f(0) … f(n − 1), at most `width` at a time. */
export async function pool(n: number, width: number, f: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) await f(next++);
    }),
  );
}
