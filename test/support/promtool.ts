/** Debian's promtool (package `prometheus`, installed by .ci/setup). */
export const PROMTOOL = '/usr/bin/promtool';

/** `promtool check metrics` lints exposition text read from stdin; it exits non-zero and names each problem. */
export async function promtoolCheckMetrics(text: string): Promise<{ code: number; output: string }> {
  const proc = Bun.spawn([PROMTOOL, 'check', 'metrics'], { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe' });
  proc.stdin.write(text);
  await proc.stdin.end();
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, output: `${stdout}${stderr}` };
}
