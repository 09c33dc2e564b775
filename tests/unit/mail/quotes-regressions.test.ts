/**
 * Replies whose text quote stripping lost or kept wrongly, each pinned by a fixture written
 * for it: a reply line with digits swallowed by the attribution below it, text after an
 * embedded quote dropped, an attribution naming a third party's address left on the
 * timeline, a forward without text of the sender's own recorded as empty.
 */
import { describe, expect, it } from 'vitest';
import { stripQuoted, textToRecord } from '../../../src/mail/quotes.js';
import { interpret } from '../../../src/rules/interpret.js';

const REF = /INC-\d{6}/gi;

describe('a reply line is never taken into the attribution below it', () => {
  it.each([
    ['ends a sentence', 'Bel me gerust op 06 1234 5678 na 14:00 uur.'],
    ['ends without punctuation', 'Mijn klantnummer is 100234'],
  ])('a line with digits that %s stays the sender’s', (_case, reply) => {
    const text = `${reply}\nOp 16 aug. 2024 om 10:12 schreef Support <support@casemail.example>:\n> Wat is uw klantnummer?\n`;
    const result = stripQuoted(text);
    expect(result.visible).toBe(reply);
    expect(result.quoted).toContain('schreef Support');
  });

  it('still joins an attribution that a client wrapped after its date', () => {
    const text = 'Dank u.\n\nOp 16 aug. 2024 om 10:12 schreef Support <\nsupport@casemail.example>:\n> Wat is uw klantnummer?\n';
    expect(stripQuoted(text).visible).toBe('Dank u.');
  });

  it('does not take "X wrote:" for a quote header when the sender’s own lines follow it', () => {
    const text = 'Here is the log.\n\nThe installer wrote:\nerror 1603 during setup\n';
    expect(stripQuoted(text).visible).toBe(text.trim());
  });
});

describe('text after an embedded quote is kept', () => {
  it('keeps the answer written below a quoted mail when the sender also wrote above it', () => {
    const text = 'Here is what I found.\n\nOn Tue, 2 Jan 2024 at 10:00, Support <support@casemail.example> wrote:\n' +
      '> Could you send the recorder log?\n> Regards, Support\n\nThis is some text after the embedded mail: the log is attached.\n';
    const result = stripQuoted(text);
    expect(result.visible).toBe('Here is what I found.\n\nThis is some text after the embedded mail: the log is attached.');
    expect(result.quoted).toContain('Could you send');
    expect(result.quoted).not.toContain('text after');
  });

  it('stops at a signature or a list footer below the quote', () => {
    const text = 'Hi,\nOn Tue, 2 Jan 2024 at 10:00, Support wrote:\n> Which version?\n\nVersion 7.1.\n\n-- \nAlice\n\n> more history\n';
    expect(stripQuoted(text)).toMatchObject({ visible: 'Hi,\n\nVersion 7.1.', signature: '-- \nAlice' });
  });

  it('keeps everything below an attribution without > marks as history (it cannot tell where the original ends)', () => {
    const text = 'My answer.\n\nOn 2 Jan 2024, Support wrote:\n\nThe original text, not quoted.\n';
    expect(stripQuoted(text).visible).toBe('My answer.');
  });

  it('takes the unmarked tail of a wrapped quoted line for part of the quote, not an answer', () => {
    const text = 'Top answer.\n\nOn 2 Jan 2024, Support <support@casemail.example> wrote:\n' +
      '> We replaced the board and the recorder should start again; could you\ncheck it\n> before Friday?\n';
    expect(stripQuoted(text).visible).toBe('Top answer.');
  });
});

describe('attributions naming a third party never stay on the timeline', () => {
  it.each([
    'Max Mustermann <max.mustermann@beispiel.example> schrieb am Fr., 28. Apr. 2017 um 11:53 Uhr:',
    'Jan Jansen <jan@voorbeeld.example> schreef op vr 28 apr. 2017 om 11:53:',
    'Ola Nordmann <ola@eksempel.example> skrev den 28. apr. 2017 kl. 11:53:',
  ])('%s', (attribution) => {
    const text = `Danke, das hilft.\n\n${attribution}\n> Bitte starten Sie den Dienst neu.\n`;
    const result = stripQuoted(text);
    expect(result.visible).toBe('Danke, das hilft.');
    expect(result.visible).not.toContain('@');
  });

  it('does not take an ordinary sentence with an address and a date for one', () => {
    const text = 'Please write to Max <max@beispiel.example> wrote the number 42 on the form: see below\n';
    expect(stripQuoted(text).visible).toBe(text.trim());
  });
});

