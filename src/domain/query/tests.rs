use proptest::prelude::*;

use chrono::NaiveDate;

use super::*;
use crate::domain::PracticeId;

#[test]
fn keywords_aliases_negation_and_alternatives() {
    let q =
        parse("статус:упаковка регион:татарстан category:health -route:selection").expect("parses");
    assert_eq!(q.any.len(), 1);
    let terms = &q.any[0];
    assert_eq!(terms[0].cond, Cond::Status(PracticeStatus::Packaging));
    assert_eq!(terms[1].cond, Cond::Region("16".into()));
    assert_eq!(terms[2].cond, Cond::Category("health".into()));
    assert_eq!(
        terms[3],
        Term {
            not: true,
            cond: Cond::Route(Route::Selection)
        }
    );
    let q = parse("срок<3 OR просрочено ждёт>=10 актуализация<30д").expect("parses");
    assert_eq!(q.any.len(), 2);
    assert_eq!(q.any[0][0].cond, Cond::Number(Number::Due, Cmp::Lt, 3));
    assert_eq!(q.any[1][0].cond, Cond::Overdue);
    assert_eq!(q.any[1][1].cond, Cond::Number(Number::Waiting, Cmp::Ge, 10));
    assert_eq!(
        q.any[1][2].cond,
        Cond::Number(Number::Actualise, Cmp::Lt, 30)
    );
    let q = parse("единое \"окно поддержки\" автор:Author эксперт:expert1").expect("parses");
    assert_eq!(q.any[0][0].cond, Cond::Word("единое".into()));
    assert_eq!(q.any[0][1].cond, Cond::Phrase("окно поддержки".into()));
    assert_eq!(q.any[0][2].cond, Cond::Author("author".into()));
    assert!(parse("   ").expect("empty").is_empty());
    // The status by its stage number, and a name's beginning.
    assert_eq!(
        parse("статус:W-3").expect("parses").any[0][0].cond,
        Cond::Status(PracticeStatus::ExpertReview)
    );
    assert_eq!(
        parse("статус:\"экспертная оценка\"").expect("parses").any[0][0].cond,
        Cond::Status(PracticeStatus::ExpertReview)
    );
}

#[test]
fn a_line_is_a_query_when_it_holds_conditions() {
    for q in [
        "стату:черновик",
        "срок<3",
        "школа OR лицей",
        "-черновик",
        "просрочено",
    ] {
        assert!(has_conditions(q), "{q}");
    }
    for w in [
        "школа",
        "время: 30 дней",
        "ГОСТ 7.0",
        "арт-резиденции",
        "or",
        "10:00",
        "-10%",
    ] {
        assert!(!has_conditions(w), "{w}");
    }
}

#[test]
fn errors_point_at_the_wrong_token() {
    let text = "статус:упаковка стату:черновик";
    let e = parse(text).expect_err("unknown key");
    assert_eq!((e.at, e.len), (16, 5));
    assert!(e.message.contains("Неизвестное поле «стату»"), "{e}");
    assert!(
        e.show(text).contains("\n                ^^^^^\n"),
        "{}",
        e.show(text)
    );
    let e = parse("срок<скоро").expect_err("not a number");
    assert!(e.message.contains("сравнивается с числом"), "{e}");
    let e = parse("регион:марс").expect_err("no such region");
    assert!(e.message.contains("Регион «марс» не найден"), "{e}");
    let e = parse("статус<2").expect_err("no comparison");
    assert!(e.message.contains("не сравнивается"), "{e}");
    let e = parse("OR срок<3").expect_err("dangling OR");
    assert_eq!(e.at, 0);
    let e = parse("\"единое окно").expect_err("open quote");
    assert!(e.message.contains("Кавычка не закрыта"), "{e}");
    let e = parse("срок").expect_err("no value");
    assert!(e.message.contains("нужно значение"), "{e}");
    let e = parse("статус:п").expect_err("ambiguous");
    assert!(e.message.contains("несколько"), "{e}");
}

