import { Schema, model, type InferSchemaType } from 'mongoose';

/** A finished backtest: inputs, metrics and a thinned NAV curve; its trades live in a scratch portfolio. */
const backtestRunSchema = new Schema(
  {
    runId: { type: String, required: true },
    portfolio: { type: String, required: true },
    from: { type: String, required: true },
    to: { type: String, required: true },
    configVersion: { type: Number, required: true },
    symbols: { type: [String], required: true },
    metrics: { type: Schema.Types.Mixed, required: true },
    curve: { type: Schema.Types.Mixed, required: true },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
backtestRunSchema.index({ runId: 1 }, { unique: true });

export type BacktestRunDoc = InferSchemaType<typeof backtestRunSchema>;
export const BacktestRun = model('BacktestRun', backtestRunSchema, 'backtest_runs');
