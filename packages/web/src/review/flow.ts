/**
 * The review flow as a pure state machine: keys and edits in, new state and effects out.
 * The screen renders the state and carries out the effects (save to the server, move focus,
 * open the escalation dialog); it holds no review logic of its own, so this file is the
 * whole answer to "what does Enter do here".
 *
 * The rules (UX.md):
 * - Enter confirms the current field and moves on; a typed value is saved as a correction.
 * - A flagged, unreviewed field is never confirmed by a bare Enter: it needs Shift+Enter,
 *   and the screen says why.
 * - Tab / Shift+Tab (and the arrow keys) move without confirming; typed values stay as drafts.
 * - Alt+B records "blank on the form"; Alt+E opens escalation.
 * - Saves are optimistic (the screen answers at once) and undone if the server refuses.
 */
import type {
  FieldValue,
  Identity,
  IdentityWarning,
  ReviewAction,
  ReviewAnswer,
  ReviewField,
  Validation,
} from '../api/types.ts';
import { readingOrder } from './order.ts';
import { draftDiffers, draftValue, displayText, needsDeliberateConfirm, type Draft } from './values.ts';

export type Step = { kind: 'field'; key: string } | { kind: 'identity' };

export type NoticeKind = 'flag_needs_shift' | 'empty_value' | 'undecided_box' | 'save_failed';

export interface Notice {
  kind: NoticeKind;
  key: string;
  message: string;
}

export interface FlowState {
  /** Field keys in the form's reading order. */
  order: string[];
  fields: Record<string, ReviewField>;
  step: Step;
  drafts: Record<string, Draft>;
  /** Saves sent and not yet answered, per field, with the field as it was before the first. */
  pending: Record<string, { count: number; before: ReviewField }>;
  notice: Notice | null;
  validation: Validation;
  serverBlockers: string[];
  identity: Identity | null;
  /** Identity warnings, as last computed by the server (every save brings them: they are in front of the person before the identity step). */
  identityWarnings: IdentityWarning[];
}

export interface KeyInput {
  key: string;
  /** `KeyboardEvent.code`: layout-independent, so Alt+B works whatever Alt+B types. */
  code: string;
  shiftKey: boolean;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}

export interface SaveRequest {
  action: ReviewAction;
  value?: FieldValue;
  acknowledgeFlags?: boolean;
}

export type Effect =
  | { type: 'save'; key: string; request: SaveRequest }
  | { type: 'focus'; step: Step }
  | { type: 'openEscalate' };

export type FlowEvent =
  | { type: 'key'; input: KeyInput }
  /** Text typed into a field's input (typing replaces the value: the input selects all on focus). */
  | { type: 'edit'; key: string; text: string }
  /** A checkbox field toggled (Space or click). */
  | { type: 'toggle'; key: string }
  /** The focus arrived on a field or on the identity step by any path (click, screen reader, Tab). */
  | { type: 'focus'; step: Step }
  | { type: 'saved'; key: string; answer: ReviewAnswer }
  | { type: 'saveFailed'; key: string; code: string; message: string }
  | { type: 'identityConfirmed'; identity: Identity; releaseBlockers: string[]; validation?: Validation; identityWarnings?: IdentityWarning[] }
  /** The server refused a release and said why. */
  | { type: 'serverBlockers'; releaseBlockers: string[] }
  | { type: 'dismissNotice' };

export interface Result {
  state: FlowState;
  effects: Effect[];
  /** Whether the key was the flow's (the screen then prevents the browser's default). */
  handled: boolean;
}

export interface FlowInit {
  fields: ReviewField[];
  validation: Validation;
  releaseBlockers: string[];
  identity: Identity | null;
  identityWarnings?: IdentityWarning[];
}

/** Opens at the first unreviewed field, so a reviewer signed out mid-way resumes where they were. */
export function initFlow(init: FlowInit): FlowState {
  const order = readingOrder(init.fields);
  const fields: Record<string, ReviewField> = {};
  for (const f of init.fields) fields[f.key] = f;
  const firstOpen = order.find((k) => fields[k]?.review.state === 'unreviewed');
  let step: Step = { kind: 'identity' };
  if (firstOpen !== undefined) step = { kind: 'field', key: firstOpen };
  else if (init.identity !== null && order[0] !== undefined) step = { kind: 'field', key: order[0] };
  return {
    order,
    fields,
    step,
    drafts: {},
    pending: {},
    notice: null,
    validation: init.validation,
    serverBlockers: init.releaseBlockers,
    identity: init.identity,
    identityWarnings: init.identityWarnings ?? [],
  };
}

export function currentField(state: FlowState): ReviewField | null {
  return state.step.kind === 'field' ? (state.fields[state.step.key] ?? null) : null;
}

