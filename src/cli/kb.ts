import { parseArgs } from 'node:util';
import { DEFAULT_CORPUS_DIR } from '../agents/knowledge-index.ts';
import type { CredentialProvider } from '../clients/aws/index.ts';
import { type Config, loadConfig } from '../config.ts';
import type { KnowledgeBaseDeps } from '../knowledge-base.ts';
import { createCorpusBucket, createKnowledgeRetriever, knowledgeBackendOf } from '../knowledge-base.ts';
import { AppError } from '../models/index.ts';
import type { CliIo, Command } from './command.ts';
import { EXIT } from './command.ts';
import { listJobs, showStatus, startIngestion } from './kb-jobs.ts';
import type { Format } from './kb-output.ts';
import { emit } from './kb-output.ts';
import type { SyncReport } from './kb-sync.ts';
import { syncCorpus } from './kb-sync.ts';

const SUBCOMMANDS = {
  sync: 'upload the docs/rag files whose content changed to the corpus bucket; --delete removes deleted notes',
  'start-ingestion': 'start a Bedrock Knowledge Base ingestion job on the data source',
  status: 'show one ingestion job (the newest without JOB)',
  'list-jobs': 'list recent ingestion jobs, newest first',
  search: 'search the knowledge base (Bedrock Retrieve when COPILOT_KB_ID is set, else the local index)',
} as const;
type Subcommand = keyof typeof SUBCOMMANDS;

const ENV_HELP = `Configuration: COPILOT_KB_BUCKET and COPILOT_KB_PREFIX (sync), COPILOT_KB_ID and COPILOT_KB_DATA_SOURCE_ID
(ingestion jobs; COPILOT_KB_ID also switches search to Bedrock), AWS_REGION, AWS credentials from the default chain.`;

const SUB_HELP: Record<Subcommand, string> = {
  sync: `usage: bun run copilot kb sync [--dir DIR] [--delete [--max-delete N]] [--dry-run] [--format text|json]

  --dir DIR         the corpus folder (default docs/rag of this checkout)
  --delete          delete the stale objects (below) instead of only listing them
  --max-delete N    allow --delete to remove up to N objects (default: half the notes there, at least 1)
  --dry-run         compare content hashes and list the bucket, change nothing ('would upload', 'would delete')
Uploads only files whose SHA-256 differs from the one stored with the object; progress per file on stderr.
An object under the prefix whose name is a corpus file name (PREFIX + *.md, no further '/') and that has no file
in DIR is stale: listed, with a hint, and left in place unless --delete is given. Other keys under the prefix and
everything outside it are never listed as stale nor touched. --delete with an empty DIR, with no
COPILOT_KB_PREFIX, or that would remove more than --max-delete objects is refused before anything changes.
${ENV_HELP}
`,
  'start-ingestion': `usage: bun run copilot kb start-ingestion [--description TEXT] [--format text|json]

Refuses (exit 1) while a job is starting or in progress on the data source. Run 'kb status' to follow the job.
${ENV_HELP}
`,
  status: `usage: bun run copilot kb status [JOB] [--format text|json]
${ENV_HELP}
`,
  'list-jobs': `usage: bun run copilot kb list-jobs [--limit N] [--format text|json]

  --limit N   at most N jobs, 1..1000 (default 10)
${ENV_HELP}
`,
  search: `usage: bun run copilot kb search QUERY [--limit N] [--format text|json]

  --limit N   at most N passages, 1..100 (default 5)
${ENV_HELP}
`,
};

const HELP = `usage: bun run copilot kb <subcommand> [options]

subcommands:
${Object.entries(SUBCOMMANDS)
  .map(([name, summary]) => `  ${name.padEnd(16)} ${summary}`)
  .join('\n')}

Run 'bun run copilot kb <subcommand> --help' for its options.
`;

export interface KbCommandDeps {
  loadConfig: () => Readonly<Config>;
  /** Overrides the default AWS credential chain (tests). */
  credentials?: CredentialProvider;
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        format: { type: 'string' },
        dir: { type: 'string' },
        'dry-run': { type: 'boolean' },
        delete: { type: 'boolean' },
        'max-delete': { type: 'string' },
        limit: { type: 'string' },
        description: { type: 'string' },
      },
    });
  } catch (error) {
    throw new AppError('INVALID_INPUT', `${error instanceof Error ? error.message : String(error)} (see --help)`);
  }
}

function limitOf(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new AppError('INVALID_INPUT', `--limit must be an integer in 1..${max}, got ${value}`);
  }
  return n;
}

function maxDeleteOf(value: string | undefined, deleting: boolean): { maxDelete?: number } {
  if (value === undefined) return {};
  if (!deleting) throw new AppError('INVALID_INPUT', '--max-delete only applies with --delete');
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new AppError('INVALID_INPUT', `--max-delete must be a whole number, got ${value}`);
  }
  return { maxDelete: n };
}

function isSubcommand(name: string): name is Subcommand {
  return Object.hasOwn(SUBCOMMANDS, name);
}

