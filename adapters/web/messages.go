package web

import (
	"fmt"
	"time"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/internal/ru"
)

// messageOf says in Russian what went wrong and what to do. The service's
// own messages are for developers and stay out of the page.
func messageOf(e *cabinet.Error) string {
	switch e.Code {
	case cabinet.CodeInvalidArgument:
		return invalidField(e.Field)
	case cabinet.CodeInvalidCredentials:
		switch e.Field {
		case "code":
			return "Код из SMS неверный. Проверьте его и введите снова."
		case "currentCode":
			return "Текущий код доступа указан неверно."
		}
		return "Неверный логин или код доступа."
	case cabinet.CodeLocked:
		if e.RetryAfter > 0 {
			return "Слишком много неверных попыток. Попробуйте снова через " + wait(e.RetryAfter) + "."
		}
		return "Слишком много неверных кодов. Начните регистрацию заново."
	case cabinet.CodeRateLimited:
		return "Слишком много запросов. Попробуйте снова через " + wait(e.RetryAfter) + "."
	case cabinet.CodeCodeExpired:
		return "Срок действия кода истёк. Запросите новый код."
	case cabinet.CodeAlreadyRegistered:
		return "Для этого ИИН личный кабинет уже есть. Войдите в него или восстановите код доступа."
	case cabinet.CodeWeakAccessCode:
		return "Код доступа — от 4 до 12 цифр, не одна и та же цифра и не подряд идущие цифры вроде 1234."
	case cabinet.CodePhoneConfirmation:
		return "Чтобы указать другой номер телефона, введите номер одного из ваших полисов."
	case cabinet.CodeConflict:
		return conflict(e.Field)
	case cabinet.CodeNotFound:
		switch e.Field {
		case "registrationId":
			return "Регистрация устарела. Начните заново с ввода ИИН."
		case "purpose":
			return "Такого согласия нет среди ваших."
		}
		return "Не найдено."
	case cabinet.CodeInsufficientBalance:
		return "На бонусном счёте недостаточно баллов."
	case cabinet.CodeConsentRequiredByContract:
		return "Это согласие нужно, пока действует полис или не урегулирован страховой случай. Отозвать его можно будет после."
	case cabinet.CodeConsentRequired:
		return "Вы отозвали согласие на обработку персональных данных (или срок согласия истёк), поэтому изменить данные нельзя. Обратитесь в страховую компанию."
	case cabinet.CodeUnavailable:
		return "Сервис страховой компании временно недоступен. Попробуйте через несколько минут."
	}
	return internalText
}

// invalidField says what a field must hold.
func invalidField(field string) string {
	switch field {
	case "iin":
		return "Введите ИИН: 12 цифр без пробелов. Проверьте, нет ли опечатки."
	case "login":
		return "Введите ИИН (12 цифр) или номер мобильного телефона."
	case "accessCode", "currentCode":
		return "Введите код доступа."
	case "newCode":
		return "Введите новый код доступа."
	case "code":
		return "Введите код из SMS."
	case "phone", "personalData.phone":
		return "Введите номер мобильного телефона Казахстана, например +7 701 123 45 67."
	case "firstName", "personalData.firstName":
		return "Введите имя (не больше 100 символов)."
	case "lastName", "personalData.lastName":
		return "Введите фамилию (не больше 100 символов)."
	case "personalData.email", "settings.email":
		return "Введите адрес электронной почты целиком, например name@example.kz."
	case "personalData.additionalPhone":
		return "Дополнительный телефон — цифры, пробелы, скобки, дефисы и + в начале, не больше 30 символов."
	case "personalData.birthDate", "personalData.documentIssuedOn", "personalData.drivingLicenceDate":
		return "Укажите дату в формате ДД.ММ.ГГГГ."
	case "personalData.documentType":
		return "Выберите удостоверение личности или паспорт."
	case "kind":
		return "Выберите, какой это документ."
	case "fileName", "content", "contentType":
		return "Приложите файл JPEG, PNG или PDF размером до 700 КБ."
	case "settings":
		return "Настройки не сохранены: проверьте отмеченные каналы."
	case "policyNumber":
		return "Введите номер одного из ваших полисов."
	}
	return "Проверьте введённые данные."
}

// conflict says why the service refused an action at this moment.
func conflict(field string) string {
	switch field {
	case "phone", "personalData.phone":
		return "Этот номер телефона уже служит логином другого личного кабинета."
	case "policyId":
		return "Сейчас это действие с полисом недоступно: он уже продлён, расторгнут или оплачен."
	case "registrationId", "":
		return "Сначала запросите код из SMS."
	}
	return "Сейчас это действие недоступно."
}

// wait writes a wait in whole minutes, or seconds when under a minute.
func wait(d time.Duration) string {
	if d < time.Minute {
		s := max(int((d+time.Second-1)/time.Second), 1)
		return fmt.Sprintf("%d %s", s, ru.Plural(s, "секунду", "секунды", "секунд"))
	}
	m := int((d + time.Minute - 1) / time.Minute)
	return fmt.Sprintf("%d %s", m, ru.Plural(m, "минуту", "минуты", "минут"))
}

// flashes are the messages a page shows after a form succeeded, named by
// the ok parameter of the redirect, so that no text travels in a URL.
var flashes = map[string]string{
	"registered": "Регистрация личного кабинета прошла успешно! Добро пожаловать в Ваш Личный кабинет!",
	"onetime":    "Вы вошли с кодом из SMS. Придумайте свой код доступа.",
	"logout":     "Вы вышли из личного кабинета.",
	"expired":    "Сеанс завершён. Войдите снова.",
	"reset":      "Если такой логин зарегистрирован, новый код доступа отправлен по SMS на номер телефона из личного кабинета.",
	"code":       "Код доступа изменён.",
	"settings":   "Настройки сохранены.",
	"profile":    "Данные сохранены.",
	"scan":       "Скан документа загружен.",
	"read":       "Уведомление отмечено как прочитанное.",

	"consent_given":     "Согласие дано.",
	"consent_withdrawn": "Согласие отозвано.",
	"erased":            "Ваши персональные данные удалены, личный кабинет закрыт.",
	"erasure_policy":    "Запрос на удаление данных принят. Пока действует полис, данные нужны для его обслуживания: мы удалим их автоматически, когда срок его действия закончится.",
	"erasure_claim":     "Запрос на удаление данных принят. Пока страховой случай не урегулирован, данные нужны для выплаты: мы удалим их автоматически, когда он будет урегулирован.",
	"erasure":           "Запрос на удаление данных принят. Мы удалим данные автоматически, как только это станет возможно.",
}
