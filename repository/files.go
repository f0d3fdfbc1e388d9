package repository

import (
	"context"
	"strconv"
	"time"

	"kiemsat/domain"
	"kiemsat/service"
)

type documentRow struct {
	ID             string     `gorm:"column:id"`
	CaseID         string     `gorm:"column:case_id"`
	Seq            int        `gorm:"column:seq"`
	Section        string     `gorm:"column:section"`
	Volume         int        `gorm:"column:volume"`
	Title          string     `gorm:"column:title"`
	DocType        string     `gorm:"column:doc_type"`
	DocNumber      string     `gorm:"column:doc_number"`
	DocDate        *time.Time `gorm:"column:doc_date"`
	DecisionID     *string    `gorm:"column:decision_id"`
	Classification string     `gorm:"column:classification"`
	CreatedBy      string     `gorm:"column:created_by"`
	CreatedAt      time.Time  `gorm:"column:created_at"`
	CurrentVersion int        `gorm:"column:current_version"`
	WithdrawnAt    *time.Time `gorm:"column:withdrawn_at"`
	WithdrawnBy    *string    `gorm:"column:withdrawn_by"`
	WithdrawReason string     `gorm:"column:withdraw_reason"`
	RowVersion     int        `gorm:"column:row_version"`
	UnitID         int64      `gorm:"column:unit_id"`
}

func (r documentRow) toDomain() domain.Document {
	return domain.Document{ID: r.ID, CaseID: r.CaseID, Seq: r.Seq, Section: domain.Section(r.Section), Volume: r.Volume, Title: r.Title,
		DocType: r.DocType, Number: r.DocNumber, Date: optFromSQLDate(r.DocDate), DecisionID: deref(r.DecisionID),
		Classification: domain.Classification(r.Classification), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, CurrentVersion: r.CurrentVersion,
		WithdrawnAt: r.WithdrawnAt, WithdrawnBy: deref(r.WithdrawnBy), WithdrawReason: r.WithdrawReason, RowVersion: r.RowVersion, UnitID: r.UnitID}
}

type versionRow struct {
	ID          string    `gorm:"column:id"`
	DocumentID  string    `gorm:"column:document_id"`
	N           int       `gorm:"column:n"`
	ObjectKey   string    `gorm:"column:object_key"`
	Size        int64     `gorm:"column:size"`
	SHA256      string    `gorm:"column:sha256"`
	ContentType string    `gorm:"column:content_type"`
	FileName    string    `gorm:"column:file_name"`
	Note        string    `gorm:"column:note"`
	UploadedBy  string    `gorm:"column:uploaded_by"`
	UploadedAt  time.Time `gorm:"column:uploaded_at"`
	// CaseID is read only by the integrity check's query.
	CaseID string `gorm:"column:case_id"`
}

func (r versionRow) toDomain() domain.DocumentVersion {
	return domain.DocumentVersion{ID: r.ID, DocumentID: r.DocumentID, N: r.N, ObjectKey: r.ObjectKey, Size: r.Size, SHA256: r.SHA256,
		ContentType: r.ContentType, FileName: r.FileName, Note: r.Note, UploadedBy: r.UploadedBy, UploadedAt: r.UploadedAt}
}

const documentSelect = `SELECT d.id, d.case_id, d.seq, d.section, d.volume, d.title, d.doc_type, d.doc_number, d.doc_date, d.decision_id,
	d.classification, d.created_by, d.created_at, d.current_version, d.withdrawn_at, d.withdrawn_by, d.withdraw_reason, d.row_version, c.unit_id
	FROM case_documents d JOIN cases c ON c.id = d.case_id `

const versionSelect = `SELECT v.id, v.document_id, v.n, v.object_key, v.size, v.sha256, v.content_type, v.file_name, v.note, v.uploaded_by,
	v.uploaded_at FROM case_document_versions v `

// StartUpload records an upload in flight before its object is stored, in a transaction of its
// own, so a crash between the object and its row leaves a trace the sweeper follows.
func (s *Store) StartUpload(ctx context.Context, key, caseID string, at time.Time) error {
	err := s.db.WithContext(ctx).Exec(`INSERT INTO object_uploads (object_key, case_id, started_at) VALUES (?, ?, ?)`, key, caseID, at).Error
	return translate(err, "tệp đang tải lên")
}

