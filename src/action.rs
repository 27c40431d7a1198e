//! The vocabulary between keys and logic. Keymap files name these actions
//! in `snake_case`; the help overlay shows their Russian descriptions.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Back,
    Help,
    Login,
    Redraw,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Open,
    Search,
    Facets,
    ToggleSection,
    Sort,
    ClearFilters,
    Toggle,
    NextField,
    PrevField,
    Submit,
    NewPractice,
    Edit,
    Save,
    SubmitPractice,
    Attach,
    FindUser,
}

impl Action {
    pub const ALL: [Action; 27] = [
        Self::Quit,
        Self::Back,
        Self::Help,
        Self::Login,
        Self::Redraw,
        Self::Up,
        Self::Down,
        Self::PageUp,
        Self::PageDown,
        Self::Home,
        Self::End,
        Self::Open,
        Self::Search,
        Self::Facets,
        Self::ToggleSection,
        Self::Sort,
        Self::ClearFilters,
        Self::Toggle,
        Self::NextField,
        Self::PrevField,
        Self::Submit,
        Self::NewPractice,
        Self::Edit,
        Self::Save,
        Self::SubmitPractice,
        Self::Attach,
        Self::FindUser,
    ];

    /// What the action does, in Russian.
    pub fn description(self) -> &'static str {
        match self {
            Self::Quit => "Выйти из программы",
            Self::Back => "Назад, закрыть окно",
            Self::Help => "Справка по клавишам",
            Self::Login => "Войти или выйти из учётной записи",
            Self::Redraw => "Перерисовать экран",
            Self::Up => "Вверх",
            Self::Down => "Вниз",
            Self::PageUp => "Страница вверх",
            Self::PageDown => "Страница вниз",
            Self::Home => "В начало",
            Self::End => "В конец",
            Self::Open => "Открыть паспорт практики",
            Self::Search => "Поиск по тексту",
            Self::Facets => "Фильтры: категория, регион, округ, уровень, статус, год",
            Self::ToggleSection => "Основной каталог / «База знаний»",
            Self::Sort => "Сменить сортировку",
            Self::ClearFilters => "Сбросить поиск и фильтры",
            Self::Toggle => "Отметить или снять отметку",
            Self::NextField => "Следующее поле или группа",
            Self::PrevField => "Предыдущее поле или группа",
            Self::Submit => "Подтвердить",
            Self::NewPractice => "Новый паспорт практики",
            Self::Edit => "Редактировать паспорт (свой черновик)",
            Self::Save => "Сохранить сейчас (черновик сохраняется и сам)",
            Self::SubmitPractice => "Подать практику на подтверждение регионом",
            Self::Attach => "Приложить файл или ссылку: обложку, материал, согласие",
            Self::FindUser => "Найти пользователя по ФИО и добавить в команду",
        }
    }

    /// A short label for the hint bar.
    pub fn hint(self) -> &'static str {
        match self {
            Self::Quit => "выход",
            Self::Back => "назад",
            Self::Help => "справка",
            Self::Login => "вход",
            Self::Redraw => "перерисовать",
            Self::Up => "вверх",
            Self::Down => "вниз",
            Self::PageUp => "стр. вверх",
            Self::PageDown => "стр. вниз",
            Self::Home => "начало",
            Self::End => "конец",
            Self::Open => "открыть",
            Self::Search => "поиск",
            Self::Facets => "фильтры",
            Self::ToggleSection => "раздел",
            Self::Sort => "сортировка",
            Self::ClearFilters => "сброс",
            Self::Toggle => "отметить",
            Self::NextField => "дальше",
            Self::PrevField => "назад по полям",
            Self::Submit => "подтвердить",
            Self::NewPractice => "новый",
            Self::Edit => "редактировать",
            Self::Save => "сохранить",
            Self::SubmitPractice => "подать",
            Self::Attach => "приложить",
            Self::FindUser => "в команду",
        }
    }
}
