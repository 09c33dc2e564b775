/**
 * What quote stripping must keep of the reply fixtures of github/email_reply_parser,
 * zapier/email-reply-parser and willdurand/EmailReplyParser, which ship no expected output
 * beside their fixtures. Each expectation names the lines of the fixture (1-based, both
 * ends included, -1 for the last line) that are the sender's own words, derived from the
 * upstream test assertions where they state them (parse_reply / getVisibleText / fragment
 * 0) and, where they only assert a fragment's first words, from reading the fixture:
 * quoted history, attributions, header blocks, "--" signatures, mobile footers and mailing
 * list footers are not the reply; a sign-off such as "-Abhishek Kona" is (as in
 * crisp-email-reply-parser's expectation for the same text). Line ranges, not text, so no
 * fixture content is copied here.
 */

export type LineRange = readonly [number, number];

export interface ReplyExpectation {
  /** Fixture path inside the collection folder. */
  fixture: string;
  lines: readonly LineRange[];
  /** willdurand's date-header test: the fixture's `[DATE]` replaced by each of these. */
  substitute?: { placeholder: string; values: readonly string[] };
}

const FIRST: readonly LineRange[] = [[1, 1]];

/** github and zapier share these fixtures (same text, test/emails/). */
const SHARED: Record<string, readonly LineRange[]> = {
  'correct_sig.txt': FIRST,
  'email_1_1.txt': [[1, 7]],
  // willdurand's testParseReply asserts this visible text for the same fixture (its email_2).
  'email_1_2.txt': [[1, 1], [9, 34]],
  'email_1_3.txt': [[1, 5]],
  'email_1_4.txt': FIRST,
  'email_1_5.txt': [[1, -1]],
  'email_1_6.txt': FIRST,
  'email_1_7.txt': FIRST,
  'email_1_8.txt': [[13, 13], [19, 19]],
  'email_2_1.txt': FIRST,
  'email_2_2.txt': FIRST,
  'email_2_3.txt': FIRST,
  'email_BlackBerry.txt': FIRST,
  'email_bullets.txt': [[1, 9]],
  'email_iPhone.txt': FIRST,
  'email_multi_word_sent_from_my_mobile_device.txt': FIRST,
  'email_one_is_not_on.txt': [[1, 5]],
  'email_sent_from_my_not_signature.txt': [[1, 3]],
  'email_sig_delimiter_in_middle_of_line.txt': [[1, 7]],
  'greedy_on.txt': [[1, 6]],
  'pathological.txt': [[1, 2]],
};

const inFolder = (folder: string, table: Record<string, readonly LineRange[]>): ReplyExpectation[] =>
  Object.entries(table).map(([file, lines]) => ({ fixture: `${folder}/${file}`, lines }));

const GITHUB: ReplyExpectation[] = [...inFolder('test/emails', SHARED), { fixture: 'test/emails/email_long_quote.txt', lines: [[1, 4], [6, 8], [10, 10]] }];

const ZAPIER: ReplyExpectation[] = inFolder('test/emails', {
  ...SHARED,
  'email_gmail.txt': FIRST,
  'email_headers_no_delimiter.txt': FIRST,
  'email_partial_quote_header.txt': [[1, 6]],
});

/** willdurand's testDateQuoteHeader: every one of these above the old text must be a quote header. */
const DATE_HEADERS = [
  'On Tue, 2011-03-01 at 18:02 +0530, Abhishek Kona wrote:',
  '2014-03-20 8:48 GMT+01:00 Rémi Dolan <do_not_reply@dolan.com>:',
  '2014-03-20 20:48 GMT+01:00 Rémi Dolan <do_not_reply@dolan.com>:',
  '2014-03-09 20:48 GMT+01:00 Rémi Dolan <do_not_reply@dolan.com>:',
  'Le 19 mars 2014 10:37, Cédric Lombardot <cedric.lombardot@gmail.com> a écrit :',
  'El 19/03/2014 11:34, Juan Pérez <juan.perez@mailcatch.com> escribió:',
  'W dniu 7 stycznia 2015 15:24 użytkownik Paweł Brzoski <pbrzoski91@gmail.com> napisał:',
  'Le 19/03/2014 11:34, Georges du chemin a écrit :',
  'W dniu 2015-01-07 14:23, pbrzoski91@gmail.com pisze: ',
  'Den 08/06/2015 kl. 21.21 skrev Test user <test@example.com>:',
  'Am 25.06.2015 um 10:55 schrieb Test user:',
  'Test user <test@example.com> schrieb:',
  '在 2016年11月8日，下午2:23，Test user <test@example.com> 写道：',
  '2016. 11. 8. 오후 12:39 Test user <test@example.com> 작성:',
  '2016/11/08 14:26、Test user <test@example.com> のメッセージ:',
];

const WILLDURAND: ReplyExpectation[] = [
  ...inFolder('tests/Fixtures', {
    'correct_sig.txt': FIRST,
    'email_1.txt': [[1, 7]],
    'email_2.txt': [[1, 1], [9, 34]],
    'email_3.txt': [[1, 5]],
    'email_4.txt': FIRST,
    'email_5.txt': [[1, -1]],
    'email_6.txt': FIRST,
    'email_9.txt': [[1, 5]],
    'email_19.txt': FIRST,
    'email_20.txt': FIRST,
    'email_21.txt': [[1, -1]],
    'email_22.txt': [[1, 5]],
    'email_23.txt': [[1, 5]],
    // "Something wrote:" followed by the sender's own lines is no quote header.
    'email_23_1.txt': [[1, 7]],
    'email_2_1.txt': FIRST,
    'email_blackberry.txt': FIRST,
    'email_bullets.txt': [[1, 9]],
    'email_custom_quote_header.txt': FIRST,
    'email_customer_quote_header_2.txt': FIRST,
    'email_customer_quote_header_3.txt': [[1, 3]],
    'email_iphone.txt': FIRST,
    'email_issue_77.txt': [[1, 8]],
    'email_multi_word_sent_from_my_mobile_device.txt': FIRST,
    'email_one_is_not_on.txt': [[1, 5]],
    'email_sent_from_my_not_signature.txt': [[1, 3]],
    'email_thread.txt': FIRST,
    'email_unquoted_reply.txt': FIRST,
    'email_w10_mail.txt': [[1, 2]],
    'email_zimbra_free_en.txt': [[1, 9]],
    'email_zimbra_free_fr.txt': [[1, 10]],
    'sig_no_empty_line.txt': FIRST,
  }),
  { fixture: 'tests/Fixtures/email_with_date_headers.txt', lines: FIRST, substitute: { placeholder: '[DATE]', values: DATE_HEADERS } },
];

export const REPLY_EXPECTATIONS: Record<string, readonly ReplyExpectation[]> = {
  'github-email-reply-parser': GITHUB,
  'zapier-email-reply-parser': ZAPIER,
  'willdurand-email-reply-parser': WILLDURAND,
};

/**
 * crisp's `first_fragment` is the first fragment, which for a bottom-posted reply is only its
 * opening line; where another upstream test states the whole visible text of the same
 * fixture, that is what counts.
 */
export const CRISP_OVERRIDES: readonly ReplyExpectation[] = [{ fixture: 'test/fixtures/email_2.txt', lines: [[1, 1], [9, 34]] }];
