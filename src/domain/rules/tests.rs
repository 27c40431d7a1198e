use uuid::Uuid;

use super::*;
use crate::domain::passport::{ImageFormat, Material, MaterialKind, Partner, TeamMember};
use crate::domain::refdata::refdata;

use crate::domain::fixtures::{REQUIRED, complete_profile, file, valid};

fn cx(profile: &dyn Fn(UserId) -> Option<Profile>) -> Context<'_> {
    Context {
        refdata: refdata(),
        year: 2026,
        level_required: false,
        profile,
    }
}

#[allow(clippy::unnecessary_wraps)] // the shape of a profile lookup
fn all_profiles(_: UserId) -> Option<Profile> {
    Some(complete_profile())
}

fn findings(p: &Passport, field: Field) -> Vec<Finding> {
    check_field(field, p, &cx(&all_profiles))
}

fn errors(p: &Passport, field: Field) -> Vec<String> {
    findings(p, field)
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.message)
        .collect()
}

fn hints(p: &Passport, field: Field) -> Vec<String> {
    findings(p, field)
        .into_iter()
        .filter(|f| f.severity == Severity::Hint)
        .map(|f| f.message)
        .collect()
}

#[test]
fn a_complete_passport_has_no_errors() {
    let p = valid();
    let b = blocking(&p, &cx(&all_profiles));
    assert!(b.is_empty(), "{b:#?}");
}

#[test]
fn an_empty_passport_is_blocked_on_every_required_field() {
    let b = blocking(&Passport::default(), &cx(&all_profiles));
    let mut fields: Vec<Field> = b.iter().map(|f| f.field).collect();
    fields.dedup();

    assert_eq!(fields, REQUIRED);
    assert!(
        b.iter()
            .all(|f| f.message.chars().any(|c| matches!(c, 'а'..='я')))
    );
}

#[test]
fn p1_length_counts_characters_not_bytes() {
    let mut p = valid();
    p.title = "Я".repeat(110);
    p.essence = format!("{} – это", p.title);
    assert!(errors(&p, Field::P1).is_empty());
    p.title = "Я".repeat(111);
    let e = errors(&p, Field::P1);
    assert_eq!(e.len(), 1);
    assert!(e[0].contains("111") && e[0].contains("110"), "{}", e[0]);
}

#[test]
fn p1_warns_on_unexpanded_abbreviations() {
    let mut p = valid();
    p.title = "Цифровой МФЦ для бизнеса".into();
    let h = hints(&p, Field::P1);
    assert_eq!(h.len(), 1);
    assert!(h[0].contains("МФЦ"));
    p.title = "Многофункциональный центр (МФЦ) для бизнеса".into();
    assert!(hints(&p, Field::P1).is_empty());
    p.title = "МФЦ (многофункциональный центр) для бизнеса".into();
    assert!(hints(&p, Field::P1).is_empty());
    assert_eq!(
        unexpanded_abbreviations("Форум II уровня, ГИС и ЖКХ"),
        ["ГИС", "ЖКХ"]
    );
}

#[test]
fn p2_goal_required() {
    let mut p = valid();
    p.goal = "  ".into();
    assert_eq!(errors(&p, Field::P2).len(), 1);
}

#[test]
fn p3_tasks_one_per_item() {
    let mut p = valid();
    p.tasks = vec![];
    assert_eq!(errors(&p, Field::P3).len(), 1);
    p.tasks = vec!["Первая\nВторая".into()];
    assert!(errors(&p, Field::P3).is_empty());
    assert_eq!(hints(&p, Field::P3).len(), 1);
    p.tasks = vec!["Первая".into(), String::new()];
    assert!(hints(&p, Field::P3)[0].contains("пустые"));
}

#[test]
fn p4_essence_should_start_with_the_title() {
    let mut p = valid();
    assert!(hints(&p, Field::P4).is_empty());
    p.essence = "«Бережливая поликлиника» — это проект".into();
    assert!(hints(&p, Field::P4).is_empty());
    p.essence = "Проект по сокращению очередей".into();
    assert_eq!(hints(&p, Field::P4).len(), 1);
    assert!(errors(&p, Field::P4).is_empty(), "only a hint");
    p.essence.clear();
    assert_eq!(errors(&p, Field::P4).len(), 1);
}

#[test]
fn p5_main_audience_required_secondary_hinted() {
    let mut p = valid();
    p.audience.secondary.clear();
    assert_eq!(hints(&p, Field::P5).len(), 1);
    p.audience.main.clear();
    assert_eq!(errors(&p, Field::P5).len(), 1);
}

#[test]
fn p6_results_need_measurable_rows() {
    let mut p = valid();
    p.results.measures[0].after = "много".into();
    assert!(errors(&p, Field::P6)[0].contains("числами"));
    p.results.measures.clear();
    assert!(errors(&p, Field::P6)[0].contains("измеримый"));
    assert_eq!(parse_number("1 234,5"), Some(1234.5));
    assert_eq!(parse_number("85%"), Some(85.0));
    assert_eq!(parse_number(""), None);
}