// FinishUpload forgets an upload in flight; inside the transaction that commits its version row,
// or after its object was removed.
func (s *Store) FinishUpload(ctx context.Context, key string) error {
	return translate(s.conn(ctx).Exec(`DELETE FROM object_uploads WHERE object_key = ?`, key).Error, "tệp đang tải lên")
}

// StaleUploads returns the keys of uploads started before before and never finished, oldest
// first.
func (s *Store) StaleUploads(ctx context.Context, before time.Time, limit int) ([]string, error) {
	var keys []string
	err := s.conn(ctx).Raw(`SELECT object_key FROM object_uploads WHERE started_at < ? ORDER BY started_at, object_key LIMIT ?`, before, limit).
		Scan(&keys).Error
	return keys, translate(err, "tệp đang tải lên")
}

// InsertDocument files a new document with the case's next number; the caller holds the case row.
func (s *Store) InsertDocument(ctx context.Context, d *domain.Document) error {
	err := s.conn(ctx).Raw(`INSERT INTO case_documents (id, case_id, seq, section, volume, title, doc_type, doc_number, doc_date, decision_id,
		classification, created_by, created_at, current_version)
		VALUES (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM case_documents WHERE case_id = ?), ?, ?, ?, ?, ?, ?::date, ?, ?, ?, ?, ?) RETURNING seq, row_version`,
		d.ID, d.CaseID, d.CaseID, string(d.Section), d.Volume, d.Title, d.DocType, d.Number, optSQLDate(d.Date), nullStr(d.DecisionID),
		string(d.Classification), d.CreatedBy, d.CreatedAt, d.CurrentVersion).Row().Scan(&d.Seq, &d.RowVersion)
	return translate(err, "tài liệu")
}

