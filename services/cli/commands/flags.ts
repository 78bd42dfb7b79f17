/** Parses `--name value` and `--name=value` flags; unknown flags are an error that names them. */
export function parseFlags(argv: readonly string[], known: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...known };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) throw new Error(`unexpected argument "${a}"`);
    const eq = a.indexOf("=");
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (!(name in known))
      throw new Error(
        `unknown flag --${name}; known flags: ${Object.keys(known)
          .map((k) => `--${k}`)
          .join(", ")}`,
      );
    const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`flag --${name} needs a value`);
    out[name] = value;
  }
  return out;
}

export function intFlag(flags: Record<string, string>, name: string, min: number, max: number): number {
  const v = Number(flags[name]);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new Error(`--${name} must be a whole number from ${min} to ${max}, got "${flags[name]}"`);
  }
  return v;
}
