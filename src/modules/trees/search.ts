/** PostgreSQL text-search configurations per language (spec §9.2); every other language uses `simple`. */
const CONFIG_BY_LANG: Record<string, string> = {
  ar: "arabic",
  hy: "armenian",
  eu: "basque",
  ca: "catalan",
  da: "danish",
  nl: "dutch",
  en: "english",
  fi: "finnish",
  fr: "french",
  de: "german",
  el: "greek",
  ga: "irish",
  hi: "hindi",
  hu: "hungarian",
  id: "indonesian",
  it: "italian",
  lt: "lithuanian",
  ne: "nepali",
  no: "norwegian",
  pt: "portuguese",
  ro: "romanian",
  ru: "russian",
  sr: "serbian",
  ta: "tamil",
  es: "spanish",
  sv: "swedish",
  tr: "turkish",
  yi: "yiddish",
};

/**
 * The configuration for a BCP-47 tag (`pt-BR` → portuguese). Configurations a given PostgreSQL lacks (older
 * servers have no armenian, basque, ...) fall back to `simple` through `available`.
 */
export function searchConfigFor(lang: string | null | undefined, available?: ReadonlySet<string>): string {
  const primary = (lang ?? "").toLowerCase().split(/[-_]/)[0];
  const config = CONFIG_BY_LANG[primary] ?? "simple";
  if (available && !available.has(config)) return "simple";
  return config;
}