describe('attributions in the languages of our customers, on one line or wrapped before the address', () => {
  const attributions = [
    'On Fri, Apr 28, 2017 at 11:53 AM Max Mustermann <max@beispiel.example> wrote:',
    'Max Mustermann <max@beispiel.example> wrote on Fri, 28 Apr 2017 11:53:',
    'Am Fr., 28. Apr. 2017 um 11:53 Uhr schrieb Max Mustermann <max@beispiel.example>:',
    'Le ven. 28 avr. 2017 à 11:53, Max <max@beispiel.example> a écrit :',
    'El vie., 28 abr. 2017 a las 11:53, Max (<max@beispiel.example>) escribió:',
    'Il giorno ven 28 apr 2017 alle ore 11:53 Max <max@beispiel.example> ha scritto:',
    'Em sex., 28 de abr. de 2017 às 11:53, Max <max@beispiel.example> escreveu:',
    'Op vr 28 apr. 2017 om 11:53 schreef Max <max@beispiel.example>:',
    'fre 28 apr. 2017 kl 11:53 skrev Max <max@beispiel.example>:',
    'pt., 28 kwi 2017 o 11:53 Max <max@beispiel.example> napisał(a):',
    'Dne 28. 4. 2017 v 11:53 Max Mustermann <max@beispiel.example> napsal(a):',
    'Max Mustermann <max@beispiel.example> ezt írta (időpont: 2017. ápr. 28., P, 11:53):',
    'пт, 28 апр. 2017 г. в 11:53, Max <max@beispiel.example>:',
    '28.04.2017 11:53, Max Mustermann пишет:',
    'Max <max@beispiel.example>, 28 Nis 2017 Cum, 11:53 tarihinde şunu yazdı:',
    '2017年4月28日(金) 11:53 Max <max@beispiel.example>:',
    'Max <max@beispiel.example> 于2017年4月28日周五 上午11:53写道：',
    '2017년 4월 28일 (금) 오전 11:53, Max <max@beispiel.example>님이 작성:',
  ];
  it.each(attributions.flatMap((a) => [[a, a], [a.replace(' <max', '\n<max').replace(' (<max', '\n(<max'), a]]))('%s', (attribution) => {
    const result = stripQuoted(`Danke, 2 Fragen noch.\n\n${attribution}\n> alt\n`);
    expect(result.visible).toBe('Danke, 2 Fragen noch.');
  });
});

describe('a forward without text of the sender’s own', () => {
  const forwarded = 'From: Recorder Alerts <alerts@vendor.example>\nDate: Tue, 2 Jan 2024 10:00\nSubject: Recorder 12 stopped\n\nRecorder 12 stopped at 10:42.';

  it.each([
    ['Gmail', '---------- Forwarded message ---------'],
    ['Apple Mail', 'Begin forwarded message:'],
    ['German Gmail', '---------- Weitergeleitete Nachricht ---------'],
    ['French Gmail', '---------- Message transféré ---------'],
  ])('keeps the forwarded mail, marked, from %s', (_client, marker) => {
    const result = stripQuoted(`\n${marker}\n${forwarded}\n`);
    expect(result.forwarded).toBe(true);
    expect(result.visible).toBe(`${marker}\n${forwarded}`);
  });

  it('keeps an Outlook forward (a header block only) when the subject says it is a forward', () => {
    const text = `________________________________\n${forwarded}\n`;
    expect(interpret('FW: Recorder 12 stopped', text, REF).visibleText).toBe(`---------- Forwarded message ----------\n${text.trim()}`);
    expect(interpret('RE: Recorder 12 stopped', text, REF).visibleText).toBe('');
  });

  it('keeps only the sender’s words when they wrote some above the forward', () => {
    const result = stripQuoted(`FYI, see below.\n\n---------- Forwarded message ---------\n${forwarded}\n`);
    expect(result).toMatchObject({ visible: 'FYI, see below.', forwarded: false });
  });
});

describe('textToRecord', () => {
  it('records the text as sent when nothing of the sender’s own could be told apart', () => {
    const text = '> Your incident INC-000123 was opened.\n> Regards, Support\n';
    expect(stripQuoted(text).visible).toBe('');
    expect(textToRecord(stripQuoted(text).visible, text)).toBe(text.trim());
    expect(textToRecord('Thanks!', text)).toBe('Thanks!');
  });
});

describe('very long bodies', () => {
  it('a quote of 300,000 lines with nothing above it does not overflow the stack', () => {
    const text = `${'> an old line\n'.repeat(300_000)}My answer at the bottom.\n`;
    const result = stripQuoted(text);
    expect(result.visible).toBe('My answer at the bottom.');
    expect(result.quoted.split('\n')).toHaveLength(300_000);
  });
});