export function pendingCount(state: FlowState): number {
  let n = 0;
  for (const p of Object.values(state.pending)) n += p.count;
  return n;
}

const NONE = (state: FlowState): Result => ({ state, effects: [], handled: false });

export function reduce(state: FlowState, event: FlowEvent): Result {
  switch (event.type) {
    case 'key':
      return onKey(state, event.input);
    case 'edit':
      return onEdit(state, event.key, event.text);
    case 'toggle':
      return onToggle(state, event.key);
    case 'focus': {
      const same =
        state.step.kind === event.step.kind && (event.step.kind === 'identity' || (state.step.kind === 'field' && state.step.key === event.step.key));
      if (same) return { state, effects: [], handled: true };
      return { state: { ...state, step: event.step, notice: null }, effects: [], handled: true };
    }
    case 'saved':
      return onSaved(state, event.key, event.answer);
    case 'saveFailed':
      return onSaveFailed(state, event.key, event.code, event.message);
    case 'identityConfirmed':
      return {
        state: {
          ...state,
          identity: { ...event.identity, current: true },
          identityWarnings: event.identityWarnings ?? event.identity.warnings ?? state.identityWarnings,
          serverBlockers: event.releaseBlockers,
          validation: event.validation ?? state.validation,
        },
        effects: [],
        handled: true,
      };
    case 'serverBlockers':
      return { state: { ...state, serverBlockers: event.releaseBlockers }, effects: [], handled: true };
    case 'dismissNotice':
      return { state: { ...state, notice: null }, effects: [], handled: true };
  }
}

function onKey(state: FlowState, input: KeyInput): Result {
  const field = currentField(state);
  if (!field) return NONE(state);
  if (input.ctrlKey || input.metaKey) return NONE(state);
  if (input.altKey) {
    if (input.code === 'KeyB') return markBlank(state, field);
    if (input.code === 'KeyE') return { state: { ...state, notice: null }, effects: [{ type: 'openEscalate' }], handled: true };
    return NONE(state);
  }
  switch (input.key) {
    case 'Enter':
      return commit(state, field, input.shiftKey);
    case 'Tab':
      return move(state, input.shiftKey ? -1 : 1, input.shiftKey);
    case 'ArrowDown':
      return move(state, 1, false);
    case 'ArrowUp':
      return move(state, -1, false);
    case 'Escape': {
      if (!(field.key in state.drafts) && state.notice === null) return NONE(state);
      const drafts = { ...state.drafts };
      delete drafts[field.key];
      return { state: { ...state, drafts, notice: null }, effects: [], handled: true };
    }
    default:
      return NONE(state);
  }
}

/**
 * Moves by one field. Past the last field comes the identity step. Before the first field the
 * key is not ours (Shift+Tab then reaches the page viewer's controls as the browser would).
 */
function move(state: FlowState, delta: 1 | -1, releaseAtStart: boolean): Result {
  if (state.step.kind !== 'field') return NONE(state);
  const i = state.order.indexOf(state.step.key);
  const j = i + delta;
  if (j < 0) return releaseAtStart ? NONE(state) : { state, effects: [], handled: true };
  const next: Step = j >= state.order.length ? { kind: 'identity' } : { kind: 'field', key: state.order[j] as string };
  return { state: { ...state, step: next, notice: null }, effects: [{ type: 'focus', step: next }], handled: true };
}

function advance(state: FlowState, effects: Effect[]): Result {
  const moved = move(state, 1, false);
  return { state: moved.state, effects: [...effects, ...moved.effects], handled: true };
}

function notice(state: FlowState, kind: NoticeKind, key: string, message: string): Result {
  return { state: { ...state, notice: { kind, key, message } }, effects: [], handled: true };
}

export function flagWords(field: ReviewField): string {
  return field.flags.map((f) => f.message).join('; ');
}

function commit(state: FlowState, field: ReviewField, shift: boolean): Result {
  const draft = state.drafts[field.key];
  if (draft && draftDiffers(draft, field.value)) {
    if (draft.kind === 'text' && draft.text.trim() === '') {
      return notice(
        state,
        'empty_value',
        field.key,
        `${field.label}: the value is empty. If the form leaves it blank, press Alt+B; Esc restores the value.`,
      );
    }
    // Typing is itself the deliberate act: the person replaced what the machine read.
    return save(state, field, { action: 'correct', value: draftValue(draft), acknowledgeFlags: field.flags.length > 0 });
  }
  if (field.review.state !== 'unreviewed') {
    const drafts = dropDraft(state.drafts, field.key);
    return advance({ ...state, drafts }, []);
  }
  if (field.kind === 'checkbox' && field.value === null) {
    return notice(
      state,
      'undecided_box',
      field.key,
      `${field.label}: the machine could not decide this box (${flagWords(field) || 'no decision'}). Press Space to set it marked or empty, then Enter.`,
    );
  }
  if (needsDeliberateConfirm(field) && !shift) {
    return notice(
      state,
      'flag_needs_shift',
      field.key,
      `Not confirmed: ${field.label} is flagged (${flagWords(field)}). Compare it with the crop, then press Shift+Enter to confirm it, or type the correct value.`,
    );
  }
  return save(state, field, needsDeliberateConfirm(field) ? { action: 'confirm', acknowledgeFlags: true } : { action: 'confirm' });
}

