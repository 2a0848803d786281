/**
 * The review screen: claim the requisition, show the page and the fields, run the keyboard flow,
 * confirm identity, release, and open the next requisition at once (prefetched meanwhile).
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { api, ApiError, errorText } from '../api/client.ts';
import type { Requisition, RequisitionSummary } from '../api/types.ts';
import { navigate, useTitle } from '../router.ts';
import { setFlash, updateFlash, useFlash } from '../session/flash.ts';
import { hasRole, useSession } from '../session/session.tsx';
import { clockTime, secondsSince } from '../ui/time.ts';
import { Link } from '../ui/Link.tsx';
import { formatWaiting } from '../queue/order.ts';
import { ClassifyStep } from './ClassifyStep.tsx';
import { ReasonDialog } from './ReasonDialog.tsx';
import { FieldList } from './FieldList.tsx';
import { followDelivery, releasedWords } from './delivery.ts';
import { currentField, flagWords, pendingCount, type Effect, type Step } from './flow.ts';
import { dropOwner, loadImage, loadedImage } from './imageCache.ts';
import { identityParts } from './identity.ts';
import { IdentityStep } from './IdentityStep.tsx';
import { readingSections } from './order.ts';
import { OutlineLegend, PageViewer } from './PageViewer.tsx';
import { prefetchRequisition, takePrefetched } from './prefetch.ts';
import { ReleaseBar } from './ReleaseBar.tsx';
import { RequisitionStatus } from './RequisitionStatus.tsx';
import { releaseGate } from './release.ts';
import { useFlow } from './useFlow.ts';
import { ValidationList } from './ValidationList.tsx';

const REVIEWABLE = new Set(['ready_for_review', 'in_review', 'escalated']);

type Load =
  | { kind: 'loading' }
  | { kind: 'held'; message: string }
  | { kind: 'error'; message: string }
  /** Not open for review (released, delivered, rejected), or not for this person's role: where it stands, no PHI. */
  | { kind: 'status'; summary: RequisitionSummary }
  | { kind: 'ready'; req: Requisition };

function shortId(id: string): string {
  return id.slice(0, 8);
}

