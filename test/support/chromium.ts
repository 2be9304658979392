import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's `chromium` (installed by .ci/setup), driven by playwright-core: it drives an existing binary, so no
 * browser download is involved. `--no-sandbox` because CI runs as root, where Chromium's sandbox refuses to start.
 */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser & AsyncDisposable> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  return Object.assign(browser, { [Symbol.asyncDispose]: () => browser.close() });
}
