import { describe, expect, it } from "vitest";
import { choiceFlag, parseArgs } from "./flags.js";

describe("parseArgs", () => {
  const spec = {
    values: { dir: ".flotilla", output: "table" },
    switches: ["watch"],
    aliases: { o: "output" },
  };

  it("takes flags, switches, short aliases and positionals in any order", () => {
    const a = parseArgs(["m2", "-o", "json", "--watch", "--dir=x"], spec);
    expect(a.values).toEqual({ dir: "x", output: "json" });
    expect([...a.switches]).toEqual(["watch"]);
    expect(a.positionals).toEqual(["m2"]);
    expect([...a.given].sort()).toEqual(["dir", "output"]);
  });

  it("fills defaults and names unknown flags", () => {
    expect(parseArgs([], spec).values["dir"]).toBe(".flotilla");
    expect(() => parseArgs(["--nope"], spec)).toThrow(
      "unknown flag --nope; known flags: --dir, --output, --watch",
    );
    expect(() => parseArgs(["-x"], spec)).toThrow("unknown flag -x");
    expect(() => parseArgs(["--dir"], spec)).toThrow("flag --dir needs a value");
    expect(() => parseArgs(["--watch=yes"], spec)).toThrow("--watch takes no value");
  });

  it("checks choices", () => {
    expect(choiceFlag({ o: "json" }, "o", ["table", "json"])).toBe("json");
    expect(() => choiceFlag({ o: "yaml" }, "o", ["table", "json"])).toThrow(
      '--o must be one of table, json, got "yaml"',
    );
  });
});
