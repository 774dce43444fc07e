// The double-entry ledger and usage charging, as pure rules: what to post, and whether what was posted
// still adds up. Persistence lives elsewhere.
export * from './accounts.js';
export * from './journal-entry.js';
export * from './consumption.js';
export * from './balances.js';
