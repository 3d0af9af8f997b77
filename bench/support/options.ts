import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A numeric command-line flag (`--name`), checked: finite, at least `min`, and whole if `integer`. */
export function numberOption(name: string, value: string | undefined, min: number, integer = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}`);
  return n;
}

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
const HELP = { help: { type: 'boolean', default: false } } as const;

/**
 * The benchmarks' command line: `options` parsed strictly (an unknown flag is an error), plus `--help`,
 * which prints `usage` and exits.
 */
export function parseBenchArgs<const O extends OptionSpecs>(argv: string[], options: O, usage: string) {
  const { values } = parseArgs<{ args: string[]; options: O & typeof HELP; strict: true }>({ args: argv, options: { ...options, ...HELP }, strict: true });
  // A flag of its own in every benchmark; read through a cast because the spread hides it from the inferred type.
  if ((values as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return values;
}
