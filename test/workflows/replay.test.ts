import { expect, setDefaultTimeout, test } from 'bun:test';
import { join } from 'node:path';
import { buildForNode, resultOf, runNode, WORKFLOWS_PATH } from '../support/temporal.ts';

// Bun 1.4.4 applies test/setup.ts's default timeout to the first test file only; this file starts real servers.
setDefaultTimeout(600_000);

/**
 * Recorded histories (from a real run of the Node worker against the dev server; re-record with
 * `RECORD_HISTORIES=1 bun test test/workflows/worker-crash.test.ts`) must replay against the current workflow code.
 */
test('recorded observer and assessment histories replay deterministically', async () => {
  const script = await buildForNode({ entry: 'test/workflows/node/replay.ts', name: 'test-replay' });
  const results = resultOf(await runNode({ script, args: [WORKFLOWS_PATH, join(import.meta.dir, 'histories')] }));
  expect(results).toEqual([
    { file: 'assess-live.json', ok: true, error: null },
    { file: 'observe-live.json', ok: true, error: null },
  ]);
});