#[test]
fn a_row_meets_the_conditions_by_the_day() {
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("day");
    let cal = crate::domain::calendar::Calendar::shipped();
    let row = Row {
        id: uuid::Uuid::nil(),
        title: "Единое окно".into(),
        status: PracticeStatus::Packaging,
        region: Some("16".into()),
        category: Some("health".into()),
        route: Some(Route::OwnInitiative),
        level: Some(2),
        year: Some(2025),
        author: "author".into(),
        experts: vec!["moderator".into()],
        votes: 0,
        applications: 0,
        deadline: NaiveDate::from_ymd_opt(2026, 12, 3),
        since: NaiveDate::from_ymd_opt(2026, 11, 1),
        actualise_by: None,
    };
    let none = |_: &Cond, _: PracticeId| false;
    let f = Facts {
        today,
        calendar: &cal,
        text: &none,
    };
    let yes = |t: &str| parse(t).expect("parses").matches(&row, &f);
    assert!(yes("статус:упаковка регион:16 уровень:2 год:2025 заявок:0"));
    assert!(yes("срок<3 ждёт>10 эксперт:moderator автор:author"));
    assert!(!yes("срок<2"), "two working days left");
    assert!(!yes("просрочено"));
    assert!(yes("просрочено OR маршрут:инициатива"));
    assert!(yes("-маршрут:отбор -актуализация<30"));
    assert!(!yes("окно"), "words are the index's");
    assert!(yes(""));
}

fn status() -> impl Strategy<Value = PracticeStatus> {
    prop::sample::select(PracticeStatus::ALL.to_vec())
}

fn cond() -> impl Strategy<Value = Cond> {
    let rd = crate::domain::refdata::refdata();
    let regions: Vec<String> = rd.regions.iter().map(|r| r.code.clone()).collect();
    let categories: Vec<String> = rd.categories.iter().map(|c| c.code.clone()).collect();
    let numbers = prop::sample::select(vec![
        Number::Due,
        Number::Waiting,
        Number::Votes,
        Number::Actualise,
        Number::Applications,
        Number::Year,
        Number::Level,
    ]);
    let cmps = prop::sample::select(vec![Cmp::Eq, Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge]);
    prop_oneof![
        status().prop_map(Cond::Status),
        prop::sample::select(regions).prop_map(Cond::Region),
        prop::sample::select(categories).prop_map(Cond::Category),
        prop::sample::select(Route::ALL.to_vec()).prop_map(Cond::Route),
        "[a-z][a-z0-9_.]{0,8}".prop_map(Cond::Author),
        "[a-z][a-z0-9_.]{0,8}".prop_map(Cond::Expert),
        (numbers, cmps, -400i64..3000).prop_map(|(n, c, v)| Cond::Number(n, c, v)),
        Just(Cond::Overdue),
        "[а-яa-z][а-яa-z0-9]{0,10}"
            .prop_filter("not a keyword", |w| {
                w != "просрочено"
                    && w != "overdue"
                    && KEYWORDS.iter().all(|k| !k.names.contains(&w.as_str()))
            })
            .prop_map(Cond::Word),
        "[а-я]{1,8}( [а-я]{1,8}){0,2}".prop_map(Cond::Phrase),
    ]
}

fn query() -> impl Strategy<Value = Query> {
    let term = (any::<bool>(), cond()).prop_map(|(not, cond)| Term { not, cond });
    prop::collection::vec(prop::collection::vec(term, 1..5), 0..4).prop_map(|any| Query { any })
}

proptest! {
    /// The printed query parses back to itself.
    #[test]
    fn print_then_parse_gives_the_query_back(q in query()) {
        let text = q.to_string();
        let back = parse(&text).map_err(|e| TestCaseError::fail(e.show(&text)))?;
        prop_assert_eq!(back, q, "{}", text);
    }
}
