import { createJsonLogger, type Logger, type LogLevel } from '@labelwork/core';

export type { Logger, LogLevel };

/** JSON-lines logs on stdout (see core's createJsonLogger). */
export function createLogger(level: LogLevel, base: Record<string, unknown> = {}): Logger {
  return createJsonLogger(
    level,
    (line) => process.stdout.write(line),
    () => new Date().toISOString(),
    base,
  );
}
