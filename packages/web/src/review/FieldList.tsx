/**
 * The fields in the form's reading order, grouped by section. Every row: status (icon and
 * words), label, the value input, the crop, the confidence or checkbox numbers and the flags in
 * words. The current row opens to a large crop and the full evidence. Rows never change shape
 * around their input, so the focus stays put while the list updates.
 */
import { memo, type KeyboardEvent, type Ref } from 'react';
import type { ReviewField } from '../api/types.ts';
import { Crop } from './Crop.tsx';
import type { FlowEvent, Notice } from './flow.ts';
import type { Section } from './order.ts';
import { fieldStatus } from './status.ts';
import { checkboxDecisionWords, displayText, draftDiffers, percent, ratio, roleContext, valueWords, type Draft } from './values.ts';

interface ListProps {
  requisitionId: string;
  sections: Section[];
  fields: Record<string, ReviewField>;
  drafts: Record<string, Draft>;
  pending: Record<string, unknown>;
  currentKey: string | null;
  notice: Notice | null;
  dispatch: (e: FlowEvent) => boolean;
  inputRef: (key: string) => Ref<HTMLInputElement>;
}

export function FieldList(props: ListProps) {
  return (
    <div className="field-list" data-testid="field-list">
      {props.sections.map((s) => (
        <div key={s.name} className="field-section" role="group" aria-labelledby={`section-${slug(s.name)}`}>
          <h3 className="section-title" id={`section-${slug(s.name)}`}>
            {s.name}
          </h3>
          {s.keys.map((key) => {
            const field = props.fields[key];
            if (!field) return null;
            const isCurrent = key === props.currentKey;
            return (
              <FieldRow
                key={key}
                requisitionId={props.requisitionId}
                field={field}
                draft={props.drafts[key]}
                saving={key in props.pending}
                current={isCurrent}
                notice={props.notice?.key === key ? props.notice : null}
                dispatch={props.dispatch}
                inputRef={props.inputRef(key)}
              />
            );
          })}
        </div>
      ))}
    </div>
  );
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

interface RowProps {
  requisitionId: string;
  field: ReviewField;
  draft: Draft | undefined;
  saving: boolean;
  current: boolean;
  notice: Notice | null;
  dispatch: (e: FlowEvent) => boolean;
  inputRef: Ref<HTMLInputElement>;
}

function evidenceShort(f: ReviewField): string {
  if (f.kind === 'checkbox' && f.checkbox) return checkboxDecisionWords(f.checkbox);
  if (f.confidence !== null && !f.flags.some((fl) => fl.code === 'ocr_low_confidence')) return `OCR ${percent(f.confidence)}`;
  return '';
}

const FieldRow = memo(function FieldRow(props: RowProps) {
  const { field: f, draft, current, notice, dispatch, requisitionId } = props;
  const id = `f-${f.key}`;
  const unsaved = draft !== undefined && draftDiffers(draft, f.value);
  const status = fieldStatus(f, unsaved);
  const flagged = f.flags.length > 0;
  const describedBy = [`${id}-status`, flagged ? `${id}-flags` : '', `${id}-evidence`, notice ? `${id}-notice` : ''].filter(Boolean).join(' ');

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.nativeEvent.isComposing) return;
    const handled = dispatch({
      type: 'key',
      input: { key: e.key, code: e.code, shiftKey: e.shiftKey, altKey: e.altKey, ctrlKey: e.ctrlKey, metaKey: e.metaKey },
    });
    if (handled) e.preventDefault();
  };
  const onFocus = (e: { currentTarget: HTMLInputElement }) => {
    dispatch({ type: 'focus', step: { kind: 'field', key: f.key } });
    // Typing replaces the value: the whole text is selected when the field is reached.
    if (e.currentTarget.type === 'text') e.currentTarget.select();
  };

  const shownBool = draft?.kind === 'checkbox' ? draft.checked : f.value;
  const input =
    f.kind === 'checkbox' ? (
      <span className="check-value">
        <input
          id={`${id}-input`}
          ref={(el) => {
            if (el) el.indeterminate = shownBool === null;
            setRef(props.inputRef, el);
          }}
          type="checkbox"
          checked={shownBool === true}
          onChange={() => dispatch({ type: 'toggle', key: f.key })}
          onKeyDown={onKeyDown}
          onFocus={onFocus}
          tabIndex={current ? 0 : -1}
          aria-describedby={describedBy}
          data-testid={`field-input-${f.key}`}
        />
        <span className="check-words" aria-hidden="true">
          {shownBool === null ? 'undecided' : shownBool ? 'marked' : 'empty'}
        </span>
      </span>
    ) : (
      <input
        id={`${id}-input`}
        ref={props.inputRef}
        type="text"
        className="value-input"
        value={draft?.kind === 'text' ? draft.text : displayText(f.value)}
        placeholder="(blank)"
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => dispatch({ type: 'edit', key: f.key, text: e.target.value })}
        onKeyDown={onKeyDown}
        onFocus={onFocus}
        tabIndex={current ? 0 : -1}
        aria-describedby={describedBy}
        data-testid={`field-input-${f.key}`}
      />
    );

  return (
    <div
      className={`field-row tone-${status.tone} ${current ? 'current' : ''}`}
      data-testid={`field-${f.key}`}
      data-state={f.review.state}
      data-flagged={flagged ? 'true' : 'false'}
      data-current={current ? 'true' : 'false'}
      onMouseDown={(e) => {
        // A click anywhere on the row makes it current (the input takes the focus).
        if (e.target instanceof HTMLElement && e.target.tagName !== 'INPUT') {
          e.preventDefault();
          document.getElementById(`${id}-input`)?.focus();
        }
      }}
    >
      <div className="row-line">
        <span className="status-icon" aria-hidden="true">
          {current ? '▶' : status.icon}
        </span>
        <span className="label-cell">
          <label className="field-label" htmlFor={`${id}-input`}>
            {roleContext(f) && <span className="role-context">{roleContext(f)} › </span>}
            {f.label}
            {f.test && <span className="test-code"> {f.test.code}</span>}
          </label>
          <span className="status-words">
            <span id={`${id}-status`}>{props.saving ? 'saving…' : status.words}</span>
            {!current && evidenceShort(f) !== '' && <span id={`${id}-evidence`}> · {evidenceShort(f)}</span>}
          </span>
        </span>
        <span className="value-cell">{input}</span>
        <span className="thumb-cell">{!current && <Crop requisitionId={requisitionId} field={f} variant="thumb" />}</span>
      </div>
      {flagged && (
        <p className="flag-line" id={`${id}-flags`}>
          <span aria-hidden="true">⚠ </span>
          <span className="sr-only">Flagged: </span>
          {f.flags.map((fl) => fl.message).join('; ')}
        </p>
      )}
      {current && (
        <p className="evidence" id={`${id}-evidence`}>
          <Evidence field={f} />
        </p>
      )}
      {current && (
        <div className="row-detail">
          <Crop requisitionId={requisitionId} field={f} variant="large" />
          <p className="hint">
            {flagged && f.review.state === 'unreviewed' ? (
              <>
                <kbd>Shift</kbd>+<kbd>Enter</kbd> confirm despite the flag
              </>
            ) : (
              <>
                <kbd>Enter</kbd> confirm
              </>
            )}
            {' · '}
            {f.kind === 'checkbox' ? (
              <>
                <kbd>Space</kbd> toggle
              </>
            ) : (
              'type to correct'
            )}
            {' · '}
            <kbd>Tab</kbd> skip · <kbd>Alt</kbd>+<kbd>B</kbd> blank on form · <kbd>Alt</kbd>+<kbd>E</kbd> escalate
            {unsaved && (
              <>
                {' · '}
                <kbd>Esc</kbd> undo typing
              </>
            )}
          </p>
        </div>
      )}
      {notice && (
        <p className="row-notice" id={`${id}-notice`} data-testid={`notice-${f.key}`} data-kind={notice.kind}>
          <span aria-hidden="true">⚠ </span>
          {notice.message}
        </p>
      )}
    </div>
  );
});

