/**
 * Cuts a TCP byte stream into the peer transport's frames (peer-frames.ts): chunks arrive in
 * any sizes; a frame is handed on once all of its bytes are here. A frame announcing more
 * than `frameBytesMax` is refused before any of it is buffered.
 */
import { FRAME_HEADER_BYTES, FrameError } from "./peer-frames.js";

/** Called once per complete frame with its kind and body (a view, valid during the call). */
export type FrameSink = (kind: number, body: Buffer) => void;

/** The incremental frame parser of one connection. */
export class FrameReader {
  /** Bytes of an incomplete frame. Invariant: total length < FRAME_HEADER_BYTES + the frame's length. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes of the first pending frame once its length is known; 0 before. */
  private wantedBytes = 0;

  constructor(
    private readonly frameBytesMax: number,
    private readonly sink: FrameSink,
  ) {}

  /** Feeds bytes; throws FrameError when a frame announces an impossible length. */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < FRAME_HEADER_BYTES) return;
      if (this.wantedBytes === 0) this.wantedBytes = this.firstFrameBytes();
      if (this.pendingBytes < this.wantedBytes) return;
      buf = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.wantedBytes = 0;
    }
    let at = 0;
    while (buf.length - at >= FRAME_HEADER_BYTES) {
      const length = buf.readUInt32BE(at);
      this.check(length);
      const end = at + 4 + length;
      if (end > buf.length) break;
      this.sink(buf[at + 4]!, buf.subarray(at + FRAME_HEADER_BYTES, end));
      at = end;
    }
    if (at < buf.length) {
      // Copied: the caller may reuse `chunk`, and a small tail must not pin a large buffer.
      const rest = Buffer.from(buf.subarray(at));
      this.pending = [rest];
      this.pendingBytes = rest.length;
      this.wantedBytes = rest.length >= FRAME_HEADER_BYTES ? this.firstFrameBytes() : 0;
    }
  }

  /** Bytes of the first pending frame, header included (its header is here). */
  private firstFrameBytes(): number {
    const first = this.pending[0]!;
    const head = first.length >= 4 ? first : Buffer.concat(this.pending, this.pendingBytes);
    const length = head.readUInt32BE(0);
    this.check(length);
    return 4 + length;
  }

  private check(length: number): void {
    if (length < 1) throw new FrameError("a frame without a kind");
    if (length - 1 > this.frameBytesMax)
      throw new FrameError(`a frame of ${length - 1} bytes exceeds the limit of ${this.frameBytesMax}`);
  }
}
