/** PersistentVolumeClaim rules (ValidatePersistentVolumeClaimSpec): access modes and a positive storage request. */
import { invalid, notSupported, required } from "../field-error.js";
import { isRecord, type JsonRecord } from "../json.js";
import { child, type Errors, key, oneOf, optArray, optRecord, optString, validateLabels } from "./common.js";
import { validateResources } from "./pod.js";
import { quantitySign } from "./quantity.js";

/** sets.List() order, as Kubernetes prints them. */
export const ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"] as const;

/** ValidatePersistentVolumeClaimSpec for the fields the emulator uses. */
export function validatePvcSpec(spec: JsonRecord, path: string, errs: Errors): void {
  const modesPath = child(path, "accessModes");
  const modes = optArray(spec, "accessModes", modesPath, errs);
  if (modes === undefined || modes.length === 0)
    errs.push(required(modesPath, "at least 1 access mode is required"));
  for (const m of modes ?? []) {
    if (typeof m !== "string" || !(ACCESS_MODES as readonly string[]).includes(m))
      errs.push(notSupported(modesPath, m, ACCESS_MODES));
  }
  const resPath = child(path, "resources");
  const res = optRecord(spec, "resources", resPath, errs);
  const requests = res !== undefined && isRecord(res["requests"]) ? res["requests"] : {};
  const storage = requests["storage"];
  if (storage === undefined) errs.push(required(key(resPath, "storage")));
  else if (typeof storage === "string" && quantitySign(storage) === 0) {
    errs.push(invalid(key(child(resPath, "requests"), "storage"), storage, "must be greater than zero"));
  }
  if (res !== undefined) validateResources(res, resPath, errs);
  oneOf(
    optString(spec, "volumeMode", child(path, "volumeMode"), errs),
    ["Block", "Filesystem"],
    child(path, "volumeMode"),
    errs,
    false,
  );
  const selector = optRecord(spec, "selector", child(path, "selector"), errs);
  if (selector !== undefined)
    validateLabels(selector["matchLabels"], child(path, "selector.matchLabels"), errs);
}
