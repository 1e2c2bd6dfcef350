import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * A version of a portfolio's strategy parameters. Exactly one version per portfolio is active
 * (endDate null). FerretDB has neither transactions nor partial indexes, so "at most one active"
 * is a plain unique index on `activeSlot`: the active version holds the portfolio name there,
 * every other version holds "<portfolio>#<version>". Switching is a short saga (see src/strategy).
 */
const tradingConfigSchema = new Schema(
  {
    portfolio: { type: String, required: true },
    version: { type: Number, required: true },
    params: { type: Schema.Types.Mixed, required: true },
    startDate: { type: String, required: true },
    endDate: { type: String, default: null },
    activeSlot: { type: String, required: true },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    notes: { type: String, default: '' },
    parentVersion: { type: Number, default: null },
    report: { type: String, default: null },
    /** What made the version when a re-run must find it again, e.g. "tuning:2020-03" (one per month). */
    origin: { type: String, default: null },
  },
  { versionKey: false, minimize: false },
);
tradingConfigSchema.index({ portfolio: 1, origin: 1 });
tradingConfigSchema.index({ portfolio: 1, version: 1 }, { unique: true });
tradingConfigSchema.index({ activeSlot: 1 }, { unique: true });

export type TradingConfigDoc = InferSchemaType<typeof tradingConfigSchema>;
export const TradingConfig = model('TradingConfig', tradingConfigSchema, 'trading_configs');

/** The lock-and-intent record of a version switch in progress (one per portfolio). */
const configSwitchSchema = new Schema(
  {
    portfolio: { type: String, required: true },
    toVersion: { type: Number, required: true },
    endDate: { type: String, required: true },
    createdAt: { type: Date, required: true },
    /** The complete new version, written before the first effect so a crash can be rolled forward. */
    doc: { type: Schema.Types.Mixed, default: null },
  },
  { versionKey: false, minimize: false },
);
configSwitchSchema.index({ portfolio: 1 }, { unique: true });
export const ConfigSwitch = model('ConfigSwitch', configSwitchSchema, 'config_switches');
