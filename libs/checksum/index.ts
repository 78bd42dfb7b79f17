export { crc32SlicedUpdate, slicedTables } from "./crc32-sliced.js";
