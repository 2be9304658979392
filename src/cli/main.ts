import { AppError } from '../models/index.ts';
import { apiCommand } from './api.ts';
import { backtestCommand } from './backtest.ts';
import type { CliIo, Command } from './command.ts';
import { EXIT } from './command.ts';
import { dbCommand } from './db.ts';
import { demoCommand } from './demo.ts';
import { doctorCommand } from './doctor.ts';
import { evaluateCommand } from './evaluate.ts';
import { kbCommand } from './kb.ts';
import { workflowsCommand } from './workflows.ts';

/** Every command the `copilot` CLI offers. Each module owns its flags and its `--help`. */
export const COMMANDS: readonly Command[] = [
  demoCommand,
  evaluateCommand,
  backtestCommand,
  doctorCommand,
  dbCommand,
  workflowsCommand,
  apiCommand,
  kbCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    'usage: bun run copilot <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    "Run 'bun run copilot <command> --help' for a command's options.",
    '',
  ].join('\n');
}

/** Run one CLI invocation; returns the exit code. Never throws: errors are printed with their code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    io.err(`copilot: unknown command '${name}'\n\n${usage()}`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.err(`${formatError(error)}\n`);
    return error instanceof AppError && (error.code === 'INVALID_INPUT' || error.code === 'CONFIG_INVALID')
      ? EXIT.usage
      : EXIT.failure;
  }
}

export function formatError(error: unknown): string {
  if (error instanceof AppError) {
    const details = Object.entries(error.problems ?? {}).map(([path, messages]) => `  ${path}: ${messages.join('; ')}`);
    return [`error ${error.code}: ${error.message}`, ...details].join('\n');
  }
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

export const processIo: CliIo = {
  async readStdin() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return Buffer.concat(chunks).toString('utf8');
  },
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

if (import.meta.main) {
  process.exitCode = await runCli(process.argv.slice(2), processIo);
}
