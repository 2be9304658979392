/**
 * The entry of the `api` image's single binary (`bun build --compile`, see image-files.ts): the whole `copilot` CLI,
 * with `api` as the image's default command, plus `healthcheck` for the image's HEALTHCHECK, since the distroless
 * base has no shell and no curl.
 *
 * The status page reads its files next to src/api/page.ts at start; in a compiled binary that directory is the
 * embedded `/$bunfs/root/`, so the four files are embedded here under `ui/` (image-files.ts names the assets so).
 */
import '../../src/api/ui/index.html' with { type: 'file' };
import '../../src/api/ui/app.js' with { type: 'file' };
import '../../src/api/ui/app.css' with { type: 'file' };
import '../../src/api/ui/icon.svg' with { type: 'file' };
import { processIo, runCli } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config.ts';

/** The probe's deadline: Docker's own `--timeout` is the outer bound; this keeps a hung socket from reaching it. */
const PROBE_TIMEOUT_MS = 3_000;

/** GET /healthz on this container's API port (COPILOT_API_PORT, as the server reads it); 0 when it answers 2xx. */
async function healthcheck(): Promise<number> {
  try {
    const { port } = loadConfig().api;
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    if (response.ok) return 0;
    process.stderr.write(`healthcheck: /healthz answered HTTP ${response.status}\n`);
  } catch (error) {
    process.stderr.write(`healthcheck: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  return 1;
}

const [command] = process.argv.slice(2);
process.exitCode = command === 'healthcheck' ? await healthcheck() : await runCli(process.argv.slice(2), processIo);
