/**
 * The page's words, Brazilian Portuguese first. Shared by the Worker (server-rendered pages) and
 * the client bundle, so one key means the same thing on both sides. English mirrors the Portuguese
 * shape exactly (`Messages`), so a missing translation is a type error.
 */
export const LANGS = ["pt-BR", "en"] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = "pt-BR";
/** The fan's explicit choice (the language toggle), read by the Worker before Accept-Language. */
export const LANG_COOKIE = "catraca_lang";

export function isLang(value: unknown): value is Lang {
  return typeof value === "string" && (LANGS as readonly string[]).includes(value);
}

/** `en-GB,en;q=0.9,pt;q=0.5` → the best supported language, Portuguese when nothing matches. */
export function negotiateLang(acceptLanguage: string | undefined): Lang {
  const ranked = (acceptLanguage ?? "")
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().toLowerCase().split(";");
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag, q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.tag && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    if (tag === "pt" || tag.startsWith("pt-")) return "pt-BR";
    if (tag === "en" || tag.startsWith("en-")) return "en";
  }
  return DEFAULT_LANG;
}

const ptPlural = new Intl.PluralRules("pt-BR");
const enPlural = new Intl.PluralRules("en");
const plural = (rules: Intl.PluralRules, n: number, one: string, other: string) =>
  rules.select(n) === "one" ? one : other;

