/**
 * Battles as JSONL in the layout of FastChat's published arena data (clean_battle_conv / chatbot_arena_conversations),
 * so notebooks written for that data run on ours unchanged: question_id, model_a, model_b, winner (model_a,
 * model_b, tie, "tie (bothbad)"), judge, conversation_a/b ([{role, content}]), turn, anony, language, tstamp.
 * Ids go through the tree export's anonymiser when a seed is given. Import reads the same layout back.
 */
import type { DataSource } from "typeorm";
import { Anonymizer } from "../datasets/format.js";
import type { LineWriter } from "../datasets/jsonl-stream.js";
import { readLines } from "../datasets/jsonl-stream.js";
import { uuid7 } from "../../db/uuid7.js";
import { rowsOf } from "../../db/rows.js";

export type FastChatWinner = "model_a" | "model_b" | "tie" | "tie (bothbad)";

export interface FastChatTurn {
  role: "user" | "assistant";
  content: string;
}

export interface FastChatBattle {
  question_id: string;
  model_a: string;
  model_b: string;
  winner: FastChatWinner;
  judge: string;
  conversation_a: FastChatTurn[];
  conversation_b: FastChatTurn[];
  turn: number;
  anony: boolean;
  language: string;
  tstamp: number;
}

const TO_FASTCHAT: Record<string, FastChatWinner> = { A: "model_a", B: "model_b", TIE: "tie", BOTH_BAD: "tie (bothbad)" };
const FROM_FASTCHAT: Record<string, string> = { model_a: "A", model_b: "B", tie: "TIE", "tie (bothbad)": "BOTH_BAD" };

export interface BattleExportOptions {
  anonymizerSeed: string | null;
  /** Also battles whose vote does not count (anony is false when the voter saw the models first). */
  all: boolean;
}

/** FastChat names languages in English ("English", "German"); a code we cannot name is kept as it is. */
export function languageName(lang: string | null): string {
  if (!lang) return "unknown";
  try {
    return new Intl.DisplayNames(["en"], { type: "language" }).of(lang) ?? lang;
  } catch {
    return lang;
  }
}

interface BattleRow {
  id: string;
  user_id: string | null;
  model_a: string;
  model_b: string;
  winner: string;
  lang: string | null;
  language: string | null;
  question_id: string | null;
  judge: string | null;
  anony: boolean;
  identities_seen_at: Date | null;
  answers_a: string[];
  answers_b: string[];
  conversation_a: FastChatTurn[] | null;
  conversation_b: FastChatTurn[] | null;
  voted_at: Date;
}

/** Voted battles, oldest vote first, a page at a time; chats whose owner refused data use are left out. */
export async function exportBattles(ds: DataSource, writer: LineWriter, opts: BattleExportOptions): Promise<number> {
  const anon = opts.anonymizerSeed === null ? null : new Anonymizer(opts.anonymizerSeed);
  let after = "00000000-0000-0000-0000-000000000000";
  let count = 0;
  for (;;) {
    const rows = rowsOf<BattleRow>(
      await ds.query(
        `SELECT b.id, b.user_id, b.model_a, b.model_b, b.winner, b.lang, b.language, b.question_id, b.judge, b.anony, b.identities_seen_at,
                b.answers_a::text[] AS answers_a, b.answers_b::text[] AS answers_b, b.conversation_a, b.conversation_b, b.voted_at
           FROM arena_battle b LEFT JOIN chat c ON c.id = b.chat_id
          WHERE b.winner IS NOT NULL AND b.id > $1 AND (b.chat_id IS NULL OR c.allow_data_use) AND ($2 OR b.counted)
          ORDER BY b.id LIMIT 500`,
        [after, opts.all],
      ),
    );
    if (rows.length === 0) return count;
    const answerIds = rows.flatMap((r) => [...r.answers_a, ...r.answers_b]);
    const messages = new Map(
      rowsOf<{ id: string; text: string; prompt: string }>(
        await ds.query(`SELECT a.id, a.text, p.text AS prompt FROM chat_message a JOIN chat_message p ON p.id = a.parent_id WHERE a.id = ANY($1::uuid[])`, [
          answerIds,
        ]),
      ).map((m) => [m.id, m]),
    );
    const conversation = (ids: string[]): FastChatTurn[] =>
      ids.flatMap((id) => {
        const m = messages.get(id);
        return m
          ? [
              { role: "user" as const, content: m.prompt },
              { role: "assistant" as const, content: m.text },
            ]
          : [];
      });
    for (const r of rows) {
      const imported = r.question_id !== null;
      const a = imported ? (r.conversation_a ?? []) : conversation(r.answers_a);
      const b = imported ? (r.conversation_b ?? []) : conversation(r.answers_b);
      const row: FastChatBattle = {
        question_id: imported ? r.question_id! : anon ? anon.anonymize("arena_battle", r.id) : r.id,
        model_a: r.model_a,
        model_b: r.model_b,
        winner: TO_FASTCHAT[r.winner],
        judge: imported ? (r.judge ?? "") : anon ? anon.anonymize("user", r.user_id ?? "") : (r.user_id ?? ""),
        conversation_a: a,
        conversation_b: b,
        turn: a.filter((t) => t.role === "user").length,
        anony: imported ? r.anony : r.identities_seen_at === null,
        language: imported ? (r.language ?? "unknown") : languageName(r.lang),
        tstamp: new Date(r.voted_at).getTime() / 1000,
      };
      await writer.write(JSON.stringify(row));
      count++;
    }
    after = rows[rows.length - 1].id;
  }
}