// InsertDocumentVersion adds a version row.
func (s *Store) InsertDocumentVersion(ctx context.Context, v domain.DocumentVersion) error {
	err := s.conn(ctx).Exec(`INSERT INTO case_document_versions (id, document_id, n, object_key, size, sha256, content_type, file_name, note,
		uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, v.ID, v.DocumentID, v.N, v.ObjectKey, v.Size, v.SHA256, v.ContentType,
		v.FileName, v.Note, v.UploadedBy, v.UploadedAt).Error
	if err != nil {
		return translate(err, "phiên bản tài liệu")
	}
	var caseID string
	if err := s.conn(ctx).Raw(`SELECT case_id::text FROM case_documents WHERE id = ?`, v.DocumentID).Scan(&caseID).Error; err != nil {
		return translate(err, "tài liệu")
	}
	return s.recordChange(ctx, domain.Change{At: v.UploadedAt, CaseID: caseID, Kind: domain.ChangeDocument, Op: "version", EntityID: v.DocumentID,
		Status: strconv.Itoa(v.N)})
}

// GetDocument loads a document with every version, oldest first; lock holds its row until the
// transaction ends.
func (s *Store) GetDocument(ctx context.Context, id string, lock bool) (domain.Document, error) {
	q := documentSelect + "WHERE d.id = ?"
	if lock {
		q += " FOR UPDATE OF d"
	}
	var r documentRow
	if err := s.conn(ctx).Raw(q, id).Take(&r).Error; err != nil {
		return domain.Document{}, translate(err, "tài liệu")
	}
	d := r.toDomain()
	var vs []versionRow
	if err := s.conn(ctx).Raw(versionSelect+"WHERE v.document_id = ? ORDER BY v.n", id).Scan(&vs).Error; err != nil {
		return domain.Document{}, translate(err, "phiên bản tài liệu")
	}
	for _, v := range vs {
		d.Versions = append(d.Versions, v.toDomain())
	}
	return d, nil
}

// ListDocuments returns a case file's documents in filing order (section, volume, number), each
// with every version, in two statements.
func (s *Store) ListDocuments(ctx context.Context, caseID string, includeWithdrawn bool) ([]domain.Document, error) {
	q := documentSelect + "WHERE d.case_id = ?"
	if !includeWithdrawn {
		q += " AND d.withdrawn_at IS NULL"
	}
	var rows []documentRow
	if err := s.conn(ctx).Raw(q+" ORDER BY d.seq", caseID).Scan(&rows).Error; err != nil {
		return nil, translate(err, "tài liệu")
	}
	var vs []versionRow
	if err := s.conn(ctx).Raw(versionSelect+"JOIN case_documents d ON d.id = v.document_id WHERE d.case_id = ? ORDER BY v.document_id, v.n", caseID).
		Scan(&vs).Error; err != nil {
		return nil, translate(err, "phiên bản tài liệu")
	}
	byDoc := make(map[string][]domain.DocumentVersion, len(rows))
	for _, v := range vs {
		byDoc[v.DocumentID] = append(byDoc[v.DocumentID], v.toDomain())
	}
	out := make([]domain.Document, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
		out[i].Versions = byDoc[r.ID]
	}
	return out, nil
}

// SetCurrentVersion points a document at its newest version if its row is still at rowVersion.
func (s *Store) SetCurrentVersion(ctx context.Context, id string, n, rowVersion int) error {
	res := s.conn(ctx).Exec(`UPDATE case_documents SET current_version = ?, row_version = row_version + 1 WHERE id = ? AND row_version = ?`, n, id, rowVersion)
	if res.Error != nil {
		return translate(res.Error, "tài liệu")
	}
	if res.RowsAffected != 1 {
		return domain.Errorf(domain.CodeConflict, "tài liệu đã được người khác thay đổi")
	}
	return nil
}

// WithdrawDocument records a document's withdrawal if its row is still at rowVersion.
func (s *Store) WithdrawDocument(ctx context.Context, id, by, reason string, at time.Time, rowVersion int) error {
	var caseIDs []string
	res := s.conn(ctx).Raw(`UPDATE case_documents SET withdrawn_at = ?, withdrawn_by = ?, withdraw_reason = ?, row_version = row_version + 1
		WHERE id = ? AND row_version = ? AND withdrawn_at IS NULL RETURNING case_id::text`, at, by, reason, id, rowVersion).Scan(&caseIDs)
	if res.Error != nil {
		return translate(res.Error, "tài liệu")
	}
	if len(caseIDs) != 1 {
		return domain.Errorf(domain.CodeConflict, "tài liệu đã được người khác thay đổi")
	}
	return s.recordChange(ctx, domain.Change{At: at, CaseID: caseIDs[0], Kind: domain.ChangeDocument, Op: "withdrawn", EntityID: id})
}

// VersionsAfter returns up to limit versions in object-key order after the key given, for the
// integrity check; caseID, when set, narrows them to one case.
func (s *Store) VersionsAfter(ctx context.Context, caseID, afterKey string, limit int) ([]service.StoredVersion, error) {
	var rows []versionRow
	q := `SELECT v.id, v.document_id, v.n, v.object_key, v.size, v.sha256, v.content_type, v.file_name, v.note, v.uploaded_by, v.uploaded_at, d.case_id
		FROM case_document_versions v JOIN case_documents d ON d.id = v.document_id WHERE v.object_key > ?`
	args := []any{afterKey}
	if caseID != "" {
		q += " AND d.case_id = ?"
		args = append(args, caseID)
	}
	args = append(args, limit)
	if err := s.conn(ctx).Raw(q+" ORDER BY v.object_key LIMIT ?", args...).Scan(&rows).Error; err != nil {
		return nil, translate(err, "phiên bản tài liệu")
	}
	out := make([]service.StoredVersion, len(rows))
	for i, r := range rows {
		out[i] = service.StoredVersion{CaseID: r.CaseID, Version: r.toDomain()}
	}
	return out, nil
}

// KnownObjectKeys returns which of keys a version row points at.
func (s *Store) KnownObjectKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	var found []string
	if len(keys) > 0 {
		if err := s.conn(ctx).Raw(`SELECT object_key FROM case_document_versions WHERE object_key = ANY(?::text[])`, textArray(keys)).
			Scan(&found).Error; err != nil {
			return nil, translate(err, "phiên bản tài liệu")
		}
	}
	out := make(map[string]bool, len(found))
	for _, k := range found {
		out[k] = true
	}
	return out, nil
}
