// The summary email: subject with urgency, a plain-text part and an HTML part, in the call's language.
import type { CallSummary } from '../summary-view.js';
import { displayAddress, displayPhone, displayTime, tradeLabel, words } from './labels.js';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Label/value lines shared by both parts. */
function fields(s: CallSummary): Array<[string, string]> {
  const w = words(s.language);
  const rows: Array<[string, string]> = [
    [w.caller, s.caller.name ?? w.unknown],
    [w.callback, displayPhone(s.caller.phone, s.language)],
    [w.address, displayAddress(s)],
    [w.problem, s.problem ?? w.noProblem],
  ];
  if (s.preferredTime) rows.push([w.preferredTime, s.preferredTime]);
  rows.push([w.outcomeLabel, w.outcome[s.outcome]]);
  if (s.appointment) rows.push([w.appointment, `${displayTime(s.appointment.start, s.language)} ${w.with} ${s.appointment.technician}`]);
  if (s.transferTo) rows.push([w.transferredTo, s.transferTo]);
  rows.push([w.callTime, `${displayTime(s.startedAt, s.language)} (${s.callId})`]);
  return rows;
}

export function renderEmail(s: CallSummary): RenderedEmail {
  const w = words(s.language);
  const trade = tradeLabel(s);
  const who = s.caller.name ?? displayPhone(s.caller.phone, s.language);
  const subject = `[${w.urgency[s.urgency]}] ${trade ? `${trade} – ` : ''}${who} – ${w.outcome[s.outcome]}`;
  const rows = fields(s);
  const heading = `${w.urgency[s.urgency]}${trade ? ` · ${trade}` : ''}`;
  const text = [
    heading,
    '',
    ...rows.map(([k, v]) => `${k}${w.colon}${v}`),
    ...(s.followUps.length ? ['', `${w.followUps}${w.colon.trimEnd()}`, ...s.followUps.map((f) => `- ${f}`)] : []),
    '',
  ].join('\n');
  const colour = s.urgency === 'emergency' ? '#b00020' : s.urgency === 'urgent' ? '#b26a00' : '#1b5e20';
  const html = [
    `<!doctype html><html lang="${s.language}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:system-ui,sans-serif;line-height:1.4">',
    `<h2 style="color:${colour};margin:0 0 12px">${escapeHtml(heading)}</h2>`,
    '<table cellpadding="4" style="border-collapse:collapse">',
    ...rows.map(([k, v]) => `<tr><th align="left" valign="top">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table>',
    ...(s.followUps.length
      ? [`<h3>${escapeHtml(w.followUps)}</h3><ul>`, ...s.followUps.map((f) => `<li>${escapeHtml(f)}</li>`), '</ul>']
      : []),
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}
