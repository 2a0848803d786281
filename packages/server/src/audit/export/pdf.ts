/**
 * The auditor's export: a requisition's history as one PDF, from fax arrival to ACK. Every value
 * is written as stored (no rounding of codes, no re-formatting of names); hashes in full; the
 * exact HL7 bytes are attached to the PDF as a file and shown as text, one segment per line.
 */
import { createHash } from 'node:crypto';
import type { AuditEventView } from '../audit.ts';
import type { FieldHistory, RequisitionHistory } from './history.ts';
import { PdfWriter } from './writer.ts';

function shown(v: unknown): string {
  if (v === undefined) return '(none)';
  if (v === null) return '(blank)';
  if (typeof v === 'boolean') return v ? 'true (marked)' : 'false (empty)';
  if (typeof v === 'string') return v === '' ? '(empty text)' : v;
  return JSON.stringify(v);
}

function compact(v: unknown, max = 900): string {
  if (v === null || v === undefined) return '(none)';
  const s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max)}... (${s.length} characters in all)` : s;
}

const pct = (n: number | null | undefined) => (typeof n === 'number' ? `${Math.round(n * 1000) / 10} %` : '(none)');

/** The evidence in words: checkbox counts, or OCR words with their confidences. */
function evidenceText(f: FieldHistory): string[] {
  const out: string[] = [];
  const cb = f.checkbox as { state?: string; ratio?: number; score?: number; low?: number; high?: number; filled?: number; dark?: number; total?: number; threshold?: number; interior?: unknown } | null;
  if (cb) {
    out.push(
      `checkbox: ${cb.state ?? '?'} · dark ${cb.dark ?? '?'} of ${cb.total ?? '?'} pixels · fill ${cb.ratio ?? '?'} · score ${cb.score ?? '?'} · ` +
        `thresholds low ${cb.low ?? '?'} high ${cb.high ?? '?'} filled ${cb.filled ?? '?'} · grey below ${cb.threshold ?? '?'} · interior ${compact(cb.interior, 200)}`,
    );
  }
  const ev = f.evidence as { words?: { text?: string; confidence?: number }[]; confidence?: number } | null;
  if (ev && Array.isArray(ev.words)) {
    out.push(`OCR words: ${ev.words.map((w) => `"${w.text ?? ''}" ${pct(w.confidence)}`).join(', ') || '(none)'}`);
  }
  if (ev && !cb && !Array.isArray(ev.words)) out.push(`evidence: ${compact(ev)}`);
  if (cb && ev) out.push(`stored evidence: ${compact(ev, 600)}`);
  return out;
}

function auditLine(e: AuditEventView): string {
  const who = e.actorType === 'user' ? e.actor : `${e.actor} (${e.actorType})`;
  return `#${e.seq} · ${e.at} · ${who} · ${e.action} · ${e.objectType} ${e.objectId}${e.field ? ` · field ${e.field}` : ''}`;
}

/** HL7 v2 as text: one segment per line; other control bytes shown as \xNN. */
export function readableHl7(bytes: Buffer): string {
  return bytes
    .toString('utf8')
    .split(/\r\n|\r|\n/)
    .filter((s) => s.length > 0)
    .join('\n');
}

