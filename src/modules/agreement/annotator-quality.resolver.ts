import { Arg, Authorized, Ctx, Field, FieldResolver, Float, ID, Int, ObjectType, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../server/context.js";
import { Role } from "../users/role.js";
import { notFound } from "../../common/errors.js";
import { TrollScore } from "../stats/stats.types.js";

@ObjectType({
  description:
    "How reliable an annotator is: agreement with the consensus they contributed to (leave-one-out for rankings), how much they did and how fast (docs/arena.md, Annotator quality).",
})
export class AnnotatorQuality {
  @Field(() => ID, { description: "The annotator." }) userId: string;
  @Field(() => Float, {
    nullable: true,
    description:
      "Mean Kendall τ (−1 to 1) between each of their rankings and the ranked-pairs merge of the other rankings of the same replies; null when none can be compared.",
  })
  rankingAgreement: number | null;
  @Field(() => Int, { description: "Their rankings that had others to compare with." }) rankingsCompared: number;
  @Field(() => Float, {
    nullable: true,
    description: "Mean of 1 − |their value − the other reviewers' mean| (0 to 1) over their label values that others also gave; null when none.",
  })
  labelAgreement: number | null;
  @Field(() => Int, { description: "Their label values that had others to compare with." }) labelsCompared: number;
  @Field(() => Int, { description: "Done tasks (rankings, label reviews, replies)." }) tasksDone: number;
  @Field(() => Int, { description: "Done ranking tasks." }) rankings: number;
  @Field(() => Int, { description: "Done label reviews." }) labelReviews: number;
  @Field(() => Int, { description: "Done reply tasks." }) replies: number;
  @Field(() => Float, { nullable: true, description: "Median seconds from a task's hand-out to its submission." }) medianSecondsPerTask: number | null;
}

@Resolver()
export class AnnotatorQualityResolver {
  @Authorized(Role.MODERATOR)
  @Query(() => AnnotatorQuality, {
    description: "One annotator's quality signals. MODERATOR; an untrusted client: its own users only (agreement is measured against everyone's work).",
  })
  async annotatorQuality(@Arg("userId", () => ID, { description: "The annotator." }) userId: string, @Ctx() ctx: Context): Promise<AnnotatorQuality> {
    if (!(await ctx.loaders.userById.load(userId).catch(() => null))) throw notFound("User", userId);
    return ctx.loaders.annotatorQuality.load(userId);
  }
}

@Resolver(() => TrollScore)
export class TrollScoreQualityResolver {
  @FieldResolver(() => AnnotatorQuality, { description: "The author's annotator quality signals (how reliable their reviews and rankings are)." })
  async annotatorQuality(@Root() row: TrollScore, @Ctx() ctx: Context): Promise<AnnotatorQuality> {
    return ctx.loaders.annotatorQuality.load(row.userId);
  }
}
