/**
 * RFC 3676 format=flowed, decoded with quote depth respected. mailparser (through libmime)
 * joins every line that ends in a space to the next one whatever their quote depth, so a
 * quoted `> Hi ` followed by the reply `Hello` became `> Hi Hello` and the reply vanished
 * with the quote. RFC 3676 §4.5: lines of different quote depth are never joined. The
 * parser therefore hides the format parameter from mailparser (see parse.ts) and the text
 * is unwrapped here.
 */

export interface FlowedText {
  /** RFC 3676 §4.1 DelSp=yes: the space before a soft line break was added by the sender. */
  delSp: boolean;
}

interface FlowedLine {
  depth: number;
  content: string;
  soft: boolean;
}

/** Quote depth is the count of leading `>`; one space after them (or at the start) is stuffing (§4.4). */
function readLine(line: string, delSp: boolean): FlowedLine {
  let depth = 0;
  while (depth < line.length && line.charCodeAt(depth) === 0x3e) depth += 1;
  let content = line.slice(depth);
  if (content.startsWith(' ')) content = content.slice(1);
  // §4.3: the signature separator "-- " ends in a space but is never soft.
  const soft = content.endsWith(' ') && content !== '-- ';
  if (soft && delSp) content = content.slice(0, -1);
  return { depth, content, soft };
}

function render(depth: number, pieces: readonly string[]): string {
  const content = pieces.join('');
  if (depth === 0) return content;
  return content === '' ? '>'.repeat(depth) : `${'>'.repeat(depth)} ${content}`;
}

export function decodeFlowed(text: string, options: FlowedText): string {
  const out: string[] = [];
  let pieces: string[] = [];
  let depth = -1;
  let open = false;
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = readLine(raw, options.delSp);
    // A soft break before a line of another depth is a hard one (§4.5, "improperly flowed").
    if (!open || line.depth !== depth) {
      if (depth !== -1) out.push(render(depth, pieces));
      pieces = [];
      depth = line.depth;
    }
    pieces.push(line.content);
    open = line.soft;
    if (!open) {
      out.push(render(depth, pieces));
      pieces = [];
      depth = -1;
    }
  }
  if (depth !== -1) out.push(render(depth, pieces));
  return out.join('\n');
}