const ptBR = {
  htmlLang: "pt-BR",
  tagline: "Ingressos com fila justa",
  skipToContent: "Pular para o conteúdo",
  navShows: "Shows",
  signIn: "Entrar",
  signOut: "Sair",
  hello: (name: string) => `Olá, ${name}`,
  otherLang: "English",
  otherLangLabel: "Read this page in English",
  footer: "catraca: venda de ingressos por ordem de chegada, com um ingresso reservado para cada pessoa admitida.",
  footerSandbox: "Pagamentos em ambiente de teste: nenhum valor é cobrado.",

  homeTitle: "Próximos shows",
  homeLead:
    "Entre na fila, acompanhe sua posição ao vivo e pague com calma: quando chega a sua vez, o ingresso fica reservado só para você.",
  noShows: "Nenhum show à venda no momento. Volte em breve!",
  fromPrice: (price: string) => `a partir de ${price}`,
  onSale: "À venda",
  salesOpenOn: (date: string) => `Vendas a partir de ${date}`,
  soldOut: "Esgotado",
  seeTickets: "Ver ingressos",

  allShows: "Todos os shows",
  whenWhere: "Quando e onde",
  venueTime: "horário de Brasília",
  aboutBand: "Sobre a banda",
  sectorsTitle: "Setores e preços",
  sector: "Setor",
  fullPrice: "Inteira",
  meiaPrice: "Meia-entrada",
  meiaShort: "meia",
  availableNow: "Disponíveis agora",
  /** Free tickets now; with none free, held ones mean the queue is still worth joining. */
  available: (n: number, held = 0) =>
    n > 0
      ? plural(ptPlural, n, `${n} disponível`, `${n} disponíveis`)
      : held > 0
        ? "todos reservados: entre na fila"
        : "esgotado",
  availabilityNote: "Ingressos reservados para quem está pagando voltam a ficar disponíveis se a pessoa desistir.",
  howTitle: "Como funciona a fila",
  howQueue: "Você entra na fila do setor escolhido, e a ordem de chegada é sempre respeitada.",
  howHold: (minutes: number) =>
    `Quando chega a sua vez, um ingresso fica reservado só para você por ${plural(ptPlural, minutes, `${minutes} minuto`, `${minutes} minutos`)}.`,
  howPay: "Pague nesse tempo e o ingresso é seu. Se desistir, ele vai na hora para a próxima pessoa da fila.",
  limitPerFan: (n: number) => `Até ${plural(ptPlural, n, `${n} ingresso`, `${n} ingressos`)} por pessoa.`,
  noscript: "Ative o JavaScript do navegador para entrar na fila e acompanhar sua posição.",

  saleTitle: "Comprar ingresso",
  loading: "Carregando…",
  signInTitle: "Entre para comprar",
  signInLead: "Só precisamos do seu nome e e-mail. Enviamos um código para confirmar que o e-mail é seu.",
  name: "Nome",
  email: "E-mail",
  continue: "Continuar",
  signingIn: "Entrando…",
  signInPageTitle: "Entrar",

  chooseTitle: "Escolha seu ingresso",
  sectorLegend: "Setor",
  typeLegend: "Tipo de ingresso",
  meiaNote:
    "Meia-entrada exige documento na entrada (estudante, 60+, pessoa com deficiência, ID Jovem ou professor, conforme a lei).",
  limitNote: (max: number, booked: number) =>
    `Limite de ${plural(ptPlural, max, `${max} ingresso`, `${max} ingressos`)} por pessoa${booked > 0 ? ` · você já tem ${booked}` : ""}.`,
  joinQueue: "Entrar na fila",
  joining: "Entrando na fila…",
  joinHint: "Se houver ingresso livre, ele é reservado para você na hora.",
  limitReached: "Você já atingiu o limite de ingressos por pessoa para este show.",
  salesNotOpen: (date: string) => `As vendas deste show abrem em ${date}.`,
  classLabel: (sector: string, meia: boolean) => `${sector} · ${meia ? "Meia-entrada" : "Inteira"}`,

  waitingTitle: "Você está na fila",
  yourPlace: "Sua posição",
  placeNumber: (n: number) => `${n}º`,
  ahead: (n: number) =>
    n === 0
      ? "Ninguém na sua frente: você é a próxima pessoa!"
      : plural(ptPlural, n, "1 pessoa na sua frente", `${n} pessoas na sua frente`),
  positionAnnounce: (position: number, ahead: string) => `Você é o número ${position} da fila. ${ahead}`,
  estimate: (minutes: number) =>
    minutes < 1
      ? "Espera estimada: menos de 1 minuto"
      : minutes < 60
        ? `Espera estimada: cerca de ${minutes} min`
        : `Espera estimada: cerca de ${Math.floor(minutes / 60)} h ${minutes % 60} min`,
  estimating: "Calculando a espera pelo ritmo da fila…",
  estimateBasis: "Pelo ritmo real em que a fila andou até agora.",
  keepOpen: "Mantenha esta aba aberta. Se recarregar a página, você não perde o seu lugar.",
  leaveQueue: "Sair da fila",
  leaveQueueConfirm: "Sair da fila? Você perde o seu lugar.",
  leaveQueueYes: "Sim, sair da fila",
  stay: "Continuar na fila",

  connLive: "Ao vivo",
  connConnecting: "Conectando…",
  connReconnecting: "Reconectando…",
  connPolling: "Atualizando a cada poucos segundos",

  admittedTitle: "É a sua vez!",
  admittedLead: "Este ingresso está reservado só para você. Pague antes que o tempo acabe.",
  timeLeft: "Tempo para pagar",
  heldUntil: (time: string) => `Reservado até ${time}`,
  timeUp: "Tempo esgotado. Confirmando com o servidor…",
  minutesLeftAnnounce: (minutes: number) =>
    plural(ptPlural, minutes, "Falta 1 minuto para pagar.", `Faltam ${minutes} minutos para pagar.`),
  secondsLeftAnnounce: (seconds: number) => `Faltam ${seconds} segundos para pagar.`,
  pay: (price: string) => `Pagar ${price}`,
  startingPayment: "Abrindo o pagamento…",
  giveUp: "Desistir do ingresso",
  giveUpConfirm: "Desistir? O ingresso vai na hora para a próxima pessoa da fila.",
  giveUpYes: "Sim, desistir",
  back: "Voltar",

  bookedTitle: "Ingresso garantido!",
  bookedLead: "Apresente o QR code na entrada, no celular ou impresso.",
  confirmingPayment: "Confirmando seu pagamento…",
  refundDue:
    "O pagamento chegou depois que a reserva acabou, então o ingresso não foi emitido. O valor será estornado.",
  yourTickets: "Seus ingressos",
  holder: "Titular",
  type: "Tipo",
  price: "Valor",
  ticketCode: "Código",
  print: "Imprimir",
  buyAnother: "Comprar outro ingresso",
  meiaReminder: "Meia-entrada: leve o documento que comprova o direito.",
  qrAlt: (sector: string) => `QR code do ingresso ${sector}`,
  ticketLoadFailed: "Não foi possível carregar o código deste ingresso. Recarregue a página.",

  soldOutTitle: "Esgotado",
  soldOutLead: (label: string) => `Os ingressos ${label} acabaram enquanto você esperava.`,
  soldOutOthers: "Ainda há ingressos em:",
  soldOutNone: "Todos os setores deste show estão esgotados.",
  joinOther: (label: string) => `Entrar na fila: ${label}`,
  expiredTitle: "Seu tempo acabou",
  expiredLead: "O pagamento não foi concluído a tempo, e o ingresso voltou para a fila.",
  rejoin: "Entrar na fila de novo",
  cancelledTitle: "Compra cancelada",
  cancelledLead: "Tudo certo: liberamos o seu lugar para a próxima pessoa.",
  chooseAgain: "Quer tentar de novo? Escolha abaixo.",

  checkoutTitle: "Pagamento",
  sandboxBadge: "Ambiente de teste",
  sandboxNote:
    "Este é o pagamento de teste (sandbox): nenhum valor é cobrado. Em produção, aqui entra o provedor de pagamento.",
  orderSummary: "Resumo do pedido",
  showLabel: "Show",
  total: "Total",
  paying: "Processando pagamento…",
  backToShow: "Voltar ao show",
  holdRunsOut: "Sua reserva termina em",
  checkoutEnded: "Esta reserva já terminou. Volte ao show para ver a sua situação.",
  checkoutPaid: "Este pagamento já foi aprovado.",

  // Real payments (issue #16): the wait for a provider's confirmation.
  awaitingPixTitle: "Aguardando seu Pix",
  awaitingPaymentTitle: "Confirmando seu pagamento",
  awaitingLead:
    "Pague no app do seu banco. Assim que o banco confirmar, seu ingresso é emitido, mesmo que você feche esta página.",
  awaitingNote: "Esta página se atualiza sozinha.",
  reopenPayment: "Voltar ao pagamento",
  errorProviderDown: "O provedor de pagamento não respondeu. Seu ingresso continua reservado: tente de novo.",
  refunded:
    "O pagamento chegou depois que a reserva acabou, então o ingresso não foi emitido. O valor já foi estornado.",

  notFoundTitle: "Página não encontrada",
  notFoundLead: "O endereço pode ter mudado ou o show não existe mais.",

  errorGeneric: "Algo deu errado do nosso lado. Tente de novo em instantes.",
  errorNetwork: "Sem conexão com a internet. Verifique e tente de novo.",
  errorSoldOut: "Esgotou: não há mais ingressos desta opção. Escolha outro setor ou tipo.",
  errorHoldExpired: "A reserva deste ingresso terminou.",
  errorInvalidEmail: "Confira o e-mail: ele parece incompleto.",
  errorRateLimited: "Muitas tentativas em pouco tempo. Aguarde alguns segundos e tente de novo.",

  // --- accounts: sign-in by code, passkeys, my tickets, my account (issue 11) ---
  sendCode: "Receber código por e-mail",
  sendingCode: "Enviando o código…",
  or: "ou",
  passkeySignIn: "Entrar com chave de acesso",
  passkeyWaiting: "Aguardando a sua chave de acesso…",
  passkeyFailed: "Não deu para entrar com a chave de acesso. Tente de novo ou receba um código por e-mail.",
  passkeyUnknown: "Esta chave de acesso não está mais cadastrada. Entre com um código por e-mail.",
  codeTitle: "Confira o seu e-mail",
  codeSent: (email: string) => `Enviamos um código de 6 dígitos para ${email}.`,
  codeResent: (email: string) => `Enviamos um novo código para ${email}. Use o mais recente.`,
  codeLabel: "Código de 6 dígitos",
  codeHint: (minutes: number) => `O código vale por ${minutes} minutos. Pode colar do e-mail.`,
  verifyCode: "Entrar",
  verifyingCode: "Conferindo…",
  resendCode: "Enviar outro código",
  resendIn: (seconds: number) => `Você pode pedir outro código em ${seconds} s.`,
  useAnotherEmail: "Usar outro e-mail",
  notReceived: "Não chegou? Confira a caixa de spam ou peça outro código.",
  errorWrongCode: (left: number) =>
    left > 0
      ? `Código incorreto. ${plural(ptPlural, left, "Resta 1 tentativa", `Restam ${left} tentativas`)}.`
      : "Código incorreto, e não restam tentativas. Peça um novo código.",
  errorCodeExpired: "Este código expirou ou já foi usado. Peça um novo código.",
  errorCodeFormat: "Digite os 6 números do código que enviamos.",
  errorCodeWait: (seconds: number) => `Acabamos de enviar um código. Aguarde ${seconds} s para pedir outro.`,
  errorEmailNotSent: "Não conseguimos enviar o e-mail agora. Tente de novo em um minuto.",
  passkeyOfferTitle: "Entrar com uma chave de acesso da próxima vez?",
  passkeyOfferLead:
    "Com uma chave de acesso, você entra com a digital, o rosto ou o PIN deste aparelho, sem esperar e-mail. Ideal para o dia da venda.",
  passkeyCreate: "Criar chave de acesso",
  passkeyCreating: "Criando a chave de acesso…",
  passkeyCreated: "Pronto! Da próxima vez, toque em “Entrar com chave de acesso”.",
  passkeyCreateFailed: "A chave de acesso não foi criada. Você pode tentar de novo quando quiser, em Minha conta.",
  passkeyUnsupported: "Este navegador não aceita chaves de acesso.",
  notNow: "Agora não",
  navMyTickets: "Meus ingressos",
  navAccount: "Minha conta",
  myTicketsTitle: "Meus ingressos",
  myTicketsLead: "Todos os seus ingressos, com o QR code para a entrada. Mostre no celular ou imprima.",
  myTicketsNone: "Você ainda não tem ingressos.",
  seeShows: "Ver os shows",
  accountTitle: "Minha conta",
  passkeysTitle: "Chaves de acesso",
  passkeysLead: "Entre com um toque, sem código por e-mail.",
  passkeysNone: "Nenhuma chave de acesso ainda.",
  passkeyAdd: "Adicionar chave de acesso",
  passkeyRemove: "Remover",
  passkeyRemoveLabel: (label: string) => `Remover a chave de acesso ${label}`,
  passkeyCreatedOn: (date: string) => `Criada em ${date}`,
  passkeyLastUsed: (date: string) => `Último uso em ${date}`,
  passkeyRemoved: "Chave de acesso removida.",
  sessionsTitle: "Aparelhos conectados",
  sessionsLead: (days: number) =>
    `Você fica conectado por ${days} dias em cada aparelho. Perdeu um aparelho ou entrou em um que não é seu? Saia de todos.`,
  signOutEverywhere: "Sair de todos os aparelhos",
  // A show that cannot take more calls right now (503), and a tab replaced by a newer one.
  errorUnavailable: "Muita gente neste show agora. Aguarde alguns segundos e tente de novo: seu lugar está guardado.",
  connBusy: "Muita procura: aguarde, tentando de novo",
  connReplaced: "Aberto em outra aba: volte aqui para atualizar ao vivo",
  busyTitle: "Um momento",
  tryAgain: "Tentar de novo",
  // Catalogue pages, shows being prepared and archived shows (#17).
  cataloguePages: "Páginas de shows",
  moreShows: "Mais shows",
  firstShows: "Voltar aos primeiros",
  includePast: "Ver também os shows que já aconteceram",
  onlyUpcoming: "Só os próximos shows",
  preparing: "Em preparação",
  preparingLead: (percent: number) =>
    `Os ingressos deste show estão sendo preparados (${percent}% prontos). A venda abre assim que todos estiverem prontos: recarregue a página em instantes.`,
  archived: "Venda encerrada",
  archivedLead: "Este show foi arquivado: a venda está encerrada. Ingressos comprados continuam valendo na entrada.",
  // The fair opening: the pre-queue and its draw (#14).
  prequeueBadge: "Pré-fila aberta",
  prequeueSoon: (opensAt: string, drawAt: string) =>
    `A pré-fila abre em ${opensAt}. O sorteio da ordem da fila é em ${drawAt}, na abertura das vendas.`,
  prequeueJoinLead: (drawAt: string) =>
    `A pré-fila está aberta: entre agora e participe do sorteio da ordem da fila em ${drawAt}.`,
  prequeueTitle: "Você está na pré-fila",
  prequeueCountdownLabel: "Sorteio em",
  prequeueFair:
    "Todos aqui têm a mesma chance: chegar mais cedo não ajuda; chegar depois da abertura coloca você atrás de todos que estão aqui.",
  prequeueReload: "Pode recarregar a página ou fechar esta aba: seu lugar no sorteio continua.",
  prequeueDrawing: "Sorteando a ordem da fila…",
  prequeueLeave: "Sair da pré-fila",
  prequeueLeaveConfirm: "Sair da pré-fila? Se voltar depois da abertura, você fica atrás de todos que estão nela.",
  prequeueLeaveYes: "Sim, sair",
  drawTitle: "Um sorteio que qualquer um pode conferir",
  drawHow:
    'Na abertura das vendas, a ordem de quem está na pré-fila é sorteada. Antes de tudo, sorteamos um número secreto (a semente) e publicamos a sua impressão digital, o compromisso abaixo. Na abertura revelamos a semente: a chave de cada fã é o SHA-256 de "semente:id do fã", e cada classe de ingresso é atendida da menor chave para a maior.',
  drawCommitment: "Compromisso (SHA-256 da semente)",
  drawCheck:
    "Depois do sorteio, confira: o SHA-256 da semente revelada tem de ser este compromisso, e a ordem tem de ser a das chaves.",
  drawCheckLink: "Ver o sorteio (semente, chaves e participantes)",
  drawCommand: "Ou, com o código do catraca:",
  siteAddress: "endereço do site",
  howPrequeue:
    "Você entra na pré-fila do setor escolhido; na abertura das vendas a ordem de quem está nela é sorteada, e quem chega depois entra atrás, por ordem de chegada.",
};

