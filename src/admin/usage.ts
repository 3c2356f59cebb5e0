// Usage per tenant for billing: calls, minutes and an estimate of provider spend, as JSON or CSV.
import type { UsageRow } from '../records/types.js';

/** Provider prices used for the estimate (USD); override per deployment. */
export interface ProviderRates {
  sttPerMinute: number;
  ttsPerMinute: number;
  llmPerAgentTurn: number;
}

export const DEFAULT_RATES: ProviderRates = { sttPerMinute: 0.006, ttsPerMinute: 0.015, llmPerAgentTurn: 0.0006 };

export interface UsageReportRow {
  tenantId: string;
  calls: number;
  minutes: number;
  agentTurns: number;
  callerTurns: number;
  estimatedSpendUsd: number;
}

export function usageReport(rows: UsageRow[], rates: ProviderRates = DEFAULT_RATES): UsageReportRow[] {
  return rows.map((r) => {
    const minutes = Math.round((r.seconds / 60) * 100) / 100;
    const spend = minutes * (rates.sttPerMinute + rates.ttsPerMinute) + r.agentTurns * rates.llmPerAgentTurn;
    return { tenantId: r.tenantId, calls: r.calls, minutes, agentTurns: r.agentTurns, callerTurns: r.callerTurns, estimatedSpendUsd: Math.round(spend * 10_000) / 10_000 };
  });
}

const csvCell = (v: string | number): string => {
  const s = String(v);
  // RFC 4180 section 2: quote fields with commas, quotes or line breaks; a leading = + - @ is quoted against spreadsheet formulas.
  return /[",\r\n]|^[=+\-@]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function usageCsv(rows: UsageReportRow[], period: { from: string; to: string }): string {
  const head = ['tenant_id', 'period_from', 'period_to', 'calls', 'minutes', 'agent_turns', 'caller_turns', 'estimated_spend_usd'];
  const lines = rows.map((r) => [r.tenantId, period.from, period.to, r.calls, r.minutes, r.agentTurns, r.callerTurns, r.estimatedSpendUsd].map(csvCell).join(','));
  return [head.join(','), ...lines].join('\r\n') + '\r\n';
}
