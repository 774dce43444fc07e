import { invalid, valid, type Validation } from './validation.js';

export const CLOUD_PROVIDERS = ['aliyun', 'aws', 'huawei'] as const;
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

/** A provider's account identifier in its canonical spelling. */
export type ExternalAccountId = string & { readonly __brand: 'ExternalAccountId' };

export type ExternalAccountIdRefusal = 'empty' | 'format';

interface AccountIdFormat {
  readonly canonical: (trimmed: string) => string;
  readonly pattern: RegExp;
  readonly expectation: string;
}

const FORMATS: Readonly<Record<CloudProvider, AccountIdFormat>> = {
  // AWS: "A 12-digit number, such as 012345678901" (docs.aws.amazon.com/accounts/latest/reference/
  // manage-acct-identifiers); "The regex pattern for an account ID string requires exactly 12 digits"
  // (Organizations DescribeAccount). Leading zeros are significant, so the ID stays a string. The
  // console shows it grouped as 1234-5678-9012 (opensearch-project/data-prepper#4398) while APIs want
  // it without hyphens (Glacier AccountId), so exactly that grouping is accepted and removed.
  aws: {
    canonical: (trimmed) => (/^\d{4}-\d{4}-\d{4}$/.test(trimmed) ? trimmed.replaceAll('-', '') : trimmed),
    pattern: /^\d{12}$/,
    expectation: 'An AWS account ID is 12 digits.',
  },
  // Alibaba Cloud: the account ID (UID) is numeric; its documentation publishes no length rule, but
  // every example is 16 digits: ARN account-id "1234567890123456" (alibabacloud.com/help/doc-detail/166537.htm),
  // "123456789012****" (help.aliyun.com/en/ack/.../ram-authorization), "171322098523****"
  // (Cloud Config RAM authorization), GET_USER_ID returning "1117xxxxxxxx8519" (MaxCompute),
  // MemberUid "128720273643****" (Cloud Firewall DescribeMemberInfo). If a real UID of another
  // length turns up, widen this pattern rather than special-casing the account.
  aliyun: {
    canonical: (trimmed) => trimmed,
    pattern: /^\d{16}$/,
    expectation: 'An Alibaba Cloud account ID (UID) is 16 digits, shown on the console overview page.',
  },
  // Huawei Cloud: the account ID is the IAM domain_id, read from My Credentials > API Credentials
  // (support.huaweicloud.com, "Obtaining an Account ID"). The API references only bound its length
  // (max 36 in Config, 64 in BSS), but every published value is 32 hex characters, e.g.
  // "08f25edee500d3e70f4ec007d082eb80" (BSS customer_id/domain_id example), "d78cbac186b744899480f25bd02..."
  // (IAM). It is displayed lower-case, so upper-case input is folded rather than refused.
  huawei: {
    canonical: (trimmed) => trimmed.toLowerCase(),
    pattern: /^[0-9a-f]{32}$/,
    expectation: 'A Huawei Cloud account ID is 32 hexadecimal characters, shown under My Credentials.',
  },
};

export function isCloudProvider(candidate: string): candidate is CloudProvider {
  return (CLOUD_PROVIDERS as readonly string[]).includes(candidate);
}

export function validateExternalAccountId(
  provider: CloudProvider,
  externalAccountId: string,
): Validation<ExternalAccountId, ExternalAccountIdRefusal> {
  const format = FORMATS[provider];
  const trimmed = externalAccountId.trim();
  if (trimmed === '') {
    return invalid('empty', `The account ID is missing. ${format.expectation}`);
  }
  const canonical = format.canonical(trimmed);
  if (!format.pattern.test(canonical)) {
    return invalid('format', format.expectation);
  }
  return valid(canonical as ExternalAccountId);
}
