import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * A real language model on loopback: llama-cpp-python's OpenAI-compatible server with SmolLM2-135M-Instruct, the
 * launcher `.ci/setup-llm` writes. The tests start it like Postgres, and the live demo can use it as the explainer
 * so that no cloud account is needed. A model this small makes real mistakes (invented numbers, odd actions), which
 * is what the verifier and the rules-only fallback are for.
 */

/** Where `.ci/setup-llm` writes the launcher (`model-server <port>`). */
export const DEFAULT_MODEL_SERVER = join(homedir(), '.cache', 'temporal-sre-copilot', 'llm', 'model-server');

export interface LocalModelServer extends AsyncDisposable {
  /** OpenAI-compatible base URL, e.g. `http://127.0.0.1:8081/v1`. */
  baseUrl: string;
  /** The model id the server answers to (the GGUF file's path, as llama-cpp-python names it). */
  modelId: string;
  stop(): Promise<void>;
}

async function modelIdOf(baseUrl: string): Promise<string | null> {
  try {
    const response = await fetch(`${baseUrl}/models`, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    const body: unknown = await response.json();
    if (typeof body !== 'object' || body === null || !('data' in body) || !Array.isArray(body.data)) return null;
    const first: unknown = body.data[0];
    if (typeof first !== 'object' || first === null || !('id' in first) || typeof first.id !== 'string') return null;
    return first.id;
  } catch {
    return null;
  }
}

/**
 * Start the model server on `port` and resolve once `/v1/models` answers (the model is loaded by then).
 * @throws Error naming `.ci/setup` when the launcher is missing, or with the server's last output when it exits
 * or is not ready in time.
 */
export async function startLocalModelServer(input: {
  port: number;
  launcher?: string;
  readyWithinMs?: number;
}): Promise<LocalModelServer> {
  const launcher = input.launcher ?? DEFAULT_MODEL_SERVER;
  if (!existsSync(launcher)) {
    throw new Error(`no local model server at ${launcher}: run .ci/setup (it builds it with .ci/setup-llm)`);
  }
  const baseUrl = `http://127.0.0.1:${input.port}/v1`;
  const child = Bun.spawn([launcher, String(input.port)], { stdout: 'ignore', stderr: 'pipe' });
  let tail = '';
  void (async () => {
    const decoder = new TextDecoder();
    if (child.stderr instanceof ReadableStream) {
      for await (const chunk of child.stderr) tail = (tail + decoder.decode(chunk)).slice(-4000);
    }
  })();
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await child.exited;
    clearTimeout(killer);
  };
  const readyWithinMs = input.readyWithinMs ?? 60_000;
  const deadline = Date.now() + readyWithinMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`local model server exited ${child.exitCode ?? child.signalCode}: ${tail}`);
    }
    const modelId = await modelIdOf(baseUrl);
    if (modelId !== null) return { baseUrl, modelId, stop, [Symbol.asyncDispose]: stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`local model server on port ${input.port} not ready within ${readyWithinMs} ms: ${tail}`);
    }
    await Bun.sleep(250);
  }
}
