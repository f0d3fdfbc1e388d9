package domain

import "time"

// Section is the part of the case file (hồ sơ vụ án) a document is kept in, the way a procuracy
// binds a case file into parts: decisions, evidence, statements, expert reports, court documents.
type Section string

// The sections of a case file.
const (
	SectionDecisions     Section = "decisions"      // quyết định, lệnh tố tụng
	SectionInvestigation Section = "investigation"  // biên bản điều tra: khám nghiệm, khám xét, thu giữ
	SectionStatements    Section = "statements"     // lời khai, bản tự khai, biên bản hỏi cung
	SectionEvidence      Section = "evidence"       // vật chứng, tài liệu chứng cứ
	SectionExpertReports Section = "expert_reports" // kết luận giám định, định giá tài sản
	SectionCourt         Section = "court"          // tài liệu của Tòa án: bản án, quyết định, biên bản phiên tòa
	SectionProcuracy     Section = "procuracy"      // tài liệu kiểm sát: cáo trạng, kiến nghị, báo cáo
	SectionOther         Section = "other"          // tài liệu khác
)

// Sections lists every section in the order a case file is bound.
var Sections = []Section{SectionDecisions, SectionInvestigation, SectionStatements, SectionEvidence, SectionExpertReports,
	SectionCourt, SectionProcuracy, SectionOther}

// Valid reports whether s is a known section.
func (s Section) Valid() bool {
	for _, x := range Sections {
		if x == s {
			return true
		}
	}
	return false
}

// Classification is a document's secrecy level (độ mật). It narrows who may read the document
// beyond who may read the case.
type Classification string

// The classifications.
const (
	ClassNormal       Classification = "normal"       // thường: everyone who may read the case
	ClassConfidential Classification = "confidential" // mật: the case's team and the chiefs over its unit
	ClassSecret       Classification = "secret"       // tối mật: the case's team and the chiefs of its own unit only
)

// Classifications lists every classification from the least to the most restricted.
var Classifications = []Classification{ClassNormal, ClassConfidential, ClassSecret}

// Valid reports whether c is a known classification.
func (c Classification) Valid() bool {
	return c == ClassNormal || c == ClassConfidential || c == ClassSecret
}

// Document is one document of a case file (tài liệu trong hồ sơ vụ án): its description and every
// version of its bytes. Nothing is overwritten or deleted: a new upload is a new version, and a
// document taken out of the file is withdrawn (rút), which is recorded and stays in the history.
type Document struct {
	ID     string
	CaseID string
	// Seq is the document's number within the case file, from 1, in order of filing.
	Seq            int
	Section        Section
	Volume         int // tập: the volume of the section it is bound in, from 1
	Title          string
	DocType        string // e.g. "quyết định", "biên bản", "bản ảnh"
	Number         string // số văn bản
	Date           *time.Time
	DecisionID     string // the procedural decision the document is, if any
	Classification Classification
	CreatedBy      string
	CreatedAt      time.Time
	// CurrentVersion is the number of the latest version.
	CurrentVersion int
	WithdrawnAt    *time.Time
	WithdrawnBy    string
	WithdrawReason string
	// RowVersion guards concurrent edits: a new version or a withdrawal names the row version read.
	RowVersion int
	Versions   []DocumentVersion
	// UnitID is the case's unit, for the audit log.
	UnitID int64
}

// Withdrawn reports whether the document was taken out of the case file.
func (d Document) Withdrawn() bool { return d.WithdrawnAt != nil }

// Current returns the latest version, if loaded.
func (d Document) Current() (DocumentVersion, bool) {
	for _, v := range d.Versions {
		if v.N == d.CurrentVersion {
			return v, true
		}
	}
	return DocumentVersion{}, false
}

// DocumentVersion is one upload of a document's bytes, kept for ever.
type DocumentVersion struct {
	ID          string
	DocumentID  string
	N           int // from 1
	ObjectKey   string
	Size        int64
	SHA256      string // hex
	ContentType string
	FileName    string // as uploaded, for the download's file name
	Note        string
	UploadedBy  string
	UploadedAt  time.Time
}

// DocumentInput describes a new document.
type DocumentInput struct {
	Section        Section
	Volume         int
	Title          string
	DocType        string
	Number         string
	Date           *time.Time
	DecisionID     string
	Classification Classification
}
