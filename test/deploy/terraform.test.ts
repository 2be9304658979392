import { describe, expect, setDefaultTimeout, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LLM_DEFAULTS } from '../../src/config-llm.ts';
import type { AwsPrincipal } from '../../src/models/index.ts';
import { awsActionsOf } from '../../src/models/index.ts';
import { runProcess } from '../support/run-process.ts';
import { REPO_ROOT } from '../support/temporal.ts';
import { actionsIn, loadTerraform, ref, resourcesOf, TERRAFORM_DIR, tfFiles } from './terraform-hcl.ts';

/**
 * terraform/ checked without AWS and without providers (terraform init needs the registry's provider downloads, which
 * this machine cannot reach, so `terraform validate` is not run): formatting, checkov, and the IAM policies against
 * the one table of the calls the code makes (src/models/aws-actions.ts).
 */

// Bun 1.4.4 applies test/setup.ts's default timeout to the first test file only; checkov takes a few seconds.
setDefaultTimeout(120_000);

const TERRAFORM = '/usr/local/bin/terraform';
const CHECKOV = join(process.env['HOME'] ?? '/root', '.cache', 'temporal-sre-copilot', 'infra-lint', 'bin', 'checkov');
const tf = await loadTerraform();

/** The policy document of each of the copilot's own principals. */
const PRINCIPAL_POLICIES: Record<AwsPrincipal, string> = { worker: 'worker', api: 'api', 'kb-sync': 'kb_sync' };

/** Where a `*` in a resource is unavoidable, and why (every other resource names one ARN). */
const WILDCARD_RESOURCES: Record<string, string> = {
  '*': 'ecr:GetAuthorizationToken has no resource-level permissions (execution role)',
  [ref('local.corpus_objects_arn')]: 'corpus object keys are file names unknown to Terraform: scoped to the prefix',
  [ref(`[for arn in values(local.log_group_arns) : "${ref('arn')}:log-stream:*"]`)]:
    'ECS names a log stream per task at run time: scoped to the copilot log groups',
};

function grantedActions(policy: string): string[] {
  const statements = tf.policies[policy] ?? [];
  return [...new Set(statements.flatMap((statement) => statement.actions.flatMap(actionsIn)))].sort();
}

