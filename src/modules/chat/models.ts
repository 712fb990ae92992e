/**
 * The models chat clients may pick. A model id is also the name of its generation queue: only workers that
 * announce the id take its jobs.
 */
export interface ModelDefaults {
  maxNewTokens: number;
  temperature: number;
  topP: number;
  topK: number | null;
  repetitionPenalty: number | null;
}

export interface ModelDeclaration {
  id: string;
  description: string;
  /** Longest prompt the model accepts, in tokens; workers cut older turns to fit (system prompt kept). */
  maxInputLength: number;
  /** Prompt plus answer, in tokens. */
  maxTotalLength: number;
  /** The most a request may ask for with maxNewTokens. */
  maxNewTokensLimit: number;
  defaults: ModelDefaults;
}

/**
 * The declared models: the tiny deterministic model of gpu-workers (real inference, offline) and the synthetic
 * model (lorem words at a fixed rate, like the reference's `_lorem`), which the in-process worker of local mode
 * serves.
 */
export const DEFAULT_MODELS: readonly ModelDeclaration[] = [
  {
    id: "chorus-tiny",
    description: "A tiny randomly initialised GPT-2 (gpu-workers/scripts/tiny-model): real inference, offline, deterministic text.",
    maxInputLength: 512,
    maxTotalLength: 1024,
    maxNewTokensLimit: 512,
    defaults: { maxNewTokens: 128, temperature: 0.75, topP: 0.95, topK: 50, repetitionPenalty: 1.2 },
  },
  {
    id: "synthetic",
    description: "Deterministic lorem-ipsum words at a fixed rate, for trying the API and for load tests.",
    maxInputLength: 1024,
    maxTotalLength: 2048,
    maxNewTokensLimit: 1024,
    defaults: { maxNewTokens: 64, temperature: 0.75, topP: 0.95, topK: 50, repetitionPenalty: 1.2 },
  },
];

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