export type Messages = typeof ptBR;

const en: Messages = {
  htmlLang: "en",
  tagline: "Tickets with a fair queue",
  skipToContent: "Skip to content",
  navShows: "Shows",
  signIn: "Sign in",
  signOut: "Sign out",
  hello: (name) => `Hi, ${name}`,
  otherLang: "Português",
  otherLangLabel: "Ler esta página em português",
  footer: "catraca: tickets sold in order of arrival, with one ticket held for each fan let in.",
  footerSandbox: "Payments run in test mode: nobody is charged.",

  homeTitle: "Upcoming shows",
  homeLead:
    "Join the queue, follow your place live and pay calmly: when it is your turn, a ticket is held just for you.",
  noShows: "No shows on sale right now. Come back soon!",
  fromPrice: (price) => `from ${price}`,
  onSale: "On sale",
  salesOpenOn: (date) => `On sale from ${date}`,
  soldOut: "Sold out",
  seeTickets: "See tickets",

  allShows: "All shows",
  whenWhere: "When and where",
  venueTime: "Brasília time",
  aboutBand: "About the band",
  sectorsTitle: "Sectors and prices",
  sector: "Sector",
  fullPrice: "Full price",
  meiaPrice: "Half price (meia)",
  meiaShort: "half",
  availableNow: "Available now",
  available: (n, held = 0) => (n > 0 ? `${n} available` : held > 0 ? "all held: join the queue" : "sold out"),
  availabilityNote: "Tickets held for fans who are paying become available again if they give up.",
  howTitle: "How the queue works",
  howQueue: "You join the queue of the sector you choose, and the order of arrival is always kept.",
  howHold: (minutes) =>
    `When it is your turn, a ticket is held just for you for ${plural(enPlural, minutes, `${minutes} minute`, `${minutes} minutes`)}.`,
  howPay: "Pay within that time and the ticket is yours. If you give up, it goes to the next fan in line at once.",
  limitPerFan: (n) => `Up to ${plural(enPlural, n, `${n} ticket`, `${n} tickets`)} per person.`,
  noscript: "Turn on JavaScript in your browser to join the queue and follow your place.",

  saleTitle: "Get tickets",
  loading: "Loading…",
  signInTitle: "Sign in to buy",
  signInLead: "We only need your name and email. We email you a code to confirm the address is yours.",
  name: "Name",
  email: "Email",
  continue: "Continue",
  signingIn: "Signing in…",
  signInPageTitle: "Sign in",

  chooseTitle: "Choose your ticket",
  sectorLegend: "Sector",
  typeLegend: "Ticket type",
  meiaNote: "Half price (meia-entrada) needs proof of eligibility at the door (student, 60+, disability, ID Jovem).",
  limitNote: (max, booked) =>
    `Limit of ${plural(enPlural, max, `${max} ticket`, `${max} tickets`)} per person${booked > 0 ? ` · you have ${booked}` : ""}.`,
  joinQueue: "Join the queue",
  joining: "Joining the queue…",
  joinHint: "If a ticket is free, it is held for you at once.",
  limitReached: "You have reached the ticket limit per person for this show.",
  salesNotOpen: (date) => `Sales for this show open on ${date}.`,
  classLabel: (sector, meia) => `${sector} · ${meia ? "Half price" : "Full price"}`,

  waitingTitle: "You're in the queue",
  yourPlace: "Your place",
  placeNumber: (n) => `#${n}`,
  ahead: (n) =>
    n === 0
      ? "Nobody ahead of you: you're next!"
      : plural(enPlural, n, "1 person ahead of you", `${n} people ahead of you`),
  positionAnnounce: (position, ahead) => `You are number ${position} in the queue. ${ahead}`,
  estimate: (minutes) =>
    minutes < 1
      ? "Estimated wait: under 1 minute"
      : minutes < 60
        ? `Estimated wait: about ${minutes} min`
        : `Estimated wait: about ${Math.floor(minutes / 60)} h ${minutes % 60} min`,
  estimating: "Estimating your wait from the pace of the queue…",
  estimateBasis: "From the pace at which the queue has actually moved so far.",
  keepOpen: "Keep this tab open. Reloading the page keeps your place.",
  leaveQueue: "Leave the queue",
  leaveQueueConfirm: "Leave the queue? You will lose your place.",
  leaveQueueYes: "Yes, leave",
  stay: "Stay in the queue",

  connLive: "Live",
  connConnecting: "Connecting…",
  connReconnecting: "Reconnecting…",
  connPolling: "Updating every few seconds",

  admittedTitle: "It's your turn!",
  admittedLead: "This ticket is held just for you. Pay before the time runs out.",
  timeLeft: "Time left to pay",
  heldUntil: (time) => `Held until ${time}`,
  timeUp: "Time is up. Checking with the server…",
  minutesLeftAnnounce: (minutes) =>
    plural(enPlural, minutes, "1 minute left to pay.", `${minutes} minutes left to pay.`),
  secondsLeftAnnounce: (seconds) => `${seconds} seconds left to pay.`,
  pay: (price) => `Pay ${price}`,
  startingPayment: "Opening the payment…",
  giveUp: "Give up this ticket",
  giveUpConfirm: "Give it up? The ticket goes to the next fan in line at once.",
  giveUpYes: "Yes, give it up",
  back: "Back",

  bookedTitle: "You're going!",
  bookedLead: "Show the QR code at the door, on your phone or printed.",
  confirmingPayment: "Confirming your payment…",
  refundDue: "The payment arrived after the hold had ended, so no ticket was issued. The amount will be refunded.",
  yourTickets: "Your tickets",
  holder: "Holder",
  type: "Type",
  price: "Price",
  ticketCode: "Code",
  print: "Print",
  buyAnother: "Buy another ticket",
  meiaReminder: "Half price: bring the document that proves eligibility.",
  qrAlt: (sector) => `QR code of the ${sector} ticket`,
  ticketLoadFailed: "Could not load this ticket's code. Please reload the page.",

  soldOutTitle: "Sold out",
  soldOutLead: (label) => `${label} tickets sold out while you were waiting.`,
  soldOutOthers: "Tickets are still available in:",
  soldOutNone: "Every sector of this show is sold out.",
  joinOther: (label) => `Join the queue: ${label}`,
  expiredTitle: "Your time ran out",
  expiredLead: "The payment was not completed in time, so the ticket went back to the queue.",
  rejoin: "Join the queue again",
  cancelledTitle: "Purchase cancelled",
  cancelledLead: "Done: your place went to the next fan in line.",
  chooseAgain: "Want to try again? Choose below.",

  checkoutTitle: "Payment",
  sandboxBadge: "Test mode",
  sandboxNote: "This is the test (sandbox) payment: nobody is charged. In production, the payment provider goes here.",
  orderSummary: "Order summary",
  showLabel: "Show",
  total: "Total",
  paying: "Processing payment…",
  backToShow: "Back to the show",
  holdRunsOut: "Your hold ends in",
  checkoutEnded: "This hold has already ended. Go back to the show to see where you stand.",
  checkoutPaid: "This payment has already been approved.",

  // Real payments (issue #16): the wait for a provider's confirmation.
  awaitingPixTitle: "Waiting for your Pix",
  awaitingPaymentTitle: "Confirming your payment",
  awaitingLead:
    "Pay in your bank's app. As soon as the bank confirms, your ticket is issued, even if you close this page.",
  awaitingNote: "This page updates by itself.",
  reopenPayment: "Back to the payment",
  errorProviderDown: "The payment provider did not answer. Your ticket is still held: try again.",
  refunded: "The payment arrived after the hold had ended, so no ticket was issued. The amount has been refunded.",

  notFoundTitle: "Page not found",
  notFoundLead: "The address may have changed, or the show no longer exists.",

  errorGeneric: "Something went wrong on our side. Please try again in a moment.",
  errorNetwork: "No internet connection. Check it and try again.",
  errorSoldOut: "Sold out: no tickets left of this kind. Choose another sector or type.",
  errorHoldExpired: "The hold on this ticket has ended.",
  errorInvalidEmail: "Please check the email address: it looks incomplete.",
  errorRateLimited: "Too many attempts in a short time. Wait a few seconds and try again.",

  // --- accounts: sign-in by code, passkeys, my tickets, my account (issue 11) ---
  sendCode: "Email me a code",
  sendingCode: "Sending the code…",
  or: "or",
  passkeySignIn: "Sign in with a passkey",
  passkeyWaiting: "Waiting for your passkey…",
  passkeyFailed: "Could not sign in with the passkey. Try again, or get a code by email.",
  passkeyUnknown: "This passkey is no longer registered. Sign in with a code by email.",
  codeTitle: "Check your email",
  codeSent: (email) => `We sent a 6-digit code to ${email}.`,
  codeResent: (email) => `We sent a new code to ${email}. Use the latest one.`,
  codeLabel: "6-digit code",
  codeHint: (minutes) => `The code works for ${minutes} minutes. You can paste it from the email.`,
  verifyCode: "Sign in",
  verifyingCode: "Checking…",
  resendCode: "Send another code",
  resendIn: (seconds) => `You can ask for another code in ${seconds} s.`,
  useAnotherEmail: "Use another email",
  notReceived: "Nothing yet? Check your spam folder, or ask for another code.",
  errorWrongCode: (left) =>
    left > 0
      ? `Wrong code. ${plural(enPlural, left, "1 try left", `${left} tries left`)}.`
      : "Wrong code, and no tries left. Ask for a new code.",
  errorCodeExpired: "This code has expired or was already used. Ask for a new code.",
  errorCodeFormat: "Type the 6 digits of the code we sent.",
  errorCodeWait: (seconds) => `We just sent a code. Wait ${seconds} s to ask for another.`,
  errorEmailNotSent: "We could not send the email right now. Try again in a minute.",
  passkeyOfferTitle: "Sign in with a passkey next time?",
  passkeyOfferLead:
    "With a passkey you sign in with this device's fingerprint, face or PIN, without waiting for an email. Just right for sale day.",
  passkeyCreate: "Create a passkey",
  passkeyCreating: "Creating the passkey…",
  passkeyCreated: "Done! Next time, tap “Sign in with a passkey”.",
  passkeyCreateFailed: "The passkey was not created. You can try again any time, in My account.",
  passkeyUnsupported: "This browser does not support passkeys.",
  notNow: "Not now",
  navMyTickets: "My tickets",
  navAccount: "My account",
  myTicketsTitle: "My tickets",
  myTicketsLead: "All your tickets, with the QR code for the door. Show it on your phone or print it.",
  myTicketsNone: "You have no tickets yet.",
  seeShows: "See the shows",
  accountTitle: "My account",
  passkeysTitle: "Passkeys",
  passkeysLead: "Sign in with one tap, no code by email.",
  passkeysNone: "No passkeys yet.",
  passkeyAdd: "Add a passkey",
  passkeyRemove: "Remove",
  passkeyRemoveLabel: (label) => `Remove the passkey ${label}`,
  passkeyCreatedOn: (date) => `Created on ${date}`,
  passkeyLastUsed: (date) => `Last used on ${date}`,
  passkeyRemoved: "Passkey removed.",
  sessionsTitle: "Signed-in devices",
  sessionsLead: (days) =>
    `You stay signed in for ${days} days on each device. Lost a device, or signed in on one that is not yours? Sign out everywhere.`,
  signOutEverywhere: "Sign out of every device",
  errorUnavailable: "This show is very busy right now. Wait a few seconds and try again: your place is kept.",
  connBusy: "Very busy: hold on, trying again",
  connReplaced: "Open in another tab: come back here for live updates",
  busyTitle: "Just a moment",
  tryAgain: "Try again",
  // Catalogue pages, shows being prepared and archived shows (#17).
  cataloguePages: "Show pages",
  moreShows: "More shows",
  firstShows: "Back to the first shows",
  includePast: "Also show past shows",
  onlyUpcoming: "Upcoming shows only",
  preparing: "Being prepared",
  preparingLead: (percent) =>
    `This show's tickets are being prepared (${percent}% ready). The sale opens as soon as all of them are: reload this page in a moment.`,
  archived: "Sale closed",
  archivedLead: "This show has been archived: its sale is closed. Tickets already bought stay valid at the door.",
  // The fair opening: the pre-queue and its draw (#14).
  prequeueBadge: "Pre-queue open",
  prequeueSoon: (opensAt, drawAt) =>
    `The pre-queue opens on ${opensAt}. The queue's order is drawn on ${drawAt}, when the sale opens.`,
  prequeueJoinLead: (drawAt) =>
    `The pre-queue is open: join now and take part in the draw of the queue's order on ${drawAt}.`,
  prequeueTitle: "You're in the pre-queue",
  prequeueCountdownLabel: "Draw in",
  prequeueFair:
    "Everyone here has the same chance: arriving earlier does not help; arriving after the opening puts you behind everyone here.",
  prequeueReload: "You can reload the page or close this tab: your place in the draw stays.",
  prequeueDrawing: "Drawing the queue's order…",
  prequeueLeave: "Leave the pre-queue",
  prequeueLeaveConfirm: "Leave the pre-queue? If you come back after the opening, you will be behind everyone in it.",
  prequeueLeaveYes: "Yes, leave",
  drawTitle: "A draw anyone can check",
  drawHow:
    'When the sale opens, the order of everyone in the pre-queue is drawn. Beforehand we draw a secret number (the seed) and publish its fingerprint, the commitment below. At the opening we reveal the seed: each fan\'s key is the SHA-256 of "seed:fan id", and each ticket class is served from the lowest key to the highest.',
  drawCommitment: "Commitment (SHA-256 of the seed)",
  drawCheck:
    "After the draw, check it: the SHA-256 of the revealed seed must be this commitment, and the order must be the keys' order.",
  drawCheckLink: "See the draw (seed, keys and entrants)",
  drawCommand: "Or, with catraca's code:",
  siteAddress: "site address",
  howPrequeue:
    "You join the pre-queue of the sector you choose; when the sale opens, the order of everyone in it is drawn, and whoever comes later joins behind, in order of arrival.",
};

const MESSAGES: Record<Lang, Messages> = { "pt-BR": ptBR, en };

export function messages(lang: Lang): Messages {
  return MESSAGES[lang];
}
