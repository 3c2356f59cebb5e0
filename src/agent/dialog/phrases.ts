// Everything the receptionist says, in English and Canadian French.
import { DateTime } from 'luxon';
import type { Language, Trade } from '../types.js';

type Vars = Record<string, string | number>;
type Phrase = (v: Vars) => string;

const EN: Record<string, Phrase> = {
  sorry_emergency: () => "I'm sorry, that sounds serious. I'm treating this as an emergency.",
  paged: (v) => `I've paged ${v.onCall}, our technician on call, who will call you back within ${v.minutes} minutes.`,
  transfer_oncall: (v) => `I'm connecting you now to ${v.onCall}, our technician on call.`,
  can_help: () => 'Okay, I can help with that.',
  ask_problem: () => 'Could you tell me what is going on?',
  ask_problem_again: () => "Sorry, I didn't quite get that. Is this about heating, plumbing, or something else?",
  ask_name: () => 'May I have your name, please?',
  ask_phone_confirm: (v) => `Is ${v.phone} the best number to reach you?`,
  ask_phone: () => 'What is the best number to reach you?',
  phone_readback: (v) => `I have ${v.phone}.`,
  ask_address: () => 'What is the address where we should come, with the postal code?',
  ask_postal: () => 'And what is the postal code there?',
  ask_time: () => 'When would you like us to come? For example tomorrow morning, or as soon as possible.',
  ask_new_time: () => 'No problem. What day or time would suit you better?',
  offer: (v) => `I can book you on ${v.when} with ${v.tech}. Does that work for you?`,
  offer_other: (v) => `I don't have that exact time, but I can book you on ${v.when} with ${v.tech}. Does that work for you?`,
  no_slots: () => "I don't see a free slot in the next two weeks, so I'll create a request and the office will call you to set a time.",
  booked: (v) => `You're booked: ${v.when} with ${v.tech}. The technician will call you before arriving.`,
  request_created: () => "I've created your request; the office will call you back to confirm the time.",
  request_after_hours: (v) => `We're closed right now, so I've created your request and the office will call you back ${v.when}.`,
  request_reschedule: () => "I've noted your new preferred time; the office will call you to confirm the change.",
  out_of_area: (v) => `${v.message}`,
  transfer: (v) => `I'm transferring you now to ${v.who}.`,
  transfer_complaint_ack: () => "I'm sorry about that. I want to make sure the right person hears this.",
  message_taken: (v) => `I've taken a message, and ${v.who} will call you back ${v.when}.`,
  not_offered: (v) => `I'm sorry, we don't do ${v.trade} work, so I'd suggest calling a licensed ${v.trade} contractor.`,
  anything_else: () => 'Is there anything else I can help you with?',
  what_else: () => 'Sure, what else can I help you with?',
  goodbye: (v) => `Thank you for calling ${v.company}. ${v.recap}Goodbye!`,
  faq_hours: (v) => `We're open ${v.hours}.`,
  faq_area: (v) => `We serve the postal codes starting with ${v.prefixes}.`,
  faq_next: (v) => `Our next opening is ${v.when}.`,
  faq_emergency: () => 'Yes, for emergencies our technician on call is reachable day and night.',
  faq_unknown: () => "I'm not sure about that one; I can have someone from the office call you back.",
  switch_lang: () => 'Sure, I can continue in English.',
  when_next_business: () => 'on the next business day',
  who_office: () => 'someone from the office',
  who_manager: () => 'our manager',
  who_sales: () => 'our sales advisor',
  message_prompt: () => 'What message would you like me to pass on?',
  ask_qual_systemType: () => 'What kind of heating system do you have: a furnace, a boiler, a heat pump, or baseboards?',
  ask_qual_since: () => 'Since when has it been happening?',
  ask_qual_location: () => 'Where is the problem: kitchen, bathroom, basement?',
  ask_qual_waterShutOff: () => 'Were you able to shut off the water?',
  ask_qual_scope: () => 'Is it just one fixture, or the whole house?',
  ask_qual_affected: () => "What's affected: some outlets, the lights, or the whole house?",
  ask_qual_burning: () => 'Do you notice any burning smell or sparks?',
  recap_booked: (v) => `Your appointment is ${v.when} with ${v.tech}. `,
  recap_request: () => 'The office will call you to confirm a time. ',
  recap_escalated: (v) => `${v.onCall} will call you back within ${v.minutes} minutes. `,
  recap_message: () => 'Someone will call you back. ',
};

