/**
 * Structured logs: one JSON object per line, written to a sink the caller passes in
 * (the server and the workers pass stdout), so the same logger serves every process.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** A JSON-lines logger at `level`; `now` supplies the timestamp (ISO string). */
export function createJsonLogger(
  level: LogLevel,
  sink: (line: string) => void,
  now: () => string,
  base: Record<string, unknown> = {},
): Logger {
  const min = ORDER[level];
  const write = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
    sink(
      JSON.stringify({ time: now(), level: lvl, msg, ...base, ...fields }, (_k, v: unknown) =>
        v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v,
      ) + '\n',
    );
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (f) => createJsonLogger(level, sink, now, { ...base, ...f }),
  };
}
