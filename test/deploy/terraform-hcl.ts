import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktn/hcl2json';
import { type } from 'arktype';
import { REPO_ROOT } from '../support/temporal.ts';

/** terraform/ parsed with HashiCorp's own HCL parser (compiled to wasm, @cdktn/hcl2json) into its JSON form. */

export const TERRAFORM_DIR = join(REPO_ROOT, 'terraform');

export function tfFiles(): string[] {
  return readdirSync(TERRAFORM_DIR)
    .filter((name) => name.endsWith('.tf'))
    .sort();
}

const Statement = type({
  'sid?': 'string',
  actions: 'string[]',
  'resources?': 'string | string[]',
  'condition?': 'object[]',
});
export type Statement = typeof Statement.infer;

const PolicyDocument = type({
  'statement?': Statement.array(),
  'dynamic?': { statement: type({ content: Statement.array() }).array() },
});

const Config = type({
  'data?': { 'aws_iam_policy_document?': 'Record<string, object[]>' },
  'locals?': 'Record<string, unknown>[]',
  'variable?': 'Record<string, Record<string, unknown>[]>',
  'resource?': 'Record<string, Record<string, Record<string, unknown>[]>>',
});
type Config = typeof Config.infer;

export interface Terraform {
  /** Every `data "aws_iam_policy_document"`, static and dynamic statements together. */
  policies: Record<string, Statement[]>;
  /** Every `locals` entry, as its expression text. */
  locals: Record<string, unknown>;
  variables: Record<string, Record<string, unknown>>;
  resources: Record<string, Record<string, Record<string, unknown>>>;
}

function checked<T>(schema: (data: unknown) => T | type.errors, data: unknown, what: string): T {
  const out = schema(data);
  if (out instanceof type.errors) throw new Error(`${what}: ${out.summary}`);
  return out;
}

export async function loadTerraform(): Promise<Terraform> {
  const result: Terraform = { policies: {}, locals: {}, variables: {}, resources: {} };
  for (const file of tfFiles()) {
    const json: Config = checked(Config, await parse(file, readFileSync(join(TERRAFORM_DIR, file), 'utf8')), file);
    for (const [name, blocks] of Object.entries(json.data?.aws_iam_policy_document ?? {})) {
      const document = checked(PolicyDocument, blocks[0], `${file}: policy ${name}`);
      result.policies[name] = [
        ...(document.statement ?? []),
        ...(document.dynamic?.statement ?? []).flatMap((block) => block.content),
      ];
    }
    for (const block of json.locals ?? []) Object.assign(result.locals, block);
    for (const [name, blocks] of Object.entries(json.variable ?? {})) result.variables[name] = blocks[0] ?? {};
    for (const [kind, byName] of Object.entries(json.resource ?? {})) {
      for (const [name, blocks] of Object.entries(byName)) {
        result.resources[kind] = { ...result.resources[kind], [name]: blocks[0] ?? {} };
      }
    }
  }
  return result;
}

/**
 * The IAM actions an `actions` entry can grant: the literal itself, or every quoted action in an expression
 * (`${cond ? "dsql:DbConnectAdmin" : "dsql:DbConnect"}` grants one of the two, so both count).
 */
export function actionsIn(entry: string): string[] {
  if (!entry.includes('${')) return [entry];
  return [...entry.matchAll(/"([a-z0-9-]+:[A-Za-z*]+)"/g)].map((match) => match[1] ?? '');
}

export function resourcesOf(statement: Statement): string[] {
  const { resources } = statement;
  return resources === undefined ? [] : typeof resources === 'string' ? [resources] : resources;
}

/** A Terraform reference as the HCL-to-JSON form writes it: `ref('var.x')` is the interpolation of var.x. */
export function ref(expression: string): string {
  return ['$', '{', expression, '}'].join('');
}
