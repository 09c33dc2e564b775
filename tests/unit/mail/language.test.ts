// The language of a mail from a sender we do not know: Content-Language first, then a count
// of each language's function words, else no opinion (the default locale answers).
import { describe, expect, it } from 'vitest';
import { mailLanguage, stopwordCounts } from '../../../src/mail/language.js';

const mail = (text: string, subject = '', headers: Record<string, string[]> = {}) => ({ text, subject, headers: new Map(Object.entries(headers)) });

describe('mailLanguage', () => {
  it('reads Content-Language, first tag, region ignored', () => {
    expect(mailLanguage(mail('The printer is offline.', '', { 'content-language': ['fr-FR, en'] }))).toBe('fr');
    expect(mailLanguage(mail('Bonjour, je ne peux pas imprimer.', '', { 'content-language': ['en-GB'] }))).toBe('en');
  });

  it('ignores a Content-Language we do not answer in and counts words instead', () => {
    expect(mailLanguage(mail("Bonjour, l'imprimante ne fonctionne plus depuis la mise à jour. Merci de votre aide.", '', { 'content-language': ['de'] }))).toBe('fr');
  });

  it('detects French and English text', () => {
    expect(mailLanguage(mail("Bonjour,\nnotre enregistreur ne démarre plus depuis ce matin. Pouvez-vous nous aider ?\nCordialement", 'Problème'))).toBe('fr');
    expect(mailLanguage(mail('Hello,\nour recorder does not start since this morning. Can you help us?\nRegards', 'Problem'))).toBe('en');
  });

  it('has no opinion on too little or mixed text', () => {
    expect(mailLanguage(mail('Merci'))).toBeNull();
    expect(mailLanguage(mail('le la les the and is'))).toBeNull();
    expect(mailLanguage(mail(''))).toBeNull();
  });

  it('reads only the start of a long body', () => {
    const counts = stopwordCounts(`${'x '.repeat(3000)}${'le '.repeat(1000)}`);
    expect(counts.fr).toBeLessThan(1000);
    expect(stopwordCounts(' '.repeat(200_000)).en).toBe(0);
  });
});
