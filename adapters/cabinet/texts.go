package cabinet

// The SMS texts, in Russian. A code goes only into the message that carries
// it; nothing here is logged.
const (
	smsRegistrationCode = "Код для регистрации в личном кабинете: %s. Он же будет вашим кодом доступа. Никому его не сообщайте."
	smsPhoneReplaced    = "В личном кабинете страхователя указывают новый номер телефона. Если это не вы, позвоните в страховую компанию."
	smsPurchaseCode     = "Личный кабинет создан. Логин: ваш ИИН, код доступа: %s. Никому его не сообщайте."
	smsPurchaseAdded    = "Полис %s добавлен в ваш личный кабинет."
	smsResetCode        = "Новый код доступа в личный кабинет: %s. Никому его не сообщайте."
)