#[test]
fn p7_category_or_dont_know() {
    let mut p = valid();
    p.category = Some(CategoryChoice::DontKnow);
    assert!(errors(&p, Field::P7).is_empty());
    assert_eq!(hints(&p, Field::P7).len(), 1);
    p.category = Some(CategoryChoice::Known("space".into()));
    assert_eq!(errors(&p, Field::P7).len(), 1);
    p.category = None;
    assert_eq!(errors(&p, Field::P7).len(), 1);
}

#[test]
fn p8_only_executive_bodies_may_submit() {
    let mut p = valid();
    p.organisation.kind = Some("commercial".into());
    let e = errors(&p, Field::P8);
    assert_eq!(e.len(), 1);
    assert!(e[0].contains("не может подавать"));
    p.organisation.kind = Some("subordinate".into());
    assert!(errors(&p, Field::P8).is_empty());
    p.organisation.name.clear();
    assert_eq!(errors(&p, Field::P8).len(), 1);
}

#[test]
fn p9_files_over_20_mb_are_refused_with_the_size() {
    let mut p = valid();
    p.materials
        .push(file(MaterialKind::Presentation, MAX_FILE_BYTES + 1));
    let e = errors(&p, Field::P9);
    assert_eq!(e.len(), 1);
    // One byte over the limit must not read «20,0 МБ, больше 20 МБ».
    assert!(
        e[0].contains("20\u{a0}971\u{a0}521 байт, больше 20 МБ") && e[0].contains("ссылку"),
        "{}",
        e[0]
    );
    assert!(!e[0].contains("20,0 МБ"), "{}", e[0]);
    p.materials.pop();
    p.materials.push(Material {
        kind: MaterialKind::Video,
        title: String::new(),
        source: Source::Link {
            url: "disk/video".into(),
        },
    });
    assert_eq!(errors(&p, Field::P9).len(), 1);
    p.materials.pop();
    p.leader_project = true;
    assert!(errors(&p, Field::P9)[0].contains("письмо"));
    p.materials.push(file(MaterialKind::Letter, 10));
    assert!(errors(&p, Field::P9).is_empty());
}

#[test]
fn p10_cover_says_which_condition_failed() {
    assert!(cover_problems(ImageFormat::Jpeg, 900, 675).is_empty());
    let e = cover_problems(ImageFormat::Png, 1000, 675);
    assert_eq!(e.len(), 1);
    assert!(e[0].contains("4:3"));
    let e = cover_problems(ImageFormat::Bmp, 800, 600);
    assert_eq!(e.len(), 1);
    assert!(e[0].contains("900×675"));
    let e = cover_problems(ImageFormat::Gif, 1200, 900);
    assert_eq!(e.len(), 1);
    assert!(e[0].contains("JPG"));
    let mut p = valid();
    p.cover = None;
    assert_eq!(errors(&p, Field::P10).len(), 1);
}

#[test]
fn p11_author_region_and_distinct_others() {
    let mut p = valid();
    p.regions.others = vec!["16".into()];
    assert!(errors(&p, Field::P11)[0].contains("регион-автор"));
    p.regions.others = vec!["77".into(), "77".into()];
    assert_eq!(hints(&p, Field::P11).len(), 1);
    p.regions.author = None;
    assert_eq!(errors(&p, Field::P11).len(), 1);
    p.regions.author = Some("00".into());
    assert!(errors(&p, Field::P11)[0].contains("Неизвестный"));
}

#[test]
fn p12_cost_from_list() {
    let mut p = valid();
    p.cost = Some("free-money".into());
    assert_eq!(errors(&p, Field::P12).len(), 1);
    p.cost = None;
    assert_eq!(errors(&p, Field::P12).len(), 1);
}

#[test]
fn p13_other_needs_text() {
    let mut p = valid();
    p.implementation_way = Some(ImplementationWay::Other(" ".into()));
    assert!(errors(&p, Field::P13)[0].contains("Другое"));
    p.implementation_way = Some(ImplementationWay::Other("Соглашение".into()));
    assert!(errors(&p, Field::P13).is_empty());
}

#[test]
fn p14_plan_steps_required() {
    let mut p = valid();
    p.plan.steps = vec![" ".into()];
    assert_eq!(errors(&p, Field::P14).len(), 1);
}

#[test]
fn p15_partner_needs_a_name() {
    let mut p = valid();
    p.partners.push(Partner::default());
    assert_eq!(errors(&p, Field::P15).len(), 1);
    assert_eq!(hints(&p, Field::P15).len(), 1);
}

#[test]
fn p16_whole_months() {
    let mut p = valid();
    p.launch_months = Some(0);
    assert_eq!(errors(&p, Field::P16).len(), 1);
    p.launch_months = None;
    assert_eq!(errors(&p, Field::P16).len(), 1);
}

