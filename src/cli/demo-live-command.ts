import { existsSync } from 'node:fs';
import { type Config, configuredTemporalCli } from '../config.ts';
import { DEFAULT_TEMPORAL_CLI } from '../demo/dev-server.ts';
import { DEFAULT_MODEL_SERVER, type LocalModelServer, startLocalModelServer } from '../demo/local-model.ts';
import { freePort } from '../demo/local-prometheus.ts';
import { AppError } from '../models/index.ts';
import type { CliIo } from './command.ts';
import { EXIT } from './command.ts';
import { runLiveDemo } from './demo-live.ts';
import type { LiveDemoOptions } from './demo-live-parts.ts';

/** The live demo's flags, merged into `copilot demo`'s parser. */
export const LIVE_FLAGS = {
  'healthy-sec': { type: 'string', default: '120' },
  'outage-sec': { type: 'string', default: '240' },
  'interval-sec': { type: 'string', default: '10' },
  port: { type: 'string' },
  explainer: { type: 'string', default: 'auto' },
  once: { type: 'boolean', default: false },
} as const;

interface LiveValues {
  'healthy-sec': string;
  'outage-sec': string;
  'interval-sec': string;
  port?: string | undefined;
  explainer: string;
  once: boolean;
}

function integer(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new AppError('INVALID_INPUT', `--${flag} must be an integer in [${min}, ${max}], got ${value}`, {
      problems: { [`--${flag}`]: [`must be an integer in [${min}, ${max}]`] },
    });
  }
  return n;
}

/** COPILOT_TEMPORAL_CLI, else the CLI .ci/setup builds, else `temporal` on PATH; a clear error otherwise. */
export function temporalCliPath(configured: string | null): string {
  if (configured !== null) {
    if (!existsSync(configured)) throw new AppError('CONFIG_INVALID', `COPILOT_TEMPORAL_CLI: no file at ${configured}`);
    return configured;
  }
  if (existsSync(DEFAULT_TEMPORAL_CLI)) return DEFAULT_TEMPORAL_CLI;
  const onPath = Bun.which('temporal');
  if (onPath !== null) return onPath;
  throw new AppError(
    'CONFIG_INVALID',
    `no Temporal CLI: run .ci/setup (it builds one at ${DEFAULT_TEMPORAL_CLI}), put \`temporal\` on PATH, or set COPILOT_TEMPORAL_CLI`,
  );
}

/**
 * The explainer for the demo's worker. `auto` prefers the real local model (.ci/setup builds it), because a demo of
 * "AI explains" should show a model's words next to the rules' state; `rules` never calls one.
 */
async function explainerFor(
  explainer: string,
  say: (line: string) => void,
): Promise<{ env: Record<string, string>; server: LocalModelServer | null }> {
  if (explainer !== 'auto' && explainer !== 'local' && explainer !== 'rules') {
    throw new AppError('INVALID_INPUT', `--explainer must be auto, local or rules (was '${explainer}')`);
  }
  if (explainer === 'rules' || (explainer === 'auto' && !existsSync(DEFAULT_MODEL_SERVER))) {
    say('explainer: rules only');
    return { env: { COPILOT_LLM_PROVIDER: 'none' }, server: null };
  }
  say('starting the local language model (SmolLM2-135M on llama-cpp-python)');
  const server = await startLocalModelServer({ port: await freePort(), readyWithinMs: 120_000 });
  say(`explainer: the local model at ${server.baseUrl}, checked by the verifier, rules when it fails`);
  return {
    env: {
      COPILOT_LLM_PROVIDER: 'openai-compatible',
      COPILOT_LLM_BASE_URL: server.baseUrl,
      COPILOT_LLM_DISPATCHER_MODEL: server.modelId,
      COPILOT_LLM_RESEARCHER_MODEL: server.modelId,
      COPILOT_LLM_STRUCTURED_OUTPUT: 'tool',
      // A 135M model on 2 shared cores can take a minute per grammar-constrained answer.
      COPILOT_LLM_TIMEOUT_SEC: '120',
    },
    server,
  };
}

function untilSignal(): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>();
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
  return promise;
}

export async function runLiveCommand(input: {
  values: LiveValues;
  io: CliIo;
  config: Readonly<Config>;
  stopRequested?: Promise<void>;
}): Promise<number> {
  const { values, io, config } = input;
  const say = (line: string) => io.out(`[demo] ${line}\n`);
  const temporalCli = temporalCliPath(configuredTemporalCli());
  const partial = {
    healthySec: integer('healthy-sec', values['healthy-sec'], 0, 86_400),
    outageSec: integer('outage-sec', values['outage-sec'], 10, 3_600),
    intervalSec: integer('interval-sec', values['interval-sec'], 5, 3_600),
    apiPort: values.port === undefined ? config.api.port : integer('port', values.port, 0, 65_535),
    once: values.once,
    temporalCli,
  };
  const explainer = await explainerFor(values.explainer, say);
  try {
    const options: LiveDemoOptions = { ...partial, llmEnv: explainer.env };
    const timings = await runLiveDemo({ config, options, io, stopRequested: input.stopRequested ?? untilSignal() });
    io.out(`DEMO ${JSON.stringify(timings)}\n`);
    return EXIT.ok;
  } finally {
    await explainer.server?.stop();
  }
}
