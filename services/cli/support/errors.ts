/**
 * Errors the `flotilla` command reports: main.ts prints the message on stderr (prefixed with
 * "flotilla: ") and exits with `exitCode`. Messages say what went wrong and what to do next.
 */
import { type ArgSpec, type ParsedArgs, parseArgs } from "../commands/flags.js";

export class CliError extends Error {
  override readonly name: string = "CliError";
  /** Process exit status. @default 1 */
  readonly exitCode: number;
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode ?? 1;
  }
}

/** The command line itself is wrong: exit status 2, and the usage line of the command. */
export class UsageError extends CliError {
  override readonly name = "UsageError";
  constructor(message: string, usage: string) {
    super(`${message}\nusage: ${usage}`, { exitCode: 2 });
  }
}

/** {@link parseArgs}, with a bad command line reported as a {@link UsageError}. */
export function parseCommand(argv: readonly string[], spec: ArgSpec, usage: string): ParsedArgs {
  try {
    return parseArgs(argv, spec);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), usage);
  }
}

/** Runs `check`, turning a thrown Error into a {@link UsageError}. */
export function usageCheck<T>(usage: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new UsageError(err instanceof Error ? err.message : String(err), usage);
  }
}
