/**
 * The models chat clients may pick, as declared by the models file (CHORUS_MODELS_FILE) or the built-in default.
 * A model id is also the name of its generation queue: only workers that announce the id take its jobs.
 */
export interface ModelDefaults {
  maxNewTokens: number;
  temperature: number;
  topP: number;
  topK: number | null;
  repetitionPenalty: number | null;
}

/** A named set of sampling parameters a client may offer (the reference's "parameter configs", spec §1.3). */
export interface ModelPreset {
  name: string;
  description: string;
  sampling: Partial<ModelDefaults> & { typicalP?: number | null };
}

export interface ModelDeclaration {
  id: string;
  description: string;
  /** Longest prompt the model accepts, in tokens; older turns are cut to fit (system prompt kept). */
  maxInputLength: number;
  /** Prompt plus answer, in tokens. */
  maxTotalLength: number;
  /** The most a request may ask for with maxNewTokens. */
  maxNewTokensLimit: number;
  defaults: ModelDefaults;
  presets: ModelPreset[];
  /** How the worker formats the conversation for the model: a template name (chatml, llama2, plain) or text. */
  chatTemplate: string;
  /**
   * Which workers' configurations are interchangeable for this model (the reference's compat hash, spec §1.4):
   * by default `{id}-{maxTotalLength}-{maxInputLength}-f`.
   */
  compatibilityKey: string;
  /** Characters per token used to estimate prompt length when cutting to the context window (no tokenizer here). */
  charsPerToken: number;
}

const STANDARD_PRESETS: ModelPreset[] = [
  {
    name: "k50",
    description: "Balanced (top-k 50, nucleus 0.95, temperature 0.75)",
    sampling: { topK: 50, topP: 0.95, temperature: 0.75, repetitionPenalty: 1.2 },
  },
  { name: "k50-Creative", description: "More varied", sampling: { topK: 50, topP: 0.95, temperature: 0.85, repetitionPenalty: 1.2 } },
  { name: "k50-Precise", description: "Nearly greedy", sampling: { topK: 50, topP: 0.95, temperature: 0.1, repetitionPenalty: 1.2 } },
  { name: "nucleus9", description: "Nucleus sampling 0.9", sampling: { topP: 0.9, temperature: 0.8, repetitionPenalty: 1.2 } },
];

/**
 * The declared models when CHORUS_MODELS_FILE is unset (the same as config/models.json): the tiny deterministic
 * model of gpu-workers (real inference, offline) and the synthetic model (lorem words at a fixed rate, like the
 * reference's `_lorem`), which the in-process worker of local mode serves.
 */
export const DEFAULT_MODELS: readonly ModelDeclaration[] = [
  {
    id: "chorus-tiny",
    description: "A tiny randomly initialised GPT-2 (gpu-workers/scripts/tiny-model): real inference, offline, deterministic text.",
    maxInputLength: 512,
    maxTotalLength: 1024,
    maxNewTokensLimit: 512,
    defaults: { maxNewTokens: 128, temperature: 0.75, topP: 0.95, topK: 50, repetitionPenalty: 1.2 },
    presets: STANDARD_PRESETS,
    chatTemplate: "plain",
    compatibilityKey: "chorus-tiny-1024-512-f",
    charsPerToken: 4,
  },
  {
    id: "synthetic",
    description: "Deterministic lorem-ipsum words at a fixed rate, for trying the API and for load tests.",
    maxInputLength: 1024,
    maxTotalLength: 2048,
    maxNewTokensLimit: 1024,
    defaults: { maxNewTokens: 64, temperature: 0.75, topP: 0.95, topK: 50, repetitionPenalty: 1.2 },
    presets: STANDARD_PRESETS,
    chatTemplate: "plain",
    compatibilityKey: "synthetic-2048-1024-f",
    charsPerToken: 4,
  },
];

/** A models file that cannot be used; the message names the model and field. */
export class ModelsFileError extends Error {}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Checks and normalises the models file's content:
 * `{ "models": [{ id, description?, limits: { maxInputTokens, maxTotalTokens, maxNewTokens }, defaultSampling:
 * { maxNewTokens, temperature, topP, topK?, repetitionPenalty? }, presets?: [{ name, description?, sampling }],
 * chatTemplate?, compatibilityKey?, charsPerToken? }] }`.
 */
