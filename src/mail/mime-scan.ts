/**
 * A cheap, linear pre-scan of a raw message's MIME skeleton, run before mailparser.
 * mailparser builds a tree of every part and header in memory; a hostile message with
 * thousands of nested multiparts or hundreds of thousands of header fields can make it
 * spend seconds and gigabytes. Counting boundaries and header fields line by line costs
 * one pass over the bytes and lets us refuse such a message before the real parse.
 */

export interface MimeShape {
  /** Deepest nesting of multipart and message/rfc822 containers (a flat message is 0). */
  depth: number;
  /** Body parts opened by a boundary line. */
  parts: number;
  /** Header fields in every header block (top level, parts, embedded messages). */
  headers: number;
  /** text/plain entities (a header block without Content-Type counts as one, RFC 2045 §5.2). */
  textParts: number;
  /** The Content-Type fields of the text/plain entities marked format=flowed (RFC 3676). */
  flowed: FlowedField[];
}

export interface FlowedField {
  /** Byte range of the field, folded continuation lines included. */
  start: number;
  end: number;
  delSp: boolean;
}

/** Stop counting as soon as a limit is passed: the caller only needs to know that. */
export interface MimeScanCaps {
  maxDepth: number;
  maxParts: number;
  maxHeaders: number;
}

interface Frame {
  boundary: string;
  /** Nesting depth of the parts this boundary opens. */
  depth: number;
}

interface ScanState {
  shape: MimeShape;
  stack: Frame[];
  inHeaders: boolean;
  entityDepth: number;
  /** Unfolded Content-Type of the header block being read, if any. */
  contentType: string | null;
  readingContentType: boolean;
  contentTypeStart: number;
  contentTypeEnd: number;
}

const LF = 0x0a;
/** RFC 2046 §5.1.1: a boundary is at most 70 characters, so longer lines cannot be one. */
const MAX_BOUNDARY_LINE = 2 + 70 + 2 + 64;

const BOUNDARY_PARAM = /;\s*boundary\s*=\s*(?:"([^"]{1,200})"|([^;\s]{1,200}))/i;
const MULTIPART = /^\s*multipart\//i;
const EMBEDDED_MESSAGE = /^\s*message\/(?:rfc822|global)\b/i;
const TEXT_PLAIN = /^\s*text\/plain\s*(?:;|$)/i;
const FORMAT_FLOWED = /;\s*format\s*=\s*"?flowed\b/i;
const DELSP_YES = /;\s*delsp\s*=\s*"?yes\b/i;

export function scanMime(raw: Buffer, caps: MimeScanCaps): MimeShape {
  const state: ScanState = {
    shape: { depth: 0, parts: 0, headers: 0, textParts: 0, flowed: [] },
    stack: [],
    inHeaders: true,
    entityDepth: 0,
    contentType: null,
    readingContentType: false,
    contentTypeStart: 0,
    contentTypeEnd: 0,
  };
  let start = 0;
  while (start < raw.length) {
    const nl = raw.indexOf(LF, start);
    const end = nl === -1 ? raw.length : nl;
    if (state.inHeaders) {
      scanHeaderLine(raw, start, end, state);
    } else {
      scanBodyLine(raw, start, end, state);
    }
    if (exceeds(state.shape, caps)) break;
    start = end + 1;
  }
  return state.shape;
}

function exceeds(shape: MimeShape, caps: MimeScanCaps): boolean {
  return shape.depth > caps.maxDepth || shape.parts > caps.maxParts || shape.headers > caps.maxHeaders;
}

function lineText(raw: Buffer, start: number, end: number): string {
  const stop = end > start && raw[end - 1] === 0x0d ? end - 1 : end;
  return raw.toString('latin1', start, stop);
}

function scanHeaderLine(raw: Buffer, start: number, end: number, state: ScanState): void {
  const first = raw[start];
  const isEmpty = end === start || (end === start + 1 && first === 0x0d);
  if (isEmpty) {
    endHeaderBlock(state);
    return;
  }
  if (first === 0x20 || first === 0x09) {
    // RFC 5322 §2.2.3 folding: a continuation of the previous field.
    if (state.readingContentType) {
      state.contentType += ' ' + lineText(raw, start, end).trim();
      state.contentTypeEnd = end;
    }
    return;
  }
  state.shape.headers += 1;
  // Only the start of the line is needed to recognise the field name.
  const head = raw.toString('latin1', start, Math.min(end, start + 13)).toLowerCase();
  state.readingContentType = head.startsWith('content-type:');
  if (state.readingContentType) {
    state.contentType = lineText(raw, start, end).slice(13);
    state.contentTypeStart = start;
    state.contentTypeEnd = end;
  }
}

function endHeaderBlock(state: ScanState): void {
  const type = state.contentType ?? '';
  const declared = state.contentType !== null;
  state.contentType = null;
  state.readingContentType = false;
  if (MULTIPART.test(type)) {
    const match = BOUNDARY_PARAM.exec(type);
    const boundary = match?.[1] ?? match?.[2];
    if (boundary !== undefined) {
      const depth = state.entityDepth + 1;
      state.stack.push({ boundary, depth });
      state.shape.depth = Math.max(state.shape.depth, depth);
    }
    state.inHeaders = false;
    return;
  }
  if (EMBEDDED_MESSAGE.test(type)) {
    // The body of message/rfc822 is a whole message: its header block follows at once.
    state.entityDepth += 1;
    state.shape.depth = Math.max(state.shape.depth, state.entityDepth);
    return;
  }
  if (!declared || TEXT_PLAIN.test(type)) noteTextPart(state, type);
  state.inHeaders = false;
}

function noteTextPart(state: ScanState, type: string): void {
  state.shape.textParts += 1;
  if (!FORMAT_FLOWED.test(type)) return;
  state.shape.flowed.push({ start: state.contentTypeStart, end: state.contentTypeEnd, delSp: DELSP_YES.test(type) });
}

function scanBodyLine(raw: Buffer, start: number, end: number, state: ScanState): void {
  if (state.stack.length === 0 || end - start > MAX_BOUNDARY_LINE) return;
  if (raw[start] !== 0x2d || raw[start + 1] !== 0x2d) return;
  // RFC 2046 §5.1.1 allows trailing whitespace after a boundary.
  const line = lineText(raw, start, end).trimEnd();
  for (let i = state.stack.length - 1; i >= 0; i -= 1) {
    const frame = state.stack[i];
    if (frame === undefined) continue;
    if (line === `--${frame.boundary}--`) {
      state.stack.length = i;
      return;
    }
    if (line === `--${frame.boundary}`) {
      state.stack.length = i + 1;
      state.shape.parts += 1;
      state.inHeaders = true;
      state.entityDepth = frame.depth;
      return;
    }
  }
}
