import { describe, expect, test } from 'bun:test';
import { checkFile, importsOf } from '../../.ci/imports.ts';

const reasons = (file: string, source: string) => checkFile({ file, source }).map((v) => v.reason);

describe('the module-map check (.ci/imports.ts)', () => {
  test('tells type-only imports from value imports, multi-line ones included', () => {
    const found = importsOf(`import type { A } from './a.ts';
import {
  type B,
  type C,
} from './b.ts';
import { type D, e } from './d.ts';
export type { F } from './f.ts';
export { g } from './g.ts';
import './side-effect.ts';
e;`);
    expect(found.sort((x, y) => x.specifier.localeCompare(y.specifier))).toEqual([
      { specifier: './a.ts', typeOnly: true },
      { specifier: './b.ts', typeOnly: true },
      { specifier: './d.ts', typeOnly: false },
      { specifier: './f.ts', typeOnly: true },
      { specifier: './g.ts', typeOnly: false },
      { specifier: './side-effect.ts', typeOnly: false },
    ]);
  });

  test('dynamic import(), require() and imports without spaces cannot slip past; comments do not count', () => {
    const workflow = (source: string) => reasons('workflows/a.ts', source);
    expect(workflow("const h = await import('../health/index.ts');")).toEqual([
      'workflows/ may not import code from health/',
    ]);
    expect(workflow("const h = require('../health/index.ts');")).toEqual([
      'workflows/ may not import code from health/',
    ]);
    expect(workflow("import{x}from'../health/index.ts';\nx;")).toEqual(['workflows/ may not import code from health/']);
    expect(workflow("export type Foo = { a: 1 };\nimport { evaluate } from '../health/index.ts';\nevaluate;")).toEqual([
      'workflows/ may not import code from health/',
    ]);
    expect(workflow("// import { evaluate } from '../health/index.ts';\n")).toEqual([]);
  });

  test('signals may not reach into clients, even for types: ports live in models', () => {
    expect(reasons('signals/observe.ts', "import type { PrometheusClient } from '../clients/prometheus.ts';")).toEqual([
      'signals/ may not import types from clients/',
    ]);
    expect(reasons('signals/observe.ts', "import type { PrometheusClient } from '../models/index.ts';")).toEqual([]);
  });

  test('workflows see types of models and activities, and load no code but Temporal’s', () => {
    expect(reasons('workflows/a.ts', "import type { CopilotActivities } from '../activities/index.ts';")).toEqual([]);
    expect(reasons('workflows/a.ts', "import { SignalsSnapshot } from '../models/index.ts';")).toEqual([
      'workflows/ may not import code from models/',
    ]);
    expect(reasons('workflows/a.ts', "import { evaluate } from '../health/index.ts';")).toEqual([
      'workflows/ may not import code from health/',
    ]);
    expect(reasons('workflows/a.ts', "import { type } from 'arktype';")).toEqual([
      'workflows/ may load only @temporalio/workflow, @temporalio/common',
    ]);
    expect(reasons('workflows/a.ts', "import { sleep } from '@temporalio/workflow';")).toEqual([]);
  });

  test('activities may not import workflows; db may not import the config; models import nothing', () => {
    expect(reasons('activities/index.ts', "import { x } from '../workflows/x.ts';")).toEqual([
      'activities/ may not import code from workflows/',
    ]);
    expect(reasons('db/connect.ts', "import type { StoreConfig } from '../config.ts';")).toEqual([
      'db/ may not import types from root/',
    ]);
    expect(reasons('models/a.ts', "import { b } from '../health/b.ts';")).toEqual([
      'models/ may not import code from health/',
    ]);
    expect(reasons('cli/main.ts', "import { a } from '../workflows/ids.ts';")).toEqual([]);
  });
});
