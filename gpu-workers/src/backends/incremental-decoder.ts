/**
 * Turns a stream of token ids into text pieces, one per token whenever possible, without ever emitting half a
 * character.
 *
 * transformers.js's TextStreamer holds text back until a space or newline (whole words), which is not streaming
 * token by token. Decoding each token on its own is wrong too: byte-level tokens can end inside a multi-byte
 * UTF-8 character, and SentencePiece tokens lose their leading space. So, as TGI does, this decodes a short
 * window (the previous piece plus the new tokens), emits only what the window adds, and waits while the window
 * ends in U+FFFD (an incomplete character).
 */
export interface DecodedPiece {
  text: string;
  /** The tokens this text covers (more than one when a character needed several tokens). */
  tokenIds: number[];
}

export class IncrementalDecoder {
  private readonly ids: number[];
  /** Start of the window decoded for context. */
  private prefixOffset: number;
  /** End of what has already been emitted. */
  private readOffset: number;

  /**
   * @param decode ids to text, skipping special tokens
   * @param contextIds the last few prompt tokens, so the first piece is decoded as a continuation (its leading
   *   space survives on SentencePiece tokenizers); they are never emitted
   */
  constructor(
    private readonly decode: (ids: number[]) => string,
    contextIds: readonly number[] = [],
  ) {
    this.ids = [...contextIds];
    this.prefixOffset = 0;
    this.readOffset = this.ids.length;
  }

  /** Adds one token; returns the text it completes, or null while the text ends inside a character. */
  push(id: number): DecodedPiece | null {
    this.ids.push(id);
    return this.release(false);
  }

  /** At the end of generation: whatever is still held back (an unfinished character comes out as U+FFFD). */
  flush(): DecodedPiece | null {
    return this.release(true);
  }

  private release(final: boolean): DecodedPiece | null {
    if (this.readOffset === this.ids.length) return null;
    // Some tokenizers (transformers.js's among them) refuse to decode an empty list.
    const prefixText = this.prefixOffset === this.readOffset ? "" : this.decode(this.ids.slice(this.prefixOffset, this.readOffset));
    const windowText = this.decode(this.ids.slice(this.prefixOffset));
    const complete = windowText.length > prefixText.length && !windowText.endsWith("\uFFFD");
    if (!complete && !final) return null;
    const piece = { text: windowText.slice(prefixText.length), tokenIds: this.ids.slice(this.readOffset) };
    this.prefixOffset = this.readOffset;
    this.readOffset = this.ids.length;
    return piece;
  }
}
