import { Schema, model } from 'mongoose';

/** A company's reference data (`_id` = symbol), kept a week: name, sector, industry, market cap, where from. */
const companySchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, default: null },
    sector: { type: String, default: null },
    industry: { type: String, default: null },
    marketCap: { type: Number, default: null },
    source: { type: String, required: true },
    fetchedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
export const CompanyInfo = model('CompanyInfo', companySchema, 'company_data');
