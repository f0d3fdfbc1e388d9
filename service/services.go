package service

import (
	"log/slog"

	"kiemsat/workflow"
)

// Stores is every store the services use; repository.Store implements all of them, and tests
// pass the same real store.
type Stores interface {
	TxRunner
	Auditor
	UnitStore
	UserStore
	TokenStore
	CaseStore
	AuditStore
	ProcedureStore
	CalendarStore
	AuthorityStore
	ReferenceStore
	ClockStore
	MonitorStore
	OutboxStore
	NotificationStore
	FindingStore
	HearingStore
	FileStore
	CaseloadStore
	StatisticsStore
	ChangeStore
	ClientStore
	SupervisionStore
	SearchStore
	TextStore
}

// Services are the use cases, wired over one set of stores. Building them in one place keeps the
// binary, the test environments and the benchmarks from each wiring the graph by hand.
type Services struct {
	Authz     *Authz
	Auth      *Auth
	Cases     *Cases
	Admin     *Admin
	Audit     *AuditLog
	Procedure *Procedure
	Calendar  *LegalCalendar
	// Authorities are who may grant and approve what, by procuracy level.
	Authorities *Authorities
	// Notifications are each user's in-app messages; Monitor moves stored clocks as time passes
	// and delivers the outbox. The binary runs the monitor on a timer; tests call it directly.
	Notifications *Notifications
	Monitor       *Monitor
	// Changes is the change feed other systems follow.
	Changes *Changes
	// Statistics are the automatic statistics (thống kê tự động).
	Statistics *Statistics
	// Files are the digital case files (hồ sơ vụ án); nil when no object store is configured.
	Files *Files
	// Hearings are the court hearings the procuracy attends and the hearing calendar (lịch xét xử).
	Hearings *Hearings
	// Supervision is supervision across levels: instructions (chỉ đạo), requests for case files
	// (yêu cầu chuyển hồ sơ), the public-interest mark and subscriptions (theo dõi).
	Supervision *Supervision
	// Search is the search box; Assistant the virtual assistant (trợ lý ảo).
	Search    *Search
	Assistant *Assistant
}

// Config is what the services need besides the stores.
type Config struct {
	Auth    AuthConfig
	Policy  Policy
	Tokens  AccessTokens
	Hasher  PasswordHasher
	Clock   Clock
	Catalog *workflow.PenalCatalog // nil means the embedded Penal Code catalog
	// MakeUpSaturdaysOff: a Saturday the government declared a working day to make up for a
	// swapped day off (làm bù) counts as a day off for procedural limits. The zero value, the
	// default, counts it as the working day it is; the binary sets this from
	// KIEMSAT_MAKEUP_SATURDAY_WORKING=false.
	MakeUpSaturdaysOff bool
	// Log receives the monitor's reports; nil discards them.
	Log *slog.Logger
	// Objects keep the bytes of case files; nil leaves Services.Files unset.
	Objects ObjectStore
	// Files configures the case-file use cases (size limit, sweeper grace, manifest key).
	Files FilesConfig
	// Phraser, when set, rewords the assistant's answers (an OpenAI-compatible model inside the
	// organisation); nil, the default, answers from retrieval alone.
	Phraser Phraser
	// Extractor reads the text of uploaded documents for the search; nil leaves documents
	// searchable by title only.
	Extractor TextExtractor
}

// NewServices wires every use case.
func NewServices(st Stores, c Config) (*Services, error) {
	if c.Catalog == nil {
		c.Catalog = workflow.DefaultPenalCatalog()
	}
	authz := NewAuthz(c.Policy)
	auth, err := NewAuth(c.Auth, st, st, st, st, c.Tokens, c.Hasher, st, c.Clock)
	if err != nil {
		return nil, err
	}
	auth.clients = st
	calendar := NewLegalCalendar(st, st, authz, st, c.Clock, !c.MakeUpSaturdaysOff)
	authorities := NewAuthorities(st, st, authz, st, c.Clock)
	procedure := NewProcedure(st, st, st, st, authz, st, c.Clock, c.Catalog, calendar, st)
	procedure.authorities, procedure.ref = authorities, st
	procedure.findings = st
	calendar.onChange = procedure.recomputeAround
	cases := NewCases(st, st, st, st, authz, st, c.Clock)
	cases.recompute = procedure.recomputeClocks
	cases.caseload = st
	monitor := NewMonitor(st, st, st, c.Clock, c.Log, InAppChannel{Store: st}, FindingsChannel{Procedure: procedure, Clock: c.Clock})
	var files *Files
	if c.Objects != nil {
		if c.Files.Log == nil {
			c.Files.Log = c.Log
		}
		files = NewFiles(st, st, st, st, c.Objects, authz, st, c.Clock, c.Files)
		files.texts, files.extractor = st, c.Extractor
	}
	statistics := NewStatistics(st, st, authz, st, c.Clock)
	statistics.tx, statistics.signer = st, c.Files.Signer // closed periods are signed with the manifests' key
	supervision := NewSupervision(st, st, st, st, st, authz, st, c.Clock)
	monitor.NotifySubscriptionsWith(supervision)
	law := newLawLibrary(c.Catalog)
	return &Services{
		Search:        NewSearch(st, authz, st, c.Clock, law),
		Assistant:     NewAssistant(st, cases, procedure, c.Catalog, authz, st, c.Clock, c.Phraser, law),
		Files:         files,
		Supervision:   supervision,
		Statistics:    statistics,
		Hearings:      NewHearings(st, st, st, st, st, st, authz, st, c.Clock),
		Changes:       NewChanges(st, authz, st, c.Clock),
		Authz:         authz,
		Auth:          auth,
		Cases:         cases,
		Admin:         NewAdmin(st, st, st, st, authz, c.Hasher, st, c.Clock),
		Audit:         NewAuditLog(st, authz, st, c.Clock),
		Procedure:     procedure,
		Calendar:      calendar,
		Authorities:   authorities,
		Notifications: NewNotifications(st, c.Clock),
		Monitor:       monitor,
	}, nil
}
