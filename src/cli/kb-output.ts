import type { CliIo } from './command.ts';
import { EXIT } from './command.ts';

export type Format = 'text' | 'json';

/** Print the JSON document with `--format json`, else the text; returns the success exit code. */
export function emit(io: CliIo, format: Format, json: unknown, text: string): number {
  io.out(format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : text);
  return EXIT.ok;
}
