import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isIsoDate, todayIn, type IsoDate } from '../../calendar/dates.js';
import { MARKET_ZONE } from '../../calendar/nyse.js';
import { UserFacingError } from '../../errors.js';
import type { Handler } from '../handler.js';

const USAGE = 'usage: ideas [--date D | SYMBOL] | ideas stats [--criterion C] [--since D] [--out F.png]';

/** ideas: the entry ideas and their record (src/ideas), read by `_id`. */
export const ideasHandlers: Record<string, Handler> = {
  async ideas(rt, args, f) {
    const demo = rt.env.MARKET_DATA_PROVIDER === 'demo';
    const today = todayIn(MARKET_ZONE);
    if (args[0] === 'stats') {
      if (args.length > 1) throw new UserFacingError('USAGE', `ideas stats takes no arguments (got "${args.slice(1).join(' ')}"); ${USAGE}`);
      if (f.date) throw new UserFacingError('USAGE', `ideas stats takes --since, not --date; ${USAGE}`);
      const { ideaStatsSince } = await import('../../ideas/idea-record.js');
      const { scoreboardChart, statsPost } = await import('../../ideas/idea-posts.js');
      const v = await ideaStatsSince({ today, since: f.since as IsoDate | undefined, criterion: f.criterion });
      let file: string | undefined;
      if (f.out) {
        const chart = await scoreboardChart(v, demo);
        file = resolve(f.out);
        writeFileSync(file, chart.png);
      }
      return { data: { ...v, ...(file ? { file } : {}) }, post: statsPost(v, demo) };
    }
    if (f.criterion || f.since || f.out) throw new UserFacingError('USAGE', `--criterion, --since and --out go with "ideas stats"; ${USAGE}`);
    if (args.length > 1) throw new UserFacingError('USAGE', `ideas takes one SYMBOL or --date (got "${args.join(' ')}"); ${USAGE}`);
    const { ideasFor, ideasOn, latestIdeaDate } = await import('../../ideas/idea-record.js');
    const { ideasListPost } = await import('../../ideas/idea-posts.js');
    if (args[0] !== undefined) {
      if (f.date) throw new UserFacingError('USAGE', `give a SYMBOL or --date, not both; ${USAGE}`);
      if (isIsoDate(args[0])) throw new UserFacingError('USAGE', `a date goes with --date: ideas --date ${args[0]}`);
      const r = await ideasFor(args[0], today);
      return { data: r, post: ideasListPost(`Entry ideas on ${r.symbol} · the past year`, [{ name: `${r.ideas.length} idea(s)`, ideas: r.ideas, note: 'none in the past year' }], demo) };
    }
    const date = (f.date as IsoDate | undefined) ?? (await latestIdeaDate(today));
    const r = await ideasOn(date);
    return {
      data: { date: r.date, ideas: r.slots.flatMap((s) => s.ideas), slots: r.slots.map((s) => ({ job: s.job, at: s.at, basis: s.basis, ideas: s.ideas.length })) },
      post: ideasListPost(`Entry ideas · ${date}`, r.slots.map((s) => ({ name: `${s.at} ${s.job} — ${s.ideas.length} idea(s)`, ideas: s.ideas, note: s.basis })), demo),
    };
  },
};
