package sim

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// civilDate is a calendar day; the zero value means "not chosen yet".
type civilDate struct{ year, month, day int }

func (d civilDate) String() string { return fmt.Sprintf("%02d/%02d", d.day, d.month) }
func (d civilDate) long() string   { return fmt.Sprintf("%02d/%02d/%04d", d.day, d.month, d.year) }
func (d civilDate) isZero() bool   { return d.year == 0 }

func (d civilDate) weekday() time.Weekday {
	return time.Date(d.year, time.Month(d.month), d.day, 12, 0, 0, 0, time.UTC).Weekday()
}

// closedDays are the days (month, day) the park never opens, in any year.
var closedDays = map[[2]int]bool{{11, 20}: true, {12, 24}: true, {12, 25}: true, {12, 31}: true, {1, 1}: true}

func (d civilDate) closed() bool { return closedDays[[2]int{d.month, d.day}] }

// makeDate validates a calendar day; a missing year means the current one.
func makeDate(year, month, day int) (civilDate, bool) {
	t := time.Date(year, time.Month(month), day, 12, 0, 0, 0, time.UTC)
	if month < 1 || month > 12 || t.Day() != day || year < 1900 || year > 2999 {
		return civilDate{}, false
	}
	return civilDate{year, month, day}, true
}

var (
	numericDateRe = regexp.MustCompile(`(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}|\d{2}))?`)
	monthNames    = []string{"janeiro", "fevereiro", "marco", "abril", "maio", "junho", "julho",
		"agosto", "setembro", "outubro", "novembro", "dezembro"}
	spelledDateRe = regexp.MustCompile(`(\d{1,2})\s+de\s+(` + strings.Join(monthNames, "|") + `)(?:\s+de\s+(\d{4}))?`)
)

// parseDate reads dd/mm, dd/mm/yyyy (also with - or .), "dia 21/11" and
// "21 de novembro" from a normalized message.
func parseDate(norm string, now time.Time) (civilDate, bool) {
	if m := numericDateRe.FindStringSubmatch(norm); m != nil {
		return dateFrom(m[1], m[2], m[3], now)
	}
	if m := spelledDateRe.FindStringSubmatch(norm); m != nil {
		return dateFrom(m[1], strconv.Itoa(monthIndex(m[2])), m[3], now)
	}
	return civilDate{}, false
}

func dateFrom(day, month, year string, now time.Time) (civilDate, bool) {
	d, _ := strconv.Atoi(day)
	m, _ := strconv.Atoi(month)
	y := now.Year()
	if year != "" {
		y, _ = strconv.Atoi(year)
		if y < 100 {
			y += 2000
		}
	}
	return makeDate(y, m, d)
}

// monthIndex returns 1–12 for a folded month name, 0 when w is none.
func monthIndex(w string) int {
	for i, name := range monthNames {
		if w == name {
			return i + 1
		}
	}
	return 0
}

var ordinals = map[string]int{
	"primeiro": 1, "1o": 1, "segundo": 2, "2o": 2, "terceiro": 3, "3o": 3,
	"quarto": 4, "4o": 4, "ultimo": -1,
}

// weekendAsk is a request such as "segundo fim de semana de novembro":
// which weekend (1–4, -1 for the last) of which month.
type weekendAsk struct {
	nth   int
	month int
	words string // "segundo fim de semana de novembro", for the reply
}

// parseWeekend finds "fim de semana" (or "final de semana") plus a month
// name; without an ordinal it means the first weekend.
func parseWeekend(in input) (weekendAsk, bool) {
	if !in.has("fim de semana", "final de semana") {
		return weekendAsk{}, false
	}
	ask := weekendAsk{nth: 1}
	ordinal := "primeiro"
	for _, w := range in.words {
		if n, ok := ordinals[w]; ok {
			ask.nth, ordinal = n, w
		}
		if m := monthIndex(w); m > 0 {
			ask.month = m
		}
	}
	if ask.month == 0 {
		return weekendAsk{}, false
	}
	if ask.nth == -1 {
		ordinal = "último"
	}
	ask.words = fmt.Sprintf("%s fim de semana de %s", ordinalWord(ordinal), monthLabels[ask.month-1])
	return ask, true
}

func ordinalWord(w string) string {
	switch w {
	case "1o":
		return "primeiro"
	case "2o":
		return "segundo"
	case "3o":
		return "terceiro"
	case "4o":
		return "quarto"
	}
	return w
}

var monthLabels = []string{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho",
	"agosto", "setembro", "outubro", "novembro", "dezembro"}

// weekend returns the Saturday and Sunday of the asked weekend in year: the
// nth Saturday of the month (or the last one) and the day after it.
func (a weekendAsk) weekend(year int) ([]civilDate, bool) {
	first := time.Date(year, time.Month(a.month), 1, 12, 0, 0, 0, time.UTC)
	sat := first.AddDate(0, 0, (int(time.Saturday)-int(first.Weekday())+7)%7)
	if a.nth == -1 {
		for sat.AddDate(0, 0, 7).Month() == first.Month() {
			sat = sat.AddDate(0, 0, 7)
		}
	} else {
		sat = sat.AddDate(0, 0, 7*(a.nth-1))
	}
	if sat.Month() != first.Month() {
		return nil, false
	}
	sun := sat.AddDate(0, 0, 1)
	return []civilDate{fromTime(sat), fromTime(sun)}, true
}

func fromTime(t time.Time) civilDate { return civilDate{t.Year(), int(t.Month()), t.Day()} }
