/**
 * What each error code means to a client: one entry per `ErrorCode` (the type makes a new code without an entry a
 * compile error). docs/errors.md is generated from this table, the OA numbers and the HTTP mapping
 * (`npm run docs:errors`, part of `npm run generate`); a test checks the file is current.
 *
 * `source`: `chorus` codes are raised by Chorus's own code; `apollo` codes by Apollo Server (parsing, validation,
 * persisted queries, the operation name); `reference` codes exist only so every Open-Assistant number has its name:
 * Chorus never raises them (a test checks that no source file does).
 */
import { ErrorCode } from "./errors.js";

export interface ErrorEntry {
  when: string;
  source: "chorus" | "apollo" | "reference";
}

const chorus = (when: string): ErrorEntry => ({ when, source: "chorus" });
const apollo = (when: string): ErrorEntry => ({ when, source: "apollo" });
const reference = (when: string): ErrorEntry => ({ when, source: "reference" });

export const ERROR_CATALOGUE: Record<ErrorCode, ErrorEntry> = {
  [ErrorCode.UNAUTHENTICATED]: chorus(
    'No, unknown, revoked, rotated or expired key or token, or a token ended by "logout everywhere"; also an anonymous caller asking for anything but introspection and public operations. A websocket is closed with 4401.',
  ),
  [ErrorCode.FORBIDDEN]: chorus(
    "The caller's role, kind (a worker key) or trust does not allow the operation, or the change would reach another client's data.",
  ),
  [ErrorCode.BAD_USER_INPUT]: chorus(
    "Invalid arguments or headers (a malformed `x-chorus-user`, an over-long name, a value out of range); `extensions.fields` lists what failed. Nothing is changed.",
  ),
  [ErrorCode.GRAPHQL_PARSE_FAILED]: apollo("The document does not parse."),
  [ErrorCode.GRAPHQL_VALIDATION_FAILED]: apollo("The document does not fit the schema (an unknown field, a wrong argument type)."),
  [ErrorCode.PERSISTED_QUERY_NOT_FOUND]: apollo("An automatic persisted query's hash the server does not know yet: send the query with it."),
  [ErrorCode.OPERATION_RESOLUTION_FAILURE]: apollo("`operationName` names no operation of the document, or the document holds several and none is named."),
  [ErrorCode.BAD_REQUEST]: chorus(
    "The request body is not valid JSON, or the request is not a GraphQL request Apollo accepts (for example a mutation over GET).",
  ),
  [ErrorCode.INTERNAL_SERVER_ERROR]: chorus("Anything unexpected; the message says only `extensions.requestId`, which finds the failure in the server's logs."),
  [ErrorCode.NOT_FOUND]: chorus("No such object (or one the caller may not see)."),
  [ErrorCode.RATE_LIMITED]: chorus(
    "Too many requests of one kind (task requests, generations, chats, reports); `extensions.retryAfterSeconds` says when to retry, `extensions.limit` which limit.",
  ),
  [ErrorCode.QUEUE_FULL]: chorus("The model's generation queue holds `CHAT_MAX_QUEUE_SIZE` waiting generations; nothing was stored."),
  [ErrorCode.QUERY_TOO_DEEP]: chorus("The selection is deeper than `MAX_QUERY_DEPTH`."),
  [ErrorCode.QUERY_TOO_COMPLEX]: chorus("The operation costs more than `MAX_QUERY_COMPLEXITY`."),
  [ErrorCode.PAYLOAD_TOO_LARGE]: chorus("The body (or a websocket message) is larger than `MAX_BODY_BYTES`."),
  [ErrorCode.SERVICE_UNAVAILABLE]: chorus(
    "The server is starting, or its database (or Redis, for generations) is unreachable, or every database connection is in use: retry after `extensions.retryAfterSeconds` (the `Retry-After` header when refused before execution); a retried submission that had been stored is answered as a replay.",
  ),
  [ErrorCode.QUERY_TOO_LARGE]: chorus("The document (the `query` text) is longer than `MAX_DOCUMENT_BYTES`; refused before parsing."),
  [ErrorCode.RESPONSE_TOO_LARGE]: chorus(
    "The result (or a subscription event) is larger than `MAX_RESPONSE_BYTES`; `extensions.maxResponseBytes`. Ask for fewer fields or smaller pages.",
  ),
  [ErrorCode.TOO_MANY_OPERATIONS]: chorus("The websocket already runs `MAX_OPERATIONS_PER_SOCKET` operations and subscriptions at once."),
  [ErrorCode.QUERY_TIMEOUT]: chorus("A statement of the operation ran longer than `OPERATION_STATEMENT_TIMEOUT_MS`."),
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: chorus("The body's charset or content encoding is not supported: send UTF-8 JSON."),
  [ErrorCode.CONFLICT]: chorus("The object changed meanwhile (an answer already continued, a report already resolved): read it again."),
  [ErrorCode.TOKEN_QUOTA_EXCEEDED]: chorus("The user's chat token quota is used up; `extensions.resetsAt` and `retryAfterSeconds` say when it frees."),
  [ErrorCode.API_CLIENT_NOT_AUTHORIZED]: reference("The reference's refusal of an API client (Chorus answers UNAUTHENTICATED or FORBIDDEN)."),
  [ErrorCode.SORT_KEY_UNSUPPORTED]: reference("The reference's unknown sort key (Chorus's sort keys are enums, checked by validation)."),
  [ErrorCode.INVALID_CURSOR_VALUE]: chorus("A paging cursor (`after`, `before`) that this list did not hand out."),
  [ErrorCode.TOO_MANY_REQUESTS]: reference("The reference's rate limit (Chorus answers RATE_LIMITED, with the same number 429)."),
  [ErrorCode.TASK_INVALID_REQUEST_TYPE]: reference("The reference's unknown task type (Chorus's task types are an enum, checked by validation)."),
  [ErrorCode.TASK_ACK_FAILED]: reference("The reference's failed acknowledgement (Chorus answers with the precise task error)."),
  [ErrorCode.TASK_NACK_FAILED]: reference("The reference's failed skip (Chorus answers with the precise task error)."),
  [ErrorCode.TASK_INVALID_RESPONSE_TYPE]: reference("The reference's wrong interaction type (Chorus has one mutation per kind of answer)."),
  [ErrorCode.TASK_INTERACTION_REQUEST_FAILED]: reference("The reference's generic interaction failure."),
  [ErrorCode.TASK_GENERATION_FAILED]: reference("The reference's failure to build a task."),
  [ErrorCode.TASK_REQUESTED_TYPE_NOT_AVAILABLE]: chorus("No task of the requested type can be handed out to this user right now."),
  [ErrorCode.TASK_AVAILABILITY_QUERY_FAILED]: reference("The reference's failure to count available tasks."),
  [ErrorCode.TASK_MESSAGE_TOO_LONG]: chorus("A reply longer than `MESSAGE_SIZE_LIMIT` characters."),
  [ErrorCode.TASK_MESSAGE_DUPLICATED]: chorus("The user sent the same text within `DUPLICATE_MESSAGE_FILTER_WINDOW_MINUTES`."),
  [ErrorCode.TASK_MESSAGE_TEXT_EMPTY]: chorus("An empty (or blank) reply."),
  [ErrorCode.TASK_MESSAGE_DUPLICATE_REPLY]: chorus("The user already replied to this message."),
  [ErrorCode.TASK_TOO_MANY_PENDING]: chorus("The user holds `TREE_MANAGER__MAX_PENDING_TASKS_PER_USER` tasks not yet done."),
  [ErrorCode.INVALID_FRONTEND_MESSAGE_ID]: chorus("A frontend message id that is empty or already bound to another task."),
  [ErrorCode.MESSAGE_NOT_FOUND]: chorus("No such message (or one the caller may not see)."),
  [ErrorCode.RATING_OUT_OF_RANGE]: reference("The reference's rating out of range (Chorus checks label values with INVALID_LABEL and BAD_USER_INPUT)."),
  [ErrorCode.INVALID_RANKING_VALUE]: chorus("A ranking that is not a permutation of the replies it ranks."),
  [ErrorCode.INVALID_TASK_TYPE]: reference("The reference's unknown task type in a submission."),
  [ErrorCode.NO_MESSAGE_TREE_FOUND]: chorus("The message's tree has no state (no such tree)."),
  [ErrorCode.NO_REPLIES_FOUND]: reference("The reference's ranking task without replies (Chorus never hands one out)."),
  [ErrorCode.INVALID_MESSAGE]: reference("The reference's malformed message."),
  [ErrorCode.BROKEN_CONVERSATION]: chorus("The conversation above a message is inconsistent in the database (a missing ancestor or root)."),
  [ErrorCode.TREE_IN_ABORTED_STATE]: chorus("The parent's tree is no longer growing (aborted, halted or gone) and takes no more replies."),
  [ErrorCode.CORRUPT_RANKING_RESULT]: chorus("A ranked reply is no longer a reply to the ranked message."),
  [ErrorCode.AUTH_AND_USERNAME_REQUIRED]: reference(
    "The reference's user lookup without auth method and username (Chorus's arguments are required by the schema).",
  ),
  [ErrorCode.TEXT_LABELS_WRONG_MESSAGE_ID]: chorus("Labels submitted for another message than the task's."),
  [ErrorCode.INVALID_LABEL]: chorus("A label that is not valid for this message or task, or a value out of its range."),
  [ErrorCode.MANDATORY_LABEL_MISSING]: chorus("A label the task requires (such as `spam`) is missing."),
  [ErrorCode.NO_SELF_LABELING]: chorus("Users may not review their own messages (unless `DEBUG_ALLOW_SELF_LABELING`)."),
  [ErrorCode.TASK_NOT_FOUND]: chorus("No such task (or not this client's)."),
  [ErrorCode.TASK_EXPIRED]: chorus("The task is older than `TASK_VALIDITY_MINUTES`."),
  [ErrorCode.TASK_PAYLOAD_TYPE_MISMATCH]: chorus("The submission does not fit the task's type (a ranking for a reply task)."),
  [ErrorCode.TASK_ALREADY_UPDATED]: chorus("The task was already acknowledged or done."),
  [ErrorCode.TASK_NOT_ACK]: chorus("The task must be acknowledged (`ackTask`) before it is answered."),
  [ErrorCode.TASK_ALREADY_DONE]: chorus("The task was already answered (a retry of the same answer is a replay, not this error)."),
  [ErrorCode.TASK_NOT_ASSIGNED_TO_USER]: chorus("The task was handed to another user."),
  [ErrorCode.TASK_UNEXPECTED_PAYLOAD_TYPE]: reference("The reference's unexpected payload in a stored task."),
  [ErrorCode.USER_NOT_SPECIFIED]: chorus("The operation acts for a user: pass `user` or the `x-chorus-user` header."),
  [ErrorCode.USER_DISABLED]: chorus("The acting user is disabled, deleted or banned; refused before anything runs. A websocket is closed with 4403."),
  [ErrorCode.USER_NOT_FOUND]: chorus("No such user (an exact lookup never creates one)."),
  [ErrorCode.USER_HAS_NOT_ACCEPTED_TOS]: chorus("`ENFORCE_TOS` is on and the user has not accepted the terms."),
  [ErrorCode.EMOJI_OP_UNSUPPORTED]: reference("The reference's unknown emoji operation (Chorus's operations are an enum)."),
  [ErrorCode.CACHED_STATS_NOT_AVAILABLE]: chorus("The cached stats have not been computed yet."),
};
