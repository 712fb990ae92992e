/**
 * The one mapping from a message's language to the PostgreSQL text-search configuration of its search vector:
 * `searchConfigFor` for one message, `searchConfigSql` for statements that index many rows at once (migrations,
 * set-based imports), and the same mapping reads queries. Messages and queries must use the same configuration
 * to match ("jumping" is stemmed to "jump" only by `english`).
 */

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

/** The primary subtag of a language tag in SQL, as `searchConfigFor` reads it (`pt_BR` → `pt`). */
function primarySubtagSql(langSql: string): string {
  return `lower(split_part(translate(${langSql}, '_', '-'), '-', 1))`;
}

/**
 * The same mapping as `searchConfigFor`, as a SQL expression of type regconfig over a language column or
 * parameter, for statements that index many messages at once (`to_tsvector(${searchConfigSql("m.lang", configs)}, m.text)`).
 * Only configurations in `available` are named, so the expression never refers to one the server lacks.
 */
export function searchConfigSql(langSql: string, available: ReadonlySet<string>): string {
  const branches = Object.entries(CONFIG_BY_LANG)
    .filter(([, config]) => available.has(config))
    .map(([lang, config]) => `WHEN '${lang}' THEN '${config}'::regconfig`);
  if (branches.length === 0) return `'simple'::regconfig`;
  return `(CASE ${primarySubtagSql(langSql)} ${branches.join(" ")} ELSE 'simple'::regconfig END)`;
}

/** Every configuration a query without a language is parsed with: one per mapped language the server has, and `simple`. */
export function searchConfigsInUse(available: ReadonlySet<string>): string[] {
  return [...new Set(["simple", ...Object.values(CONFIG_BY_LANG)])].filter((c) => c === "simple" || available.has(c));
}

/** Something that runs SQL: a DataSource, an EntityManager or a QueryRunner. */
interface Queryable {
  query(sql: string): Promise<unknown>;
}

const configsByDatabase = new WeakMap<object, Promise<Set<string>>>();

/** The text-search configurations this PostgreSQL server has (older ones lack some), read once per data source. */
export function availableSearchConfigs(db: Queryable): Promise<Set<string>> {
  let configs = configsByDatabase.get(db);
  if (!configs) {
    configs = (db.query(`SELECT cfgname FROM pg_ts_config`) as Promise<{ cfgname: string }[]>).then((rows) => new Set(rows.map((r) => r.cfgname)));
    configs.catch(() => configsByDatabase.delete(db));
    configsByDatabase.set(db, configs);
  }
  return configs;
}

/**
 * The condition "message `m` matches `tsquerySql`" (a query read with `m`'s own configuration). A message whose
 * vector is not built yet (null: imported, waiting for the `search-vectors` job) is matched on its text, made into
 * a vector here the way the job will make it; the partial index `ix_message_search_pending` finds those rows, so
 * a search stays as right during the backfill as after it, and as fast once it is done.
 */
export function searchMatchSql(tsquerySql: string, available: ReadonlySet<string>): string {
  return `(m.search_vector @@ ${tsquerySql} OR (m.search_vector IS NULL AND to_tsvector(${searchConfigSql("m.lang", available)}, m.text) @@ ${tsquerySql}))`;
}
