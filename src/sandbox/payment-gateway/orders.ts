import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SandboxCloseResult, SandboxCreateOrder, SandboxDelivery, SandboxMoney, SandboxNotification, SandboxOrder } from '../../payments/sandbox-protocol.js';

/**
 * The sandbox's order book. Orders live in memory — this is a stand-in for a real gateway, not a ledger —
 * and, when given a file, are also written there after every change, so the pay links and order states of
 * `npm start` survive a restart as its recharge workflows do.
 */

export interface StoredOrder extends Omit<SandboxOrder, 'payUrl'> {
  notifyUrl: string;
}

/** A request the order's state does not allow (answered 409). */
export class OrderConflict extends Error {
  override name = 'OrderConflict';
  constructor(readonly code: 'order_ref_conflict' | 'already_paid' | 'not_payable', message: string) {
    super(message);
  }
}

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const sameMoney = (a: SandboxMoney, b: SandboxMoney) => a.amount === b.amount && a.currency === b.currency;

export class OrderBook {
  private readonly orders = new Map<string, StoredOrder>();
  private readonly byRef = new Map<string, string>();
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string | undefined,
    private readonly onSaveError: (error: unknown) => void,
  ) {}

  static async open(options: { file?: string; onSaveError?: (error: unknown) => void } = {}): Promise<OrderBook> {
    const file = options.file;
    const book = new OrderBook(file, options.onSaveError ?? (() => {}));
    if (file) {
      await mkdir(path.dirname(file), { recursive: true });
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      for (const order of text ? (JSON.parse(text) as { orders: StoredOrder[] }).orders : []) book.remember(order);
    }
    return book;
  }

  get(orderId: string): StoredOrder | undefined {
    return this.orders.get(orderId);
  }

  /** Idempotent by `orderRef`; the same reference with another amount is a conflict (a merchant bug). */
  create(input: SandboxCreateOrder, now: Date): { order: StoredOrder; created: boolean } {
    const existing = this.orders.get(this.byRef.get(input.orderRef) ?? '');
    if (existing) {
      if (!sameMoney(existing.amount, input.amount)) {
        throw new OrderConflict('order_ref_conflict', `Order ${existing.orderId} exists for reference ${input.orderRef} with another amount.`);
      }
      return { order: existing, created: false };
    }
    const order: StoredOrder = {
      orderId: newId('sbx'),
      orderRef: input.orderRef,
      status: 'open',
      amount: input.amount,
      description: input.description,
      notifyUrl: input.notifyUrl,
      createdAt: now.toISOString(),
      paidAt: null,
      closedAt: null,
      notifications: [],
    };
    this.remember(order);
    this.save();
    return { order, created: true };
  }

  close(order: StoredOrder, now: Date): SandboxCloseResult['status'] {
    if (order.status === 'paid') return 'already_paid';
    if (order.status === 'closed') return 'already_closed';
    // A failed order closes too: after this answer, no payment on it can succeed (short of a forced one).
    order.status = 'closed';
    order.closedAt = now.toISOString();
    this.save();
    return 'closed';
  }

  /**
   * The payer's outcome. Only an open order can be paid or failed; `force` makes a closed or failed order
   * succeed anyway, as real gateways sometimes do (a payment already under way when the order closed).
   */
  settle(order: StoredOrder, outcome: 'succeeded' | 'failed', force: boolean, now: Date): SandboxNotification {
    if (order.status === 'paid') throw new OrderConflict('already_paid', `Order ${order.orderId} is already paid.`);
    if (order.status !== 'open' && !(force && outcome === 'succeeded')) {
      throw new OrderConflict('not_payable', `Order ${order.orderId} is ${order.status}; it cannot be ${outcome === 'succeeded' ? 'paid' : 'failed'}.`);
    }
    order.status = outcome === 'succeeded' ? 'paid' : 'failed';
    if (outcome === 'succeeded') order.paidAt = now.toISOString();
    const event: SandboxNotification = {
      eventId: newId('evt'),
      orderId: order.orderId,
      orderRef: order.orderRef,
      status: outcome,
      amount: order.amount,
      occurredAt: now.toISOString(),
    };
    order.notifications.push({ eventId: event.eventId, status: outcome, attempts: 0, lastResponseStatus: null, deliveredAt: null });
    this.save();
    return event;
  }

  /** Records one delivery attempt of a notification. */
  attempted(orderId: string, eventId: string, result: { status: number | null; deliveredAt: Date | null }): void {
    const delivery: SandboxDelivery | undefined = this.orders.get(orderId)?.notifications.find((d) => d.eventId === eventId);
    if (!delivery) return;
    delivery.attempts += 1;
    delivery.lastResponseStatus = result.status;
    if (result.deliveredAt) delivery.deliveredAt = result.deliveredAt.toISOString();
    this.save();
  }

  /** Resolves when every change so far is on disk. */
  flushed(): Promise<void> {
    return this.saving;
  }

  private remember(order: StoredOrder): void {
    this.orders.set(order.orderId, order);
    this.byRef.set(order.orderRef, order.orderId);
  }

  private save(): void {
    const file = this.file;
    if (!file) return;
    // One write at a time, each of the whole book, through a rename: a crash leaves the old file or the new.
    this.saving = this.saving.then(async () => {
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify({ orders: [...this.orders.values()] }));
      await rename(temporary, file);
    }).catch(this.onSaveError); // the next change writes the whole book again
  }
}
