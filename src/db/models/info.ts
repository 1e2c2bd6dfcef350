import { Schema, model } from 'mongoose';

/**
 * The information layer's storage (src/info). Every frequent read is an `_id` lookup: an article by its key, a
 * symbol's articles of a day by "<symbol>|<date>", a day's earnings or economic events by date, a symbol's
 * earnings dates by symbol. Articles and URL claims are unique inserts (stored once, whichever process); index
 * documents have one writer at a time (the info-writer lease, info-store.ts). Pruned after NEWS_KEEP_DAYS.
 */
const articleSchema = new Schema(
  {
    _id: { type: String, required: true },
    provider: { type: String, required: true },
    title: { type: String, required: true },
    summary: { type: String, default: '' },
    url: { type: String, required: true },
    publishedAt: { type: Date, required: true },
    /** New York date of publishedAt. */
    day: { type: String, required: true },
    source: { type: String, required: true },
    tickers: { type: [String], default: [] },
    /** Per ticker: { ticker, label, reasoning, score } (an array: a ticker such as BF.B is no field name). */
    sentiment: { type: Schema.Types.Mixed, default: [] },
    synthetic: { type: Boolean, default: false },
    storedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
export const NewsArticle = model('NewsArticle', articleSchema, 'news_articles');

/** The same URL from two providers is one article: `_id` a hash of the URL, holding the first key stored. */
const urlSchema = new Schema({ _id: { type: String, required: true }, key: { type: String, required: true }, day: { type: String, required: true } }, { versionKey: false });
export const NewsUrl = model('NewsUrl', urlSchema, 'news_urls');

/**
 * The news index, written without reading (bulk `$push`, see info-store.ts): "<symbol>|<YYYY-MM>" holds a name's
 * articles of a month, "*|<YYYY-MM-DD>" the whole market's of a day, each entry what a list shows (key, time,
 * title, source, URL, the sentiment label for that name). Few, fat documents: a lookup on the embedded engine
 * costs in proportion to the collection's size, so /news SYMBOL for a week is one or two lookups.
 */
const newsIndexSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** The month (symbol documents) or the day ("*" documents): what maintenance prunes by. */
    period: { type: String, required: true },
    entries: { type: Schema.Types.Mixed, default: [] },
  },
  { versionKey: false, minimize: false },
);
export const NewsIndex = model('NewsIndex', newsIndexSchema, 'news_index');

/** A day's earnings reports in the universe (`_id` the date), as the last sync saw them. */
const earningsDaySchema = new Schema(
  { _id: { type: String, required: true }, rows: { type: Schema.Types.Mixed, default: [] }, provider: { type: String, required: true }, syncedAt: { type: Date, required: true } },
  { versionKey: false, minimize: false },
);
export const EarningsDay = model('EarningsDay', earningsDaySchema, 'earnings_days');

/** A symbol's known report dates (`_id` the symbol): "reports in N days" is one lookup. */
const earningsSymbolSchema = new Schema(
  { _id: { type: String, required: true }, dates: { type: [String], default: [] }, hours: { type: Schema.Types.Mixed, default: {} }, syncedAt: { type: Date, required: true } },
  { versionKey: false, minimize: false },
);
export const EarningsSymbol = model('EarningsSymbol', earningsSymbolSchema, 'earnings_by_symbol');

/** A day's economic events (`_id` the date). */
const economicDaySchema = new Schema(
  { _id: { type: String, required: true }, events: { type: Schema.Types.Mixed, default: [] }, syncedAt: { type: Date, required: true } },
  { versionKey: false, minimize: false },
);
export const EconomicDay = model('EconomicDay', economicDaySchema, 'economic_days');

/** Small state of the syncs (`_id` e.g. "news-cursor"): where the last sync stopped. */
const infoStateSchema = new Schema({ _id: { type: String, required: true }, value: { type: Schema.Types.Mixed }, at: { type: Date, required: true } }, { versionKey: false, minimize: false });
export const InfoState = model('InfoState', infoStateSchema, 'info_state');
