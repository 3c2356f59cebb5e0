/**
 * Cuts streamed LLM text into pieces TTS can speak: the first piece at the
 * first clause boundary (so audio starts early), then whole sentences. A
 * boundary counts only once the next character is whitespace, so "3.5" and
 * "St." inside a sentence are not cut.
 */
export interface ChunkerOptions {
  /** The first piece may end at a comma once it has this many characters (default 12). */
  minFirstChars?: number;
  /** Later pieces shorter than this wait for the next sentence (default 20). */
  minChars?: number;
  /** A piece longer than this is cut at the last clause boundary or space (default 220). */
  maxChars?: number;
}

const SENTENCE_END = /[.!?…]["»)\]]?$/;
const CLAUSE_END = /[,;:—–]$/;
const ABBREVIATIONS = /\b(mr|mrs|ms|dr|st|ave|blvd|no|vs|etc|e\.g|i\.e|approx|apt|m|mme|av|boul)\.$/i;

export class SentenceChunker {
  private buf = '';
  private emitted = 0;
  private readonly minFirst: number;
  private readonly minChars: number;
  private readonly maxChars: number;

  constructor(opts: ChunkerOptions = {}) {
    this.minFirst = opts.minFirstChars ?? 12;
    this.minChars = opts.minChars ?? 20;
    this.maxChars = opts.maxChars ?? 220;
  }

  /** Adds streamed text; returns the pieces now ready, in order. */
  push(text: string): string[] {
    this.buf += text;
    const out: string[] = [];
    for (;;) {
      const cut = this.findCut();
      if (cut < 0) break;
      const piece = this.buf.slice(0, cut).trim();
      this.buf = this.buf.slice(cut);
      if (piece) {
        out.push(piece);
        this.emitted++;
      }
    }
    return out;
  }

  /** Ends the stream; returns the remaining text, if any. */
  end(): string | undefined {
    const rest = this.buf.trim();
    this.buf = '';
    if (!rest) return undefined;
    this.emitted++;
    return rest;
  }

  private findCut(): number {
    const b = this.buf;
    let lastClause = -1;
    let lastSpace = -1;
    for (let i = 0; i < b.length - 1; i++) {
      if (!/\s/.test(b[i + 1]!)) continue;
      const head = b.slice(0, i + 1);
      const len = head.trim().length;
      const fits = i + 1 <= this.maxChars;
      if (fits) lastSpace = i + 1;
      if (SENTENCE_END.test(head) && !ABBREVIATIONS.test(head)) {
        if (this.emitted === 0 || len >= this.minChars) return i + 1;
      } else if (CLAUSE_END.test(head)) {
        if (fits) lastClause = i + 1;
        if (this.emitted === 0 && len >= this.minFirst) return i + 1;
      }
    }
    if (b.trim().length > this.maxChars) return lastClause > 0 ? lastClause : lastSpace > 0 ? lastSpace : this.maxChars;
    return -1;
  }
}
