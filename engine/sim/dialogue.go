package sim

import (
	"fmt"
	"strings"
	"time"
)

// state is where a conversation stands in the flow of VOYAGER.md §3.
type state int

const (
	stateGreet state = iota
	stateName
	stateOptin
	stateMenu
	stateDate
	stateQuantities
	stateUpsell
	stateFullName
	statePhone
	stateEmail
	stateCPF
	stateConfirm
	stateDone
)

var stateNames = [...]string{"greet", "name", "optin", "menu", "date", "quantities",
	"upsell", "fullname", "phone", "email", "cpf", "confirm", "done"}

func (s state) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return fmt.Sprintf("state(%d)", int(s))
	}
	return stateNames[s]
}

// dialogue is one conversation's state machine. It is not safe for
// concurrent use; the server calls it with the conversation's shard locked.
type dialogue struct {
	state    state
	name     string
	optin    bool
	order    order
	proposal []civilDate // the weekend days last offered, for "sábado"/"domingo"
}

// env is what a step needs from outside: the clock (for years) and a maker
// of payment links.
type env struct {
	now  time.Time
	link func() string
}

// turn is the assistant's reply to one message: one or more text items,
// and whether it carried the payment link.
type turn struct {
	texts []string
	paid  bool
}

func say(texts ...string) turn { return turn{texts: texts} }

// step consumes one customer message and returns the reply, moving the
// state machine on when the message answers what was asked.
func (d *dialogue) step(text string, e env) turn {
	in := newInput(text)
	switch d.state {
	case stateGreet:
		return d.greet()
	case stateName:
		return d.onName(in)
	case stateOptin:
		return d.onOptin(in)
	case stateMenu:
		return d.onMenu(in)
	case stateDate:
		return d.onDate(in, e)
	case stateQuantities:
		return d.onQuantities(in)
	case stateUpsell:
		return d.onUpsell(in)
	}
	return d.stepCheckout(in, e)
}

// stepCheckout handles the states after the upsell: personal data,
// confirmation and the end.
func (d *dialogue) stepCheckout(in input, e env) turn {
	switch d.state {
	case stateFullName:
		return d.onFullName(in)
	case statePhone:
		return d.onPhone(in)
	case stateEmail:
		return d.onEmail(in)
	case stateCPF:
		return d.onCPF(in)
	case stateConfirm:
		return d.onConfirm(in, e)
	}
	return say(txtClosing)
}

func (d *dialogue) greet() turn {
	d.state = stateName
	return say(txtGreeting)
}

func (d *dialogue) onName(in input) turn {
	d.name = firstName(in)
	d.state = stateOptin
	return say(fmt.Sprintf(txtNiceToMeet, d.name) + " " + txtOptinQuestion)
}

func (d *dialogue) onOptin(in input) turn {
	switch yesNo(in) {
	case yes:
		d.optin, d.state = true, stateMenu
		return say(txtOptinYes, txtMenu)
	case no:
		d.state = stateMenu
		return say(txtOptinNo, txtMenu)
	}
	return say(txtOptinAgain)
}

// menuChoice is what a message in the menu state asks for.
type menuChoice int

const (
	choiceNone menuChoice = iota
	choiceBuy
	choiceQuestions
	choiceAfterSales
	choiceWeather
)

// menuOf reads a menu answer: after-sales words first, then an explicit
// "comprar", an option number (1–4), question words, weather words, and
// last a bare mention of tickets ("dúvidas sobre ingressos" is a question).
func menuOf(in input) menuChoice {
	switch {
	case in.has("cancel", "reembols", "remarc", "estorno", "pos-venda", "pos venda"):
		return choiceAfterSales
	case in.has("compr"):
		return choiceBuy
	case in.hasWord("1"):
		return choiceBuy
	case in.hasWord("2"):
		return choiceQuestions
	case in.hasWord("3"):
		return choiceAfterSales
	case in.hasWord("4"):
		return choiceWeather
	case in.has("onde", "duvida", "fica", "fazer", "atrac", "endereco", "localiza"):
		return choiceQuestions
	case in.has("tempo", "clima", "chuva", "chover", "previsao"):
		return choiceWeather
	case in.has("ingresso", "arvorar", "passaporte", "bilhete"):
		return choiceBuy
	}
	return choiceNone
}

func (d *dialogue) onMenu(in input) turn {
	switch menuOf(in) {
	case choiceBuy:
		d.order = order{arvorar: in.has("arvorar")}
		d.proposal = nil
		d.state = stateDate
		return say(txtTicketList, txtAskDate)
	case choiceQuestions:
		return say(txtAboutPark, txtMenu)
	case choiceAfterSales:
		return say(txtAfterSales, txtMenu)
	case choiceWeather:
		return say(txtWeather, txtMenu)
	}
	return say(txtMenuAgain, txtMenu)
}

