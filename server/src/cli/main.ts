import { runAgreement } from './agreement.ts';
import { EXIT_USAGE, type CliCommand, type CliIo } from './io.ts';

/**
 * Subcommands by name. Add a line here (and a module beside this one) for a new subcommand; a heavy one
 * is imported when it runs (convert loads every dataset format), so other commands start fast.
 */
const COMMANDS: Record<string, { summary: string; run: CliCommand }> = {
  agreement: { summary: 'inter-annotator agreement coefficients from reliability data (JSON)', run: runAgreement },
  backup: {
    summary: 'back up a whole project into one zip (MONGO_URL, MONGO_DB)',
    run: async (args, io) => (await import('./backup.ts')).runBackup(args, io),
  },
  restore: {
    summary: 'restore a backup zip into a new project (MONGO_URL, MONGO_DB)',
    run: async (args, io) => (await import('./backup.ts')).runRestore(args, io),
  },
  convert: {
    summary: 'convert a dataset between formats (COCO, YOLO, VOC, CVAT, Label Studio, CoNLL, JSONL, CSV)',
    run: async (args, io) => (await import('./convert.ts')).runConvert(args, io),
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return `usage: labelwork <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun "labelwork <command> --help" for a command's options.\n`;
}

/** Dispatches `argv` (without node and script) to a subcommand; resolves to the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr.write(`labelwork: unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}\n`);
    return EXIT_USAGE;
  }
  return command.run(rest, io);
}
