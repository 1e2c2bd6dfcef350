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
  async brew(_rt, args, f) {
    if (args.length > 1 || (args[0] !== undefined && args[0] !== 'early' && args[0] !== 'main')) throw new UserFacingError('USAGE', `unknown brew argument "${args.join(' ')}"; usage: brew [early|main] [--date D]`);
    const which = (args[0] ?? 'main') as 'early' | 'main';
    const { brewView, latestBrewDate } = await import('../../world/brew-service.js');
    const date = (f.date as IsoDate | undefined) ?? latestBrewDate(which);
    const post = await brewView(date, which);
    return { data: { date, which, ...post }, post };
  },
  async world(_rt, args, f) {
    if (args.length) throw new UserFacingError('USAGE', `world takes no arguments (got "${args.join(' ')}"); usage: world [--date D]`);
    const { latestBoardDate, worldView, worldPost } = await import('../../world/world-service.js');
    const b = await worldView((f.date as IsoDate | undefined) ?? latestBoardDate());
    return { data: b, post: worldPost(b) };
  },
  async congress(_rt, args, f) {
    const usage = 'usage: congress recent [--days N] [--member M | --ticker T] [--date D] | congress member NAME | congress follow|unfollow member|ticker|amount VALUE --user ID | congress list --user ID';
    const v = await import('../../congress/congress-views.js');
    const [sub, ...rest] = args;
    const user = () => {
      if (!f.user || !/^\d{15,21}$/.test(f.user)) throw new UserFacingError('BAD_USER', `--user "${f.user ?? ''}" must be a Discord user id (15 to 21 digits).`);
      return f.user;
    };
    if (sub === 'recent') {
      if (rest.length) throw new UserFacingError('USAGE', `congress recent takes no arguments (got "${rest.join(' ')}"); ${usage}`);
      if (f.days !== undefined && !/^\d{1,4}$/.test(f.days)) throw new UserFacingError('BAD_DAYS', `--days "${f.days}" must be a whole number from 1 to ${v.MAX_DAYS}.`);
      const q = await v.recentView({ days: f.days === undefined ? undefined : Number(f.days), member: f.member, ticker: f.ticker, until: f.date as IsoDate | undefined });
      const { parseAmount } = await import('../../congress/house-parsers.js');
      // One list, as every read's --json: the transactions, then the filings that could not be parsed (parsed: false).
      return {
        data: [
          ...q.trades.map((t) => ({
            kind: 'transaction', parsed: true, docId: t.docId, chamber: t.chamber, member: t.member, owner: t.owner, ticker: t.ticker, asset: t.asset, type: t.type, option: t.option,
            transactionDate: t.transactionDate, notificationDate: t.notificationDate, disclosedOn: t.filedOn, amount: t.amount, amountMin: parseAmount(t.amount)?.min ?? null,
            amountMax: parseAmount(t.amount)?.max ?? null, lagDays: t.lagDays, late: t.late, synthetic: t.synthetic,
          })),
          ...q.unparsed.map((u) => ({ kind: 'filing', parsed: false, docId: u.docId, chamber: u.chamber, member: u.member, disclosedOn: u.filedOn, reason: u.reason, url: u.url, synthetic: u.synthetic })),
        ],
        post: v.recentPost(q),
      };
    }
    if (sub === 'member') {
      if (rest.length === 0) throw new UserFacingError('USAGE', `congress member needs a NAME; ${usage}`);
      const q = await v.memberView(rest.join(' '), f.date as IsoDate | undefined);
      return {
        data: {
          member: q.member, medianLagDays: q.medianLagDays, late: q.late, synthetic: q.synthetic,
          transactions: q.trades.map((t) => ({ docId: t.docId, owner: t.owner, ticker: t.ticker, asset: t.asset, type: t.type, option: t.option, transactionDate: t.transactionDate, notificationDate: t.notificationDate, disclosedOn: t.filedOn, amount: t.amount, lagDays: t.lagDays, late: t.late })),
          filings: q.unparsed.map((u) => ({ docId: u.docId, filedOn: u.filedOn, parsed: false, reason: u.reason, url: u.url })),
        },
        post: v.memberPost(q),
      };
    }
    if (sub === 'follow' || sub === 'unfollow') {
      const [kind, ...value] = rest;
      if (!kind || value.length === 0) throw new UserFacingError('USAGE', `congress ${sub} needs a kind (${v.FOLLOW_KINDS.join(', ')}) and a value; ${usage}`);
      const r = sub === 'follow' ? await v.followCongress(user(), kind, value.join(' '), new Date(), 'cli') : await v.unfollowCongress(user(), kind, value.join(' '));
      return { data: r, post: { kind: 'congress', title: `${sub === 'follow' ? 'Following' : 'No longer following'} ${r.kind} ${r.label}` } };
    }
    if (sub === 'list') {
      if (rest.length) throw new UserFacingError('USAGE', usage);
      const list = await v.listFollows(user());
      return { data: list, post: v.followsPost(list) };
    }
    throw new UserFacingError('USAGE', `${sub === undefined ? 'congress needs a subcommand' : `unknown congress subcommand "${sub}"`}; ${usage}`);
  },
};
