package service

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"kiemsat/domain"
	"kiemsat/workflow"
)

// LegalCalendar holds the use cases of the legal calendar (lịch nghỉ lễ, Tết): everyone reads it,
// since every time limit a user sees is counted by it; only a system administrator edits it, when
// the government announces or amends a year's holidays. It also builds the workflow.Calendar the
// deadline engine counts by.
type LegalCalendar struct {
	tx    TxRunner
	store CalendarStore
	authz *Authz
	audit Auditor
	clock Clock
	// makeUpSaturdaysWork: a Saturday the government declared a working day (làm bù) counts as
	// one for procedural limits too. It is a setting, not code (reference §2).
	makeUpSaturdaysWork bool
	// onChange runs in the transaction of an edit of a date, so the stored clocks counted across
	// it are recomputed with the edit, or not at all.
	onChange func(ctx context.Context, date time.Time) error
}

// NewLegalCalendar wires the legal calendar use cases.
func NewLegalCalendar(tx TxRunner, store CalendarStore, authz *Authz, audit Auditor, clock Clock, makeUpSaturdaysWork bool) *LegalCalendar {
	return &LegalCalendar{tx: tx, store: store, authz: authz, audit: audit, clock: clock, makeUpSaturdaysWork: makeUpSaturdaysWork}
}

// Calendar years a request may name; the table admits no other.
const (
	minCalendarYear = 2000
	maxCalendarYear = 2100
)

// Days lists the entries of one year (every entry when year is 0), by date. Any authenticated
// user may read them.
func (c *LegalCalendar) Days(ctx context.Context, _ *Principal, year int) ([]domain.CalendarDay, error) {
	if year != 0 && (year < minCalendarYear || year > maxCalendarYear) {
		return nil, domain.Invalid("year", "range", "năm phải trong khoảng 2000–2100")
	}
	return c.store.ListCalendar(ctx, year)
}

// Put writes the entry of a date, replacing whatever the date had, and reports whether the date
// is new. Only a holder of calendar.manage may; the entry is checked as the shipped file is, and
// the change is audited in the same transaction.
func (c *LegalCalendar) Put(ctx context.Context, p *Principal, d domain.CalendarDay) (domain.CalendarDay, bool, error) {
	now := c.clock.Now()
	d.Date = domain.DateOf(d.Date)
	target := d.Date.Format(time.DateOnly)
	if err := c.mayManage(ctx, p, "calendar.put", target); err != nil {
		return domain.CalendarDay{}, false, err
	}
	d.NameVI, d.NameEN, d.Source = strings.TrimSpace(d.NameVI), strings.TrimSpace(d.NameEN), strings.TrimSpace(d.Source)
	if err := workflow.ValidateCalendarDay(d); err != nil {
		return domain.CalendarDay{}, false, err
	}
	var created bool
	err := c.tx.WithinTx(ctx, func(ctx context.Context) error {
		var err error
		if created, err = c.store.PutCalendarDay(ctx, d, p.User.ID, now); err != nil {
			return err
		}
		if c.onChange != nil {
			if err := c.onChange(ctx, d.Date); err != nil {
				return err
			}
		}
		detail, err := json.Marshal(struct {
			Created   bool   `json:"created"`
			NameVI    string `json:"name_vi"`
			Kind      string `json:"kind"`
			Source    string `json:"source"`
			Confirmed bool   `json:"confirmed"`
		}{created, d.NameVI, string(d.Kind), d.Source, d.Confirmed})
		if err != nil {
			return err
		}
		return c.audit.Record(ctx, p.audit(now, "calendar.put", "calendar_day", target, 0, domain.OutcomeSuccess, string(detail)))
	})
	if err != nil {
		return domain.CalendarDay{}, false, err
	}
	return d, created, nil
}

// Delete removes the entry of a date, which then counts as an ordinary day (a working day unless
// it falls on a weekend). Only a holder of calendar.manage may; a date without an entry is not
// found. The change is audited in the same transaction.
func (c *LegalCalendar) Delete(ctx context.Context, p *Principal, date time.Time) error {
	now := c.clock.Now()
	date = domain.DateOf(date)
	target := date.Format(time.DateOnly)
	if err := c.mayManage(ctx, p, "calendar.delete", target); err != nil {
		return err
	}
	return c.tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := c.store.DeleteCalendarDay(ctx, date, p.User.ID, now); err != nil {
			return err
		}
		if c.onChange != nil {
			if err := c.onChange(ctx, date); err != nil {
				return err
			}
		}
		return c.audit.Record(ctx, p.audit(now, "calendar.delete", "calendar_day", target, 0, domain.OutcomeSuccess, ""))
	})
}

// mayManage refuses, and records the refusal in a transaction of its own, anyone without
// calendar.manage. The calendar is national, so a grant at any unit is enough.
func (c *LegalCalendar) mayManage(ctx context.Context, p *Principal, action, target string) error {
	if !c.authz.Scope(p, domain.ActCalendarManage).Empty() {
		return nil
	}
	if err := recordDenied(ctx, c.audit, p.audit(c.clock.Now(), action, "calendar_day", target, 0, domain.OutcomeDenied, "")); err != nil {
		return err
	}
	return domain.Forbidden("chỉ quản trị hệ thống được sửa lịch nghỉ lễ, Tết")
}

// Over builds the calendar of the given entries under the make-up Saturday setting, to tell for
// each listed entry whether it is a day off.
func (c *LegalCalendar) Over(days []domain.CalendarDay) *workflow.Calendar {
	return workflow.NewCalendar(days, c.makeUpSaturdaysWork)
}

// Calendar builds the calendar the deadline engine counts by from every stored entry, under the
// make-up Saturday setting. It reads the table on each call, so an administrator's edit applies
// to the next count on every instance.
func (c *LegalCalendar) Calendar(ctx context.Context) (*workflow.Calendar, error) {
	days, err := c.store.ListCalendar(ctx, 0)
	if err != nil {
		return nil, err
	}
	if len(days) == 0 {
		// An unseeded database still counts the shipped holidays rather than weekends only.
		days = workflow.DefaultCalendarDays()
	}
	return c.Over(days), nil
}
