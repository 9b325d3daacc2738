package sim

import (
	"fmt"
	"strings"
	"time"
)

// The assistant's lines, in Brazilian Portuguese. Lines with verbs take
// their arguments through fmt.
const (
	txtGreeting = "Olá! 😊 Eu sou a Ana, atendente virtual do Thermas Aqua Park. " +
		"Como posso te chamar?"
	txtNiceToMeet    = "Prazer, %s!"
	txtOptinQuestion = "Você aceita receber mensagens sobre ingressos e novidades do parque? (sim/não)"
	txtOptinYes      = "Perfeito, você vai receber nossas novidades! 💙"
	txtOptinNo       = "Tudo bem, não enviaremos novidades."
	txtOptinAgain    = "Desculpe, não entendi. " + txtOptinQuestion

	txtMenu = "Como posso te ajudar?\n" +
		"1️⃣ Comprar ingressos\n" +
		"2️⃣ Dúvidas sobre ingressos e parques\n" +
		"3️⃣ Pós-venda (cancelar, remarcar, reembolso)\n" +
		"4️⃣ Previsão do tempo"
	txtMenuAgain = "Não entendi 🤔 Escolha uma das opções abaixo."

	txtAboutPark = "O Thermas Aqua Park fica na Rodovia das Águas, km 12, em São Pedro (SP), " +
		"a 190 km da capital. Temos piscina de ondas, rio lento, toboáguas radicais, área " +
		"infantil, cabanas e o Arvorar, uma trilha suspensa entre as árvores. 🌊🌳"
	txtAfterSales = "Cancelamentos e reembolsos podem ser pedidos em até 7 dias após a compra, " +
		"desde que faltem 48 horas para a visita. Remarcações são gratuitas uma vez, com 48 horas " +
		"de antecedência."
	txtWeather = "Previsão para São Pedro nos próximos dias: sol entre nuvens, máxima de 31 °C " +
		"e 20% de chance de chuva à tarde. Ótimo para curtir o parque! ☀️"

	txtAskDate   = "Para qual data você deseja os ingressos? Me informe no formato dd/mm."
	txtArvorar   = "Ótima escolha! O Arvorar é a nossa trilha nas árvores, R$ 189,00 por pessoa. 🌳"
	txtClosed    = "Infelizmente o parque estará fechado em %s. Gostaria de escolher outra data?"
	txtAvailable = "Temos disponibilidade para %s! Quantos ingressos de cada tipo você deseja?"
	txtWeekend   = "No %s temos disponibilidade no %s. Qual dessas datas você prefere?"

	txtWeekendClosed = "Infelizmente o parque estará fechado no %s. Gostaria de escolher outra data?"
	txtNoSuchWeekend = "Esse fim de semana não existe no calendário 😅 Pode me informar a data no formato dd/mm?"
	txtWhichDate     = "Claro! Qual data você prefere? Me informe no formato dd/mm."
	txtNoProblem     = "Sem problemas!"
	txtDateAgain     = "Não consegui entender a data. Pode me informar no formato dd/mm (por exemplo, 21/11)?"

	txtQuantitiesAgain = "Não consegui identificar as quantidades. Me diga quantos ingressos de " +
		"cada tipo, por exemplo: 2 adultos e 1 criança."
	txtSelection = "Anotado: %s para %s. Total: %s."
	txtUpsell    = "Quer deixar o passeio ainda melhor? Temos cabanas exclusivas (R$ 250,00 por dia) " +
		"e experiências especiais. Deseja adicionar uma cabana ao seu pedido? (sim/não)"
	txtUpsellAgain = "Desculpe, não entendi. Deseja adicionar uma cabana (R$ 250,00) ao pedido? (sim/não)"
	txtCabanaAdded = "Cabana adicionada! 🏖️ Novo total: %s."
	txtNoUpsell    = "Tudo bem, seguimos só com os ingressos."

	txtAskFullName   = "Para emitir os ingressos, qual o seu nome completo?"
	txtFullNameAgain = "Preciso do seu nome completo, com nome e sobrenome. Pode me enviar?"
	txtAskPhone      = "Obrigada! Agora me informe o seu celular com DDI e DDD, no formato " +
		"55DDXXXXXXXXX (13 dígitos)."
	txtPhoneInvalid = "Número inválido 😕 Envie o celular com DDI e DDD, no formato " +
		"55DDXXXXXXXXX (13 dígitos), por exemplo 5511987654321."
	txtAskEmail     = "Anotado! Qual o seu e-mail?"
	txtEmailInvalid = "E-mail inválido 😕 Ele precisa ter @ e um domínio, como nome@exemplo.com. " +
		"Qual o seu e-mail?"
	txtAskCPF     = "Por último, qual o seu CPF?"
	txtCPFInvalid = "CPF inválido 😕 Confira os 11 dígitos e me envie novamente, por favor."

	txtSummary = "Resumo do pedido:\n• %s\n• Data: %s\n• Cabana: %s\n• Nome: %s\n" +
		"• Celular: %s\n• E-mail: %s\n• CPF: %s\n• Total: %s"
	txtAskConfirm   = "Posso confirmar? A forma de pagamento é Pix."
	txtConfirmAgain = "Desculpe, não entendi. Posso confirmar o pedido com pagamento via Pix? (sim/não)"
	txtCancelled    = "Pedido cancelado, nada foi cobrado."
	txtPaymentLink  = "Aqui está o seu link de pagamento via Pix (válido por 24 horas): %s\n" +
		"Obrigada pela compra, %s! Os ingressos chegam por e-mail assim que o pagamento for confirmado. 💙"
	txtClosing = "Seu pedido já está finalizado. Obrigada pelo contato e até breve no Thermas Aqua Park! 🌊"
)

// txtTicketList lists every ticket with its price and the park's
// informational page, which is not a payment link.
var txtTicketList = ticketList()

func ticketList() string {
	var b strings.Builder
	b.WriteString("Estes são os nossos ingressos:\n")
	for _, t := range catalog {
		fmt.Fprintf(&b, "• %s%s: %s\n", t.label, t.note, brl(t.price))
	}
	b.WriteString("Mais detalhes: " + infoURL)
	return b.String()
}

const (
	infoURL   = "https://www.thermasaquapark.com.br/ingressos"
	imageBase = "https://www.thermasaquapark.com.br/img/parque-"
	images    = 6 // parque-1.jpg … parque-6.jpg
)

func weekdayLabel(w time.Weekday) string {
	if w == time.Sunday {
		return "domingo"
	}
	return "sábado"
}

func weekdayWord(w time.Weekday) string {
	if w == time.Sunday {
		return "domingo"
	}
	return "sabado"
}

// rewordedText is what a reworded reply says instead of its text (Options.RewordFrom).
const rewordedText = "Nova versão do atendimento: recebemos sua mensagem e seguimos com o seu atendimento por aqui."

// Reworded is text as the simulator's "new build" says it
// (Options.RewordFrom): one fixed sentence, then the text's links, if it
// had any, one a line — the words change, a payment link still arrives.
func Reworded(text string) string {
	out := rewordedText
	for _, w := range strings.Fields(text) {
		if strings.HasPrefix(w, "https://") || strings.HasPrefix(w, "http://") {
			out += "\n" + w
		}
	}
	return out
}