export function parseModelsFile(content: unknown): ModelDeclaration[] {
  if (!isObject(content) || !Array.isArray(content.models) || content.models.length === 0) {
    throw new ModelsFileError(`must be a JSON object {"models": [...]} with at least one model`);
  }
  const seen = new Set<string>();
  return content.models.map((raw, index) => {
    const where = isObject(raw) && typeof raw.id === "string" ? `model "${raw.id}"` : `models[${index}]`;
    const fail = (what: string): never => {
      throw new ModelsFileError(`${where}: ${what}`);
    };
    if (!isObject(raw)) return fail("must be an object");
    const id = raw.id;
    if (typeof id !== "string" || !/^[A-Za-z0-9._:/-]{1,128}$/.test(id)) return fail("id must be 1-128 letters, digits or ._:/-");
    if (seen.has(id)) fail("is declared twice");
    seen.add(id);
    const int = (obj: Json, name: string, min: number, max: number): number => {
      const v = obj[name];
      if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
        fail(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
      return v as number;
    };
    const num = (obj: Json, name: string, ok: (v: number) => boolean, rule: string): number => {
      const v = obj[name];
      if (typeof v !== "number" || !ok(v)) fail(`${name} must be ${rule}, got ${JSON.stringify(v)}`);
      return v as number;
    };
    const optional = <T>(obj: Json, name: string, read: () => T): T | null => (obj[name] === undefined || obj[name] === null ? null : read());
    if (!isObject(raw.limits)) return fail("limits must be an object {maxInputTokens, maxTotalTokens, maxNewTokens}");
    const limits = raw.limits;
    const maxInputLength = int(limits, "maxInputTokens", 1, 10_000_000);
    const maxTotalLength = int(limits, "maxTotalTokens", 2, 10_000_000);
    const maxNewTokensLimit = int(limits, "maxNewTokens", 1, 10_000_000);
    if (maxInputLength >= maxTotalLength) fail("limits.maxInputTokens must be below limits.maxTotalTokens");
    if (maxNewTokensLimit > maxTotalLength) fail("limits.maxNewTokens must not exceed limits.maxTotalTokens");
    const samplingOf = (s: Json, partial: boolean) => {
      const read = <T>(name: string, r: () => T): T | null => (partial || name === "topK" || name === "repetitionPenalty" ? optional(s, name, r) : r());
      return {
        maxNewTokens: read("maxNewTokens", () => int(s, "maxNewTokens", 1, maxNewTokensLimit)),
        temperature: read("temperature", () => num(s, "temperature", (v) => v >= 0 && v <= 100, "from 0 to 100")),
        topP: read("topP", () => num(s, "topP", (v) => v > 0 && v <= 1, "in (0, 1]")),
        topK: read("topK", () => int(s, "topK", 0, 1_000_000)),
        repetitionPenalty: read("repetitionPenalty", () => num(s, "repetitionPenalty", (v) => v > 0, "above 0")),
      };
    };
    if (!isObject(raw.defaultSampling)) return fail("defaultSampling must be an object {maxNewTokens, temperature, topP, topK?, repetitionPenalty?}");
    const defaults = samplingOf(raw.defaultSampling, false) as ModelDefaults;
    const presetsRaw = raw.presets ?? [];
    if (!Array.isArray(presetsRaw)) return fail("presets must be a list");
    const presets: ModelPreset[] = presetsRaw.map((p, i) => {
      if (!isObject(p) || typeof p.name !== "string" || p.name.length === 0 || !isObject(p.sampling)) {
        return fail(`presets[${i}] must be {name, description?, sampling}`);
      }
      const s = samplingOf(p.sampling, true);
      const typicalP = optional(p.sampling, "typicalP", () => num(p.sampling as Json, "typicalP", (v) => v > 0 && v <= 1, "in (0, 1]"));
      const sampling = Object.fromEntries(Object.entries({ ...s, typicalP }).filter(([, v]) => v !== null)) as ModelPreset["sampling"];
      return { name: p.name, description: typeof p.description === "string" ? p.description : "", sampling };
    });
    const text = (name: string, def: string): string => {
      const v = raw[name];
      if (v === undefined || v === null) return def;
      if (typeof v !== "string" || v.length === 0) return fail(`${name} must be a non-empty string`);
      return v;
    };
    return {
      id,
      description: text("description", ""),
      maxInputLength,
      maxTotalLength,
      maxNewTokensLimit,
      defaults,
      presets,
      chatTemplate: text("chatTemplate", "plain"),
      compatibilityKey: text("compatibilityKey", `${id}-${maxTotalLength}-${maxInputLength}-f`),
      charsPerToken: raw.charsPerToken === undefined ? 4 : num(raw, "charsPerToken", (v) => v > 0 && v <= 100, "above 0 and at most 100"),
    };
  });
}

export class ModelCatalog {
  private readonly byId: Map<string, ModelDeclaration>;
  constructor(readonly models: readonly ModelDeclaration[] = DEFAULT_MODELS) {
    this.byId = new Map(models.map((m) => [m.id, m]));
  }
  get(id: string): ModelDeclaration | undefined {
    return this.byId.get(id);
  }
  ids(): string[] {
    return [...this.byId.keys()];
  }
}
