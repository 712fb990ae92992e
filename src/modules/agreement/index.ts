/** Annotator-agreement statistics (pure functions): Krippendorff's alpha and Kendall's W. */
export * from "./krippendorff.js";
export * from "./kendall-w.js";
