/** What a subcommand may touch: the three standard streams (tests pass fakes). */
export interface CliIo {
  stdin: AsyncIterable<string | Buffer>;
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

/** A subcommand: gets its own arguments, returns the process exit code. */
export type CliCommand = (args: string[], io: CliIo) => Promise<number>;

/** Exit code for bad usage or malformed input. */
export const EXIT_USAGE = 2;

/** Writes a one-line error message to stderr and returns {@link EXIT_USAGE}. */
export function fail(io: CliIo, command: string, message: string): number {
  io.stderr.write(`labelwork ${command}: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  return EXIT_USAGE;
}

export async function readAll(stream: AsyncIterable<string | Buffer>): Promise<string> {
  const chunks: string[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
  return chunks.join('');
}
