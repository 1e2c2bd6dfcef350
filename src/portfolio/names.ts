/** Portfolio names: lower-case letters, digits and dashes, 1 to 32 ("main" exists from the start). */
export const PORTFOLIO_NAME = /^[a-z0-9-]{1,32}$/;
/** A portfolio as a read may name it: a portfolio name, or a backtest's scratch portfolio `backtest:<id>`. */
export const PORTFOLIO_REF = /^(?:[a-z0-9-]{1,32}|backtest:[a-z0-9-]{1,40})$/;
