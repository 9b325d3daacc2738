package sim

import "strings"

// WalkthroughDate is the visit date Walkthrough asks for: open in every
// year.
const WalkthroughDate = "21/11"

// Walkthrough returns a customer's messages, the opening "Olá" included,
// that take the simulator from the greeting to the payment link: the reply
// to the last message carries the link. name should be a full name; a
// single word gets " da Silva" appended so the full-name step accepts it.
// phone, email and cpf are sent as given, so invalid ones make the
// simulator ask again and the script runs out before the link.
func Walkthrough(name, phone, email, cpf string) []string {
	name = strings.TrimSpace(name)
	if len(strings.Fields(name)) < 2 {
		name = strings.TrimSpace(name + " da Silva")
	}
	first := strings.Fields(name)[0]
	return []string{
		"Olá",
		"Pode me chamar de " + first,
		"Sim, aceito",
		"1",
		WalkthroughDate,
		"2 adultos e 1 criança",
		"Não, obrigado",
		name,
		phone,
		email,
		cpf,
		"Sim, pode confirmar. Pix!",
	}
}
