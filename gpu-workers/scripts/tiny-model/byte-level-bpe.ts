/**
 * A GPT-2 style byte-level BPE vocabulary, trained at generation time on a short embedded corpus.
 *
 * Byte-level means every byte has a token, so any prompt (any language, any emoji) encodes without unknown tokens;
 * the merges only make common English fragments shorter, which keeps prompts and generations realistic in length.
 */

/** GPT-2's `bytes_to_unicode`: printable bytes map to themselves, the rest to code points from 256 up. */
export function bytesToUnicode(): { byteToChar: string[]; order: number[] } {
  const printable: number[] = [];
  const ranges: [number, number][] = [
    [0x21, 0x7e],
    [0xa1, 0xac],
    [0xae, 0xff],
  ];
  for (const [from, to] of ranges) for (let b = from; b <= to; b++) printable.push(b);
  const byteToChar: string[] = new Array(256);
  for (const b of printable) byteToChar[b] = String.fromCodePoint(b);
  const order = [...printable];
  let next = 0;
  for (let b = 0; b < 256; b++) {
    if (byteToChar[b] === undefined) {
      byteToChar[b] = String.fromCodePoint(256 + next++);
      order.push(b);
    }
  }
  return { byteToChar, order };
}

/** GPT-2's pre-tokenizer pattern (what the ByteLevel pre_tokenizer applies with use_regex: true). */
const GPT2_PRETOKENIZE = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * Learns `mergeCount` merges from `corpus`: repeatedly joins the most frequent adjacent pair of symbols.
 * Ties go to the lexicographically smallest pair so the result never depends on Map iteration details.
 */
export function trainMerges(corpus: string, mergeCount: number): [string, string][] {
  const { byteToChar } = bytesToUnicode();
  const encoder = new TextEncoder();
  const wordCounts = new Map<string, number>();
  for (const match of corpus.matchAll(GPT2_PRETOKENIZE)) {
    const word = Array.from(encoder.encode(match[0]), (b) => byteToChar[b]).join("\u0000");
    wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
  }
  let words = [...wordCounts.entries()].map(([word, count]) => ({ symbols: word.split("\u0000"), count }));
  const merges: [string, string][] = [];
  while (merges.length < mergeCount) {
    const pairCounts = new Map<string, number>();
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = symbols[i] + "\u0000" + symbols[i + 1];
        pairCounts.set(key, (pairCounts.get(key) ?? 0) + count);
      }
    }
    let best: string | null = null;
    let bestCount = 1; // a pair seen once is not worth a token
    for (const [key, count] of pairCounts) {
      if (count > bestCount || (count === bestCount && best !== null && key < best)) {
        best = key;
        bestCount = count;
      }
    }
    if (best === null) break;
    const [left, right] = best.split("\u0000") as [string, string];
    merges.push([left, right]);
    words = words.map(({ symbols, count }) => {
      const merged: string[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i + 1 < symbols.length && symbols[i] === left && symbols[i + 1] === right) {
          merged.push(left + right);
          i++;
        } else {
          merged.push(symbols[i]);
        }
      }
      return { symbols: merged, count };
    });
  }
  return merges;
}

export interface Vocabulary {
  /** Token strings in id order: 256 byte symbols, then one per new merged string, then the special tokens. */
  tokens: string[];
  merges: [string, string][];
  specialTokens: string[];
  /** The bytes each non-special token stands for (used to bias the model towards printable output). */
  tokenBytes: (Uint8Array | null)[];
}

export function buildVocabulary(merges: [string, string][], specialTokens: string[]): Vocabulary {
  const { byteToChar, order } = bytesToUnicode();
  const charToByte = new Map(byteToChar.map((char, byte) => [char, byte]));
  // Two merges can spell the same string ("ab"+"c" and "a"+"bc"); the token exists once, as in GPT-2's vocab.
  const tokens = [...new Set([...order.map((b) => byteToChar[b]), ...merges.map(([a, b]) => a + b)]), ...specialTokens];
  const special = new Set(specialTokens);
  const tokenBytes = tokens.map((token) => (special.has(token) ? null : Uint8Array.from(Array.from(token, (char) => charToByte.get(char)!))));
  return { tokens, merges, specialTokens, tokenBytes };
}

/** The Hugging Face `tokenizer.json` for a vocabulary (ByteLevel pre-tokenizer, post-processor and decoder). */
export function tokenizerJson(vocabulary: Vocabulary): object {
  const vocab: Record<string, number> = {};
  vocabulary.tokens.forEach((token, id) => (vocab[token] = id));
  const byteLevel = { add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: vocabulary.specialTokens.map((content) => ({
      id: vocab[content],
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", ...byteLevel },
    post_processor: { type: "ByteLevel", ...byteLevel, trim_offsets: false },
    decoder: { type: "ByteLevel", ...byteLevel },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: "",
      end_of_word_suffix: "",
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: vocabulary.merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}
