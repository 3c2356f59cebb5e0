// The published JSON Schema (docs/summary.schema.json) and the zod schema the code validates with must agree.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CallSummarySchema, summaryJsonSchema } from '../../src/agent/summary-schema.js';

const published = JSON.parse(readFileSync(new URL('../../docs/summary.schema.json', import.meta.url), 'utf8')) as Record<string, any>;

describe('summary schema', () => {
  it('docs/summary.schema.json is exactly the schema generated from the zod definition', () => {
    expect(published, 'regenerate: node --import tsx -e "import(\'./src/agent/summary-schema.ts\').then(m=>require(\'fs\').writeFileSync(\'docs/summary.schema.json\', JSON.stringify(m.summaryJsonSchema(), null, 2)+\'\\n\'))"').toEqual(summaryJsonSchema());
  });

  it('lists every field of the issue and the enumerations it names', () => {
    expect(Object.keys(published.properties).sort()).toEqual([
      'appointment', 'callId', 'caller', 'channel', 'endedAt', 'followUps', 'intent', 'language', 'outcome', 'preferredTime',
      'problem', 'serviceAddress', 'startedAt', 'tenantId', 'trade', 'transcript', 'transferTo', 'urgency',
    ]);
    expect(published.properties.outcome.enum).toEqual(['booked', 'request_created', 'escalated', 'transferred', 'message_taken', 'info_provided', 'out_of_area', 'abandoned']);
    expect(published.properties.urgency.enum).toEqual(['emergency', 'urgent', 'routine']);
    expect(published.properties.channel.enum).toEqual(['webrtc', 'sip', 'text']);
    expect(published.required).not.toContain('appointment');
    expect(published.additionalProperties).toBe(false);
  });

  it('rejects a summary with a wrong enum value or a missing field', () => {
    const ok = {
      callId: 'c', tenantId: 't', channel: 'text', language: 'en', startedAt: '2026-12-01T10:00:00-05:00', endedAt: '2026-12-01T10:05:00-05:00',
      intent: 'question', urgency: 'routine', trade: null, problem: null, caller: { name: null, phone: null },
      serviceAddress: { line: null, postalCode: null, inServiceArea: null }, preferredTime: null, outcome: 'info_provided', followUps: [], transcript: [],
    };
    expect(CallSummarySchema.safeParse(ok).success).toBe(true);
    expect(CallSummarySchema.safeParse({ ...ok, outcome: 'done' }).success).toBe(false);
    const { tenantId: _t, ...missing } = ok;
    expect(CallSummarySchema.safeParse(missing).success).toBe(false);
  });
});
