import { bytesToLatin1, type KeyValue } from "../../../libs/mvcc/index.js";

/** Field-by-field equality of two kvs (key, revisions, version, lease, value). */
export function sameKv(a: KeyValue, b: KeyValue): boolean {
  return (
    a.modRevision === b.modRevision &&
    a.createRevision === b.createRevision &&
    a.version === b.version &&
    a.lease === b.lease &&
    bytesEqual(a.key, b.key) &&
    bytesEqual(a.value, b.value)
  );
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function describeEvent(type: "put" | "delete", key: string, revision: number): string {
  return `${type} ${JSON.stringify(key)}@${revision}`;
}

export function describeKv(kv: KeyValue | undefined): string {
  if (kv === undefined) return "absent";
  return `{${JSON.stringify(bytesToLatin1(kv.value))} create ${kv.createRevision} mod ${kv.modRevision} v${kv.version} lease ${kv.lease}}`;
}
