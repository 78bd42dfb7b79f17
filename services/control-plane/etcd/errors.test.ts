import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import {
  CompactedError,
  FutureRevisionError,
  LeaseNotFoundError,
  leaseId,
} from "../../../libs/mvcc/index.js";
import {
  ETCD_RPC_ERRORS,
  InvalidArgumentError,
  NoLeaderError,
  RequestTooLargeError,
  TimeoutError,
  TooManyRequestsError,
  toGrpcStatus,
} from "./errors.js";

describe("toGrpcStatus", () => {
  it("maps store errors to etcd's codes and exact messages", () => {
    expect(toGrpcStatus(new CompactedError(1, 5))).toEqual({
      code: status.OUT_OF_RANGE,
      details: "etcdserver: mvcc: required revision has been compacted",
    });
    expect(toGrpcStatus(new FutureRevisionError(9, 5))).toEqual({
      code: status.OUT_OF_RANGE,
      details: "etcdserver: mvcc: required revision is a future revision",
    });
    expect(toGrpcStatus(new LeaseNotFoundError(leaseId(3)))).toEqual({
      code: status.NOT_FOUND,
      details: "etcdserver: requested lease not found",
    });
  });

  it("maps backend errors to etcd's codes and exact messages", () => {
    expect(toGrpcStatus(new NoLeaderError())).toEqual({
      code: status.UNAVAILABLE,
      details: "etcdserver: no leader",
    });
    expect(toGrpcStatus(new TimeoutError())).toEqual({
      code: status.UNAVAILABLE,
      details: "etcdserver: request timed out",
    });
    expect(toGrpcStatus(new TooManyRequestsError())).toEqual({
      code: status.RESOURCE_EXHAUSTED,
      details: "etcdserver: too many requests",
    });
    expect(toGrpcStatus(new RequestTooLargeError())).toEqual({
      code: status.INVALID_ARGUMENT,
      details: "etcdserver: request is too large",
    });
  });

  it("every etcd message starts with 'etcdserver: ' as clients expect", () => {
    for (const { message } of Object.values(ETCD_RPC_ERRORS)) expect(message).toMatch(/^etcdserver: /);
  });

  it("edge validation is INVALID_ARGUMENT with our prefix; anything else is INTERNAL, with a cause kept", () => {
    expect(toGrpcStatus(new InvalidArgumentError("limit too big"))).toEqual({
      code: status.INVALID_ARGUMENT,
      details: "flotilla: limit too big",
    });
    expect(toGrpcStatus(new Error("boom"))).toEqual({
      code: status.INTERNAL,
      details: "flotilla: internal error: boom",
    });
    const cause = new Error("socket closed");
    expect(new TimeoutError({ cause }).cause).toBe(cause);
  });
});