export async function renderHistoryPdf(h: RequisitionHistory): Promise<Uint8Array> {
  const w = await PdfWriter.create();
  const r = h.requisition;
  w.doc.setTitle(`Requisition history ${r.id}`);
  w.doc.setSubject('Nexession audit export: fax arrival to ACK');
  w.doc.setCreator('Nexession');
  w.doc.setProducer('Nexession (pdf-lib)');
  w.doc.setCreationDate(new Date(h.generatedAt));

  w.heading('Requisition history', 1);
  w.field('Requisition', r.id, { font: 'mono' });
  w.field('Generated', `${h.generatedAt} by ${h.generatedBy}`);
  w.field('State', `${r.state} · priority ${r.priority}${r.priorityUnsure ? ' (STAT box unclear)' : ''}`);
  w.field('Audit chain', h.chain.ok ? `intact: ${h.chain.checked} events verified` : `BROKEN at event ${h.chain.firstBadSeq ?? '?'}${h.chain.anchorMismatchSeq ? `; anchor mismatch at ${h.chain.anchorMismatchSeq}` : ''} (${h.chain.checked} verified)`, {
    color: h.chain.ok ? 'good' : 'bad',
  });
  w.text('This export is recorded in the audit log (action audit.export) with the SHA-256 of this file. Values are shown as stored; characters outside the PDF standard fonts are written as their code point, e.g. [U+0141].', {
    color: 'muted',
    size: 8,
  });

  // -- document ------------------------------------------------------------------------------
  const d = h.document;
  w.heading('1. Document as received');
  w.field('Document id', d.id, { font: 'mono' });
  w.field('SHA-256', d.sha256, { font: 'mono' });
  w.field('Received at', d.receivedAt);
  w.field('Source', d.source === 'inbox' ? 'watched folder (fax gateway or scanner)' : `upload${d.submittedBy ? ` by ${d.submittedBy}` : ''}`);
  if (d.sourceName !== null) w.field('File name', d.sourceName);
  w.field('Format, size', `${d.format} · ${d.sizeBytes} bytes · ${d.pageCount ?? '?'} page(s)`);
  if (d.duplicateOf) w.field('Duplicate of', d.duplicateOf, { font: 'mono' });

  w.heading('2. Screening', 3);
  w.field('Result', d.status === 'quarantined' ? `quarantined: ${d.quarantineReason ?? ''}` : `accepted (document status: ${d.status})`, { color: d.status === 'quarantined' ? 'bad' : 'normal' });
  if (d.readError) w.field('Read error', d.readError, { color: 'bad' });
  w.field('Findings', compact(d.screening));

  // -- reading -------------------------------------------------------------------------------
  w.heading('3. Reading');
  w.field('Form', r.form ? `${r.form.name} · template ${r.form.id} version ${r.form.version}` : r.needsClassification ? 'not recognised: classified by a person or pending' : '(none)');
  // Stored page indexes count from 0; people count pages from 1.
  w.field('Pages', r.pages.map((i) => String(i + 1)).join(', '));
  const flagged = h.fields.filter((f) => f.flags.length > 0).length;
  w.field('Fields', `${h.fields.length} read · ${flagged} flagged · revision ${r.fieldRevision}`);
  for (const p of h.pages) {
    w.heading(`Page ${p.index + 1}`, 3);
    w.field('Image', `${p.width} x ${p.height} px at ${p.dpi} dpi`);
    w.field('Source page', compact(p.source, 300));
    w.field('Orientation', compact(p.orientation, 200));
    w.field('Classification', compact(p.classification, 300));
    const reg = p.registration as { residualMm?: number; scale?: number; rotationDeg?: number; features?: number } | null;
    w.field('Registration', reg ? `residual ${reg.residualMm} mm · scale ${reg.scale} · rotation ${reg.rotationDeg} deg · ${reg.features} features` : '(none)');
    for (const g of p.gates) w.field(`Gate ${g.code}`, `${g.passed ? 'PASS' : 'FAIL'} · ${g.value} (limit ${g.limit}) · ${g.message}`, { color: g.passed ? 'normal' : 'bad' });
    if (p.gates.length === 0) w.field('Gates', '(none recorded)');
    for (const f of p.flags) w.field('Page flag', `${f.code}: ${f.message}`, { color: 'bad' });
  }

  // -- fields --------------------------------------------------------------------------------
  w.heading('4. Fields, evidence and review');
  for (const f of h.fields) {
    w.heading(`${f.section} · ${f.label} (${f.key})`, 3);
    w.field('Meaning', `${f.role}${f.test ? ` · test ${f.test.code} ${f.test.name} (as printed)` : ''} · ${f.kind} read by ${f.method}`);
    w.field('Region', `page ${f.page} · x ${f.region.x} y ${f.region.y} w ${f.region.w} h ${f.region.h} px`);
    if (f.crop) await w.image(f.crop, { maxWidth: 260, maxHeight: 90, indent: 120 });
    else w.field('Crop', 'the page image can no longer be opened', { color: 'bad' });
    w.field('Machine value', shown(f.machineValue));
    if (f.confidence !== null) w.field('OCR confidence', pct(f.confidence));
    for (const line of evidenceText(f)) w.text(line, { indent: 120, size: 8 });
    for (const fl of f.flags) w.field('Flag', `${fl.code}: ${fl.message}`, { color: 'bad' });
    w.field('Review', f.reviewState === 'unreviewed' ? 'unreviewed' : `${f.reviewState} by ${f.reviewedBy ?? '?'} at ${f.reviewedAt ?? '?'} · value ${shown(f.value)}`, {
      color: f.reviewState === 'unreviewed' ? 'bad' : 'normal',
    });
    for (const a of f.reviews) w.text(`#${a.seq} ${a.at} ${a.by} ${a.action}: before ${shown(a.before)} -> after ${shown(a.after)}`, { indent: 120, size: 8 });
  }

  // -- identity, validation, release ---------------------------------------------------------
  w.heading('5. Patient identity');
  if (h.identity) {
    w.field('Confirmed by', `${h.identity.by} at ${h.identity.at ?? '?'}`);
    w.field('Session', h.identity.sessionId ?? '(none)', { font: 'mono' });
    w.field('Identifiers', h.identity.identifiers.join(', '));
    w.field('Still current', h.identity.current ? 'yes (no patient field changed since)' : 'NO: patient fields changed after confirmation', { color: h.identity.current ? 'normal' : 'bad' });
    // Recorded before severities existed, a warning counts as a wrong-patient warning.
    for (const warn of h.identity.warnings) {
      const danger = warn.severity !== 'caution';
      w.field(danger ? 'Wrong-patient warning' : 'Caution shown', `${warn.code}: ${warn.message}`, { color: danger ? 'bad' : 'normal' });
    }
  } else w.text('Not confirmed.', { color: 'bad' });

  w.heading('6. Validation (42 CFR 493.1241)');
  const v = h.validation.stored ?? h.validation.recomputed;
  w.field('Result', `${v.passed ? 'PASSED' : 'NOT PASSED'}${h.validation.stored ? ' (as stored with the last review or the release)' : ' (evaluated now; none stored)'}`, { color: v.passed ? 'good' : 'bad' });
  for (const rule of v.rules) w.field(rule.passed ? 'PASS' : 'FAIL', `${rule.citation} · ${rule.title}: ${rule.message}`, { color: rule.passed ? 'normal' : 'bad' });
  if (h.validation.stored && h.validation.stored.passed !== h.validation.recomputed.passed) {
    w.text(`Evaluated again now with today's policy: ${h.validation.recomputed.passed ? 'PASSED' : 'NOT PASSED'}.`, { color: 'bad' });
  }

  w.heading('7. Release');
  if (h.release) {
    w.field('Released by', `${h.release.by} at ${h.release.at ?? '?'}`);
    w.field('Session', h.release.sessionId ?? '(none)', { font: 'mono' });
    w.field('Placer order number', r.placerOrderNumber ?? '(none)');
    w.field('Control id (MSH-10)', r.controlId ?? '(none)');
  } else w.text(`Not released (state ${r.state}${h.escalatedBy ? `; escalated by ${h.escalatedBy}` : ''}).`);

  // -- delivery ------------------------------------------------------------------------------
  w.heading('8. Delivery to the LIS');
  const dl = h.delivery;
  if (dl) {
    w.field('Delivery', dl.id, { font: 'mono' });
    w.field('State', `${dl.state}${dl.stateReason ? `: ${dl.stateReason}` : ''} · ${dl.attempts} attempt(s) · ${dl.resendCount} resend(s)`);
    w.field('Connection', `${dl.connection.host}:${dl.connection.port} · ${dl.connection.tls ? 'TLS' : 'plain TCP'} · profile ${dl.profile}`);
    if (dl.resolution) w.field('Decided by a person', `${dl.resolution} by ${dl.resolvedBy ?? '?'} at ${dl.resolvedAt ?? '?'}`);
    for (const e of dl.events) w.text(`${e.at} · ${e.kind}${e.attempt !== null ? ` (attempt ${e.attempt})` : ''}${e.reason ? ` · ${e.reason}` : ''}${e.ackCode ? ` · ACK ${e.ackCode}` : ''} · ${e.actor}`, { indent: 120, size: 8 });
    w.heading('HL7 message sent', 3);
    w.field('SHA-256', dl.payloadSha256, { font: 'mono' });
    w.field('Bytes', String(dl.payloadBytes));
    if (dl.payload) {
      const actual = createHash('sha256').update(dl.payload).digest('hex');
      const same = actual === dl.payloadSha256;
      w.field('Stored bytes', same ? 'hash matches the stored bytes; attached to this PDF as a file' : `HASH MISMATCH: stored bytes hash to ${actual}`, { color: same ? 'good' : 'bad' });
      await w.doc.attach(new Uint8Array(dl.payload), `order-${dl.controlId}.hl7`, {
        mimeType: 'application/hl7-v2',
        description: `The exact HL7 bytes sent for requisition ${r.id} (SHA-256 ${dl.payloadSha256})`,
        creationDate: new Date(h.generatedAt),
        modificationDate: new Date(h.generatedAt),
      });
      w.text(readableHl7(dl.payload), { font: 'mono', size: 7, after: 4 });
    } else w.field('Stored bytes', 'can no longer be opened (key destroyed?)', { color: 'bad' });
    w.heading('Acknowledgement', 3);
    w.field('ACK code', dl.ackCode ?? '(none)', { color: dl.ackCode === 'AA' || dl.ackCode === 'CA' ? 'good' : dl.ackCode ? 'bad' : 'normal' });
    w.field('ACK control id (MSA-2)', dl.ackControlId ?? '(none)');
    w.field('LIS order number', dl.lisOrderNumber ?? '(none)');
    w.field('Acknowledged at', dl.ackedAt ?? '(not acknowledged)');
  } else w.text('Not delivered: no delivery exists for this requisition.');

  // -- audit ---------------------------------------------------------------------------------
  w.heading('9. Audit events');
  w.text(`${h.audit.length} events about this requisition, its document and its delivery, oldest first. Each hash covers the previous one.`, { color: 'muted', size: 8 });
  for (const e of h.audit) {
    w.text(auditLine(e), { size: 8, font: 'bold' });
    if (e.before !== undefined || e.after !== undefined) w.text(`before ${shown(e.before)} -> after ${shown(e.after)}`, { indent: 12, size: 8 });
    if (e.details !== undefined) w.text(`details ${compact(e.details, 600)}`, { indent: 12, size: 8, color: 'muted' });
    if (e.breakGlassId) w.text(`under break-glass ${e.breakGlassId}`, { indent: 12, size: 8, color: 'bad' });
    if (e.requestId || e.sourceIp) w.text(`request ${e.requestId ?? '-'} · from ${e.sourceIp ?? '-'}`, { indent: 12, size: 7, color: 'muted' });
    w.text(`prev ${e.prevHash}`, { indent: 12, size: 7, font: 'mono', color: 'muted' });
    w.text(`hash ${e.hash}`, { indent: 12, size: 7, font: 'mono' });
  }
  const last = h.audit.at(-1);
  w.heading('10. Chain verification');
  w.field('Result', h.chain.ok ? 'INTACT' : 'BROKEN', { color: h.chain.ok ? 'good' : 'bad' });
  w.field('Events verified', String(h.chain.checked));
  if (h.chain.firstBadSeq) w.field('First bad event', String(h.chain.firstBadSeq), { color: 'bad' });
  if (h.chain.anchorMismatchSeq) w.field('Anchor mismatch', `at event ${h.chain.anchorMismatchSeq}`, { color: 'bad' });
  if (last) w.field('Last event shown', `#${last.seq} · ${last.hash}`, { font: 'mono' });

  w.footer(`Nexession requisition history ${r.id} · generated ${h.generatedAt}`);
  return w.doc.save({ useObjectStreams: false });
}
