package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"kiemsat/domain"
	"kiemsat/service"
)

// Rule is the authorization rule a route declares. The service enforces the scope; the rule
// makes the intent visible, and a test fails when a route has none.
type Rule string

// Rules besides the domain actions.
const (
	RulePublic        Rule = "public"        // no credentials: health, login, the API description
	RuleAuthenticated Rule = "authenticated" // any logged-in user, acting on their own data
)

// Route is one entry of the route table.
type Route struct {
	Method string
	Path   string
	Rule   Rule
	// DuringPasswordChange: reachable by an account that must change its password first.
	DuringPasswordChange bool
	// MaxBody is the route's body limit in bytes; 0 means the server's (Deps.MaxBody).
	MaxBody int64
	handler gin.HandlerFunc
}

// Deps are what the API needs, built by cmd.
type Deps struct {
	Log *slog.Logger
	JWT *JWT
	// Services are the use cases; their fields (Auth, Cases, Admin, Audit, Procedure, Calendar) are
	// promoted onto Deps and Server.
	*service.Services
	Auditor service.Auditor
	// Idempotency keeps the answers of POSTs sent with an Idempotency-Key; nil ignores the header.
	Idempotency service.IdempotencyStore
	// Ready reports whether the database answers and the schema is current.
	Ready    func(ctx context.Context) error
	Registry *prometheus.Registry
	MaxBody  int64
	Version  string
	// TrustedProxies are the only peers whose X-Forwarded-For is believed; none by default, so
	// a client cannot spoof its address past the login throttle.
	TrustedProxies []string
	// TransferTimeout bounds one upload or download of a case file, in place of the server's short
	// read and write timeouts (default 2h).
	TransferTimeout time.Duration
	// Now is the clock of the HTTP layer (token expiry in responses, audit rows of refused
	// requests); it must be the services' clock. Defaults to time.Now.
	Now func() time.Time
}

// Server is the HTTP API.
type Server struct {
	Deps
	log     *slog.Logger
	jwt     *JWT
	auth    *service.Auth
	auditor service.Auditor
	engine  *gin.Engine
	routes  []Route
}

