// A separate process for the view-cache test: connects to the test database and records one trade
// through the model, as the execution job in another worker would.
import mongoose from 'mongoose';
import { connectDatabase, disconnectDatabase } from '../../src/db/connection.js';
import { Trade } from '../../src/db/models/trade.js';

const [uri, dbName, portfolio, symbol] = process.argv.slice(2) as [string, string, string, string];
await connectDatabase(uri, dbName);
await Trade.create({ portfolio, signalId: new mongoose.Types.ObjectId(), tradeDate: '2024-03-15', symbol, action: 'BUY', quantity: 1, price: 10, amount: 10, createdAt: new Date() });
await disconnectDatabase();
