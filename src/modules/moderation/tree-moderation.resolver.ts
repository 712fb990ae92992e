import { Arg, Authorized, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from "type-graphql";
import type { Context } from "../../server/context.js";
import { Role } from "../users/role.js";
import { Requirement } from "../../server/auth.js";
import { MessageTreeStateNode } from "../trees/message.types.js";
import { TreeState } from "../trees/message-tree-state.entity.js";
import { ChorusError, ErrorCode } from "../../server/errors.js";

@InputType({ description: "Halt a tree, or resume it." })
export class SetTreeHaltedInput {
  @Field(() => ID, { description: "Any message of the tree." })
  messageId: string;

  @Field({ description: "true halts (halted_by_moderator); false resumes where the tree belongs." })
  halt: boolean;
}

@ObjectType({ description: "A tree whose scoring was retried, and where it ended." })
export class RetriedTree {
  @Field(() => ID, { description: "The tree." })
  treeId: string;

  @Field(() => TreeState, { description: "Its state after the retry." })
  state: TreeState;
}

@Resolver()
export class TreeModerationResolver {
  @Authorized(Role.MODERATOR)
  @Mutation(() => MessageTreeStateNode, { description: "Halts a tree or resumes it (spec T8/T9). MODERATOR; journaled." })
  async setTreeHalted(@Arg("input", () => SetTreeHaltedInput) input: SetTreeHaltedInput, @Ctx() ctx: Context): Promise<MessageTreeStateNode> {
    const treeId = await ctx.app.treeModeration.setHalted(ctx.request(), input.messageId, input.halt);
    const [state] = await ctx.app.messages.treeStates([treeId]);
    if (!state) throw new ChorusError(ErrorCode.NO_MESSAGE_TREE_FOUND, "The tree has no state");
    return state;
  }

  @Authorized(Requirement.SYSTEM_ADMIN)
  @Mutation(() => [RetriedTree], { description: "Scores every tree whose scoring failed again (spec T7). ADMIN of a trusted client; journaled." })
  async retryScoring(@Ctx() ctx: Context): Promise<RetriedTree[]> {
    return ctx.app.treeModeration.retryScoring(ctx.request());
  }
}
