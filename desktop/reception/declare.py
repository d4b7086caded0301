"""The declare step's handler: the declaration (إقرار) signed on the pad, on paper with its scan, or later.

Decisions recorded here:

* A signed declaration is a `Declaration` row (the text as signed, the signature image or the paper scan, the
  PDF and its SHA-256) and the step's completion; on a remote channel (phone, letter…) the signature may be
  deferred: the case goes on with `signature_pending` and registration waits for it.
* The PDF is rendered outside the write transaction: the case is read and the declaration gathered (plain data),
  the PDF rendered, the signature and the PDF put in the attachment store, and only then one write transaction
  records the rows. If storing a file fails nothing is recorded (an unreferenced file may stay in the store:
  content-addressed, harmless); the write transaction checks again that the step is still to be signed and that
  what was rendered is still what the records say, else it starts over (at most three times) — so the signing
  is recorded whole, with the file it names, or not at all.
* A pad signature must be a PNG with real strokes (not empty, not a single dot).
* After a correction of the particulars superseded the signed declaration (`desktop.reception.correction`), the
  corrected declaration is signed the same way (pad or paper): a new row naming the old one in `supersedes_id`;
  the step is not completed a second time.
"""

from __future__ import annotations

import hashlib
import uuid
from io import BytesIO
from pathlib import Path

from db.models import Attachment, CaseStatus, Declaration, SignatureKind
from desktop.attachments import MAX_BYTES, MIME_PDF, MIME_PNG, StoredFile, read_attachment_file
from desktop.casework import CaseContext
from desktop.errors import ReceptionError
from desktop.hijri import local_date
from desktop.policy import Step, StepKind
from desktop.reception import rules
from desktop.reception.documents import DeclarationSheet, declaration_versions, fill_declaration, gather_declaration
from desktop.reception.registry import StepHandler, step_handler
from desktop.reception.views import CaseView
from desktop.reception.work import clean

__all__ = ["DeclareStep", "check_signature"]

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: How many times a signing starts over when the case changed while its PDF was being made.
_ATTEMPTS = 3


class _Changed(Exception):
    """The case changed between gathering the declaration and recording it: start over."""


