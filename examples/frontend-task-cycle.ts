/**
 * Frontend teams: the crowdsourcing task cycle with a user token.
 *
 * Your backend holds a trusted API key and mints a short-lived token for the signed-in user (createUserToken);
 * the browser or app then calls Chorus directly as that user: request a task, ack it (binding the id of the post
 * that shows it), submit the work.
 *
 *   CHORUS_API_URL=http://localhost:4000/graphql CHORUS_API_KEY=chk_... node dist/examples/frontend-task-cycle.js [cycles]
 */
import crypto from "node:crypto";
import { ChorusClient, apiUrlFromEnv, requireEnv } from "./lib/chorus.js";
import {
  AckTaskDocument,
  CreateUserTokenDocument,
  RequestTaskDocument,
  SubmitLabelsDocument,
  SubmitRankingDocument,
  SubmitReplyDocument,
  type RequestTaskMutation,
  type TaskRequestType,
} from "../client/generated/graphql.js";

type Task = RequestTaskMutation["requestTask"];

async function main(): Promise<void> {
  const apiUrl = apiUrlFromEnv();
  const cycles = Number(process.argv[2] ?? 1);
  const [authMethod, id] = requireEnv("CHORUS_USER", "local:example-frontend-user").split(/:(.*)/s);
  const taskType = requireEnv("CHORUS_TASK_TYPE", "RANDOM") as TaskRequestType;

  // 1. Your backend (trusted key) mints a token for the user it has signed in.
  const backend = new ChorusClient({ apiUrl, bearer: requireEnv("CHORUS_API_KEY") });
  const { createUserToken } = await backend.request(CreateUserTokenDocument, {
    input: { user: { authMethod, id, displayName: "Example user" }, ttlSeconds: 600 },
  });
  console.log(`user token for ${authMethod}:${id} (user ${createUserToken.user.id}), expires ${createUserToken.expiresAt}`);

  // 2. The frontend calls Chorus with the token only: it names the user, so no user argument or header is needed.
  const frontend = new ChorusClient({ apiUrl, bearer: createUserToken.token });
  for (let cycle = 1; cycle <= cycles; cycle++) {
    const { requestTask: task } = await frontend.request(RequestTaskDocument, { input: { type: taskType, lang: "en" } });
    console.log(`cycle ${cycle}: got ${task.__typename} ${task.id}`);

    // The frontend shows the task in a post of its own and tells Chorus that post's id.
    const frontendMessageId = `post-${crypto.randomUUID()}`;
    await frontend.request(AckTaskDocument, { input: { taskId: task.id, frontendMessageId } });
    console.log(`cycle ${cycle}: acked as ${frontendMessageId}`);

    console.log(`cycle ${cycle}: ${await submit(frontend, task, frontendMessageId, cycle)}`);
  }
}

/** Does the work each kind of task asks for, as a person would through the frontend's form. */
async function submit(frontend: ChorusClient, task: Task, frontendMessageId: string, cycle: number): Promise<string> {
  switch (task.__typename) {
    case "InitialPromptTask":
    case "PrompterReplyTask":
    case "AssistantReplyTask": {
      // A user's identical text within DUPLICATE_MESSAGE_FILTER_WINDOW_MINUTES is refused: real users write new ones.
      const text =
        task.__typename === "InitialPromptTask"
          ? `Example prompt ${cycle} (${new Date().toISOString()}): why is the sky blue?`
          : `Example reply ${cycle} (${new Date().toISOString()}): sunlight scatters off air molecules, blue the most.`;
      const { submitReply } = await frontend.request(SubmitReplyDocument, {
        input: { taskFrontendMessageId: frontendMessageId, userMessageId: `msg-${crypto.randomUUID()}`, text, lang: "en" },
      });
      return `submitted ${task.__typename === "InitialPromptTask" ? "a prompt" : "a reply"}, message ${submitReply.messageId}`;
    }
    case "RankAssistantRepliesTask":
    case "RankPrompterRepliesTask": {
      // A permutation of the replies' indexes, best first.
      const ranking = task.replyMessages.map((_, i) => i);
      await frontend.request(SubmitRankingDocument, { input: { taskFrontendMessageId: frontendMessageId, ranking } });
      return `submitted a ranking of ${ranking.length} replies`;
    }
    case "LabelInitialPromptTask":
    case "LabelAssistantReplyTask":
    case "LabelPrompterReplyTask": {
      // Values 0..1 for every label the task offers: nothing wrong with it (0 for spam and the other flags), good quality.
      const labels = task.validLabels.map((name) => ({ name, value: name === "quality" ? 0.75 : 0 }));
      await frontend.request(SubmitLabelsDocument, { input: { taskId: task.id, messageId: task.messageId, labels } });
      return `submitted ${labels.length} labels for message ${task.messageId}`;
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
