import { describe, expect, it } from 'vitest';
import { isCloudProvider, validateExternalAccountId } from '../../../src/domain/identity/cloud-account-id.js';

describe('AWS account ID', () => {
  it('accepts 12 digits and keeps a leading zero (the example in the AWS account reference)', () => {
    expect(validateExternalAccountId('aws', '012345678901')).toEqual({ ok: true, value: '012345678901' });
  });

  it('accepts the 1234-5678-9012 grouping the console shows and stores it without hyphens', () => {
    expect(validateExternalAccountId('aws', '1234-5678-9012')).toEqual({ ok: true, value: '123456789012' });
  });

  it('trims whitespace around a pasted ID', () => {
    expect(validateExternalAccountId('aws', ' 123456789012\t')).toEqual({ ok: true, value: '123456789012' });
  });

  it.each([
    ['11 digits', '12345678901'],
    ['13 digits', '1234567890123'],
    ['a letter', '12345678901a'],
    ['other grouping', '12-345678-9012'],
    ['spaces inside', '1234 5678 9012'],
    ['an Alibaba Cloud UID', '1234567890123456'],
  ])('refuses %s', (_case, id) => {
    expect(validateExternalAccountId('aws', id)).toMatchObject({ ok: false, reason: 'format' });
  });
});

describe('Alibaba Cloud account ID (UID)', () => {
  it('accepts 16 digits (the ARN example in the Alibaba Cloud RAM documentation)', () => {
    expect(validateExternalAccountId('aliyun', '1234567890123456')).toEqual({ ok: true, value: '1234567890123456' });
  });

  it.each([
    ['15 digits', '123456789012345'],
    ['17 digits', '12345678901234567'],
    ['a masked UID copied from a document', '123456789012****'],
    ['an AWS account ID', '123456789012'],
    ['an account alias', 'my-company'],
  ])('refuses %s', (_case, id) => {
    expect(validateExternalAccountId('aliyun', id)).toMatchObject({ ok: false, reason: 'format' });
  });
});

describe('Huawei Cloud account ID (domain ID)', () => {
  const domainId = '08f25edee500d3e70f4ec007d082eb80';

  it('accepts 32 hexadecimal characters (the domain_id example in the Huawei Cloud BSS reference)', () => {
    expect(validateExternalAccountId('huawei', domainId)).toEqual({ ok: true, value: domainId });
  });

  it('folds upper-case hex to the lower case Huawei Cloud displays', () => {
    expect(validateExternalAccountId('huawei', domainId.toUpperCase())).toEqual({ ok: true, value: domainId });
  });

  it.each([
    ['31 characters', domainId.slice(1)],
    ['33 characters', `${domainId}0`],
    ['a non-hex letter', `g${domainId.slice(1)}`],
    ['hyphens in UUID style', '08f25ede-e500-d3e7-0f4e-c007d082eb80'],
    ['an account name', 'hid_wh5ae_cq83lo0xy'],
  ])('refuses %s', (_case, id) => {
    expect(validateExternalAccountId('huawei', id)).toMatchObject({ ok: false, reason: 'format' });
  });
});

describe('any provider', () => {
  it.each(['aliyun', 'aws', 'huawei'] as const)('refuses a blank %s account ID as empty', (provider) => {
    expect(validateExternalAccountId(provider, '   ')).toMatchObject({ ok: false, reason: 'empty' });
  });

  it('tells the person what the provider expects', () => {
    const refusal = validateExternalAccountId('aliyun', '123');
    expect(refusal.ok).toBe(false);
    if (!refusal.ok) expect(refusal.message).toMatch(/16 digits/);
  });

  it('recognises exactly the three supported providers', () => {
    expect(['aliyun', 'aws', 'huawei', 'AWS', 'gcp', ''].filter(isCloudProvider)).toEqual(['aliyun', 'aws', 'huawei']);
  });
});
