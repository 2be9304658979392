import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';

/**
 * Node side of test/workflows/replay.test.ts: replay every recorded history (JSON from `temporal workflow show
 * --output json`) against the current workflow code. A non-deterministic change fails the replay.
 * argv: <workflowsPath> <historiesDir>
 */
const [workflowsPath, historiesDir] = process.argv.slice(2);
if (!workflowsPath || !historiesDir) throw new Error('usage: replay <workflowsPath> <historiesDir>');

const results: { file: string; ok: boolean; error: string | null }[] = [];
for (const file of readdirSync(historiesDir)
  .filter((name) => name.endsWith('.json'))
  .sort()) {
  const history: unknown = JSON.parse(readFileSync(join(historiesDir, file), 'utf8'));
  try {
    await Worker.runReplayHistory({ workflowsPath, replayName: file }, history, `replay-${file}`);
    results.push({ file, ok: true, error: null });
  } catch (error) {
    results.push({ file, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
}
process.stdout.write(`RESULT ${JSON.stringify(results)}\n`);
