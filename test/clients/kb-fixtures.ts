import { startKbServer } from '../support/bedrock-kb-server.ts';

/** Shared by the knowledge-base client and CLI tests: test credentials (with a session token) and one server. */
export const KB_CREDENTIALS = {
  accessKeyId: 'AKIDKBTEST0000000000',
  secretAccessKey: 'kb/test+secret/key00000000000000000000000',
  sessionToken: 'FwoGZXIvYXdzEXAMPLE//kb+session==',
};
export const KB_REGION = 'eu-west-1';
export const KB_BUCKET = 'copilot-kb-corpus';
export const KB_ID = 'KBTEST0001';
export const DATA_SOURCE_ID = 'DSTEST0001';

/** The environment `loadConfig` needs for every KB command, with all three endpoints on the local server at `url`. */
export function kbEnv(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_REGION: KB_REGION,
    COPILOT_KB_BUCKET: KB_BUCKET,
    COPILOT_KB_PREFIX: 'rag',
    COPILOT_KB_ID: KB_ID,
    COPILOT_KB_DATA_SOURCE_ID: DATA_SOURCE_ID,
    COPILOT_KB_RETRIEVE_URL: url,
    COPILOT_KB_AGENT_URL: url,
    COPILOT_KB_S3_URL: url,
    ...extra,
  };
}

export function startTestKbServer() {
  return startKbServer({ region: KB_REGION, credentials: [KB_CREDENTIALS], bucket: KB_BUCKET });
}

/** A port nothing listens on: bound once, then released. */
export function closedPortUrl(): string {
  const probe = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() });
  const url = `http://127.0.0.1:${probe.port}`;
  probe.stop(true);
  return url;
}

export async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}
