import { Arg, Authorized, Ctx, Field, Float, ID, Int, ObjectType, Query, Resolver } from "type-graphql";
import type { Context } from "../../server/context.js";
import { Role } from "../users/role.js";

@ObjectType({ description: "Krippendorff's alpha for one label over the task-based reviews." })
export class LabelAgreement {
  @Field({ description: "The label." }) label: string;
  @Field({ description: "nominal for yes/no and flag labels, interval for likert labels." }) metric: string;
  @Field(() => Float, { nullable: true, description: "Alpha; null when undefined (no pairable values or a single value)." }) alpha: number | null;
  @Field(() => Int, { description: "Messages with at least two reviews of this label." }) items: number;
  @Field(() => Int, { description: "Distinct reviewers." }) raters: number;
  @Field(() => Int, { description: "Values that could be paired." }) pairableValues: number;
  @Field(() => Float, { nullable: true, description: "Observed disagreement D_o." }) observedDisagreement: number | null;
  @Field(() => Float, { nullable: true, description: "Expected disagreement D_e." }) expectedDisagreement: number | null;
}

@ObjectType({ description: "Kendall's W of the rankings of one parent's replies." })
export class ParentRankingAgreement {
  @Field(() => ID, { description: "The ranking parent." }) parentId: string;
  @Field(() => Float, { nullable: true, description: "W with the tie correction; null when undefined." }) w: number | null;
  @Field(() => Int, { description: "Rankings." }) raters: number;
  @Field(() => Int, { description: "Replies every ranking ranked." }) items: number;
}

@ObjectType({ description: "Kendall's W per parent and averaged over parents." })
export class RankingAgreement {
  @Field(() => Float, { nullable: true, description: "Mean W over the parents where it is defined." }) meanW: number | null;
  @Field(() => Int, { description: "Parents in the mean." }) parents: number;
  @Field(() => Int, { description: "Parents left out (one ranking, or fewer than two shared replies)." }) parentsSkipped: number;
  @Field(() => Int, { description: "Rankings read." }) rankings: number;
  @Field(() => [ParentRankingAgreement], { description: "Each parent." }) perParent: ParentRankingAgreement[];
}

@Resolver()
export class AgreementResolver {
  @Authorized(Role.MODERATOR)
  @Query(() => LabelAgreement, {
    description: "Whether reviewers agree on a label (Krippendorff's alpha). MODERATOR; an untrusted client: reviews of its own messages only.",
  })
  labelAgreement(
    @Arg("label", { description: "A label name, e.g. spam or quality." }) label: string,
    @Arg("lang", () => String, { nullable: true, description: "Only messages in this language." }) lang: string | null,
    @Arg("since", () => Date, { nullable: true, description: "Only reviews since." }) since: Date | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.app.agreement.labelAgreement(ctx.request(), lang, label, since);
  }

  @Authorized(Role.MODERATOR)
  @Query(() => RankingAgreement, {
    description: "Whether rankers agree (Kendall's W per parent, averaged). MODERATOR; an untrusted client: rankings under its own messages only.",
  })
  rankingAgreement(
    @Arg("lang", () => String, { nullable: true, description: "Only parents in this language." }) lang: string | null,
    @Arg("since", () => Date, { nullable: true, description: "Only rankings since." }) since: Date | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.app.agreement.rankingAgreement(ctx.request(), lang, since);
  }
}
