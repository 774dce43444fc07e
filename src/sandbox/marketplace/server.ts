import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import { CLOUD_PROVIDERS, type CloudProvider } from '../../domain/identity/cloud-account-id.js';
import { HOUR_MS } from '../../domain/marketplaces/rules.js';
import type { Logger } from '../../logger.js';
import { listeningUrl } from '../../runtime/ports.js';
import {
  AliyunDescribeInstance,
  AliyunPushMeteringData,
  AwsBatchMeterUsage,
  AwsGetEntitlements,
  HuaweiUsageRecords,
  REFUSAL_NAMES,
  type WireRefusal,
} from '../../marketplaces/wire.js';
import { MarketplaceBook, type IncomingRecord, type Judgement } from './book.js';

/**
 * The sandbox marketplace: one small HTTP service standing in for AWS Marketplace (`/aws`), Alibaba Cloud
 * Market (`/aliyun`) and Huawei Cloud KooGallery (`/huawei`), each speaking its provider's metering protocol
 * and enforcing its limits and deadlines (src/domain/marketplaces/rules.ts). `/control` lets tests and people
 * refuse an account or an entitlement, fake an outage, set the sandbox's clock, and see what it received.
 * No credentials: nothing here is real.
 */

export interface SandboxMarketplaceOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  log: Logger;
  /** The clock deadlines are judged by (tests give the Temporal test server's); `PUT /control/clock` shifts it. */
  now?: () => Date | Promise<Date>;
}

export interface SandboxMarketplaceHandle {
  name: string;
  url: string;
  /** Base URL of each provider's API: `<url>/aws`, `<url>/aliyun`, `<url>/huawei`. */
  urls: Record<CloudProvider, string>;
  book: MarketplaceBook;
  stop(): Promise<void>;
}

const Provider = Type.Union(CLOUD_PROVIDERS.map((p) => Type.Literal(p)));
const AccountParams = Type.Object({ provider: Provider, account: Type.String({ minLength: 1, maxLength: 64 }) });
const RefusalBody = Type.Object(
  { refuse: Type.Union([Type.Literal('account'), Type.Literal('entitlement')]), reason: Type.Optional(Type.String({ maxLength: 300 })) },
  { additionalProperties: false },
);
const ClockBody = Type.Object({ now: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]) }, { additionalProperties: false });
const OutageBody = Type.Object({ calls: Type.Integer({ minimum: 0, maximum: 1000 }) }, { additionalProperties: false });
const ReceivedQuery = Type.Object({ provider: Type.Optional(Provider), account: Type.Optional(Type.String({ maxLength: 64 })) });

const STATUS: Record<WireRefusal, number> = { too_late: 400, invalid: 400, conflict: 400, account_refused: 403, not_entitled: 403, throttled: 429 };

let requestCounter = 0;
const requestId = () => `sbx-${Date.now().toString(36)}-${(requestCounter++).toString(36)}`;

/** A refusal in the provider's own error shape. */
function refusalBody(provider: CloudProvider, refusal: WireRefusal, message: string): Record<string, unknown> {
  const name = REFUSAL_NAMES[provider][refusal];
  if (provider === 'aws') return { __type: name, message };
  if (provider === 'aliyun') return { RequestId: requestId(), Success: false, Code: name, Message: message };
  return { error_code: name, error_msg: message };
}

function providerOfUrl(url: string): CloudProvider | undefined {
  return CLOUD_PROVIDERS.find((p) => url.startsWith(`/${p}/`));
}