function markBlank(state: FlowState, field: ReviewField): Result {
  if (field.review.state === 'absent_on_source' && !(field.key in state.drafts)) return advance(state, []);
  return save(state, field, { action: 'absent_on_source', value: null });
}

function dropDraft(drafts: Record<string, Draft>, key: string): Record<string, Draft> {
  if (!(key in drafts)) return drafts;
  const next = { ...drafts };
  delete next[key];
  return next;
}

/** Applies a review at once (the screen answers before the server does) and moves on. */
function save(state: FlowState, field: ReviewField, request: SaveRequest): Result {
  const optimistic = applyLocally(field, request);
  const prior = state.pending[field.key];
  const pending = {
    ...state.pending,
    [field.key]: { count: (prior?.count ?? 0) + 1, before: prior?.before ?? field },
  };
  // Any save of a patient field makes an earlier identity confirmation stale (the server agrees).
  const identity = state.identity && field.role.startsWith('patient.') ? { ...state.identity, current: false } : state.identity;
  const next: FlowState = {
    ...state,
    identity,
    fields: { ...state.fields, [field.key]: optimistic },
    drafts: dropDraft(state.drafts, field.key),
    pending,
    notice: null,
  };
  return advance(next, [{ type: 'save', key: field.key, request }]);
}

export function applyLocally(field: ReviewField, request: SaveRequest): ReviewField {
  switch (request.action) {
    case 'confirm':
      return { ...field, review: { state: 'confirmed', after: field.value } };
    case 'correct': {
      const value = request.value ?? null;
      return { ...field, value, review: { state: 'corrected', before: field.value, after: value } };
    }
    case 'absent_on_source':
      return { ...field, value: null, review: { state: 'absent_on_source', before: field.value, after: null } };
  }
}

function onEdit(state: FlowState, key: string, text: string): Result {
  const field = state.fields[key];
  if (!field || field.kind === 'checkbox') return NONE(state);
  const drafts = { ...state.drafts };
  if (text === displayText(field.value)) delete drafts[key];
  else drafts[key] = { kind: 'text', text };
  const notice = state.notice?.key === key ? null : state.notice;
  return { state: { ...state, drafts, notice }, effects: [], handled: true };
}

function onToggle(state: FlowState, key: string): Result {
  const field = state.fields[key];
  if (!field || field.kind !== 'checkbox') return NONE(state);
  const draft = state.drafts[key];
  const shown = draft?.kind === 'checkbox' ? draft.checked : field.value;
  const checked = shown !== true;
  const drafts = { ...state.drafts };
  if (checked === field.value) delete drafts[key];
  else drafts[key] = { kind: 'checkbox', checked };
  const notice = state.notice?.key === key ? null : state.notice;
  return { state: { ...state, drafts, notice }, effects: [], handled: true };
}

function onSaved(state: FlowState, key: string, answer: ReviewAnswer): Result {
  const p = state.pending[key];
  const pending = { ...state.pending };
  let fields = state.fields;
  if (!p || p.count <= 1) {
    delete pending[key];
    fields = { ...state.fields, [key]: answer.field };
  } else {
    // A later save of the same field is still on its way: keep showing what the person did last.
    pending[key] = { count: p.count - 1, before: p.before };
  }
  return {
    state: { ...state, fields, pending, validation: answer.validation, serverBlockers: answer.releaseBlockers, identityWarnings: answer.identityWarnings ?? state.identityWarnings },
    effects: [],
    handled: true,
  };
}

function onSaveFailed(state: FlowState, key: string, code: string, message: string): Result {
  const p = state.pending[key];
  const pending = { ...state.pending };
  let fields = state.fields;
  if (p) {
    if (p.count <= 1) {
      delete pending[key];
      fields = { ...state.fields, [key]: p.before };
    } else {
      pending[key] = { count: p.count - 1, before: p.before };
    }
  }
  const label = state.fields[key]?.label ?? key;
  const why =
    code === 'flag_not_acknowledged'
      ? `${label} is flagged on the server: press Shift+Enter on it to confirm it deliberately.`
      : `${label} was not saved: ${message}. It is back to how it was; review it again.`;
  // The focus stays where the person is; the message names the field that needs them.
  return { state: { ...state, fields, pending, notice: { kind: 'save_failed', key, message: why } }, effects: [], handled: true };
}
