/** What a command may touch: injected so tests can run commands in-process and read what they printed. */
export interface CliIo {
  readStdin(): Promise<string>;
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  /** The command word(s), e.g. `evaluate` or `db`. */
  name: string;
  summary: string;
  /** Returns the process exit code. Prints `--help` itself. */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

/** Exit codes, shared by every command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
