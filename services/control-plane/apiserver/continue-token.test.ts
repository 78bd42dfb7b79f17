import { describe, expect, it } from "vitest";
import { ApiError } from "./api-error.js";
import { decodeContinue, encodeContinue } from "./continue-token.js";

describe("continue tokens", () => {
  it("round-trip the revision and the start key", () => {
    const point = { revision: 42, start: "default/web-1\u0000" };
    expect(decodeContinue(encodeContinue(point))).toEqual(point);
  });

  it("reject anything this server did not issue with BadRequest", () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    for (const token of [
      "%%%",
      Buffer.from("not json").toString("base64url"),
      b64([1]),
      b64({ v: "meta.k8s.io/v1", rv: 1, start: "a" }),
      b64({ v: "flotilla/v1", rv: -1, start: "a" }),
      b64({ v: "flotilla/v1", rv: 1.5, start: "a" }),
      b64({ v: "flotilla/v1", rv: 3, start: "" }),
      "a".repeat(10_000),
    ]) {
      expect(() => decodeContinue(token)).toThrow(ApiError);
      try {
        decodeContinue(token);
      } catch (e) {
        expect((e as ApiError).reason).toBe("BadRequest");
        expect((e as ApiError).message).toMatch(/^continue key is not valid: /);
      }
    }
  });
});
