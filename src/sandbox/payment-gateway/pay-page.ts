import type { StoredOrder } from './orders.js';

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const button = (order: StoredOrder, action: 'succeed' | 'fail', label: string, force = false) =>
  `<form method="post" action="/pay/${encodeURIComponent(order.orderId)}/${action}${force ? '?force=1' : ''}"><button type="submit">${label}</button></form>`;

/** The hosted pay page: what the customer sees, with the sandbox's two outcomes (and a gateway quirk) as buttons. */
export function payPage(order: StoredOrder): string {
  const actions =
    order.status === 'open'
      ? button(order, 'succeed', 'Pay') + button(order, 'fail', 'Fail the payment')
      : order.status === 'paid'
        ? '<p>This order is paid. You can close this page.</p>'
        : `<p>This order is ${order.status}; it cannot be paid.</p>` +
          `<p class="quirk">Testing: a real gateway sometimes reports a payment that was already under way after the order closed.</p>` +
          button(order, 'succeed', 'Simulate a late successful payment', true);
  const deliveries = order.notifications
    .map((d) => `<li>${escape(d.status)} (${escape(d.eventId)}): ${d.deliveredAt ? `delivered at ${escape(d.deliveredAt)}` : `not delivered yet, ${d.attempts} attempt(s)`}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sandbox payment</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}form{display:inline-block;margin:0 .5rem .5rem 0}.quirk{color:#666;font-size:.9em}</style>
</head>
<body>
<h1>Sandbox payment gateway</h1>
<p><strong>${escape(order.amount.amount)} ${escape(order.amount.currency)}</strong> — ${escape(order.description)}</p>
<p>Order <code>${escape(order.orderId)}</code>, status <strong>${escape(order.status)}</strong>. No real money moves here.</p>
${actions}
${deliveries ? `<h2>Notifications to the merchant</h2><ul>${deliveries}</ul>` : ''}
</body>
</html>`;
}
