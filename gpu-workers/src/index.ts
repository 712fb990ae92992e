/**
 * @chorus/gpu-workers: model backends for Chorus GPU workers, and the tiny model every offline test and a fresh
 * `npm start` run on.
 */
export * from "./backends/index.js";
export { SeededRandom } from "./random.js";
export { modelsDir, packageRoot, tinyModelDir } from "./paths.js";
export {
  DEFAULT_TINY_MODEL_OPTIONS,
  ensureTinyModel,
  type TinyModelOptions,
  type WriteResult,
} from "../scripts/tiny-model/index.js";
