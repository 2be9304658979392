import { describe, expect, test } from 'bun:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS, loadConfig } from '../src/config.ts';
import { AppError } from '../src/models/index.ts';

const cluster = { name: 'prod', prometheus_url: 'http://127.0.0.1:9090' };

function configError(env: Record<string, string>): AppError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  test('defaults to the embedded store and documented defaults', () => {
    const config = loadConfig({ HOME: '/home/sre' });
    expect(config.store).toEqual({
      kind: 'embedded',
      dataDir: '/home/sre/.local/share/temporal-sre-copilot',
      port: DEFAULTS.embeddedDbPort,
    });
    expect(config.temporal).toEqual({
      address: 'localhost:7233',
      namespace: 'default',
      taskQueue: 'copilot-task-queue',
    });
    expect(config.api).toEqual({ port: 8081, host: '127.0.0.1', bearerToken: null, corsOrigins: [] });
    expect(config.observeIntervalMs).toBe(30_000);
    expect(config.assessmentIntervalMs).toBe(300_000);
    expect(config.retentionDays).toBe(7);
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('DATABASE_URL selects plain Postgres', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/copilot' });
    expect(config.store).toEqual({ kind: 'postgres', url: 'postgres://u:p@db:5432/copilot' });
  });

  test('DSQL_ENDPOINT with AWS_REGION selects DSQL with the admin role by default', () => {
    const config = loadConfig({ DSQL_ENDPOINT: 'abc.dsql.eu-west-1.on.aws', AWS_REGION: 'eu-west-1' });
    expect(config.store).toEqual({
      kind: 'dsql',
      endpoint: 'abc.dsql.eu-west-1.on.aws',
      region: 'eu-west-1',
      user: 'admin',
    });
  });

  test.each([
    ['DSQL without a region', { DSQL_ENDPOINT: 'abc.dsql.eu-west-1.on.aws' }, 'AWS_REGION'],
    ['both stores', { DATABASE_URL: 'postgres://db/x', DSQL_ENDPOINT: 'e', AWS_REGION: 'eu-west-1' }, 'not both'],
    ['port out of range', { COPILOT_API_PORT: '70000' }, 'COPILOT_API_PORT'],
    ['port not a number', { COPILOT_API_PORT: 'eighty' }, 'COPILOT_API_PORT'],
    ['not a postgres URL', { DATABASE_URL: 'mysql://db/x' }, 'DATABASE_URL'],
    ['clusters not JSON', { COPILOT_CLUSTERS: '[{' }, 'COPILOT_CLUSTERS'],
    ['cluster without URL', { COPILOT_CLUSTERS: '[{"name":"prod"}]' }, 'prometheus_url'],
    ['clusters file missing', { COPILOT_CLUSTERS: '@/nonexistent/clusters.json' }, '/nonexistent/clusters.json'],
    ['short API token', { COPILOT_API_TOKEN: 'short' }, 'COPILOT_API_TOKEN'],
    [
      'a selector PromQL would reject',
      { COPILOT_CLUSTERS: JSON.stringify([{ ...cluster, selector: 'cluster=prod' }]) },
      'selector',
    ],
    [
      'overrides that break threshold ordering in one band only',
      {
        COPILOT_CLUSTERS: JSON.stringify([
          { ...cluster, overrides: { 'high-throughput': { critical: { state_transitions_min_per_sec: 20 } } } },
        ]),
      },
      'overrides',
    ],
  ])('%s is a CONFIG_INVALID error that names it', (_name, env, mention) => {
    const error = configError(env);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(`${error.message} ${JSON.stringify(error.problems ?? {})}`).toContain(mention);
  });

  test('a valid selector and valid overrides are accepted', () => {
    const valid = {
      ...cluster,
      selector: 'cluster="prod", env=~"eu.*"',
      overrides: { all: { stressed: { persistence_latency_p99_max_ms: 800 } } },
    };
    expect(loadConfig({ COPILOT_CLUSTERS: JSON.stringify([valid]) }).clusters).toEqual([valid]);
  });

  test('clusters come from JSON or from @file', () => {
    expect(loadConfig({ COPILOT_CLUSTERS: JSON.stringify([cluster]) }).clusters).toEqual([cluster]);
    const dir = mkdtempSync(join(tmpdir(), 'copilot-config-'));
    const file = join(dir, 'clusters.json');
    writeFileSync(file, JSON.stringify([cluster, { ...cluster, name: 'staging' }]));
    expect(loadConfig({ COPILOT_CLUSTERS: `@${file}` }).clusters.map((c) => c.name)).toEqual(['prod', 'staging']);
  });

  test('empty variables count as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', HOME: '/h' }).store.kind).toBe('embedded');
  });

  test('CORS origins are a trimmed comma list', () => {
    expect(loadConfig({ COPILOT_CORS_ORIGINS: ' http://a:3000, http://b ,' }).api.corsOrigins).toEqual([
      'http://a:3000',
      'http://b',
    ]);
  });
});

describe('AWS variables', () => {
  test('reach SigV4 clients but never a log line or JSON dump of the config', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    const config = loadConfig({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: secret, HOME: '/h' });
    expect(config.awsEnv).toEqual({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: secret });
    expect(JSON.stringify(config)).not.toContain(secret);
    expect(Object.keys(config)).not.toContain('awsEnv');
  });
});
