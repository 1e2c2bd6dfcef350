import { tradingToggle } from '../src/discord/trading-toggle.js';

const command = tradingToggle(false);
export const data = command.data;
export const meta = command.meta;
export const execute = command.execute;
export const confirm = command.confirm;
export { autocomplete } from '../src/discord/autocomplete.js';
