/**
 * The hidden preheader (the preview line inbox lists show after the subject). MJML hides
 * it with white text on white (`color:#ffffff`, 1px font), which SpamAssassin scores as
 * HTML_FONT_LOW_CONTRAST (0.7 points) on every mail. Hidden the mail-client-safe way
 * instead: display:none for clients that honour it, zero size and overflow hidden for
 * those that do not, mso-hide for Outlook; no colour at all, so no low-contrast text.
 */
const MJML_PREVIEW = /<div style="display:none;[^"]*">/;

export const PREHEADER_STYLE = 'display:none;max-height:0;max-width:0;overflow:hidden;mso-hide:all;';

/** `html` (as MJML wrote it) with its preview div restyled; other markup untouched. */
export function hidePreheader(html: string): string {
  return html.replace(MJML_PREVIEW, `<div style="${PREHEADER_STYLE}">`);
}
