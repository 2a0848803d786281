/**
 * Templates: upload a blank form (PDF or image) with an optional coordinate map, form definition
 * and meanings; see the proposed boxes and fields drawn on the blank; publish the version.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, errorText } from '../api/client.ts';
import type { TemplateUploadAnswer } from '../api/types.ts';
import { loadImage } from '../review/imageCache.ts';
import { useLoad } from '../ui/useLoad.ts';
import { proposalView } from './proposal.ts';

export function TemplatesAdmin() {
  const list = useLoad(() => api.templates());
  const [upload, setUpload] = useState<TemplateUploadAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [published, setPublished] = useState<string | null>(null);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    for (const name of ['definition', 'fieldMap', 'meanings']) {
      const f = data.get(name);
      if (f instanceof File && f.size === 0) data.delete(name);
    }
    for (const name of ['name', 'id']) if (String(data.get(name) ?? '').trim() === '') data.delete(name);
    setBusy(true);
    setError(null);
    setPublished(null);
    try {
      setUpload(await api.uploadTemplate(data));
      list.reload();
    } catch (err) {
      setError(`Template not read: ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };

  const publish = async (id: string, version: number) => {
    setError(null);
    try {
      await api.publishTemplate(id, version);
      setPublished(`${id} v${version} is published: new requisitions on this form are read with it.`);
      list.reload();
    } catch (err) {
      setError(`Not published: ${errorText(err)}`);
    }
  };

  return (
    <div className="admin-panel">
      <h2>Templates</h2>
      {list.error && <p className="error" role="alert">The templates could not be loaded: {list.error}</p>}
      {list.data && (
        <table className="grid" data-testid="templates-table">
          <thead>
            <tr>
              <th scope="col">Form</th>
              <th scope="col">Id</th>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">Requisitions read with it</th>
              <th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((t) => (
              <tr key={`${t.id}@${t.version}`} data-testid={`template-${t.id}-${t.version}`}>
                <td>{t.name}</td>
                <td><code>{t.id}</code></td>
                <td>{t.version}</td>
                <td>
                  {t.active ? '✓ published, in use' : (t.status ?? 'draft')}
                  {t.source === 'builtin' ? <span className="muted"> (built in)</span> : null}
                </td>
                <td>{t.usedBy}</td>
                <td>
                  {!t.active && (t.status ?? 'draft') === 'draft' && (
                    <button type="button" onClick={() => void publish(t.id, t.version)} data-testid={`template-publish-${t.id}-${t.version}`}>
                      Publish
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="card" onSubmit={(e) => void submit(e)} data-testid="template-upload-form">
        <h3>Upload a blank form</h3>
        <label>
          Form name (optional; e.g. the title printed on it)
          <input type="text" name="name" autoComplete="off" data-testid="template-name" />
        </label>
        <label>
          Template id (optional; lower-case letters, digits, . _ -; a new version if it exists)
          <input type="text" name="id" autoComplete="off" pattern="[a-z0-9._\-]+" data-testid="template-id" />
        </label>
        <label>
          Blank form (PDF, PNG or TIFF)
          <input type="file" name="blank" accept="application/pdf,image/png,image/tiff,image/jpeg" required data-testid="template-blank" />
        </label>
        <label>
          Coordinate map (optional, OSCAR-style text)
          <input type="file" name="fieldMap" accept=".txt,text/plain" data-testid="template-fieldmap" />
        </label>
        <label>
          Form definition (optional, JSON)
          <input type="file" name="definition" accept=".json,application/json" data-testid="template-definition" />
        </label>
        <label>
          Meanings: test codes and roles (optional, JSON)
          <input type="file" name="meanings" accept=".json,application/json" data-testid="template-meanings" />
        </label>
        <button type="submit" className="primary" disabled={busy} data-testid="template-upload">
          {busy ? 'Reading the form…' : 'Upload and propose fields'}
        </button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      {published && <p className="ok-text" role="status" data-testid="template-published">✓ {published}</p>}
      {upload && <Proposal answer={upload} onPublish={() => void publish(upload.id, upload.version)} />}
    </div>
  );
}

function Proposal({ answer, onPublish }: { answer: TemplateUploadAnswer; onPublish: () => void }) {
  const view = useMemo(() => proposalView(answer.proposal), [answer.proposal]);
  const [page, setPage] = useState(0);
  const [url, setUrl] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const info = view.pages.find((p) => p.index === page);
  const fields = view.fields.filter((f) => f.page === page);

  useEffect(() => {
    let live = true;
    setUrl(null);
    loadImage(api.templatePageImagePath(answer.id, answer.version, page), `template:${answer.id}:${answer.version}`).then(
      (u) => live && setUrl(u),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [answer.id, answer.version, page]);

  return (
    <section className="card proposal" aria-labelledby="proposal-title" data-testid="template-proposal">
      <h3 id="proposal-title">
        Proposal: {view.name} <span className="muted">({answer.id} v{answer.version}, draft)</span>
      </h3>
      <p>
        {view.fields.length} fields on {view.pages.length} page(s).{' '}
        {view.unmapped > 0 ? (
          <span className="warn-text">
            ⚠ {view.unmapped} {view.unmapped === 1 ? 'field has' : 'fields have'} no lab meaning (role or test code) yet.
          </span>
        ) : (
          <span className="ok-text">✓ Every field has a meaning.</span>
        )}
      </p>
      {answer.problems.length > 0 && (
        <ul className="warn-list" data-testid="template-problems">
          {answer.problems.map((w) => (
            <li key={w}>⚠ {w}</li>
          ))}
        </ul>
      )}
      {view.pages.length > 1 && (
        <div role="toolbar" aria-label="Pages">
          {view.pages.map((p) => (
            <button key={p.index} type="button" aria-pressed={p.index === page} onClick={() => setPage(p.index)}>
              Page {p.index + 1}
            </button>
          ))}
        </div>
      )}
      <div className="proposal-body">
        <div className="proposal-page" style={info ? { aspectRatio: `${info.widthMm} / ${info.heightMm}` } : undefined}>
          {url ? <img src={url} alt={`Blank form, page ${page + 1}`} /> : <span className="page-loading">Loading the blank form…</span>}
          {info && (
            <svg viewBox={`0 0 ${info.widthMm} ${info.heightMm}`} preserveAspectRatio="none" aria-hidden="true">
              {fields.map((f) => (
                <rect
                  key={f.key}
                  x={f.region.x}
                  y={f.region.y}
                  width={f.region.w}
                  height={f.region.h}
                  className={`proposal-box kind-${f.kind} ${f.key === selected ? 'selected' : ''} ${f.missing ? 'unmapped' : ''}`}
                  vectorEffect="non-scaling-stroke"
                />
              ))}
            </svg>
          )}
        </div>
        <div className="proposal-fields">
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Kind</th>
                <th scope="col">Meaning</th>
                <th scope="col">Test code and name as printed</th>
              </tr>
            </thead>
            <tbody>
              {fields.map((f) => (
                <tr
                  key={f.key}
                  tabIndex={0}
                  aria-selected={f.key === selected}
                  onFocus={() => setSelected(f.key)}
                  onMouseEnter={() => setSelected(f.key)}
                  data-testid={`proposal-field-${f.key}`}
                >
                  <td>
                    {f.label || <span className="muted">(no label)</span>} <code className="muted">{f.key}</code>
                  </td>
                  <td>{f.kind}</td>
                  <td>
                    {f.role ?? ''}
                    {f.value ? ` = ${f.value}` : ''}
                    {f.missing && <span className="warn-text"> ⚠ {f.missing}</span>}
                  </td>
                  <td>{f.test ? `${f.test.code} ${f.test.name}` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <button type="button" className="primary" onClick={onPublish} data-testid="template-publish">
        Publish {answer.id} v{answer.version}
      </button>
    </section>
  );
}