// NewServer builds the gin engine with every route.
func NewServer(d Deps) *Server {
	gin.SetMode(gin.ReleaseMode)
	if d.MaxBody <= 0 {
		d.MaxBody = 1 << 20
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.TransferTimeout <= 0 {
		d.TransferTimeout = 2 * time.Hour
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
		d.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if d.Services == nil {
		d.Services = &service.Services{}
	}
	s := &Server{Deps: d, log: d.Log, jwt: d.JWT, auth: d.Auth, auditor: d.Auditor}
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	if err := e.SetTrustedProxies(d.TrustedProxies); err != nil {
		d.Log.Error("bad trusted proxies; trusting none", "err", err)
		_ = e.SetTrustedProxies(nil)
	}
	m := newMetrics(d.Registry)
	if d.Services.Monitor != nil {
		d.Registry.MustRegister(newMonitorCollector(d.Services.Monitor))
	}
	e.Use(requestIDMiddleware(), logAndMeasure(d.Log, m), recovery(d.Log))
	e.NoRoute(func(c *gin.Context) {
		writeError(c, s.log, domain.Errorf(domain.CodeNotFound, "không có đường dẫn %s", c.Request.URL.Path))
	})
	e.NoMethod(func(c *gin.Context) {
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, errorEnvelope{errorBody{Code: "method_not_allowed", Message: "phương thức không được hỗ trợ", Details: []errorDetail{}, RequestID: requestID(c)}})
	})
	s.routes = s.routeTable()
	for _, r := range s.routes {
		max := r.MaxBody
		if max <= 0 {
			max = d.MaxBody
		}
		handlers := []gin.HandlerFunc{limitBody(max, d.Log)}
		if r.Rule != RulePublic {
			handlers = append(handlers, s.auditFailures(), s.authenticate(r.DuringPasswordChange), s.requireScope(r))
		} else if r.Method != http.MethodGet {
			handlers = append(handlers, s.auditFailures())
		}
		if r.Method == http.MethodPost && r.Rule != RulePublic && r.MaxBody == 0 {
			// Uploads (their own body limit) stream and are not replayed.
			handlers = append(handlers, s.idempotency())
		}
		handlers = append(handlers, r.handler)
		e.Handle(r.Method, r.Path, handlers...)
	}
	s.engine = e
	return s
}

// Handler is the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.engine }

// Routes returns the route table with each route's rule.
func (s *Server) Routes() []Route { return s.routes }

// Engine exposes gin's own view of the registered routes, for tests.
func (s *Server) Engine() *gin.Engine { return s.engine }

func (s *Server) routeTable() []Route {
	const v1 = "/api/v1"
	return []Route{
		{Method: "GET", Path: "/healthz", Rule: RulePublic, handler: s.healthz},
		{Method: "GET", Path: "/readyz", Rule: RulePublic, handler: s.readyz},
		{Method: "GET", Path: "/metrics", Rule: RulePublic, handler: gin.WrapH(promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}))},
		{Method: "GET", Path: v1 + "/openapi.yaml", Rule: RulePublic, handler: s.openAPIYAML},
		{Method: "GET", Path: v1 + "/openapi.json", Rule: RulePublic, handler: s.openAPIJSON},

		{Method: "POST", Path: v1 + "/auth/login", Rule: RulePublic, handler: s.login},
		{Method: "POST", Path: v1 + "/auth/refresh", Rule: RulePublic, handler: s.refresh},
		{Method: "POST", Path: v1 + "/auth/token", Rule: RulePublic, handler: s.clientToken},
		{Method: "POST", Path: v1 + "/auth/logout", Rule: RuleAuthenticated, DuringPasswordChange: true, handler: s.logout},
		{Method: "POST", Path: v1 + "/auth/password", Rule: RuleAuthenticated, DuringPasswordChange: true, handler: s.changePassword},
		{Method: "GET", Path: v1 + "/me", Rule: RuleAuthenticated, DuringPasswordChange: true, handler: s.me},
		{Method: "GET", Path: v1 + "/me/notifications", Rule: RuleAuthenticated, handler: s.listNotifications},
		{Method: "POST", Path: v1 + "/me/notifications/read", Rule: RuleAuthenticated, handler: s.readNotifications},

		{Method: "GET", Path: v1 + "/units", Rule: RuleAuthenticated, handler: s.listUnits},
		{Method: "POST", Path: v1 + "/units", Rule: Rule(domain.ActUnitManage), handler: s.createUnit},
		{Method: "GET", Path: v1 + "/units/:id", Rule: RuleAuthenticated, handler: s.getUnit},
		{Method: "PATCH", Path: v1 + "/units/:id", Rule: Rule(domain.ActUnitManage), handler: s.updateUnit},

		{Method: "GET", Path: v1 + "/users", Rule: Rule(domain.ActUserRead), handler: s.listUsers},
		{Method: "POST", Path: v1 + "/users", Rule: Rule(domain.ActUserManage), handler: s.createUser},
		{Method: "GET", Path: v1 + "/users/:id", Rule: Rule(domain.ActUserRead), handler: s.getUser},
		{Method: "PATCH", Path: v1 + "/users/:id", Rule: Rule(domain.ActUserManage), handler: s.updateUser},
		{Method: "GET", Path: v1 + "/users/:id/grants", Rule: Rule(domain.ActUserRead), handler: s.listGrants},
		{Method: "POST", Path: v1 + "/users/:id/grants", Rule: Rule(domain.ActGrantManage), handler: s.addGrant},
		{Method: "DELETE", Path: v1 + "/users/:id/grants/:grantId", Rule: Rule(domain.ActGrantManage), handler: s.revokeGrant},

		{Method: "POST", Path: v1 + "/cases", Rule: Rule(domain.ActCaseCreate), handler: s.createCase},
		{Method: "POST", Path: v1 + "/cases/duplicates", Rule: Rule(domain.ActCaseCreate), handler: s.caseDuplicates},
		{Method: "GET", Path: v1 + "/cases", Rule: Rule(domain.ActCaseRead), handler: s.listCases},
		{Method: "GET", Path: v1 + "/cases/:id", Rule: Rule(domain.ActCaseRead), handler: s.getCase},
		{Method: "GET", Path: v1 + "/caseload", Rule: Rule(domain.ActCaseRead), handler: s.getCaseload},
		{Method: "GET", Path: v1 + "/changes", Rule: Rule(domain.ActCaseRead), handler: s.listChanges},
		{Method: "GET", Path: v1 + "/changes/head", Rule: Rule(domain.ActCaseRead), handler: s.changesHead},
		{Method: "GET", Path: v1 + "/statistics", Rule: Rule(domain.ActCaseRead), handler: s.getStatistics},
		{Method: "GET", Path: v1 + "/statistics/indicators", Rule: RuleAuthenticated, handler: s.listIndicators},
		{Method: "GET", Path: v1 + "/statistics/cases", Rule: Rule(domain.ActCaseRead), handler: s.getStatisticCases},
		{Method: "GET", Path: v1 + "/statistics/export", Rule: Rule(domain.ActCaseRead), handler: s.exportStatistics},
		{Method: "GET", Path: v1 + "/statistics/trend", Rule: Rule(domain.ActCaseRead), handler: s.getTrend},
		{Method: "POST", Path: v1 + "/statistics/periods", Rule: Rule(domain.ActStatisticsClose), handler: s.closePeriod},
		{Method: "GET", Path: v1 + "/statistics/periods", Rule: Rule(domain.ActCaseRead), handler: s.listPeriods},
		{Method: "GET", Path: v1 + "/statistics/periods/:id", Rule: Rule(domain.ActCaseRead), handler: s.getPeriod},
		{Method: "PATCH", Path: v1 + "/cases/:id", Rule: Rule(domain.ActCaseUpdate), handler: s.updateCase},
		{Method: "POST", Path: v1 + "/cases/:id/assignments", Rule: Rule(domain.ActCaseAssign), handler: s.assign},
		{Method: "DELETE", Path: v1 + "/cases/:id/assignments/:assignmentId", Rule: Rule(domain.ActCaseAssign), handler: s.unassign},

		{Method: "POST", Path: v1 + "/cases/:id/files", Rule: Rule(domain.ActCaseUpdate), MaxBody: s.uploadLimit(), handler: s.uploadFile},
		{Method: "GET", Path: v1 + "/cases/:id/files", Rule: Rule(domain.ActCaseRead), handler: s.listFiles},
		{Method: "GET", Path: v1 + "/cases/:id/files/manifest", Rule: Rule(domain.ActCaseRead), handler: s.fileManifest},
		{Method: "GET", Path: v1 + "/cases/:id/files/export", Rule: Rule(domain.ActCaseRead), handler: s.exportFiles},
		{Method: "GET", Path: v1 + "/files/:id", Rule: Rule(domain.ActCaseRead), handler: s.getFile},
		{Method: "GET", Path: v1 + "/files/:id/content", Rule: Rule(domain.ActCaseRead), handler: s.downloadFile},
		{Method: "GET", Path: v1 + "/files/:id/link", Rule: Rule(domain.ActCaseRead), handler: s.fileLink},
		{Method: "POST", Path: v1 + "/files/:id/versions", Rule: Rule(domain.ActCaseUpdate), MaxBody: s.uploadLimit(), handler: s.addFileVersion},
		{Method: "POST", Path: v1 + "/files/:id/withdraw", Rule: Rule(domain.ActCaseUpdate), handler: s.withdrawFile},

		{Method: "GET", Path: v1 + "/cases/:id/timeline", Rule: Rule(domain.ActCaseRead), handler: s.getTimeline},
		{Method: "GET", Path: v1 + "/cases/:id/deadlines", Rule: Rule(domain.ActCaseRead), handler: s.getDeadlines},
		{Method: "POST", Path: v1 + "/cases/:id/decisions", Rule: Rule(domain.ActCaseDecide), handler: s.createDecision},
		{Method: "POST", Path: v1 + "/cases/:id/accused", Rule: Rule(domain.ActCaseDecide), handler: s.createAccused},
		{Method: "POST", Path: v1 + "/accused/:id/charges", Rule: Rule(domain.ActCaseDecide), handler: s.createCharges()},
		{Method: "POST", Path: v1 + "/accused/:id/measures", Rule: Rule(domain.ActCaseDecide), handler: s.createMeasure()},
		{Method: "GET", Path: v1 + "/deadlines", Rule: Rule(domain.ActCaseRead), handler: s.listDeadlines},
		{Method: "GET", Path: v1 + "/violations", Rule: Rule(domain.ActCaseRead), handler: s.listViolations},
		{Method: "GET", Path: v1 + "/cases/:id/findings", Rule: Rule(domain.ActCaseRead), handler: s.getCaseFindings},
		{Method: "GET", Path: v1 + "/findings", Rule: Rule(domain.ActCaseRead), handler: s.listFindings},
		{Method: "POST", Path: v1 + "/findings/:id/recommendations", Rule: Rule(domain.ActCaseDecide), handler: s.draftFromFinding},
		{Method: "POST", Path: v1 + "/cases/:id/recommendations", Rule: Rule(domain.ActCaseDecide), handler: s.createRecommendation},
		{Method: "GET", Path: v1 + "/recommendations", Rule: Rule(domain.ActCaseRead), handler: s.listRecommendations},
		{Method: "GET", Path: v1 + "/recommendations/:id", Rule: Rule(domain.ActCaseRead), handler: s.getRecommendation},
		{Method: "PATCH", Path: v1 + "/recommendations/:id", Rule: Rule(domain.ActCaseDecide), handler: s.patchRecommendation},
		{Method: "POST", Path: v1 + "/cases/:id/hearings", Rule: Rule(domain.ActHearingSchedule), handler: s.createHearing},
		{Method: "GET", Path: v1 + "/cases/:id/hearings", Rule: Rule(domain.ActHearingRead), handler: s.listCaseHearings},
		{Method: "GET", Path: v1 + "/hearings", Rule: Rule(domain.ActHearingRead), handler: s.listHearings},
		{Method: "GET", Path: v1 + "/hearings.ics", Rule: Rule(domain.ActHearingRead), handler: s.exportHearingsICS},
		{Method: "GET", Path: v1 + "/hearings/:id", Rule: Rule(domain.ActHearingRead), handler: s.getHearing},
		{Method: "POST", Path: v1 + "/hearings/:id/postpone", Rule: Rule(domain.ActHearingSchedule), handler: s.reschedule(false)},
		{Method: "POST", Path: v1 + "/hearings/:id/adjourn", Rule: Rule(domain.ActHearingSchedule), handler: s.reschedule(true)},
		{Method: "POST", Path: v1 + "/hearings/:id/held", Rule: Rule(domain.ActHearingSchedule), handler: s.heldHearing},
		{Method: "POST", Path: v1 + "/hearings/:id/cancel", Rule: Rule(domain.ActHearingSchedule), handler: s.cancelHearing},
		// Supervision across levels: instructions (chỉ đạo), requests for case files, the
		// public-interest mark and subscriptions (theo dõi).
		{Method: "POST", Path: v1 + "/cases/:id/instructions", Rule: Rule(domain.ActInstructionIssue), handler: s.issueInstruction},
		{Method: "GET", Path: v1 + "/cases/:id/instructions", Rule: Rule(domain.ActCaseRead), handler: s.caseInstructions},
		{Method: "GET", Path: v1 + "/instructions", Rule: Rule(domain.ActCaseRead), handler: s.listInstructions},
		{Method: "GET", Path: v1 + "/instructions/:id", Rule: Rule(domain.ActCaseRead), handler: s.getInstruction},
		{Method: "POST", Path: v1 + "/instructions/:id/respond", Rule: Rule(domain.ActInstructionRespond), handler: s.respondInstruction},
		{Method: "POST", Path: v1 + "/instructions/:id/close", Rule: Rule(domain.ActInstructionIssue), handler: s.moveInstruction(service.MoveClose)},
		{Method: "POST", Path: v1 + "/instructions/:id/reopen", Rule: Rule(domain.ActInstructionIssue), handler: s.moveInstruction(service.MoveReopen)},
		{Method: "POST", Path: v1 + "/instructions/:id/cancel", Rule: Rule(domain.ActInstructionIssue), handler: s.moveInstruction(service.MoveCancel)},
		{Method: "POST", Path: v1 + "/cases/:id/file-requests", Rule: Rule(domain.ActFileRequestCreate), handler: s.createFileRequest},
		{Method: "GET", Path: v1 + "/file-requests", Rule: Rule(domain.ActCaseRead), handler: s.listFileRequests},
		{Method: "POST", Path: v1 + "/file-requests/:id/answer", Rule: Rule(domain.ActFileRequestAnswer), handler: s.answerFileRequest},
		{Method: "PUT", Path: v1 + "/cases/:id/public-interest", Rule: Rule(domain.ActCaseMarkPublicInterest), handler: s.putPublicInterest},
		{Method: "POST", Path: v1 + "/subscriptions", Rule: Rule(domain.ActCaseRead), handler: s.createSubscription},
		{Method: "GET", Path: v1 + "/subscriptions", Rule: Rule(domain.ActCaseRead), handler: s.listSubscriptions},
		{Method: "DELETE", Path: v1 + "/subscriptions/:id", Rule: Rule(domain.ActCaseRead), handler: s.deleteSubscription},
		{Method: "GET", Path: v1 + "/subscriptions/:id/cases", Rule: Rule(domain.ActCaseRead), handler: s.subscriptionCases},
		{Method: "GET", Path: v1 + "/approvals", Rule: Rule(domain.ActCaseApprove), handler: s.listApprovals},
		{Method: "GET", Path: v1 + "/decisions/:id", Rule: Rule(domain.ActCaseRead), handler: s.getDecision},
		{Method: "POST", Path: v1 + "/decisions/:id/approval", Rule: Rule(domain.ActCaseApprove), handler: s.decideApproval},
		{Method: "GET", Path: v1 + "/workflow/transitions", Rule: RuleAuthenticated, handler: s.listTransitions},
		{Method: "GET", Path: v1 + "/rules", Rule: RuleAuthenticated, handler: s.listRules},
		{Method: "GET", Path: v1 + "/penal-code", Rule: RuleAuthenticated, handler: s.listPenalCode},
		// Search and the virtual assistant: the law for everyone, cases and documents in the
		// caller's read scope (the service applies it).
		{Method: "GET", Path: v1 + "/search", Rule: RuleAuthenticated, handler: s.search},
		{Method: "POST", Path: v1 + "/assistant/ask", Rule: RuleAuthenticated, handler: s.ask},
		{Method: "GET", Path: v1 + "/assistant/history", Rule: RuleAuthenticated, handler: s.assistantHistory},
		{Method: "GET", Path: v1 + "/calendar", Rule: RuleAuthenticated, handler: s.listCalendar},
		{Method: "PUT", Path: v1 + "/calendar/:date", Rule: Rule(domain.ActCalendarManage), handler: s.putCalendarDay},
		{Method: "DELETE", Path: v1 + "/calendar/:date", Rule: Rule(domain.ActCalendarManage), handler: s.deleteCalendarDay},
		{Method: "GET", Path: v1 + "/authorities", Rule: RuleAuthenticated, handler: s.listAuthorities},
		{Method: "PUT", Path: v1 + "/authorities", Rule: Rule(domain.ActAuthorityManage), handler: s.putAuthority},
		{Method: "DELETE", Path: v1 + "/authorities/:id", Rule: Rule(domain.ActAuthorityManage), handler: s.deleteAuthority},

		{Method: "GET", Path: v1 + "/audit", Rule: Rule(domain.ActAuditRead), handler: s.listAudit},
	}
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok", "version": s.Version})
}

func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	if err := s.Ready(ctx); err != nil {
		s.log.Warn("not ready", "err", err)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "reason": err.Error()})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
