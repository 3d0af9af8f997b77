/** A numeric command-line flag (`--name`), checked: finite, at least `min`, and whole if `integer`. */
export function numberOption(name: string, value: string | undefined, min: number, integer = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}`);
  return n;
}
