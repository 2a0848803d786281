/**
 * A field's crop: the exact pixels it was read from, fetched from the audited crop endpoint.
 * Thumbnails load when they scroll near the view; the current field's crop loads at once.
 * The box keeps the region's proportions before the image arrives, so nothing jumps.
 */
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client.ts';
import type { ReviewField } from '../api/types.ts';
import { loadImage, loadedImage } from './imageCache.ts';

let observer: IntersectionObserver | null = null;
const watchers = new WeakMap<Element, () => void>();

function observe(el: Element, onVisible: () => void): () => void {
  if (typeof IntersectionObserver === 'undefined') {
    onVisible();
    return () => undefined;
  }
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        watchers.get(e.target)?.();
        observer?.unobserve(e.target);
        watchers.delete(e.target);
      }
    },
    { rootMargin: '300px 0px' },
  );
  watchers.set(el, onVisible);
  observer.observe(el);
  return () => {
    observer?.unobserve(el);
    watchers.delete(el);
  };
}

export function Crop(props: { requisitionId: string; field: ReviewField; variant: 'thumb' | 'large' }) {
  const { requisitionId, field, variant } = props;
  const path = api.cropPath(requisitionId, field.key);
  const [url, setUrl] = useState<string | null>(() => loadedImage(path));
  const [failed, setFailed] = useState(false);
  const [wanted, setWanted] = useState(variant === 'large');
  const box = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    if (wanted || url || !box.current) return;
    return observe(box.current, () => setWanted(true));
  }, [wanted, url]);

  useEffect(() => {
    if (variant === 'large') setWanted(true);
  }, [variant]);

  useEffect(() => {
    if (!wanted || url) return;
    let live = true;
    loadImage(path, requisitionId).then(
      (u) => live && setUrl(u),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [wanted, url, path, requisitionId]);

  const aspect = field.region.h > 0 ? field.region.w / field.region.h : 1;
  // Large: about the page's own pixel size (a short field is not blown up to the panel's width);
  // checkboxes bigger, so the marks and the box edge are plain to see.
  const largeWidth = field.kind === 'checkbox' ? `${Math.min(180, Math.max(96, field.region.w * 3))}px` : `min(100%, ${Math.max(160, Math.round(field.region.w * 1.25))}px)`;
  const style = variant === 'large' ? { aspectRatio: String(aspect), width: largeWidth } : { aspectRatio: String(aspect) };
  return (
    <span ref={box} className={`crop crop-${variant} crop-${field.kind}`} style={style} data-testid={variant === 'large' ? `crop-${field.key}` : undefined}>
      {url ? (
        <img src={url} alt={`Scan of “${field.label}” as read`} draggable={false} />
      ) : failed ? (
        <span className="crop-missing">⚠ crop not available</span>
      ) : null}
    </span>
  );
}