#[test]
fn p17_p18_required() {
    let mut p = valid();
    p.specifics.clear();
    p.support.clear();
    assert_eq!(errors(&p, Field::P17).len(), 1);
    assert_eq!(errors(&p, Field::P18).len(), 1);
}

#[test]
fn p19_team_of_three_with_complete_profiles() {
    let mut p = valid();
    p.team.pop();
    assert!(errors(&p, Field::P19)[0].contains("не меньше 3"));
    let mut p = valid();
    p.team[2].member = Member::Invited("new@example.ru".into());
    assert!(errors(&p, Field::P19)[0].contains("приглашение"));
    let p = valid();
    let incomplete = |id: UserId| {
        let mut prof = complete_profile();
        if id == Uuid::from_u128(2) {
            prof.photo = None;
        }
        Some(prof)
    };
    let e: Vec<_> = check_field(Field::P19, &p, &cx(&incomplete))
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert_eq!(e.len(), 1);
    assert!(e[0].message.contains("фотография"));
    let mut p = valid();
    p.team[0].mentor = false;
    assert!(hints(&p, Field::P19)[0].contains("наставника"));
}

#[test]
fn p20_indicators_from_the_lists() {
    let mut p = valid();
    p.rating_indicators = vec!["inv-a1".into()];
    assert!(errors(&p, Field::P20).is_empty());
    assert_eq!(hints(&p, Field::P20).len(), 1);
    assert!(p.has_investment_indicators(refdata()));
    p.rating_indicators = vec!["zzz".into()];
    assert_eq!(errors(&p, Field::P20).len(), 1);
}

#[test]
fn p21_consents_for_unregistered_people() {
    let mut p = valid();
    p.team.push(TeamMember {
        member: Member::Invited("x@y.ru".into()),
        mentor: false,
    });
    assert_eq!(hints(&p, Field::P21).len(), 1);
    p.consents
        .push(file(MaterialKind::Other, MAX_FILE_BYTES * 2));
    let e = errors(&p, Field::P21);
    assert_eq!(e.len(), 1);
    assert!(e[0].contains("40,0 МБ"));
}

#[test]
fn p22_level_required_from_packaging() {
    let p = valid();
    assert!(errors(&p, Field::P22).is_empty());
    let c = Context {
        level_required: true,
        ..cx(&all_profiles)
    };
    assert_eq!(check_field(Field::P22, &p, &c).len(), 1);
}

#[test]
fn p23_not_earlier_than_three_years() {
    assert!(p23_year(Some(2023), 2026).is_empty());
    assert!(
        p23_year(Some(2022), 2026)[0]
            .message
            .contains("не ранее 2023")
    );
    assert_eq!(p23_year(Some(2027), 2026).len(), 1);
    assert_eq!(p23_year(None, 2026).len(), 1);
}

#[test]
fn p24_route_required() {
    let mut p = valid();
    p.route = None;
    assert_eq!(errors(&p, Field::P24).len(), 1);
}

#[test]
fn human_size_never_rounds_down_to_a_whole_megabyte() {
    const MB: u64 = 1024 * 1024;
    assert_eq!(human_size(0), "0 Б");
    assert_eq!(human_size(1023), "1023 Б");
    assert_eq!(human_size(1536), "1,5 КБ");
    assert_eq!(human_size(20 * MB), "20,0 МБ");
    assert_eq!(human_size(21 * MB), "21,0 МБ");
    assert_eq!(human_size(20 * MB + MB / 2), "20,5 МБ");
    // Just over the limit: in bytes, so it never reads as the limit itself.
    assert_eq!(human_size(MAX_FILE_BYTES + 1), "20\u{a0}971\u{a0}521 байт");
    assert_eq!(human_size(MAX_FILE_BYTES + 2), "20\u{a0}971\u{a0}522 байта");
    assert_eq!(human_size(MAX_FILE_BYTES + 5), "20\u{a0}971\u{a0}525 байт");
    assert_eq!(human_size(MAX_FILE_BYTES + 91), "20\u{a0}971\u{a0}611 байт");
    // Rounding up to the next tenth is fine: «20,1 МБ» is over 20 МБ.
    assert_eq!(human_size(20 * MB + MB / 10), "20,1 МБ");
    assert_eq!(human_size(20 * MB + MB / 20 + 1), "20,1 МБ");
    // Below a whole megabyte, rounding up to it would understate nothing.
    assert_eq!(human_size(20 * MB - 1), "20,0 МБ");
    assert!(human_size(u64::MAX).ends_with("байт") || human_size(u64::MAX).ends_with("МБ"));
    // Whatever the size over the limit, the message never shows «20,0 МБ».
    for extra in [1, 1000, 52_428, 52_429, MB / 10] {
        let e = file_size_problem("a.pdf", MAX_FILE_BYTES + extra).expect("over");
        assert!(!e.message.contains("20,0 МБ"), "{extra}: {}", e.message);
    }
}
