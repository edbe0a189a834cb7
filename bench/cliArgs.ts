/** Pure: the `--name=value` flags of the bench's standalone mains (one parser, not one per file). */

/** The value of `--name=value` in `argv`, or `fallback` when the flag is absent. */
export function flagValue(name: string, fallback: string, argv?: readonly string[]): string;
export function flagValue(name: string, fallback?: undefined, argv?: readonly string[]): string | undefined;
export function flagValue(name: string, fallback?: string, argv: readonly string[] = process.argv): string | undefined {
  const prefix = `--${name}=`;
  return argv.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

/** Whether the bare flag `--name` is in `argv`. */
export function hasFlag(name: string, argv: readonly string[] = process.argv): boolean {
  return argv.includes(`--${name}`);
}
