/**
 * How many reviews a label of a `text_labels` row stands for, as SQL (migration ImportLabelCounts): a restore
 * writes one row per labelled message carrying each label's average and its review count in `label_counts`; a
 * live row has no counts, and each of its labels is one review. Every reader that averages or counts labels
 * weighs them by this, so a restored message reads as the reviews it stands for would.
 *
 * `alias` is the row's table alias, `name` an SQL expression for the label's name (a quoted literal or a column).
 */
export const labelWeightSql = (alias: string, name: string): string => `coalesce((${alias}.label_counts->>${name})::int, 1)`;