describe('terraform/', () => {
  test('terraform fmt -check -recursive finds nothing to change', async () => {
    const result = await runProcess({ cmd: [TERRAFORM, 'fmt', '-check', '-recursive', TERRAFORM_DIR], cwd: REPO_ROOT });
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 0, stdout: '' });
  });

  test('checkov: no failed check, and every skipped one is skipped inline with a reason', async () => {
    // --skip-download: checkov would otherwise fetch guidelines from its vendor's API, which is not reachable here.
    const result = await runProcess({
      cmd: [CHECKOV, '-d', TERRAFORM_DIR, '--framework', 'terraform', '--skip-download', '--output', 'json'],
      cwd: REPO_ROOT,
    });
    const report = JSON.parse(result.stdout) as {
      summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
      results: { failed_checks: { check_id: string; resource: string }[]; skipped_checks: { check_id: string }[] };
    };
    const { summary } = report;
    console.log(`checkov: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
    const failed = report.results.failed_checks.map((check) => `${check.check_id} ${check.resource}`);
    expect({ failed, parsing_errors: summary.parsing_errors }).toEqual({ failed: [], parsing_errors: 0 });
    const source = tfFiles()
      .map((file) => readFileSync(join(TERRAFORM_DIR, file), 'utf8'))
      .join('\n');
    const skips = [...source.matchAll(/#checkov:skip=(CKV2?_AWS_\d+):?(.*)$/gm)];
    expect(skips.filter((skip) => (skip[2] ?? '').trim().length < 20).map((skip) => skip[1])).toEqual([]);
    const explained = new Set(skips.map((skip) => skip[1]));
    expect(report.results.skipped_checks.filter((check) => !explained.has(check.check_id))).toEqual([]);
  });

  test.each(Object.entries(PRINCIPAL_POLICIES))('the %s role grants exactly the actions its code calls', (who, doc) => {
    expect(grantedActions(doc)).toEqual(awsActionsOf(who as AwsPrincipal));
  });

  test('no action is a wildcard, and a resource holds `*` only where AWS leaves no narrower scope', () => {
    const actions = Object.values(tf.policies).flatMap((statements) => statements.flatMap((s) => s.actions));
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    const resources = Object.entries(tf.policies).flatMap(([policy, statements]) =>
      statements.flatMap((statement) => resourcesOf(statement).map((resource) => ({ policy, resource }))),
    );
    const wildcard = resources.filter(({ resource }) => {
      const local = /^\$\{local\.([a-z_]+)\}$/.exec(resource)?.[1];
      const text = local === undefined ? resource : String(tf.locals[local]);
      return text.includes('*') && !(resource in WILDCARD_RESOURCES);
    });
    expect(wildcard).toEqual([]);
    // The execution role's `*` is on ecr:GetAuthorizationToken alone.
    const star = Object.values(tf.policies).flatMap((s) => s.filter((st) => resourcesOf(st).includes('*')));
    expect(star.map((statement) => statement.actions)).toEqual([['ecr:GetAuthorizationToken']]);
  });

  test('the corpus is listed only under its prefix, and objects are written and deleted only under it', () => {
    const s3Statements = Object.entries(tf.policies).flatMap(([policy, statements]) =>
      statements
        .filter((statement) => statement.actions.some((action) => action.startsWith('s3:')))
        .map((statement) => ({ policy, actions: [...statement.actions].sort(), resources: resourcesOf(statement) })),
    );
    const listing = Object.entries(tf.policies).flatMap(([policy, statements]) =>
      statements.filter((s) => s.actions.includes('s3:ListBucket')).map((s) => ({ policy, condition: s.condition })),
    );
    const prefixOnly = [{ test: 'StringLike', variable: 's3:prefix', values: [`${ref('var.corpus_prefix')}*`] }];
    expect(listing).toEqual([
      { policy: 'knowledge_base', condition: prefixOnly },
      { policy: 'kb_sync', condition: prefixOnly },
    ]);
    const objects = [ref('local.corpus_objects_arn')];
    const bucket = [ref('local.corpus_bucket_arn')];
    expect(s3Statements).toEqual([
      { policy: 'knowledge_base', actions: ['s3:ListBucket'], resources: bucket },
      { policy: 'knowledge_base', actions: ['s3:GetObject'], resources: objects },
      { policy: 'kb_sync', actions: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], resources: objects },
      { policy: 'kb_sync', actions: ['s3:ListBucket'], resources: bucket },
    ]);
  });

  test('each principal policy is attached to its own role, and each ECS task runs as its role', () => {
    const policies = tf.resources['aws_iam_role_policy'] ?? {};
    for (const name of ['worker', 'api', 'kb_sync']) {
      expect(policies[name]?.['policy']).toBe(ref(`data.aws_iam_policy_document.${name}.json`));
    }
    expect(tf.locals['task_roles']).toEqual({
      temporal: ref('aws_iam_role.temporal.arn'),
      worker: ref('aws_iam_role.worker.arn'),
      api: ref('aws_iam_role.api.arn'),
    });
  });

  test("the model defaults are config-llm.ts's, so the granted ARNs match what the worker invokes", () => {
    expect([tf.variables['dispatcher_model']?.['default'], tf.variables['researcher_model']?.['default']]).toEqual([
      LLM_DEFAULTS.bedrockDispatcherModel,
      LLM_DEFAULTS.bedrockResearcherModel,
    ]);
  });

  test('every environment variable the task definitions set is one src/config reads', () => {
    const config = ['src/config.ts', 'src/config-llm.ts'].map((file) => readFileSync(join(REPO_ROOT, file), 'utf8'));
    const envBlocks = ['common_env', 'worker_env', 'api_env'].map((name) => JSON.stringify(tf.locals[name]));
    const names = [...new Set(envBlocks.flatMap((block) => [...block.matchAll(/\b([A-Z][A-Z0-9_]{3,})\b/g)]))]
      .map((match) => match[1] ?? '')
      .filter((name) => name.startsWith('COPILOT_') || name.startsWith('DSQL_') || name.startsWith('TEMPORAL_'));
    expect(names.length).toBeGreaterThan(8);
    expect(names.filter((name) => !config.some((text) => text.includes(`'${name}?'`)))).toEqual([]);
  });
});