/** A line's battle, or why it is refused. */
export function parseBattleLine(text: string): FastChatBattle | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) return "not a JSON object";
  const o = v as Record<string, unknown>;
  const str = (k: string, max: number) =>
    typeof o[k] === "string" && (o[k] as string).length > 0 && (o[k] as string).length <= max ? null : `${k} must be a string of 1 to ${max} characters`;
  const problem =
    str("question_id", 256) ??
    str("model_a", 128) ??
    str("model_b", 128) ??
    (typeof o.winner === "string" && o.winner in FROM_FASTCHAT ? null : `winner must be one of ${Object.keys(FROM_FASTCHAT).join(", ")}`) ??
    (typeof o.judge === "string" && o.judge.length <= 256 ? null : "judge must be a string of at most 256 characters") ??
    (typeof o.anony === "boolean" ? null : "anony must be true or false") ??
    (typeof o.tstamp === "number" && Number.isFinite(o.tstamp) && o.tstamp >= 0 ? null : "tstamp must be a non-negative number (seconds since 1970)") ??
    (o.language === undefined || (typeof o.language === "string" && o.language.length <= 64) ? null : "language must be a string of at most 64 characters") ??
    conversationProblem(o.conversation_a, "conversation_a") ??
    conversationProblem(o.conversation_b, "conversation_b") ??
    (o.model_a === o.model_b ? "model_a and model_b must differ" : null);
  if (problem) return problem;
  return {
    question_id: o.question_id as string,
    model_a: o.model_a as string,
    model_b: o.model_b as string,
    winner: o.winner as FastChatWinner,
    judge: o.judge as string,
    conversation_a: (o.conversation_a as FastChatTurn[]).map((t) => ({ role: t.role, content: t.content })),
    conversation_b: (o.conversation_b as FastChatTurn[]).map((t) => ({ role: t.role, content: t.content })),
    turn: (o.conversation_a as FastChatTurn[]).filter((t) => t.role === "user").length,
    anony: o.anony as boolean,
    language: (o.language as string | undefined) ?? "unknown",
    tstamp: o.tstamp as number,
  };
}

function conversationProblem(v: unknown, name: string): string | null {
  if (!Array.isArray(v) || v.length === 0) return `${name} must be a non-empty list of {role, content}`;
  for (const t of v) {
    if (!t || typeof t !== "object" || !["user", "assistant"].includes((t as FastChatTurn).role) || typeof (t as FastChatTurn).content !== "string") {
      return `${name} must hold {role: "user" | "assistant", content: string} turns`;
    }
  }
  return null;
}

export interface BattleImportSummary {
  imported: number;
  alreadyPresent: number;
  problems: { line: number; reason: string }[];
}

/**
 * Imports battles; one already there (same question_id, or a battle of ours exported without anonymiser) is
 * skipped, so importing a file twice adds nothing. Non-anonymous battles are kept but do not count (FastChat's
 * leaderboard uses anonymous battles only).
 */
export async function importBattles(ds: DataSource, file: string): Promise<BattleImportSummary> {
  const summary: BattleImportSummary = { imported: 0, alreadyPresent: 0, problems: [] };
  for await (const line of readLines(file)) {
    if ("problem" in line) {
      summary.problems.push({ line: line.number, reason: line.problem });
      continue;
    }
    if (line.text.trim() === "") continue;
    const b = parseBattleLine(line.text);
    if (typeof b === "string") {
      summary.problems.push({ line: line.number, reason: b });
      continue;
    }
    const rows = rowsOf<{ id: string }>(
      await ds.query(
        `INSERT INTO arena_battle (id, chat_id, user_id, model_a, model_b, source, winner, voted_at, counted, not_counted_reason, question_id, judge, language, anony,
                                   conversation_a, conversation_b)
         SELECT $1, NULL, NULL, $2, $3, 'IMPORT', $4, to_timestamp($5), $6, $7, $8::varchar, $9, $10, $6, $11, $12
          WHERE NOT EXISTS (SELECT 1 FROM arena_battle WHERE id::text = $8::varchar)
         ON CONFLICT (question_id) DO NOTHING RETURNING id`,
        [
          uuid7(),
          b.model_a,
          b.model_b,
          FROM_FASTCHAT[b.winner],
          b.tstamp,
          b.anony,
          b.anony ? null : "NOT_ANONYMOUS",
          b.question_id,
          b.judge,
          b.language,
          JSON.stringify(b.conversation_a),
          JSON.stringify(b.conversation_b),
        ],
      ),
    );
    if (rows.length) summary.imported++;
    else summary.alreadyPresent++;
  }
  return summary;
}
