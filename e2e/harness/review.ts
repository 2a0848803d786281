/**
 * A reviewer working a requisition by keyboard only, the way UX.md describes: Enter confirms,
 * Shift+Enter confirms a flagged field, typing replaces a value, Alt+B marks blank-on-the-form.
 * The "page" the reviewer looks at is the ground truth of the synthetic fax.
 */
import type { Page } from 'playwright-core';
import type { PageTruth } from '@nexession/testkit';

export interface ReviewPlan {
  truth: PageTruth;
  /** One field the reviewer deliberately changes, with the value typed. */
  correction: { key: string; value: string };
}

export interface ReviewLog {
  corrected: string[];
  blank: string[];
  flaggedConfirmed: string[];
  fieldsSeen: number;
}

const normalise = (s: string | null | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim();

async function focusedTestId(page: Page): Promise<string | null> {
  return page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
}

export async function reviewByKeyboard(page: Page, plan: ReviewPlan): Promise<ReviewLog> {
  const log: ReviewLog = { corrected: [], blank: [], flaggedConfirmed: [], fieldsSeen: 0 };
  await page.getByTestId('review').waitFor();
  for (let guard = 0; guard < 400; guard++) {
    const id = await focusedTestId(page);
    if (id === 'identity-confirm') return log;
    if (!id?.startsWith('field-input-')) {
      throw new Error(`focus left the review flow: ${id ?? 'nothing focused'}`);
    }
    const key = id.slice('field-input-'.length);
    log.fieldsSeen++;
    const row = page.getByTestId(`field-${key}`);
    const input = page.getByTestId(id);
    const flagged = (await row.getAttribute('data-flagged')) === 'true';
    const truth = plan.truth.fields[key];
    const type = await input.getAttribute('type');
    if (type === 'checkbox') {
      const want = truth?.kind === 'checkbox' ? truth.state === 'marked' : false;
      for (let i = 0; i < 3; i++) {
        const st = await input.evaluate((el) => ({ checked: (el as HTMLInputElement).checked, ind: (el as HTMLInputElement).indeterminate }));
        if (!st.ind && st.checked === want) break;
        await page.keyboard.press('Space');
      }
    } else {
      const shown = normalise(await input.inputValue());
      const written = truth?.kind === 'text' ? truth.value : null;
      if (key === plan.correction.key) {
        await page.keyboard.press('Control+A');
        await page.keyboard.type(plan.correction.value);
        log.corrected.push(key);
      } else if (written === null || normalise(written) === '') {
        if (shown !== '') {
          await page.keyboard.press('Control+A');
          await page.keyboard.press('Backspace');
        }
        await page.keyboard.press('Alt+B');
        log.blank.push(key);
        await waitForFocusToLeave(page, id);
        continue;
      } else if (shown !== normalise(written)) {
        await page.keyboard.press('Control+A');
        await page.keyboard.type(written);
        log.corrected.push(key);
      }
    }
    if (flagged) log.flaggedConfirmed.push(key);
    await page.keyboard.press(flagged ? 'Shift+Enter' : 'Enter');
    await waitForFocusToLeave(page, id);
  }
  throw new Error('review did not reach the identity step');
}

async function waitForFocusToLeave(page: Page, id: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const now = await focusedTestId(page);
    if (now !== id) return;
    const notice = page.getByTestId(`notice-${id.slice('field-input-'.length)}`);
    if (await notice.count()) {
      throw new Error(`field ${id} refused: ${await notice.getAttribute('data-kind')} ${await notice.textContent()}`);
    }
    await page.waitForTimeout(50);
  }
  throw new Error(`focus stayed on ${id}`);
}
