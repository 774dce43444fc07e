import { Type, type Static } from 'typebox';

/**
 * The three marketplaces' metering protocols, as far as we use them, in one place: the adapters (aws.ts,
 * aliyun.ts, huawei.ts) and the sandbox marketplace (src/sandbox/marketplace) both use these schemas, so they
 * cannot drift. Field names are the providers' own.
 */

// AWS Marketplace Metering Service: BatchMeterUsage and (Entitlement Service) GetEntitlements.
export const AwsUsageRecord = Type.Object(
  {
    Timestamp: Type.String({ minLength: 1, maxLength: 40, description: 'the hour the usage occurred in (RFC 3339)' }),
    CustomerIdentifier: Type.String({ minLength: 1, maxLength: 255 }),
    Dimension: Type.String({ minLength: 1, maxLength: 255 }),
    Quantity: Type.Integer({ minimum: 0, maximum: 2_147_483_647 }),
  },
  { additionalProperties: false },
);
export const AwsBatchMeterUsage = Type.Object(
  { ProductCode: Type.String({ minLength: 1, maxLength: 255 }), UsageRecords: Type.Array(AwsUsageRecord, { minItems: 1 }) },
  { additionalProperties: false },
);
export const AwsUsageRecordResult = Type.Object({
  UsageRecord: AwsUsageRecord,
  MeteringRecordId: Type.String(),
  Status: Type.Union([Type.Literal('Success'), Type.Literal('CustomerNotSubscribed'), Type.Literal('DuplicateRecord')]),
});
export const AwsBatchMeterUsageResult = Type.Object({
  Results: Type.Array(AwsUsageRecordResult),
  UnprocessedRecords: Type.Array(AwsUsageRecord),
});
export const AwsGetEntitlements = Type.Object(
  { ProductCode: Type.String({ minLength: 1 }), Filter: Type.Object({ CUSTOMER_IDENTIFIER: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 1 }) }) },
  { additionalProperties: false },
);
export const AwsGetEntitlementsResult = Type.Object({
  Entitlements: Type.Array(Type.Object({ CustomerIdentifier: Type.String(), ProductCode: Type.String() })),
});
export const AwsError = Type.Object({ __type: Type.String(), message: Type.String() });

// Alibaba Cloud Market: PushMeteringData and DescribeInstance. The sandbox takes the bound Alibaba Cloud
// account id as the instance id (one purchased instance per account).
export const AliyunMetering = Type.Object(
  {
    InstanceId: Type.String({ minLength: 1, maxLength: 64 }),
    StartTime: Type.Integer({ minimum: 0, description: 'epoch seconds' }),
    EndTime: Type.Integer({ minimum: 0, description: 'epoch seconds' }),
    Entities: Type.Array(Type.Object({ Key: Type.String({ minLength: 1, maxLength: 64 }), Value: Type.String({ minLength: 1, maxLength: 40 }) }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 1,
    }),
  },
  { additionalProperties: false },
);
export const AliyunPushMeteringData = Type.Object({ Metering: Type.Array(AliyunMetering, { minItems: 1 }) }, { additionalProperties: false });
export const AliyunResult = Type.Object({
  RequestId: Type.String(),
  Success: Type.Boolean(),
  Code: Type.Optional(Type.String()),
  Message: Type.Optional(Type.String()),
});
export const AliyunDescribeInstance = Type.Object({ InstanceId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export const AliyunInstance = Type.Object({
  RequestId: Type.String(),
  InstanceId: Type.String(),
  Status: Type.Union([Type.Literal('NORMAL'), Type.Literal('RELEASED')]),
});

// Huawei Cloud KooGallery: usage records of subscribed customers.
export const HuaweiUsageRecord = Type.Object(
  {
    record_id: Type.String({ minLength: 1, maxLength: 128 }),
    customer_id: Type.String({ minLength: 1, maxLength: 64 }),
    usage_type: Type.String({ minLength: 1, maxLength: 64 }),
    usage_value: Type.String({ minLength: 1, maxLength: 40 }),
    start_time: Type.String({ minLength: 1, maxLength: 40 }),
    end_time: Type.String({ minLength: 1, maxLength: 40 }),
  },
  { additionalProperties: false },
);
export const HuaweiUsageRecords = Type.Object({ usage_records: Type.Array(HuaweiUsageRecord, { minItems: 1 }) }, { additionalProperties: false });
export const HuaweiUsageResult = Type.Object({
  result: Type.Array(Type.Object({ record_id: Type.String(), id: Type.String() })),
});
export const HuaweiSubscription = Type.Object({
  customer_id: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
});
export const HuaweiError = Type.Object({ error_code: Type.String(), error_msg: Type.String() });

export type AwsUsageRecord = Static<typeof AwsUsageRecord>;
export type AwsBatchMeterUsage = Static<typeof AwsBatchMeterUsage>;
export type AwsBatchMeterUsageResult = Static<typeof AwsBatchMeterUsageResult>;
export type AwsGetEntitlements = Static<typeof AwsGetEntitlements>;
export type AliyunMetering = Static<typeof AliyunMetering>;
export type AliyunPushMeteringData = Static<typeof AliyunPushMeteringData>;
export type AliyunDescribeInstance = Static<typeof AliyunDescribeInstance>;
export type HuaweiUsageRecord = Static<typeof HuaweiUsageRecord>;
export type HuaweiUsageRecords = Static<typeof HuaweiUsageRecords>;

/** Product code our AWS listing meters under (the sandbox accepts any). */
export const AWS_PRODUCT_CODE = 'billing-center';

/**
 * How each provider names a refusal of a whole call, by our refusal code. The sandbox answers with these and
 * the adapters read them back, through this one table. Throttling is answered with 429 and `Retry-After`.
 */
export const REFUSAL_NAMES = {
  aws: {
    too_late: 'TimestampOutOfBoundsException',
    invalid: 'ValidationException',
    account_refused: 'InvalidCustomerIdentifierException',
    not_entitled: 'CustomerNotEntitledException',
    conflict: 'DuplicateRecordException',
    throttled: 'ThrottlingException',
  },
  aliyun: {
    too_late: 'MeteringTimeout',
    invalid: 'InvalidParameter',
    account_refused: 'Forbidden.Account',
    not_entitled: 'InstanceNotFound',
    conflict: 'DuplicateMetering',
    throttled: 'Throttling',
  },
  huawei: {
    too_late: 'MKT.0410',
    invalid: 'MKT.0400',
    account_refused: 'MKT.0403',
    not_entitled: 'MKT.0404',
    conflict: 'MKT.0409',
    throttled: 'MKT.0429',
  },
} as const;

export type WireRefusal = keyof (typeof REFUSAL_NAMES)['aws'];

/** Our refusal code for a provider's error name, if it is one of ours. */
export function refusalOf(provider: keyof typeof REFUSAL_NAMES, name: string | undefined): WireRefusal | undefined {
  const names = REFUSAL_NAMES[provider] as Record<WireRefusal, string>;
  return (Object.keys(names) as WireRefusal[]).find((code) => names[code] === name);
}