/** The `copilot kb` command; `deps` lets tests point it at their own configuration and credentials. */
export function createKbCommand(deps: KbCommandDeps): Command {
  return {
    name: 'kb',
    summary: 'knowledge base: sync | start-ingestion | status | list-jobs | search',
    async run(argv, io) {
      const { values, positionals } = parse(argv);
      const [name, ...args] = positionals;
      if (name === undefined) {
        io.out(HELP);
        return values.help ? EXIT.ok : EXIT.usage;
      }
      if (!isSubcommand(name)) throw new AppError('INVALID_INPUT', `unknown kb subcommand '${name}' (see --help)`);
      if (values.help) {
        io.out(SUB_HELP[name]);
        return EXIT.ok;
      }
      const format = values.format ?? 'text';
      if (format !== 'text' && format !== 'json') throw new AppError('INVALID_INPUT', '--format must be text or json');
      const maxArgs = name === 'status' ? 1 : name === 'search' ? Number.POSITIVE_INFINITY : 0;
      if (args.length > maxArgs) throw new AppError('INVALID_INPUT', `unexpected argument '${args.join(' ')}'`);
      // Flags before configuration: a usage error is not hidden behind a missing setting.
      const maxDelete = maxDeleteOf(values['max-delete'], values.delete ?? false);
      const config = deps.loadConfig();
      const kbDeps: KnowledgeBaseDeps = {
        kb: config.kb,
        awsEnv: config.awsEnv,
        ...(deps.credentials ? { credentials: deps.credentials } : {}),
      };
      switch (name) {
        case 'sync':
          return sync({
            io,
            format,
            kbDeps,
            dir: values.dir ?? DEFAULT_CORPUS_DIR,
            dryRun: values['dry-run'] ?? false,
            delete: values.delete ?? false,
            ...maxDelete,
          });
        case 'start-ingestion':
          return startIngestion({ io, format, kbDeps, description: values.description ?? 'copilot kb sync' });
        case 'status':
          return showStatus({ io, format, kbDeps, jobId: args[0] ?? null });
        case 'list-jobs':
          return listJobs({ io, format, kbDeps, limit: limitOf(values.limit, 10, 1000) });
        case 'search':
          return search({ io, format, kbDeps, query: args.join(' '), limit: limitOf(values.limit, 5, 100) });
        default: {
          const unreachable: never = name;
          throw new Error(`unhandled subcommand ${String(unreachable)}`);
        }
      }
    },
  };
}

interface SyncCommandInput {
  io: CliIo;
  format: Format;
  kbDeps: KnowledgeBaseDeps;
  dir: string;
  dryRun: boolean;
  delete: boolean;
  maxDelete?: number;
}

async function sync(input: SyncCommandInput) {
  const { s3, bucket, prefix } = createCorpusBucket(input.kbDeps);
  const report = await syncCorpus({
    s3,
    bucket,
    prefix,
    dir: input.dir,
    dryRun: input.dryRun,
    delete: input.delete,
    ...(input.maxDelete === undefined ? {} : { maxDelete: input.maxDelete }),
    onProgress: ({ index, total, file }) => {
      input.io.err(`[${index}/${total}] ${file.action.replace('_', ' ')} ${file.file} -> s3://${bucket}/${file.key}\n`);
    },
  });
  return emit(input.io, input.format, report, syncText(report, input));
}

/** The text report: the counts, then one line per orphan, then what to do about stale ones. */
function syncText(report: SyncReport, input: { dir: string; dryRun: boolean }): string {
  const dry = input.dryRun;
  const counts = [
    `${dry ? 'would upload' : 'uploaded'} ${report.uploaded}`,
    `unchanged ${report.unchanged} of ${report.files.length} file(s)`,
    `stale ${report.stale}`,
    `${dry ? 'would delete' : 'deleted'} ${report.deleted}`,
  ].join(', ');
  const lines = [`${counts} in s3://${report.bucket}/${report.prefix}`];
  for (const orphan of report.orphans) {
    lines.push(
      `  ${orphan.action.replace('_', ' ')} s3://${report.bucket}/${orphan.key} (no such file in ${input.dir})`,
    );
  }
  if (report.stale > 0) lines.push(`rerun with --delete to remove the ${report.stale} stale object(s)`);
  return `${lines.join('\n')}\n`;
}

async function search(input: { io: CliIo; format: Format; kbDeps: KnowledgeBaseDeps; query: string; limit: number }) {
  if (input.query.trim() === '') throw new AppError('INVALID_INPUT', 'kb search needs a QUERY (see --help)');
  const backend = knowledgeBackendOf(input.kbDeps.kb);
  const passages = await createKnowledgeRetriever(input.kbDeps).retrieve({ query: input.query, limit: input.limit });
  const lines = passages.map((passage, index) => {
    const score = passage.score === undefined ? '' : ` (score ${passage.score.toFixed(3)})`;
    const preview = passage.text.replace(/\s+/g, ' ').slice(0, 160);
    return `${index + 1}. ${passage.source}${score}\n   ${preview}\n`;
  });
  const text = passages.length === 0 ? `no passages found (${backend})\n` : `${backend}:\n${lines.join('')}`;
  return emit(input.io, input.format, { backend, query: input.query, passages }, text);
}

/** `copilot kb`, configured from the environment. */
export const kbCommand: Command = createKbCommand({ loadConfig: () => loadConfig() });
