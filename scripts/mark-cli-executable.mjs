// Marks the built `flotilla` entry executable, as a bin must be. `npx flotilla` runs the
// project's own bin straight from dist/, and npm sets the executable bit only when it links
// that bin into its npx cache, once per project folder: a dist/ rebuilt afterwards (npm ci in
// a new clone at the same path, npm run build) would fail with "Permission denied".
import { chmodSync } from "node:fs";

chmodSync(new URL("../dist/services/cli/main.js", import.meta.url), 0o755);