export function ReviewScreen({ id }: { id: string }) {
  useTitle(`Review ${shortId(id)}`);
  const { me } = useSession();
  const reviewer = hasRole(me, 'reviewer', 'lead_reviewer');
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [generation, setGeneration] = useState(0);

  // After the form of an unrecognised page is chosen, its new fields are loaded afresh.
  const reload = () => {
    api.requisition(id).then(
      (r) => {
        setLoad({ kind: 'ready', req: r });
        setGeneration((g) => g + 1);
      },
      (e: unknown) => setLoad({ kind: 'error', message: errorText(e) }),
    );
  };

  const [claimed, setClaimed] = useState<Promise<unknown>>(() => Promise.resolve());

  useEffect(() => {
    let live = true;
    const status = () =>
      api.summary(id).then(
        (summary) => live && setLoad({ kind: 'status', summary }),
        (e: unknown) => live && setLoad({ kind: 'error', message: errorText(e) }),
      );
    // Administrators and auditors do not review: where the requisition stands, without PHI.
    if (!reviewer) {
      void status();
      return () => {
        live = false;
      };
    }
    const pre = takePrefetched(id);
    const claim = api.claim(id);
    // Saves wait for the claim; a refused claim replaces the screen anyway.
    setClaimed(claim.catch(() => undefined));
    let viewed = false;
    const ready = (r: Requisition, prefetched: boolean) => {
      if (!live) return;
      setLoad((cur) => (cur.kind === 'ready' && cur.req.id === r.id ? cur : { kind: 'ready', req: r }));
      // The prefetch was audited as a prefetch; putting it on screen is the view.
      if (prefetched && !viewed) {
        viewed = true;
        void api.viewed(id).catch(() => undefined);
      }
    };
    // Prefetched: shown at once, while the claim is on its way (it answers before a first keystroke).
    if (pre) pre.then((r) => ready(r, true), () => undefined);
    // Not prefetched: fetched once the claim says the person may work on it (a refused claim
    // leaves no view of PHI nobody saw in the audit trail).
    claim
      .then(() => (pre ? pre.then((r) => ({ r, prefetched: true }), () => api.requisition(id).then((r) => ({ r, prefetched: false }))) : api.requisition(id).then((r) => ({ r, prefetched: false }))))
      .then(
        ({ r, prefetched }) => ready(r, prefetched),
        (e: unknown) => {
          if (!live) return;
          // Released, delivered or rejected: not reviewable any more; say where it stands.
          if (e instanceof ApiError && e.code === 'not_reviewable') void status();
          else if (e instanceof ApiError && e.status === 409)
            setLoad({ kind: 'held', message: e.message || 'Another person is working on this requisition.' });
          else setLoad({ kind: 'error', message: errorText(e) });
        },
      );
    return () => {
      live = false;
    };
  }, [id, reviewer]);

  // Images of this requisition leave memory with it.
  useEffect(() => () => dropOwner(id), [id]);

  if (load.kind === 'loading') return <p className="page" role="status">Opening requisition {shortId(id)}…</p>;
  if (load.kind === 'status') return <Closed summary={load.summary} reviewer={reviewer} />;
  if (load.kind === 'held' || load.kind === 'error') {
    return (
      <section className="page">
        <h1>Requisition {shortId(id)}</h1>
        <p className={load.kind === 'held' ? 'notice' : 'error'} role="alert" data-testid="review-unavailable">
          {load.message}
        </p>
        <p className="actions">
          <button type="button" className="primary" onClick={() => void openAnother(id)} data-testid="review-open-next">
            Open the next requisition
          </button>{' '}
          <Link to="/queue">Back to the queue</Link>
        </p>
      </section>
    );
  }
  if (!REVIEWABLE.has(load.req.state)) return <Closed summary={summaryOf(load.req)} reviewer={reviewer} />;
  return <Workspace key={generation} req={load.req} claimed={claimed} onReload={reload} />;
}

/** From a requisition that cannot be worked on (someone else holds it): the next one free. */
async function openAnother(id: string): Promise<void> {
  try {
    const { id: next } = await api.next(id);
    navigate(next && next !== id ? `/review/${encodeURIComponent(next)}` : '/queue');
  } catch {
    navigate('/queue');
  }
}

function summaryOf(req: Requisition): RequisitionSummary {
  return { id: req.id, state: req.state, priority: req.priority, receivedAt: req.receivedAt, form: req.form, assignee: req.assignee ?? null, release: req.release ?? null, delivery: req.delivery };
}

/** A requisition that is not reviewed here: where it stands, read-only, without PHI. */
function Closed({ summary, reviewer }: { summary: RequisitionSummary; reviewer: boolean }) {
  const open = REVIEWABLE.has(summary.state);
  return (
    <section className="page" data-testid="review-closed">
      <h1>Requisition {shortId(summary.id)}</h1>
      <RequisitionStatus initial={summary} />
      {open && !reviewer && <p className="muted">It is waiting for review; reviewers open it from their queue.</p>}
      {!open && <p className="muted">It cannot be changed any more. Its whole history is in the audit trail.</p>}
      <p>{reviewer ? <Link to="/queue">Back to the queue</Link> : <Link to="/">Back</Link>}</p>
    </section>
  );
}