def check_signature(png: bytes) -> None:
    """Refuse a signature image that is not a PNG, too large, or without real strokes (empty, one dot)."""
    if not png or not png.startswith(_PNG_MAGIC):
        raise ReceptionError("صورة التوقيع يجب أن تكون بصيغة PNG", field="signature")
    if len(png) > MAX_BYTES:
        raise ReceptionError("صورة التوقيع أكبر من الحد المسموح", field="signature")
    from PIL import Image, ImageChops

    try:
        with Image.open(BytesIO(png)) as image:
            image.load()
            rgba = image.convert("RGBA")
    except Exception as exc:  # noqa: BLE001 - any undecodable image is refused the same way
        raise ReceptionError("تعذرت قراءة صورة التوقيع: أعد التوقيع على لوحة التوقيع", field="signature") from exc
    opaque = rgba.getchannel("A").point(lambda a: 255 if a > 40 else 0)
    dark = rgba.convert("L").point(lambda g: 255 if g < 200 else 0)
    ink = ImageChops.multiply(opaque, dark)
    box = ink.getbbox()
    strokes = ink.histogram()[255]
    span = 0 if box is None else max(box[2] - box[0], box[3] - box[1])
    if box is None or strokes < 30 or span < max(20, rgba.width // 20):
        raise ReceptionError("التوقيع فارغ أو نقطة واحدة: اطلب من المستفيد التوقيع كاملًا", field="signature")


@step_handler(StepKind.DECLARE)
class DeclareStep(StepHandler):
    """Have the applicant sign the declaration of full responsibility for the data (or defer it on remote intake)."""

    def text(self, case_id: uuid.UUID) -> str:
        """The policy's declaration filled with the beneficiary's data and today's date (both calendars)."""
        with self._db.session(read_only=True) as session:
            case = self._case_row(session, case_id)
            return fill_declaration(session, case, self._profile_of(session, case.policy_version_id), self._today())

    def sign(self, case_id: uuid.UUID, signature_png: bytes) -> CaseView:
        """The declaration signed on the signature pad: the PNG and the declaration PDF stored, SHA-256 recorded."""
        check_signature(signature_png)
        return self._record(case_id, SignatureKind.PAD, signature_png, MIME_PNG)

    def signed_on_paper(self, case_id: uuid.UUID, scan_path: Path) -> CaseView:
        """The declaration wet-signed on the printed form: its scan (image or PDF) attached, the PDF recorded."""
        data, mime = read_attachment_file(Path(scan_path), field="scan")
        return self._record(case_id, SignatureKind.PAPER, data, mime)

    def defer(self, case_id: uuid.UUID, reason: str) -> CaseView:
        """A remote intake (phone, letter…) goes on with the declaration's signature pending."""
        cleaned = clean(reason, limit="reason", field="reason", required="اكتب سبب تأجيل التوقيع")
        with self._db.session() as session:
            ctx = self._context(session, case_id)
            step = self._require_step(ctx, StepKind.DECLARE)
            channel = ctx.profile.channel(ctx.case.channel_id)
            if not rules.can_defer_signature(channel.kind):
                raise ReceptionError(
                    f"لا يؤجَّل التوقيع في قناة «{channel.name}»: يوقّع المستفيد الحاضر الإقرار الآن "
                    "على لوحة التوقيع أو على النموذج الورقي",
                    field="declaration",
                )
            ctx.case.signature_pending = True
            self._set_status(ctx, CaseStatus.AWAITING_SIGNATURE)
            self._audit(ctx, "signature_deferred", {"step_id": step.id, "reason": cleaned})
            self._advance(ctx)
            return self._view(session, ctx.case, ctx.profile)

    # ------------------------------------------------------------------ signing

    def _declare_step(self, ctx: CaseContext) -> Step:
        """The declare step, when it is current or its signature is pending."""
        declare = ctx.profile.declaration_step
        if ctx.profile.declaration is None or declare is None:
            raise ReceptionError("سياسة الجمعية لا تتضمن إقرارًا يوقعه المستفيد", field="declaration")
        progress = self._progress(ctx.session, ctx.case, ctx.profile)
        if declare.id in progress.completed:
            if self._superseded(ctx) is not None:
                return declare
            raise ReceptionError("وُقّع الإقرار من قبل في هذه الحالة", field="declaration")
        if declare.id in progress.waiting:
            return declare
        return self._require_step(ctx, StepKind.DECLARE)

    def _superseded(self, ctx: CaseContext) -> uuid.UUID | None:
        """The declaration a correction superseded, while the corrected one awaits its signature (else None)."""
        if not ctx.case.signature_pending:
            return None
        versions = declaration_versions(ctx.session, ctx.case.id)
        return versions[-1].row.id if versions and versions[-1].superseded else None

    def _sheet(self, ctx: CaseContext, kind: SignatureKind, signature: bytes) -> DeclarationSheet:
        """What the declaration signed now shows (checks first that it may be signed now)."""
        self._declare_step(ctx)
        signed_on = local_date(ctx.now)
        return gather_declaration(
            ctx.session, ctx.case, ctx.profile, self._store,
            text=fill_declaration(ctx.session, ctx.case, ctx.profile, signed_on),
            signed_on=signed_on,
            officer_name=ctx.officer_name,
            signature_png=signature if kind is SignatureKind.PAD else None,
            paper=kind is SignatureKind.PAPER,
        )

    def _record(self, case_id: uuid.UUID, kind: SignatureKind, signature: bytes, mime: str) -> CaseView:
        """Gather, render, store the files, then record the signing in one write transaction (see the module)."""
        for _attempt in range(_ATTEMPTS):
            with self._db.session(read_only=True) as session:
                sheet = self._sheet(self._context(session, case_id), kind, signature)
            pdf = sheet.render()
            signature_file = self._store.put(signature, mime)
            pdf_file = self._store.put(pdf, MIME_PDF)
            try:
                with self._db.session() as session:
                    ctx = self._context(session, case_id)
                    if self._sheet(ctx, kind, signature) != sheet:
                        raise _Changed
                    self._write(ctx, kind, sheet, signature_file, pdf_file)
                    return self._view(session, ctx.case, ctx.profile)
            except _Changed:
                continue
        raise ReceptionError("تغيّرت بيانات الحالة أثناء إعداد الإقرار: أعد المحاولة", field="declaration")

    def _write(
        self, ctx: CaseContext, kind: SignatureKind, sheet: DeclarationSheet, signature_file: StoredFile,
        pdf_file: StoredFile,
    ) -> None:
        """The rows of a signing: both attachments, the declaration, the step done, the audit."""
        step = self._declare_step(ctx)
        supersedes = self._superseded(ctx)
        signature: Attachment = self._attachment_row(ctx, signature_file)
        pdf: Attachment = self._attachment_row(ctx, pdf_file)
        self._stamp(
            ctx,
            Declaration(
                case_id=ctx.case.id,
                text=sheet.text,
                signature_kind=kind.value,
                signature_attachment_id=signature.id,
                pdf_attachment_id=pdf.id,
                pdf_sha256=pdf.sha256,
                officer_id=ctx.officer_id,
                signed_at=ctx.now,
                supersedes_id=supersedes,
            ),
        )
        was_pending = ctx.case.signature_pending
        ctx.case.signature_pending = False
        note = "وُقّع على لوحة التوقيع" if kind is SignatureKind.PAD else "وُقّع على الورق وأُرفقت النسخة الممسوحة"
        if supersedes is None:
            if was_pending:
                note += " (بعد تأجيل التوقيع)"
            self._complete(ctx, step, note=note)
        if ctx.case.status == CaseStatus.AWAITING_SIGNATURE.value:
            self._set_status(ctx, CaseStatus.RECEIVED)
        details = {"signature_kind": kind.value, "pdf_sha256": pdf.sha256}
        if sheet.privacy:  # the privacy notice shown and printed above the signature: its acknowledgement
            details["privacy_notice_sha256"] = hashlib.sha256("\n".join(sheet.privacy).encode("utf-8")).hexdigest()
        if supersedes is not None:
            details["supersedes"] = supersedes.hex
        self._audit(ctx, "declaration_signed", details)
