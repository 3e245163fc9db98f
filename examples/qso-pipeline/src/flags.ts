/**
 * Command-line flags declared once: each entry gives the parser its type and default and the usage
 * text its placeholder, so the two never disagree.
 */

export interface Flag {
  type: 'string' | 'boolean';
  default?: string;
  /** What the value looks like in the usage (`N`, `read|full`…); none for a boolean. */
  arg?: string;
  /** Listed first and without brackets. */
  required?: boolean;
}

export type Flags = Record<string, Flag>;

/** The `parseArgs` options of a flag table. */
export function parseOptions<F extends Flags>(
  flags: F,
): { [K in keyof F]: F[K] extends { default: string } ? { type: F[K]['type']; default: string } : { type: F[K]['type'] } } {
  return Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [name, f.default === undefined ? { type: f.type } : { type: f.type, default: f.default }]),
  ) as never;
}

/** `--name ARG` for the usage, bracketed unless required. */
function shown(name: string, f: Flag): string {
  const text = f.type === 'boolean' ? `--${name}` : `--${name} ${f.arg ?? (f.default !== undefined ? f.default : 'VALUE')}`;
  return f.required ? text : `[${text}]`;
}

/** A command's usage lines: the flags in table order, wrapped under the command name. */
export function usageOf(command: string, flags: Flags, notes: string[] = [], width = 104): string {
  const indent = ' '.repeat(12);
  const items = Object.entries(flags).map(([n, f]) => shown(n, f));
  const lines: string[] = [];
  let line = `  ${command.padEnd(10)}`;
  for (const item of items) {
    if (line.trim().length && line.length + item.length + 1 > width) {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += `${item} `;
  }
  lines.push(line.trimEnd());
  return [...lines, ...notes.map((n) => `${indent}${n}`)].join('\n');
}