function setRef<T>(ref: Ref<T>, value: T | null): void {
  if (typeof ref === 'function') ref(value);
  else if (ref && typeof ref === 'object') (ref as { current: T | null }).current = value;
}

function Evidence({ field: f }: { field: ReviewField }) {
  const parts: string[] = [];
  if (f.kind === 'checkbox' && f.checkbox) {
    const c = f.checkbox;
    parts.push(`${c.dark} dark of ${c.total} pixels = fill ${ratio(c.ratio)}`);
    if (Math.abs(c.score - c.ratio) > 1e-9) parts.push(`score ${ratio(c.score)} after the blank form`);
    parts.push(`empty ≤ ${ratio(c.low)}, marked ≥ ${ratio(c.high)}, filled ≥ ${ratio(c.filled)}`);
    parts.push(`machine: ${c.state === 'review' ? 'undecided' : c.state}`);
  } else if (f.confidence !== null && !f.flags.some((fl) => fl.code === 'ocr_low_confidence')) {
    parts.push(`OCR confidence ${percent(f.confidence)}`);
  }
  if (f.review.state === 'corrected' || f.review.state === 'absent_on_source') parts.push(`was: ${valueWords(f.review.before)}`);
  if (f.machineValue !== f.value && f.review.state === 'unreviewed') parts.push(`machine read: ${valueWords(f.machineValue)}`);
  if (f.test) parts.push(`test ${f.test.code} ${f.test.name}`);
  return <>{parts.join(' · ')}</>;
}
