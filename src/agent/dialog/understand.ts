// Reads one caller utterance into the working state (rules engine): language, intent, trade, urgency, slots,
// with short answers read against the question the agent last asked.
import type { ActionContext, DetailInput } from '../actions.js';
import { declareEmergency, recordDetail, updateIntent } from '../actions.js';
import type { Language } from '../types.js';
import type { WorkingState } from './working-state.js';
import { normalize } from '../nlu/normalize.js';
import { detectEmergencies, detectFaqTopics, detectIntents, detectTrade, soundsUrgent, tradeOfEmergency } from '../nlu/problem.js';
import { extractAddressLine, extractName, extractPhone, extractPostalCode } from '../nlu/contact.js';
import { extractPreferredTime } from '../nlu/time.js';
import { extractDetails, isClosing, yesNo } from '../nlu/answers.js';
import { detectLanguage } from '../nlu/language.js';
import { localNow } from '../booking/hours.js';

export interface Understood {
  yesNo: 'yes' | 'no' | null;
}

/** Language of the turn: forced by the caller's STT, else detected; only languages the tenant speaks. */
export function applyLanguage(ctx: ActionContext, ws: WorkingState, text: string, forced?: Language): boolean {
  const before = ws.conv.language;
  const wasKnown = ws.languageKnown;
  let next: Language | null = forced ?? detectLanguage(text, ws.languageKnown ? before : null);
  if (next && !ctx.tenant.languages.includes(next)) next = null;
  if (next) {
    ws.conv.language = next;
    ws.languageKnown = true;
  }
  return wasKnown && before !== ws.conv.language;
}

/** Emergency detection used by both engines: the code decides, whatever the model says. */
export function detectAndDeclareEmergency(ctx: ActionContext, ws: WorkingState, text: string): void {
  const n = normalize(text);
  for (const d of extractDetails(text)) if (d.key === 'indoorTemp') ws.conv.slots.details.indoorTemp = d.value;
  for (const kind of detectEmergencies(n)) {
    if (declareEmergency(ctx, ws, kind)) return;
    const trade = tradeOfEmergency(kind);
    if (!ctx.tenant.trades.includes(trade) && ws.conv.trade === null) ws.outOfTrade = trade;
  }
}

export function understand(ctx: ActionContext, ws: WorkingState, text: string): Understood {
  const n = normalize(text);
  const s = ws.conv.slots;
  const pending = ws.pending;
  const yn = yesNo(text);
  const d: DetailInput = {};

  detectAndDeclareEmergency(ctx, ws, text);

  // Intent and trade.
  const intents = detectIntents(n);
  const trade = detectTrade(n);
  if (trade) {
    if (ctx.tenant.trades.includes(trade)) d.trade = trade;
    else if (ws.conv.trade === null) ws.outOfTrade = trade;
  }
  const strong = intents.find((i) => i !== 'question' && i !== 'service_request');
  if (strong) updateIntent(ws, strong);
  else if ((trade || (intents.includes('service_request') && !intents.includes('question'))) && ws.conv.intent !== 'question') updateIntent(ws, 'service_request');
  else if (trade && ws.conv.intent === 'question' && !intents.includes('question')) updateIntent(ws, 'service_request');
  if (intents.includes('question')) {
    const topics = detectFaqTopics(n, ctx.tenant.faqs).filter((t) => !ws.faqAnswered.includes(t));
    ws.faqPending = topics;
    if (ws.conv.intent === null) ws.conv.intent = 'question';
    if (topics.length === 0 && !trade && !strong && ws.conv.intent === 'question') ws.faqPending = ['unknown'];
  } else {
    ws.faqPending = detectFaqTopics(n, ctx.tenant.faqs).filter((t) => !ws.faqAnswered.includes(t) && !['hours', 'service_area', 'next_availability'].includes(t) && pending !== 'time');
  }
  if (soundsUrgent(n)) d.urgency = 'urgent';
  if (/\b(call me back|have (someone|the office|somebody) call|someone call me|me rappeler|rappelez-moi|qu'on me rappelle)\b/.test(n)) ws.wantsCallback = true;

  // Problem description: the caller's own words when they describe one.
  const describes = trade !== null || detectEmergencies(n).length > 0 || (strong !== undefined && strong !== 'scheduling');
  if ((describes && !s.problem) || pending === 'problem' || pending === 'message') {
    if (text.trim().length > 3 && (describes || pending === 'problem' || pending === 'message')) d.problem = text.trim();
  }

  // Slots given anywhere; a later value corrects an earlier one.
  const phone = extractPhone(text);
  if (phone) d.phone = phone;
  const postal = extractPostalCode(text, { allowFsaOnly: pending === 'postal' || pending === 'address' });
  if (postal) d.postalCode = postal;
  const address = extractAddressLine(text);
  if (address) d.address = address;
  else if (pending === 'address' && /\d/.test(text) && !phone) {
    const line = text.replace(/\b([A-Za-z]\d[A-Za-z])\s?(\d[A-Za-z]\d)\b/, '').replace(/\b\d{5}\b\s*$/, '').replace(/^(it's|it is|c'est|au|at|i live at|j'habite au)\s+/i, '').replace(/[,.\s]+$/, '').trim();
    if (line) d.address = line;
  }
  const name = extractName(text, pending === 'name');
  if (name) d.name = name;
  const time = extractPreferredTime(text, localNow(ctx.tenant, ctx.now()));
  if (time && (pending === 'time' || pending === 'slot_confirm' || time.date || time.asap || time.part)) d.preferredTime = time;
  const details: Record<string, string> = {};
  for (const hit of extractDetails(text)) if (!(hit.key in s.details)) details[hit.key] = hit.value;
  if (pending?.startsWith('qual:')) {
    const key = pending.slice(5);
    if (!(key in details) && !(key in s.details)) details[key] = key === 'waterShutOff' || key === 'burning' ? (yn ?? text.trim()) : text.trim();
  }
  if (Object.keys(details).length) d.details = details;

  // Answers to the question asked.
  if (pending === 'phone_confirm') {
    if (yn === 'yes' && !phone) d.phoneConfirmed = true;
    else if (yn === 'no' && !phone) ws.pending = 'phone';
  }
  if (pending === 'time' && !time && (yn === 'no' || /\b(no preference|doesn't matter|peu importe|ca m'est egal|pas de preference)\b/.test(n))) {
    d.preferredTime = { text: text.trim(), asap: true };
  }
  if (pending === 'anything_else' && (isClosing(text) || (yn === 'no' && !trade && !intents.length))) ws.closingRequested = true;
  if (pending !== 'anything_else' && isClosing(text) && /\b(bye|goodbye|au revoir)\b/.test(n)) ws.closingRequested = true;

  recordDetail(ctx, ws, d);
  if (!trade && !strong && !intents.length && !describes && pending === 'problem') ws.unclearTurns++;
  return { yesNo: yn };
}
