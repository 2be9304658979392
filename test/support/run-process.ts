/** A finished child process: exit code and everything it printed. */
export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a command to completion, reading stdout and stderr as it goes (a full pipe would block the child).
 * `env` replaces the environment when given, so tests control exactly what the child sees.
 */
export async function runProcess(input: {
  cmd: readonly string[];
  cwd?: string;
  env?: Record<string, string>;
  stdin?: Blob | Uint8Array;
}): Promise<ProcessResult> {
  const proc = Bun.spawn([...input.cmd], {
    ...(input.cwd === undefined ? {} : { cwd: input.cwd }),
    ...(input.env === undefined ? {} : { env: input.env }),
    ...(input.stdin === undefined ? {} : { stdin: input.stdin }),
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [code, stdout, stderr] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  return { code, stdout, stderr };
}
