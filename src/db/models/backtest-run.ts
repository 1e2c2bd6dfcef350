import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * A backtest: inputs, metrics and a thinned NAV curve; its trades live in a scratch portfolio. The
 * record is written first with status 'writing' and becomes 'done' after the scratch portfolio is
 * complete, so a process killed in between leaves a record the sweep finds and removes with its rows.
 */
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
    /** 'writing' while the scratch portfolio is being saved; absent on records older than this field. */
    status: { type: String, enum: ['writing', 'done'], default: 'done' },
  },
  { versionKey: false, minimize: false },
);
backtestRunSchema.index({ runId: 1 }, { unique: true });

export type BacktestRunDoc = InferSchemaType<typeof backtestRunSchema>;
export const BacktestRun = model('BacktestRun', backtestRunSchema, 'backtest_runs');