export async function startSandboxMarketplace(options: SandboxMarketplaceOptions): Promise<SandboxMarketplaceHandle> {
  const log = options.log;
  const baseNow = options.now ?? (() => new Date());
  let offsetMs = 0;
  const now = async () => (await baseNow()).getTime() + offsetMs;
  const book = new MarketplaceBook();

  const app = Fastify({ loggerInstance: log as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }) }).withTypeProvider<TypeBoxTypeProvider>();
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) log.error({ err: error }, 'sandbox marketplace failed');
    const provider = providerOfUrl(request.url);
    if (provider && status < 500) return reply.code(400).send(refusalBody(provider, 'invalid', error.message));
    return reply.code(status).send({ error: status >= 500 ? 'internal' : 'invalid_request', message: error.message });
  });

  /** Answers a metering call as the provider would; `taken` renders the success body. */
  const answer = (provider: CloudProvider, reply: FastifyReply, judgement: Judgement, taken: (j: Extract<Judgement, { kind: 'taken' }>) => unknown) => {
    if (judgement.kind === 'unavailable') return reply.code(503).send(refusalBody(provider, 'invalid', 'The sandbox was told to be down for this call.'));
    if (judgement.kind === 'refused') {
      if (judgement.retryAfterSeconds !== undefined) reply.header('retry-after', String(judgement.retryAfterSeconds));
      log.info({ provider, refusal: judgement.refusal }, 'sandbox marketplace refused a call');
      return reply.code(STATUS[judgement.refusal]).send(refusalBody(provider, judgement.refusal, judgement.message));
    }
    return reply.send(taken(judgement));
  };
  const refuseEntitlement = (provider: CloudProvider, reply: FastifyReply, account: string) => {
    const entitled = book.entitled(provider, account);
    if (entitled.ok || entitled.refusal !== 'account_refused') return undefined;
    return reply.code(403).send(refusalBody(provider, 'account_refused', entitled.reason));
  };

  app.get('/healthz', async () => ({ status: 'ok' }));

  // AWS Marketplace
  app.post('/aws/GetEntitlements', { schema: { body: AwsGetEntitlements } }, async (request, reply) => {
    const customer = request.body.Filter.CUSTOMER_IDENTIFIER[0]!;
    return (
      refuseEntitlement('aws', reply, customer) ??
      { Entitlements: book.entitled('aws', customer).ok ? [{ CustomerIdentifier: customer, ProductCode: request.body.ProductCode }] : [] }
    );
  });
  app.post('/aws/BatchMeterUsage', { schema: { body: AwsBatchMeterUsage } }, async (request, reply) => {
    const records = request.body.UsageRecords;
    const customers = new Set(records.map((r) => r.CustomerIdentifier));
    if (customers.size > 1) return reply.code(400).send(refusalBody('aws', 'invalid', 'The sandbox takes one customer per call.'));
    const incoming: IncomingRecord[] = records.map((r) => ({ ref: `${r.Timestamp}|${r.Dimension}`, hourStart: Date.parse(r.Timestamp), item: r.Dimension, quantity: String(r.Quantity) }));
    const judgement = book.meter('aws', [...customers][0]!, incoming, await now());
    return answer('aws', reply, judgement, (taken) => ({
      Results: taken.results.map((result, index) => ({
        UsageRecord: records[index]!,
        MeteringRecordId: result.marketplaceRecordId,
        Status: result.status === 'accepted' || result.status === 'duplicate' ? 'Success' : result.status === 'conflict' ? 'DuplicateRecord' : 'CustomerNotSubscribed',
      })),
      UnprocessedRecords: [],
    }));
  });

  // Alibaba Cloud Market
  app.post('/aliyun/DescribeInstance', { schema: { body: AliyunDescribeInstance } }, async (request, reply) => {
    const instance = request.body.InstanceId;
    return refuseEntitlement('aliyun', reply, instance) ?? { RequestId: requestId(), InstanceId: instance, Status: book.entitled('aliyun', instance).ok ? 'NORMAL' : 'RELEASED' };
  });
  app.post('/aliyun/PushMeteringData', { schema: { body: AliyunPushMeteringData } }, async (request, reply) => {
    const metering = request.body.Metering;
    const instances = new Set(metering.map((m) => m.InstanceId));
    if (instances.size > 1) return reply.code(400).send(refusalBody('aliyun', 'invalid', 'The sandbox takes one instance per push.'));
    if (metering.some((m) => m.EndTime - m.StartTime !== HOUR_MS / 1000)) return reply.code(400).send(refusalBody('aliyun', 'invalid', 'Each metering entry covers one hour.'));
    const incoming = metering.map((m) => ({ ref: `${m.StartTime}|${m.Entities[0]!.Key}`, hourStart: m.StartTime * 1000, item: m.Entities[0]!.Key, quantity: m.Entities[0]!.Value }));
    const judgement = book.meter('aliyun', [...instances][0]!, incoming, await now());
    return answer('aliyun', reply, judgement, () => ({ RequestId: requestId(), Success: true }));
  });

  // Huawei Cloud KooGallery
  app.get('/huawei/subscriptions/:account', { schema: { params: Type.Object({ account: Type.String({ minLength: 1, maxLength: 64 }) }) } }, async (request, reply) => {
    const customer = request.params.account;
    return refuseEntitlement('huawei', reply, customer) ?? { customer_id: customer, status: book.entitled('huawei', customer).ok ? 'active' : 'suspended' };
  });
  app.post('/huawei/usage-records', { schema: { body: HuaweiUsageRecords } }, async (request, reply) => {
    const records = request.body.usage_records;
    const customers = new Set(records.map((r) => r.customer_id));
    if (customers.size > 1) return reply.code(400).send(refusalBody('huawei', 'invalid', 'The sandbox takes one customer per call.'));
    if (records.some((r) => Date.parse(r.end_time) - Date.parse(r.start_time) !== HOUR_MS)) return reply.code(400).send(refusalBody('huawei', 'invalid', 'Each record covers one hour.'));
    const incoming = records.map((r) => ({ ref: r.record_id, hourStart: Date.parse(r.start_time), item: r.usage_type, quantity: r.usage_value }));
    const judgement = book.meter('huawei', [...customers][0]!, incoming, await now());
    return answer('huawei', reply, judgement, (taken) => ({ result: taken.results.map((r) => ({ record_id: r.record.ref, id: r.marketplaceRecordId })) }));
  });

  // Control
  app.get('/control/received', { schema: { querystring: ReceivedQuery } }, async (request) => ({
    records: book.list({ ...(request.query.provider ? { provider: request.query.provider } : {}), ...(request.query.account ? { account: request.query.account } : {}) }).map((r) => ({
      ...r,
      hourStart: new Date(r.hourStart).toISOString(),
    })),
  }));
  app.get('/control/calls', async () => ({ calls: book.calls }));
  app.put('/control/refusals/:provider/:account', { schema: { params: AccountParams, body: RefusalBody } }, async (request) => {
    const { provider, account } = request.params;
    const reason = request.body.reason ?? (request.body.refuse === 'account' ? `The ${provider} account ${account} is refused.` : `${account} has no entitlement.`);
    book.refuse(provider, account, request.body.refuse, reason);
    return { provider, account, refuse: request.body.refuse, reason };
  });
  app.delete('/control/refusals/:provider/:account', { schema: { params: AccountParams } }, async (request, reply) => {
    const lifted = book.lift(request.params.provider, request.params.account);
    return reply.code(lifted ? 204 : 404).send();
  });
  app.post('/control/outages/:provider', { schema: { params: Type.Object({ provider: Provider }), body: OutageBody } }, async (request) => {
    book.fail(request.params.provider, request.body.calls);
    return { provider: request.params.provider, failingCalls: request.body.calls };
  });
  app.get('/control/clock', async () => ({ now: new Date(await now()).toISOString(), offsetMs }));
  app.put('/control/clock', { schema: { body: ClockBody } }, async (request) => {
    offsetMs = request.body.now === null ? 0 : Date.parse(request.body.now) - (await baseNow()).getTime();
    return { now: new Date(await now()).toISOString(), offsetMs };
  });
  app.post('/control/reset', async (_request: FastifyRequest, reply: FastifyReply) => {
    book.reset();
    offsetMs = 0;
    return reply.code(204).send();
  });

  await app.listen({ host: options.host, port: options.port });
  const url = listeningUrl(app.server, options.host, options.port);
  return {
    name: 'sandbox marketplace',
    url,
    urls: { aws: `${url}/aws`, aliyun: `${url}/aliyun`, huawei: `${url}/huawei` },
    book,
    stop: () => app.close(),
  };
}
