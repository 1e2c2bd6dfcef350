import type { IsoDate } from '../../calendar/dates.js';
import { UserFacingError } from '../../errors.js';
import type { Handler } from '../handler.js';

/** news, earnings, calendar: the information layer's reads (src/info), each an `_id` lookup per day. */
export const infoHandlers: Record<string, Handler> = {
  async news(_rt, args, f) {
    if (args.length > 1) throw new UserFacingError('USAGE', `news takes at most one symbol (got ${args.length}); usage: news [SYMBOL] [--since D] [--date D]`);
    const { newsView, newsPost } = await import('../../info/news-service.js');
    const q = await newsView(args[0], f.since as IsoDate | undefined, undefined, 25, f.date as IsoDate | undefined);
    return { data: q.articles.map((a) => ({ title: a.title, publishedAt: a.publishedAt, source: a.source, url: a.url, sentiment: a.sentiment, reasoning: a.reasoning, tickers: a.tickers, synthetic: a.synthetic })), post: newsPost(q) };
  },
  async earnings(_rt, args, f) {
    if (args.length > 1) throw new UserFacingError('USAGE', 'usage: earnings [--date D | --from D --to D | SYMBOL]');
    if (args[0] !== undefined && (f.date || f.from || f.to)) throw new UserFacingError('USAGE', 'earnings takes a SYMBOL or dates, not both; usage: earnings [--date D | --from D --to D | SYMBOL]');
    if (f.date && (f.from || f.to)) throw new UserFacingError('USAGE', 'give --date, or --from and --to, not both.');
    const { earningsView, earningsQueryPost } = await import('../../info/calendar-service.js');
    const q = await earningsView({ symbol: args[0], date: f.date as IsoDate | undefined, from: f.from as IsoDate | undefined, to: f.to as IsoDate | undefined });
    return { data: q.rows.map((r) => ({ symbol: r.symbol, date: r.date, hour: r.hour, epsEstimate: r.epsEstimate, epsActual: r.epsActual, inDays: r.inDays, synthetic: r.synthetic })), post: earningsQueryPost(q) };
  },
  async calendar(_rt, args, f) {
    if (args.length > 1 || (args[0] !== undefined && args[0] !== 'week')) throw new UserFacingError('USAGE', `unknown calendar argument "${args[0]}"; usage: calendar [--date D | --from D --to D | week]`);
    if (f.date && (f.from || f.to)) throw new UserFacingError('USAGE', 'give --date, or --from and --to, not both.');
    const { calendarView, calendarPost } = await import('../../info/calendar-service.js');
    const q = await calendarView({ date: f.date as IsoDate | undefined, from: f.from as IsoDate | undefined, to: f.to as IsoDate | undefined, week: args[0] === 'week' });
    return { data: q.days.flatMap((d) => d.events.map((e) => ({ date: e.date, time: e.time, name: e.name, kind: e.kind, note: e.note, provider: e.provider }))), post: calendarPost(q) };
  },
};
