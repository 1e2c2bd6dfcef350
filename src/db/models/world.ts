import { Schema, model } from 'mongoose';

/** The world board of a New York date (src/world), read by `_id` (the date): /world, the morning briefs. */
const worldDaySchema = new Schema({ _id: { type: String, required: true }, board: { type: Schema.Types.Mixed, required: true }, at: { type: Date, required: true } }, { versionKey: false, minimize: false });
export const WorldDay = model('WorldDay', worldDaySchema, 'world_days');
