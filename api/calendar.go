package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"kiemsat/domain"
)

// --- the legal calendar ---

type calendarDayJSON struct {
	Date      string `json:"date"`
	NameVI    string `json:"name_vi"`
	NameEN    string `json:"name_en"`
	Kind      string `json:"kind"`
	Source    string `json:"source"`
	Confirmed bool   `json:"confirmed"`
	DayOff    bool   `json:"day_off"`
}

// toCalendarDayJSON renders an entry; dayOff is what the calendar, with its make-up Saturday
// setting, says of the date.
func toCalendarDayJSON(d domain.CalendarDay, dayOff bool) calendarDayJSON {
	return calendarDayJSON{Date: d.Date.In(domain.ICT).Format(time.DateOnly), NameVI: d.NameVI, NameEN: d.NameEN, Kind: string(d.Kind),
		Source: d.Source, Confirmed: d.Confirmed, DayOff: dayOff}
}

type calendarDayInputJSON struct {
	NameVI    string `json:"name_vi"`
	NameEN    string `json:"name_en"`
	Kind      string `json:"kind"`
	Source    string `json:"source"`
	Confirmed bool   `json:"confirmed"`
}

// pathDate reads the :date of a calendar route: a Vietnamese calendar date, YYYY-MM-DD.
func pathDate(c *gin.Context) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, c.Param("date"), domain.ICT)
	if err != nil {
		return time.Time{}, domain.Invalid("date", "format", "ngày trong đường dẫn theo dạng YYYY-MM-DD, ví dụ 2026-02-17")
	}
	return d, nil
}

func (s *Server) listCalendar(c *gin.Context) {
	year, err := queryInt(c, "year", 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	days, err := s.Calendar.Days(c.Request.Context(), principal(c), year)
	if err != nil {
		s.fail(c, err)
		return
	}
	cal := s.Calendar.Over(days)
	items := make([]calendarDayJSON, len(days))
	for i, d := range days {
		items[i] = toCalendarDayJSON(d, cal.IsDayOff(d.Date))
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": len(items)})
}

func (s *Server) putCalendarDay(c *gin.Context) {
	date, err := pathDate(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var in calendarDayInputJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	d, created, err := s.Calendar.Put(c.Request.Context(), principal(c), domain.CalendarDay{Date: date, NameVI: in.NameVI, NameEN: in.NameEN,
		Kind: domain.DayKind(in.Kind), Source: in.Source, Confirmed: in.Confirmed})
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, toCalendarDayJSON(d, s.Calendar.Over([]domain.CalendarDay{d}).IsDayOff(d.Date)))
}

func (s *Server) deleteCalendarDay(c *gin.Context) {
	date, err := pathDate(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.Calendar.Delete(c.Request.Context(), principal(c), date); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