func (d *dialogue) onDate(in input, e env) turn {
	if in.has("arvorar") {
		d.order.arvorar = true
	}
	if day, ok := parseDate(in.norm, e.now); ok {
		return d.chooseDate(day)
	}
	if ask, ok := parseWeekend(in); ok {
		return d.proposeWeekend(ask, e.now.Year())
	}
	if day, ok := d.pickProposed(in); ok {
		return d.chooseDate(day)
	}
	return d.dateFallback(in)
}

func (d *dialogue) chooseDate(day civilDate) turn {
	if day.closed() {
		return say(fmt.Sprintf(txtClosed, day))
	}
	d.order.date, d.proposal = day, nil
	d.state = stateQuantities
	return say(fmt.Sprintf(txtAvailable, day))
}

func (d *dialogue) proposeWeekend(ask weekendAsk, year int) turn {
	days, ok := ask.weekend(year)
	if !ok {
		return say(txtNoSuchWeekend)
	}
	d.proposal = d.proposal[:0]
	var open []string
	for _, day := range days {
		if !day.closed() {
			d.proposal = append(d.proposal, day)
			open = append(open, fmt.Sprintf("%s, %s", weekdayLabel(day.weekday()), day))
		}
	}
	if len(open) == 0 {
		return say(fmt.Sprintf(txtWeekendClosed, ask.words))
	}
	return say(fmt.Sprintf(txtWeekend, ask.words, strings.Join(open, ", e no ")))
}

// pickProposed chooses a day of the last weekend offered by its weekday
// name.
func (d *dialogue) pickProposed(in input) (civilDate, bool) {
	for _, day := range d.proposal {
		if in.hasWord(weekdayWord(day.weekday())) {
			return day, true
		}
	}
	return civilDate{}, false
}

// dateFallback answers a message that names no date: Arvorar, a "yes" after
// a closed date, a "no" (back to the menu), or a request for dd/mm.
func (d *dialogue) dateFallback(in input) turn {
	if in.has("arvorar") {
		return say(txtArvorar, txtAskDate)
	}
	switch yesNo(in) {
	case yes:
		return say(txtWhichDate)
	case no:
		d.state = stateMenu
		return say(txtNoProblem, txtMenu)
	}
	return say(txtDateAgain)
}

func (d *dialogue) onQuantities(in input) turn {
	if in.has("arvorar") {
		d.order.arvorar = true
	}
	if !d.order.applyCounts(counts(in.words)) {
		return say(txtQuantitiesAgain)
	}
	d.state = stateUpsell
	return say(d.selection(), txtUpsell)
}

func (d *dialogue) selection() string {
	o := &d.order
	return fmt.Sprintf(txtSelection, strings.Join(o.lines(), ", "), o.date, brl(o.total()))
}

func (d *dialogue) onUpsell(in input) turn {
	switch yesNo(in) {
	case yes:
		d.order.cabana = true
		d.state = stateFullName
		return say(fmt.Sprintf(txtCabanaAdded, brl(d.order.total())), txtAskFullName)
	case no:
		d.state = stateFullName
		return say(txtNoUpsell, txtAskFullName)
	}
	return say(txtUpsellAgain)
}

func (d *dialogue) onFullName(in input) turn {
	name, ok := fullName(in)
	if !ok {
		return say(txtFullNameAgain)
	}
	d.order.fullName = name
	d.state = statePhone
	return say(txtAskPhone)
}

func (d *dialogue) onPhone(in input) turn {
	phone, ok := mobile(in)
	if !ok {
		return say(txtPhoneInvalid)
	}
	d.order.phone = phone
	d.state = stateEmail
	return say(txtAskEmail)
}

func (d *dialogue) onEmail(in input) turn {
	addr, ok := email(in)
	if !ok {
		return say(txtEmailInvalid)
	}
	d.order.email = addr
	d.state = stateCPF
	return say(txtAskCPF)
}

func (d *dialogue) onCPF(in input) turn {
	doc, _ := cpf(in)
	if doc == "" {
		return say(txtCPFInvalid)
	}
	d.order.cpf = doc
	d.state = stateConfirm
	return say(d.summary(), txtAskConfirm)
}

func (d *dialogue) summary() string {
	o := &d.order
	cabana := "não"
	if o.cabana {
		cabana = "sim (" + brl(cabanaPrice) + ")"
	}
	return fmt.Sprintf(txtSummary, strings.Join(o.lines(), "\n• "), o.date.long(), cabana,
		o.fullName, o.phone, o.email, o.cpf, brl(o.total()))
}

func (d *dialogue) onConfirm(in input, e env) turn {
	if in.hasWord("pix") || yesNo(in) == yes {
		d.state = stateDone
		return turn{texts: []string{fmt.Sprintf(txtPaymentLink, e.link(), d.name)}, paid: true}
	}
	if yesNo(in) == no {
		d.order, d.state = order{}, stateMenu
		return say(txtCancelled, txtMenu)
	}
	return say(txtConfirmAgain)
}