function Workspace({ req, claimed, onReload }: { req: Requisition; claimed: Promise<unknown>; onReload: () => void }) {
  const id = req.id;
  const { me } = useSession();
  const lead = hasRole(me, 'lead_reviewer');
  const [rejectOpen, setRejectOpen] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  const [rejectError, setRejectError] = useState<string | null>(null);
  const inputs = useRef(new Map<string, HTMLInputElement>());
  const inputRefFns = useRef(new Map<string, (el: HTMLInputElement | null) => void>());
  const identityButton = useRef<HTMLButtonElement>(null);
  const releaseButton = useRef<HTMLButtonElement>(null);
  const focusRequest = useRef<Step | 'release' | null>(null);
  // One chain per field: saves of a field keep their order; different fields save in parallel.
  const saveChains = useRef(new Map<string, Promise<void>>());
  const savesSettled = () => Promise.all([...saveChains.current.values()]);
  const nextId = useRef<string | null | undefined>(undefined);
  const goingTo = useRef<string | null>(null);
  // A prefetched next requisition that is not opened after all leaves memory with this one.
  useEffect(
    () => () => {
      const n = nextId.current;
      if (n && n !== goingTo.current) {
        void takePrefetched(n);
        dropOwner(n);
      }
    },
    [],
  );
  const [escalateOpen, setEscalateOpen] = useState(false);
  const [escalating, setEscalating] = useState(false);
  const [escalateError, setEscalateError] = useState<string | null>(null);
  const [identityBusy, setIdentityBusy] = useState(false);
  const [identityError, setIdentityError] = useState<string | null>(null);
  const [releasing, setReleasing] = useState(false);
  const [releaseError, setReleaseError] = useState<string | null>(null);
  const flash = useFlash();
  const [, forceRender] = useState(0);

  const runEffects = (effects: Effect[]) => {
    for (const e of effects) {
      if (e.type === 'focus') {
        focusRequest.current = e.step;
        forceRender((n) => n + 1);
      } else if (e.type === 'openEscalate') {
        setEscalateError(null);
        setEscalateOpen(true);
      } else {
        const { key, request } = e;
        const before = saveChains.current.get(key) ?? claimed;
        const chain = before.then(() =>
          api.review(id, key, request).then(
            (answer) => {
              dispatch({ type: 'saved', key, answer });
            },
            (err: unknown) => {
              dispatch({
                type: 'saveFailed',
                key,
                code: err instanceof ApiError ? err.code : 'network',
                message: errorText(err),
              });
            },
          ),
        );
        saveChains.current.set(key, chain);
        void chain.then(() => {
          if (saveChains.current.get(key) === chain) saveChains.current.delete(key);
        });
      }
    }
  };

  const { state, dispatch, stateRef } = useFlow(
    () => ({
      fields: req.fields,
      validation: req.validation,
      releaseBlockers: req.releaseBlockers,
      identity: req.identity,
      identityWarnings: req.identityWarnings,
    }),
    runEffects,
  );

  const sections = useMemo(() => readingSections(req.fields), [req.fields]);
  const orderedFields = useMemo(() => state.order.map((k) => state.fields[k]).filter((f) => f !== undefined), [state.order, state.fields]);
  const current = currentField(state);
  const pending = pendingCount(state);
  const reviewed = orderedFields.filter((f) => f.review.state !== 'unreviewed').length;
  const parts = useMemo(() => identityParts(orderedFields), [orderedFields]);
  const gateOf = (s: typeof state, isReleasing: boolean) =>
    releaseGate({
      fields: Object.values(s.fields),
      drafts: s.drafts,
      identity: s.identity,
      validation: s.validation,
      serverBlockers: s.serverBlockers,
      pendingSaves: pendingCount(s),
      releasing: isReleasing,
    });
  const gate = gateOf(state, releasing);
  // A refusal message stands until the person changes something.
  useEffect(() => setReleaseError(null), [state.fields, state.identity, state.drafts]);

  const inputRef = useCallback((key: string) => {
    let fn = inputRefFns.current.get(key);
    if (!fn) {
      fn = (el: HTMLInputElement | null) => {
        if (el) inputs.current.set(key, el);
        else inputs.current.delete(key);
      };
      inputRefFns.current.set(key, fn);
    }
    return fn;
  }, []);

  // Carry out a focus request after the render that made the target current.
  useLayoutEffect(() => {
    const target = focusRequest.current;
    if (!target) return;
    focusRequest.current = null;
    if (target === 'release') releaseButton.current?.focus();
    else if (target.kind === 'identity') {
      identityButton.current?.focus({ preventScroll: true });
      identityButton.current?.closest('section')?.scrollIntoView({ block: 'nearest' });
    } else {
      const el = inputs.current.get(target.key);
      if (el) {
        el.focus({ preventScroll: true });
        el.closest('.field-row')?.scrollIntoView({ block: 'nearest' });
        if (el.type === 'text') el.select();
      }
    }
  });

  // Open where the flow starts (the first unreviewed field) once the screen is drawn.
  useEffect(() => {
    // An unrecognised page starts at the choice of form (its select takes the focus itself).
    if (req.needsClassification && req.fields.length === 0) return;
    focusRequest.current = state.step;
    forceRender((n) => n + 1);
    // Only on opening.
  }, []);

  // Page images (usually already prefetched).
  const [pageUrls, setPageUrls] = useState<Record<number, string | null>>(() =>
    Object.fromEntries(req.pages.map((p) => [p.index, loadedImage(api.pageImagePath(id, p.index))])),
  );
  useEffect(() => {
    let live = true;
    for (const p of req.pages) {
      loadImage(api.pageImagePath(id, p.index), id).then(
        (url) => live && setPageUrls((u) => ({ ...u, [p.index]: url })),
        () => undefined,
      );
    }
    return () => {
      live = false;
    };
  }, [id, req.pages]);

  // Prefetch the next requisition once this one's fields are done.
  const fieldsDone = reviewed === orderedFields.length;
  useEffect(() => {
    if (!fieldsDone || nextId.current !== undefined) return;
    nextId.current = null;
    api.next(id).then(
      (a) => {
        nextId.current = a.id;
        if (a.id && a.id !== id) prefetchRequisition(a.id);
      },
      () => {
        nextId.current = undefined;
      },
    );
  }, [fieldsDone, id]);

  const confirmIdentity = async () => {
    setIdentityBusy(true);
    setIdentityError(null);
    try {
      // The identifiers' own saves reach the server first.
      await savesSettled();
      const answer = await api.identity(
        id,
        parts.map((p) => p.kind),
      );
      dispatch({
        type: 'identityConfirmed',
        identity: answer.identity,
        releaseBlockers: answer.releaseBlockers,
        ...(answer.validation ? { validation: answer.validation } : {}),
      });
      focusRequest.current = 'release';
      forceRender((n) => n + 1);
    } catch (e) {
      setIdentityError(`Identity not confirmed: ${errorText(e)}`);
    } finally {
      setIdentityBusy(false);
    }
  };

  /** Opens the next requisition (or the queue) with a message; returns the message's id. */
  const openNext = async (message: string): Promise<number> => {
    let next = nextId.current;
    if (next === undefined || next === null) {
      try {
        next = (await api.next(id)).id;
      } catch {
        next = null;
      }
    }
    if (next && next !== id) {
      goingTo.current = next;
      const flashId = setFlash(message);
      navigate(`/review/${encodeURIComponent(next)}`, { replace: false });
      return flashId;
    }
    const flashId = setFlash(`${message} Nothing else is waiting.`);
    navigate('/queue');
    return flashId;
  };

  const release = async () => {
    setReleasing(true);
    setReleaseError(null);
    try {
      await savesSettled();
      const now = gateOf(stateRef.current, false);
      if (!now.enabled) {
        setReleaseError(`Not released: ${now.reasons.join('; ')}.`);
        setReleasing(false);
        return;
      }
      const answer = await api.release(id);
      const placer = answer.placerOrderNumber ?? null;
      const pending = { state: answer.delivery.state, ackCode: null, lisOrderNumber: null, controlId: '' };
      const flashId = await openNext(releasedWords(id, placer, pending));
      // The LIS's order number arrives with its acknowledgement, a moment later: the message says it then.
      void followDelivery(id, api.summary, (s) => updateFlash(flashId, releasedWords(id, s.release?.placerOrderNumber ?? placer, s.delivery)));
    } catch (e) {
      if (e instanceof ApiError) {
        const body = e.body as { releaseBlockers?: string[]; error?: { releaseBlockers?: string[] } } | null;
        const blockers = body?.releaseBlockers ?? body?.error?.releaseBlockers;
        if (blockers) dispatch({ type: 'serverBlockers', releaseBlockers: blockers });
      }
      setReleaseError(`Not released: ${errorText(e)}`);
      setReleasing(false);
    }
  };

  const escalate = async (reason: string) => {
    setEscalating(true);
    setEscalateError(null);
    try {
      await savesSettled();
      await api.escalate(id, reason);
      setEscalateOpen(false);
      await openNext(`Escalated requisition ${shortId(id)}.`);
    } catch (e) {
      setEscalateError(`Not escalated: ${errorText(e)}`);
      setEscalating(false);
    }
  };

  const closeEscalate = () => {
    setEscalateOpen(false);
    focusRequest.current = state.step;
    forceRender((n) => n + 1);
  };

  const reject = async (reason: string) => {
    setRejecting(true);
    setRejectError(null);
    try {
      await savesSettled();
      await api.reject(id, reason);
      setRejectOpen(false);
      await openNext(`Rejected requisition ${shortId(id)}.`);
    } catch (e) {
      setRejectError(`Not rejected: ${errorText(e)}`);
      setRejecting(false);
    }
  };
  const closeReject = () => {
    setRejectOpen(false);
    focusRequest.current = state.step;
    forceRender((n) => n + 1);
  };

  // Alt+E anywhere on the screen (the field inputs handle it themselves first).
  const onRootKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.defaultPrevented) return;
    if (e.altKey && !e.ctrlKey && !e.metaKey && e.code === 'KeyE') {
      e.preventDefault();
      setEscalateError(null);
      setEscalateOpen(true);
    }
  };

  const pick = (key: string) => {
    dispatch({ type: 'focus', step: { kind: 'field', key } });
    focusRequest.current = { kind: 'field', key };
    forceRender((n) => n + 1);
  };

  // Live announcements: flags of the field just reached (polite), refusals (assertive).
  const flagAnnouncement = current && current.flags.length > 0 && current.review.state === 'unreviewed' ? `${current.label} is flagged: ${flagWords(current)}` : '';
  const noticeSeq = useRef(0);
  const lastNotice = useRef(state.notice);
  if (lastNotice.current !== state.notice) {
    lastNotice.current = state.notice;
    noticeSeq.current += 1;
  }

  const waiting = formatWaiting(secondsSince(req.receivedAt));
  const caption = `page {page} · form ${req.form ? `“${req.form.name}” v${req.form.version}` : 'not recognised'} · received ${clockTime(req.receivedAt)} · waiting ${waiting}${req.priority === 'stat' ? ' · STAT' : ''}`;
  const flaggedOpen = orderedFields.filter((f) => f.flags.length > 0 && f.review.state === 'unreviewed').length;

  return (
    <div className="review" onKeyDown={onRootKeyDown} data-testid="review" data-requisition={id}>
      <div className="review-main">
        <PageViewer pages={req.pages} pageUrls={pageUrls} fields={orderedFields} currentKey={current?.key ?? null} onPick={pick} caption={caption} />
        <aside className="review-panel" aria-label="Fields and release">
          <div className="panel-head">
            <div className="panel-head-row">
              <div>
                <h1 className="panel-title">
                  {req.priority === 'stat' && <span className="badge stat">STAT</span>} Requisition {shortId(id)}
                </h1>
                <p className="progress" data-testid="progress">
                  {reviewed}/{orderedFields.length} reviewed
                  {flaggedOpen > 0 && <span className="warn-text"> · ⚠ {flaggedOpen} flagged to check</span>}
                </p>
              </div>
              <div className="panel-actions">
                <button type="button" className="quiet" onClick={() => setEscalateOpen(true)} data-testid="escalate-open">
                  Escalate… <kbd>Alt</kbd>+<kbd>E</kbd>
                </button>
                {lead && (
                  <button type="button" className="quiet" onClick={() => setRejectOpen(true)} data-testid="reject-open">
                    Reject…
                  </button>
                )}
              </div>
            </div>
            <OutlineLegend className="panel-legend" />
            {req.priorityUnsure && (
              <p className="warn-text" data-testid="priority-unsure">
                ⚠ The STAT box could not be read for certain: check it on the page.
              </p>
            )}
            {(req.state === 'escalated' || req.escalation) && (
              <p className="warn-text" data-testid="escalated-note">
                ⚠ Escalated to a lead reviewer
                {req.escalation ? ` by ${req.escalation.by}${req.escalation.at ? ` at ${clockTime(req.escalation.at)}` : ''}` : ''}
                {req.escalation?.reason ? (
                  <>
                    : <q data-testid="escalated-reason">{req.escalation.reason}</q>
                  </>
                ) : (
                  '.'
                )}
              </p>
            )}
            {flash && (
              <p className="notice" role="status" data-testid="flash">
                {flash}
              </p>
            )}
          </div>
          <div className="panel-scroll">
            {req.needsClassification && orderedFields.length === 0 && (
              <ClassifyStep requisitionId={id} pageCount={req.pages.length} onClassified={onReload} />
            )}
            <FieldList
              requisitionId={id}
              sections={sections}
              fields={state.fields}
              drafts={state.drafts}
              pending={state.pending}
              currentKey={current?.key ?? null}
              notice={state.notice}
              dispatch={dispatch}
              inputRef={inputRef}
            />
            <IdentityStep
              requisitionId={id}
              parts={parts}
              fields={state.fields}
              identity={state.identity}
              warnings={state.identityWarnings}
              busy={identityBusy}
              error={identityError}
              buttonRef={identityButton}
              onConfirm={() => void confirmIdentity()}
              onFocus={() => dispatch({ type: 'focus', step: { kind: 'identity' } })}
              onBack={() => {
                const last = state.order[state.order.length - 1];
                if (last) pick(last);
              }}
            />
            <ValidationList validation={state.validation} />
          </div>
        </aside>
      </div>
      <ReleaseBar
        gate={gate}
        reviewed={reviewed}
        total={orderedFields.length}
        identityConfirmed={state.identity !== null && state.identity.current !== false}
        validationPassed={state.validation.passed}
        error={releaseError}
        buttonRef={releaseButton}
        onRelease={() => void release()}
        onRefused={() => setReleaseError(`Not released: ${gate.reasons.join('; ')}.`)}
      />
      <div className="sr-only" aria-live="polite" data-testid="live-flags">
        {flagAnnouncement}
      </div>
      <div className="sr-only" aria-live="assertive" data-testid="live-notice">
        <span key={noticeSeq.current}>{state.notice?.message ?? ''}</span>
      </div>
      <ReasonDialog
        id="escalate"
        title="Escalate this requisition"
        submitLabel="Escalate"
        open={escalateOpen}
        busy={escalating}
        error={escalateError}
        onSubmit={(r) => void escalate(r)}
        onClose={closeEscalate}
      >
        <p>It leaves your queue and goes to a lead reviewer with your reason. Fields you confirmed stay confirmed.</p>
      </ReasonDialog>
      <ReasonDialog
        id="reject"
        title="Reject this requisition"
        submitLabel="Reject"
        open={rejectOpen}
        busy={rejecting}
        error={rejectError}
        onSubmit={(r) => void reject(r)}
        onClose={closeReject}
      >
        <p>Nothing is sent to the LIS. The lab follows up with the sender outside Nexession; your reason is recorded.</p>
      </ReasonDialog>
    </div>
  );
}
