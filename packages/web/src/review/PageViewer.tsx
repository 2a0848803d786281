/**
 * The page image with every field's region outlined. The current field is brought into view and
 * zoomed to; the reviewer can zoom (wheel, + −) and pan (drag, arrows) at will, and the next
 * field brings the view back to it. Outlines differ by line pattern and marker, not only colour.
 */
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { PageInfo, ReviewField } from '../api/types.ts';
import { LOOK_LEGEND, regionLook, type RegionLook } from './status.ts';
import { fitView, focusView, panBy, zoomAt, type Size, type View } from './viewport.ts';

interface Props {
  pages: PageInfo[];
  /** Object URLs of the page images, by page index (null while loading). */
  pageUrls: Record<number, string | null>;
  fields: ReviewField[];
  currentKey: string | null;
  onPick: (key: string) => void;
  caption: string;
}

const LOOK_ORDER: RegionLook[] = ['reviewed', 'unreviewed', 'flagged', 'current'];

export function PageViewer(props: Props) {
  const { pages, pageUrls, fields, currentKey, onPick } = props;
  const current = fields.find((f) => f.key === currentKey) ?? null;
  const frameRef = useRef<HTMLDivElement>(null);
  const [frame, setFrame] = useState<Size>({ w: 0, h: 0 });
  const [pageIndex, setPageIndex] = useState<number>(current?.page ?? pages[0]?.index ?? 0);
  const [view, setView] = useState<View | null>(null);
  const [instant, setInstant] = useState(false);
  const drag = useRef<{ x: number; y: number; moved: boolean; id: number } | null>(null);

  const page = pages.find((p) => p.index === pageIndex) ?? pages[0];
  const image: Size = { w: page?.width ?? 1, h: page?.height ?? 1 };

  useLayoutEffect(() => {
    const el = frameRef.current;
    if (!el) return;
    const measure = () => setFrame({ w: el.clientWidth, h: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Follow the current field: its page, zoomed to its region.
  useEffect(() => {
    if (frame.w === 0 || frame.h === 0) return;
    if (current) {
      const p = pages.find((pg) => pg.index === current.page);
      if (!p) return;
      setPageIndex(p.index);
      setInstant(false);
      setView(focusView(frame, { w: p.width, h: p.height }, current.region));
    } else if (page) {
      setView(fitView(frame, image));
    }
    // Only a change of field or of frame size moves the view; edits to the same field do not.
  }, [currentKey, frame.w, frame.h]);

  // Wheel zoom needs a non-passive listener to keep the page from scrolling.
  useEffect(() => {
    const el = frameRef.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      setInstant(true);
      setView((v) => (v ? zoomAt(v, Math.exp(-e.deltaY * 0.0015), { x: e.clientX - r.left, y: e.clientY - r.top }, frame, image) : v));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [frame, image.w, image.h]);

  const zoomBy = (factor: number) => {
    setInstant(false);
    setView((v) => (v ? zoomAt(v, factor, { x: frame.w / 2, y: frame.h / 2 }, frame, image) : v));
  };
  const whole = () => {
    setInstant(false);
    setView(fitView(frame, image));
  };
  const backToField = () => {
    if (!current) return;
    const p = pages.find((pg) => pg.index === current.page);
    if (!p) return;
    setPageIndex(p.index);
    setInstant(false);
    setView(focusView(frame, { w: p.width, h: p.height }, current.region));
  };
  const showPage = (index: number) => {
    const p = pages.find((pg) => pg.index === index);
    if (!p) return;
    setPageIndex(index);
    setInstant(true);
    setView(fitView(frame, { w: p.width, h: p.height }));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const step = 60;
    const pan = (dx: number, dy: number) => {
      setInstant(false);
      setView((v) => (v ? panBy(v, dx, dy, frame, image) : v));
    };
    const actions: Record<string, () => void> = {
      '+': () => zoomBy(1.25),
      '=': () => zoomBy(1.25),
      '-': () => zoomBy(0.8),
      '0': whole,
      f: backToField,
      ArrowLeft: () => pan(step, 0),
      ArrowRight: () => pan(-step, 0),
      ArrowUp: () => pan(0, step),
      ArrowDown: () => pan(0, -step),
    };
    const act = actions[e.key];
    if (act) {
      e.preventDefault();
      act();
    }
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    drag.current = { x: e.clientX, y: e.clientY, moved: false, id: e.pointerId };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d || d.id !== e.pointerId) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (!d.moved && Math.hypot(dx, dy) < 4) return;
    if (!d.moved) frameRef.current?.setPointerCapture(e.pointerId);
    d.moved = true;
    d.x = e.clientX;
    d.y = e.clientY;
    setInstant(true);
    setView((v) => (v ? panBy(v, dx, dy, frame, image) : v));
  };
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (d?.moved) frameRef.current?.releasePointerCapture(e.pointerId);
    // A drag is not a click: keep the moved flag until the click event has passed.
    window.setTimeout(() => {
      drag.current = null;
    }, 0);
  };

  const onPage = fields.filter((f) => f.page === pageIndex);
  const sorted = [...onPage].sort(
    (a, b) => LOOK_ORDER.indexOf(regionLook(a, a.key === currentKey)) - LOOK_ORDER.indexOf(regionLook(b, b.key === currentKey)),
  );
  const url = pageUrls[pageIndex] ?? null;
  const scale = view?.scale ?? 1;
  const marker = 14 / scale;

  return (
    <section className="viewer" aria-label="Page image">
      <div className="viewer-tools" role="toolbar" aria-label="Page image tools">
        {pages.length > 1 &&
          pages.map((p) => (
            <button
              key={p.index}
              type="button"
              aria-pressed={p.index === pageIndex}
              onClick={() => showPage(p.index)}
              data-testid={`page-tab-${p.index}`}
            >
              Page {p.index + 1}
            </button>
          ))}
        <button type="button" onClick={() => zoomBy(0.8)} aria-label="Zoom out">
          −
        </button>
        <button type="button" onClick={() => zoomBy(1.25)} aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={whole} data-testid="viewer-fit">
          Whole page
        </button>
        <button type="button" onClick={backToField} disabled={!current} data-testid="viewer-field">
          Back to field
        </button>
        <span className="zoom-level" aria-live="off">
          {Math.round(scale * 100)} %
        </span>
      </div>
      <div
        ref={frameRef}
        className="viewer-frame"
        tabIndex={0}
        role="img"
        aria-label={`Page ${pageIndex + 1} of ${pages.length}${current ? `, showing ${current.label}` : ''}. Keys: + and − zoom, 0 whole page, F back to field, arrows pan.`}
        onKeyDown={onKeyDown}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        data-testid="page-viewer"
        data-page={pageIndex}
      >
        {view && (
          <div
            className={`viewer-canvas ${instant ? 'instant' : ''}`}
            style={{ width: image.w, height: image.h, transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})` }}
          >
            {url ? <img src={url} alt="" width={image.w} height={image.h} draggable={false} /> : <div className="page-loading">Loading page…</div>}
            <svg className="regions" width={image.w} height={image.h} viewBox={`0 0 ${image.w} ${image.h}`} aria-hidden="true">
              {sorted.map((f) => {
                const look = regionLook(f, f.key === currentKey);
                const r = f.region;
                return (
                  <g
                    key={f.key}
                    className={`region look-${look}`}
                    data-testid={`region-${f.key}`}
                    data-look={look}
                    onClick={() => {
                      if (!drag.current?.moved) onPick(f.key);
                    }}
                  >
                    {look === 'current' && <rect className="halo" x={r.x - 6 / scale} y={r.y - 6 / scale} width={r.w + 12 / scale} height={r.h + 12 / scale} />}
                    <rect x={r.x} y={r.y} width={r.w} height={r.h} vectorEffect="non-scaling-stroke" />
                    {look === 'flagged' && (
                      <text x={r.x + r.w + 2 / scale} y={r.y + marker * 0.9} fontSize={marker}>
                        ⚠
                      </text>
                    )}
                    {look === 'reviewed' && (
                      <text x={r.x + r.w + 2 / scale} y={r.y + marker * 0.9} fontSize={marker}>
                        ✓
                      </text>
                    )}
                  </g>
                );
              })}
            </svg>
          </div>
        )}
      </div>
      <div className="viewer-caption">
        <span data-testid="viewer-caption">{props.caption.replace('{page}', `${pageIndex + 1}/${pages.length}`)}</span>
        {page && page.flags.length > 0 && (
          <span className="warn-text" data-testid="page-flags">
            {' '}
            · ⚠ {page.flags.map((f) => f.message).join('; ')}
          </span>
        )}
      </div>
      <OutlineLegend />
    </section>
  );
}

/** What the outlines mean, with the line pattern, an icon and words (colour is not the only signal). */
export function OutlineLegend({ className = '' }: { className?: string }) {
  return (
    <ul className={`legend ${className}`} aria-label="Outline legend">
      {(['unreviewed', 'flagged', 'reviewed', 'current'] as RegionLook[]).map((look) => (
        <li key={look}>
          <svg width="22" height="14" aria-hidden="true" className={`region look-${look}`}>
            <rect x="2" y="2" width="18" height="10" />
          </svg>
          {LOOK_LEGEND[look].icon} {LOOK_LEGEND[look].words}
        </li>
      ))}
    </ul>
  );
}
