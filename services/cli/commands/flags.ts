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

/** What a subcommand accepts, for {@link parseArgs}. */
export interface ArgSpec {
  /** Flags that take a value, with their defaults ("" when there is none). */
  readonly values: Record<string, string>;
  /** Flags without a value (`--detach`). */
  readonly switches?: readonly string[];
  /** Single-letter aliases: `{ o: "output" }` makes `-o json` mean `--output json`. */
  readonly aliases?: Record<string, string>;
}

/** A parsed command line: flag values (defaults filled in), switches set, and the rest in order. */
export interface ParsedArgs {
  readonly values: Record<string, string>;
  readonly switches: ReadonlySet<string>;
  readonly positionals: readonly string[];
  /** Value flags the user typed (as opposed to defaults). */
  readonly given: ReadonlySet<string>;
}

/**
 * Parses flags (`--name value`, `--name=value`, `-o value`), switches (`--detach`) and
 * positional arguments in any order; `--` ends the flags. Unknown flags are an error naming
 * the known ones.
 */
export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const values: Record<string, string> = { ...spec.values };
  const switchNames = new Set(spec.switches ?? []);
  const switches = new Set<string>();
  const positionals: string[] = [];
  const given = new Set<string>();
  const known = (): string =>
    [...Object.keys(spec.values), ...switchNames].map((k) => `--${k}`).join(", ") || "none";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string;
    let inline: string | undefined;
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      inline = eq >= 0 ? a.slice(eq + 1) : undefined;
    } else if (/^-[a-zA-Z]$/.test(a)) {
      const alias = spec.aliases?.[a.slice(1)];
      if (alias === undefined) throw new Error(`unknown flag ${a}; known flags: ${known()}`);
      name = alias;
    } else {
      positionals.push(a);
      continue;
    }
    if (switchNames.has(name)) {
      if (inline !== undefined && inline !== "true" && inline !== "false")
        throw new Error(`--${name} takes no value (got "${inline}")`);
      if (inline === "false") switches.delete(name);
      else switches.add(name);
      continue;
    }
    if (!(name in spec.values)) throw new Error(`unknown flag --${name}; known flags: ${known()}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`flag --${name} needs a value`);
    values[name] = value;
    given.add(name);
  }
  return { values, switches, positionals, given };
}

/** The value of a flag that must be one of `choices`. */
export function choiceFlag<T extends string>(
  values: Record<string, string>,
  name: string,
  choices: readonly T[],
): T {
  const v = values[name] ?? "";
  if (!(choices as readonly string[]).includes(v))
    throw new Error(`--${name} must be one of ${choices.join(", ")}, got "${v}"`);
  return v as T;
}