const FR: Record<string, Phrase> = {
  sorry_emergency: () => "Je suis désolé, c'est sérieux. Je traite votre appel comme une urgence.",
  paged: (v) => `J'ai avisé ${v.onCall}, notre technicien de garde, qui va vous rappeler d'ici ${v.minutes} minutes.`,
  transfer_oncall: (v) => `Je vous transfère tout de suite à ${v.onCall}, notre technicien de garde.`,
  can_help: () => "D'accord, je peux vous aider avec ça.",
  ask_problem: () => "Pouvez-vous me dire ce qui se passe?",
  ask_problem_again: () => "Désolé, je n'ai pas bien compris. Est-ce pour le chauffage, la plomberie ou autre chose?",
  ask_name: () => 'Puis-je avoir votre nom, s\'il vous plaît?',
  ask_phone_confirm: (v) => `Est-ce que le ${v.phone} est le meilleur numéro pour vous joindre?`,
  ask_phone: () => 'Quel est le meilleur numéro pour vous joindre?',
  phone_readback: (v) => `J'ai noté le ${v.phone}.`,
  ask_address: () => "Quelle est l'adresse où nous devons aller, avec le code postal?",
  ask_postal: () => 'Et quel est le code postal?',
  ask_time: () => 'Quand voulez-vous que nous passions? Par exemple demain matin, ou le plus tôt possible.',
  ask_new_time: () => 'Pas de problème. Quel jour ou quelle heure vous conviendrait mieux?',
  offer: (v) => `Je peux vous réserver le ${v.when} avec ${v.tech}. Est-ce que ça vous convient?`,
  offer_other: (v) => `Je n'ai pas ce moment exact, mais je peux vous réserver le ${v.when} avec ${v.tech}. Est-ce que ça vous convient?`,
  no_slots: () => "Je ne vois pas de plage libre dans les deux prochaines semaines; je crée une demande et le bureau vous rappellera pour fixer un moment.",
  booked: (v) => `C'est réservé : le ${v.when} avec ${v.tech}. Le technicien vous appellera avant d'arriver.`,
  request_created: () => "J'ai créé votre demande; le bureau vous rappellera pour confirmer le moment.",
  request_after_hours: (v) => `Nous sommes fermés en ce moment, alors j'ai créé votre demande et le bureau vous rappellera ${v.when}.`,
  request_reschedule: () => "J'ai noté le nouveau moment souhaité; le bureau vous rappellera pour confirmer le changement.",
  out_of_area: (v) => `${v.message}`,
  transfer: (v) => `Je vous transfère maintenant à ${v.who}.`,
  transfer_complaint_ack: () => "Je suis désolé. Je veux que la bonne personne entende ça.",
  message_taken: (v) => `J'ai pris votre message, et ${v.who} vous rappellera ${v.when}.`,
  not_offered: (v) => `Désolé, nous ne faisons pas de travaux ${v.trade}; je vous suggère d'appeler un entrepreneur ${v.trade} qualifié.`,
  anything_else: () => 'Est-ce que je peux vous aider avec autre chose?',
  what_else: () => 'Bien sûr, que puis-je faire d\'autre pour vous?',
  goodbye: (v) => `Merci d'avoir appelé ${v.company}. ${v.recap}Bonne journée!`,
  faq_hours: (v) => `Nous sommes ouverts ${v.hours}.`,
  faq_area: (v) => `Nous desservons les codes postaux qui commencent par ${v.prefixes}.`,
  faq_next: (v) => `Notre prochaine disponibilité est le ${v.when}.`,
  faq_emergency: () => 'Oui, pour les urgences notre technicien de garde est joignable jour et nuit.',
  faq_unknown: () => "Je ne suis pas certain pour ça; je peux demander à quelqu'un du bureau de vous rappeler.",
  switch_lang: () => 'Bien sûr, je peux continuer en français.',
  when_next_business: () => 'le prochain jour ouvrable',
  who_office: () => "quelqu'un du bureau",
  who_manager: () => 'notre gérant',
  who_sales: () => 'notre conseiller aux ventes',
  message_prompt: () => 'Quel message voulez-vous que je transmette?',
  ask_qual_systemType: () => 'Quel type de chauffage avez-vous : une fournaise, une chaudière, une thermopompe ou des plinthes?',
  ask_qual_since: () => 'Depuis quand est-ce que ça se produit?',
  ask_qual_location: () => "Où est le problème : cuisine, salle de bain, sous-sol?",
  ask_qual_waterShutOff: () => "Avez-vous pu fermer l'eau?",
  ask_qual_scope: () => "Est-ce un seul appareil ou toute la maison?",
  ask_qual_affected: () => "Qu'est-ce qui est touché : quelques prises, les lumières ou toute la maison?",
  ask_qual_burning: () => 'Remarquez-vous une odeur de brûlé ou des étincelles?',
  recap_booked: (v) => `Votre rendez-vous est le ${v.when} avec ${v.tech}. `,
  recap_request: () => 'Le bureau vous rappellera pour confirmer un moment. ',
  recap_escalated: (v) => `${v.onCall} vous rappellera d'ici ${v.minutes} minutes. `,
  recap_message: () => "Quelqu'un vous rappellera. ",
};

export function say(lang: Language, key: string, vars: Vars = {}): string {
  const table = lang === 'fr' ? FR : EN;
  const p = table[key] ?? EN[key];
  if (!p) throw new Error(`missing phrase ${key}`);
  return p(vars);
}

const TRADE_NAMES: Record<Language, Record<Trade, string>> = {
  en: { hvac: 'heating and cooling', plumbing: 'plumbing', electrical: 'electrical' },
  fr: { hvac: 'de chauffage', plumbing: 'de plomberie', electrical: "d'électricité" },
};
export function tradeName(lang: Language, t: Trade): string {
  return TRADE_NAMES[lang][t];
}

/** "Wednesday, December 2 at 8:00 a.m." / "mercredi 2 décembre à 8 h 00". */
export function formatWhen(iso: string, zone: string, lang: Language): string {
  const d = DateTime.fromISO(iso, { zone }).setLocale(lang === 'fr' ? 'fr-CA' : 'en-CA');
  if (lang === 'fr') return `${d.toFormat('cccc d LLLL')} à ${d.toFormat("H 'h' mm")}`;
  return `${d.toFormat('cccc, LLLL d')} at ${d.toFormat('h:mm a')}`;
}
