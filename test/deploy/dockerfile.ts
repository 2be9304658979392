import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/temporal.ts';

/**
 * Just enough of a Dockerfile parser for the image tests: stages, and each stage's instructions with continuation
 * lines joined, so the tests run the RUN, ENV, HEALTHCHECK, ENTRYPOINT and CMD the Dockerfile really holds.
 */

export const DOCKERFILE = join(REPO_ROOT, 'Dockerfile');

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

export function parseDockerfile(text = readFileSync(DOCKERFILE, 'utf8')): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i] ?? '';
    if (/^\s*(#|$)/.test(logical)) continue;
    while (logical.endsWith('\\') && i + 1 < lines.length) {
      i += 1;
      logical = `${logical.slice(0, -1)} ${(lines[i] ?? '').trim()}`;
    }
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(logical);
    if (!match) throw new Error(`Dockerfile line ${start + 1}: cannot parse ${logical}`);
    const keyword = (match[1] ?? '').toUpperCase();
    const args = (match[2] ?? '').trim();
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`Dockerfile line ${start + 1}: bad FROM ${args}`);
      stages.push({ name: from[2] ?? `stage-${stages.length}`, from: from[1] ?? '', instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (stage === undefined) throw new Error(`Dockerfile line ${start + 1}: ${keyword} before FROM`);
    stage.instructions.push({ keyword, args, line: start + 1 });
  }
  return stages;
}

export function stageNamed(stages: readonly Stage[], name: string): Stage {
  const stage = stages.find((candidate) => candidate.name === name);
  if (stage === undefined) throw new Error(`Dockerfile has no stage ${name}`);
  return stage;
}

export function only(stage: Stage, keyword: string): Instruction {
  const found = stage.instructions.filter((instruction) => instruction.keyword === keyword);
  if (found.length !== 1) throw new Error(`stage ${stage.name}: expected one ${keyword}, found ${found.length}`);
  return found[0] as Instruction;
}

/** An exec-form (JSON array) argument list; shell form is refused, since a distroless image has no shell. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) {
    throw new Error(`not an exec-form array: ${args}`);
  }
  return parsed;
}

/** `HEALTHCHECK [--opt=v …] CMD [...]` → the command. */
export function healthcheckCommand(stage: Stage): string[] {
  const args = only(stage, 'HEALTHCHECK').args;
  const cmd = /\bCMD\s+(\[.*\])$/.exec(args);
  if (!cmd) throw new Error(`stage ${stage.name}: HEALTHCHECK without an exec-form CMD`);
  return execForm(cmd[1] ?? '');
}

/** Every `ENV k=v …` of the stage (values without quotes or spaces, which is all this Dockerfile uses). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    for (const pair of instruction.args.split(/\s+/)) {
      const [name, ...value] = pair.split('=');
      if (!name || value.length === 0) throw new Error(`ENV on line ${instruction.line}: expected k=v, got ${pair}`);
      env[name] = value.join('=');
    }
  }
  return env;
}
