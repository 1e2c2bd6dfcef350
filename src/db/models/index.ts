import type { Model } from 'mongoose';
import { AlertPolicy } from './alert-policy.js';
import { AlertState } from './alert-state.js';
import { ApiCall, ApiUsage } from './api-usage.js';
import { BrokerOrder, BrokerState } from './broker.js';
import { WorldDay } from './world.js';
import { IdeaMonth, IdeaSetups, IdeaSlot } from './ideas.js';
import { CompanyInfo } from './company.js';
import { CongressFiling, CongressFollow, CongressIndex, CongressMember, CongressTrade } from './congress.js';
import { AuditEntry } from './audit-entry.js';
import { BarIndex, BarLock } from './bar-lock.js';
import { BarSeries } from './bar-series.js';
import { BacktestRun } from './backtest-run.js';
import { CapitalInjection } from './capital-injection.js';
import { Confirmation, ConfirmationAnswer } from './confirmation.js';
import { DayClaim, IntradaySnapshot } from './intraday.js';
import { JobRequest } from './job-request.js';
import { JobRun } from './job-run.js';
import { CatchUpState, JobHistory, JobStatus, Migration, OpenRun } from './job-status.js';
import { Lease, WriterLock } from './lease.js';
import { Outbox, OutboxDead, OutboxQueue } from './outbox.js';
import { Position } from './position.js';
import { ProviderStatus } from './provider-status.js';
import { RateSlot } from './rate-slot.js';
import { EarningsDay, EarningsSymbol, EconomicDay, InfoState, NewsArticle, NewsIndex, NewsUrl } from './info.js';
import { ScanLatest, ScanResult } from './scan-result.js';
import { SeriesContractDoc, SplitEvent } from './series-contract.js';
import { Signal } from './signal.js';
import { Trade } from './trade.js';
import { ConfigSwitch, TradingConfig } from './trading-config.js';
import { TradingState } from './trading-state.js';
import { UniverseMember } from './universe-member.js';
import { Watchlist, WatchMute } from './watch.js';

export { EarningsDay, EarningsSymbol, EconomicDay, InfoState, NewsArticle, NewsIndex, NewsUrl, RateSlot, DayClaim, IntradaySnapshot, AlertPolicy, AlertState, ApiCall, ApiUsage, ProviderStatus, AuditEntry, BacktestRun, CapitalInjection, ConfigSwitch, Confirmation, ConfirmationAnswer, CatchUpState, JobHistory, JobRequest, JobRun, JobStatus, Lease, Migration, OpenRun, Outbox, OutboxDead, OutboxQueue, Position, BarIndex, BarLock, BarSeries, ScanLatest, ScanResult, SeriesContractDoc, Signal, SplitEvent, Trade, TradingConfig, TradingState, UniverseMember, Watchlist, WatchMute, WriterLock };

// Models differ in their document types; this list only needs createIndexes().
export function allModels(): Array<Model<any>> { // eslint-disable-line @typescript-eslint/no-explicit-any -- heterogeneous model list
  return [BarSeries, BarLock, BarIndex, TradingConfig, ConfigSwitch, Signal, Trade, Position, CapitalInjection, JobRun, JobStatus, JobHistory, OpenRun, Migration, CatchUpState, JobRequest, Lease, AuditEntry, Outbox, OutboxDead, OutboxQueue, BacktestRun, TradingState, AlertPolicy, AlertState, ScanResult, ScanLatest, Confirmation, ConfirmationAnswer, ApiCall, ApiUsage, ProviderStatus, UniverseMember, Watchlist, WatchMute, SeriesContractDoc, SplitEvent, IntradaySnapshot, DayClaim, RateSlot, NewsArticle, NewsUrl, NewsIndex, EarningsDay, EarningsSymbol, EconomicDay, InfoState, CongressFiling, CongressTrade, CongressIndex, CongressMember, CongressFollow, BrokerOrder, BrokerState, WorldDay, CompanyInfo, IdeaSlot, IdeaMonth, IdeaSetups, WriterLock];
}
