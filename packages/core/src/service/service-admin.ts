/**
 * The admin of a service: one password and one TOTP secret, set by the first `setup`. The TOTP
 * secret is sealed under the admin password (scrypt), so the password unlocks the secret and the
 * secret checks the code; neither is stored in the clear. Each code is spent once: its RFC 6238
 * time step must be later than the last one spent.
 *
 * @module
 */

import { utf8Decode, utf8Encode } from '../crypto/encoding.js';
import { openWithPassword, sealWithPassword } from '../crypto/password-seal.js';
import { generateTotpSecret, totpProvisioningUri, verifyTotpCode } from '../crypto/totp.js';
import { AcquireError, ErrorCode } from '../errors.js';
import type { Clock } from '../time/clock.js';
import type { StoredAdmin } from './service-identity.js';

/** Fresh admin credentials and the URI to show the admin once. */
export interface NewAdminCredentials {
  /** What to store. */
  readonly admin: StoredAdmin;
  /** The `otpauth://` URI for the admin's authenticator app; it holds the secret. */
  readonly provisioningUri: string;
}

/**
 * Makes admin credentials: a new TOTP secret sealed under the admin password.
 *
 * @param password - the admin password
 * @param serviceUrl - the service's canonical URL, shown in the authenticator app
 * @param logN - scrypt cost
 * @returns the stored form and the provisioning URI
 */
export async function createAdminCredentials(
  password: string,
  serviceUrl: string,
  logN: number,
): Promise<NewAdminCredentials> {
  const secret = generateTotpSecret();
  const sealedTotpSecret = await sealWithPassword(utf8Encode(secret), password, { logN });
  const account = `admin@${new URL(serviceUrl).host}`;

  return {
    admin: { sealedTotpSecret, lastCodeStep: -1 },
    provisioningUri: totpProvisioningUri(secret, account),
  };
}

/**
 * Checks the admin password and one-time code. A wrong password, a wrong code and a code
 * already spent all give the same error, so a caller learns nothing about which was wrong.
 *
 * @param admin - the stored admin credentials
 * @param password - the password given
 * @param code - the one-time code given
 * @param clock - the time source
 * @returns the TOTP time step of the code, to record as spent
 * @throws AcquireError `ADMIN_AUTHENTICATION_FAILED`
 */
export async function verifyAdminCredentials(
  admin: StoredAdmin,
  password: string,
  code: string,
  clock: Clock,
): Promise<number> {
  let secret: string;
  try {
    secret = utf8Decode(await openWithPassword(admin.sealedTotpSecret, password));
  } catch (cause) {
    if (AcquireError.is(cause, ErrorCode.WRONG_PASSWORD)) {
      throw adminAuthenticationFailed();
    }
    throw cause;
  }

  const step = verifyTotpCode(secret, code, clock);
  if (step === undefined || step <= admin.lastCodeStep) {
    throw adminAuthenticationFailed();
  }
  return step;
}

function adminAuthenticationFailed(): AcquireError {
  return new AcquireError(
    ErrorCode.ADMIN_AUTHENTICATION_FAILED,
    'admin password or one-time code is wrong, or the code was already used',
  );
}
