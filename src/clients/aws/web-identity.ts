import { AppError } from '../../models/index.ts';
import type { AwsCredentials } from './credentials.ts';
import type { ReadTextFile } from './http-credentials.ts';
import { parseStsCredentials, stsErrorCode } from './sts-xml.ts';

export interface WebIdentityInput {
  tokenFile: string;
  roleArn: string;
  sessionName: string;
  /** STS endpoint, e.g. `https://sts.eu-west-1.amazonaws.com/`. */
  stsUrl: string;
  fetch: typeof fetch;
  readTextFile: ReadTextFile;
  timeoutMs: number;
}

/** The regional STS endpoint (the global one when no region is known). */
export function defaultStsUrl(region: string | undefined): string {
  return region ? `https://sts.${region}.amazonaws.com/` : 'https://sts.amazonaws.com/';
}

/**
 * Exchange the projected web identity token for role credentials with STS `AssumeRoleWithWebIdentity`. The call is
 * unsigned; the token file is re-read on every load because the platform rotates it. The form is POSTed so the token
 * never lands in a URL (and so in access logs).
 * @throws AppError CREDENTIALS_UNAVAILABLE (token file unreadable, STS unreachable or erroring, bad XML).
 */
export async function loadWebIdentityCredentials(input: WebIdentityInput): Promise<AwsCredentials> {
  let token: string;
  try {
    token = (await input.readTextFile(input.tokenFile)).trim();
  } catch (error) {
    throw new AppError('CREDENTIALS_UNAVAILABLE', 'cannot read AWS_WEB_IDENTITY_TOKEN_FILE', { cause: error });
  }
  if (token === '') throw new AppError('CREDENTIALS_UNAVAILABLE', 'AWS_WEB_IDENTITY_TOKEN_FILE is empty');
  const body = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: input.roleArn,
    RoleSessionName: input.sessionName,
    WebIdentityToken: token,
  }).toString();
  let status: number;
  let text: string;
  try {
    const response = await input.fetch(input.stsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/xml' },
      body,
      signal: AbortSignal.timeout(input.timeoutMs),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('CREDENTIALS_UNAVAILABLE', `STS unreachable (${reason})`, { cause: error });
  }
  if (status !== 200) {
    const code = stsErrorCode(text);
    throw new AppError(
      'CREDENTIALS_UNAVAILABLE',
      `STS AssumeRoleWithWebIdentity answered HTTP ${status}${code === null ? '' : ` (${code})`}`,
      { status },
    );
  }
  return parseStsCredentials(text);
}
