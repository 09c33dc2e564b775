/**
 * The OAuth2 part of a test Dovecot (2.3): an oauth2 passdb that validates each presented
 * access token with the authorization server's introspection endpoint, the way a mail
 * provider checks the tokens casemail presents over XOAUTH2 and OAUTHBEARER.
 */

export interface DovecotOAuth2Options {
  /** Dovecot POSTs token=<access token> here and expects {"active": true, "username": …}. */
  introspectionUrl: string;
  /** SASL mechanisms offered for tokens; both by default, ['xoauth2'] as Microsoft 365 does. */
  mechanisms?: Array<'xoauth2' | 'oauthbearer'>;
}

export const oauth2Mechanisms = (oauth2: DovecotOAuth2Options): string => (oauth2.mechanisms ?? ['xoauth2', 'oauthbearer']).join(' ');

/** Tokens go only to this passdb; the passwd-file passdb before it keeps serving passwords. */
export function oauth2Passdb(dir: string, oauth2: DovecotOAuth2Options): string {
  return `passdb {
  driver = oauth2
  mechanisms = ${oauth2Mechanisms(oauth2)}
  args = ${dir}/dovecot-oauth2.conf.ext
}
`;
}

/**
 * dovecot-oauth2.conf.ext. Without tokeninfo_url Dovecot goes straight to introspection;
 * force_introspection makes it check active_attribute. Nothing is cached (auth_cache_size is
 * 0), so a token that expired or was revoked is refused at the next login.
 */
export function renderOAuth2Config(oauth2: DovecotOAuth2Options): string {
  return `introspection_mode = post
introspection_url = ${oauth2.introspectionUrl}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
`;
}
