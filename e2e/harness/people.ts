/**
 * People set up through the product's own screens: the first administrator from the printed
 * setup link, others from invite links an administrator creates. TOTP codes are computed from
 * the secret the enrolment screen shows, the way an authenticator app would.
 */
import { TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface Person {
  username: string;
  password: string;
  secret: string;
}

/** The last code each person used: the server refuses a code twice (replay). */
const lastCode = new Map<string, string>();

export function totpNow(secret: string): string {
  return new TOTP({ secret, digits: 6, period: 30, algorithm: 'SHA1' }).generate();
}

/** A code that will not expire in the next few seconds (the server may also refuse reuse of a code). */
export async function freshTotp(secret: string, lastUsed?: string): Promise<string> {
  for (;;) {
    const left = 30 - (Math.floor(Date.now() / 1000) % 30);
    const code = totpNow(secret);
    if (left > 3 && code !== lastUsed) return code;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export async function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1600, height: 1000 } });
}

/** Completes a setup or invite link: password, then TOTP enrolment. */
export async function enrol(page: Page, link: string, username: string, password: string): Promise<Person> {
  await page.goto(link);
  await page.getByTestId('setup-password').waitFor();
  const user = page.getByTestId('setup-username');
  if (await user.count()) await user.fill(username);
  await page.getByTestId('setup-password').fill(password);
  await page.getByTestId('setup-password-repeat').fill(password);
  await page.getByTestId('setup-password-submit').click();
  for (let i = 0; !(await page.getByTestId('setup-secret').count()); i++) {
    const said = (await page.locator('[data-testid="setup-error"], [data-testid="setup-invalid"]').allTextContents()).join(' ').trim();
    if (said) throw new Error(`setup refused: ${said}`);
    if (i > 600) throw new Error('the enrolment screen never showed a TOTP secret');
    await page.waitForTimeout(100);
  }
  const secret = await page.getByTestId('setup-secret').getAttribute('data-secret');
  if (!secret) throw new Error('enrolment screen showed no TOTP secret');
  const code = await freshTotp(secret);
  lastCode.set(username, code);
  await page.getByTestId('setup-totp-code').fill(code);
  await page.getByTestId('setup-totp-submit').click();
  await page.getByTestId('setup-done').waitFor();
  return { username, password, secret };
}

export async function signIn(page: Page, baseUrl: string, person: Person): Promise<void> {
  await page.goto(`${baseUrl}/signin`);
  await page.getByTestId('signin-username').fill(person.username);
  await page.getByTestId('signin-password').fill(person.password);
  await page.keyboard.press('Enter');
  await page.getByTestId('totp-code').waitFor();
  const code = await freshTotp(person.secret, lastCode.get(person.username));
  lastCode.set(person.username, code);
  await page.getByTestId('totp-code').fill(code);
  await page.keyboard.press('Enter');
  await page.getByTestId('sign-out').waitFor();
}

export async function invite(admin: Page, baseUrl: string, username: string, roles: string[]): Promise<string> {
  await admin.goto(`${baseUrl}/admin/users`);
  await admin.getByTestId('user-username').fill(username);
  await admin.getByTestId('user-display-name').fill(`Test ${username}`);
  for (const r of roles) await admin.getByTestId(`user-role-${r}`).check();
  await admin.getByTestId('user-create').click();
  const url = await admin.getByTestId('user-invite-url').textContent();
  if (!url) throw new Error('no invite link shown');
  return url.trim();
}
